/*
 * helm.c - helm charts in a kustomization (see helm.h).
 */
#define _GNU_SOURCE
#include "helm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildmeta.h"
#include "emit.h"
#include "execplugin.h"
#include "fsutil.h"
#include "generators.h"
#include "httpfile.h"
#include "kdecode.h"
#include "parse.h"
#include "remote.h"
#include "resfactory.h"


#define DEFAULT_CHART_HOME "charts"
#define DEFAULT_TIMEOUT_S 300u

/* ---- decoding the kustomization ------------------------------------- */

const char *const kr_helm_chart_fields[] = {
	"name", "version", "repo", "releaseName", "namespace",
	"additionalValuesFiles", "valuesFile", "valuesInline", "valuesMerge",
	"includeCRDs", "skipHooks", "apiVersions", "kubeVersion", "nameTemplate",
	"skipTests", "debug", NULL
};
enum {
	F_NAME, F_VERSION, F_REPO, F_RELEASE, F_NAMESPACE, F_ADDITIONAL,
	F_VALUES_FILE, F_VALUES_INLINE, F_VALUES_MERGE, F_CRDS, F_SKIP_HOOKS,
	F_API_VERSIONS, F_KUBE_VERSION, F_NAME_TEMPLATE, F_SKIP_TESTS, F_DEBUG,
	NCHART_FIELDS
};

/* A []string member. */
static int decode_strings(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char *what, const char *gofield,
                          const char ***out, size_t *nout)
{
	const kr_node *seq;
	int rc = kr_kust_decode_list(ctx, k, n, what, "a list of strings", gofield,
	                             "[]string", &seq);
	if (rc < 0)
		return rc;
	*out = NULL;
	*nout = 0;
	if (!seq)
		return 0;
	const char **v = kr_arena_alloc(&ctx->arena, (seq->u.q.len + 1) * sizeof(*v));
	if (!v)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		char *w = kr_arena_printf(&ctx->arena, "%s[%u]", what, i);
		v[i] = "";
		if (!w)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_string(ctx, k, seq->u.q.items[i], w, gofield,
		                                &v[i])) < 0)
			return rc;
	}
	v[seq->u.q.len] = NULL;
	*out = v;
	*nout = seq->u.q.len;
	return 0;
}

static int decode_chart(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                        const char *what, kr_helm_chart *c)
{
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, NULL, "Kustomization.helmCharts",
	                               "types.HelmChart", &mm);
	if (rc < 0)
		return rc;
	for (uint32_t j = 0; j < mm.len; j++) {
		const kr_kmember *kv = &mm.items[j];
		int f = kr_kust_decode_member(ctx, k, kv, what, kr_helm_chart_fields, NCHART_FIELDS);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, kr_helm_chart_fields[f]);
		char *gf = kr_arena_printf(&ctx->arena, "HelmChart.helmCharts.%s",
		                           kr_helm_chart_fields[f]);
		if (!w || !gf)
			return kr_nomem(ctx);
		const kr_node *v = kv->value;
		switch (f) {
		case F_NAME: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->name); break;
		case F_VERSION: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->version); break;
		case F_REPO: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->repo); break;
		case F_RELEASE: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->release_name); break;
		case F_NAMESPACE: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->namespace); break;
		case F_VALUES_FILE: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->values_file); break;
		case F_VALUES_MERGE: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->values_merge); break;
		case F_KUBE_VERSION: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->kube_version); break;
		case F_NAME_TEMPLATE: rc = kr_kust_decode_string(ctx, k, v, w, gf, &c->name_template); break;
		case F_CRDS: rc = kr_kust_decode_bool(ctx, k, v, w, gf, &c->include_crds); break;
		case F_SKIP_HOOKS: rc = kr_kust_decode_bool(ctx, k, v, w, gf, &c->skip_hooks); break;
		case F_SKIP_TESTS: rc = kr_kust_decode_bool(ctx, k, v, w, gf, &c->skip_tests); break;
		case F_DEBUG: rc = kr_kust_decode_bool(ctx, k, v, w, gf, &c->debug); break;
		case F_ADDITIONAL:
			rc = decode_strings(ctx, k, v, w, gf, &c->additional, &c->nadditional);
			break;
		case F_API_VERSIONS:
			rc = decode_strings(ctx, k, v, w, gf, &c->api_versions, &c->napi_versions);
			break;
		case F_VALUES_INLINE:
			if (kr_y11_is_null(v))
				c->values_inline = NULL;
			else if (v->type != KR_MAP)
				return kr_fail_at(ctx, KR_EINVALID, k->file, v->line, v->col,
				                  "invalid Kustomization: '%s' must be a mapping, "
				                  "not %s (kubectl: json: cannot unmarshal %s into Go "
				                  "struct field %s of type map[string]interface {})",
				                  w, kr_y11_json_kind(v), kr_y11_json_kind(v), gf);
			else
				c->values_inline = v;
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *const global_fields[] = { "chartHome", "configHome" };

