/*
 * plugins.c - builtin plugin configs in `generators`, `transformers` and
 * `validators` (see plugins.h).
 *
 * A builtin plugin is the same code as the kustomization field it backs
 * (kusttarget_configplugin.go configures those very plugins from the
 * fields), with the config's own field specs in place of the builtin
 * tables.  So each config is decoded here into the shape of that field (a
 * one-field kustomization whose file is the config's file, so that every
 * message names the config) and a transformer configuration holding only
 * the config's `fieldSpecs`, and the field's transformer runs on it:
 *
 *   AnnotationsTransformer  annotations, fieldSpecs  -> commonAnnotations
 *   LabelTransformer        labels, fieldSpecs       -> commonLabels
 *   PrefixTransformer       prefix, fieldSpecs       -> namePrefix
 *   SuffixTransformer       suffix, fieldSpecs       -> nameSuffix
 *   PrefixSuffixTransformer (legacy) both, same fieldSpecs
 *   NamespaceTransformer    metadata.namespace, fieldSpecs, unsetOnly,
 *                           setRoleBindingSubjects   -> kr_namespace_apply
 *   ImageTagTransformer     imageTag, fieldSpecs     -> images: [imageTag]
 *   ReplicaCountTransformer replica, fieldSpecs      -> replicas: [replica]
 *   PatchTransformer        path|patch, target, options -> patches: [..]
 *   PatchJson6902Transformer target, path|jsonOp     -> patchesJson6902
 *   PatchStrategicMergeTransformer paths, patches    -> patchesStrategicMerge
 *   ConfigMapGenerator / SecretGenerator  the args (name and namespace
 *                           from metadata when not given) -> *Generator
 *   IAMPolicyGenerator      a GKE ServiceAccount (here)
 *   ReplacementTransformer  replacements             -> replacements
 *   HashTransformer         kr_generators_add_hashes
 *
 * Plugin configs are decoded by kustomize with yaml.Unmarshal, which
 * ignores unknown members; only the members a plugin knows are carried
 * over.  HelmChartInflationGenerator runs as a helmCharts entry (helm.c);
 * ValueAddTransformer is refused.
 */
#include "plugins.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buildmeta.h"
#include "execplugin.h"
#include "generators.h"
#include "helm.h"
#include "kdecode.h"
#include "resfactory.h"
#include "transformers.h"

/* One plugin config being run. */
typedef struct plug {
	kr_ctx *ctx;
	const kr_kustomization *k;  /* the kustomization that lists it */
	kr_kustomization sk;        /* the one-field kustomization */
	const kr_resource *cfg;
	const kr_node *doc;         /* cfg->doc */
	const char *file;           /* the config's file, for messages */
	kr_resmap *m;
} plug;

kr_node *kr_plugin_member(const kr_node *cfg, const char *name)
{
	kr_node *found = NULL;
	if (!cfg || cfg->type != KR_MAP)
		return NULL;
	for (uint32_t i = 0; i < cfg->u.m.len; i++) {
		const kr_node *key = cfg->u.m.items[i].key;
		if (key->type == KR_SCALAR && !strcasecmp(key->u.s.str, name))
			found = cfg->u.m.items[i].value;
	}
	return found;
}

