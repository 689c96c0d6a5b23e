/*
 * patch_json6902.h - JSON 6902 patches: the `patches:` entries whose
 * content is an operation list (kustomize's PatchTransformer) and the
 * deprecated `patchesJson6902:` (PatchJson6902Transformer).  See
 * patch_json6902.c.
 */
#ifndef KR_PATCH_JSON6902_H
#define KR_PATCH_JSON6902_H

#include "ctx.h"
#include "node.h"

/* Apply an operation list (a SEQ of op mappings, values typed as go-yaml
 * v2 types them) to `doc`.  `src` names the patch in messages.  0, or <0
 * with the error set. */
int kr_json6902_apply(kr_ctx *ctx, const char *src, const kr_node *ops, kr_node *doc);

/* Normalise a document as kustomize's JSON round trip does (numbers
 * through float64, null/bool spelled out, scalar styles reset). */
int kr_json6902_normalise(kr_ctx *ctx, kr_node *doc);

#endif
