/*
 * smp.c - strategic merge (see smp.h).
 *
 * The code follows the structure of kyaml's walk + merge2 closely, because
 * kustomize's output depends on its details: which node object ends up
 * where (a replaced field's node is overwritten in place, so every list
 * holding it sees the change), which list a merged element is taken from,
 * and in which order elements come out.  Functions are named after the Go
 * functions they stand for.
 *
 * Sources are (dest, origin): the object being patched and the patch.
 * Either may be NULL (missing).
 */
#include "smp.h"

#include <stdlib.h>
#include <string.h>

typedef struct walker {
	kr_ctx *ctx;
	const kr_schema_set *schemas;
	const char *src;
	unsigned depth;
} walker;

/* A tuple of merge-key values of one list element. */
typedef struct tuple {
	const char **v;
	size_t n;
} tuple;

typedef struct tlist {
	tuple *items;
	size_t len, cap;
} tlist;

enum { SMP_UNKNOWN, SMP_REPLACE, SMP_DELETE, SMP_MERGE };

#define MAX_DEPTH 10000

static int walk(walker *w, kr_node *dest, kr_node *origin,
                const kr_schema *schema, kr_node **out);

/* ---- node predicates (kyaml's) ---------------------------------------- */

static int is_null(const kr_node *n)
{
	return n && n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

static int missing_or_null(const kr_node *n)
{
	return !n || is_null(n);
}

static int empty_map(const kr_node *n)
{
	return missing_or_null(n) || (n->type == KR_MAP && n->u.m.len == 0);
}

static int nil_or_empty(const kr_node *n)
{
	return !n || is_null(n) || (n->type == KR_MAP && n->u.m.len == 0) ||
	       (n->type == KR_SEQ && n->u.q.len == 0);
}

/* yaml.Node.Value: a scalar's text, "" for collections. */
static const char *text(const kr_node *n)
{
	return n && n->type == KR_SCALAR ? n->u.s.str : "";
}

/* kyaml GetValue: "" for missing or null. */
static const char *get_value(const kr_node *n)
{
	return missing_or_null(n) ? "" : text(n);
}

static kr_node *field(const kr_node *n, const char *key)
{
	return n && n->type == KR_MAP ? kr_map_get(n, key) : NULL;
}

static const char *kind_name(const kr_node *n)
{
	return n->type == KR_MAP ? "mapping" : n->type == KR_SEQ ? "list" : "scalar";
}

/* ErrorIfAnyInvalidAndNonNull: both sides must have the same kind. */
static int check_kinds(walker *w, const kr_node *dest, const kr_node *origin, int type)
{
	const kr_node *bad = !missing_or_null(origin) && origin->type != type ? origin
	                     : !missing_or_null(dest) && dest->type != type ? dest : NULL;
	if (!bad)
		return 0;
	const kr_node *other = bad == origin ? dest : origin;
	if (bad == origin && origin->line)
		return kr_fail_at(w->ctx, KR_EINVALID, origin->file, origin->line, origin->col,
		                  "%s: the patch has a %s where the object has a %s",
		                  w->src, kind_name(origin), kind_name(other));
	return kr_fail(w->ctx, KR_EINVALID, "%s: the patch has a %s where the object "
	               "has a %s", w->src, kind_name(origin), kind_name(dest));
}

/* ---- arena helpers ------------------------------------------------------- */

static void *grow(walker *w, void *items, size_t len, size_t *cap, size_t size)
{
	if (len < *cap)
		return items;
	size_t nc = *cap ? *cap * 2 : 8;
	void *n = kr_arena_grow(&w->ctx->arena, items, len * size, nc * size);
	if (!n)
		return NULL;
	*cap = nc;
	return n;
}

static int seq_push(walker *w, kr_node *seq, kr_node *item)
{
	if (kr_seq_append(&w->ctx->arena, seq, item) < 0)
		return kr_nomem(w->ctx);
	return 0;
}

/* ---- style and typing ------------------------------------------------------ */

/* kyaml's FieldSetter gives a value that replaces an existing one the old
 * value's style.  go-yaml then types a quoted, literal or folded scalar as
 * a string whatever its tag; a plain one keeps its tag. */
static void inherit_style(kr_node *val, const kr_node *old)
{
	if (val->type != KR_SCALAR || old->type != KR_SCALAR)
		return;
	val->style = old->style;
	val->flags = (uint8_t)((val->flags & ~KR_NODE_TAGGED) | (old->flags & KR_NODE_TAGGED));
	if (old->style != KR_STYLE_PLAIN && val->tag != KR_TAG_NULL)
		val->tag = KR_TAG_STR;
}

/* A new untagged scalar (kyaml's NewScalarRNode): typed from its text. */
static kr_node *new_scalar(walker *w, const char *s)
{
	size_t len = strlen(s);
	kr_node *n = kr_node_scalar(&w->ctx->arena, kr_resolve_plain(s, len), s, len);
	if (!n)
		kr_nomem(w->ctx);
	return n;
}

/* FieldSetter{Name: key, Value: val}.Filter(map) */
static int field_set(walker *w, kr_node *map, const char *key, kr_node *val)
{
	if (!val || (is_null(val) && !(val->flags & KR_NODE_KEEP_NULL))) {
		kr_map_remove(map, key);
		return 0;
	}
	kr_pair *p = kr_map_find(map, key, strlen(key));
	if (p) {
		if (p->value == val)
			return 0;
		inherit_style(val, p->value);
		/* SetYNode: the old node object takes the new contents */
		*p->value = *val;
		return 0;
	}
	kr_node *k = kr_node_str(&w->ctx->arena, key);
	if (!k || kr_map_append(&w->ctx->arena, map, k, val) < 0)
		return kr_nomem(w->ctx);
	return 0;
}

int kr_smp_set_string_field(kr_ctx *ctx, kr_node *map, const char *key,
                            const char *s)
{
	walker w = { ctx, NULL, "", 0 };
	kr_node *v = new_scalar(&w, s);
	if (!v)
		return -1;
	return field_set(&w, map, key, v);
}

/* ---- directives ---------------------------------------------------------- */

/* ElementSetter (below) is needed to elide a list directive. */
static int element_setter(walker *w, kr_node *seq, kr_node *elem,
                          const char *const *keys, size_t nkeys,
                          const char *const *values, size_t nvalues);

static int directive_of(const char *v)
{
	if (!strcmp(v, "delete"))
		return SMP_DELETE;
	if (!strcmp(v, "replace"))
		return SMP_REPLACE;
	if (!strcmp(v, "merge"))
		return SMP_MERGE;
	return SMP_UNKNOWN;
}

/* The directive a `$patch` value names, or <0 (unknown) with an error. */
static int directive_value(walker *w, const kr_node *pv)
{
	int d = directive_of(text(pv));
	if (d == SMP_UNKNOWN)
		return kr_fail_at(w->ctx, KR_EINVALID, pv->file, pv->line, pv->col,
		                  "%s: unknown patch strategy '%s'", w->src, text(pv));
	return d;
}

/* determineSmpDirective.  Returns the directive, or <0 on error; the
 * directive is removed from the patch.  *scalar is set when the patch is
 * a scalar (kustomize reports an error its callers mostly ignore). */
static int smp_directive(walker *w, kr_node *patch, int *scalar)
{
	*scalar = 0;
	if (!patch)
		return SMP_MERGE;
	if (patch->type == KR_SEQ) {
		kr_node *el = NULL, *pv = NULL;
		/* the first mapping element that has a $patch key */
		for (uint32_t i = 0; i < patch->u.q.len && !el; i++) {
			kr_node *e = patch->u.q.items[i];
			if (e->type == KR_MAP && (pv = kr_map_get(e, "$patch")))
				el = e;
		}
		/* more than one pair: the $patch is the element's, not the list's */
		if (!el || el->u.m.len > 1)
			return SMP_MERGE;
		const char *v = text(pv);
		int d = directive_value(w, pv);
		const char *key = "$patch";
		if (d < 0 || element_setter(w, patch, NULL, &key, 1, &v, 1) < 0)
			return -1;
		return d;
	}
	if (patch->type == KR_MAP) {
		kr_node *pv = kr_map_get(patch, "$patch");
		if (!pv)
			return SMP_MERGE;
		int d = directive_value(w, pv);
		if (d < 0)
			return d;
		kr_map_remove(patch, "$patch");
		return d;
	}
	*scalar = 1;
	return SMP_UNKNOWN;
}

/* ---- list element primitives (kyaml fns.go) -------------------------------- */

/* FieldMatcher{Name: key, StringValue: value} on element e: the field's
 * node when e has the key (and, for a non-empty value, that text), else
 * NULL.  With key "" e itself is compared.  <0 on a kind error. */
static int field_matcher(walker *w, kr_node *e, const char *key, const char *value,
                         kr_node **out)
{
	*out = NULL;
	if (missing_or_null(e))
		return 0;
	if (!key[0]) {
		if (e->type != KR_SCALAR)
			return kr_fail(w->ctx, KR_EINVALID, "%s: a list mixes scalars and "
			               "other values where kustomize merges it as a set", w->src);
		if (!strcmp(get_value(e), value))
			*out = e;
		return 0;
	}
	if (e->type != KR_MAP)
		return kr_fail(w->ctx, KR_EINVALID, "%s: a list merged by key '%s' holds "
		               "an element that is not a mapping", w->src, key);
	kr_node *v = kr_map_get(e, key);
	if (v && (!value[0] || !strcmp(text(v), value)))
		*out = v;
	return 0;
}

/* ElementSetter{Element: elem, Keys, Values}.Filter(seq): replace every
 * element matching all key/value pairs by elem (delete them when elem is
 * NULL), append elem when none matched.  Null and empty-mapping elements
 * are dropped on the way, as kyaml does. */
static int element_setter(walker *w, kr_node *seq, kr_node *elem,
                          const char *const *keys, size_t nkeys,
                          const char *const *values, size_t nvalues)
{
	static const char *const none[] = { "" };
	if (!nkeys) {
		keys = none;
		nkeys = 1;
	}
	if (missing_or_null(seq))
		return 0;
	if (seq->type != KR_SEQ)
		return kr_fail(w->ctx, KR_EINVALID, "%s: expected a list", w->src);
	int mapping_setter = keys[0][0] && nvalues && values[0][0];
	uint32_t n = 0;
	int found_any = 0;
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		kr_node *e = seq->u.q.items[i];
		if (empty_map(e))
			continue;
		if (e->type != KR_MAP && mapping_setter) {
			seq->u.q.items[n++] = e;
			continue;
		}
		kr_node *val = NULL;
		int found = 1;
		for (size_t j = 0; j < nkeys; j++) {
			if (j < nvalues && field_matcher(w, e, keys[j], values[j], &val) < 0)
				return -1;
			if (!val) {
				found = 0;
				break;
			}
		}
		if (!found) {
			if (nvalues)
				seq->u.q.items[n++] = e;
			continue;
		}
		found_any = 1;
		if (elem)
			seq->u.q.items[n++] = elem;
	}
	seq->u.q.len = n;
	if (missing_or_null(elem))
		return 0;
	if (!found_any)
		return seq_push(w, seq, elem);
	return 0;
}

