/*
 * basecache.c - the built result of bases shared between builds (see
 * basecache.h).
 *
 * Recording: while a base is built, a frame on ctx->basecache collects
 * what the hooks report (kustomizations and their file names, the depth
 * of sub-roots, anything that makes the subtree impure); every frame of
 * the stack gets it, so a base inside a base is recorded for both.
 * kr_read_file reports the length and hash of each file it reads, kept
 * beside ctx->inputs, so that an entry holds the bytes as the build saw
 * them (hashing again after the build could miss a change made during
 * it).
 *
 * The table: one mutex around lookup and insertion; entries are built
 * and checked outside it, immutable once published, and freed with the
 * cache only (a replaced entry is kept, since builds share its text).
 */
#include "basecache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "cache.h"
#include "configurations.h"
#include "fsutil.h"

/* kustomization.c's file_names, in its order. */
static const char *const kfile_names[] = {
	"kustomization.yaml", "kustomization.yml", "Kustomization"
};
#define NKFILES 3

/* ---- recording (per build) ------------------------------------------------ */

typedef struct bc_kdir {
	const char *root;  /* real path of a kustomization directory */
	int name;          /* index in kfile_names */
} bc_kdir;

typedef struct bc_frame {
	struct bc_frame *up;
	int impure;
	unsigned max_depth;
	bc_kdir *kdirs;
	size_t nkdirs, cap;
} bc_frame;

typedef struct bc_read {
	XXH128_hash_t hash;
	size_t len;
	int known;
} bc_read;

struct kr_bcstate {
	bc_frame *top;
	bc_read *reads;   /* parallel to ctx->inputs */
	size_t cap;
	/* warnings printed while a frame was open, in order */
	const char **warns;
	size_t nwarns, capwarns;
};

static void taint(kr_ctx *ctx)
{
	for (bc_frame *f = ctx->basecache ? ctx->basecache->top : NULL; f; f = f->up)
		f->impure = 1;
}

static int add_kdir(kr_ctx *ctx, bc_frame *f, const char *root, int name)
{
	if (f->nkdirs == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 8;
		bc_kdir *p = kr_arena_grow(&ctx->arena, f->kdirs, f->nkdirs * sizeof(*p),
		                           ncap * sizeof(*p));
		if (!p)
			return -1;
		f->kdirs = p;
		f->cap = ncap;
	}
	f->kdirs[f->nkdirs].root = root;
	f->kdirs[f->nkdirs++].name = name;
	return 0;
}

static int field_set(const kr_node *doc, const char *name)
{
	const kr_node *v = kr_map_get(doc, name);
	return v && !(v->type == KR_SCALAR && v->tag == KR_TAG_NULL);
}

static int any_remote(const kr_node *list)
{
	for (uint32_t i = 0; list && list->type == KR_SEQ && i < list->u.q.len; i++) {
		const kr_node *e = list->u.q.items[i];
		if (e->type != KR_SCALAR || kr_path_looks_remote(e->u.s.str) ||
		    !strncasecmp(e->u.s.str, "http:", 5) || !strncasecmp(e->u.s.str, "https:", 6))
			return 1;
	}
	return 0;
}

/* A kustomization whose part of the result the cache does not follow:
 * plugins, helm, remote or http sources, its own OpenAPI schema, its own
 * transformer configuration, vars, buildMetadata. */