static int cfg_fail(kr_ctx *ctx, const char *file, const kr_node *at,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int cfg_fail(kr_ctx *ctx, const char *file, const kr_node *at,
                    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return kr_fail_at(ctx, KR_EINVALID, file, at ? at->line : 0, at ? at->col : 0,
	                  "%s", msg);
}

/* A string member of a field spec: sigs.k8s.io/yaml gives any scalar its
 * text; null leaves it as it was. */
static int fs_string(kr_ctx *ctx, const char *file, const kr_node *v,
                     const char *name, const char **dst)
{
	if (v->type != KR_SCALAR)
		return cfg_fail(ctx, file, v, "invalid plugin config: fieldSpecs %s must "
		                "be a string, not %s", name, kr_y11_json_kind(v));
	if (kr_y11_is_null(v))
		return 0;
	const char *s = kr_y11_as_string(&ctx->arena, v);
	if (!s)
		return kr_nomem(ctx);
	*dst = s;
	return 0;
}

int kr_plugin_fieldspecs(kr_ctx *ctx, const kr_node *cfg, const char *file,
                         kr_fslist *out, int *present)
{
	const kr_node *n = kr_plugin_member(cfg, "fieldSpecs");
	*present = 0;
	if (!n || kr_y11_is_null(n))
		return 0;
	if (n->type != KR_SEQ)
		return cfg_fail(ctx, file, n, "invalid plugin config: fieldSpecs must be "
		                "a list of field specs, not %s", kr_y11_json_kind(n));
	*present = 1;
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		const kr_node *e = n->u.q.items[i];
		kr_fieldspec fs = { "", "", "", "", 0 };
		if (!kr_y11_is_null(e) && e->type != KR_MAP)
			return cfg_fail(ctx, file, e, "invalid plugin config: a field spec "
			                "must be a mapping, not %s", kr_y11_json_kind(e));
		for (uint32_t j = 0; e->type == KR_MAP && j < e->u.m.len; j++) {
			const kr_node *key = e->u.m.items[j].key, *v = e->u.m.items[j].value;
			const char *name = key->type == KR_SCALAR ? key->u.s.str : "";
			const char **dst = !strcasecmp(name, "group") ? &fs.group
			                   : !strcasecmp(name, "version") ? &fs.version
			                   : !strcasecmp(name, "kind") ? &fs.kind
			                   : !strcasecmp(name, "path") ? &fs.path : NULL;
			int rc;
			if (dst) {
				if ((rc = fs_string(ctx, file, v, name, dst)) < 0)
					return rc;
			} else if (!strcasecmp(name, "create")) {
				kr_y11_value yv;
				kr_y11_type t = kr_y11_value_of(v, &yv);
				if (t == KR_Y11_BOOL)
					fs.create = yv.b;
				else if (t != KR_Y11_NULL)
					return cfg_fail(ctx, file, v, "invalid plugin config: "
					                "fieldSpecs create must be a boolean, not %s",
					                kr_y11_json_kind(v));
			}
			/* anything else: ignored, as yaml.Unmarshal does */
		}
		if (kr_fslist_push(ctx, out, &fs) < 0)
			return kr_nomem(ctx);
	}
	return 0;
}

/* ---- building the one-field kustomization ---------------------------- */

static kr_node *one_field(plug *p, const char *field, kr_node *value)
{
	kr_arena *a = &p->ctx->arena;
	kr_node *doc = kr_node_map(a, 1);
	if (!doc)
		return NULL;
	if (value) {
		kr_node *key = kr_node_str(a, field);
		if (!key || kr_map_append(a, doc, key, value) < 0)
			return NULL;
	}
	return doc;
}

/* { field: [item] }; NULL when out of memory, and when item is NULL (its
 * own allocation failed: an empty list would silently do nothing). */
static kr_node *one_list_field(plug *p, const char *field, kr_node *item)
{
	if (!item)
		return NULL;
	kr_node *seq = kr_node_seq(&p->ctx->arena, 1);
	if (!seq || kr_seq_append(&p->ctx->arena, seq, item) < 0)
		return NULL;
	return one_field(p, field, seq);
}

/* A mapping with the members of the config named in `names` (original
 * key and value nodes, so positions stay those of the config file). */
static kr_node *pick(plug *p, const char *const *names, size_t n)
{
	const kr_node *d = p->doc;
	kr_node *out = kr_node_map(&p->ctx->arena, 4);
	if (!out)
		return NULL;
	for (uint32_t i = 0; i < d->u.m.len; i++) {
		const kr_pair *kv = &d->u.m.items[i];
		if (kv->key->type != KR_SCALAR)
			continue;
		for (size_t j = 0; j < n; j++)
			if (!strcasecmp(kv->key->u.s.str, names[j]) &&
			    kr_map_append(&p->ctx->arena, out, kv->key, kv->value) < 0)
				return NULL;
	}
	return out;
}

/* Run a field's transformer on the one-field kustomization `doc`. */
static int run_field(plug *p, kr_node *doc, kr_tconfig *tc, kr_transformer_fn fn)
{
	if (!doc)
		return kr_nomem(p->ctx);
	p->sk.doc = doc;
	kr_layer l = { &p->sk, tc, p->m };
	return fn(p->ctx, &l);
}

static int need_fieldspecs(plug *p, kr_fslist *out)
{
	int present, rc;
	if ((rc = kr_plugin_fieldspecs(p->ctx, p->doc, p->file, out, &present)) < 0)
		return rc;
	if (!present)
		return kr_fail_at(p->ctx, KR_EINVALID, p->file, p->doc->line, p->doc->col,
		                  "%s: fieldSpecs is not expected to be nil",
		                  p->cfg->orig.kind);
	return 0;
}

/* ---- the plugins ------------------------------------------------------ */

static int p_annotations(plug *p)
{
	kr_tconfig tc;
	int present, rc;
	memset(&tc, 0, sizeof tc);
	if ((rc = kr_plugin_fieldspecs(p->ctx, p->doc, p->file, &tc.common_annotations,
	                               &present)) < 0)
		return rc;
	return run_field(p, one_field(p, "commonAnnotations",
	                              kr_plugin_member(p->doc, "annotations")),
	                 &tc, kr_annotations_transform);
}