static int decode_globals(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char **chart_home, const char **config_home)
{
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, "helmGlobals", NULL,
	                               "Kustomization.helmGlobals", "types.HelmGlobals", &mm);
	if (rc < 0)
		return rc;
	for (uint32_t j = 0; j < mm.len; j++) {
		int f = kr_kust_decode_member(ctx, k, &mm.items[j], "helmGlobals",
		                              global_fields, 2);
		if (f < 0)
			return f;
		rc = kr_kust_decode_string(ctx, k, mm.items[j].value,
		                           f ? "helmGlobals.configHome" : "helmGlobals.chartHome",
		                           f ? "HelmGlobals.helmGlobals.configHome"
		                             : "HelmGlobals.helmGlobals.chartHome",
		                           f ? config_home : chart_home);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The deprecated helmChartInflationGenerator (types.HelmChartArgs), as
 * kustomize's FixKustomization converts it: a chart each, appended after
 * helmCharts; the last non-empty chartHome/helmHome become the globals
 * when helmGlobals is not given. */
static const char *const hca_fields[] = {
	"chartName", "chartVersion", "chartRepoUrl", "chartHome", "chartRepoName",
	"helmBin", "helmHome", "values", "valuesLocal", "valuesMerge", "releaseName",
	"releaseNamespace", "extraArgs"
};

static int decode_hca(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                      const char *what, kr_helm_chart *c, const char **chart_home,
                      const char **config_home)
{
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, NULL,
	                               "Kustomization.helmChartInflationGenerator",
	                               "types.HelmChartArgs", &mm);
	if (rc < 0)
		return rc;
	for (uint32_t j = 0; j < mm.len; j++) {
		const kr_kmember *kv = &mm.items[j];
		int f = kr_kust_decode_member(ctx, k, kv, what, hca_fields,
		                              sizeof hca_fields / sizeof hca_fields[0]);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, hca_fields[f]);
		char *gf = kr_arena_printf(&ctx->arena,
		                           "HelmChartArgs.helmChartInflationGenerator.%s",
		                           hca_fields[f]);
		if (!w || !gf)
			return kr_nomem(ctx);
		const kr_node *v = kv->value;
		const char *s = "";
		const char **ignored = NULL;
		size_t nignored = 0;
		if (f == 8) {          /* valuesLocal */
			if (!kr_y11_is_null(v) && v->type != KR_MAP)
				return kr_fail_at(ctx, KR_EINVALID, k->file, v->line, v->col,
				                  "invalid Kustomization: '%s' must be a mapping", w);
			c->values_inline = kr_y11_is_null(v) ? NULL : v;
			continue;
		}
		if (f == 12) {         /* extraArgs: kustomize drops them */
			if ((rc = decode_strings(ctx, k, v, w, gf, &ignored, &nignored)) < 0)
				return rc;
			continue;
		}
		if ((rc = kr_kust_decode_string(ctx, k, v, w, gf, &s)) < 0)
			return rc;
		switch (f) {
		case 0: c->name = s; break;
		case 1: c->version = s; break;
		case 2: c->repo = s; break;
		case 3: if (*s) *chart_home = s; break;
		case 6: if (*s) *config_home = s; break;
		case 7: c->values_file = s; break;
		case 9: c->values_merge = s; break;
		case 10: c->release_name = s; break;
		default: break;  /* chartRepoName, helmBin, releaseNamespace */
		}
	}
	return 0;
}

static void chart_init(kr_helm_chart *c, const kr_node *at)
{
	memset(c, 0, sizeof(*c));
	c->name = c->version = c->repo = c->release_name = c->namespace = "";
	c->values_file = c->values_merge = c->kube_version = c->name_template = "";
	c->chart_home = c->config_home = "";
	c->at = at;
}