/* ElementMatcher{Keys, Values}.Filter(seq) as RNode.ElementList uses it:
 * the first element matching every pair, or NULL. */
static kr_node *element_list(const kr_node *seq, const char *const *keys, size_t nkeys,
                             const char *const *values, size_t nvalues)
{
	static const char *const none[] = { "" };
	if (!nkeys) {
		keys = none;
		nkeys = 1;
	}
	if (!nvalues) {
		values = none;
		nvalues = 1;
	}
	if (!seq || seq->type != KR_SEQ)
		return NULL;
	if (!keys[0][0]) {
		for (uint32_t i = 0; i < seq->u.q.len; i++)
			if (!strcmp(text(seq->u.q.items[i]), values[0]))
				return seq->u.q.items[i];
		return NULL;
	}
	if (nkeys != nvalues)
		return NULL;
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		kr_node *e = seq->u.q.items[i];
		if (e->type != KR_MAP)
			continue;
		size_t j;
		for (j = 0; j < nkeys; j++) {
			kr_node *v = kr_map_get(e, keys[j]);
			if (!v || missing_or_null(v) || strcmp(text(v), values[j]))
				break;
		}
		if (j == nkeys)
			return e;
	}
	return NULL;
}

/* ---- associative lists (walk/associative_sequence.go) ---------------------- */