static int p_labels(plug *p)
{
	kr_tconfig tc;
	int present, rc;
	memset(&tc, 0, sizeof tc);
	if ((rc = kr_plugin_fieldspecs(p->ctx, p->doc, p->file, &tc.common_labels,
	                               &present)) < 0)
		return rc;
	return run_field(p, one_field(p, "commonLabels", kr_plugin_member(p->doc, "labels")),
	                 &tc, kr_labels_transform);
}

static int affix(plug *p, int prefix, int suffix)
{
	kr_tconfig tc;
	int rc;
	memset(&tc, 0, sizeof tc);
	/* both halves of the legacy PrefixSuffixTransformer configure first */
	if ((rc = need_fieldspecs(p, &tc.name_prefix)) < 0)
		return rc;
	tc.name_suffix = tc.name_prefix;
	if (prefix &&
	    (rc = run_field(p, one_field(p, "namePrefix", kr_plugin_member(p->doc, "prefix")),
	                    &tc, kr_prefix_transform)) < 0)
		return rc;
	if (prefix && suffix && (rc = kr_refresh_ids(p->ctx, p->m)) < 0)
		return rc;
	if (suffix &&
	    (rc = run_field(p, one_field(p, "nameSuffix", kr_plugin_member(p->doc, "suffix")),
	                    &tc, kr_suffix_transform)) < 0)
		return rc;
	return 0;
}

static int p_prefix(plug *p) { return affix(p, 1, 0); }
static int p_suffix(plug *p) { return affix(p, 0, 1); }
static int p_prefixsuffix(plug *p) { return affix(p, 1, 1); }

static int p_namespace(plug *p)
{
	kr_ctx *ctx = p->ctx;
	kr_fslist specs = { 0 };
	int present, rc;
	if ((rc = kr_plugin_fieldspecs(ctx, p->doc, p->file, &specs, &present)) < 0)
		return rc;
	const kr_node *md = kr_plugin_member(p->doc, "metadata");
	const kr_node *nsn = kr_plugin_member(md, "namespace");
	const char *ns = "", *mode = "";
	int unset = 0;
	if ((rc = kr_kust_decode_string(ctx, &p->sk, nsn, "metadata.namespace",
	                                "NamespaceTransformerPlugin.metadata.namespace",
	                                &ns)) < 0 ||
	    (rc = kr_kust_decode_bool(ctx, &p->sk, kr_plugin_member(p->doc, "unsetOnly"),
	                              "unsetOnly", "NamespaceTransformerPlugin.unsetOnly",
	                              &unset)) < 0)
		return rc;
	const kr_node *mn = kr_plugin_member(p->doc, "setRoleBindingSubjects");
	if ((rc = kr_kust_decode_string(ctx, &p->sk, mn, "setRoleBindingSubjects",
	                                "NamespaceTransformerPlugin.setRoleBindingSubjects",
	                                &mode)) < 0)
		return rc;
	int subjects;
	if (!mode[0] || !strcmp(mode, "defaultOnly"))
		subjects = KR_NS_SUBJECTS_DEFAULT;
	else if (!strcmp(mode, "allServiceAccounts"))
		subjects = KR_NS_SUBJECTS_ALL_SA;
	else if (!strcmp(mode, "none"))
		subjects = KR_NS_SUBJECTS_NONE;
	else
		return kr_fail_at(ctx, KR_EINVALID, p->file, mn->line, mn->col,
		                  "invalid value \"%s\" for setRoleBindingSubjects: must be "
		                  "one of \"defaultOnly\", \"none\" or \"allServiceAccounts\"",
		                  mode);
	if (!ns[0])
		return 0;
	kr_ns_config c = { ns, strlen(ns), &specs, unset, subjects, p->file,
	                   nsn ? nsn : p->doc };
	return kr_namespace_apply(ctx, p->m, &c);
}

static int p_imagetag(plug *p)
{
	kr_tconfig tc;
	int present, rc;
	memset(&tc, 0, sizeof tc);
	if ((rc = kr_plugin_fieldspecs(p->ctx, p->doc, p->file, &tc.images, &present)) < 0)
		return rc;
	kr_node *img = kr_plugin_member(p->doc, "imageTag");
	if (!img || kr_y11_is_null(img))
		return 0;
	return run_field(p, one_list_field(p, "images", img), &tc,
	                 kr_images_transform);
}