/* Every chart of k with its globals; *n is 0 when there are none. */
static int load_charts(kr_ctx *ctx, const kr_kustomization *k, kr_helm_chart **out,
                       size_t *n, const kr_node **field)
{
	const kr_node *charts, *hcas;
	int rc;
	*n = 0;
	*field = NULL;
	if ((rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, "helmCharts"), "helmCharts",
	                              NULL, "Kustomization.helmCharts", "[]types.HelmChart",
	                              &charts)) < 0 ||
	    (rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, "helmChartInflationGenerator"),
	                              "helmChartInflationGenerator", NULL,
	                              "Kustomization.helmChartInflationGenerator",
	                              "[]types.HelmChartArgs", &hcas)) < 0)
		return rc;
	const char *chart_home = "", *config_home = "";
	const kr_node *globals = kr_map_get(k->doc, "helmGlobals");
	int have_globals = !kr_y11_is_null(globals);
	if (have_globals &&
	    (rc = decode_globals(ctx, k, globals, &chart_home, &config_home)) < 0)
		return rc;
	size_t nc = charts ? charts->u.q.len : 0, nh = hcas ? hcas->u.q.len : 0;
	if (!nc && !nh)
		return 0;
	kr_helm_chart *v = kr_arena_alloc(&ctx->arena, (nc + nh) * sizeof(*v));
	if (!v)
		return kr_nomem(ctx);
	for (size_t i = 0; i < nc; i++) {
		char *what = kr_arena_printf(&ctx->arena, "helmCharts[%zu]", i);
		if (!what)
			return kr_nomem(ctx);
		chart_init(&v[i], charts->u.q.items[i]);
		if ((rc = decode_chart(ctx, k, charts->u.q.items[i], what, &v[i])) < 0)
			return rc;
	}
	const char *hca_chart_home = "", *hca_config_home = "";
	for (size_t i = 0; i < nh; i++) {
		char *what = kr_arena_printf(&ctx->arena, "helmChartInflationGenerator[%zu]", i);
		if (!what)
			return kr_nomem(ctx);
		chart_init(&v[nc + i], hcas->u.q.items[i]);
		if ((rc = decode_hca(ctx, k, hcas->u.q.items[i], what, &v[nc + i],
		                     &hca_chart_home, &hca_config_home)) < 0)
			return rc;
	}
	if (!have_globals) {
		chart_home = hca_chart_home;
		config_home = hca_config_home;
	}
	for (size_t i = 0; i < nc + nh; i++) {
		v[i].chart_home = chart_home;
		v[i].config_home = config_home;
	}
	*out = v;
	*n = nc + nh;
	*field = nc ? charts : hcas;
	return 0;
}

/* ---- arguments ------------------------------------------------------ */

const char *kr_helm_chart_home(kr_arena *a, const kr_helm_chart *c, const char *root)
{
	const char *home = *c->chart_home ? c->chart_home : DEFAULT_CHART_HOME;
	const char *abs = kr_path_join(a, root, home);
	if (abs && *c->version && *c->repo) {
		const char *sub = kr_arena_printf(a, "%s-%s", c->name, c->version);
		abs = sub ? kr_path_join(a, abs, sub) : NULL;
	}
	return abs;
}

typedef struct argv_b {
	kr_arena *a;
	const char **v;
	size_t n, cap;
	int failed;
} argv_b;

static void arg(argv_b *b, const char *s)
{
	if (b->failed)
		return;
	if (!s) {
		b->failed = 1;
		return;
	}
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		const char **v = kr_arena_alloc(b->a, cap * sizeof(*v));
		if (!v) {
			b->failed = 1;
			return;
		}
		if (b->n)
			memcpy(v, b->v, b->n * sizeof(*v));
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
}

static int argv_done(argv_b *b, const char ***argv, size_t *argc)
{
	if (b->failed)
		return KR_ENOMEM;
	*argv = b->v;
	*argc = b->n;
	return 0;
}

int kr_helm_pull_args(kr_arena *a, const kr_helm_chart *c, const char *untardir,
                      const char ***argv, size_t *argc)
{
	argv_b b = { a, NULL, 0, 0, 0 };
	arg(&b, "pull");
	arg(&b, "--untar");
	arg(&b, "--untardir");
	arg(&b, untardir);
	if (!strncmp(c->repo, "oci://", 6)) {
		size_t n = strlen(c->repo);
		if (c->repo[n - 1] == '/')  /* strings.TrimSuffix: one slash */
			n--;
		arg(&b, kr_arena_printf(a, "%.*s/%s", (int)n, c->repo, c->name));
	} else {
		if (*c->repo) {
			arg(&b, "--repo");
			arg(&b, c->repo);
		}
		arg(&b, c->name);
	}
	if (*c->version) {
		arg(&b, "--version");
		arg(&b, c->version);
	}
	return argv_done(&b, argv, argc);
}

int kr_helm_template_args(kr_arena *a, const kr_helm_chart *c, const char *chart_home,
                          const char *values, const char ***argv, size_t *argc)
{
	argv_b b = { a, NULL, 0, 0, 0 };
	arg(&b, "template");
	/* without a release name kustomize asks helm for a generated one */
	arg(&b, *c->release_name ? c->release_name : "--generate-name");
	if (*c->name)
		arg(&b, kr_path_join(a, chart_home, c->name));
	if (*c->namespace) {
		arg(&b, "--namespace");
		arg(&b, c->namespace);
	}
	if (*c->name_template) {
		arg(&b, "--name-template");
		arg(&b, c->name_template);
	}
	if (values && *values) {
		arg(&b, "-f");
		arg(&b, values);
	}
	for (size_t i = 0; i < c->nadditional; i++) {
		arg(&b, "-f");
		arg(&b, c->additional[i]);
	}
	for (size_t i = 0; i < c->napi_versions; i++) {
		arg(&b, "--api-versions");
		arg(&b, c->api_versions[i]);
	}
	if (*c->kube_version) {
		arg(&b, "--kube-version");
		arg(&b, c->kube_version);
	}
	if (c->include_crds)
		arg(&b, "--include-crds");
	if (c->skip_tests)
		arg(&b, "--skip-tests");
	if (c->skip_hooks)
		arg(&b, "--no-hooks");
	if (c->debug)
		arg(&b, "--debug");
	return argv_done(&b, argv, argc);
}

