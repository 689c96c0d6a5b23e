/*
 * nameref.c - rewriting references to renamed objects (see nameref.h).
 *
 * For every resource (the referrer) whose original id is selected by a
 * field spec of a nameReference entry, the fields at that spec's path are
 * name references to objects of the entry's kind.  A reference (a scalar
 * name, or a mapping with `name` and maybe `namespace`, or a list of
 * either) is resolved as kustomize's nameref.Filter.selectReferral does:
 *
 *   candidates = objects that could be referred to by the referrer
 *                (same namespace, cluster-scoped, or a namespace named by a
 *                RoleBinding's ServiceAccount subjects)
 *   keep those with a previous id whose name is the reference's value,
 *   with a previous id of the entry's group/version/kind,
 *   (for roleRef/name) with a previous id of roleRef's apiGroup and kind,
 *   in the referrer's namespace (unless cluster-scoped or ServiceAccount);
 *   one left: it; else prefer those whose name prefixes/suffixes end like
 *   the referrer's; one left: it; none: leave the field; several with the
 *   same name (and namespace): the first; else an error.
 *
 * Only renamed objects have previous ids, so only references to renamed
 * objects change.  Candidates are found through an index from previous
 * names to objects, so each reference costs the few objects that once had
 * that name, not a scan of all resources.
 */
#include "nameref.h"

#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "fieldspec.h"
#include "transformers.h"

/* ---- index: previous name -> resources, in resmap order ---- */

typedef struct bucket {
	const char *name;
	kr_resource **items;
	uint32_t len, cap;
} bucket;

typedef struct name_index {
	bucket *slots;
	size_t nslots;
} name_index;

static int index_add(kr_ctx *ctx, name_index *ix, const char *name, kr_resource *r)
{
	size_t mask = ix->nslots - 1;
	size_t s = (size_t)XXH3_64bits(name, strlen(name)) & mask;
	while (ix->slots[s].name && strcmp(ix->slots[s].name, name))
		s = (s + 1) & mask;
	bucket *b = &ix->slots[s];
	b->name = name;
	if (b->len && b->items[b->len - 1] == r)
		return 0; /* the same name twice in one resource's history */
	if (b->len == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : 2;
		kr_resource **p = kr_arena_grow(&ctx->arena, b->items, b->len * sizeof(*p),
		                                ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		b->items = p;
		b->cap = ncap;
	}
	b->items[b->len++] = r;
	return 0;
}

static const bucket *index_get(const name_index *ix, const char *name)
{
	if (!ix->nslots)
		return NULL;
	size_t mask = ix->nslots - 1;
	size_t s = (size_t)XXH3_64bits(name, strlen(name)) & mask;
	while (ix->slots[s].name) {
		if (!strcmp(ix->slots[s].name, name))
			return &ix->slots[s];
		s = (s + 1) & mask;
	}
	return NULL;
}

static int index_build(kr_ctx *ctx, name_index *ix, const kr_resmap *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->len; i++)
		n += m->items[i]->nprev;
	ix->nslots = 16;
	while (ix->nslots < n * 2 + 2)
		ix->nslots *= 2;
	ix->slots = kr_arena_zalloc(&ctx->arena, ix->nslots * sizeof(bucket));
	if (!ix->slots)
		return kr_nomem(ctx);
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		for (uint32_t j = 0; j < r->nprev; j++)
			if (index_add(ctx, ix, r->prev[j].name, r) < 0)
				return kr_nomem(ctx);
	}
	return 0;
}

/* ---- one referrer ---- */

typedef struct referrer {
	kr_ctx *ctx;
	kr_resource *r;
	const name_index *ix;
	const name_index *org_ns;     /* original effective namespace -> objects */
	const char **rb_namespaces;   /* RoleBinding ServiceAccount namespaces */
	size_t nrb;
	const char *tgroup, *tversion, *tkind; /* the entry's target */
	const kr_fieldspec *spec;
	int roleref;                  /* the path ends in roleRef/name */
	const char *rr_group, *rr_kind; /* roleRef's apiGroup and kind */
} referrer;

/* kustomize's Gvk.IsSelected: the selector's non-empty parts must match. */
static int gvk_selected(const char *g, const char *v, const char *k,
                        const char *sg, const char *sv, const char *sk)
{
	return (!sg[0] || !strcmp(g, sg)) && (!sv[0] || !strcmp(v, sv)) &&
	       (!sk[0] || !strcmp(k, sk));
}

/* Could the referrer refer to `t` at all (kustomize's
 * SubsetThatCouldBeReferencedByResource)? */