static int p_replicas(plug *p)
{
	kr_tconfig tc;
	int present, rc;
	memset(&tc, 0, sizeof tc);
	if ((rc = kr_plugin_fieldspecs(p->ctx, p->doc, p->file, &tc.replicas, &present)) < 0)
		return rc;
	kr_node *rep = kr_plugin_member(p->doc, "replica");
	if (!rep || kr_y11_is_null(rep))
		rep = kr_node_map(&p->ctx->arena, 0);  /* an empty types.Replica */
	return run_field(p, one_list_field(p, "replicas", rep), &tc,
	                 kr_replicas_transform);
}

static int p_patch(plug *p)
{
	static const char *const names[] = { "path", "patch", "target", "options" };
	kr_tconfig tc;
	memset(&tc, 0, sizeof tc);
	return run_field(p, one_list_field(p, "patches", pick(p, names, 4)), &tc,
	                 kr_patches_transform);
}

static int p_json6902(plug *p)
{
	static const char *const names[] = { "path", "target" };
	kr_tconfig tc;
	memset(&tc, 0, sizeof tc);
	kr_node *e = pick(p, names, 2);
	kr_node *op = kr_plugin_member(p->doc, "jsonOp");
	kr_node *key = kr_node_str(&p->ctx->arena, "patch");
	if (!e || !key || (op && kr_map_append(&p->ctx->arena, e, key, op) < 0))
		return kr_nomem(p->ctx);
	return run_field(p, one_list_field(p, "patchesJson6902", e), &tc,
	                 kr_json6902_transform);
}

static int p_smp(plug *p)
{
	kr_ctx *ctx = p->ctx;
	kr_tconfig tc;
	memset(&tc, 0, sizeof tc);
	kr_node *paths = kr_plugin_member(p->doc, "paths");
	kr_node *patches = kr_plugin_member(p->doc, "patches");
	kr_node *seq = kr_node_seq(&ctx->arena, 2);
	if (!seq)
		return kr_nomem(ctx);
	if (paths && !kr_y11_is_null(paths)) {
		if (paths->type != KR_SEQ)
			return kr_fail_at(ctx, KR_EINVALID, p->file, paths->line, paths->col,
			                  "invalid plugin config: paths must be a list of "
			                  "strings");
		for (uint32_t i = 0; i < paths->u.q.len; i++)
			if (kr_seq_append(&ctx->arena, seq, paths->u.q.items[i]) < 0)
				return kr_nomem(ctx);
	}
	if (patches && !kr_y11_is_null(patches) &&
	    !(patches->type == KR_SCALAR && patches->u.s.len == 0) &&
	    kr_seq_append(&ctx->arena, seq, patches) < 0)
		return kr_nomem(ctx);
	if (seq->u.q.len == 0)
		return kr_fail_at(ctx, KR_EINVALID, p->file, p->doc->line, p->doc->col,
		                  "PatchStrategicMergeTransformer: empty file path and "
		                  "empty patch content");
	return run_field(p, one_field(p, "patchesStrategicMerge", seq), &tc,
	                 kr_smp_transform);
}

/* types.ConfigMapArgs / SecretArgs, inline in the config; name and
 * namespace default to the config's metadata. */
static int generator(plug *p, int secret)
{
	static const char *const names[] = {
		"name", "namespace", "behavior", "literals", "files", "envs", "env",
		"options", "type"
	};
	kr_arena *a = &p->ctx->arena;
	kr_node *args = pick(p, names, secret ? 9 : 8);
	if (!args)
		return kr_nomem(p->ctx);
	const kr_node *md = kr_plugin_member(p->doc, "metadata");
	static const char *const meta[] = { "name", "namespace" };
	for (int i = 0; i < 2; i++) {
		kr_node *v = kr_plugin_member(args, meta[i]);
		kr_node *mv = kr_plugin_member(md, meta[i]);
		int empty = !v || kr_y11_is_null(v) || (v->type == KR_SCALAR && !v->u.s.len);
		if (!empty || !mv)
			continue;
		if (v)
			kr_map_remove(args, meta[i]);
		kr_node *key = kr_node_str(a, meta[i]);
		if (!key || kr_map_append(a, args, key, mv) < 0)
			return kr_nomem(p->ctx);
	}
	p->sk.doc = one_list_field(p, secret ? "secretGenerator" : "configMapGenerator",
	                           args);
	if (!p->sk.doc)
		return kr_nomem(p->ctx);
	const char *origin;
	int rc = kr_origin_of_config(p->ctx, p->cfg, &origin);
	if (rc < 0)
		return rc;
	return kr_generators_run_origin(p->ctx, &p->sk, p->m, origin);
}

static int p_configmap(plug *p) { return generator(p, 0); }
static int p_secret(plug *p) { return generator(p, 1); }

