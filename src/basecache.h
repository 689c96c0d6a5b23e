/*
 * basecache.h - sharing the built result of a base between builds that use
 * one kr_cache (the base cache; the parse cache is cache.h).
 *
 * When many overlays include the same base, each build accumulates the
 * base again: its resources, generators, components and transformers.
 * With a cache set (kr_build_set_cache), a base's result (its resources
 * after its own transformers) is stored the first time and copied into the
 * later builds that include the same base with the same inputs.
 *
 * Only a "pure" base is stored, whose result and side effects are fully
 * known: no origin tracking (buildMetadata), no stream (post-render), not
 * remote or under a remote root, and nowhere in the subtree (the base, its
 * bases and components): no helmCharts/helmGlobals/
 * helmChartInflationGenerator, no generators/transformers/validators
 * plugins, no http(s) resources, no openapi, configurations, crds, vars or
 * buildMetadata field, no path resolved through a symbolic link, no file
 * noted as an input other than read whole, every warning seen by the
 * recorder, a builtin transformer configuration at the end, and
 * ctx->openapi unset.  Anything else is built normally and not stored.
 * The warnings of a stored base (kustomization deprecation warnings, a
 * function of the files' content) are printed again on reuse, in order.
 *
 * Key: the base's real path and display path (node `file` fields and
 * messages use display names) and every build option that can change a
 * pure base's result.  An entry records every file the subtree read
 * (absolute path, length, XXH3-128 of the bytes as read), which
 * kustomization file name each kustomization directory had, the
 * kustomization roots (cycle check), the nesting depth below the base
 * (depth limit), the resources counted (resource limit) and the OpenAPI
 * state it moved.  Reuse first re-reads and compares every file (and
 * checks that its path is still free of symbolic links), re-checks the
 * names, the chain and the limits; any difference is a miss
 * and the base is built normally (its new result replaces the entry).
 * Errors are never stored: a failing base is always built, and reports
 * its error itself.
 *
 * With kr_cache_keep_results set (krender serve), the top kustomization
 * of a build is treated as a base too (chain NULL, depth 0), so that the
 * same overlay built again is answered whole; it must then also have no
 * sortOptions, which its caller reads from the kustomization a reuse does
 * not give back.
 *
 * Entries are immutable once published and live as long as the cache
 * (builds share their text, as with the parse cache).
 */
#ifndef KR_BASECACHE_H
#define KR_BASECACHE_H

#include "build.h"
#include "vars.h"

/* build_dir of build.c: build the kustomization in directory `dir`
 * (display) / `root` (real) under `chain` into out, tc, vs and k. */
typedef int (*kr_build_dir_fn)(kr_ctx *ctx, const char *dir, const char *root,
                               const kr_root_chain *chain, kr_resmap *out,
                               kr_tconfig *tc, kr_varset *vs,
                               kr_kustomization *k);

/* Build the base `dir`/`root` included under `chain` (NULL: the top
 * kustomization, stored only when the cache keeps results): from the build's
 * cache when an entry is valid, else with build() (storing the result
 * when it is pure).  Same contract as build(); on reuse *k is zeroed (the
 * caller does not read it). */
int kr_basecache_build(kr_ctx *ctx, const char *dir, const char *root,
                       const kr_root_chain *chain, kr_resmap *out,
                       kr_tconfig *tc, kr_varset *vs, kr_kustomization *k,
                       kr_build_dir_fn build);

/* Hooks, no-ops unless a base is being recorded (ctx->basecache): a
 * kustomization was loaded from its file `path` (kustomization.c); a
 * sub-root at `depth` passed the cycle and depth checks (kr_subdir_root);
 * kr_read_file read the bytes of the input it just noted. */
void kr_basecache_saw_kustomization(kr_ctx *ctx, const kr_kustomization *k,
                                    const char *path);
void kr_basecache_saw_root(kr_ctx *ctx, unsigned depth);
int kr_basecache_saw_read(kr_ctx *ctx, const char *data, size_t len);
/* kr_warn printed `line` (ctx.c). */
void kr_basecache_saw_warning(kr_ctx *ctx, const char *line);

/* The table a kr_cache holds (cache.c). */
struct kr_bctable;
struct kr_bctable *kr_bctable_new(void);
void kr_bctable_free(struct kr_bctable *t);

/* Counts of the base cache of `c`: entries held; bases answered from it;
 * bases built because no entry had their key; bases built although an
 * entry had it (a file or kustomization file name changed, or a check of
 * the including build, depth, cycle, resource limit, asked for a real
 * build); builds not stored (impure, or out of memory). */
typedef struct kr_basecache_stats {
	size_t entries, hits, misses, stale, impure;
} kr_basecache_stats;
int kr_cache_base_stats(kr_cache *c, kr_basecache_stats *st);

#endif
