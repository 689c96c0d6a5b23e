/*
 * configurations.h - a kustomization's transformer configuration as
 * kustomize v5.5.0 builds it: the builtin field specs, the kustomization's
 * `configurations:` files (user field specs) and its `crds:` files (OpenAPI
 * definitions whose x-kubernetes-* extensions add field specs), merged into
 * the configuration accumulated from its sub-kustomizations with
 * kustomize's TransformerConfig.Merge semantics (merge, then sort by kind).
 *
 * The configuration files are read with go-yaml v2 (YAML 1.1) scalar
 * typing, as kustomization files are (kdecode.h): `yes` is a bool, `0x10`
 * a number, unlike the go-yaml v3 typing of resources.
 */
#ifndef KR_CONFIGURATIONS_H
#define KR_CONFIGURATIONS_H

#include "ctx.h"
#include "kustomization.h"
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

/* Is `tc` the builtin configuration as a kustomization ends with when
 * neither it nor anything it includes has `configurations:` or `crds:`
 * (the shared copy-on-write one)?  And make `tc` that configuration.  The
 * base cache (basecache.h) stores only bases that end with it. */
int kr_tconfig_is_builtin(const kr_tconfig *tc);
int kr_tconfig_set_builtin(kr_ctx *ctx, kr_tconfig *tc);

/* For tests: 1 when merging the builtin configuration into an empty one,
 * or into itself, gives it back unchanged, as kr_tconfig_accumulate and
 * kr_tconfig_load_user assume to skip those merges. */
int kr_tconfig_builtin_is_stable(kr_ctx *ctx);

/* For tests: 1 when the builtin tables (fieldspec_tables.c) are in the
 * order kustomize's loading gives them (copied, sorted, merged into an
 * empty configuration), which is why they are used as they are. */
int kr_tconfig_builtin_is_canonical(kr_ctx *ctx);

#endif
