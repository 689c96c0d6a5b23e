/*
 * execplugin.h - plugins that are programs: kustomize v5.5.0's exec
 * plugins (api/internal/plugins/execplugin) and KRM exec functions
 * (api/internal/plugins/fnplugin, kyaml/fn/runtime), for configs in
 * `generators`, `transformers` and `validators` whose apiVersion is not
 * `builtin`.  Only with --enable-alpha-plugins (kr_build_options
 * .enable_alpha_plugins); plugins.c refuses them otherwise.
 *
 * Which kind a config is (kustomize's loader.loadPlugin):
 *  - annotated config.kubernetes.io/function (or config.k8s.io/function,
 *    or metadata.configFn, or config.kubernetes.io/container): a KRM
 *    function.  `container: {image}` is refused (krender runs no container
 *    engine); `exec: {path}` runs with --enable-exec, from the
 *    kustomization's directory, reading a ResourceList on stdin and
 *    writing one on stdout; without --enable-exec kustomize skips the
 *    function (a generator then yields its own config, marked
 *    local-config, a transformer changes nothing) and so does krender,
 *    with a warning.
 *  - otherwise a legacy exec plugin: the executable
 *    <plugin home>/<group>/<version>/<lowercase kind>/<Kind>, run with the
 *    config's file as its first argument (then argsOneLiner /
 *    argsFromFile), the objects as a YAML stream on stdin (transformers),
 *    objects on stdout.
 * A generator's objects honour kustomize.config.k8s.io/needs-hash and
 * kustomize.config.k8s.io/behavior; a transformer's output replaces the
 * objects of the same id, adds new ones and drops the missing ones.
 * Processes run without a shell, with a timeout; a failure names the
 * plugin and carries its stderr.
 */
#ifndef KR_EXECPLUGIN_H
#define KR_EXECPLUGIN_H

#include "build.h"
#include "ctx.h"
#include "kustomization.h"
#include "resource.h"

typedef struct kr_extplugin kr_extplugin;

/* Find out how config `cfg` of kustomization `k` runs (and that it can):
 * the errors kustomize gives when it loads plugins (no plugin home, no
 * executable, a malformed function annotation, a container function). */
int kr_extplugin_load(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                      const kr_extplugin **out);

/* Run a loaded plugin as a generator (absorbing its objects into m) or a
 * transformer of m.  `origin` (may be NULL) goes on generated objects. */
int kr_extplugin_run(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                     const kr_extplugin *p, int generate, const char *origin,
                     kr_resmap *m);

/* ---- exposed for tests ---------------------------------------------- */

/* Split an argsOneLiner as github.com/google/shlex does (blanks separate
 * words; '...' and "..." quote; backslash escapes; '#' starts a comment).
 * Returns the number of words (*out: arena array) or a negative code. */
int kr_extplugin_split_args(kr_ctx *ctx, const char *s, const char ***out);

/* The caller's environment with the NAME=value strings of `set` added,
 * replacing inherited variables of the same names (Go's exec, which
 * kustomize uses, lets the last duplicate win; C's getenv takes the
 * first).  In the arena; NULL when out of memory. */
char **kr_spawn_env(kr_ctx *ctx, const char *const *set, size_t nset);
/* Run argv (argv[0] a path; a name without '/' is looked up in PATH) in
 * directory `dir` with environment `envp` (NULL: the caller's), `in` on
 * its stdin, for at most timeout_ms; stdout and stderr captured into the
 * arena.  Returns 0 when it ran (then *status is its exit status, or 128 +
 * signal, or -1 when it timed out and was killed), or a negative code with
 * the error set (it could not be started). */
int kr_extplugin_spawn(kr_ctx *ctx, char *const argv[], char *const envp[],
                       const char *dir, const char *in, size_t inlen,
                       unsigned timeout_ms, char **out, size_t *outlen,
                       char **err, size_t *errlen, int *status);

#endif