/* ---- values --------------------------------------------------------- */

int kr_helm_inline_values(kr_ctx *ctx, const kr_node *n, kr_node **out)
{
	kr_arena *a = &ctx->arena;
	kr_node *r = NULL;
	if (n->type == KR_MAP) {
		if (!(r = kr_node_map(a, n->u.m.len)))
			return kr_nomem(ctx);
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			const char *key = kr_y11_as_string(a, n->u.m.items[i].key);
			kr_node *v;
			int rc = kr_helm_inline_values(ctx, n->u.m.items[i].value, &v);
			if (rc < 0)
				return rc;
			if (!key)
				return kr_nomem(ctx);
			/* a JSON object: a key given twice keeps the last value */
			if (kr_map_set(a, r, key, v) < 0)
				return kr_nomem(ctx);
		}
	} else if (n->type == KR_SEQ) {
		if (!(r = kr_node_seq(a, n->u.q.len)))
			return kr_nomem(ctx);
		for (uint32_t i = 0; i < n->u.q.len; i++) {
			kr_node *v;
			int rc = kr_helm_inline_values(ctx, n->u.q.items[i], &v);
			if (rc < 0)
				return rc;
			if (kr_seq_append(a, r, v) < 0)
				return kr_nomem(ctx);
		}
	} else {
		kr_y11_value v;
		char buf[64];
		switch (kr_y11_value_of(n, &v)) {
		case KR_Y11_NULL:
			r = kr_node_scalar(a, KR_TAG_NULL, "null", 4);
			break;
		case KR_Y11_BOOL:
			r = kr_node_scalar(a, KR_TAG_BOOL, v.b ? "true" : "false", v.b ? 4 : 5);
			break;
		case KR_Y11_INT:
			if (v.is_unsigned)
				snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.u);
			else
				snprintf(buf, sizeof buf, "%lld", (long long)v.i);
			r = kr_node_scalar(a, KR_TAG_INT, buf, strlen(buf));
			break;
		case KR_Y11_FLOAT:
			if (!isfinite(v.f))
				return kr_fail_at(ctx, KR_EINVALID, n->file ? n->file : "?", n->line,
				                  n->col, "valuesInline: %s cannot be a value (JSON "
				                  "has no infinities or NaN)", n->u.s.str);
			snprintf(buf, sizeof buf, "%.17g", v.f);
			r = kr_node_scalar(a, KR_TAG_FLOAT, buf, strlen(buf));
			break;
		default:
			r = kr_node_scalar(a, KR_TAG_STR, n->u.s.str, n->u.s.len);
			if (r)
				r->flags |= KR_NODE_TAGGED;  /* a string, never a timestamp */
			break;
		}
		if (!r)
			return kr_nomem(ctx);
	}
	*out = r;
	return 0;
}