static int impure_kustomization(const kr_kustomization *k)
{
	static const char *const fields[] = {
		"helmCharts", "helmGlobals", "helmChartInflationGenerator",
		"generators", "transformers", "validators", "openapi",
		"configurations", "crds", "vars", "buildMetadata",
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (field_set(k->doc, fields[i]))
			return 1;
	return any_remote(k->resources) || any_remote(k->components);
}

void kr_basecache_saw_kustomization(kr_ctx *ctx, const kr_kustomization *k,
                                    const char *path)
{
	if (!ctx->basecache || !ctx->basecache->top)
		return;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int name = -1;
	for (int i = 0; i < NKFILES; i++)
		if (!strcmp(base, kfile_names[i]))
			name = i;
	int impure = name < 0 || ctx->remote_top || impure_kustomization(k);
	for (bc_frame *f = ctx->basecache->top; f; f = f->up)
		if (impure || add_kdir(ctx, f, k->root, name) < 0)
			f->impure = 1;
}

void kr_basecache_saw_root(kr_ctx *ctx, unsigned depth)
{
	if (!ctx->basecache)
		return;
	for (bc_frame *f = ctx->basecache->top; f; f = f->up)
		if (depth > f->max_depth)
			f->max_depth = depth;
}

/* What input `idx` held (len, hash), for the frames. */
static int set_read(kr_ctx *ctx, size_t idx, size_t len, XXH128_hash_t h)
{
	struct kr_bcstate *st = ctx->basecache;
	if (idx >= st->cap) {
		size_t ncap = st->cap ? st->cap : 64;
		while (ncap <= idx)
			ncap *= 2;
		bc_read *p = kr_arena_grow(&ctx->arena, st->reads, st->cap * sizeof(*p),
		                           ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		memset(p + st->cap, 0, (ncap - st->cap) * sizeof(*p));
		st->reads = p;
		st->cap = ncap;
	}
	st->reads[idx].hash = h;
	st->reads[idx].len = len;
	st->reads[idx].known = 1;
	return 0;
}

int kr_basecache_saw_read(kr_ctx *ctx, const char *data, size_t len)
{
	if (!ctx->basecache || !ctx->basecache->top || !ctx->ninputs)
		return 0;
	return set_read(ctx, ctx->ninputs - 1, len, XXH3_128bits(data, len));
}

void kr_basecache_saw_warning(kr_ctx *ctx, const char *line)
{
	struct kr_bcstate *st = ctx->basecache;
	if (!st || !st->top)
		return;
	if (st->nwarns == st->capwarns) {
		size_t ncap = st->capwarns ? st->capwarns * 2 : 8;
		const char **p = kr_arena_grow(&ctx->arena, st->warns,
		                               st->nwarns * sizeof(*p), ncap * sizeof(*p));
		if (!p) {
			taint(ctx);
			return;
		}
		st->warns = p;
		st->capwarns = ncap;
	}
	const char *c = kr_arena_strdup(&ctx->arena, line);
	if (!c) {
		taint(ctx);
		return;
	}
	st->warns[st->nwarns++] = c;
}

/* ---- entries -------------------------------------------------------------- */

typedef struct bc_input {
	const char *path;
	size_t len;
	XXH128_hash_t hash;
	int check;         /* first occurrence of the path: re-read on reuse */
} bc_input;

typedef struct bc_entry {
	struct bc_entry *next;
	uint64_t keyhash;
	const char *root, *dir;
	kr_build_options opts;
	bc_input *inputs;
	size_t ninputs;
	size_t max_len;    /* of the inputs */
	bc_kdir *kdirs;
	size_t nkdirs;
	unsigned rel_depth;      /* deepest sub-root below the base */
	size_t nresources;       /* ctx->nresources added */
	const char **warns;      /* printed by the base's build */
	size_t nwarns;
	int openapi_before, openapi_after;
	kr_resource *res;
	size_t nres;
	int has_shared;          /* nodes flagged KR_NODE_MARK: see store_tree */
	/* One malloc'd block of the exact size holds the entry and all it
	 * points to (as the parse cache's entries). */
} bc_entry;

struct kr_bctable {
	pthread_mutex_t mu;
	bc_entry **buckets;
	size_t nbuckets, count;
	bc_entry *retired;       /* replaced entries: builds may share their text */
	kr_basecache_stats st;
};

struct kr_bctable *kr_bctable_new(void)
{
	struct kr_bctable *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nbuckets = 64;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets || pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t->buckets);
		free(t);
		return NULL;
	}
	return t;
}

static void free_list(bc_entry *e)
{
	for (bc_entry *next; e; e = next) {
		next = e->next;
		free(e);
	}
}

