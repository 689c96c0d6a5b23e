/*
 * configurations.c - `configurations:` and `crds:` of a kustomization, and
 * kustomize's way of merging transformer configurations (see
 * configurations.h).  Sources: api/internal/plugins/builtinconfig
 * (TransformerConfig, Merge, loadDefaultConfig), api/types/fieldspec.go
 * (FsSlice.MergeOne), kyaml/resid/gvk.go (IsLessThan), api/internal/
 * accumulator/loadconfigfromcrds.go and api/internal/target/kusttarget.go
 * (accumulateTarget).
 *
 * kustomize's accumulator starts with an empty configuration; the
 * configurations of sub-kustomizations merge into it, then this
 * kustomization's (the builtin one merged with its configuration files),
 * then the one its CRD files give.  Every Merge appends the incoming specs
 * that are not "effectively equal" to one already present, then *sorts*
 * every list by kind.  Merging a sorted list into an empty one can drop
 * specs or fail: with a user spec {kind: MyKind, path: metadata/labels,
 * create: true}, sorting puts it before the builtin {path: metadata/labels,
 * create: true}, which it then swallows, so commonLabels stop reaching the
 * metadata of every other kind (tr_configurations_swallow_generic); with
 * create false the same pair is a conflict error
 * (tr_configurations_err_sorted_conflict).
 *
 * Configuration files are decoded as sigs.k8s.io/yaml UnmarshalStrict does:
 * YAML 1.1 scalar types, duplicate keys are errors, field names match
 * case-insensitively, unknown fields are errors, and numbers or bools given
 * for string fields become strings.  CRD files are OpenAPI definitions
 * (type name -> {Schema, Dependencies}); only `properties` and `$ref` are
 * followed, and the x-kubernetes-* extensions count only when written in
 * lower case with a string value.
 */
#include "configurations.h"

#include "sort.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldspec.h"
#include "fsutil.h"
#include "kdecode.h"
#include "parse.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Where user specs came from, for error messages                      */

typedef struct origin {
	const char *path;   /* the spec's path string (identity) */
	const char *file;
	unsigned line, col;
} origin;

typedef struct origins {
	origin *items;
	size_t len, cap;
} origins;

