/*
 * buildmeta.h - the kustomization's `buildMetadata` (kustomize v5.5.0's
 * origin tracking: api/resource/origin.go, KustTarget.origin, and the end
 * of krusty's Kustomizer.Run).
 *
 * When the top kustomization's buildMetadata lists anything (its list
 * applies to every sub-kustomization and component, whose own is
 * ignored), kustomize tracks origins in real annotations while it builds:
 *  - config.kubernetes.io/origin, set on the objects of a resource file
 *    ("path: <file relative to the top kustomization>"), on generated
 *    objects that have none ("configuredIn: <kustomization or config
 *    file>", "configuredBy: {apiVersion, kind[, name, namespace]}"), and
 *    on plugin configs;
 *  - alpha.config.kubernetes.io/transformations, a list to which every
 *    transformer instance that runs on an accumulator appends its origin,
 *    on every object of it (an object without an origin gets the
 *    transformer's as its origin instead).
 * At the end (always, as kustomize does) the origin annotation is removed
 * unless `originAnnotations` is listed, the transformations one unless
 * `transformerAnnotations` is; `managedByLabel` adds the label
 * app.kubernetes.io/managed-by: kustomize-<version> to every object
 * (kubectl v1.32's kustomize prints its version as "(devel)").
 *
 * The directory a kustomization is in, relative to the top one, is
 * ctx->origin_path (NULL when origins are not tracked).
 */
#ifndef KR_BUILDMETA_H
#define KR_BUILDMETA_H

#include "ctx.h"
#include "kustomization.h"
#include "resource.h"

#define KR_ORIGIN_ANNOTATION "config.kubernetes.io/origin"
#define KR_TRANSFORMATIONS_ANNOTATION "alpha.config.kubernetes.io/transformations"
#define KR_MANAGED_BY_VALUE "kustomize-(devel)"

/* Read the top kustomization's buildMetadata and start tracking origins
 * when it lists anything. */
int kr_buildmeta_init(kr_ctx *ctx, const kr_kustomization *top);

/* Objects m->items[from..] came from file `rel` of the current
 * kustomization: set their origin (overwriting any). */
int kr_origin_annotate_file(kr_ctx *ctx, kr_resmap *m, size_t from, const char *rel);

/* Enter sub-directory `rel` (a resource or component directory); *saved
 * gets what kr_origin_leave restores. */
int kr_origin_enter(kr_ctx *ctx, const char *rel, const char **saved);
void kr_origin_leave(kr_ctx *ctx, const char *saved);

/* The origin text of a builtin generator or transformer of `k`
 * (configuredIn its kustomization file, configuredBy builtin `kind`);
 * *out is NULL when origins are not tracked. */
int kr_origin_builtin(kr_ctx *ctx, const kr_kustomization *k, const char *kind,
                      const char **out);

/* The origin text of a plugin config (kustomize's OriginFromCustomPlugin);
 * NULL when the config has no origin. */
int kr_origin_of_config(kr_ctx *ctx, const kr_resource *cfg, const char **out);

/* Set `origin` on a generated object unless it has one already
 * (AddOriginAnnotation).  A NULL origin does nothing. */
int kr_origin_set_if_absent(kr_ctx *ctx, kr_node *doc, const char *origin);

/* The origin annotation of an object, or NULL. */
kr_node *kr_origin_get(const kr_node *doc);
/* Replace (or, with NULL, remove) an object's origin annotation. */
int kr_origin_put(kr_ctx *ctx, kr_node *doc, kr_node *origin);

/* A transformer with origin `origin` ran `times` times on m
 * (AddTransformerAnnotation after each).  NULL does nothing. */
int kr_origin_transformed(kr_ctx *ctx, kr_resmap *m, const char *origin,
                          unsigned times);

/* After the builtin transformer `name` of transformers.c ran on m: the
 * annotation for each instance kustomize would have configured. */
int kr_buildmeta_builtin_ran(kr_ctx *ctx, const kr_kustomization *k,
                             const char *name, kr_resmap *m);

/* The end of the build (after sorting): managed-by label, and the origin
 * and transformations annotations removed unless asked for. */
int kr_buildmeta_finish(kr_ctx *ctx, kr_resmap *m);

#endif