static int in_subset(const referrer *f, const kr_resource *t)
{
	const kr_resource *r = f->r;
	if (r->cluster_scoped || t->cluster_scoped)
		return 1;
	if (!strcmp(kr_resid_effective_ns(&t->cur, 0), kr_resid_effective_ns(&r->cur, 0)))
		return 1;
	for (size_t i = 0; i < f->nrb; i++)
		if (!strcmp(f->rb_namespaces[i], t->cur.ns))
			return 1;
	return 0;
}

static int has_prev_selected(const kr_resource *t, const char *g, const char *v,
                             const char *k)
{
	for (uint32_t i = 0; i < t->nprev; i++)
		if (gvk_selected(t->cur.group, t->cur.version, t->prev[i].kind, g, v, k))
			return 1;
	return 0;
}

static int same_ending(const char **a, uint32_t na, const char **b, uint32_t nb)
{
	if (na > nb) {
		const char **t = a; a = b; b = t;
		uint32_t tn = na; na = nb; nb = tn;
	}
	uint32_t diff = nb - na;
	if (na == 0)
		return diff == 0;
	for (uint32_t i = na; i-- > 0;)
		if (strcmp(b[i + diff], a[i]))
			return 0;
	return 1;
}

static int affixes_equal(const kr_resource *a, const kr_resource *b, int allow_empty)
{
	if (allow_empty) {
		int pe = a->nprefixes == 0 || b->nprefixes == 0;
		int se = a->nsuffixes == 0 || b->nsuffixes == 0;
		return (pe || same_ending(a->prefixes, a->nprefixes, b->prefixes, b->nprefixes)) &&
		       (se || same_ending(a->suffixes, a->nsuffixes, b->suffixes, b->nsuffixes));
	}
	return same_ending(a->prefixes, a->nprefixes, b->prefixes, b->nprefixes) &&
	       same_ending(a->suffixes, a->nsuffixes, b->suffixes, b->nsuffixes);
}

/* The effective namespace of a resource's original id (kustomize's
 * OrgId().EffectiveNamespace()); NULL for cluster-scoped objects. */
static const char *org_effective_ns(const kr_resource *t)
{
	if (t->cluster_scoped)
		return NULL;
	const kr_resid *org = kr_resource_org_id(t);
	return kr_resid_effective_ns(org, 0);
}

static const char *cur_effective_ns(const kr_resource *t)
{
	return t->cluster_scoped ? NULL : kr_resid_effective_ns(&t->cur, 0);
}

/* Select the object that a reference to `old` means (kustomize's
 * selectReferral).  For a mapping with a namespace field, `ns` is its value
 * and `ns_org` says whether candidates are taken by original namespace
 * (some object the referrer could refer to was originally there) or by
 * current namespace.  Sets *out, or leaves it NULL: leave the field. */
static int select_referral(referrer *f, const char *old, const char *ns,
                           int ns_org, int mapping, kr_resource **out)
{
	*out = NULL;
	const bucket *b = index_get(f->ix, old);
	if (!b)
		return 0;
	kr_resource *stack_buf[16];
	kr_resource **cand = b->len <= 16 ? stack_buf
	                     : kr_arena_alloc(&f->ctx->arena, b->len * sizeof(*cand));
	if (!cand)
		return kr_nomem(f->ctx);
	size_t n = 0;
	for (uint32_t i = 0; i < b->len; i++) {
		kr_resource *t = b->items[i];
		if (!in_subset(f, t))
			continue;
		if (ns) {
			const char *tns = ns_org ? org_effective_ns(t) : cur_effective_ns(t);
			if (!tns || strcmp(tns, ns))
				continue;
		}
		if (!has_prev_selected(t, f->tgroup, f->tversion, f->tkind))
			continue;
		if (f->roleref && f->rr_group &&
		    !has_prev_selected(t, f->rr_group, "", f->rr_kind))
			continue;
		/* sameCurrentNamespaceAsReferrer */
		if (!f->r->cluster_scoped && !t->cluster_scoped &&
		    strcmp(t->cur.kind, "ServiceAccount") &&
		    strcmp(kr_resid_effective_ns(&t->cur, 0), kr_resid_effective_ns(&f->r->cur, 0)))
			continue;
		cand[n++] = t;
	}
	if (n == 1) {
		*out = cand[0];
		return 0;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (affixes_equal(cand[i], f->r, 1))
			cand[m++] = cand[i];
	n = m;
	if (n > 1) {
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (affixes_equal(cand[i], f->r, 0))
				cand[m++] = cand[i];
		n = m;
	}
	if (n == 0)
		return 0;
	if (n == 1) {
		*out = cand[0];
		return 0;
	}
	int same = 1;
	for (size_t i = 1; i < n && same; i++) {
		if (strcmp(cand[i]->cur.name, cand[0]->cur.name))
			same = 0;
		if (mapping && strcmp(cand[i]->cur.ns, cand[0]->cur.ns))
			same = 0;
	}
	if (same) {
		*out = cand[0];
		return 0;
	}
	kr_buf ids = KR_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char *s = kr_resid_string(&f->ctx->arena, &cand[i]->cur);
		if (i)
			kr_buf_puts(&ids, ", ");
		kr_buf_puts(&ids, s ? s : cand[i]->cur.name);
	}
	char *rid = kr_resid_string(&f->ctx->arena, &f->r->cur);
	kr_fail(f->ctx, KR_EINVALID, "found multiple possible referrals for '%s' in "
	        "field '%s' of %s: %s", old, f->spec->path, rid ? rid : f->r->cur.name,
	        ids.data ? ids.data : "");
	kr_buf_free(&ids);
	return KR_EINVALID;
}