static int origin_add(kr_ctx *ctx, origins *o, const char *path, const char *file,
                      const kr_node *at)
{
	if (!o)
		return 0;
	if (o->len == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 16;
		origin *p = kr_arena_grow(&ctx->arena, o->items, o->len * sizeof(*p),
		                          ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		o->items = p;
		o->cap = ncap;
	}
	origin *e = &o->items[o->len++];
	e->path = path;
	e->file = file;
	e->line = at ? at->line : 0;
	e->col = at ? at->col : 0;
	return 0;
}

static const origin *origin_of(const origins *o, const kr_fieldspec *fs)
{
	if (!o)
		return NULL;
	for (size_t i = 0; i < o->len; i++)
		if (o->items[i].path == fs->path)
			return &o->items[i];
	return NULL;
}

static char *spec_desc(kr_ctx *ctx, const kr_fieldspec *fs, const origins *o)
{
	const origin *w = origin_of(o, fs);
	char where[512];
	if (w && w->line)
		snprintf(where, sizeof(where), " from %s:%u:%u", w->file, w->line, w->col);
	else if (w)
		snprintf(where, sizeof(where), " from %s", w->file);
	else
		where[0] = '\0';
	return kr_arena_printf(&ctx->arena, "{%s%s%s%s%s%s%spath: %s, create: %s}%s",
	                       fs->group[0] ? "group: " : "", fs->group,
	                       fs->group[0] ? ", " : "",
	                       fs->version[0] ? "version: " : "", fs->version,
	                       fs->version[0] ? ", " : "",
	                       fs->kind[0] ? kr_arena_printf(&ctx->arena, "kind: %s, ",
	                                                     fs->kind) : "",
	                       fs->path, fs->create ? "true" : "false", where);
}

/* ------------------------------------------------------------------ */
/* Merging and sorting (TransformerConfig.Merge)                       */

/* FieldSpec.effectivelyEquals: `have` is selected by x's group, version
 * and kind (empty ones match anything), and the paths are equal. */
static int eff_equal(const kr_fieldspec *have, const kr_fieldspec *x)
{
	/* Specs copied from one another share their strings: compare
	 * pointers first. */
	if (have->path != x->path && strcmp(have->path, x->path))
		return 0;
	if (x->kind[0] && have->kind != x->kind && strcmp(have->kind, x->kind))
		return 0;
	if (x->group[0] && have->group != x->group && strcmp(have->group, x->group))
		return 0;
	if (x->version[0] && have->version != x->version &&
	    strcmp(have->version, x->version))
		return 0;
	return 1;
}

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* Chains of the indices of `l` by path, in ascending order, so that a
 * lookup finds the first effectively equal spec as a linear scan would.
 * Temporary: malloc'd and freed by the merge (no arena growth per merge). */
typedef struct path_index {
	int32_t *head, *tail, *next;
	size_t nb, cap;
} path_index;

static void index_free(path_index *ix)
{
	free(ix->head);
	free(ix->next);
	ix->head = ix->next = NULL;
}

static int index_add(kr_ctx *ctx, path_index *ix, const kr_fslist *l, size_t i)
{
	if (i >= ix->cap) {
		size_t ncap = ix->cap * 2 > i + 1 ? ix->cap * 2 : i + 16;
		int32_t *p = realloc(ix->next, ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		ix->next = p;
		ix->cap = ncap;
	}
	size_t b = str_hash(l->items[i].path) & (ix->nb - 1);
	ix->next[i] = -1;
	if (ix->tail[b] < 0)
		ix->head[b] = (int32_t)i;
	else
		ix->next[ix->tail[b]] = (int32_t)i;
	ix->tail[b] = (int32_t)i;
	return 0;
}

static int index_build(kr_ctx *ctx, path_index *ix, const kr_fslist *l, size_t expect)
{
	ix->nb = 16;
	while (ix->nb < expect * 2)
		ix->nb *= 2;
	ix->head = malloc(2 * ix->nb * sizeof(int32_t));
	ix->cap = expect + 16;
	ix->next = malloc(ix->cap * sizeof(int32_t));
	if (!ix->head || !ix->next) {
		index_free(ix);
		return kr_nomem(ctx);
	}
	ix->tail = ix->head + ix->nb;
	for (size_t b = 0; b < ix->nb; b++)
		ix->head[b] = ix->tail[b] = -1;
	for (size_t i = 0; i < l->len; i++)
		if (index_add(ctx, ix, l, i) < 0) {
			index_free(ix);
			return KR_ENOMEM;
		}
	return 0;
}

static long index_find(const path_index *ix, const kr_fslist *l, const kr_fieldspec *x)
{
	size_t b = str_hash(x->path) & (ix->nb - 1);
	for (int32_t i = ix->head[b]; i >= 0; i = ix->next[i])
		if (eff_equal(&l->items[i], x))
			return i;
	return -1;
}

/* Names kustomize's Merge uses in its messages, and the merge order. */
typedef struct list_field {
	const char *name;
	size_t off;
} list_field;

static const list_field merge_order[] = {
	{ "NamePrefix", offsetof(kr_tconfig, name_prefix) },
	{ "NameSuffix", offsetof(kr_tconfig, name_suffix) },
	{ "NameSpace", offsetof(kr_tconfig, name_space) },
	{ "CommonAnnotations", offsetof(kr_tconfig, common_annotations) },
	{ "CommonLabels", offsetof(kr_tconfig, common_labels) },
	{ "Labels", offsetof(kr_tconfig, labels) },
	{ "TemplateLabels", offsetof(kr_tconfig, template_labels) },
	{ "VarReference", offsetof(kr_tconfig, var_reference) },
	{ NULL, 0 },            /* NameReference */
	{ "Images", offsetof(kr_tconfig, images) },
	{ "Replicas", offsetof(kr_tconfig, replicas) },
};

#define LIST(tc, off) ((kr_fslist *)((char *)(tc) + (off)))

/* The "conflicting fieldspecs" error for incoming `x` and present `have`. */
static int conflict(kr_ctx *ctx, const kr_fieldspec *x, const kr_fieldspec *have,
                    const char *what, const origins *o)
{
	char *a = spec_desc(ctx, x, o), *b = spec_desc(ctx, have, o);
	const origin *w = origin_of(o, x);
	if (!w || !w->line)
		w = origin_of(o, have);
#define CONFLICT "failed to merge %s fieldSpec: conflicting fieldspecs: %s " \
                 "conflicts with %s"
	if (w && w->line)
		return kr_fail_at(ctx, KR_EINVALID, w->file, w->line, w->col, CONFLICT,
		                  what, a ? a : x->path, b ? b : have->path);
	return kr_fail(ctx, KR_EINVALID, CONFLICT, what, a ? a : x->path,
	               b ? b : have->path);
#undef CONFLICT
}

/* FsSlice.MergeAll of `src` into `dst`. */
static int merge_list(kr_ctx *ctx, kr_fslist *dst, const kr_fslist *src,
                      const char *what, const origins *o)
{
	path_index ix;
	int use_index = dst->len > 8 && src->len > 2;
	int rc = 0;
	if (!src->len)
		return 0;
	/* The common case: a sub-kustomization's list is the same copy of the
	 * builtin one the parent has (often the same shared array), entry for
	 * entry; nothing to add. */
	if (dst->len == src->len &&
	    (dst->items == src->items ||
	     !memcmp(dst->items, src->items, src->len * sizeof(*src->items))))
		return 0;
	if (use_index && index_build(ctx, &ix, dst, dst->len + src->len) < 0)
		return KR_ENOMEM;
	for (size_t i = 0; i < src->len && rc == 0; i++) {
		const kr_fieldspec *x = &src->items[i];
		long at = -1;
		if (use_index) {
			at = index_find(&ix, dst, x);
		} else {
			for (size_t j = 0; j < dst->len; j++)
				if (eff_equal(&dst->items[j], x)) {
					at = (long)j;
					break;
				}
		}
		if (at >= 0) {
			if (!dst->items[at].create != !x->create)
				rc = conflict(ctx, x, &dst->items[at], what, o);
			continue;
		}
		if ((rc = kr_fslist_push(ctx, dst, x)) < 0)
			break;
		if (use_index)
			rc = index_add(ctx, &ix, dst, dst->len - 1);
	}
	if (use_index)
		index_free(&ix);
	return rc;
}

/* Room for one more name-reference entry. */
static int nameref_reserve(kr_ctx *ctx, kr_tconfig *tc)
{
	if (tc->name_reference_len < tc->name_reference_cap)
		return 0;
	int borrowed = tc->name_reference_cap < tc->name_reference_len;
	size_t ncap = tc->name_reference_cap ? tc->name_reference_cap * 2 : 16;
	while (ncap <= tc->name_reference_len)
		ncap *= 2;
	kr_nameref *p = kr_arena_grow(&ctx->arena, tc->name_reference,
	                              tc->name_reference_len * sizeof(*p),
	                              ncap * sizeof(*p));
	if (!p)
		return kr_nomem(ctx);
	tc->name_reference = p;
	tc->name_reference_cap = ncap;
	/* the entries' spec lists stay shared until they change */
	if (borrowed)
		for (size_t i = 0; i < tc->name_reference_len; i++)
			tc->name_reference[i].specs.cap = 0;
	return 0;
}

/* nbrSlice.mergeOne: the referrers join every entry of the same target;
 * a new target is appended with its referrers as they are.  A new entry
 * shares e's specs, which must live in the arena and not change. */
static int nameref_merge_one(kr_ctx *ctx, kr_tconfig *dst, const kr_nameref *e,
                             const origins *o)
{
	int found = 0;
	for (size_t i = 0; i < dst->name_reference_len; i++) {
		kr_nameref *c = &dst->name_reference[i];
		if (strcmp(c->kind, e->kind) || strcmp(c->group, e->group) ||
		    strcmp(c->version, e->version))
			continue;
		found = 1;
		if (c->specs.len == e->specs.len && c->specs.items == e->specs.items)
			continue; /* the same shared list: nothing to add */
		if (dst->name_reference_cap < dst->name_reference_len) {
			/* borrowed: copy the array before changing an entry */
			if (nameref_reserve(ctx, dst) < 0)
				return KR_ENOMEM;
			c = &dst->name_reference[i];
		}
		int rc = merge_list(ctx, &c->specs, &e->specs, "NameReference", o);
		if (rc < 0)
			return rc;
	}
	if (found)
		return 0;
	if (nameref_reserve(ctx, dst) < 0)
		return KR_ENOMEM;
	kr_nameref *n = &dst->name_reference[dst->name_reference_len++];
	n->group = e->group;
	n->version = e->version;
	n->kind = e->kind;
	/* shared until it changes (`e` is a finished configuration) */
	n->specs = e->specs;
	n->specs.cap = 0;
	return 0;
}

static int fs_less(const void *a, const void *b)
{
	const kr_fieldspec *x = a, *y = b;
	return kr_gvk_less(x->group, x->version, x->kind, y->group, y->version, y->kind);
}

static int nr_less(const void *a, const void *b)
{
	const kr_nameref *x = a, *y = b;
	return kr_gvk_less(x->group, x->version, x->kind, y->group, y->version, y->kind);
}

/* Stable merge sort of `n` elements of `size` bytes (sort.Sort's order
 * for kustomize's lists; the order among equal kinds does not change what
 * merges keep).  Already sorted arrays are left alone. */
static int stable_sort(kr_ctx *ctx, void *base, size_t n, size_t size,
                       int (*less)(const void *, const void *))
{
	char *a = base;
	size_t i;
	for (i = 1; i < n; i++)
		if (less(a + i * size, a + (i - 1) * size))
			break;
	if (i >= n)
		return 0;
	char *tmp = malloc(n * size);
	if (!tmp)
		return kr_nomem(ctx);
	/* bottom-up merge sort between a and tmp */
	char *src = a, *dst = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t l = lo, r = mid, o = lo;
			while (l < mid && r < hi) {
				if (less(src + r * size, src + l * size))
					memcpy(dst + o++ * size, src + r++ * size, size);
				else
					memcpy(dst + o++ * size, src + l++ * size, size);
			}
			while (l < mid)
				memcpy(dst + o++ * size, src + l++ * size, size);
			while (r < hi)
				memcpy(dst + o++ * size, src + r++ * size, size);
		}
		char *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * size);
	free(tmp);
	return 0;
}

