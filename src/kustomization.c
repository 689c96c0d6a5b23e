/*
 * kustomization.c - finding, parsing and checking a kustomization file
 * (see kustomization.h).
 */
#include "kustomization.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "basecache.h"
#include "fsutil.h"
#include "kdecode.h"
#include "parse.h"
#include "sort.h"

#define KUSTOMIZATION_VERSION "kustomize.config.k8s.io/v1beta1"
#define COMPONENT_VERSION "kustomize.config.k8s.io/v1alpha1"

static const char *const file_names[] = {
	"kustomization.yaml", "kustomization.yml", "Kustomization"
};

/* The fields of kustomize v5.5.0's types.Kustomization, with whether
 * krender implements them yet. */
static const struct field {
	const char *name;
	int supported;
} fields[] = {
	{ "apiVersion", 1 },
	{ "kind", 1 },
	{ "metadata", 1 },
	{ "openapi", 1 },
	{ "namePrefix", 1 },
	{ "nameSuffix", 1 },
	{ "namespace", 1 },
	{ "commonLabels", 1 },
	{ "labels", 1 },
	{ "commonAnnotations", 1 },
	{ "patchesStrategicMerge", 1 },
	{ "patchesJson6902", 1 },
	{ "patches", 1 },
	{ "images", 1 },
	{ "imageTags", 1 },
	{ "replacements", 1 },
	{ "replicas", 1 },
	{ "vars", 1 },
	{ "sortOptions", 1 },
	{ "resources", 1 },
	{ "components", 1 },
	{ "crds", 1 },
	{ "bases", 1 },
	{ "configMapGenerator", 1 },
	{ "secretGenerator", 1 },
	{ "helmGlobals", 1 },
	{ "helmCharts", 1 },
	{ "helmChartInflationGenerator", 1 },
	{ "generatorOptions", 1 },
	{ "configurations", 1 },
	{ "generators", 1 },
	{ "transformers", 1 },
	{ "validators", 1 },
	{ "buildMetadata", 1 },
};

static const struct field *find_field(const char *key)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcasecmp(fields[i].name, key))
			return &fields[i];
	return NULL;
}

static int is_null(const kr_node *n)
{
	return !n || (n->type == KR_SCALAR && n->tag == KR_TAG_NULL);
}

/* A field that must be a list of strings (or null). */
static int check_string_list(kr_ctx *ctx, const kr_kustomization *k,
                             const char *field, const kr_node *n)
{
	if (is_null(n))
		return 0;
	if (n->type != KR_SEQ)
		return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
		                  "invalid Kustomization: '%s' must be a list of strings",
		                  field);
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		const kr_node *e = n->u.q.items[i];
		if (e->type != KR_SCALAR || e->tag == KR_TAG_NULL)
			return kr_fail_at(ctx, KR_EINVALID, k->file, e->line, e->col,
			                  "invalid Kustomization: entries of '%s' must be strings",
			                  field);
		/* Typed as go-yaml v2 types it: `- yes` or `- 5` is not a string
		 * to kustomize ("cannot unmarshal bool into ... of type string"). */
		const char *str;
		char what[64], gofield[96];
		snprintf(what, sizeof(what), "%s[%u]", field, i);
		snprintf(gofield, sizeof(gofield), "Kustomization.%s", field);
		int rc = kr_kust_decode_string(ctx, k, e, what, gofield, &str);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int find_file(kr_ctx *ctx, const char *dir, const char *root,
                     const char **path, const char **display)
{
	int found = 0;
	for (size_t i = 0; i < sizeof(file_names) / sizeof(file_names[0]); i++) {
		char *p = kr_arena_printf(&ctx->arena, "%s/%s", root, file_names[i]);
		if (!p)
			return kr_nomem(ctx);
		if (kr_path_type(p) == 'f') {
			found++;
			*path = p;
			*display = kr_path_join(&ctx->arena, dir, file_names[i]);
			if (!*display)
				return kr_nomem(ctx);
		}
	}
	if (found == 0)
		return kr_fail(ctx, KR_ENOTFOUND,
		               "unable to find one of 'kustomization.yaml', "
		               "'kustomization.yml' or 'Kustomization' in directory '%s'",
		               dir);
	if (found > 1)
		return kr_fail(ctx, KR_EINVALID,
		               "found multiple kustomization files under '%s'", dir);
	return 0;
}

