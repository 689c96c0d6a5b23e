/*
 * sort.h - output order of a build (kustomize's SortOrderTransformer).
 */
#ifndef KR_SORT_H
#define KR_SORT_H

#include "ctx.h"
#include "resource.h"

/* Sort `m` in kustomize's legacy order: kinds listed in `first` come first
 * in that order, kinds in `last` come last, all other kinds between; ties
 * are broken by the "group_version_kind" string and then by the id string
 * "Kind.version.group|namespace|name".  `first` and `last` are SEQs of
 * kind names (or NULL for none).  Reindexes the map. */
int kr_sort_legacy(kr_ctx *ctx, kr_resmap *m, const kr_node *first,
                   const kr_node *last);

#endif
