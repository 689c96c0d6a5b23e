/*
 * smp_schema.c - schema lookups for strategic merge (see smp_schema.h),
 * and schemas read from an `openapi: {path: ...}` file.
 */
#include "smp_schema.h"

#include <stdlib.h>
#include <string.h>

const kr_schema_set kr_smp_builtin = { kr_smp_builtin_roots, 0, 0, 0 };

static size_t builtin_count(const kr_schema_set *set)
{
	return set->roots == kr_smp_builtin_roots ? kr_smp_builtin_nroots : set->nroots;
}

static int root_cmp(const char *av, const char *kind, const kr_schema_root *r)
{
	int c = strcmp(av, r->api_version);
	return c ? c : strcmp(kind, r->kind);
}

static const kr_schema *find_root(const kr_schema_set *set,
                                  const char *api_version, const char *kind)
{
	size_t lo = 0, hi = builtin_count(set);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = root_cmp(api_version, kind, &set->roots[mid]);
		if (!c)
			return set->roots[mid].schema;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const kr_schema *kr_schema_field(const kr_schema *s, const char *name)
{
	if (!s)
		return NULL;
	if (s->opaque)
		return s;
	size_t lo = 0, hi = s->nprops;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, s->props[mid].name);
		if (!c)
			return s->props[mid].schema;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return s->addl;
}

const kr_schema *kr_schema_elements(const kr_schema *s)
{
	if (!s)
		return NULL;
	return s->opaque ? s : s->items;
}

int kr_schema_merges(const kr_schema *s)
{
	if (!s || !s->strategy)
		return 0;
	/* kustomize splits the strategy at commas: "merge,retainKeys" */
	const char *p = s->strategy;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 5 && !memcmp(p, "merge", 5))
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

const kr_schema *kr_schema_for_type(const kr_schema_set *set,
                                    const char *api_version, const char *kind)
{
	if (!set->with_builtin)
		return find_root(set, api_version, kind);
	const kr_schema_set *first = set->builtin_wins ? &kr_smp_builtin : set;
	const kr_schema_set *second = set->builtin_wins ? set : &kr_smp_builtin;
	const kr_schema *s = find_root(first, api_version, kind);
	return s ? s : find_root(second, api_version, kind);
}

static const kr_schema *builtin_def(const char *name)
{
	size_t lo = 0, hi = kr_smp_builtin_ndefs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, kr_smp_builtin_defs[mid].name);
		if (!c)
			return kr_smp_builtin_defs[mid].schema;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* ---- schemas from a file ------------------------------------------------ */

typedef struct def {
	const char *name;
	const kr_node *body;
	kr_schema *schema;
} def;

typedef struct builder {
	kr_ctx *ctx;
	const char *file;
	def *defs;
	size_t ndefs;
	int with_builtin, builtin_wins;
} builder;

static int def_cmp(const void *a, const void *b)
{
	return strcmp(((const def *)a)->name, ((const def *)b)->name);
}

static const char *str_of(const kr_node *n)
{
	return n && n->type == KR_SCALAR && n->tag != KR_TAG_NULL ? n->u.s.str : NULL;
}

static const kr_schema *convert(builder *b, const kr_node *n, unsigned depth);

/* A $ref "#/definitions/NAME" (kustomize resolves JSON pointers; other
 * refs resolve to nothing). */
static const kr_schema *resolve_ref(builder *b, const char *ref)
{
	const char *pfx = "#/definitions/";
	if (strncmp(ref, pfx, strlen(pfx)))
		return NULL;
	const char *name = ref + strlen(pfx);
	const kr_schema *bs = b->with_builtin ? builtin_def(name) : NULL;
	if (bs && b->builtin_wins)
		return bs;
	def key = { name, NULL, NULL };
	def *d = bsearch(&key, b->defs, b->ndefs, sizeof(def), def_cmp);
	return d ? d->schema : bs;
}

