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

/* kustomize's default orderFirst / orderLast kind lists
 * (api/internal/builtins/SortOrderTransformer.go, kyaml/resid/gvk.go). */
extern const char *const kr_default_order_first[];
extern const size_t kr_default_order_first_len;
extern const char *const kr_default_order_last[];
extern const size_t kr_default_order_last_len;

/* kyaml's typeOrders: negative for kinds of the default orderFirst list (in
 * its order), positive for orderLast, 0 for every other kind. */
int kr_kind_rank(const char *kind);

/* kyaml's Gvk.IsLessThan: by kr_kind_rank, then by the
 * "group_version_kind" string (empty parts as ~G, ~V, ~K), compared
 * without building it. */
int kr_gvk_less(const char *g1, const char *v1, const char *k1,
                const char *g2, const char *v2, const char *k2);

#endif