int kr_kustomization_load(kr_ctx *ctx, const char *dir, const char *root,
                          kr_kustomization *k)
{
	const char *path = NULL, *display = NULL;
	int rc;
	memset(k, 0, sizeof(*k));
	k->dir = dir;
	k->root = root;
	if ((rc = find_file(ctx, dir, root, &path, &display)) < 0)
		return rc;
	k->file = display;

	char *data;
	size_t len;
	if ((rc = kr_read_file(ctx, path, display, &data, &len)) < 0)
		return rc;
	kr_doclist docs = { 0 };
	if ((rc = kr_yaml_parse(ctx, display, data, len, KR_YAML_DUP_LAST_WINS, &docs)) < 0)
		return rc;
	if (docs.len == 0)
		return kr_fail(ctx, KR_EINVALID, "%s: kustomization file is empty", display);
	kr_node *raw = docs.docs[0];
	if (raw->type != KR_MAP)
		return kr_fail_at(ctx, KR_EINVALID, display, raw->line, raw->col,
		                  "invalid Kustomization: the file must hold a mapping");

	/* Canonical keys; unknown fields are errors, as with Go's
	 * json.Decoder.DisallowUnknownFields (which matches names
	 * case-insensitively, a later key winning). */
	kr_node *doc = kr_node_map(&ctx->arena, raw->u.m.len);
	if (!doc)
		return kr_nomem(ctx);
	doc->file = raw->file;
	doc->line = raw->line;
	doc->col = raw->col;
	int nonempty = 0;
	for (uint32_t i = 0; i < raw->u.m.len; i++) {
		kr_pair *kv = &raw->u.m.items[i];
		const struct field *f = find_field(kv->key->u.s.str);
		if (!f)
			return kr_fail_at(ctx, KR_EINVALID, display, kv->key->line,
			                  kv->key->col,
			                  "invalid Kustomization: unknown field \"%s\"",
			                  kv->key->u.s.str);
		if (kr_map_set(&ctx->arena, doc, f->name, kv->value) < 0)
			return kr_nomem(ctx);
	}
	for (uint32_t i = 0; i < doc->u.m.len; i++) {
		kr_pair *kv = &doc->u.m.items[i];
		const char *name = kv->key->u.s.str;
		const struct field *f = find_field(name);
		if (strcmp(name, "apiVersion") && strcmp(name, "kind") &&
		    strcmp(name, "metadata") && !is_null(kv->value))
			nonempty = 1;
		if (!f->supported && !is_null(kv->value))
			return kr_fail_at(ctx, KR_EINVALID, display, kv->key->line,
			                  kv->key->col,
			                  "the kustomization field '%s' is not supported by "
			                  "this version of krender yet", name);
	}
	k->doc = doc;

	const kr_node *kind = kr_map_get(doc, "kind");
	const kr_node *api = kr_map_get(doc, "apiVersion");
	k->kind = (kind && kind->type == KR_SCALAR && !is_null(kind))
	          ? kind->u.s.str : "Kustomization";
	const char *apiv = (api && api->type == KR_SCALAR && !is_null(api))
	                   ? api->u.s.str : "";
	if (strcmp(k->kind, "Kustomization") && strcmp(k->kind, "Component"))
		return kr_fail_at(ctx, KR_EINVALID, display, kind->line, kind->col,
		                  "kind should be Kustomization or Component, not '%s'",
		                  k->kind);
	const char *want = strcmp(k->kind, "Component") ? KUSTOMIZATION_VERSION
	                                                : COMPONENT_VERSION;
	if (apiv[0] && strcmp(apiv, want))
		return kr_fail_at(ctx, KR_EINVALID, display, api->line, api->col,
		                  "apiVersion for %s should be %s", k->kind, want);

	kr_node *res = kr_map_get(doc, "resources");
	kr_node *bases = kr_map_get(doc, "bases");
	kr_node *comps = kr_map_get(doc, "components");
	if ((rc = check_string_list(ctx, k, "resources", res)) < 0 ||
	    (rc = check_string_list(ctx, k, "bases", bases)) < 0 ||
	    (rc = check_string_list(ctx, k, "components", comps)) < 0)
		return rc;
	k->components = is_null(comps) || comps->u.q.len == 0 ? NULL : comps;
	if (!is_null(bases)) {
		kr_warn(ctx, "# Warning: 'bases' is deprecated. Please use 'resources' "
		        "instead. Run 'kustomize edit fix' to update your Kustomization "
		        "automatically.");
		/* kustomize's FixKustomization: bases are appended to resources. */
		kr_node *all = kr_node_seq(&ctx->arena, 0);
		if (!all)
			return kr_nomem(ctx);
		if (!is_null(res))
			for (uint32_t i = 0; i < res->u.q.len; i++)
				if (kr_seq_append(&ctx->arena, all, res->u.q.items[i]) < 0)
					return kr_nomem(ctx);
		for (uint32_t i = 0; i < bases->u.q.len; i++)
			if (kr_seq_append(&ctx->arena, all, bases->u.q.items[i]) < 0)
				return kr_nomem(ctx);
		res = all;
	}
	/* Only when commonLabels decodes (a map of strings): kustomize warns
	 * after decoding the whole file (approximated here with go-yaml v3's
	 * types; labels.c decodes it exactly).  Golden tr_labels_err_number. */
	kr_node *cl = kr_map_get(doc, "commonLabels");
	int cl_ok = !is_null(cl) && cl->type == KR_MAP;
	for (uint32_t i = 0; cl_ok && i < cl->u.m.len; i++) {
		const kr_node *v = cl->u.m.items[i].value;
		cl_ok = v->type == KR_SCALAR && (v->tag == KR_TAG_STR || v->tag == KR_TAG_NULL);
	}
	if (cl_ok)
		kr_warn(ctx, "# Warning: 'commonLabels' is deprecated. Please use "
		        "'labels' instead. Run 'kustomize edit fix' to update your "
		        "Kustomization automatically.");
	/* CheckDeprecatedFields order: bases, commonLabels, imageTags. */
	if (!is_null(kr_map_get(doc, "imageTags")))
		kr_warn(ctx, "# Warning: 'imageTags' is deprecated. Please use 'images' "
		        "instead. Run 'kustomize edit fix' to update your Kustomization "
		        "automatically.");
	if (!is_null(kr_map_get(doc, "patchesJson6902")))
		kr_warn(ctx, "# Warning: 'patchesJson6902' is deprecated. Please use "
		        "'patches' instead. Run 'kustomize edit fix' to update your "
		        "Kustomization automatically.");
	if (!is_null(kr_map_get(doc, "vars")))
		kr_warn(ctx, "# Warning: 'vars' is deprecated. Please use 'replacements' "
		        "instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your "
		        "Kustomization automatically.");
	k->resources = is_null(res) ? NULL : res;

	kr_node *so = kr_map_get(doc, "sortOptions");
	k->sort_options = is_null(so) ? NULL : so;

	if (!nonempty)
		return kr_fail(ctx, KR_EINVALID, "%s: kustomization file is empty "
		               "(kustomize: \"kustomization.yaml is empty\")", display);
	kr_basecache_saw_kustomization(ctx, k, path);
	return 0;
}