static int set_scalar_ref(referrer *f, kr_node *n)
{
	kr_resource *t;
	int rc = select_referral(f, n->u.s.str, NULL, 0, 0, &t);
	if (rc < 0 || !t)
		return rc;
	if (!strcmp(t->cur.name, n->u.s.str))
		return 0;
	return kr_set_scalar(f->ctx, n, KR_TAG_STR, t->cur.name, strlen(t->cur.name));
}

/* Is some object the referrer could refer to originally in namespace ns? */
static int any_org_in_ns(referrer *f, const kr_resmap *m, const char *ns)
{
	(void)m;
	const bucket *b = index_get(f->org_ns, ns);
	if (!b)
		return 0;
	for (uint32_t i = 0; i < b->len; i++)
		if (in_subset(f, b->items[i]))
			return 1;
	return 0;
}

static int set_mapping_ref(referrer *f, const kr_resmap *m, kr_node *map)
{
	kr_ctx *ctx = f->ctx;
	kr_node *name = kr_map_get(map, "name");
	if (!name)
		return kr_fail_at(ctx, KR_EINVALID, map->file ? map->file : "?", map->line,
		                  map->col, "field '%s': no 'name' field in a reference",
		                  f->spec->path);
	if (name->type != KR_SCALAR)
		return 0;
	kr_node *nsn = kr_map_get(map, "namespace");
	const char *ns = NULL;
	int ns_org = 0;
	if (nsn) {
		ns = nsn->type == KR_SCALAR ? nsn->u.s.str : "";
		ns_org = any_org_in_ns(f, m, ns);
	}
	kr_resource *t;
	int rc = select_referral(f, name->u.s.str, ns, ns_org, 1, &t);
	if (rc < 0 || !t)
		return rc;
	if (!strcmp(t->cur.name, name->u.s.str) && !t->cur.ns[0])
		return 0;
	if ((rc = kr_set_scalar(ctx, name, KR_TAG_STR, t->cur.name, strlen(t->cur.name))) < 0)
		return rc;
	if (!t->cur.ns[0])
		return 0;
	kr_node *v = kr_node_str(&ctx->arena, t->cur.ns);
	if (!v || kr_map_set(&ctx->arena, map, "namespace", v) < 0)
		return kr_nomem(ctx);
	return 0;
}

typedef struct visit_state {
	referrer *f;
	const kr_resmap *m;
} visit_state;