/* A string member of a nested struct of the IAMPolicyGenerator args. */
static int iam_string(plug *p, const char *outer, const char *inner, const char **out)
{
	const kr_node *n = outer ? kr_plugin_member(kr_plugin_member(p->doc, outer), inner)
	                         : kr_plugin_member(p->doc, inner);
	char *gof = kr_arena_printf(&p->ctx->arena, "IAMPolicyGeneratorPlugin.%s%s%s",
	                            outer ? outer : "", outer ? "." : "", inner);
	if (!gof)
		return kr_nomem(p->ctx);
	*out = "";
	return kr_kust_decode_string(p->ctx, &p->sk, n, gof + 25, gof, out);
}

static int p_iampolicy(plug *p)
{
	kr_ctx *ctx = p->ctx;
	const char *cloud, *ksname, *ksns, *saname, *project;
	int rc;
	if ((rc = iam_string(p, NULL, "cloud", &cloud)) < 0 ||
	    (rc = iam_string(p, "kubernetesService", "name", &ksname)) < 0 ||
	    (rc = iam_string(p, "kubernetesService", "namespace", &ksns)) < 0 ||
	    (rc = iam_string(p, "serviceAccount", "name", &saname)) < 0 ||
	    (rc = iam_string(p, "serviceAccount", "projectId", &project)) < 0)
		return rc;
	if (strcmp(cloud, "gke"))
		return kr_fail_at(ctx, KR_EINVALID, p->file, p->doc->line, p->doc->col,
		                  "IAMPolicyGenerator: cloud provider %s not supported yet",
		                  cloud);
	/* kustomize fills these into a YAML text and parses it. */
	char *text = kr_arena_printf(&ctx->arena,
	                             "\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
	                             "  annotations:\n    iam.gke.io/gcp-service-account: "
	                             "%s@%s.iam.gserviceaccount.com\n  name: %s\n%s%s%s",
	                             saname, project, ksname, ksns[0] ? "\n  namespace: " : "",
	                             ksns, "");
	if (!text)
		return kr_nomem(ctx);
	kr_doclist docs = { 0 };
	char *display = kr_arena_printf(&ctx->arena, "%s (generated ServiceAccount)", p->file);
	if (!display)
		return kr_nomem(ctx);
	if ((rc = kr_resource_docs_from_bytes(ctx, display, text, strlen(text), &docs)) < 0)
		return kr_wrap(ctx, "IAMPolicyGenerator");
	const char *origin;
	if ((rc = kr_origin_of_config(ctx, p->cfg, &origin)) < 0)
		return rc;
	for (size_t i = 0; i < docs.len; i++) {
		kr_resource *r = kr_resource_new(&ctx->arena, docs.docs[i]);
		if (!r)
			return kr_nomem(ctx);
		if ((rc = kr_origin_set_if_absent(ctx, r->doc, origin)) < 0)
			return rc;
		if ((rc = kr_resmap_append(ctx, p->m, r)) < 0)
			return kr_wrap(ctx, "merging from generator %s", p->file);
	}
	return 0;
}

static int p_replacement(plug *p)
{
	kr_tconfig tc;
	memset(&tc, 0, sizeof tc);
	return run_field(p, one_field(p, "replacements",
	                              kr_plugin_member(p->doc, "replacements")),
	                 &tc, kr_replacements_transform);
}

/* HashTransformer: the hash suffix of every object generated with one,
 * now; the objects stay marked, so the end of the build adds a second one
 * (as kustomize does: plugin_hash). */
static int p_hash(plug *p)
{
	return kr_generators_add_hashes(p->ctx, p->m);
}

static int p_unsupported(plug *p)
{
	return kr_fail_at(p->ctx, KR_EINVALID, p->file, p->doc->line, p->doc->col,
	                  "the builtin plugin %s is not supported by this version of "
	                  "krender yet", p->cfg->orig.kind);
}

/* HelmChartInflationGenerator: the config's HelmGlobals and HelmChart
 * members (others ignored, as yaml.Unmarshal does) become one helmCharts
 * entry with its helmGlobals (helm.h). */
static kr_node *members(plug *p, const char *const *names, kr_node *into)
{
	for (size_t i = 0; into && names[i]; i++) {
		kr_node *v = kr_plugin_member(p->doc, names[i]);
		kr_node *key = v ? kr_node_str(&p->ctx->arena, names[i]) : NULL;
		if (v && (!key || kr_map_append(&p->ctx->arena, into, key, v) < 0))
			return NULL;
	}
	return into;
}

