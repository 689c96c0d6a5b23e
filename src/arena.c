/*
 * arena.c - bump allocator with large chunks (see arena.h).
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KR_ARENA_ALIGN 8
#define KR_ARENA_CHUNK (256 * 1024)          /* first chunk */
#define KR_ARENA_CHUNK_MAX (32 * 1024 * 1024) /* chunks double up to this */

struct kr_arena_chunk {
	kr_arena_chunk *next;
	size_t size;
	/* data follows, aligned */
	_Alignas(16) unsigned char data[];
};

void kr_arena_init(kr_arena *a)
{
	memset(a, 0, sizeof(*a));
	a->fail_at = 0;
	const char *env = getenv("KR_FAIL_ALLOC_AT");
	if (env && *env)
		a->fail_at = strtoul(env, NULL, 10);
	/* the torture test (tests/alloc_torture.sh) learns how many
	 * allocations a build makes from this */
	env = getenv("KR_COUNT_ALLOCS");
	a->report_count = env && *env && strcmp(env, "0") != 0;
}

void kr_arena_free(kr_arena *a)
{
	if (a->report_count)
		fprintf(stderr, "krender: %lu arena allocations\n", a->count);
	kr_arena_chunk *c = a->head;
	while (c) {
		kr_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

static int should_fail(kr_arena *a)
{
	a->count++;
	return a->fail_at && a->count == a->fail_at;
}

#ifdef KR_ARENA_MALLOC
void *kr_arena_alloc(kr_arena *a, size_t size)
{
	if (should_fail(a))
		return NULL;
	kr_arena_chunk *c = malloc(sizeof(*c) + (size ? size : 1));
	if (!c)
		return NULL;
	c->size = size;
	c->next = a->head;
	a->head = c;
	a->total += size;
	return c->data;
}
#else
void *kr_arena_alloc(kr_arena *a, size_t size)
{
	if (should_fail(a))
		return NULL;
	size = (size + KR_ARENA_ALIGN - 1) & ~(size_t)(KR_ARENA_ALIGN - 1);
	if (size == 0)
		size = KR_ARENA_ALIGN;
	if (!a->head || a->used + size > a->head->size) {
		/* Chunks grow with the arena, so a big build makes few large
		 * allocations (and few system calls) instead of many small ones. */
		size_t csize = KR_ARENA_CHUNK;
		while (csize < KR_ARENA_CHUNK_MAX && csize < a->total / 2)
			csize *= 2;
		if (size > csize / 4) {
			/* A big block gets a chunk of its own, linked behind the
			 * current one so the current chunk's free space is kept. */
			kr_arena_chunk *big = malloc(sizeof(*big) + size);
			if (!big)
				return NULL;
			big->size = size;
			a->total += size;
			if (a->head) {
				big->next = a->head->next;
				a->head->next = big;
			} else {
				big->next = NULL;
				a->head = big;
				a->used = size;
			}
			return big->data;
		}
		kr_arena_chunk *c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
#ifdef MADV_HUGEPAGE
		/* Fewer page faults where transparent huge pages are allowed. */
		if (csize >= (2u << 20))
			madvise((void *)(((uintptr_t)c + 4095) & ~(uintptr_t)4095),
			        csize - 4096, MADV_HUGEPAGE);
#endif
		c->size = csize;
		c->next = a->head;
		a->head = c;
		a->used = 0;
		a->total += csize;
	}
	void *p = a->head->data + a->used;
	a->used += size;
	return p;
}
#endif

void *kr_arena_zalloc(kr_arena *a, size_t size)
{
	void *p = kr_arena_alloc(a, size);
	if (p)
		memset(p, 0, size);
	return p;
}

char *kr_arena_strndup(kr_arena *a, const char *s, size_t len)
{
	char *p = kr_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *kr_arena_strdup(kr_arena *a, const char *s)
{
	return kr_arena_strndup(a, s, strlen(s));
}

void *kr_arena_grow(kr_arena *a, void *old, size_t old_size, size_t new_size)
{
	if (new_size <= old_size)
		return old;
	void *p = kr_arena_alloc(a, new_size);
	if (!p)
		return NULL;
	if (old_size)
		memcpy(p, old, old_size);
	return p;
}

char *kr_arena_printf(kr_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = kr_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
