/*
 * patch_smp.c - strategic-merge patches: the `patchesStrategicMerge` field
 * (kustomize's PatchStrategicMergeTransformer), the strategic-merge
 * entries of `patches` (PatchTransformer), and the `openapi` field that
 * chooses the schema they merge with.  The merge itself is smp.c.
 *
 * How kustomize finds and applies a patch:
 *  - without a target, a patch applies to the one object whose current or
 *    any earlier id equals the patch's own id (group, version, kind, name,
 *    namespace; no namespace means "default");
 *  - with a target (`patches` only), to every selected object; one entry
 *    may then hold only one patch document;
 *  - patchesStrategicMerge and targeted patches go through
 *    resWrangler.ApplySmPatch, which merges a copy of the patch whose
 *    labels and annotations were rebuilt as sorted string maps (a null
 *    or empty map there is dropped, so it deletes nothing) and whose
 *    apiVersion is the object's; an untargeted `patches` entry merges the
 *    patch as it is;
 *  - afterwards the object gets back its kind and name (unless
 *    options.allowKindChange / allowNameChange) and its namespace; an
 *    object a patch deleted (`$patch: delete`) leaves the build.
 */
#include "patch_smp.h"

#include <stdio.h>
#include <string.h>

#include "kdecode.h"
#include "parse.h"
#include "resfactory.h"
#include "selector.h"
#include "smp.h"

static const kr_schema_set *schemas(kr_ctx *ctx)
{
	if (ctx->openapi)
		return ctx->openapi;
	ctx->openapi_builtin = 2;
	return &kr_smp_builtin;
}

/* ---- openapi -------------------------------------------------------------- */

int kr_openapi_configure(kr_ctx *ctx, const kr_kustomization *k, int top)
{
	const kr_node *n = kr_map_get(k->doc, "openapi");
	if (!n || kr_y11_is_null(n))
		return 0;
	kr_strmap m = { 0 };
	int rc = kr_kust_decode_string_map(ctx, k, n, "openapi", "Kustomization.openapi", &m);
	if (rc < 0)
		return rc;
	const char *path = NULL, *version = NULL;
	for (size_t i = 0; i < m.len; i++) {
		if (!strcmp(m.items[i].key, "path"))
			path = m.items[i].val;
		else if (!strcmp(m.items[i].key, "version"))
			version = m.items[i].val;
	}
	char *data = NULL;
	size_t len = 0;
	const char *display = NULL;
	/* kustomize reads the file before it looks whether a schema is set */
	if (path && (rc = kr_kust_read_file(ctx, k, n, path, &data, &len, &display)) < 0)
		return kr_wrap(ctx, "openapi");
	if (ctx->openapi_set && !top)
		return 0;
	if (path) {
		if (version)
			return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
			                  "openapi: give either a path to a schema or a "
			                  "builtin version, not both (kustomize: builtin "
			                  "version and custom schema provided, cannot use both)");
		kr_doclist docs = { 0 };
		if ((rc = kr_yaml_parse(ctx, display, data, len, KR_YAML_FIRST_DOC_ONLY,
		                        &docs)) < 0)
			return kr_wrap(ctx, "openapi schema");
		kr_schema_set *set = kr_arena_alloc(&ctx->arena, sizeof(*set));
		if (!set)
			return kr_nomem(ctx);
		/* Set by a sub-kustomization after kustomize had asked for
		 * (or loaded) its builtin schema: the two join, and the one
		 * parsed last wins a clash (TestCustomOpenApiFieldFromComponent-
		 * WithOverlays: a DeploymentConfig schema whose $refs name
		 * builtin definitions). */
		set->with_builtin = !top && ctx->openapi_builtin > 0;
		set->builtin_wins = ctx->openapi_builtin == 1;
		if ((rc = kr_schema_set_from_doc(ctx, display, docs.len ? docs.docs[0] : NULL,
		                                 set)) < 0)
			return rc;
		ctx->openapi = set;
		ctx->openapi_set = 1;
		return 0;
	}
	if (!version || !version[0])
		return 0;
	if (strcmp(version, "v1.21.2"))
		return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
		                  "openapi: version '%s' is not built in (kustomize "
		                  "v5.5.0 has only v1.21.2)", version);
	ctx->openapi = NULL;
	ctx->openapi_set = 1;
	return 0;
}

/* ---- applying a patch ------------------------------------------------------ */

static const char *meta_text(const kr_node *doc, const char *key)
{
	const kr_node *v = kr_map_get(kr_map_get(doc, "metadata"), key);
	return v && v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v->u.s.str : "";
}

static const char *top_text(const kr_node *doc, const char *key)
{
	const kr_node *v = kr_map_get(doc, key);
	return v && v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v->u.s.str : "";
}