/* TransformerConfig.sortFields */
static int sort_config(kr_ctx *ctx, kr_tconfig *tc)
{
	for (size_t i = 0; i < NELEM(merge_order); i++) {
		kr_fslist *l;
		if (!merge_order[i].name)
			continue;
		l = LIST(tc, merge_order[i].off);
		if (stable_sort(ctx, l->items, l->len, sizeof(*l->items), fs_less) < 0)
			return KR_ENOMEM;
	}
	return stable_sort(ctx, tc->name_reference, tc->name_reference_len,
	                   sizeof(*tc->name_reference), nr_less);
}

static int merge_config(kr_ctx *ctx, kr_tconfig *acc, const kr_tconfig *in,
                        const origins *o);

/* TransformerConfig.Merge: merge, then sort.  Every configuration that
 * reaches here as `acc` is empty or the sorted result of an earlier
 * merge, so a list that gained nothing needs no sorting again (this runs
 * once per kustomization and once per sub-kustomization absorbed). */
static int merge_config_full(kr_ctx *ctx, kr_tconfig *acc, const kr_tconfig *in,
                             const origins *o)
{
	int rc;
	size_t before[NELEM(merge_order)];
	for (size_t i = 0; i < NELEM(merge_order); i++) {
		const list_field *f = &merge_order[i];
		if (f->name) {
			before[i] = LIST(acc, f->off)->len;
			rc = merge_list(ctx, LIST(acc, f->off), LIST(in, f->off), f->name, o);
		} else {
			before[i] = acc->name_reference_len;
			rc = 0;
			for (size_t j = 0; j < in->name_reference_len && rc >= 0; j++)
				rc = nameref_merge_one(ctx, acc, &in->name_reference[j], o);
		}
		if (rc < 0)
			return rc;
	}
	/* sortFields, for the lists that grew */
	for (size_t i = 0; i < NELEM(merge_order); i++) {
		const list_field *f = &merge_order[i];
		if (f->name) {
			kr_fslist *l = LIST(acc, f->off);
			if (l->len != before[i] &&
			    stable_sort(ctx, l->items, l->len, sizeof(*l->items), fs_less) < 0)
				return KR_ENOMEM;
		} else if (acc->name_reference_len != before[i] &&
		           stable_sort(ctx, acc->name_reference, acc->name_reference_len,
		                       sizeof(*acc->name_reference), nr_less) < 0) {
			return KR_ENOMEM;
		}
	}
	return 0;
}

int kr_tconfig_accumulate(kr_ctx *ctx, kr_tconfig *acc, const kr_tconfig *in)
{
	return merge_config(ctx, acc, in, NULL);
}

/* The builtin configuration as kustomize reads it from its YAML (every
 * entry as written, nothing merged), sorted. */
static const struct {
	size_t off;
	const kr_fieldspec *specs;
	const size_t *len;
} builtin_tables[] = {
	{ offsetof(kr_tconfig, name_prefix), kr_builtin_name_prefix, &kr_builtin_name_prefix_len },
	{ offsetof(kr_tconfig, name_suffix), kr_builtin_name_suffix, &kr_builtin_name_suffix_len },
	{ offsetof(kr_tconfig, name_space), kr_builtin_namespace, &kr_builtin_namespace_len },
	{ offsetof(kr_tconfig, common_labels), kr_builtin_common_labels, &kr_builtin_common_labels_len },
	{ offsetof(kr_tconfig, template_labels), kr_builtin_template_labels, &kr_builtin_template_labels_len },
	{ offsetof(kr_tconfig, common_annotations), kr_builtin_common_annotations, &kr_builtin_common_annotations_len },
	{ offsetof(kr_tconfig, var_reference), kr_builtin_var_reference, &kr_builtin_var_reference_len },
	{ offsetof(kr_tconfig, images), kr_builtin_images, &kr_builtin_images_len },
	{ offsetof(kr_tconfig, replicas), kr_builtin_replicas, &kr_builtin_replicas_len },
};

/* kustomize's builtin configuration as it loads it: the tables copied,
 * then sorted (sortFields).  Only test_configurations does this now
 * (builtin_is_canonical), to check that the tables are already in that
 * order. */
static int builtin_config_sorted(kr_ctx *ctx, kr_tconfig *tc)
{
	memset(tc, 0, sizeof(*tc));
	for (size_t t = 0; t < NELEM(builtin_tables); t++) {
		kr_fslist *l = LIST(tc, builtin_tables[t].off);
		size_t n = *builtin_tables[t].len;
		l->items = kr_arena_alloc(&ctx->arena, (n ? n : 1) * sizeof(*l->items));
		if (!l->items)
			return kr_nomem(ctx);
		memcpy(l->items, builtin_tables[t].specs, n * sizeof(*l->items));
		l->len = l->cap = n;
	}
	size_t n = kr_builtin_namereference_len;
	tc->name_reference = kr_arena_zalloc(&ctx->arena, n * sizeof(kr_nameref));
	if (!tc->name_reference)
		return kr_nomem(ctx);
	tc->name_reference_cap = n;
	for (size_t i = 0; i < n; i++) {
		const kr_nameref_entry *e = &kr_builtin_namereference[i];
		kr_nameref *d = &tc->name_reference[tc->name_reference_len++];
		d->group = e->group;
		d->version = e->version;
		d->kind = e->kind;
		d->specs.items = kr_arena_alloc(&ctx->arena, (e->nspecs ? e->nspecs : 1) *
		                                sizeof(*d->specs.items));
		if (!d->specs.items)
			return kr_nomem(ctx);
		memcpy(d->specs.items, e->specs, e->nspecs * sizeof(*d->specs.items));
		d->specs.len = d->specs.cap = e->nspecs;
	}
	return sort_config(ctx, tc);
}