static int p_helm(plug *p)
{
	static const char *const globals[] = { "chartHome", "configHome", NULL };
	kr_arena *a = &p->ctx->arena;
	kr_node *chart = members(p, kr_helm_chart_fields, kr_node_map(a, 0));
	kr_node *g = members(p, globals, kr_node_map(a, 0));
	kr_node *list = kr_node_seq(a, 1);
	kr_node *doc = kr_node_map(a, 2);
	kr_node *k1 = kr_node_str(a, "helmGlobals"), *k2 = kr_node_str(a, "helmCharts");
	if (!chart || !g || !list || !doc || !k1 || !k2 || kr_seq_append(a, list, chart) < 0 ||
	    kr_map_append(a, doc, k1, g) < 0 || kr_map_append(a, doc, k2, list) < 0)
		return kr_nomem(p->ctx);
	/* messages point at the config */
	chart->line = list->line = p->doc->line;
	chart->col = list->col = p->doc->col;
	p->sk.doc = doc;
	const char *origin;
	int rc;
	if ((rc = kr_origin_of_config(p->ctx, p->cfg, &origin)) < 0)
		return rc;
	return kr_helm_generate_origin(p->ctx, &p->sk, p->m, origin, 0);
}

typedef struct builtin {
	const char *kind;
	int generator;
	int (*fn)(plug *p);
} builtin;

/* A config of another apiVersion, with --enable-alpha-plugins: an exec
 * plugin or KRM function (execplugin.c), a generator or a transformer
 * as the field it is listed in wants. */
static int p_external(plug *p, int generate)
{
	const kr_extplugin *x;
	const char *origin = NULL;
	int rc;
	if ((rc = kr_extplugin_load(p->ctx, p->k, p->cfg, &x)) < 0 ||
	    (generate && (rc = kr_origin_of_config(p->ctx, p->cfg, &origin)) < 0))
		return rc;
	return kr_extplugin_run(p->ctx, p->k, p->cfg, x, generate, origin, p->m);
}

static int p_external_gen(plug *p) { return p_external(p, 1); }
static int p_external_tr(plug *p) { return p_external(p, 0); }
static const builtin external_generator = { "", 1, p_external_gen };
static const builtin external_transformer = { "", 0, p_external_tr };

/* kustomize's builtinhelpers factories (SortOrderTransformer is not one). */
static const builtin builtins[] = {
	{ "AnnotationsTransformer", 0, p_annotations },
	{ "ConfigMapGenerator", 1, p_configmap },
	{ "IAMPolicyGenerator", 1, p_iampolicy },
	{ "HashTransformer", 0, p_hash },
	{ "ImageTagTransformer", 0, p_imagetag },
	{ "LabelTransformer", 0, p_labels },
	{ "NamespaceTransformer", 0, p_namespace },
	{ "PatchJson6902Transformer", 0, p_json6902 },
	{ "PatchStrategicMergeTransformer", 0, p_smp },
	{ "PatchTransformer", 0, p_patch },
	{ "PrefixSuffixTransformer", 0, p_prefixsuffix },
	{ "PrefixTransformer", 0, p_prefix },
	{ "SuffixTransformer", 0, p_suffix },
	{ "ReplicaCountTransformer", 0, p_replicas },
	{ "SecretGenerator", 1, p_secret },
	{ "ValueAddTransformer", 0, p_unsupported },
	{ "HelmChartInflationGenerator", 1, p_helm },
	{ "ReplacementTransformer", 0, p_replacement },
	{ NULL, 0, NULL }
};

/* kustomize's loadAndConfigurePlugin: which builtin a config selects. */
static int select_builtin(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *r,
                          int want_generator, const builtin **out)
{
	const char *file = r->doc->file ? r->doc->file : "?";
	if (r->orig.group[0] || strcmp(r->orig.version, "builtin")) {
		const kr_extplugin *x;
		if (!ctx->opts.enable_alpha_plugins)
			return kr_fail_at(ctx, KR_EINVALID, file, r->doc->line, r->doc->col,
			                  "external plugins disabled; unable to load external "
			                  "plugin '%s' (a config whose apiVersion is not "
			                  "'builtin' is an exec plugin or KRM function: it "
			                  "runs only with --enable-alpha-plugins)", r->orig.kind);
		/* checked now: kustomize loads every plugin before running any */
		*out = want_generator ? &external_generator : &external_transformer;
		return kr_extplugin_load(ctx, k, r, &x);
	}
	for (const builtin *b = builtins; b->kind; b++) {
		if (strcmp(b->kind, r->orig.kind))
			continue;
		if (b->generator != want_generator)
			return kr_fail_at(ctx, KR_EINVALID, file, r->doc->line, r->doc->col,
			                  "plugin %s is not a %s", r->orig.kind,
			                  want_generator ? "generator" : "transformer");
		*out = b;
		return 0;
	}
	return kr_fail_at(ctx, KR_EINVALID, file, r->doc->line, r->doc->col,
	                  "unable to load builtin %s: there is no builtin plugin of "
	                  "that kind", r->orig.kind);
}

