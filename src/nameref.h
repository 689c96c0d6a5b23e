/*
 * nameref.h - name references (kustomize's nameReferenceTransformer and
 * api/filters/nameref): after objects were renamed (prefix, suffix, later
 * generator hashes and patches), rewrite every field that refers to one of
 * them by its old name, using the configuration's nameReference table.
 * Run once, on the top-level result.
 */
#ifndef KR_NAMEREF_H
#define KR_NAMEREF_H

#include "ctx.h"
#include "resource.h"
#include "tconfig.h"

int kr_nameref_fix(kr_ctx *ctx, kr_resmap *m, const kr_tconfig *tc);

#endif