static int prop_cmp(const void *a, const void *b)
{
	return strcmp(((const kr_schema_prop *)a)->name, ((const kr_schema_prop *)b)->name);
}

/* Fill `s` from schema node `n` (a mapping). */
static int fill(builder *b, kr_schema *s, const kr_node *n, unsigned depth)
{
	kr_arena *a = &b->ctx->arena;
	memset(s, 0, sizeof(*s));
	if (!n || n->type != KR_MAP)
		return 0;
	if (depth > 64)
		return kr_fail_at(b->ctx, KR_ELIMIT, b->file, n->line, n->col,
		                  "openapi schema nested too deeply");
	s->strategy = str_of(kr_map_get(n, "x-kubernetes-patch-strategy"));
	if (s->strategy) {
		const kr_node *mk = kr_map_get(n, "x-kubernetes-list-map-keys");
		const char *one = str_of(kr_map_get(n, "x-kubernetes-patch-merge-key"));
		size_t nk = mk && mk->type == KR_SEQ ? mk->u.q.len : (one ? 1 : 0);
		if (nk) {
			const char **keys = kr_arena_alloc(a, (nk + 1) * sizeof(*keys));
			if (!keys)
				return kr_nomem(b->ctx);
			for (size_t i = 0; i < nk; i++) {
				keys[i] = mk && mk->type == KR_SEQ ? str_of(mk->u.q.items[i]) : one;
				if (!keys[i])
					keys[i] = "";
			}
			keys[nk] = NULL;
			s->keys = keys;
		}
	}
	/* type must be exactly "array" (or ["array"]) for the elements to count */
	const kr_node *type = kr_map_get(n, "type");
	int is_array = (type && str_of(type) && !strcmp(str_of(type), "array")) ||
	               (type && type->type == KR_SEQ && type->u.q.len == 1 &&
	                str_of(type->u.q.items[0]) &&
	                !strcmp(str_of(type->u.q.items[0]), "array"));
	const kr_node *items = kr_map_get(n, "items");
	if (is_array && items && items->type == KR_MAP)
		s->items = convert(b, items, depth + 1);
	const kr_node *addl = kr_map_get(n, "additionalProperties");
	if (addl && addl->type == KR_MAP)
		s->addl = convert(b, addl, depth + 1);
	const kr_node *props = kr_map_get(n, "properties");
	if (props && props->type == KR_MAP && props->u.m.len) {
		kr_schema_prop *p = kr_arena_alloc(a, props->u.m.len * sizeof(*p));
		if (!p)
			return kr_nomem(b->ctx);
		size_t np = 0;
		for (uint32_t i = 0; i < props->u.m.len; i++) {
			const kr_pair *kv = &props->u.m.items[i];
			/* a later duplicate key wins, as in a JSON object */
			size_t j;
			for (j = 0; j < np; j++)
				if (!strcmp(p[j].name, kv->key->u.s.str))
					break;
			p[j].name = kv->key->u.s.str;
			p[j].schema = convert(b, kv->value, depth + 1);
			if (b->ctx->err_code)
				return -1;
			if (j == np)
				np++;
		}
		qsort(p, np, sizeof(*p), prop_cmp);
		s->props = p;
		s->nprops = np;
	}
	return b->ctx->err_code ? -1 : 0;
}

/* The schema a field's schema node stands for: its $ref target when it has
 * one (kustomize's Field() follows refs and drops the rest), else a new
 * schema. */
static const kr_schema *convert(builder *b, const kr_node *n, unsigned depth)
{
	if (!n || n->type != KR_MAP)
		return NULL;
	const char *ref = str_of(kr_map_get(n, "$ref"));
	if (ref)
		return resolve_ref(b, ref);
	kr_schema *s = kr_arena_alloc(&b->ctx->arena, sizeof(*s));
	if (!s) {
		kr_nomem(b->ctx);
		return NULL;
	}
	if (fill(b, s, n, depth) < 0)
		return NULL;
	return s;
}