/* ---- loading the configs ------------------------------------------- */

static void clear_error(kr_ctx *ctx)
{
	ctx->err_code = 0;
	kr_buf_clear(&ctx->err);
}

/* kustomize's configureExternal{Generators,Transformers}: the objects the
 * entries of `field` give, inline ones first, then those of the paths. */
static int load_configs(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, const char *field,
                        kr_resmap *out)
{
	const kr_node *seq;
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof)
		return kr_nomem(ctx);
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, field), field,
	                             "a list of strings", gof, "[]string", &seq);
	if (rc < 0 || !seq)
		return rc;
	const kr_node **paths = kr_arena_alloc(&ctx->arena,
	                                       (seq->u.q.len + 1) * sizeof(*paths));
	uint32_t npaths = 0;
	if (!paths)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		const kr_node *e = seq->u.q.items[i];
		const char *s = "";
		char *what = kr_arena_printf(&ctx->arena, "%s[%u]", field, i);
		if (!what)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_string(ctx, k, e, what, gof, &s)) < 0)
			return rc;
		char *display = kr_arena_printf(&ctx->arena, "%s (%s)", k->file, what);
		if (!display)
			return kr_nomem(ctx);
		kr_doclist docs = { 0 };
		rc = kr_resource_docs_from_bytes(ctx, display, s, strlen(s), &docs);
		if (rc == KR_ENOMEM)
			return rc;
		if (rc < 0) {
			/* not inline objects: a path */
			clear_error(ctx);
			paths[npaths++] = e;
			continue;
		}
		size_t from = out->len;
		for (size_t j = 0; j < docs.len; j++) {
			kr_resource *r = kr_resource_new(&ctx->arena, docs.docs[j]);
			if (!r)
				return kr_nomem(ctx);
			if ((rc = kr_resmap_append(ctx, out, r)) < 0)
				return kr_wrap(ctx, "%s: configuring external %s", what,
				               field);
		}
		/* an inline config's origin is the kustomization file */
		const char *base = strrchr(k->file, '/');
		if ((rc = kr_origin_annotate_file(ctx, out, from,
		                                  base ? base + 1 : k->file)) < 0)
			return rc;
	}
	for (uint32_t i = 0; i < npaths; i++)
		if ((rc = kr_accumulate_path(ctx, k, chain, paths[i], out)) < 0)
			return kr_wrap(ctx, "%s: loading plugin configs from '%s'", field,
			               paths[i]->u.s.str);
	return 0;
}

/* The field decoders say "invalid Kustomization" and name the field a
 * config was turned into; say which it really is. */
static void reword_error(kr_ctx *ctx)
{
	static const char from[] = "invalid Kustomization: ";
	static const char to[] = "invalid plugin config (read as the kustomization "
	                         "field it configures): ";
	const char *at = ctx->err.data ? strstr(ctx->err.data, from) : NULL;
	if (!at || ctx->err_code == KR_ENOMEM)
		return;
	kr_buf b = KR_BUF_INIT;
	kr_buf_put(&b, ctx->err.data, (size_t)(at - ctx->err.data));
	kr_buf_puts(&b, to);
	kr_buf_puts(&b, at + sizeof(from) - 1);
	if (b.failed) {
		kr_buf_free(&b);
		return;
	}
	kr_buf_free(&ctx->err);
	ctx->err = b;
}

static int run_one(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                   const builtin *b, kr_resmap *m, int annotate)
{
	plug p;
	memset(&p, 0, sizeof p);
	p.ctx = ctx;
	p.k = k;
	p.cfg = cfg;
	p.doc = cfg->doc;
	p.file = cfg->doc->file ? cfg->doc->file : k->file;
	p.m = m;
	p.sk = *k;
	p.sk.file = p.file;
	p.sk.resources = p.sk.components = NULL;
	p.sk.sort_options = NULL;
	p.sk.doc = NULL;
	int rc = b->fn(&p);
	if (rc < 0) {
		reword_error(ctx);
		char *id = kr_resid_string(&ctx->arena, &cfg->orig);
		return kr_wrap(ctx, "plugin %s", id ? id : cfg->orig.kind);
	}
	if ((rc = kr_refresh_ids(ctx, m)) < 0)
		return rc;
	/* multiTransformer: each transformer's origin on every object */
	const char *origin;
	if (annotate && !b->generator &&
	    ((rc = kr_origin_of_config(ctx, cfg, &origin)) < 0 ||
	     (rc = kr_origin_transformed(ctx, m, origin, 1)) < 0))
		return rc;
	return 0;
}