/* The builtin configuration straight from the tables, which are kept in
 * kustomize's sorted order (fieldspec_tables.c): every list borrows its
 * table (read-only, copied by its first change). */
static int builtin_config(kr_ctx *ctx, kr_tconfig *tc)
{
	memset(tc, 0, sizeof(*tc));
	for (size_t t = 0; t < NELEM(builtin_tables); t++) {
		kr_fslist *l = LIST(tc, builtin_tables[t].off);
		l->items = (kr_fieldspec *)builtin_tables[t].specs;
		l->len = *builtin_tables[t].len;
		l->cap = 0;     /* borrowed */
	}
	size_t n = kr_builtin_namereference_len;
	tc->name_reference = kr_arena_zalloc(&ctx->arena, n * sizeof(kr_nameref));
	if (!tc->name_reference)
		return kr_nomem(ctx);
	for (size_t i = 0; i < n; i++) {
		const kr_nameref_entry *e = &kr_builtin_namereference[i];
		kr_nameref *d = &tc->name_reference[i];
		d->group = e->group;
		d->version = e->version;
		d->kind = e->kind;
		d->specs.items = (kr_fieldspec *)e->specs;
		d->specs.len = e->nspecs;
		d->specs.cap = 0;
	}
	tc->name_reference_len = n;
	tc->name_reference_cap = 0;
	return 0;
}

/* A configuration that shares src's arrays (copy on write: the lists and
 * the name-reference array are marked borrowed, and the first change
 * copies them).  Every kustomization starts from the builtin
 * configuration; copying it each time was most of the fresh memory a
 * build touched. */
static void tconfig_borrow(kr_tconfig *dst, const kr_tconfig *src)
{
	*dst = *src;
	for (size_t i = 0; i < NELEM(merge_order); i++)
		if (merge_order[i].name)
			LIST(dst, merge_order[i].off)->cap = 0;
	dst->name_reference_cap = 0;
}

static int tconfig_is_empty(const kr_tconfig *tc)
{
	for (size_t i = 0; i < NELEM(merge_order); i++)
		if (merge_order[i].name && LIST(tc, merge_order[i].off)->len)
			return 0;
	return tc->name_reference_len == 0;
}

/* The builtin configuration sorted, and merged into an empty one, depend
 * on constant tables only: made once per process (lock-free: a thread
 * that loses the race frees its copy) and copied from then on. */
typedef struct builtin_cache {
	kr_ctx ctx;
	kr_tconfig sorted;  /* builtin_config() */
	kr_tconfig merged;  /* Merge({}, sorted) */
} builtin_cache;

static _Atomic(builtin_cache *) the_cache;

static int same_list(const kr_fslist *a, const kr_fslist *b)
{
	return a->len == b->len &&
	       (a->items == b->items || !memcmp(a->items, b->items, a->len * sizeof(*a->items)));
}

/* Equal entry for entry (`shared`: the very same arrays). */
static int tconfig_equal(const kr_tconfig *a, const kr_tconfig *b, int shared)
{
	for (size_t i = 0; i < NELEM(merge_order); i++) {
		if (!merge_order[i].name)
			continue;
		const kr_fslist *x = LIST(a, merge_order[i].off), *y = LIST(b, merge_order[i].off);
		if (shared ? x->len != y->len || x->items != y->items : !same_list(x, y))
			return 0;
	}
	if (a->name_reference_len != b->name_reference_len)
		return 0;
	if (shared)
		return a->name_reference == b->name_reference;
	for (size_t i = 0; i < a->name_reference_len; i++) {
		const kr_nameref *x = &a->name_reference[i], *y = &b->name_reference[i];
		if (strcmp(x->group, y->group) || strcmp(x->version, y->version) ||
		    strcmp(x->kind, y->kind) || !same_list(&x->specs, &y->specs))
			return 0;
	}
	return 1;
}

/* Merge({}, merged) == merged and Merge(merged, sorted) == merged: a
 * property of the constant builtin tables that merge_config relies on to
 * skip those merges.  Checking it takes as long as building the cache, so
 * a unit test (test_configurations) checks it instead of every process. */
static int builtin_is_stable(const builtin_cache *c, kr_ctx *ctx)
{
	kr_tconfig t;
	memset(&t, 0, sizeof(t));
	if (merge_config_full(ctx, &t, &c->merged, NULL) < 0 ||
	    !tconfig_equal(&t, &c->merged, 0))
		return 0;
	tconfig_borrow(&t, &c->merged);
	if (merge_config_full(ctx, &t, &c->sorted, NULL) < 0 ||
	    !tconfig_equal(&t, &c->merged, 0))
		return 0;
	return 1;
}

static const builtin_cache *get_builtin_cache(void)
{
	builtin_cache *c = atomic_load_explicit(&the_cache, memory_order_acquire);
	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	kr_ctx_init(&c->ctx, NULL);
	c->ctx.arena.small = 1; /* ~50 KiB for the life of the process */
	/* the tables are sorted and merged already: Merge({}, sorted) is
	 * sorted itself (builtin_is_canonical) */
	if (builtin_config(&c->ctx, &c->sorted) < 0) {
		kr_ctx_free(&c->ctx);
		free(c);
		return NULL;
	}
	tconfig_borrow(&c->merged, &c->sorted);
	builtin_cache *expected = NULL;
	if (!atomic_compare_exchange_strong_explicit(&the_cache, &expected, c,
	                                             memory_order_acq_rel,
	                                             memory_order_acquire)) {
		kr_ctx_free(&c->ctx);
		free(c);
		return expected;
	}
	return c;
}

int kr_tconfig_is_builtin(const kr_tconfig *tc)
{
	const builtin_cache *bc = get_builtin_cache();
	return bc && tconfig_equal(tc, &bc->merged, 1);
}

int kr_tconfig_set_builtin(kr_ctx *ctx, kr_tconfig *tc)
{
	const builtin_cache *bc = get_builtin_cache();
	if (!bc)
		return kr_nomem(ctx);
	tconfig_borrow(tc, &bc->merged);
	return 0;
}