static kr_node *metadata_of(kr_ctx *ctx, kr_node *doc)
{
	kr_node *md = kr_map_get(doc, "metadata");
	if (md && md->type == KR_MAP)
		return md;
	md = kr_node_map(&ctx->arena, 0);
	if (!md || kr_map_set(&ctx->arena, doc, "metadata", md) < 0) {
		kr_nomem(ctx);
		return NULL;
	}
	return md;
}

/* Resource.setMapInMetadata: the map rebuilt with sorted keys and string
 * values (their text; null is ""), or removed when empty. */
static int rebuild_string_map(kr_ctx *ctx, kr_node *md, const char *field)
{
	kr_node *old = kr_map_get(md, field);
	size_t n = old && old->type == KR_MAP ? old->u.m.len : 0;
	kr_map_remove(md, field);
	if (!n)
		return 0;
	/* sort a copy of the pairs by key; a later duplicate wins */
	kr_pair *p = kr_arena_alloc(&ctx->arena, n * sizeof(*p));
	if (!p)
		return kr_nomem(ctx);
	size_t m = 0;
	for (uint32_t i = 0; i < old->u.m.len; i++) {
		const kr_pair *kv = &old->u.m.items[i];
		size_t j = 0;
		while (j < m && strcmp(p[j].key->u.s.str, kv->key->u.s.str) < 0)
			j++;
		if (j < m && !strcmp(p[j].key->u.s.str, kv->key->u.s.str)) {
			p[j] = *kv;
			continue;
		}
		memmove(p + j + 1, p + j, (m - j) * sizeof(*p));
		p[j] = *kv;
		m++;
	}
	kr_node *map = kr_node_map(&ctx->arena, (uint32_t)m);
	if (!map)
		return kr_nomem(ctx);
	for (size_t i = 0; i < m; i++) {
		const kr_node *v = p[i].value;
		const char *t = v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v->u.s.str : "";
		size_t tl = v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v->u.s.len : 0;
		kr_node *s = kr_node_scalar(&ctx->arena, KR_TAG_STR, t, tl);
		if (!s || kr_map_append(&ctx->arena, map, p[i].key, s) < 0)
			return kr_nomem(ctx);
	}
	if (kr_map_set(&ctx->arena, md, field, map) < 0)
		return kr_nomem(ctx);
	return 0;
}

/* SetNamespace: an empty namespace removes the field. */
static int set_namespace(kr_ctx *ctx, kr_node *doc, const char *ns)
{
	if (!ns[0]) {
		kr_node *md = kr_map_get(doc, "metadata");
		if (md && md->type == KR_MAP)
			kr_map_remove(md, "namespace");
		return 0;
	}
	kr_node *md = metadata_of(ctx, doc);
	return md ? kr_smp_set_string_field(ctx, md, "namespace", ns) : -1;
}

static int set_name(kr_ctx *ctx, kr_node *doc, const char *name)
{
	kr_node *md = metadata_of(ctx, doc);
	return md ? kr_smp_set_string_field(ctx, md, "name", name) : -1;
}

/* The copy of a patch resWrangler.ApplySmPatch merges into object `r`. */
static kr_node *wrangler_copy(kr_ctx *ctx, const kr_node *patch, const kr_resource *r)
{
	kr_node *c = kr_node_copy(&ctx->arena, patch);
	if (!c) {
		kr_nomem(ctx);
		return NULL;
	}
	/* CopyMergeMetaDataFieldsFrom(patch) */
	kr_node *md = metadata_of(ctx, c);
	if (!md || rebuild_string_map(ctx, md, "labels") < 0 ||
	    rebuild_string_map(ctx, md, "annotations") < 0 ||
	    set_name(ctx, c, meta_text(patch, "name")) < 0 ||
	    set_namespace(ctx, c, meta_text(patch, "namespace")) < 0)
		return NULL;
	/* SetGvk(object's), then SetKind(patch's) */
	const char *av = r->cur.group[0]
	                 ? kr_arena_printf(&ctx->arena, "%s/%s", r->cur.group, r->cur.version)
	                 : r->cur.version;
	if (!av) {
		kr_nomem(ctx);
		return NULL;
	}
	if (kr_smp_set_string_field(ctx, c, "kind", r->cur.kind) < 0 ||
	    kr_smp_set_string_field(ctx, c, "apiVersion", av) < 0 ||
	    kr_smp_set_string_field(ctx, c, "kind", top_text(patch, "kind")) < 0)
		return NULL;
	return c;
}