/* The configs of `field` and the builtin each selects: every config is
 * checked before any plugin runs, as kustomize loads them all first. */
static int load_and_select(kr_ctx *ctx, const kr_kustomization *k,
                           const kr_root_chain *chain, const char *field,
                           int generators, kr_resmap *cfgs, const builtin ***sel)
{
	int rc;
	if ((rc = load_configs(ctx, k, chain, field, cfgs)) < 0)
		return rc;
	*sel = kr_arena_alloc(&ctx->arena, (cfgs->len + 1) * sizeof(**sel));
	if (!*sel)
		return kr_nomem(ctx);
	for (size_t i = 0; i < cfgs->len; i++)
		if ((rc = select_builtin(ctx, k, cfgs->items[i], generators, &(*sel)[i])) < 0)
			return kr_wrap(ctx, "%s", field);
	return 0;
}

static int run_field_plugins(kr_ctx *ctx, const kr_kustomization *k,
                             const kr_root_chain *chain, const char *field,
                             int generators, kr_resmap *m)
{
	kr_resmap cfgs = { 0 };
	const builtin **sel;
	int rc;
	if ((rc = load_and_select(ctx, k, chain, field, generators, &cfgs, &sel)) < 0)
		return rc;
	for (size_t i = 0; i < cfgs.len; i++)
		if ((rc = run_one(ctx, k, cfgs.items[i], sel[i], m, 1)) < 0)
			return rc;
	return 0;
}

int kr_plugins_generate(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, kr_resmap *m)
{
	return run_field_plugins(ctx, k, chain, "generators", 1, m);
}

int kr_plugins_transform(kr_ctx *ctx, const kr_kustomization *k,
                         const kr_root_chain *chain, kr_resmap *m)
{
	return run_field_plugins(ctx, k, chain, "transformers", 0, m);
}

/* ---- validators ------------------------------------------------------ */

/* kustomize compares the objects before and after a validator with
 * reflect.DeepEqual on their yaml.Node trees, so a field set again to the
 * value it had (a new node: no line, column or style) is a change too:
 * compare positions, tags and styles as well as values, mappings without
 * regard to order.  (kustomize exempts a `validated-by` label in
 * removeValidatedByLabel, but setting one is a change by this measure, so
 * nothing is exempt; plugin_err_validator_*.) */
static int same(const kr_node *before, const kr_node *after)
{
	if (before->type != after->type || before->line != after->line ||
	    before->col != after->col)
		return 0;
	if (before->type == KR_SCALAR)
		return before->u.s.len == after->u.s.len &&
		       !memcmp(before->u.s.str, after->u.s.str, before->u.s.len) &&
		       before->tag == after->tag && before->style == after->style;
	if (before->type == KR_SEQ) {
		if (before->u.q.len != after->u.q.len)
			return 0;
		for (uint32_t i = 0; i < before->u.q.len; i++)
			if (!same(before->u.q.items[i], after->u.q.items[i]))
				return 0;
		return 1;
	}
	if (before->u.m.len != after->u.m.len)
		return 0;
	for (uint32_t i = 0; i < after->u.m.len; i++) {
		const kr_pair *kv = &after->u.m.items[i];
		const kr_pair *bk = kr_map_find(before, kv->key->u.s.str, kv->key->u.s.len);
		if (!bk || !same(bk->value, kv->value))
			return 0;
	}
	return 1;
}

int kr_plugins_validate(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, kr_resmap *m)
{
	kr_resmap cfgs = { 0 };
	const builtin **sel;
	int rc;
	if ((rc = load_and_select(ctx, k, chain, "validators", 0, &cfgs, &sel)) < 0)
		return rc;
	for (size_t i = 0; i < cfgs.len; i++) {
		size_t n = m->len;
		kr_node **copies = kr_arena_alloc(&ctx->arena, (n + 1) * sizeof(*copies));
		if (!copies)
			return kr_nomem(ctx);
		for (size_t j = 0; j < n; j++)
			if (!(copies[j] = kr_node_copy(&ctx->arena, m->items[j]->doc)))
				return kr_nomem(ctx);
		if ((rc = run_one(ctx, k, cfgs.items[i], sel[i], m, 0)) < 0)
			return rc;
		int ok = m->len == n;
		for (size_t j = 0; ok && j < n; j++)
			ok = same(copies[j], m->items[j]->doc);
		if (!ok)
			return kr_fail_at(ctx, KR_EINVALID, cfgs.items[i]->doc->file,
			                  cfgs.items[i]->doc->line, cfgs.items[i]->doc->col,
			                  "validator shouldn't modify the resource map (the "
			                  "%s in validators changed the objects)",
			                  cfgs.items[i]->orig.kind);
	}
	return 0;
}