static int tuple_eq(const tuple *a, const tuple *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

static int tlist_push(walker *w, tlist *l, tuple t)
{
	tuple *n = grow(w, l->items, l->len, &l->cap, sizeof(tuple));
	if (!n)
		return kr_nomem(w->ctx);
	l->items = n;
	l->items[l->len++] = t;
	return 0;
}

static int tlist_has(const tlist *l, const tuple *t)
{
	for (size_t i = 0; i < l->len; i++)
		if (tuple_eq(&l->items[i], t))
			return 1;
	return 0;
}

/* elementValues: the key tuples of the patch's elements, then of the
 * object's ("prepend"), without repeats.  `out` starts empty, so it is
 * also the list of the tuples seen. */
static int element_values(walker *w, kr_node *dest, kr_node *origin,
                          const char *const *keys, size_t nkeys, tlist *out)
{
	kr_node *srcs[2] = { origin, dest };
	for (int s = 0; s < 2; s++) {
		kr_node *src = srcs[s];
		if (!src || src->type != KR_SEQ)
			continue;
		for (uint32_t i = 0; i < src->u.q.len; i++) {
			kr_node *e = src->u.q.items[i];
			if (!nkeys)
				continue;
			tuple t = { kr_arena_alloc(&w->ctx->arena, nkeys * sizeof(char *)), nkeys };
			if (!t.v)
				return kr_nomem(w->ctx);
			for (size_t k = 0; k < nkeys; k++) {
				kr_node *f = field(e, keys[k]);
				t.v[k] = nil_or_empty(f) ? "" : text(f);
			}
			if (tlist_has(out, &t))
				continue;
			if (tlist_push(w, out, t) < 0)
				return -1;
		}
	}
	return 0;
}

/* elementPrimitiveValues */
static int primitive_values(walker *w, kr_node *dest, kr_node *origin, tlist *out)
{
	kr_node *srcs[2] = { origin, dest };
	for (int s = 0; s < 2; s++) {
		kr_node *src = srcs[s];
		if (!src || src->type != KR_SEQ)
			continue;
		for (uint32_t i = 0; i < src->u.q.len; i++) {
			const char *v = text(src->u.q.items[i]);
			size_t j;
			for (j = 0; j < out->len; j++)
				if (!strcmp(out->items[j].v[0], v))
					break;
			if (j < out->len)
				continue;
			tuple t = { kr_arena_alloc(&w->ctx->arena, sizeof(char *)), 1 };
			if (!t.v)
				return kr_nomem(w->ctx);
			t.v[0] = v;
			if (tlist_push(w, out, t) < 0)
				return -1;
		}
	}
	return 0;
}

/* match: two tuples agree where both have a value and share one. */
static int match_values(walker *w, const tuple *a, const tuple *b, tuple *res)
{
	if (a->n != b->n)
		return 0;
	int common = 0;
	const char **r = kr_arena_alloc(&w->ctx->arena, (a->n ? a->n : 1) * sizeof(char *));
	if (!r)
		return kr_nomem(w->ctx);
	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->v[i], b->v[i])) {
			common = 1;
			r[i] = a->v[i];
			continue;
		}
		if (a->v[i][0] && b->v[i][0])
			return 0;
		r[i] = a->v[i][0] ? a->v[i] : b->v[i];
	}
	res->v = r;
	res->n = a->n;
	return common;
}

