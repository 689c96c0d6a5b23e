/*
 * plugins.h - the `generators`, `transformers` and `validators` fields of a
 * kustomization, holding configurations of kustomize's builtin plugins
 * (kustomize v5.5.0's KustTarget.configureExternalGenerators /
 * configureExternalTransformers and plugins/loader).
 *
 * Each entry is first read as inline YAML objects; when it does not parse
 * as objects it is a path: a file of plugin configs, or a kustomization
 * directory that is built (fully, as a resource directory is) and whose
 * objects are the configs.  All inline configs come first, then those of
 * the paths, in order.  A config with `apiVersion: builtin` must name a
 * builtin plugin; any other is an external plugin, refused as kubectl
 * refuses it without --enable-alpha-plugins and run by execplugin.c with
 * it.
 *
 * Generators run after configMapGenerator/secretGenerator; transformers
 * after the builtin transformers of the kustomization's fields;
 * validators after that: each runs like a transformer and must leave the
 * objects as they were.
 */
#ifndef KR_PLUGINS_H
#define KR_PLUGINS_H

#include "build.h"
#include "ctx.h"
#include "kustomization.h"
#include "resource.h"

int kr_plugins_generate(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, kr_resmap *m);
int kr_plugins_transform(kr_ctx *ctx, const kr_kustomization *k,
                         const kr_root_chain *chain, kr_resmap *m);
int kr_plugins_validate(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, kr_resmap *m);

/* ---- exposed for tests ---------------------------------------------- */

/* The field specs of a plugin config's `fieldSpecs` (decoded as
 * kustomize's yaml.Unmarshal does: unknown members ignored, names matched
 * case-insensitively).  *present tells whether the field was given (not
 * null). */
int kr_plugin_fieldspecs(kr_ctx *ctx, const kr_node *cfg, const char *file,
                         kr_fslist *out, int *present);

/* The member `name` of a config mapping, matched case-insensitively (the
 * last match wins), or NULL. */
kr_node *kr_plugin_member(const kr_node *cfg, const char *name);

#endif
