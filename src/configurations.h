/*
 * configurations.h - a kustomization's transformer configuration as
 * kustomize v5.5.0 builds it: the builtin field specs, the kustomization's
 * `configurations:` files (user field specs) and its `crds:` files (OpenAPI
 * definitions whose x-kubernetes-* extensions add field specs), merged into
 * the configuration accumulated from its sub-kustomizations with
 * kustomize's TransformerConfig.Merge semantics (merge, then sort by kind).
 *
 * Also here: go-yaml v2 (YAML 1.1) scalar typing, which kustomize applies
 * to kustomization files and to these configuration files (`yes` is a
 * bool, `0x10` a number), unlike the go-yaml v3 typing of resources.
 */
#ifndef KR_CONFIGURATIONS_H
#define KR_CONFIGURATIONS_H

#include "ctx.h"
#include "kustomization.h"
#include "node.h"
#include "tconfig.h"

/* Merge this kustomization's configuration into `tc`, the accumulator that
 * holds what its sub-kustomizations contributed (empty when none):
 *   tc = Merge(tc, Merge(builtin, Merge(config files...)))
 *   tc = Merge(tc, Merge(crd files...))
 * as kustomize's accumulateTarget does after accumulating resources.
 * Errors name the kustomization, configuration or CRD file. */
int kr_tconfig_load_user(kr_ctx *ctx, const kr_kustomization *k, kr_tconfig *tc);

/* kustomize's TransformerConfig.Merge into an accumulator: every list of
 * `in` merged into `acc` (FsSlice.MergeAll: a spec effectively equal to
 * one present is dropped, or is a "conflicting fieldspecs" error when its
 * create flag differs), name-reference entries merged by target kind, then
 * every list sorted by group/version/kind as kustomize sorts them.  The
 * accumulator of a kustomization starts empty (all zero). */
int kr_tconfig_accumulate(kr_ctx *ctx, kr_tconfig *acc, const kr_tconfig *in);

/* go-yaml v2 typing of a scalar, as sigs.k8s.io/yaml sees it. */
typedef enum kr_y11_type {
	KR_Y11_STR = 0,
	KR_Y11_NULL,
	KR_Y11_BOOL,
	KR_Y11_INT,
	KR_Y11_FLOAT
} kr_y11_type;

/* The type go-yaml v2 gives scalar `n` (plain scalars are resolved as YAML
 * 1.1: y/yes/on/off are bools, 0x1F and 017 ints, .5 a float...). */
kr_y11_type kr_y11_type_of(const kr_node *n);

/* The text sigs.k8s.io/yaml gives a scalar decoded into a Go string field:
 * strings as they are, null as "", bools as "true"/"false", numbers
 * formatted by Go's strconv.  NULL when out of memory. */
const char *kr_y11_as_string(kr_arena *a, const kr_node *n);

#endif