/* mergeValues (several merge keys): tuples that agree are completed from
 * each other. */
static int merge_values(walker *w, tlist *l)
{
	for (size_t i = 0; i < l->len; i++)
		for (size_t j = 0; j < l->len; j++) {
			tuple res;
			int m = match_values(w, &l->items[i], &l->items[j], &res);
			if (m < 0)
				return -1;
			if (m)
				l->items[i] = l->items[j] = res;
		}
	return 0;
}

#define SMP_MAX_KEYS 64
#define SMP_KEY_BUF 8   /* merge keys kept on the caller's stack */

/* validateKeys: keep the keys that have a value in some tuple.  The kept
 * ones go to kbuf/vbuf (SMP_KEY_BUF entries, the caller's; the arena
 * when there are more keys) unless all are kept. */
static int validate_keys(walker *w, const tlist *all, const tuple *values,
                         const char *const *keys, size_t nkeys,
                         const char ***vkeys, const char ***vvals, size_t *n,
                         const char **kbuf, const char **vbuf)
{
	char used[SMP_MAX_KEYS] = { 0 };
	int any = 0;
	if (nkeys > sizeof(used))
		return kr_fail(w->ctx, KR_ELIMIT, "%s: too many merge keys", w->src);
	for (size_t t = 0; t < all->len; t++)
		for (size_t i = 0; i < all->items[t].n && i < nkeys; i++)
			if (all->items[t].v[i][0])
				used[i] = 1, any = 1;
	if (!any) {
		*vkeys = (const char **)keys;
		*vvals = values->v;
		*n = values->n < nkeys ? values->n : nkeys;
		return 0;
	}
	const char **k = kbuf, **v = vbuf;
	if (nkeys > SMP_KEY_BUF) {
		k = kr_arena_alloc(&w->ctx->arena, nkeys * sizeof(char *));
		v = kr_arena_alloc(&w->ctx->arena, nkeys * sizeof(char *));
		if (!k || !v)
			return kr_nomem(w->ctx);
	}
	size_t m = 0;
	for (size_t i = 0; i < nkeys && i < values->n; i++)
		if (used[i]) {
			k[m] = keys[i];
			v[m++] = values->v[i];
		}
	*vkeys = k;
	*vvals = v;
	*n = m;
	return 0;
}

