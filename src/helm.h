/*
 * helm.h - `helmCharts`, `helmGlobals` and the deprecated
 * `helmChartInflationGenerator` of a kustomization: kustomize v5.5.0's
 * HelmChartInflationGenerator (api/internal/builtins/
 * HelmChartInflationGenerator.go, api/types/helmchartargs.go), which runs
 * the helm 3 program.
 *
 * Only with kr_build_options.enable_helm (--enable-helm), or
 * enable_alpha_plugins, which enables helm in kustomize too; otherwise a
 * kustomization with charts fails.  For each chart, in order, after the
 * ConfigMap and Secret generators (kustomize's builtin generator order):
 *  1. `helm version -c --short` must print a v3 version;
 *  2. the chart directory is <chartHome>/<name>, or, when both `repo` and
 *     `version` are given, <chartHome>/<name>-<version>/<name> (chartHome:
 *     helmGlobals.chartHome, default `charts`, relative to the
 *     kustomization).  A chart found there is used as it is; otherwise,
 *     with a `repo`, `helm pull --untar --untardir DIR [--repo REPO] NAME
 *     [--version V]` (`oci://REPO/NAME` for OCI repositories) fetches it.
 *     Unlike kustomize, the pull goes to a fresh directory next to its
 *     final place, renamed there when complete: parallel builds never see
 *     half a chart, and the loser of a race drops its copy.  Since the
 *     version is part of the path, a version bump is a new pull;
 *  3. the values: the `valuesFile` (default: the chart's values.yaml; an
 *     http(s) URL is fetched, as kustomize's loader does),
 *     or, with `valuesInline`, that file merged with them (valuesMerge
 *     `override`, the default: inline values win; `merge`: the file's
 *     win; `replace`: the inline values alone), written to a private
 *     temporary directory as <name>-kustomize-values.yaml;
 *  4. `helm template` with kustomize's arguments, in kustomize's order
 *     (kr_helm_template_args); its output becomes generated objects
 *     (create behaviour: a clash with an existing object is an error).
 * helm runs without a shell, under the plugin timeout, with
 * HELM_CONFIG_HOME (helmGlobals.configHome, else <tmp>/helm),
 * HELM_CACHE_HOME=<config>/.cache and HELM_DATA_HOME=<config>/.data; the
 * temporary directory is removed afterwards.  A failure names the
 * kustomization, the chart, the helm command line and helm's stderr.
 */
#ifndef KR_HELM_H
#define KR_HELM_H

#include "ctx.h"
#include "kustomization.h"
#include "node.h"
#include "resource.h"

/* Run every chart of kustomization k, absorbing the objects into m. */
int kr_helm_generate(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m);
/* The same with `origin` on the objects (a HelmChartInflationGenerator
 * plugin config: plugins.c) unless builtin_origin asks for the builtin
 * generator's. */
int kr_helm_generate_origin(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m,
                            const char *origin, int builtin_origin);
/* The JSON names of a helmCharts entry's members (NULL-terminated). */
extern const char *const kr_helm_chart_fields[];

/* ---- exposed for tests ---------------------------------------------- */

/* One chart with the globals, as kustomize's plugin config holds it. */
typedef struct kr_helm_chart {
	const char *name, *version, *repo, *release_name, *namespace;
	const char *values_file;      /* "" when not given */
	const char **additional;      /* additionalValuesFiles */
	size_t nadditional;
	const kr_node *values_inline; /* a mapping, or NULL */
	const char *values_merge;     /* "" when not given */
	int include_crds, skip_hooks, skip_tests, debug;
	const char **api_versions;
	size_t napi_versions;
	const char *kube_version, *name_template;
	const char *chart_home, *config_home;  /* helmGlobals; "" when not given */
	const kr_node *at;            /* the entry, for messages (may be NULL) */
} kr_helm_chart;

/* The chart home kustomize uses (absChartHome): chartHome (default
 * `charts`) joined to the kustomization root `root` unless absolute, then
 * <name>-<version> when both repo and version are given. */
const char *kr_helm_chart_home(kr_arena *a, const kr_helm_chart *c, const char *root);

/* The arguments after the helm program (NULL-terminated, *argc of them)
 * of `helm pull` into `untardir`, and of `helm template` of the chart in
 * `chart_home` with the values file `values` (kustomize's
 * HelmChart.AsHelmArgs). */
int kr_helm_pull_args(kr_arena *a, const kr_helm_chart *c, const char *untardir,
                      const char ***argv, size_t *argc);
int kr_helm_template_args(kr_arena *a, const kr_helm_chart *c, const char *chart_home,
                          const char *values, const char ***argv, size_t *argc);

/* The values file kustomize writes for valuesInline: `file` (the chart's
 * values, go-yaml v3 typed; NULL when replaced) merged with `inline_v3`
 * (the inline values converted by kr_helm_inline_values) as valuesMerge
 * `how` says; *out is the tree to emit.  `where` names the values in
 * messages. */
int kr_helm_merge_values(kr_ctx *ctx, const kr_node *file, const kr_node *inline_v3,
                         const char *how, const char *where, kr_node **out);
/* valuesInline as kustomize holds it (go-yaml v2 types through JSON:
 * `yes` is true, `0x1F` is 31, keys are strings) as a go-yaml v3 typed
 * tree. */
int kr_helm_inline_values(kr_ctx *ctx, const kr_node *n, kr_node **out);

#endif