static int visit_ref(kr_ctx *ctx, kr_pair *field, void *ud)
{
	visit_state *vs = ud;
	kr_node *n = field->value;
	if (n->type == KR_SCALAR)
		return n->tag == KR_TAG_NULL ? 0 : set_scalar_ref(vs->f, n);
	if (n->type == KR_MAP)
		return set_mapping_ref(vs->f, vs->m, n);
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		kr_node *e = n->u.q.items[i];
		int rc = 0;
		if (e->type == KR_SCALAR) {
			if (e->tag != KR_TAG_NULL)
				rc = set_scalar_ref(vs->f, e);
		} else if (e->type == KR_MAP) {
			rc = set_mapping_ref(vs->f, vs->m, e);
		} else {
			rc = kr_fail_at(ctx, KR_EINVALID, e->file ? e->file : "?", e->line, e->col,
			                "field '%s': a reference must be a string or a map",
			                vs->f->spec->path);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The namespaces of a RoleBinding's ServiceAccount subjects (kustomize's
 * getNamespacesForRoleBinding), into f when it is not NULL.  kustomize runs
 * this for every RoleBinding on every top-level build, renamed objects or
 * not, and fails when such a subject's `namespace` is not a string
 * (conformance case TestBlankNamespace4240). */
static int rolebinding_namespaces(kr_ctx *ctx, const kr_resource *r, referrer *f)
{
	if (f) {
		f->nrb = 0;
		f->rb_namespaces = NULL;
	}
	if (strcmp(r->cur.kind, "RoleBinding"))
		return 0;
	const kr_node *subjects = kr_map_get(r->doc, "subjects");
	if (!subjects || subjects->type != KR_SEQ)
		return 0;
	if (f) {
		f->rb_namespaces = kr_arena_alloc(&ctx->arena,
		                                  (subjects->u.q.len + 1) * sizeof(char *));
		if (!f->rb_namespaces)
			return kr_nomem(ctx);
	}
	for (uint32_t i = 0; i < subjects->u.q.len; i++) {
		const kr_node *s = subjects->u.q.items[i];
		const kr_node *ns = kr_map_get(s, "namespace");
		const kr_node *kind = kr_map_get(s, "kind");
		if (!ns || !kr_scalar_is(kind, "ServiceAccount") || kind->tag != KR_TAG_STR)
			continue;
		if (ns->type != KR_SCALAR || ns->tag != KR_TAG_STR) {
			char *id = kr_resid_string(&ctx->arena, &r->cur);
			return kr_fail_at(ctx, KR_EINVALID, ns->file ? ns->file : "?",
			                  ns->line, ns->col,
			                  "Invalid Input: namespace is blank for resource "
			                  "\"%s\": a ServiceAccount subject's namespace must "
			                  "be a string", id ? id : r->cur.name);
		}
		if (f)
			f->rb_namespaces[f->nrb++] = ns->u.s.str;
	}
	return 0;
}

int kr_nameref_fix(kr_ctx *ctx, kr_resmap *m, const kr_tconfig *tc)
{
	name_index ix = { 0 };
	int rc;
	size_t renamed = 0;
	for (size_t i = 0; i < m->len; i++) {
		if ((rc = rolebinding_namespaces(ctx, m->items[i], NULL)) < 0)
			return rc;
		renamed += m->items[i]->nprev;
	}
	if (renamed == 0)
		return 0; /* nothing was renamed: no reference can change */
	if ((rc = index_build(ctx, &ix, m)) < 0)
		return rc;
	/* Objects by original effective namespace (cluster-scoped ones have
	 * none), for references that name a namespace. */
	name_index org_ns = { 0 };
	org_ns.nslots = 16;
	while (org_ns.nslots < m->len * 2 + 2)
		org_ns.nslots *= 2;
	org_ns.slots = kr_arena_zalloc(&ctx->arena, org_ns.nslots * sizeof(bucket));
	if (!org_ns.slots)
		return kr_nomem(ctx);
	for (size_t i = 0; i < m->len; i++) {
		const char *ns = org_effective_ns(m->items[i]);
		if (ns && index_add(ctx, &org_ns, ns, m->items[i]) < 0)
			return kr_nomem(ctx);
	}
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		const kr_resid *org = kr_resource_org_id(r);
		referrer f;
		memset(&f, 0, sizeof(f));
		f.ctx = ctx;
		f.r = r;
		f.ix = &ix;
		f.org_ns = &org_ns;
		int have_rb = 0;
		for (size_t e = 0; e < tc->name_reference_len; e++) {
			const kr_nameref *ent = &tc->name_reference[e];
			for (size_t j = 0; j < ent->specs.len; j++) {
				const kr_fieldspec *fs = &ent->specs.items[j];
				/* The spec selects referrers by their original id
				 * (group/version of the current apiVersion). */
				if (!gvk_selected(r->cur.group, r->cur.version, org->kind,
				                  fs->group, fs->version, fs->kind))
					continue;
				if (!have_rb) {
					if ((rc = rolebinding_namespaces(ctx, r, &f)) < 0)
						return rc;
					have_rb = 1;
				}
				f.tgroup = ent->group;
				f.tversion = ent->version;
				f.tkind = ent->kind;
				f.spec = fs;
				size_t plen = strlen(fs->path);
				f.roleref = plen >= 12 && !strcmp(fs->path + plen - 12, "roleRef/name");
				f.rr_group = f.rr_kind = NULL;
				if (f.roleref) {
					const kr_node *rr = kr_map_get(r->doc, "roleRef");
					const kr_node *g = kr_map_get(rr, "apiGroup");
					const kr_node *k = kr_map_get(rr, "kind");
					if (g && k && g->type == KR_SCALAR && k->type == KR_SCALAR) {
						f.rr_group = g->u.s.str;
						f.rr_kind = k->u.s.str;
					}
				}
				/* The walk ignores the spec's kind: kustomize sets it
				 * to the referrer's own. */
				kr_fieldspec any = *fs;
				any.group = any.version = any.kind = "";
				any.create = 0;
				visit_state vs = { &f, m };
				rc = kr_fieldspec_walk(ctx, r->doc, &any, KR_CREATE_NOTHING,
				                       visit_ref, &vs);
				if (rc < 0) {
					char *id = kr_resid_string(&ctx->arena, &r->cur);
					return kr_wrap(ctx, "updating name reference in '%s' field of '%s'",
					               fs->path, id ? id : r->cur.name);
				}
			}
		}
	}
	return 0;
}