/* Resource.ApplySmPatch.  Returns 1 when the patch deleted the object. */
static int apply_one(kr_ctx *ctx, const char *src, kr_resource *r, kr_node *patch,
                     int allow_name, int allow_kind)
{
	const char *name = meta_text(r->doc, "name");
	const char *ns = meta_text(r->doc, "namespace");
	const char *kind = top_text(r->doc, "kind");
	if ((allow_name || allow_kind) && kr_resource_store_previous_id(&ctx->arena, r) < 0)
		return kr_nomem(ctx);
	kr_node *out;
	int rc = kr_smp_merge(ctx, schemas(ctx), src, patch, r->doc, &out);
	if (rc < 0)
		return rc;
	if (!out || out->type != KR_MAP || !out->u.m.len)
		return 1;
	/* Resource.ApplyFilter keeps the object's own node: a merge that
	 * returned another one (a top-level `$patch: replace`) changes
	 * nothing (fixtures/smp/top_replace). */
	out = r->doc;
	if ((!allow_kind && kr_smp_set_string_field(ctx, out, "kind", kind) < 0) ||
	    (!allow_name && set_name(ctx, out, name) < 0) ||
	    set_namespace(ctx, out, ns) < 0)
		return -1;
	if (kr_resource_refresh_id(&ctx->arena, r) < 0)
		return kr_nomem(ctx);
	return 0;
}

/* Drop the objects marked deleted (doc == NULL). */
static int drop_deleted(kr_ctx *ctx, kr_resmap *m)
{
	size_t w = 0;
	for (size_t i = 0; i < m->len; i++)
		if (m->items[i]->doc)
			m->items[w++] = m->items[i];
	if (w == m->len)
		return 0;
	m->len = w;
	return kr_resmap_reindex(ctx, m);
}

/* resWrangler.GetById(patch id): the one object whose current or earlier
 * id is the patch's. */
static int find_target(kr_ctx *ctx, const kr_resmap *m, const kr_node *patch,
                       const char *src, kr_resource **out)
{
	kr_resid id;
	if (kr_resid_from_doc(&ctx->arena, &id, patch) < 0)
		return kr_nomem(ctx);
	const char *av = top_text(patch, "apiVersion");
	int cs = kr_kind_is_cluster_scoped(av, id.kind);
	kr_resource *found = NULL;
	size_t n = 0;
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		int hit = kr_resid_equal(&r->cur, r->cluster_scoped, &id, cs);
		for (uint32_t j = 0; !hit && j < r->nprev; j++)
			hit = kr_resid_equal(&r->prev[j], r->cluster_scoped, &id, cs);
		if (hit) {
			found = r;
			n++;
		}
	}
	if (n == 1) {
		*out = found;
		return 0;
	}
	char *ids = kr_resid_string(&ctx->arena, &id);
	if (!ids)
		return kr_nomem(ctx);
	return kr_fail(ctx, KR_ENOTFOUND, "%s: %s object matches the patch's id %s "
	               "(a patch without a target applies to the object with its "
	               "apiVersion, kind, name and namespace)", src,
	               n ? "more than one" : "no", ids);
}

/* A patch without a target: found by its id, merged as it is (`patches`)
 * or through a resWrangler copy (patchesStrategicMerge). */
static int patch_by_id(kr_ctx *ctx, kr_resmap *m, kr_node *patch, const char *src,
                       int copy, int allow_name, int allow_kind)
{
	kr_resource *r = NULL;
	int rc;
	if ((rc = find_target(ctx, m, patch, src, &r)) < 0)
		return rc;
	if (copy && !(patch = wrangler_copy(ctx, patch, r)))
		return -1;
	if ((rc = apply_one(ctx, src, r, patch, allow_name, allow_kind)) < 0)
		return rc;
	if (rc == 1) {
		r->doc = NULL;
		return drop_deleted(ctx, m);
	}
	return 0;
}

/* Parse a patch text into its documents. */
static int parse_patches(kr_ctx *ctx, const char *display, const char *text, size_t len,
                         kr_doclist *out)
{
	return kr_resource_docs_from_bytes(ctx, display, text, len, out);
}

/* ---- patches: entries ------------------------------------------------------ */

