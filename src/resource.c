/*
 * resource.c - resource ids and the hashed resource map (see resource.h).
 */
#include "resource.h"

#include <string.h>
#include <xxhash.h>

static const char *scalar_or_empty(const kr_node *n)
{
	if (!n || n->type != KR_SCALAR || n->tag == KR_TAG_NULL)
		return "";
	return n->u.s.str;
}

int kr_resid_from_doc(kr_arena *a, kr_resid *id, const kr_node *doc)
{
	const char *api = scalar_or_empty(kr_map_get(doc, "apiVersion"));
	const char *slash = strchr(api, '/');
	if (slash) {
		/* With a == NULL the caller fills in the group itself. */
		id->group = a ? kr_arena_strndup(a, api, (size_t)(slash - api)) : "";
		if (!id->group)
			return -1;
		id->version = slash + 1;
	} else {
		id->group = "";
		id->version = api;
	}
	id->kind = scalar_or_empty(kr_map_get(doc, "kind"));
	const kr_node *md = kr_map_get(doc, "metadata");
	id->name = scalar_or_empty(kr_map_get(md, "name"));
	id->ns = scalar_or_empty(kr_map_get(md, "namespace"));
	return 0;
}

const char *kr_resid_effective_ns(const kr_resid *id, int cluster_scoped)
{
	if (cluster_scoped)
		return "";
	if (id->ns[0] == '\0' || !strcmp(id->ns, "default"))
		return "default";
	return id->ns;
}

char *kr_resid_string(kr_arena *a, const kr_resid *id)
{
	return kr_arena_printf(a, "%s.%s.%s/%s.%s",
	                       id->kind[0] ? id->kind : "[noKind]",
	                       id->version[0] ? id->version : "[noVer]",
	                       id->group[0] ? id->group : "[noGrp]",
	                       id->name[0] ? id->name : "[noName]",
	                       id->ns[0] ? id->ns : "[noNs]");
}

static int scope_of(const kr_node *doc, const char *kind)
{
	const char *api = scalar_or_empty(kr_map_get(doc, "apiVersion"));
	return kr_kind_is_cluster_scoped(api, kind);
}

kr_resource *kr_resource_new(kr_arena *a, kr_node *doc)
{
	kr_resource *r = kr_arena_zalloc(a, sizeof(*r));
	if (!r)
		return NULL;
	r->doc = doc;
	if (kr_resid_from_doc(a, &r->cur, doc) < 0)
		return NULL;
	r->orig = r->cur;
	r->cluster_scoped = scope_of(doc, r->cur.kind);
	return r;
}

int kr_resource_refresh_id(kr_arena *a, kr_resource *r)
{
	/* Called after every transformer: reuse the group string when the
	 * apiVersion did not change, so a refresh allocates nothing. */
	const kr_node *av = kr_map_get(r->doc, "apiVersion");
	const char *api = av && av->type == KR_SCALAR && av->tag != KR_TAG_NULL
	                  ? av->u.s.str : "";
	const char *slash = strchr(api, '/');
	size_t glen = slash ? (size_t)(slash - api) : 0;
	if (slash && strlen(r->cur.group) == glen && !memcmp(r->cur.group, api, glen)) {
		const char *group = r->cur.group;
		if (kr_resid_from_doc(NULL, &r->cur, r->doc) < 0)
			return -1;
		r->cur.group = group;
	} else if (kr_resid_from_doc(a, &r->cur, r->doc) < 0) {
		return -1;
	}
	r->cluster_scoped = scope_of(r->doc, r->cur.kind);
	return 0;
}

/* ---- index ---- */

static uint64_t id_hash(const kr_resid *id, int cluster_scoped)
{
	const char *ns = kr_resid_effective_ns(id, cluster_scoped);
	const char *parts[5] = { id->group, id->version, id->kind, id->name, ns };
	uint64_t h = 0;
	for (int i = 0; i < 5; i++)
		h = XXH3_64bits_withSeed(parts[i], strlen(parts[i]) + 1, h);
	return h;
}

int kr_resid_equal(const kr_resid *a, int acs, const kr_resid *b, int bcs)
{
	return !strcmp(a->name, b->name) && !strcmp(a->kind, b->kind) &&
	       !strcmp(a->group, b->group) && !strcmp(a->version, b->version) &&
	       !strcmp(kr_resid_effective_ns(a, acs), kr_resid_effective_ns(b, bcs));
}