/* appendListNode(dst, src, keys): put src's elements into dst, replacing
 * those with the same key values. */
static int append_list_node(walker *w, kr_node *dst, kr_node *src,
                            const char *const *keys, size_t nkeys)
{
	if (!src || src->type != KR_SEQ)
		return 0;
	/* the loop may see elements appended to src when dst == src */
	uint32_t len = src->u.q.len;
	for (uint32_t i = 0; i < len && i < src->u.q.len; i++) {
		kr_node *e = src->u.q.items[i];
		if (!keys[0][0]) {
			const char *v = text(e);
			if (element_setter(w, dst, e, keys, nkeys, &v, 1) < 0)
				return -1;
			continue;
		}
		const char **v = kr_arena_alloc(&w->ctx->arena, nkeys * sizeof(char *));
		if (!v)
			return kr_nomem(w->ctx);
		size_t nv = 0;
		for (size_t k = 0; k < nkeys; k++) {
			kr_node *f;
			if (field_matcher(w, e, keys[k], "", &f) < 0)
				return -1;
			if (!f) {
				/* no such key: appended as it is */
				if (seq_push(w, dst, e) < 0)
					return -1;
				continue;
			}
			v[nv++] = text(f);
		}
		if (nkeys > 1 && element_setter(w, dst, NULL, keys, nkeys, v, nv) < 0)
			return -1;
		if (element_setter(w, dst, e, keys, nkeys, v, nv) < 0)
			return -1;
	}
	return 0;
}

/* setAssociativeSequenceElements */
static int set_assoc(walker *w, tlist *values, const char *const *keys, size_t nkeys,
                     kr_node *dest, kr_node *origin, const kr_schema *schema,
                     kr_node **out)
{
	kr_node *items = kr_node_seq(&w->ctx->arena, 0);
	if (!items)
		return kr_nomem(w->ctx);
	const kr_schema *esch = schema ? kr_schema_elements(schema) : NULL;
	if (nkeys > 1 && merge_values(w, values) < 0)
		return -1;
	const char **vkeys = NULL, **vvals = NULL;
	size_t nv = 0;
	/* vkeys/vvals may point here; the last tuple's are used after the loop */
	const char *kb1[SMP_KEY_BUF], *vb1[SMP_KEY_BUF];
	for (size_t t = 0; t < values->len; t++) {
		if (!values->items[t].n)
			continue;
		const char *kb2[SMP_KEY_BUF], *vb2[SMP_KEY_BUF];
		if (validate_keys(w, values, &values->items[t], keys, nkeys,
		                  &vkeys, &vvals, &nv, kb1, vb1) < 0)
			return -1;
		/* elementValueList validates once more against this tuple alone */
		tuple one = { vvals, nv };
		tlist single = { &one, 1, 1 };
		const char **k2, **v2;
		size_t n2;
		if (validate_keys(w, &single, &one, vkeys, nv, &k2, &v2, &n2, kb2, vb2) < 0)
			return -1;
		kr_node *de = element_list(dest, k2, n2, v2, n2);
		kr_node *oe = element_list(origin, k2, n2, v2, n2);
		kr_node *val = NULL;
		if (walk(w, de, oe, esch, &val) < 0)
			return -1;
		int gone = 0;
		for (size_t i = 0; i < nv; i++) {
			if (missing_or_null(val) || empty_map(val)) {
				if (element_setter(w, dest, NULL, vkeys, nv, vvals, nv) < 0)
					return -1;
				gone = 1;
			} else if (!field(val, vkeys[i]) && vvals[i][0]) {
				if (!vkeys[i][0]) {
					/* FieldSetter without a name on a scalar: a new
					 * untyped scalar with the old style */
					if (val->type != KR_SCALAR)
						return kr_fail(w->ctx, KR_EINVALID, "%s: a list merged "
						               "as a set holds a non-scalar", w->src);
					kr_node *s = new_scalar(w, vvals[i]);
					if (!s)
						return -1;
					s->style = val->style;
					if (s->style != KR_STYLE_PLAIN)
						s->tag = KR_TAG_STR;
					s->file = val->file;
					s->line = val->line;
					s->col = val->col;
					*val = *s;
				} else {
					if (val->type != KR_MAP)
						return kr_fail(w->ctx, KR_EINVALID, "%s: a list merged by "
						               "key '%s' holds an element that is not a "
						               "mapping", w->src, vkeys[i]);
					kr_node *s = new_scalar(w, vvals[i]);
					if (!s || field_set(w, val, vkeys[i], s) < 0)
						return -1;
				}
			}
		}
		if (gone)
			continue;
		if (element_setter(w, items, val, vkeys, nv, vvals, nv) < 0)
			return -1;
	}
	if (values->len) {
		/* prepend: the object's elements go into the patch's list */
		if (append_list_node(w, items, dest, vkeys, nv) < 0)
			return -1;
		dest = items;
	}
	*out = missing_or_null(dest) ? NULL : dest;
	return 0;
}