int kr_tconfig_builtin_is_stable(kr_ctx *ctx)
{
	const builtin_cache *bc = get_builtin_cache();
	return bc && builtin_is_stable(bc, ctx);
}

/* The builtin configuration kustomize's way (tables sorted, then merged
 * into an empty one) equals the tables as they are. */
int kr_tconfig_builtin_is_canonical(kr_ctx *ctx)
{
	const builtin_cache *bc = get_builtin_cache();
	kr_tconfig sorted, merged;
	memset(&merged, 0, sizeof(merged));
	return bc && builtin_config_sorted(ctx, &sorted) == 0 &&
	       merge_config_full(ctx, &merged, &sorted, NULL) == 0 &&
	       tconfig_equal(&sorted, &bc->sorted, 0) &&
	       tconfig_equal(&merged, &bc->merged, 0);
}

/* TransformerConfig.Merge, skipping the merges whose result is known:
 * most kustomizations have no configuration of their own, so their
 * configurations are all the builtin one (shared, see tconfig_borrow),
 * and merging it into itself or into an empty one changes nothing. */
static int merge_config(kr_ctx *ctx, kr_tconfig *acc, const kr_tconfig *in,
                        const origins *o)
{
	const builtin_cache *bc = get_builtin_cache();
	if (bc) {
		int acc_builtin = tconfig_equal(acc, &bc->merged, 1);
		if (tconfig_equal(in, &bc->merged, 1) && (acc_builtin || tconfig_is_empty(acc))) {
			if (!acc_builtin)
				tconfig_borrow(acc, &bc->merged);
			return 0;
		}
		if (acc_builtin && in == &bc->sorted)
			return 0;
	}
	return merge_config_full(ctx, acc, in, o);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* kustomize's fileloader Load(path) of a kustomization's `field` entry. */
static int load_entry(kr_ctx *ctx, const kr_kustomization *k, const char *field,
                      const kr_node *entry, const char **display, char **data,
                      size_t *len)
{
	const char *rel = kr_y11_is_null(entry) ? "" : entry->u.s.str;
	int rc = kr_kust_read_file(ctx, k, entry, rel, data, len, display);
	if (rc == KR_ENOTFOUND && kr_path_looks_remote(rel))
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "%s: remote file '%s' is not supported by this "
		                  "version of krender yet", field, rel);
	if (rc < 0)
		return kr_wrap(ctx, "%s", field);
	return 0;
}

/* The entries of `configurations` or `crds`: a list of YAML 1.1 strings
 * (`configurations: [5]` is an error), or NULL. */
static int string_list(kr_ctx *ctx, const kr_kustomization *k, const char *field,
                       const kr_node **out)
{
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof)
		return kr_nomem(ctx);
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, field), field,
	                             "a list of strings", gof, "[]string", out);
	for (uint32_t i = 0; rc == 0 && *out && i < (*out)->u.q.len; i++) {
		const char *s = "";
		char *what = kr_arena_printf(&ctx->arena, "%s[%u]", field, i);
		if (!what)
			return kr_nomem(ctx);
		rc = kr_kust_decode_string(ctx, k, (*out)->u.q.items[i], what, gof, &s);
	}
	if (rc < 0)
		*out = NULL;
	return rc;
}

/* A mapping key as sigs.k8s.io/yaml turns it into a JSON object key. */
static const char *key_text(kr_arena *a, const kr_node *key)
{
	return kr_y11_as_string(a, key);
}

/* ------------------------------------------------------------------ */
/* Configuration files                                                 */

typedef struct cfg_parse {
	kr_ctx *ctx;
	const char *file;
	origins *o;
} cfg_parse;

static int cfg_error(cfg_parse *p, const kr_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfg_error(cfg_parse *p, const kr_node *at, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return kr_fail_at(p->ctx, KR_EINVALID, p->file, at->line, at->col, "%s", buf);
}

/* One types.FieldSpec.  `where` names the list for messages. */
static int parse_fieldspec(cfg_parse *p, const kr_node *n, const char *where,
                           kr_fieldspec *fs)
{
	kr_ctx *ctx = p->ctx;
	fs->group = fs->version = fs->kind = "";
	fs->path = kr_arena_strdup(&ctx->arena, "");
	fs->create = 0;
	if (!fs->path)
		return kr_nomem(ctx);
	if (kr_y11_is_null(n))
		return origin_add(ctx, p->o, fs->path, p->file, n);
	if (n->type != KR_MAP)
		return cfg_error(p, n, "json: cannot unmarshal %s into Go struct field "
		                 "%s of type %s", kr_y11_json_kind(n), where, "types.FieldSpec");
	for (uint32_t i = 0; i < n->u.m.len; i++) {
		const kr_pair *kv = &n->u.m.items[i];
		const char *key = key_text(&ctx->arena, kv->key);
		const kr_node *v = kv->value;
		if (!key)
			return kr_nomem(ctx);
		const char **dst = NULL;
		if (!strcasecmp(key, "group"))
			dst = &fs->group;
		else if (!strcasecmp(key, "version"))
			dst = &fs->version;
		else if (!strcasecmp(key, "kind"))
			dst = &fs->kind;
		else if (!strcasecmp(key, "path"))
			dst = &fs->path;
		else if (strcasecmp(key, "create"))
			return cfg_error(p, kv->key, "json: unknown field \"%s\"", key);
		if (dst) {
			if (v->type != KR_SCALAR)
				return cfg_error(p, v, "json: cannot unmarshal %s into Go struct "
				                 "field FieldSpec.%s of type string", kr_y11_json_kind(v),
				                 key);
			if (kr_y11_is_null(v))
				continue;   /* JSON null leaves a Go string as it was */
			const char *s = kr_y11_as_string(&ctx->arena, v);
			if (!s)
				return kr_nomem(ctx);
			*dst = s;
			continue;
		}
		/* create: a bool; null leaves it as it was. */
		kr_y11_value yv;
		kr_y11_type t = kr_y11_value_of(v, &yv);
		if (t == KR_Y11_NULL)
			continue;
		if (t != KR_Y11_BOOL)
			return cfg_error(p, v, "json: cannot unmarshal %s into Go struct field "
			                 "FieldSpec.%s.create of type bool", kr_y11_json_kind(v),
			                 where);
		fs->create = yv.b;
	}
	/* A unique copy of the path identifies the spec's origin. */
	fs->path = kr_arena_strdup(&ctx->arena, fs->path);
	if (!fs->path)
		return kr_nomem(ctx);
	return origin_add(ctx, p->o, fs->path, p->file, n);
}

static int parse_fslist(cfg_parse *p, const kr_node *n, const char *where,
                        kr_fslist *out)
{
	if (kr_y11_is_null(n))
		return 0;
	if (n->type != KR_SEQ)
		return cfg_error(p, n, "json: cannot unmarshal %s into Go struct field %s "
		                 "of type %s", kr_y11_json_kind(n), where, "types.FsSlice");
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		kr_fieldspec fs;
		int rc = parse_fieldspec(p, n->u.q.items[i], where, &fs);
		if (rc < 0)
			return rc;
		if (kr_fslist_push(p->ctx, out, &fs) < 0)
			return KR_ENOMEM;
	}
	return 0;
}