void kr_bctable_free(struct kr_bctable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		free_list(t->buckets[i]);
	free_list(t->retired);
	free(t->buckets);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

int kr_cache_base_stats(kr_cache *c, kr_basecache_stats *st)
{
	struct kr_bctable *t = c ? kr_cache_bases(c) : NULL;
	if (!t || !st)
		return KR_EUSAGE;
	pthread_mutex_lock(&t->mu);
	*st = t->st;
	st->entries = t->count;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

/* The options a pure base's result can depend on.  The helm strings are
 * left out: a base with charts is never stored. */
static int same_opts(const kr_build_options *a, const kr_build_options *b)
{
	return a->load_restrictor == b->load_restrictor &&
	       a->max_alias_nodes == b->max_alias_nodes &&
	       a->max_depth == b->max_depth &&
	       a->max_kustomization_depth == b->max_kustomization_depth &&
	       a->enable_alpha_plugins == b->enable_alpha_plugins &&
	       a->enable_exec == b->enable_exec &&
	       a->plugin_timeout == b->plugin_timeout &&
	       a->remote_timeout_ms == b->remote_timeout_ms &&
	       a->remote_cache == b->remote_cache &&
	       a->enable_helm == b->enable_helm &&
	       a->helm_debug == b->helm_debug &&
	       a->max_file_size == b->max_file_size &&
	       a->max_documents == b->max_documents &&
	       a->max_resources == b->max_resources;
}

static uint64_t key_hash(const char *root, const char *dir)
{
	return XXH3_64bits_withSeed(dir, strlen(dir),
	                            XXH3_64bits(root, strlen(root) + 1));
}

static bc_entry **find_slot(struct kr_bctable *t, uint64_t h, const char *root,
                           const char *dir, const kr_build_options *o)
{
	bc_entry **p = &t->buckets[h & (t->nbuckets - 1)];
	for (; *p; p = &(*p)->next)
		if ((*p)->keyhash == h && !strcmp((*p)->root, root) &&
		    !strcmp((*p)->dir, dir) && same_opts(&(*p)->opts, o))
			return p;
	return p;
}

static void maybe_grow(struct kr_bctable *t)
{
	if (t->count < 2 * t->nbuckets)
		return;
	size_t nb = t->nbuckets * 2;
	bc_entry **b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (bc_entry *e = t->buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->keyhash & (nb - 1)];
			b[e->keyhash & (nb - 1)] = e;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

/* Publish `e`, replacing an entry of the same key (kept on the retired
 * list: other builds may be copying it or share its text). */
static void publish(struct kr_bctable *t, bc_entry *e)
{
	pthread_mutex_lock(&t->mu);
	bc_entry **p = find_slot(t, e->keyhash, e->root, e->dir, &e->opts);
	if (*p) {
		bc_entry *old = *p;
		e->next = old->next;
		*p = e;
		old->next = t->retired;
		t->retired = old;
	} else {
		e->next = NULL;
		*p = e;
		t->count++;
		maybe_grow(t);
	}
	pthread_mutex_unlock(&t->mu);
}

/* ---- copying into an entry ------------------------------------------------ */

/* Two passes over the same code: with b->p NULL only the size is counted,
 * then the block of that size is filled. */
#define ALIGN(n) (((n) + 15) & ~(size_t)15)

typedef struct bump {
	char *p;
	size_t used;
} bump;

static void *balloc(bump *b, size_t n)
{
	void *r = b->p ? b->p + b->used : NULL;
	b->used += ALIGN(n);
	return r;
}

static const char *bmem(bump *b, const char *s, size_t len)
{
	char *d = balloc(b, len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static const char *bstr(bump *b, const char *s)
{
	return s ? bmem(b, s, strlen(s)) : NULL;
}

/* Open addressing from pointers to pointers (malloc'd, store time only):
 * the `file` names interned in the entry. */
typedef struct ptrmap {
	const void **keys;
	const void **vals;
	size_t cap, len;
	int failed;
} ptrmap;

static size_t ptr_hash(const void *p)
{
	uintptr_t x = (uintptr_t)p;
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return (size_t)x;
}

/* The slot of `key` (inserted with value NULL when new: *fresh set). */
static const void **pm_get(ptrmap *m, const void *key, int *fresh)
{
	*fresh = 0;
	if ((m->len + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1024;
		const void **k = calloc(ncap, sizeof(*k)), **v = calloc(ncap, sizeof(*v));
		if (!k || !v) {
			free(k);
			free(v);
			m->failed = 1;
			return NULL;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t s = ptr_hash(m->keys[i]) & (ncap - 1);
			while (k[s])
				s = (s + 1) & (ncap - 1);
			k[s] = m->keys[i];
			v[s] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = k;
		m->vals = v;
		m->cap = ncap;
	}
	size_t s = ptr_hash(key) & (m->cap - 1);
	while (m->keys[s] && m->keys[s] != key)
		s = (s + 1) & (m->cap - 1);
	if (!m->keys[s]) {
		m->keys[s] = key;
		m->vals[s] = NULL;
		m->len++;
		*fresh = 1;
	}
	return &m->vals[s];
}

static void pm_free(ptrmap *m)
{
	free(m->keys);
	free(m->vals);
}

typedef struct store {
	bump b;
	ptrmap files;   /* build's file name -> the entry's copy */
	const char *last, *last_copy;  /* the name met last (most nodes) */
	ptrmap nodes;   /* second pass: shared node -> its one copy */
	kr_node **shared;              /* the nodes met twice */
	size_t nshared, capshared;
	int failed;
} store;

static const char *store_file(store *s, const char *file)
{
	if (!file)
		return NULL;
	if (file == s->last)
		return s->last_copy;
	int fresh;
	const void **v = pm_get(&s->files, file, &fresh);
	if (!v)
		return NULL;
	if (fresh || !*v) {
		const char *c = bstr(&s->b, file);
		/* the first pass counts each name once: a marker */
		*v = c ? (const void *)c : (const void *)file;
	}
	s->last = file;
	s->last_copy = *v;
	return *v;
}

/* Take the marks of the first pass away (when no second pass runs). */
static void unmark(kr_node *n)
{
	if (!(n->flags & KR_NODE_MARK))
		return;
	n->flags &= (uint8_t)~(KR_NODE_MARK | KR_NODE_MARK_SHARED);
	if (n->type == KR_MAP)
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			unmark(n->u.m.items[i].key);
			unmark(n->u.m.items[i].value);
		}
	else if (n->type == KR_SEQ)
		for (uint32_t i = 0; i < n->u.q.len; i++)
			unmark(n->u.q.items[i]);
}

/* A node reached from two places (kr_labels shares one value node among
 * the labels it adds) stays one node in the entry and in every copy of
 * it, so that a change made through one place shows through the other
 * as in a build without the cache.  The first pass marks every node it
 * meets (KR_NODE_MARK) and those it meets again (KR_NODE_MARK_SHARED);
 * the second copies a shared node once (its copy flagged KR_NODE_MARK,
 * for load_tree) and clears the marks. */
static kr_node *store_tree(store *s, kr_node *n)
{
	if (!s->b.p) {
		if (n->flags & KR_NODE_MARK) {
			if (!(n->flags & KR_NODE_MARK_SHARED)) {
				n->flags |= KR_NODE_MARK_SHARED;
				if (s->nshared == s->capshared) {
					size_t ncap = s->capshared ? s->capshared * 2 : 16;
					kr_node **p = realloc(s->shared, ncap * sizeof(*p));
					if (!p) {
						s->failed = 1;
						return NULL;
					}
					s->shared = p;
					s->capshared = ncap;
				}
				s->shared[s->nshared++] = n;
			}
			return NULL;  /* counted once */
		}
		n->flags |= KR_NODE_MARK;
	} else if (n->flags & KR_NODE_MARK_SHARED) {
		int fresh;
		const void **v = pm_get(&s->nodes, n, &fresh);
		if (!v) {
			s->failed = 1;
			return NULL;
		}
		if (!fresh)
			return (kr_node *)*v;
	}
	int shared = (n->flags & KR_NODE_MARK_SHARED) != 0;
	kr_node *c = balloc(&s->b, sizeof(*c));
	const char *file = store_file(s, n->file);
	if (c) {
		n->flags &= (uint8_t)~KR_NODE_MARK;
		*c = *n;
		c->flags &= (uint8_t)~(KR_NODE_MARK | KR_NODE_MARK_SHARED);
		if (shared) {
			int fresh;
			const void **v = pm_get(&s->nodes, n, &fresh);
			if (!v)
				s->failed = 1;
			else
				*v = c;
			c->flags |= KR_NODE_MARK;
		}
		c->file = file;
	}
	switch (n->type) {
	case KR_SCALAR: {
		const char *t = bmem(&s->b, n->u.s.str, n->u.s.len);
		if (c)
			c->u.s.str = t;
		break;
	}
	case KR_MAP: {
		kr_pair *items = balloc(&s->b, n->u.m.len * sizeof(kr_pair));
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			kr_node *k = store_tree(s, n->u.m.items[i].key);
			kr_node *v = store_tree(s, n->u.m.items[i].value);
			if (items) {
				items[i].key = k;
				items[i].value = v;
			}
		}
		if (c) {
			c->u.m.items = items;
			c->u.m.cap = n->u.m.len;
		}
		break;
	}
	case KR_SEQ: {
		kr_node **items = balloc(&s->b, n->u.q.len * sizeof(kr_node *));
		for (uint32_t i = 0; i < n->u.q.len; i++) {
			kr_node *v = store_tree(s, n->u.q.items[i]);
			if (items)
				items[i] = v;
		}
		if (c) {
			c->u.q.items = items;
			c->u.q.cap = n->u.q.len;
		}
		break;
	}
	}
	return c;
}

static void store_id(store *s, kr_resid *dst, const kr_resid *src)
{
	kr_resid id = {
		bstr(&s->b, src->group), bstr(&s->b, src->version),
		bstr(&s->b, src->kind), bstr(&s->b, src->name), bstr(&s->b, src->ns),
	};
	if (dst)
		*dst = id;
}

static const char **store_strs(store *s, const char *const *v, uint32_t n)
{
	const char **d = n ? balloc(&s->b, n * sizeof(*d)) : NULL;
	for (uint32_t i = 0; i < n; i++) {
		const char *c = bstr(&s->b, v[i]);
		if (d)
			d[i] = c;
	}
	return d;
}

static void store_res(store *s, kr_resource *d, const kr_resource *r)
{
	kr_node *doc = store_tree(s, r->doc);
	kr_resid *prev = r->nprev ? balloc(&s->b, r->nprev * sizeof(*prev)) : NULL;
	for (uint32_t i = 0; i < r->nprev; i++)
		store_id(s, prev ? &prev[i] : NULL, &r->prev[i]);
	const char **pre = store_strs(s, r->prefixes, r->nprefixes);
	const char **suf = store_strs(s, r->suffixes, r->nsuffixes);
	const char **rv = store_strs(s, r->refvars, r->nrefvars);
	kr_resid orig, cur;
	store_id(s, d ? &orig : NULL, &r->orig);
	store_id(s, d ? &cur : NULL, &r->cur);
	if (!d)
		return;
	*d = *r;
	d->doc = doc;
	d->orig = orig;
	d->cur = cur;
	d->prev = prev;
	d->capprev = r->nprev;
	d->prefixes = pre;
	d->suffixes = suf;
	d->refvars = rv;
}

/* What the recording saw, gathered for make_entry. */
typedef struct recorded {
	const char *root, *dir;
	uint64_t keyhash;
	const kr_ctx *ctx;
	size_t in0, in1;          /* ctx->inputs range */
	size_t w0, w1;            /* ctx->basecache->warns range */
	const bc_frame *f;
	unsigned rel_depth;
	size_t nresources;
	int openapi_before, openapi_after;
	const kr_resmap *m;
} recorded;

static int path_cmp(const void *a, const void *b)
{
	const char *x = **(const char *const *const *)a;
	const char *y = **(const char *const *const *)b;
	int c = strcmp(x, y);
	/* equal paths: the earlier one first */
	return c ? c : (*(const char *const *const *)a < *(const char *const *const *)b ? -1 : 1);
}

static void fill(store *s, bc_entry *e, const recorded *rc, const unsigned char *first)
{
	const kr_ctx *ctx = rc->ctx;
	const struct kr_bcstate *st = ctx->basecache;
	const char *root = bstr(&s->b, rc->root), *dir = bstr(&s->b, rc->dir);
	size_t n = rc->in1 - rc->in0;
	bc_input *in = n ? balloc(&s->b, n * sizeof(*in)) : NULL;
	size_t max_len = 0;
	for (size_t i = 0; i < n; i++) {
		const bc_read *r = &st->reads[rc->in0 + i];
		const char *p = bstr(&s->b, ctx->inputs[rc->in0 + i]);
		if (r->len > max_len)
			max_len = r->len;
		if (in) {
			in[i].path = p;
			in[i].len = r->len;
			in[i].hash = r->hash;
			in[i].check = first[i];
		}
	}
	const char **w = rc->w1 > rc->w0
	                 ? store_strs(s, st->warns + rc->w0, (uint32_t)(rc->w1 - rc->w0))
	                 : NULL;
	bc_kdir *kd = rc->f->nkdirs ? balloc(&s->b, rc->f->nkdirs * sizeof(*kd)) : NULL;
	for (size_t i = 0; i < rc->f->nkdirs; i++) {
		const char *r = bstr(&s->b, rc->f->kdirs[i].root);
		if (kd) {
			kd[i].root = r;
			kd[i].name = rc->f->kdirs[i].name;
		}
	}
	kr_resource *res = rc->m->len ? balloc(&s->b, rc->m->len * sizeof(*res)) : NULL;
	for (size_t i = 0; i < rc->m->len; i++)
		store_res(s, res ? &res[i] : NULL, rc->m->items[i]);
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->keyhash = rc->keyhash;
	e->root = root;
	e->dir = dir;
	e->opts = ctx->opts;
	e->inputs = in;
	e->ninputs = n;
	e->max_len = max_len;
	e->kdirs = kd;
	e->nkdirs = rc->f->nkdirs;
	e->rel_depth = rc->rel_depth;
	e->nresources = rc->nresources;
	e->warns = w;
	e->nwarns = rc->w1 - rc->w0;
	e->openapi_before = rc->openapi_before;
	e->openapi_after = rc->openapi_after;
	e->res = res;
	e->nres = rc->m->len;
}

/* The entry for a pure base's recorded build, or NULL (out of memory,
 * a subtree shared between resources, ids that repeat): not stored. */
static bc_entry *make_entry(kr_ctx *ctx, const recorded *rc)
{
	size_t n = rc->in1 - rc->in0;
	/* a repeated input is checked once, at its first occurrence */
	unsigned char *first = calloc(n ? n : 1, 1);
	const char ***order = malloc((n ? n : 1) * sizeof(*order));
	if (!first || !order) {
		free(first);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &ctx->inputs[rc->in0 + i];
	qsort(order, n, sizeof(*order), path_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(*order[i], *order[i - 1]))
			first[order[i] - &ctx->inputs[rc->in0]] = 1;
	free(order);

	/* two resources of one id: reuse would have to repeat the error */
	kr_resmap ids = { 0 };
	for (size_t i = 0; i < rc->m->len; i++) {
		const kr_resource *r = rc->m->items[i];
		if (kr_resmap_get(&ids, &r->cur, r->cluster_scoped) ||
		    kr_resmap_append(ctx, &ids, rc->m->items[i]) < 0) {
			ctx->err_code = 0;
			free(first);
			return NULL;
		}
	}

	store s;
	memset(&s, 0, sizeof(s));
	balloc(&s.b, sizeof(bc_entry));
	fill(&s, NULL, rc, first);
	bc_entry *e = NULL;
	size_t size = s.b.used;
	if (!s.failed && !s.files.failed)
		s.b.p = malloc(size);
	if (s.b.p) {
		/* the second pass interns the names again */
		for (size_t i = 0; i < s.files.cap; i++)
			s.files.vals[i] = NULL;
		s.last = s.last_copy = NULL;
		s.b.used = 0;
		e = balloc(&s.b, sizeof(bc_entry));
		fill(&s, e, rc, first);
		for (size_t i = 0; i < s.nshared; i++)
			s.shared[i]->flags &= (uint8_t)~KR_NODE_MARK_SHARED;
		if (s.failed || s.files.failed || s.b.used != size) {
			free(e);
			e = NULL;
		} else {
			e->has_shared = s.nshared > 0;
		}
	} else {
		for (size_t i = 0; i < rc->m->len; i++)
			unmark(rc->m->items[i]->doc);
	}
	free(s.shared);
	pm_free(&s.nodes);
	pm_free(&s.files);
	free(first);
	return e;
}

/* ---- reuse ------------------------------------------------------------------ */

/* Does the file hold `len` bytes hashing to `h`?  buf: max_len + 1 bytes. */
static int same_file(const bc_input *in, char *buf)
{
	int fd = open(in->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	         (uint64_t)st.st_size == in->len;
	size_t got = 0;
	while (ok && got < in->len) {
		ssize_t r = read(fd, buf + got, in->len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			ok = 0;
		else
			got += (size_t)r;
	}
	close(fd);
	return ok && XXH128_isEqual(XXH3_128bits(buf, in->len), in->hash);
}

/* Is every kustomization directory's file still the one found (exactly
 * one of the three names, as kustomization.c requires)? */
static int same_kfiles(const bc_entry *e)
{
	char path[PATH_MAX + 32];
	for (size_t i = 0; i < e->nkdirs; i++)
		for (int j = 0; j < NKFILES; j++) {
			int n = snprintf(path, sizeof(path), "%s/%s", e->kdirs[i].root,
			                 kfile_names[j]);
			if (n < 0 || (size_t)n >= sizeof(path))
				return 0;
			if ((kr_path_type(path) == 'f') != (j == e->kdirs[i].name))
				return 0;
		}
	return 1;
}

/* The depth of a kustomization included under `chain` (NULL: the top). */
static unsigned depth_under(const kr_root_chain *chain)
{
	return chain ? chain->depth + 1 : 0;
}

/* Would the build of the base under `chain` pass the checks that depend
 * on the including build, and read the same bytes from the same places?
 * Every path an entry holds was symlink-free (a build that resolved a
 * link is not stored): one that now resolves elsewhere is a miss. */
static int usable(kr_ctx *ctx, const bc_entry *e, const kr_root_chain *chain)
{
	if (depth_under(chain) + e->rel_depth > ctx->opts.max_kustomization_depth)
		return 0;  /* the build reports the limit */
	if (ctx->nresources + e->nresources > ctx->opts.max_resources ||
	    ctx->nresources + e->nresources < ctx->nresources)
		return 0;
	/* whether the base itself moved it to 2 is unknown */
	if (e->openapi_before == 2 && ctx->openapi_builtin < 2)
		return 0;
	for (size_t i = 0; i < e->nkdirs; i++)
		for (const kr_root_chain *c = chain; c; c = c->parent)
			if (kr_path_has_prefix(c->root, e->kdirs[i].root))
				return 0;  /* a cycle: the build reports it */
	if (!same_kfiles(e))
		return 0;
	char *buf = malloc(e->max_len + 1);
	if (!buf)
		return 0;
	int ok = 1;
	for (size_t i = 0; ok && i < e->ninputs; i++)
		if (e->inputs[i].check) {
			const char *real = kr_realpath_ctx(ctx, e->inputs[i].path);
			ok = real && !strcmp(real, e->inputs[i].path) &&
			     same_file(&e->inputs[i], buf);
		}
	free(buf);
	return ok;
}

/* Out of the entry: a deep copy into the build's arena that shares the
 * (immutable) text and file names; a node flagged shared (store_tree) is
 * copied once, through `map` (NULL when the entry has none). */
static kr_node *load_tree(kr_arena *a, ptrmap *map, const kr_node *n)
{
	int shared = map && (n->flags & KR_NODE_MARK);
	if (shared) {
		int fresh;
		const void **v = pm_get(map, n, &fresh);
		if (!v)
			return NULL;
		if (!fresh)
			return (kr_node *)*v;
	}
	kr_node *c = kr_arena_alloc(a, sizeof(*c));
	if (!c)
		return NULL;
	*c = *n;
	c->flags &= (uint8_t)~KR_NODE_MARK;
	if (shared) {
		int fresh;
		const void **v = pm_get(map, n, &fresh);
		if (!v)
			return NULL;
		*v = c;
	}
	switch (n->type) {
	case KR_SCALAR:
		break;
	case KR_MAP:
		c->u.m.items = NULL;
		if (n->u.m.len &&
		    !(c->u.m.items = kr_arena_alloc(a, n->u.m.len * sizeof(kr_pair))))
			return NULL;
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			kr_pair *p = &c->u.m.items[i];
			p->key = load_tree(a, map, n->u.m.items[i].key);
			p->value = load_tree(a, map, n->u.m.items[i].value);
			if (!p->key || !p->value)
				return NULL;
		}
		break;
	case KR_SEQ:
		c->u.q.items = NULL;
		if (n->u.q.len &&
		    !(c->u.q.items = kr_arena_alloc(a, n->u.q.len * sizeof(kr_node *))))
			return NULL;
		for (uint32_t i = 0; i < n->u.q.len; i++)
			if (!(c->u.q.items[i] = load_tree(a, map, n->u.q.items[i])))
				return NULL;
		break;
	}
	return c;
}

/* Arrays go into the arena (they grow there); their strings are shared. */
static void *load_array(kr_arena *a, const void *v, size_t size, int *fail)
{
	if (!size)
		return NULL;
	void *d = kr_arena_alloc(a, size);
	if (!d)
		*fail = 1;
	else
		memcpy(d, v, size);
	return d;
}

static kr_resource *load_res(kr_arena *a, ptrmap *map, const kr_resource *s)
{
	kr_resource *r = kr_arena_alloc(a, sizeof(*r));
	if (!r)
		return NULL;
	*r = *s;
	int fail = 0;
	r->doc = load_tree(a, map, s->doc);
	r->prev = load_array(a, s->prev, s->nprev * sizeof(*s->prev), &fail);
	r->prefixes = load_array(a, s->prefixes, s->nprefixes * sizeof(char *), &fail);
	r->suffixes = load_array(a, s->suffixes, s->nsuffixes * sizeof(char *), &fail);
	r->refvars = load_array(a, s->refvars, s->nrefvars * sizeof(char *), &fail);
	return r->doc && !fail ? r : NULL;
}

/* Everything the base's build did to the build, from the entry. */
static int replay(kr_ctx *ctx, const bc_entry *e, const kr_root_chain *chain,
                  kr_resmap *out, kr_tconfig *tc, kr_varset *vs,
                  kr_kustomization *k)
{
	struct kr_bcstate *st = ctx->basecache;
	int rc;
	for (size_t i = 0; i < e->nwarns; i++)
		kr_warn(ctx, "%s", e->warns[i]);
	for (size_t i = 0; i < e->ninputs; i++) {
		if ((rc = kr_ctx_note_input(ctx, e->inputs[i].path)) < 0)
			return rc;
		if (st->top &&
		    (rc = set_read(ctx, ctx->ninputs - 1, e->inputs[i].len, e->inputs[i].hash)) < 0)
			return rc;
	}
	ctx->nresources += e->nresources;
	if (e->openapi_after > ctx->openapi_builtin)
		ctx->openapi_builtin = e->openapi_after;
	ptrmap map;
	memset(&map, 0, sizeof(map));
	for (size_t i = 0; i < e->nres; i++) {
		kr_resource *r = load_res(&ctx->arena, e->has_shared ? &map : NULL,
		                          &e->res[i]);
		if (!r || (rc = kr_resmap_append(ctx, out, r)) < 0) {
			pm_free(&map);
			return r ? rc : kr_nomem(ctx);
		}
	}
	pm_free(&map);
	if ((rc = kr_tconfig_set_builtin(ctx, tc)) < 0)
		return rc;
	memset(vs, 0, sizeof(*vs));
	memset(k, 0, sizeof(*k));
	/* the bases recording this one see what it holds */
	for (bc_frame *f = st->top; f; f = f->up) {
		for (size_t i = 0; i < e->nkdirs; i++)
			if (add_kdir(ctx, f, e->kdirs[i].root, e->kdirs[i].name) < 0)
				return kr_nomem(ctx);
		if (depth_under(chain) + e->rel_depth > f->max_depth)
			f->max_depth = depth_under(chain) + e->rel_depth;
	}
	return 0;
}

/* ---- the hook ------------------------------------------------------------- */

/* Builds whose state the cache does not follow. */
static int eligible(const kr_ctx *ctx)
{
	return !ctx->build_metadata && !ctx->origin_path && !ctx->stream_name &&
	       !ctx->remote_top && !ctx->openapi;
}

static void count(struct kr_bctable *t, size_t *field)
{
	pthread_mutex_lock(&t->mu);
	(*field)++;
	pthread_mutex_unlock(&t->mu);
}

int kr_basecache_build(kr_ctx *ctx, const char *dir, const char *root,
                       const kr_root_chain *chain, kr_resmap *out,
                       kr_tconfig *tc, kr_varset *vs, kr_kustomization *k,
                       kr_build_dir_fn build)
{
	struct kr_bctable *t = ctx->cache ? kr_cache_bases(ctx->cache) : NULL;
	/* the top kustomization only when the cache keeps results
	 * (kr_cache_keep_results): a build of many overlays never builds
	 * one twice */
	if (!t || (!chain && !kr_cache_keeps_results(ctx->cache)))
		return build(ctx, dir, root, chain, out, tc, vs, k);
	if (!eligible(ctx)) {
		taint(ctx);
		return build(ctx, dir, root, chain, out, tc, vs, k);
	}
	struct kr_bcstate *st = ctx->basecache;
	if (!st) {
		if (!(st = kr_arena_zalloc(&ctx->arena, sizeof(*st))))
			return kr_nomem(ctx);
		ctx->basecache = st;
	}
	uint64_t h = key_hash(root, dir);
	pthread_mutex_lock(&t->mu);
	bc_entry *e = *find_slot(t, h, root, dir, &ctx->opts);
	pthread_mutex_unlock(&t->mu);
	/* published entries never change: checked and copied unlocked */
	if (e && usable(ctx, e, chain)) {
		count(t, &t->st.hits);
		return replay(ctx, e, chain, out, tc, vs, k);
	}
	count(t, e ? &t->st.stale : &t->st.misses);

	bc_frame f = { st->top, 0, depth_under(chain), NULL, 0, 0 };
	recorded r = { root, dir, h, ctx, ctx->ninputs, 0, st->nwarns, 0, &f, 0,
	               ctx->nresources, ctx->openapi_builtin, 0, out };
	size_t warnings = ctx->nwarnings, links = ctx->nsymlinks;
	int openapi_set = ctx->openapi_set;
	st->top = &f;
	int rc = build(ctx, dir, root, chain, out, tc, vs, k);
	st->top = f.up;
	if (rc < 0)
		return rc;  /* errors are not stored */
	r.in1 = ctx->ninputs;
	r.w1 = st->nwarns;
	/* of the top, the caller also reads sortOptions, which a reuse
	 * does not give back */
	int pure = !f.impure && vs->len == 0 && kr_tconfig_is_builtin(tc) &&
	           (chain || !k->sort_options) &&
	           ctx->nwarnings - warnings == r.w1 - r.w0 &&
	           ctx->nsymlinks == links &&
	           !ctx->openapi && ctx->openapi_set == openapi_set;
	/* every input read whole by kr_read_file, its bytes known */
	for (size_t i = r.in0; pure && i < r.in1; i++)
		pure = i < st->cap && st->reads[i].known;
	bc_entry *ne = NULL;
	if (pure) {
		r.rel_depth = f.max_depth - depth_under(chain);
		r.nresources = ctx->nresources - r.nresources;
		r.openapi_after = ctx->openapi_builtin;
		ne = make_entry(ctx, &r);
	}
	if (!ne) {
		taint(ctx);
		count(t, &t->st.impure);
		return 0;
	}
	publish(t, ne);
	return 0;
}
