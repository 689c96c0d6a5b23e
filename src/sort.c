/*
 * sort.c - kustomize's legacy resource order (see sort.h).
 *
 * Mirrors legacyIDSorter in kustomize's api/internal/builtins/
 * SortOrderTransformer.go.  Sort keys are computed once per resource, then
 * one qsort; equal keys keep input order (Go's sort.Sort is not stable, but
 * equal keys only arise for ids kustomize would already have rejected).
 */
#include "sort.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct sort_item {
	kr_resource *r;
	size_t index;
	int order;            /* position from orderFirst/orderLast, 0 if none */
	const char *gvk;      /* "group_version_kind" with ~G/~V/~K for empty */
	const char *id;       /* "Kind.version.group|ns|name" */
	int is_namespace;
	int group_empty;
	uint32_t gvk_class;   /* equal for equal group, version and kind */
} sort_item;

/* Number the distinct (group, version, kind) of the items, so that a
 * comparison tells "same gvk" by one integer instead of three strcmp
 * (a sort makes n log n comparisons; a build has a few kinds). */
static int classify_gvks(kr_ctx *ctx, sort_item *items, size_t n)
{
	size_t nslots = 16;
	while (nslots < n * 2)
		nslots *= 2;
	sort_item **slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return kr_nomem(ctx);
	uint32_t classes = 0;
	for (size_t i = 0; i < n; i++) {
		const kr_resid *id = &items[i].r->cur;
		uint64_t h = XXH3_64bits(id->group, strlen(id->group) + 1);
		h = XXH3_64bits_withSeed(id->version, strlen(id->version) + 1, h);
		h = XXH3_64bits_withSeed(id->kind, strlen(id->kind) + 1, h);
		size_t s = (size_t)h & (nslots - 1);
		for (;; s = (s + 1) & (nslots - 1)) {
			sort_item *o = slots[s];
			if (!o) {
				slots[s] = &items[i];
				items[i].gvk_class = classes++;
				break;
			}
			const kr_resid *x = &o->r->cur;
			if (!strcmp(x->group, id->group) && !strcmp(x->version, id->version) &&
			    !strcmp(x->kind, id->kind)) {
				items[i].gvk_class = o->gvk_class;
				break;
			}
		}
	}
	free(slots);
	return 0;
}

static int kind_order(const kr_node *list, const char *kind, int is_first)
{
	if (!list)
		return 0;
	/* A kind listed twice takes its last position, as kustomize builds
	 * its map by assignment. */
	int found = 0, pos = 0;
	for (uint32_t i = 0; i < list->u.q.len; i++)
		if (kr_scalar_is(list->u.q.items[i], kind)) {
			found = 1;
			pos = (int)i;
		}
	if (!found)
		return 0;
	return is_first ? -(int)list->u.q.len + pos : 1 + pos;
}

/* qsort sorts pointers to the items: moving 8 bytes instead of a
 * sort_item (musl's smoothsort moves elements often). */
static int cmp_items(const void *pa, const void *pb)
{
	const sort_item *a = *(const sort_item *const *)pa;
	const sort_item *b = *(const sort_item *const *)pb;
	if (a->gvk_class != b->gvk_class) {
		if (a->order != b->order)
			return a->order < b->order ? -1 : 1;
		int c = strcmp(a->gvk, b->gvk);
		/* kustomize's gvkLessThan special case: two Namespace kinds, one
		 * of them without group, sort by the gvk string descending. */
		if (a->is_namespace && b->is_namespace && (a->group_empty || b->group_empty))
			c = -c;
		if (c)
			return c;
	} else {
		int c = strcmp(a->id, b->id);
		if (c)
			return c;
	}
	return a->index < b->index ? -1 : a->index > b->index;
}

int kr_sort_legacy(kr_ctx *ctx, kr_resmap *m, const kr_node *first,
                   const kr_node *last)
{
	if (m->len < 2)
		return 0;
	/* the arrays are the sort's alone: malloc'd and freed, not left in
	 * the build's arena */
	sort_item *items = malloc(m->len * sizeof(*items));
	sort_item **order = malloc(m->len * sizeof(*order));
	int rc = 0;
	if (!items || !order) {
		rc = kr_nomem(ctx);
		goto done;
	}
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		const kr_resid *id = &r->cur;
		sort_item *it = &items[i];
		it->r = r;
		it->index = i;
		int o = kind_order(first, id->kind, 1);
		int l = kind_order(last, id->kind, 0);
		/* kustomize fills the map from orderFirst, then orderLast; a kind
		 * in both takes its orderLast position. */
		it->order = l ? l : o;
		it->gvk = kr_arena_printf(&ctx->arena, "%s_%s_%s",
		                          id->group[0] ? id->group : "~G",
		                          id->version[0] ? id->version : "~V",
		                          id->kind[0] ? id->kind : "~K");
		it->id = kr_arena_printf(&ctx->arena, "%s.%s.%s|%s|%s",
		                         id->kind[0] ? id->kind : "[noKind]",
		                         id->version[0] ? id->version : "[noVer]",
		                         id->group[0] ? id->group : "[noGrp]",
		                         id->ns[0] ? id->ns : "~X",
		                         id->name[0] ? id->name : "~N");
		if (!it->gvk || !it->id) {
			rc = kr_nomem(ctx);
			goto done;
		}
		it->is_namespace = !strcmp(id->kind, "Namespace");
		it->group_empty = id->group[0] == '\0';
		order[i] = it;
	}
	if ((rc = classify_gvks(ctx, items, m->len)) < 0)
		goto done;
	qsort(order, m->len, sizeof(*order), cmp_items);
	for (size_t i = 0; i < m->len; i++)
		m->items[i] = order[i]->r;
	rc = kr_resmap_reindex(ctx, m);
