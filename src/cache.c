/*
 * cache.c - the parse cache shared between builds (cache.h, kr_cache in
 * krender.h).  One mutex guards the table; parsing and copying run outside
 * it, so threads only serialise on the lookup and the insertion.  A
 * kr_cache also holds the base cache's table (basecache.c).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "basecache.h"
#include "cache.h"
#include "krender.h"

typedef struct entry {
	struct entry *next;     /* in its bucket */
	XXH128_hash_t hash;
	unsigned mode;          /* parse flags | KR_CACHE_MODE_RESOURCES */
	size_t max_alias_nodes; /* limits that decide success */
	unsigned max_depth;
	size_t max_documents;
	size_t len;
	const char *bytes;      /* the parsed text, for an exact comparison */
	kr_node **docs;
	size_t ndocs;
	/* The entry, its bytes and trees are one malloc'd block of the exact
	 * size (an arena per entry would map a fresh 256 KiB chunk for every
	 * file, which costs more than the parsing it saves). */
} entry;

struct kr_cache {
	pthread_mutex_t mu;
	entry **buckets;
	size_t nbuckets, count;
	size_t hits, misses;
	struct kr_bctable *bases;  /* the base cache (basecache.h) */
	void *chunk;               /* a build arena's first chunk, for the next */
	int keep_results;          /* kr_cache_keep_results */
};

int kr_cache_keep_results(kr_cache *c, int on)
{
	if (!c)
		return KR_EUSAGE;
	c->keep_results = on != 0;
	return 0;
}

int kr_cache_keeps_results(const kr_cache *c)
{
	return c && c->keep_results;
}

void *kr_cache_take_chunk(kr_cache *c)
{
	pthread_mutex_lock(&c->mu);
	void *chunk = c->chunk;
	c->chunk = NULL;
	pthread_mutex_unlock(&c->mu);
	return chunk;
}

void kr_cache_put_chunk(kr_cache *c, void *chunk)
{
	if (!chunk)
		return;
	pthread_mutex_lock(&c->mu);
	void *old = c->chunk ? chunk : NULL; /* one is enough */
	if (!c->chunk)
		c->chunk = chunk;
	pthread_mutex_unlock(&c->mu);
	kr_arena_chunk_release(old);
}

struct kr_bctable *kr_cache_bases(kr_cache *c)
{
	return c->bases;
}

int kr_cache_new(kr_cache **out)
{
	if (!out)
		return KR_EUSAGE;
	*out = NULL;
	kr_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return KR_ENOMEM;
	c->nbuckets = 256;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	c->bases = kr_bctable_new();
	if (!c->buckets || !c->bases || pthread_mutex_init(&c->mu, NULL) != 0) {
		kr_bctable_free(c->bases);
		free(c->buckets);
		free(c);
		return KR_ENOMEM;
	}
	*out = c;
	return 0;
}

void kr_cache_free(kr_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (entry *e = c->buckets[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	free(c->buckets);
	kr_bctable_free(c->bases);
	kr_arena_chunk_release(c->chunk);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

int kr_cache_stats(kr_cache *c, size_t *entries, size_t *hits, size_t *misses)
{
	if (!c)
		return KR_EUSAGE;
	pthread_mutex_lock(&c->mu);
	if (entries)
		*entries = c->count;
	if (hits)
		*hits = c->hits;
	if (misses)
		*misses = c->misses;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

/* Out of the cache: a deep copy into the build's arena that shares the
 * (immutable) text and gives every node the build's name for the file. */
static kr_node *load_tree(kr_arena *a, const kr_node *n, const char *file)
{
	kr_node *c = kr_arena_alloc(a, sizeof(*c));
	if (!c)
		return NULL;
	*c = *n;
	c->file = file;
	switch (n->type) {
	case KR_SCALAR:
		break;
	case KR_MAP:
		c->u.m.items = NULL;
		c->u.m.cap = n->u.m.len;
		if (n->u.m.len &&
		    !(c->u.m.items = kr_arena_alloc(a, n->u.m.len * sizeof(kr_pair))))
			return NULL;
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			kr_pair *p = &c->u.m.items[i];
			p->key = load_tree(a, n->u.m.items[i].key, file);
			p->value = load_tree(a, n->u.m.items[i].value, file);
			if (!p->key || !p->value)
				return NULL;
		}
		break;
	case KR_SEQ:
		c->u.q.items = NULL;
		c->u.q.cap = n->u.q.len;
		if (n->u.q.len &&
		    !(c->u.q.items = kr_arena_alloc(a, n->u.q.len * sizeof(kr_node *))))
			return NULL;
		for (uint32_t i = 0; i < n->u.q.len; i++)
			if (!(c->u.q.items[i] = load_tree(a, n->u.q.items[i], file)))
				return NULL;
		break;
	}
	return c;
}

/* Into the cache: the trees, text included, go into one block whose size
 * tree_size() computed; `bump` hands it out. */
#define ALIGN(n) (((n) + 15) & ~(size_t)15)

typedef struct bump {
	char *p;
	size_t used;
} bump;

static void *bump_alloc(bump *b, size_t n)
{
	void *r = b->p + b->used;
	b->used += ALIGN(n);
	return r;
}

static size_t tree_size(const kr_node *n)
{
	size_t s = ALIGN(sizeof(kr_node));
	switch (n->type) {
	case KR_SCALAR:
		s += ALIGN(n->u.s.len + 1);
		break;
	case KR_MAP:
		s += ALIGN(n->u.m.len * sizeof(kr_pair));
		for (uint32_t i = 0; i < n->u.m.len; i++)
			s += tree_size(n->u.m.items[i].key) + tree_size(n->u.m.items[i].value);
		break;
	case KR_SEQ:
		s += ALIGN(n->u.q.len * sizeof(kr_node *));
		for (uint32_t i = 0; i < n->u.q.len; i++)
			s += tree_size(n->u.q.items[i]);
		break;
	}
	return s;
}

static kr_node *store_tree(bump *b, const kr_node *n)
{
	kr_node *c = bump_alloc(b, sizeof(*c));
	*c = *n;
	c->file = NULL;
	switch (n->type) {
	case KR_SCALAR: {
		char *t = bump_alloc(b, n->u.s.len + 1);
		memcpy(t, n->u.s.str, n->u.s.len);
		t[n->u.s.len] = '\0';
		c->u.s.str = t;
		break;
	}
	case KR_MAP:
		c->u.m.cap = n->u.m.len;
		c->u.m.items = bump_alloc(b, n->u.m.len * sizeof(kr_pair));
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			c->u.m.items[i].key = store_tree(b, n->u.m.items[i].key);
			c->u.m.items[i].value = store_tree(b, n->u.m.items[i].value);
		}
		break;
	case KR_SEQ:
		c->u.q.cap = n->u.q.len;
		c->u.q.items = bump_alloc(b, n->u.q.len * sizeof(kr_node *));
		for (uint32_t i = 0; i < n->u.q.len; i++)
			c->u.q.items[i] = store_tree(b, n->u.q.items[i]);
		break;
	}
	return c;
}

static int same_key(const entry *e, XXH128_hash_t h, unsigned mode,
                    const kr_ctx *ctx, const char *data, size_t len)
{
	return XXH128_isEqual(e->hash, h) && e->mode == mode && e->len == len &&
	       e->max_alias_nodes == ctx->opts.max_alias_nodes &&
	       e->max_depth == ctx->opts.max_depth &&
	       e->max_documents == ctx->opts.max_documents &&
	       (len == 0 || memcmp(e->bytes, data, len) == 0);
}

static entry *find(kr_cache *c, XXH128_hash_t h, unsigned mode,
                   const kr_ctx *ctx, const char *data, size_t len)
{
	for (entry *e = c->buckets[h.low64 & (c->nbuckets - 1)]; e; e = e->next)
		if (same_key(e, h, mode, ctx, data, len))
			return e;
	return NULL;
}

/* Double the table when it holds twice as many entries as buckets (under
 * the lock); a failed allocation keeps the old table. */
static void maybe_grow(kr_cache *c)
{
	if (c->count < 2 * c->nbuckets)
		return;
	size_t nb = c->nbuckets * 2;
	entry **b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < c->nbuckets; i++)
		for (entry *e = c->buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash.low64 & (nb - 1)];
			b[e->hash.low64 & (nb - 1)] = e;
		}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = nb;
}