static int parse_namerefs(cfg_parse *p, const kr_node *n, kr_tconfig *tc)
{
	kr_ctx *ctx = p->ctx;
	if (kr_y11_is_null(n))
		return 0;
	if (n->type != KR_SEQ)
		return cfg_error(p, n, "json: cannot unmarshal %s into Go struct field %s "
		                 "of type %s", kr_y11_json_kind(n),
		                 "TransformerConfig.nameReference", "builtinconfig.nbrSlice");
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		const kr_node *e = n->u.q.items[i];
		kr_nameref nr;
		memset(&nr, 0, sizeof(nr));
		nr.group = nr.version = nr.kind = "";
		if (!kr_y11_is_null(e) && e->type != KR_MAP)
			return cfg_error(p, e, "json: cannot unmarshal %s into Go struct field "
			                 "%s of type %s", kr_y11_json_kind(e),
			                 "TransformerConfig.nameReference",
			                 "builtinconfig.NameBackReferences");
		for (uint32_t j = 0; !kr_y11_is_null(e) && j < e->u.m.len; j++) {
			const kr_pair *kv = &e->u.m.items[j];
			const char *key = key_text(&ctx->arena, kv->key);
			const kr_node *v = kv->value;
			if (!key)
				return kr_nomem(ctx);
			const char **dst = NULL;
			if (!strcasecmp(key, "group"))
				dst = &nr.group;
			else if (!strcasecmp(key, "version"))
				dst = &nr.version;
			else if (!strcasecmp(key, "kind"))
				dst = &nr.kind;
			else if (!strcasecmp(key, "fieldSpecs")) {
				memset(&nr.specs, 0, sizeof(nr.specs));
				int rc = parse_fslist(p, v, "NameBackReferences.fieldSpecs",
				                      &nr.specs);
				if (rc < 0)
					return rc;
				continue;
			} else {
				return cfg_error(p, kv->key, "json: unknown field \"%s\"", key);
			}
			if (v->type != KR_SCALAR)
				return cfg_error(p, v, "json: cannot unmarshal %s into Go struct "
				                 "field NameBackReferences.%s of type string",
				                 kr_y11_json_kind(v), key);
			if (kr_y11_is_null(v))
				continue;
			if (!(*dst = kr_y11_as_string(&ctx->arena, v)))
				return kr_nomem(ctx);
		}
		/* Appended as it is: the nbrSlice of one file is not merged. */
		if (nameref_reserve(ctx, tc) < 0)
			return KR_ENOMEM;
		tc->name_reference[tc->name_reference_len++] = nr;
	}
	return 0;
}

static const struct {
	const char *name;
	size_t off;
} config_fields[] = {
	{ "namePrefix", offsetof(kr_tconfig, name_prefix) },
	{ "nameSuffix", offsetof(kr_tconfig, name_suffix) },
	{ "namespace", offsetof(kr_tconfig, name_space) },
	{ "commonLabels", offsetof(kr_tconfig, common_labels) },
	{ "labels", offsetof(kr_tconfig, labels) },
	{ "templateLabels", offsetof(kr_tconfig, template_labels) },
	{ "commonAnnotations", offsetof(kr_tconfig, common_annotations) },
	{ "varReference", offsetof(kr_tconfig, var_reference) },
	{ "images", offsetof(kr_tconfig, images) },
	{ "replicas", offsetof(kr_tconfig, replicas) },
};

/* makeTransformerConfigFromBytes: a TransformerConfig, sorted. */
static int parse_config(kr_ctx *ctx, const char *file, const char *data, size_t len,
                        origins *o, kr_tconfig *tc)
{
	kr_doclist docs = { 0 };
	int rc = kr_yaml_parse(ctx, file, data, len, KR_YAML_FIRST_DOC_ONLY, &docs);
	memset(tc, 0, sizeof(*tc));
	if (rc < 0)
		return rc;
	if (docs.len == 0 || kr_y11_is_null(docs.docs[0]))
		return 0;
	const kr_node *doc = docs.docs[0];
	cfg_parse p = { ctx, file, o };
	if (doc->type != KR_MAP)
		return cfg_error(&p, doc, "json: cannot unmarshal %s into Go value of "
		                 "type builtinconfig.TransformerConfig", kr_y11_json_kind(doc));
	for (uint32_t i = 0; i < doc->u.m.len; i++) {
		const kr_pair *kv = &doc->u.m.items[i];
		const char *key = key_text(&ctx->arena, kv->key);
		if (!key)
			return kr_nomem(ctx);
		if (!strcasecmp(key, "nameReference")) {
			/* A later key of the same name replaces the list. */
			tc->name_reference_len = 0;
			if ((rc = parse_namerefs(&p, kv->value, tc)) < 0)
				return rc;
			continue;
		}
		size_t f;
		for (f = 0; f < NELEM(config_fields); f++)
			if (!strcasecmp(key, config_fields[f].name))
				break;
		if (f == NELEM(config_fields))
			return cfg_error(&p, kv->key, "json: unknown field \"%s\"", key);
		kr_fslist *l = LIST(tc, config_fields[f].off);
		memset(l, 0, sizeof(*l));
		char *where = kr_arena_printf(&ctx->arena, "TransformerConfig.%s",
		                              config_fields[f].name);
		if (!where)
			return kr_nomem(ctx);
		if ((rc = parse_fslist(&p, kv->value, where, l)) < 0)
			return rc;
	}
	return sort_config(ctx, tc);
}

/* ------------------------------------------------------------------ */
/* CRD files                                                           */

typedef struct crd_parse {
	kr_ctx *ctx;
	const char *file;
	origins *o;
	const kr_node *defs;   /* type name -> OpenAPIDefinition */
} crd_parse;