done:
	free(items);
	free(order);
	return rc;
}

/* resid.Gvk.IsLessThan: kinds of orderFirst first, of orderLast last,
 * then by "group_version_kind" with ~G/~V/~K for empty parts. */
const char *const kr_default_order_first[] = {
	"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
	"ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole",
	"RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints",
	"Service", "LimitRange", "PriorityClass", "PersistentVolume",
	"PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob",
	"PodDisruptionBudget"
};
const char *const kr_default_order_last[] = {
	"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"
};
const size_t kr_default_order_first_len = NELEM(kr_default_order_first);
const size_t kr_default_order_last_len = NELEM(kr_default_order_last);

/* kr_kind_rank's perfect hash: slot (length * 6 + first letter) % 64 is
 * different for every listed kind, so a lookup is one slot and at most one
 * memcmp; sorting field specs and objects calls it thousands of times per
 * build.  The table repeats the lists above (generated from them; the
 * kind_rank unit test in tests/test_resmap.c checks every entry). */
typedef struct rank_slot {
	const char *kind;
	unsigned char len;
	signed char rank;
} rank_slot;

static const rank_slot rank_slots[64] = {
	[0] = { "Deployment", 10, -4 },
	[2] = { "PodDisruptionBudget", 19, -1 },
	[4] = { "Namespace", 9, -22 },
	[5] = { "ClusterRole", 11, -15 },
	[8] = { "LimitRange", 10, -8 },
	[10] = { "ValidatingWebhookConfiguration", 30, 2 },
	[14] = { "PersistentVolumeClaim", 21, -5 },
	[19] = { "CustomResourceDefinition", 24, -19 },
	[20] = { "RoleBinding", 11, -14 },
	[21] = { "StatefulSet", 11, -3 },
	[27] = { "StorageClass", 12, -20 },
	[30] = { "PriorityClass", 13, -7 },
	[32] = { "ResourceQuota", 13, -21 },
	[39] = { "ServiceAccount", 14, -18 },
	[42] = { "Role", 4, -16 },
	[45] = { "CronJob", 7, -2 },
	[47] = { "ClusterRoleBinding", 18, -13 },
	[48] = { "PersistentVolume", 16, -6 },
	[53] = { "MutatingWebhookConfiguration", 28, 1 },
	[54] = { "PodSecurityPolicy", 17, -17 },
	[55] = { "Secret", 6, -11 },
	[57] = { "ConfigMap", 9, -12 },
	[59] = { "Endpoints", 9, -10 },
	[61] = { "Service", 7, -9 },
};

int kr_kind_rank(const char *kind)
{
	size_t len = strnlen(kind, 31);
	const rank_slot *s = &rank_slots[(len * 6 + (unsigned char)kind[0]) % 64];
	if (s->len == len && s->kind && !memcmp(s->kind, kind, len))
		return s->rank;
	return 0;
}

/* Compare "group_version_kind" strings (empty parts as ~G, ~V, ~K)
 * without building them. */
typedef struct gvk_iter {
	const char *part[3];
	int i;
	const char *p;
} gvk_iter;

static void gvk_iter_init(gvk_iter *it, const char *g, const char *v, const char *k)
{
	it->part[0] = g[0] ? g : "~G";
	it->part[1] = v[0] ? v : "~V";
	it->part[2] = k[0] ? k : "~K";
	it->i = 0;
	it->p = it->part[0];
}

/* Next byte (as unsigned), or -1 at the end. */
static int gvk_next(gvk_iter *it)
{
	while (!*it->p) {
		if (it->i == 2)
			return -1;
		it->p = it->part[++it->i];
		return '_';
	}
	return (unsigned char)*it->p++;
}

int kr_gvk_less(const char *g1, const char *v1, const char *k1,
                    const char *g2, const char *v2, const char *k2)
{
	int o1 = kr_kind_rank(k1), o2 = kr_kind_rank(k2);
	if (o1 != o2)
		return o1 < o2;
	gvk_iter a, b;
	gvk_iter_init(&a, g1, v1, k1);
	gvk_iter_init(&b, g2, v2, k2);
	for (;;) {
		int ca = gvk_next(&a), cb = gvk_next(&b);
		if (ca != cb)
			return ca < cb;
		if (ca < 0)
			return 0;
	}
}