static kr_node *default_list(kr_ctx *ctx, const char *const *names, size_t n)
{
	kr_node *seq = kr_node_seq(&ctx->arena, (uint32_t)n);
	if (!seq)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		kr_node *s = kr_node_str(&ctx->arena, names[i]);
		if (!s || kr_seq_append(&ctx->arena, seq, s) < 0)
			return NULL;
	}
	return seq;
}

/* Look up a key case-insensitively (Go's encoding/json field matching). */
static kr_pair *get_fold(const kr_node *map, const char *key)
{
	kr_pair *found = NULL;
	for (uint32_t i = 0; i < map->u.m.len; i++)
		if (!strcasecmp(map->u.m.items[i].key->u.s.str, key))
			found = &map->u.m.items[i];
	return found;
}

static int check_keys(kr_ctx *ctx, const char *file, const kr_node *map,
                      const char *const *allowed, size_t n, const char *where)
{
	for (uint32_t i = 0; i < map->u.m.len; i++) {
		const kr_node *key = map->u.m.items[i].key;
		size_t j;
		for (j = 0; j < n; j++)
			if (!strcasecmp(key->u.s.str, allowed[j]))
				break;
		if (j == n)
			return kr_fail_at(ctx, KR_EINVALID, file, key->line, key->col,
			                  "invalid Kustomization: unknown field \"%s\" in %s",
			                  key->u.s.str, where);
	}
	return 0;
}