/* Merger.VisitList for an associative list */
static int visit_assoc_list(walker *w, kr_node *dest, kr_node *origin, kr_node **out)
{
	if (missing_or_null(dest)) {
		*out = origin;
		return 0;
	}
	if (is_null(origin)) {
		*out = NULL;
		return 0;
	}
	int scalar;
	int d = smp_directive(w, origin, &scalar);
	if (d < 0)
		return d;
	*out = d == SMP_DELETE ? NULL : d == SMP_REPLACE ? origin : dest;
	return 0;
}

static int walk_assoc(walker *w, kr_node *dest, kr_node *origin,
                      const kr_schema *schema, kr_node **out)
{
	kr_node *d = NULL;
	if (visit_assoc_list(w, dest, origin, &d) < 0)
		return -1;
	if (!d) {
		*out = NULL;
		return 0;
	}
	dest = d;
	size_t nkeys = 0;
	const char *const *keys = schema->keys;
	if (keys)
		while (keys[nkeys])
			nkeys++;
	tlist values = { 0 };
	if (element_values(w, dest, origin, keys, nkeys, &values) < 0)
		return -1;
	if (values.len || nkeys)
		return set_assoc(w, &values, keys, nkeys, dest, origin, schema, out);
	static const char *const prim[] = { "" };
	if (primitive_values(w, dest, origin, &values) < 0)
		return -1;
	return set_assoc(w, &values, prim, 1, dest, origin, schema, out);
}

/* ---- mappings (walk/map.go, Merger.VisitMap) --------------------------------- */