static int crd_error(crd_parse *p, const kr_node *at, const char *what)
{
	return kr_fail_at(p->ctx, KR_EINVALID, p->file, at->line, at->col,
	                  "unable to parse open API definition: json: cannot "
	                  "unmarshal %s into Go value of type %s", kr_y11_json_kind(at),
	                  what);
}

/* The Schema of a definition (its "Schema" member, matched
 * case-insensitively, the last one winning), or NULL. */
static const kr_node *def_schema(crd_parse *p, const kr_node *def)
{
	const kr_node *s = NULL;
	if (kr_y11_is_null(def))
		return NULL;
	for (uint32_t i = 0; i < def->u.m.len; i++) {
		const char *key = key_text(&p->ctx->arena, def->u.m.items[i].key);
		if (key && !strcasecmp(key, "schema"))
			s = def->u.m.items[i].value;
	}
	return kr_y11_is_null(s) ? NULL : s;
}

/* Check the shapes the decoder insists on: definitions are objects, a
 * Schema is an object, its properties an object of Schemas. */
static int check_schema(crd_parse *p, const kr_node *s, unsigned depth)
{
	if (kr_y11_is_null(s))
		return 0;
	if (s->type != KR_MAP)
		return crd_error(p, s, "spec.Schema");
	if (depth > 200)
		return kr_fail_at(p->ctx, KR_ELIMIT, p->file, s->line, s->col,
		                  "OpenAPI schema nested too deeply");
	const kr_node *props = kr_map_get(s, "properties");
	if (kr_y11_is_null(props))
		return 0;
	if (props->type != KR_MAP)
		return crd_error(p, props, "map[string]spec.Schema");
	for (uint32_t i = 0; i < props->u.m.len; i++) {
		int rc = check_schema(p, props->u.m.items[i].value, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int check_defs(crd_parse *p)
{
	const kr_node *defs = p->defs;
	if (defs->type != KR_MAP)
		return crd_error(p, defs, "accumulator.nameToApiMap");
	for (uint32_t i = 0; i < defs->u.m.len; i++) {
		const kr_node *def = defs->u.m.items[i].value;
		if (kr_y11_is_null(def))
			continue;
		if (def->type != KR_MAP)
			return crd_error(p, def, "accumulator.OpenAPIDefinition");
		for (uint32_t j = 0; j < def->u.m.len; j++) {
			const char *key = key_text(&p->ctx->arena, def->u.m.items[j].key);
			const kr_node *v = def->u.m.items[j].value;
			if (!key)
				return kr_nomem(p->ctx);
			if (!strcasecmp(key, "dependencies") && !kr_y11_is_null(v) &&
			    v->type != KR_SEQ)
				return crd_error(p, v, "[]string");
		}
		int rc = check_schema(p, def_schema(p, def), 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Extensions.GetString: the member named exactly `name` (lower case) with
 * a string value. */
static const char *ext_string(crd_parse *p, const kr_node *schema, const char *name)
{
	const kr_node *v = kr_map_get(schema, name);
	if (!v || v->type != KR_SCALAR || kr_y11_type_of(v) != KR_Y11_STR)
		return NULL;
	return v->u.s.str;
}

typedef struct crd_path {
	const char *seg[256];
	size_t n;
} crd_path;

static char *join_path(kr_ctx *ctx, const crd_path *path, const char *last,
                       const char *last2)
{
	size_t len = 1;
	for (size_t i = 0; i < path->n; i++)
		len += strlen(path->seg[i]) + 1;
	len += strlen(last) + 1 + (last2 ? strlen(last2) + 1 : 0);
	char *s = kr_arena_alloc(&ctx->arena, len);
	if (!s)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < path->n; i++) {
		size_t l = strlen(path->seg[i]);
		memcpy(s + o, path->seg[i], l);
		o += l;
		s[o++] = '/';
	}
	memcpy(s + o, last, strlen(last));
	o += strlen(last);
	if (last2) {
		s[o++] = '/';
		memcpy(s + o, last2, strlen(last2));
		o += strlen(last2);
	}
	s[o] = '\0';
	return s;
}

/* The definition named `name` (the last one of that name). */
static const kr_node *find_def(crd_parse *p, const char *name)
{
	const kr_node *found = NULL;
	for (uint32_t i = 0; i < p->defs->u.m.len; i++) {
		const char *key = key_text(&p->ctx->arena, p->defs->u.m.items[i].key);
		if (key && !strcmp(key, name))
			found = p->defs->u.m.items[i].value;
	}
	return found;
}

static int add_one(crd_parse *p, kr_fslist *l, const kr_fieldspec *fs, const char *what)
{
	return merge_list(p->ctx, l, &(kr_fslist){ (kr_fieldspec *)fs, 1, 1 }, what, p->o);
}

/* loadCrdIntoConfig */
static int load_crd_type(crd_parse *p, kr_tconfig *tc, const char *kind,
                         const char *type_name, crd_path *path)
{
	kr_ctx *ctx = p->ctx;
	const kr_node *def = find_def(p, type_name);
	if (!def)
		return 0;
	const kr_node *schema = def_schema(p, def);
	const kr_node *props = schema ? kr_map_get(schema, "properties") : NULL;
	if (kr_y11_is_null(props))
		return 0;
	if (path->n >= NELEM(path->seg))
		return kr_fail_at(ctx, KR_ELIMIT, p->file, def->line, def->col,
		                  "$ref chain from '%s' too deep (a cycle?)", type_name);
	for (uint32_t i = 0; i < props->u.m.len; i++) {
		const kr_pair *kv = &props->u.m.items[i];
		const kr_node *prop = kv->value;
		const char *name = key_text(&ctx->arena, kv->key);
		int rc = 0;
		if (!name)
			return kr_nomem(ctx);
		if (kr_y11_is_null(prop))
			continue;
		kr_fieldspec fs = { "", "", kind, NULL, 0 };
		/* Each extension adds the field to one transformer's specs.
		 * Identity fields get the name prefix only, never the suffix
		 * (tr_crds_fields). */
		static const struct {
			const char *ext;
			size_t list;   /* offset of the kr_fslist in kr_tconfig */
			const char *what;
		} exts[] = {
			{ "x-kubernetes-annotation", offsetof(kr_tconfig, common_annotations),
			  "CommonAnnotations" },
			{ "x-kubernetes-label-selector", offsetof(kr_tconfig, common_labels),
			  "CommonLabels" },
			{ "x-kubernetes-identity", offsetof(kr_tconfig, name_prefix), "NamePrefix" },
		};
		for (size_t e = 0; e < sizeof(exts) / sizeof(exts[0]); e++) {
			if (!ext_string(p, prop, exts[e].ext))
				continue;
			if (!(fs.path = join_path(ctx, path, name, NULL)) ||
			    origin_add(ctx, p->o, fs.path, p->file, kv->key) < 0)
				return kr_nomem(ctx);
			kr_fslist *l = (kr_fslist *)((char *)tc + exts[e].list);
			if ((rc = add_one(p, l, &fs, exts[e].what)) < 0)
				return rc;
		}
		const char *version = ext_string(p, prop, "x-kubernetes-object-ref-api-version");
		const char *rkind = ext_string(p, prop, "x-kubernetes-object-ref-kind");
		if (version && rkind) {
			const char *key = ext_string(p, prop, "x-kubernetes-object-ref-name-key");
			if (!(fs.path = join_path(ctx, path, name, key ? key : "name")) ||
			    origin_add(ctx, p->o, fs.path, p->file, kv->key) < 0)
				return kr_nomem(ctx);
			/* in the arena: a new entry shares its specs */
			kr_fieldspec *one = kr_arena_alloc(&ctx->arena, sizeof(*one));
			if (!one)
				return kr_nomem(ctx);
			*one = fs;
			kr_nameref nr = { "", version, rkind, { one, 1, 1 } };
			if ((rc = nameref_merge_one(ctx, tc, &nr, p->o)) < 0)
				return rc;
		}
		const kr_node *ref = kr_map_get(prop, "$ref");
		if (ref && ref->type == KR_SCALAR && kr_y11_type_of(ref) == KR_Y11_STR) {
			path->seg[path->n++] = name;
			rc = load_crd_type(p, tc, kind, ref->u.s.str, path);
			path->n--;
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* LoadConfigFromCRDs for one file: makeConfigFromApiMap. */
static int parse_crds(kr_ctx *ctx, const char *file, const char *data, size_t len,
                      origins *o, kr_tconfig *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0)
		/* kustomize indexes content[0] and panics. */
		return kr_fail(ctx, KR_EINVALID, "%s: an empty CRD file cannot be read "
		               "(kustomize crashes on it)", file);
	kr_doclist docs = { 0 };
	int rc = kr_yaml_parse(ctx, file, data, len,
	                       KR_YAML_FIRST_DOC_ONLY | KR_YAML_DUP_LAST_WINS, &docs);
	if (rc < 0)
		return rc;
	if (docs.len == 0 || kr_y11_is_null(docs.docs[0]))
		return 0;
	crd_parse p = { ctx, file, o, docs.docs[0] };
	if ((rc = check_defs(&p)) < 0)
		return rc;
	const kr_node *defs = p.defs;
	for (uint32_t i = 0; i < defs->u.m.len; i++) {
		const char *name = key_text(&ctx->arena, defs->u.m.items[i].key);
		if (!name)
			return kr_nomem(ctx);
		/* A later definition of the same name replaced this one. */
		if (find_def(&p, name) != defs->u.m.items[i].value)
			continue;
		const kr_node *schema = def_schema(&p, defs->u.m.items[i].value);
		const kr_node *props = schema ? kr_map_get(schema, "properties") : NULL;
		/* looksLikeAk8sType */
		if (kr_y11_is_null(props) || !kr_map_get(props, "kind") ||
		    !kr_map_get(props, "apiVersion") || !kr_map_get(props, "metadata"))
			continue;
		const char *dot = strrchr(name, '.');
		const char *kind = dot ? dot + 1 : name;
		kr_tconfig one;
		crd_path path;
		memset(&one, 0, sizeof(one));
		path.n = 0;
		if ((rc = load_crd_type(&p, &one, kind, name, &path)) < 0 ||
		    (rc = merge_config(ctx, out, &one, o)) < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

int kr_tconfig_load_user(kr_ctx *ctx, const kr_kustomization *k, kr_tconfig *tc)
{
	const kr_node *configs, *crds;
	origins o = { 0 };
	kr_tconfig builtin;
	int rc;
	if ((rc = string_list(ctx, k, "configurations", &configs)) < 0 ||
	    (rc = string_list(ctx, k, "crds", &crds)) < 0)
		return rc;
	const builtin_cache *bc = get_builtin_cache();
	if (!bc)
		return kr_nomem(ctx);

	/* MakeTransformerConfig: the files merged among themselves, then into
	 * the builtin configuration. */
	if (configs && configs->u.q.len) {
		kr_tconfig user;
		memset(&user, 0, sizeof(user));
		for (uint32_t i = 0; i < configs->u.q.len; i++) {
			const kr_node *e = configs->u.q.items[i];
			const char *display;
			char *data;
			size_t len;
			kr_tconfig one;
			if ((rc = load_entry(ctx, k, "configurations", e, &display, &data,
			                     &len)) < 0)
				return rc;
			if ((rc = parse_config(ctx, display, data, len, &o, &one)) < 0 ||
			    (rc = merge_config(ctx, &user, &one, &o)) < 0)
				return kr_wrap(ctx, "%s: configurations", k->file);
		}
		tconfig_borrow(&builtin, &bc->sorted);
		if ((rc = merge_config(ctx, &builtin, &user, &o)) < 0)
			return kr_wrap(ctx, "%s: configurations", k->file);
		/* ra.MergeConfig(tConfig) */
		if ((rc = merge_config(ctx, tc, &builtin, &o)) < 0)
			return kr_wrap(ctx, "%s: merging the transformer configuration",
			               k->file);
	} else if (tconfig_is_empty(tc)) {
		tconfig_borrow(tc, &bc->merged);
	} else if ((rc = merge_config(ctx, tc, &bc->sorted, &o)) < 0) {
		return kr_wrap(ctx, "%s: merging the transformer configuration", k->file);
	}

	/* LoadConfigFromCRDs, then ra.MergeConfig(crdTc) */
	kr_tconfig fromcrds;
	memset(&fromcrds, 0, sizeof(fromcrds));
	for (uint32_t i = 0; crds && i < crds->u.q.len; i++) {
		const kr_node *e = crds->u.q.items[i];
		const char *display;
		char *data;
		size_t len;
		kr_tconfig one;
		if ((rc = load_entry(ctx, k, "crds", e, &display, &data, &len)) < 0)
			return rc;
		if ((rc = parse_crds(ctx, display, data, len, &o, &one)) < 0 ||
		    (rc = merge_config(ctx, &fromcrds, &one, &o)) < 0)
			return kr_wrap(ctx, "%s: crds", k->file);
	}
	if ((rc = merge_config(ctx, tc, &fromcrds, &o)) < 0)
		return kr_wrap(ctx, "%s: merging the configuration from crds", k->file);
	return 0;
}