int kr_smp_patches_entry(kr_ctx *ctx, kr_layer *l, const kr_smp_entry *e)
{
	const kr_kustomization *k = l->k;
	kr_doclist docs = { 0 };
	int rc;
	if ((rc = parse_patches(ctx, e->src_file, e->text, e->len, &docs)) < 0)
		return kr_wrap(ctx, "%s: not a strategic-merge patch nor a JSON 6902 "
		               "operation list", e->what);
	if (!docs.len)
		return kr_fail_at(ctx, KR_EINVALID, k->file, e->at->line, e->at->col,
		                  "%s: the patch is empty", e->what);
	if (e->target) {
		if (docs.len > 1)
			return kr_fail_at(ctx, KR_EINVALID, k->file, e->target->line,
			                  e->target->col, "%s: a `patches` entry with a target "
			                  "may hold only one strategic-merge patch, this one "
			                  "holds %zu", e->what, docs.len);
		kr_selector sel;
		if ((rc = kr_selector_decode(ctx, k, e->target, e->what, &sel)) < 0)
			return rc;
		/* select first, then patch in order (resWrangler.ApplySmPatch) */
		kr_resource **picked = kr_arena_alloc(&ctx->arena,
		                                      (l->m->len ? l->m->len : 1) * sizeof(*picked));
		size_t np = 0;
		if (!picked) {
			kr_selector_free(&sel);
			return kr_nomem(ctx);
		}
		for (size_t i = 0; i < l->m->len; i++) {
			if ((rc = kr_selector_matches(ctx, &sel, l->m->items[i])) < 0) {
				kr_selector_free(&sel);
				return rc;
			}
			if (rc)
				picked[np++] = l->m->items[i];
		}
		kr_selector_free(&sel);
		int deleted = 0;
		for (size_t i = 0; i < np; i++) {
			kr_resource *r = picked[i];
			kr_node *c = wrangler_copy(ctx, docs.docs[0], r);
			if (!c)
				return -1;
			if ((rc = apply_one(ctx, e->src, r, c, e->allow_name, e->allow_kind)) < 0)
				return rc;
			if (rc == 1) {
				r->doc = NULL;
				deleted = 1;
			}
		}
		return deleted ? drop_deleted(ctx, l->m) : 0;
	}
	for (size_t i = 0; i < docs.len; i++)
		if ((rc = patch_by_id(ctx, l->m, docs.docs[i], e->src, 0, e->allow_name,
		                      e->allow_kind)) < 0)
			return rc;
	return 0;
}

/* ---- patchesStrategicMerge ---------------------------------------------------- */

int kr_smp_transform(kr_ctx *ctx, kr_layer *l)
{
	const kr_kustomization *k = l->k;
	const kr_node *list;
	int rc;
	if ((rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, "patchesStrategicMerge"),
	                              "patchesStrategicMerge", NULL,
	                              "Kustomization.patchesStrategicMerge",
	                              "[]types.PatchStrategicMerge", &list)) < 0)
		return rc;
	if (!list || !list->u.q.len)
		return 0;
	/* Load every patch first (the plugin's Config), then apply. */
	kr_doclist docs = { 0 };
	const char **srcs = kr_arena_alloc(&ctx->arena, list->u.q.len * sizeof(*srcs));
	size_t *first = kr_arena_alloc(&ctx->arena, (list->u.q.len + 1) * sizeof(*first));
	if (!srcs || !first)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < list->u.q.len; i++) {
		const kr_node *n = list->u.q.items[i];
		char what[64];
		snprintf(what, sizeof(what), "patchesStrategicMerge[%u]", i);
		const char *s = NULL;
		if ((rc = kr_kust_decode_string(ctx, k, n, what,
		                                "Kustomization.patchesStrategicMerge", &s)) < 0)
			return rc;
		if (!s)
			s = "";
		first[i] = docs.len;
		/* For legacy reasons kustomize first tries the entry as patch
		 * text, then as a file path. */
		const char *inl = kr_arena_printf(&ctx->arena, "%s (%s)", k->file, what);
		if (!inl)
			return kr_nomem(ctx);
		kr_doclist tried = { 0 };
		rc = parse_patches(ctx, inl, s, strlen(s), &tried);
		if (rc == KR_ENOMEM)
			return rc; /* not a reason to try the entry as a path */
		if (rc == 0) {
			for (size_t j = 0; j < tried.len; j++)
				if (kr_doclist_push(&ctx->arena, &docs, tried.docs[j]) < 0)
					return kr_nomem(ctx);
			srcs[i] = kr_arena_printf(&ctx->arena, "%s:%u:%u: %s (inline patch)",
			                          k->file, n->line, n->col, what);
		} else {
			ctx->err_code = 0;
			char *data;
			size_t len;
			const char *display;
			if ((rc = kr_kust_read_file(ctx, k, n, s, &data, &len, &display)) < 0)
				return kr_wrap(ctx, "%s", what);
			if ((rc = parse_patches(ctx, display, data, len, &docs)) < 0)
				return kr_wrap(ctx, "%s", what);
			srcs[i] = kr_arena_printf(&ctx->arena, "%s (patch file %s, from %s)",
			                          what, display, k->file);
		}
		if (!srcs[i])
			return kr_nomem(ctx);
	}
	first[list->u.q.len] = docs.len;
	if (!docs.len)
		return kr_fail_at(ctx, KR_EINVALID, k->file, list->line, list->col,
		                  "patchesStrategicMerge: the patches are empty");
	uint32_t entry = 0;
	for (size_t i = 0; i < docs.len; i++) {
		while (entry + 1 < list->u.q.len && i >= first[entry + 1])
			entry++;
		if ((rc = patch_by_id(ctx, l->m, docs.docs[i], srcs[entry], 1, 0, 0)) < 0)
			return rc;
	}
	return 0;
}