/* A new entry holding copies of docs[0..n) and of the bytes, or NULL when
 * out of memory (the build goes on without caching). */
static entry *make_entry(XXH128_hash_t h, unsigned mode, const kr_ctx *ctx,
                         const char *data, size_t len, kr_node **docs, size_t n)
{
	size_t size = ALIGN(sizeof(entry)) + ALIGN(len + 1) +
	              ALIGN(n * sizeof(kr_node *));
	for (size_t i = 0; i < n; i++)
		size += tree_size(docs[i]);
	bump b = { malloc(size), 0 };
	if (!b.p)
		return NULL;
	entry *e = bump_alloc(&b, sizeof(entry));
	char *bytes = bump_alloc(&b, len + 1);
	kr_node **copies = bump_alloc(&b, n * sizeof(kr_node *));
	memcpy(bytes, data, len);
	bytes[len] = '\0';
	for (size_t i = 0; i < n; i++)
		copies[i] = store_tree(&b, docs[i]);
	e->next = NULL;
	e->hash = h;
	e->mode = mode;
	e->max_alias_nodes = ctx->opts.max_alias_nodes;
	e->max_depth = ctx->opts.max_depth;
	e->max_documents = ctx->opts.max_documents;
	e->len = len;
	e->bytes = bytes;
	e->docs = copies;
	e->ndocs = n;
	return e;
}

int kr_cache_parse(kr_ctx *ctx, const char *file, const char *data, size_t len,
                   unsigned flags, kr_parse_fn parse, kr_doclist *out)
{
	kr_cache *c = ctx->cache;
	XXH128_hash_t h = XXH3_128bits(data, len);
	pthread_mutex_lock(&c->mu);
	entry *e = find(c, h, flags, ctx, data, len);
	if (e)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	if (e) {
		/* Published entries never change: copy outside the lock. */
		for (size_t i = 0; i < e->ndocs; i++) {
			kr_node *d = load_tree(&ctx->arena, e->docs[i], file);
			if (!d || kr_doclist_push(&ctx->arena, out, d) < 0)
				return kr_nomem(ctx);
		}
		return 0;
	}
	size_t first = out->len;
	int rc = parse(ctx, file, data, len, flags & 0xffu, out);
	if (rc < 0)
		return rc;
	entry *ne = make_entry(h, flags, ctx, data, len, out->docs + first,
	                       out->len - first);
	if (!ne)
		return 0;
	pthread_mutex_lock(&c->mu);
	int dup = find(c, h, flags, ctx, data, len) != NULL; /* another thread won */
	if (!dup) {
		size_t b = h.low64 & (c->nbuckets - 1);
		ne->next = c->buckets[b];
		c->buckets[b] = ne;
		c->count++;
		maybe_grow(c);
	}
	pthread_mutex_unlock(&c->mu);
	if (dup)
		free(ne);
	return 0;
}