static int visit_map(walker *w, kr_node *dest, kr_node *origin, kr_node **out)
{
	int scalar;
	if (missing_or_null(dest)) {
		int d = smp_directive(w, origin, &scalar);
		if (d < 0) {
			/* kustomize ignores the error here */
			w->ctx->err_code = 0;
			d = SMP_UNKNOWN;
		}
		if (d == SMP_DELETE) {
			*out = NULL;
			return 0;
		}
		/* an explicit null in the object stays when the patch does not
		 * touch it; an empty value (`key:`) does not */
		if (!origin && dest && dest->u.s.len > 0) {
			kr_node *n = kr_node_scalar(&w->ctx->arena, KR_TAG_NULL, dest->u.s.str,
			                            dest->u.s.len);
			if (!n)
				return kr_nomem(w->ctx);
			n->flags |= KR_NODE_KEEP_NULL;
			n->file = dest->file;
			n->line = dest->line;
			n->col = dest->col;
			*out = n;
			return 0;
		}
		*out = origin;
		return 0;
	}
	if (is_null(origin)) {
		*out = NULL;
		return 0;
	}
	int d = smp_directive(w, origin, &scalar);
	if (d < 0)
		return d;
	*out = d == SMP_DELETE ? NULL : d == SMP_REPLACE ? origin : dest;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int walk_map(walker *w, kr_node *dest, kr_node *origin,
                    const kr_schema *schema, kr_node **out)
{
	kr_node *d = NULL;
	if (visit_map(w, dest, origin, &d) < 0)
		return -1;
	*out = d;
	if (!d)
		return 0;
	/* the union of the field names, sorted */
	size_t n = (d->type == KR_MAP ? d->u.m.len : 0) +
	           (origin && origin != d && origin->type == KR_MAP ? origin->u.m.len : 0);
	if (!n)
		return 0;
	/* on the stack when small (each level of the walk has its own) */
	const char *local[32];
	const char **names = n <= 32 ? local
	                              : kr_arena_alloc(&w->ctx->arena, n * sizeof(char *));
	if (!names)
		return kr_nomem(w->ctx);
	size_t m = 0;
	if (d->type == KR_MAP)
		for (uint32_t i = 0; i < d->u.m.len; i++)
			names[m++] = d->u.m.items[i].key->u.s.str;
	if (origin && origin != d && origin->type == KR_MAP)
		for (uint32_t i = 0; i < origin->u.m.len; i++)
			names[m++] = origin->u.m.items[i].key->u.s.str;
	qsort(names, m, sizeof(char *), str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (!u || strcmp(names[u - 1], names[i]))
			names[u++] = names[i];
	for (size_t i = 0; i < u; i++) {
		const char *key = names[i];
		const kr_schema *fs = schema ? kr_schema_field(schema, key) : NULL;
		kr_node *val = NULL;
		if (walk(w, field(d, key), field(origin, key), fs, &val) < 0)
			return -1;
		if (d->type == KR_MAP && field_set(w, d, key, val) < 0)
			return -1;
	}
	return 0;
}

/* ---- the walker (walk/walk.go) ----------------------------------------------- */

/* GetSchema: the one given, else one found by apiVersion and kind. */
static const kr_schema *get_schema(walker *w, const kr_schema *schema,
                                   const kr_node *dest, const kr_node *origin)
{
	if (schema)
		return schema;
	const kr_node *srcs[2] = { dest, origin };
	for (int i = 0; i < 2; i++) {
		const kr_node *s = srcs[i];
		if (missing_or_null(s) || s->type != KR_MAP)
			continue;
		const kr_node *av = kr_map_get(s, "apiVersion"), *k = kr_map_get(s, "kind");
		const char *avs = nil_or_empty(av) ? "" : get_value(av);
		const char *ks = nil_or_empty(k) ? "" : get_value(k);
		if (!avs[0] || !ks[0])
			continue;
		const kr_schema *r = kr_schema_for_type(w->schemas, avs, ks);
		if (r)
			return r;
	}
	return NULL;
}

static int walk(walker *w, kr_node *dest, kr_node *origin,
                const kr_schema *schema, kr_node **out)
{
	if (++w->depth > MAX_DEPTH) {
		w->depth--;
		return kr_fail(w->ctx, KR_ELIMIT, "%s: nested too deeply", w->src);
	}
	schema = get_schema(w, schema, dest, origin);
	int kind = !missing_or_null(dest) ? dest->type
	           : !missing_or_null(origin) ? origin->type : 0;
	int rc;
	switch (kind) {
	case KR_SEQ:
		if ((rc = check_kinds(w, dest, origin, KR_SEQ)) < 0)
			break;
		if (schema && kr_schema_merges(schema))
			rc = walk_assoc(w, dest, origin, schema, out);
		else
			*out = origin ? origin : dest;   /* replaced */
		break;
	case KR_SCALAR:
		if ((rc = check_kinds(w, dest, origin, KR_SCALAR)) < 0)
			break;
		*out = origin ? origin : dest;
		break;
	default:
		if (kind == KR_MAP && (rc = check_kinds(w, dest, origin, KR_MAP)) < 0)
			break;
		rc = walk_map(w, dest, origin, schema, out);
		break;
	}
	w->depth--;
	return rc < 0 ? rc : 0;
}

int kr_smp_merge(kr_ctx *ctx, const kr_schema_set *schemas, const char *src,
                 kr_node *patch, kr_node *dest, kr_node **out)
{
	walker w = { ctx, schemas, src, 0 };
	return walk(&w, dest, patch, NULL, out);
}