int kr_sort_options_parse(kr_ctx *ctx, const kr_kustomization *k, int *fifo,
                          kr_node **first, kr_node **last)
{
	*fifo = 0;
	*first = NULL;
	*last = NULL;
	const kr_node *so = k->sort_options;
	kr_node *legacy = NULL;
	if (!so) {
		/* No sortOptions: kustomize build sorts the legacy way. */
	} else {
		static const char *const so_keys[] = { "order", "legacySortOptions" };
		if (so->type != KR_MAP)
			return kr_fail_at(ctx, KR_EINVALID, k->file, so->line, so->col,
			                  "invalid Kustomization: 'sortOptions' must be a mapping");
		int rc = check_keys(ctx, k->file, so, so_keys, 2, "sortOptions");
		if (rc < 0)
			return rc;
		kr_pair *order = get_fold(so, "order");
		kr_pair *lso = get_fold(so, "legacySortOptions");
		const char *o = order && order->value->type == KR_SCALAR &&
		                order->value->tag != KR_TAG_NULL
		                ? order->value->u.s.str : "";
		int line = order ? (int)order->key->line : (int)so->line;
		int col = order ? (int)order->key->col : (int)so->col;
		if (strcmp(o, "fifo") && strcmp(o, "legacy"))
			return kr_fail_at(ctx, KR_EINVALID, k->file, (unsigned)line,
			                  (unsigned)col,
			                  "the field 'sortOptions.order' must be one of "
			                  "[fifo, legacy]");
		legacy = lso && !is_null(lso->value) ? lso->value : NULL;
		if (!strcmp(o, "fifo")) {
			if (legacy)
				return kr_fail_at(ctx, KR_EINVALID, k->file, lso->key->line,
				                  lso->key->col,
				                  "the field 'sortOptions.legacySortOptions' is set "
				                  "but the selected sort order is 'fifo', not 'legacy'");
			*fifo = 1;
			return 0;
		}
	}
	if (legacy) {
		static const char *const lso_keys[] = { "orderFirst", "orderLast" };
		if (legacy->type != KR_MAP)
			return kr_fail_at(ctx, KR_EINVALID, k->file, legacy->line, legacy->col,
			                  "invalid Kustomization: 'legacySortOptions' must be "
			                  "a mapping");
		int rc = check_keys(ctx, k->file, legacy, lso_keys, 2,
		                    "sortOptions.legacySortOptions");
		if (rc < 0)
			return rc;
		kr_pair *f = get_fold(legacy, "orderFirst");
		kr_pair *l = get_fold(legacy, "orderLast");
		if ((f && (rc = check_string_list(ctx, k, "orderFirst", f->value)) < 0) ||
		    (l && (rc = check_string_list(ctx, k, "orderLast", l->value)) < 0))
			return rc;
		/* Given legacySortOptions replace both lists (an absent one is
		 * empty), as Go's json decoding into the struct leaves it nil. */
		*first = f && !is_null(f->value) ? f->value : NULL;
		*last = l && !is_null(l->value) ? l->value : NULL;
		return 0;
	}
	*first = default_list(ctx, kr_default_order_first, kr_default_order_first_len);
	*last = default_list(ctx, kr_default_order_last, kr_default_order_last_len);
	if (!*first || !*last)
		return kr_nomem(ctx);
	return 0;
}

/* kr_fail_at at `at` in the kustomization file, or kr_fail without one. */
static int fail_near(kr_ctx *ctx, const kr_kustomization *k, const kr_node *at,
                     int code, const char *msg)
{
	if (at)
		return kr_fail_at(ctx, code, k->file, at->line, at->col, "%s", msg);
	return kr_fail(ctx, code, "%s", msg);
}

int kr_kust_read_file(kr_ctx *ctx, const kr_kustomization *k, const kr_node *at,
                      const char *rel, char **data, size_t *len,
                      const char **display)
{
	kr_arena *a = &ctx->arena;
	char *abs = kr_path_join(a, k->root, rel);
	char *disp = kr_path_join(a, k->dir, rel);
	if (!abs || !disp)
		return kr_nomem(ctx);
	if (display)
		*display = disp;
	char msg[1024];
	int is_link;
	int type = kr_path_type_link(abs, &is_link);
	if (type == 0) {
		snprintf(msg, sizeof(msg), "file '%s' not found: %s: %s", rel, disp,
		         strerror(errno));
		return fail_near(ctx, k, at, KR_ENOTFOUND, msg);
	}
	if (type != 'f') {
		snprintf(msg, sizeof(msg), "'%s' must resolve to a file", disp);
		return fail_near(ctx, k, at, KR_EINVALID, msg);
	}
	char *real = is_link ? kr_realpath_ctx(ctx, abs) : kr_realpath_ctx_nolink(ctx, abs);
	if (!real)
		return errno == ENOMEM ? kr_nomem(ctx)
		       : kr_fail(ctx, KR_EIO, "%s: %s", disp, strerror(errno));
	if (ctx->opts.load_restrictor == KR_LOAD_ROOT_ONLY &&
	    !kr_path_has_prefix(real, k->root)) {
		snprintf(msg, sizeof(msg), "security; file '%s' is not in or below '%s' "
		         "(the load restrictor LoadRestrictionsRootOnly refuses it; see "
		         "--load-restrictor)", disp, k->dir);
		return fail_near(ctx, k, at, KR_ERESTRICT, msg);
	}
	return kr_read_file(ctx, real, disp, data, len);
}