static void index_insert(kr_resmap *m, size_t idx)
{
	kr_resource *r = m->items[idx];
	size_t mask = m->nslots - 1;
	size_t s = (size_t)id_hash(&r->cur, r->cluster_scoped) & mask;
	while (m->slots[s])
		s = (s + 1) & mask;
	m->slots[s] = (uint32_t)(idx + 1);
}

static int rehash(kr_ctx *ctx, kr_resmap *m, size_t nslots)
{
	if (m->slots && m->nslots == nslots) {
		/* Same size (a reindex after ids changed): reuse the table. */
		memset(m->slots, 0, nslots * sizeof(uint32_t));
	} else {
		uint32_t *slots = kr_arena_zalloc(&ctx->arena, nslots * sizeof(uint32_t));
		if (!slots)
			return kr_nomem(ctx);
		m->slots = slots;
		m->nslots = nslots;
	}
	for (size_t i = 0; i < m->len; i++)
		index_insert(m, i);
	return 0;
}

int kr_resmap_reindex(kr_ctx *ctx, kr_resmap *m)
{
	size_t n = 16;
	while (n < m->len * 2 + 2)
		n *= 2;
	return rehash(ctx, m, n);
}

kr_resource *kr_resmap_get(const kr_resmap *m, const kr_resid *id,
                           int cluster_scoped)
{
	if (!m->nslots)
		return NULL;
	size_t mask = m->nslots - 1;
	size_t s = (size_t)id_hash(id, cluster_scoped) & mask;
	while (m->slots[s]) {
		kr_resource *r = m->items[m->slots[s] - 1];
		if (kr_resid_equal(&r->cur, r->cluster_scoped, id, cluster_scoped))
			return r;
		s = (s + 1) & mask;
	}
	return NULL;
}

int kr_resmap_append(kr_ctx *ctx, kr_resmap *m, kr_resource *r)
{
	if (kr_resmap_get(m, &r->cur, r->cluster_scoped)) {
		char *s = kr_resid_string(&ctx->arena, &r->cur);
		return kr_fail(ctx, KR_EINVALID,
		               "may not add resource with an already registered id: %s",
		               s ? s : r->cur.name);
	}
	if (m->len == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16;
		kr_resource **p = kr_arena_grow(&ctx->arena, m->items,
		                                m->len * sizeof(*p), ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		m->items = p;
		m->cap = ncap;
	}
	m->items[m->len++] = r;
	if (m->len * 2 > m->nslots) {
		size_t n = m->nslots ? m->nslots * 2 : 32;
		while (n < m->len * 2)
			n *= 2;
		return rehash(ctx, m, n);
	}
	index_insert(m, m->len - 1);
	return 0;
}

int kr_resmap_append_all(kr_ctx *ctx, kr_resmap *m, const kr_resmap *src)
{
	for (size_t i = 0; i < src->len; i++) {
		int rc = kr_resmap_append(ctx, m, src->items[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int kr_resource_store_previous_id(kr_arena *a, kr_resource *r)
{
	if (r->nprev == r->capprev) {
		uint32_t ncap = r->capprev ? r->capprev * 2 : 2;
		kr_resid *p = kr_arena_grow(a, r->prev, r->nprev * sizeof(*p),
		                            ncap * sizeof(*p));
		if (!p)
			return -1;
		r->prev = p;
		r->capprev = ncap;
	}
	kr_resid id = r->cur;
	id.ns = kr_resid_effective_ns(&r->cur, r->cluster_scoped);
	if (r->cluster_scoped)
		id.ns = "_non_namespaceable_"; /* TotallyNotANamespace */
	r->prev[r->nprev++] = id;
	return 0;
}

const kr_resid *kr_resource_org_id(const kr_resource *r)
{
	return r->nprev ? &r->prev[0] : &r->cur;
}

static int push_str(kr_arena *a, const char ***list, uint32_t *n, const char *s)
{
	const char **p = kr_arena_grow(a, *list, *n * sizeof(*p), (*n + 1) * sizeof(*p));
	if (!p)
		return -1;
	p[(*n)++] = s;
	*list = p;
	return 0;
}

int kr_resource_add_prefix(kr_arena *a, kr_resource *r, const char *p)
{
	return push_str(a, &r->prefixes, &r->nprefixes, p);
}

int kr_resource_add_suffix(kr_arena *a, kr_resource *r, const char *s)
{
	return push_str(a, &r->suffixes, &r->nsuffixes, s);
}