static int root_sort(const void *x, const void *y)
{
	const kr_schema_root *a = x, *b = y;
	return root_cmp(a->api_version, a->kind, b);
}

int kr_schema_set_from_doc(kr_ctx *ctx, const char *file, const kr_node *doc,
                           kr_schema_set *out)
{
	kr_arena *a = &ctx->arena;
	builder b = { ctx, file, NULL, 0, out->with_builtin, out->builtin_wins };
	int with_builtin = out->with_builtin, builtin_wins = out->builtin_wins;
	memset(out, 0, sizeof(*out));
	out->with_builtin = with_builtin;
	out->builtin_wins = builtin_wins;
	if (!doc || doc->type != KR_MAP)
		return kr_fail(ctx, KR_EINVALID, "%s: an OpenAPI schema must be a mapping",
		               file);
	const kr_node *defs = kr_map_get(doc, "definitions");
	if (!defs || defs->type != KR_MAP || !defs->u.m.len)
		return 0;
	b.defs = kr_arena_alloc(a, defs->u.m.len * sizeof(def));
	if (!b.defs)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < defs->u.m.len; i++) {
		const kr_pair *kv = &defs->u.m.items[i];
		size_t j;
		for (j = 0; j < b.ndefs; j++)
			if (!strcmp(b.defs[j].name, kv->key->u.s.str))
				break;
		b.defs[j].name = kv->key->u.s.str;
		b.defs[j].body = kv->value;
		if (j == b.ndefs) {
			b.defs[j].schema = kr_arena_alloc(a, sizeof(kr_schema));
			if (!b.defs[j].schema)
				return kr_nomem(ctx);
			b.ndefs++;
		}
	}
	qsort(b.defs, b.ndefs, sizeof(def), def_cmp);
	size_t nroots = 0, caproots = 0;
	kr_schema_root *roots = NULL;
	for (size_t i = 0; i < b.ndefs; i++) {
		/* a definition that is itself a $ref would need a second pass;
		 * kustomize's definitions are plain schemas */
		if (fill(&b, b.defs[i].schema, b.defs[i].body, 0) < 0)
			return -1;
		const kr_node *gvks = b.defs[i].body && b.defs[i].body->type == KR_MAP
		                      ? kr_map_get(b.defs[i].body, "x-kubernetes-group-version-kind")
		                      : NULL;
		if (!gvks || gvks->type != KR_SEQ)
			continue;
		for (uint32_t g = 0; g < gvks->u.q.len; g++) {
			const kr_node *e = gvks->u.q.items[g];
			if (e->type != KR_MAP)
				continue;
			const char *group = str_of(kr_map_get(e, "group"));
			const char *version = str_of(kr_map_get(e, "version"));
			const char *kind = str_of(kr_map_get(e, "kind"));
			if (!version || !kind)
				return kr_fail_at(ctx, KR_EINVALID, file, e->line, e->col,
				                  "x-kubernetes-group-version-kind entries need a "
				                  "version and a kind");
			if (nroots == caproots) {
				size_t nc = caproots ? caproots * 2 : 16;
				kr_schema_root *nr = kr_arena_alloc(a, nc * sizeof(*nr));
				if (!nr)
					return kr_nomem(ctx);
				if (nroots)
					memcpy(nr, roots, nroots * sizeof(*nr));
				roots = nr;
				caproots = nc;
			}
			char *av = group && group[0] ? kr_arena_printf(a, "%s/%s", group, version)
			                             : kr_arena_strndup(a, version, strlen(version));
			if (!av)
				return kr_nomem(ctx);
			roots[nroots].api_version = av;
			roots[nroots].kind = kind;
			roots[nroots].schema = b.defs[i].schema;
			nroots++;
		}
	}
	if (nroots)
		qsort(roots, nroots, sizeof(*roots), root_sort);
	out->roots = roots;
	out->nroots = nroots;
	return 0;
}