static int is_null(const kr_node *n)
{
	return n && n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

static const char *kind_name(const kr_node *n)
{
	return n->type == KR_MAP ? "MappingNode" : n->type == KR_SEQ ? "SequenceNode"
	       : "ScalarNode";
}

/* kyaml's merge2.Merge(src, dest) without a schema: mappings merge key by
 * key, anything else from src replaces dest; a null in src removes the
 * key, one in dest stays; two non-null values of different kinds are an
 * error. */
static int merge(kr_ctx *ctx, const kr_node *dest, const kr_node *src,
                 const char *path, kr_node **out)
{
	kr_arena *a = &ctx->arena;
	if (!src) {
		*out = (kr_node *)dest;
		return 0;
	}
	if (!dest || is_null(dest) || is_null(src)) {
		*out = (kr_node *)src;
		return 0;
	}
	if (dest->type != src->type)
		return kr_fail(ctx, KR_EINVALID, "could not merge values at '%s': wrong "
		               "node kind: expected %s but got %s", *path ? path : ".",
		               kind_name(dest), kind_name(src));
	if (dest->type != KR_MAP) {
		*out = (kr_node *)src;
		return 0;
	}
	kr_node *r = kr_node_map(a, dest->u.m.len + src->u.m.len);
	if (!r)
		return kr_nomem(ctx);
	for (int pass = 0; pass < 2; pass++) {
		const kr_node *from = pass ? src : dest;
		for (uint32_t i = 0; i < from->u.m.len; i++) {
			const kr_pair *p = &from->u.m.items[i];
			const char *key = p->key->u.s.str;
			const kr_node *d = pass ? NULL : p->value;
			const kr_node *s = kr_map_get(src, key);
			if (pass && kr_map_get(dest, key))
				continue;  /* done in the first pass */
			if (is_null(s))
				continue;  /* cleared */
			char *sub = kr_arena_printf(a, "%s%s%s", path, *path ? "." : "", key);
			kr_node *v;
			int rc;
			if (!sub)
				return kr_nomem(ctx);
			if ((rc = merge(ctx, d, s, sub, &v)) < 0)
				return rc;
			if (kr_map_append(a, r, (kr_node *)p->key, v) < 0)
				return kr_nomem(ctx);
		}
	}
	*out = r;
	return 0;
}

int kr_helm_merge_values(kr_ctx *ctx, const kr_node *file, const kr_node *inline_v3,
                         const char *how, const char *where, kr_node **out)
{
	int rc;
	if (!strcmp(how, "replace") || !file) {
		*out = (kr_node *)inline_v3;
		return 0;
	}
	/* merge2.Merge overrides dest with src: `override` makes the inline
	 * values src, `merge` the file's */
	if (!strcmp(how, "merge"))
		rc = merge(ctx, inline_v3, file, "", out);
	else
		rc = merge(ctx, file, inline_v3, "", out);
	if (rc < 0)
		return kr_wrap(ctx, "%s", where);
	return 0;
}

/* ---- running helm --------------------------------------------------- */

typedef struct run {
	const kr_kustomization *k;
	const kr_helm_chart *c;
	const char *helm;       /* the program */
	char **env;
	unsigned timeout_ms;
} run;

/* The failure of a chart, positioned at its entry. */
static int chart_fail(kr_ctx *ctx, const run *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int chart_fail(kr_ctx *ctx, const run *r, int code, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const kr_node *at = r->c->at;
	if (at)
		return kr_fail_at(ctx, code, r->k->file, at->line, at->col,
		                  "helm chart '%s': %s", r->c->name, msg);
	return kr_fail(ctx, code, "%s: helm chart '%s': %s", r->k->file, r->c->name, msg);
}

static char *command_line(kr_arena *a, const char *helm, const char *const *argv)
{
	kr_buf b = KR_BUF_INIT;
	kr_buf_printf(&b, "%s", helm);
	for (size_t i = 0; argv[i]; i++)
		kr_buf_printf(&b, " %s", argv[i]);
	char *s = b.failed ? NULL : kr_arena_strndup(a, b.data ? b.data : "", b.len);
	kr_buf_free(&b);
	return s;
}

/* Run helm with args; *out gets its stdout.  Failures name the command
 * and carry helm's stderr. */
static int run_helm(kr_ctx *ctx, const run *r, const char *const *args, char **out,
                    size_t *outlen)
{
	size_t n = 0;
	while (args[n])
		n++;
	char **argv = kr_arena_alloc(&ctx->arena, (n + 2) * sizeof(*argv));
	if (!argv)
		return kr_nomem(ctx);
	argv[0] = (char *)r->helm;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	argv[n + 1] = NULL;
	char *cl = command_line(&ctx->arena, r->helm, args);
	if (!cl)
		return kr_nomem(ctx);
	char *err;
	size_t errlen;
	int status;
	int rc = kr_extplugin_spawn(ctx, argv, r->env, NULL, NULL, 0, r->timeout_ms, out,
	                            outlen, &err, &errlen, &status);
	if (rc == KR_ENOMEM)
		return rc;
	if (rc < 0) {
		const char *why = ctx->err.data ? kr_arena_strndup(&ctx->arena, ctx->err.data,
		                                                   ctx->err.len) : "";
		return chart_fail(ctx, r, rc, "cannot run '%s': %s (is helm 3 installed? "
		                  "--helm-command names the helm executable)", cl,
		                  why ? why : "");
	}
	if (status == 0)
		return 0;
	while (errlen && (err[errlen - 1] == '\n' || err[errlen - 1] == ' '))
		errlen--;
	char how[64];
	if (status < 0)
		snprintf(how, sizeof how, "did not finish within %u s and was killed",
		         r->timeout_ms / 1000);
	else if (status > 128)
		snprintf(how, sizeof how, "was killed by signal %d", status - 128);
	else
		snprintf(how, sizeof how, "exited with status %d", status);
	return chart_fail(ctx, r, status < 0 ? KR_ELIMIT : KR_EINVALID, "'%s' %s%s%.*s",
	                  cl, how, errlen ? "; its stderr:\n" : " (nothing on stderr)",
	                  (int)(errlen > 3000 ? 3000 : errlen), err);
}

/* kustomize's checkHelmVersion: the first v?N(.N)+ of the output must
 * have major version 3. */
static int check_version(kr_ctx *ctx, const run *r)
{
	static const char *const args[] = { "version", "-c", "--short", NULL };
	char *out;
	size_t len;
	int rc = run_helm(ctx, r, args, &out, &len);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < len; i++) {
		size_t j = i + (out[i] == 'v');
		size_t d = j;
		while (d < len && out[d] >= '0' && out[d] <= '9')
			d++;
		if (d == j || d >= len || out[d] != '.' || d + 1 >= len ||
		    out[d + 1] < '0' || out[d + 1] > '9')
			continue;
		if (d - j != 1 || out[j] != '3') {
			size_t e = d;
			while (e < len && ((out[e] >= '0' && out[e] <= '9') || out[e] == '.'))
				e++;
			return chart_fail(ctx, r, KR_EINVALID, "this plugin requires helm V3 "
			                  "but got v%.*s", (int)(e - j), out + j);
		}
		return 0;
	}
	return chart_fail(ctx, r, KR_EINVALID, "cannot find version string in %.*s",
	                  (int)(len > 200 ? 200 : len), out);
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

/* kustomize pulls straight into the chart home; here the chart goes to a
 * fresh directory beside its final place first and is renamed there when
 * helm is done, so that parallel builds never see half a chart. */
static int pull(kr_ctx *ctx, const run *r, const char *home, const char *final)
{
	kr_arena *a = &ctx->arena;
	char *dir = kr_arena_strndup(a, home, strlen(home));
	char *stage = kr_arena_printf(a, "%s/.krender-pull-XXXXXX", home);
	if (!dir || !stage)
		return kr_nomem(ctx);
	if (kr_mkdir_p(dir) < 0 || !mkdtemp(stage))
		return chart_fail(ctx, r, KR_EIO, "cannot make a directory in %s to pull "
		                  "the chart into: %s", home, strerror(errno));
	const char **args;
	size_t n;
	int rc;
	if (kr_helm_pull_args(a, r->c, stage, &args, &n) < 0) {
		kr_remove_tree(stage);
		return kr_nomem(ctx);
	}
	char *out;
	size_t len;
	if ((rc = run_helm(ctx, r, args, &out, &len)) < 0) {
		kr_remove_tree(stage);
		return rc;
	}
	char *got = kr_path_join(a, stage, r->c->name);
	if (!got) {
		kr_remove_tree(stage);
		return kr_nomem(ctx);
	}
	if (kr_path_type(got) != 'd') {
		kr_remove_tree(stage);
		return chart_fail(ctx, r, KR_EINVALID, "helm pull left no directory '%s' in "
		                  "--untardir", r->c->name);
	}
	/* the loser of a race keeps the winner's chart: same name, same version */
	if (rename(got, final) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
		int e = errno;
		kr_remove_tree(stage);
		return chart_fail(ctx, r, KR_EIO, "cannot move the pulled chart to %s: %s",
		                  final, strerror(e));
	}
	kr_remove_tree(stage);
	return 0;
}

/* The values file kustomize hands to helm: a copy of valuesFile, or the
 * merge with valuesInline; written to `path`. */
static int write_values(kr_ctx *ctx, const run *r, const char *home, const char *path)
{
	const kr_helm_chart *c = r->c;
	kr_arena *a = &ctx->arena;
	const char *vf = *c->values_file ? c->values_file
	                 : kr_arena_printf(a, "%s/%s/values.yaml", home, c->name);
	if (!vf)
		return kr_nomem(ctx);
	int replace = c->values_inline && c->values_inline->u.m.len &&
	              !strcmp(c->values_merge, "replace");
	char *data = NULL;
	size_t len = 0;
	const char *display = vf;
	int rc;
	/* kustomize's loader GETs an http(s) valuesFile (httpfile.h) */
	int url = !strncasecmp(vf, "http://", 7) || !strncasecmp(vf, "https://", 8);
	if (!replace && url &&
	    (rc = kr_http_get(ctx, vf, ctx->opts.remote_timeout_ms, &data, &len)) < 0)
		return kr_wrap(ctx, "%s: helm chart '%s': values file", r->k->file, c->name);
	if (!replace && !url && (rc = kr_kust_read_file(ctx, r->k, c->at, vf, &data, &len,
	                                                &display)) < 0)
		return kr_wrap(ctx, "helm chart '%s': values file", c->name);
	if (c->values_inline && c->values_inline->u.m.len) {
		kr_node *inl, *file = NULL, *merged;
		if ((rc = kr_helm_inline_values(ctx, c->values_inline, &inl)) < 0)
			return rc;
		if (!replace) {
			kr_doclist docs = { 0 };
			if ((rc = kr_yaml_parse(ctx, display, data, len, KR_YAML_FIRST_DOC_ONLY,
			                        &docs)) < 0)
				return kr_wrap(ctx, "helm chart '%s': could not parse the values file",
				               c->name);
			file = docs.len ? docs.docs[0] : kr_node_map(a, 0);
			if (!file)
				return kr_nomem(ctx);
			if (file->type != KR_MAP)
				return chart_fail(ctx, r, KR_EINVALID, "the values file %s does not "
				                  "hold a mapping", display);
		}
		char *where = kr_arena_printf(a, "%s: helm chart '%s': valuesInline with %s",
		                              r->k->file, c->name, display);
		if (!where)
			return kr_nomem(ctx);
		if ((rc = kr_helm_merge_values(ctx, file, inl, c->values_merge, where,
		                               &merged)) < 0)
			return rc;
		kr_buf b = KR_BUF_INIT;
		const char *err = NULL;
		if (kr_emit_document(&b, merged, &err) < 0 || b.failed) {
			kr_buf_free(&b);
			return err ? chart_fail(ctx, r, KR_EINVALID, "cannot write the values: "
			                        "%s", err) : kr_nomem(ctx);
		}
		data = kr_arena_strndup(a, b.data ? b.data : "", b.len);
		len = b.len;
		kr_buf_free(&b);
		if (!data)
			return kr_nomem(ctx);
	}
	if (write_file(path, data, len) < 0)
		return chart_fail(ctx, r, KR_EIO, "failed to write values file %s: %s", path,
		                  strerror(errno));
	return 0;
}

/* kustomize appends its three HELM_* homes to the environment; they
 * replace inherited ones. */
static char **helm_env(kr_ctx *ctx, const char *config_home)
{
	const char *set[3] = {
		kr_arena_printf(&ctx->arena, "HELM_CONFIG_HOME=%s", config_home),
		kr_arena_printf(&ctx->arena, "HELM_CACHE_HOME=%s/.cache", config_home),
		kr_arena_printf(&ctx->arena, "HELM_DATA_HOME=%s/.data", config_home),
	};
	if (!set[0] || !set[1] || !set[2])
		return NULL;
	return kr_spawn_env(ctx, set, 3);
}

/* Every file of the chart is an input of the build (kr_build_input: a
 * change to a template changes the output).  Symbolic links are followed
 * to their targets; the depth is bounded against loops. */
static int note_tree(kr_ctx *ctx, const char *dir, unsigned depth)
{
	if (depth > 32)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = kr_path_join(&ctx->arena, dir, e->d_name);
		if (!p) {
			rc = kr_nomem(ctx);
			break;
		}
		int t = kr_path_type(p);
		if (t == 'd')
			rc = note_tree(ctx, p, depth + 1);
		else if (t == 'f') {
			char *real = kr_realpath(&ctx->arena, p);
			rc = real ? kr_ctx_note_input(ctx, real) : 0;
		}
	}
	closedir(d);
	return rc;
}

/* One chart, with its private temporary directory `tmp`. */
static int inflate(kr_ctx *ctx, run *r, const char *tmp, const char *origin,
                   kr_resmap *m)
{
	kr_arena *a = &ctx->arena;
	const kr_helm_chart *c = r->c;
	const char *config = *c->config_home ? c->config_home
	                     : kr_arena_printf(a, "%s/helm", tmp);
	if (!config || !(r->env = helm_env(ctx, config)))
		return kr_nomem(ctx);
	int rc;
	if ((rc = check_version(ctx, r)) < 0)
		return rc;
	const char *home = kr_helm_chart_home(a, c, r->k->root);
	const char *chart = home ? kr_path_join(a, home, c->name) : NULL;
	if (!chart)
		return kr_nomem(ctx);
	if (kr_path_type(chart) != 'd') {
		if (!*c->repo)
			return chart_fail(ctx, r, KR_ENOTFOUND, "no repo specified for pull, no "
			                  "chart found at '%s'", chart);
		if ((rc = pull(ctx, r, home, chart)) < 0)
			return rc;
	}
	const char *real_chart = kr_realpath(a, chart);
	if (real_chart && (rc = note_tree(ctx, real_chart, 0)) < 0)
		return rc;
	const char *values = kr_arena_printf(a, "%s/%s-kustomize-values.yaml", tmp, c->name);
	if (!values)
		return kr_nomem(ctx);
	if ((rc = write_values(ctx, r, home, values)) < 0)
		return rc;
	const char **args;
	size_t n;
	if (kr_helm_template_args(a, c, home, values, &args, &n) < 0)
		return kr_nomem(ctx);
	char *out;
	size_t len;
	if ((rc = run_helm(ctx, r, args, &out, &len)) < 0)
		return rc;
	const char *display = kr_arena_printf(a, "%s: helm template of chart '%s'",
	                                      r->k->file, c->name);
	if (!display)
		return kr_nomem(ctx);
	kr_doclist docs = { 0 };
	if ((rc = kr_resource_docs_from_bytes(ctx, display, out, len, &docs)) < 0)
		return rc;
	for (size_t i = 0; i < docs.len; i++)
		if ((rc = kr_generators_absorb(ctx, m, docs.docs[i], "", 0, origin)) < 0)
			return kr_wrap(ctx, "%s", display);
	return 0;
}

/* kustomize's validateArgs, for every chart before any runs. */
static int check_chart(kr_ctx *ctx, const kr_kustomization *k, kr_helm_chart *c)
{
	run r = { k, c, NULL, NULL, 0 };
	if (!*c->name)
		return chart_fail(ctx, &r, KR_EINVALID, "chart name cannot be empty");
	if (*c->values_merge && strcmp(c->values_merge, "merge") &&
	    strcmp(c->values_merge, "override") && strcmp(c->values_merge, "replace"))
		return chart_fail(ctx, &r, KR_EINVALID, "valuesMerge must be one of [merge "
		                  "override replace], not '%s'", c->values_merge);
	if (!*c->values_merge)
		c->values_merge = "override";
	/* additionalValuesFiles are read through the loader (restrictions
	 * apply) and handed to helm joined to the root */
	const char **abs = kr_arena_alloc(&ctx->arena, (c->nadditional + 1) * sizeof(*abs));
	if (!abs)
		return kr_nomem(ctx);
	for (size_t i = 0; i < c->nadditional; i++) {
		char *data;
		size_t len;
		int rc = kr_kust_read_file(ctx, k, c->at, c->additional[i], &data, &len, NULL);
		if (rc < 0)
			return kr_wrap(ctx, "helm chart '%s': could not load additionalValuesFile",
			               c->name);
		/* filepath.Join: an absolute entry is appended to the root too */
		abs[i] = kr_arena_printf(&ctx->arena, "%s/%s", k->root, c->additional[i]);
		if (!abs[i] || !(abs[i] = kr_path_clean(&ctx->arena, abs[i])))
			return kr_nomem(ctx);
	}
	c->additional = abs;
	/* kustomize sets the command line's values first and then decodes
	 * the chart's config over them: a chart's own kubeVersion wins */
	const kr_build_options *o = &ctx->opts;
	if (!*c->kube_version && o->helm_kube_version)
		c->kube_version = o->helm_kube_version;
	if (o->helm_debug)
		c->debug = 1;
	return 0;
}

/* --helm-api-versions as kustomize v5.5.0 applies it.  Every chart's
 * config starts with the command line's slice itself, and decoding a
 * chart's own apiVersions into it overwrites that shared array in place
 * (encoding/json reuses a slice's capacity).  All charts are configured
 * before any runs, so: a chart without apiVersions sees the whole shared
 * array as the last chart left it; one with M <= N entries sees the first
 * M of it; one with more keeps its own list (the append outgrew the
 * array), after writing its first N entries into it. */
static int share_api_versions(kr_ctx *ctx, kr_helm_chart *charts, size_t n)
{
	const char *const *cli = ctx->opts.helm_api_versions;
	size_t ncli = 0;
	while (cli && cli[ncli])
		ncli++;
	if (!ncli)
		return 0;
	const char **shared = kr_arena_alloc(&ctx->arena, ncli * sizeof(*shared));
	size_t *view = kr_arena_alloc(&ctx->arena, n * sizeof(*view));
	if (!shared || !view)
		return kr_nomem(ctx);
	memcpy(shared, cli, ncli * sizeof(*shared));
	for (size_t i = 0; i < n; i++) {
		size_t m = charts[i].napi_versions;
		for (size_t j = 0; j < m && j < ncli; j++)
			shared[j] = charts[i].api_versions[j];
		view[i] = m == 0 ? ncli : m <= ncli ? m : 0;
	}
	for (size_t i = 0; i < n; i++)
		if (view[i]) {
			charts[i].api_versions = shared;
			charts[i].napi_versions = view[i];
		}
	return 0;
}

int kr_helm_generate(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m)
{
	return kr_helm_generate_origin(ctx, k, m, NULL, 1);
}

int kr_helm_generate_origin(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m,
                            const char *origin, int builtin_origin)
{
	kr_helm_chart *charts;
	size_t n;
	const kr_node *field;
	int rc;
	if ((rc = load_charts(ctx, k, &charts, &n, &field)) < 0 || !n)
		return rc;
	if (!ctx->opts.enable_helm && !ctx->opts.enable_alpha_plugins)
		return kr_fail_at(ctx, KR_EINVALID, k->file, field->line, field->col,
		                  "this kustomization inflates helm charts, which runs the "
		                  "helm program: build with --enable-helm to allow it "
		                  "(kustomize: must specify --enable-helm)");
	for (size_t i = 0; i < n; i++)
		if ((rc = check_chart(ctx, k, &charts[i])) < 0)
			return rc;
	if ((rc = share_api_versions(ctx, charts, n)) < 0)
		return rc;
	if (builtin_origin &&
	    (rc = kr_origin_builtin(ctx, k, "HelmChartInflationGenerator", &origin)) < 0)
		return rc;
	const char *helm = ctx->opts.helm_command && *ctx->opts.helm_command
	                   ? ctx->opts.helm_command : "helm";
	unsigned timeout = (ctx->opts.plugin_timeout ? ctx->opts.plugin_timeout
	                                             : DEFAULT_TIMEOUT_S) * 1000u;
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	for (size_t i = 0; i < n; i++) {
		run r = { k, &charts[i], helm, NULL, timeout };
		char *tmp = kr_arena_printf(&ctx->arena, "%s/krender-helm-XXXXXX", tmpdir);
		if (!tmp)
			return kr_nomem(ctx);
		if (!mkdtemp(tmp))
			return chart_fail(ctx, &r, KR_EIO, "unable to create a temporary "
			                  "directory in %s: %s", tmpdir, strerror(errno));
		rc = inflate(ctx, &r, tmp, origin, m);
		kr_remove_tree(tmp);
		if (rc < 0)
			return rc;
	}
	return 0;
}
