/*
 * yscratch_alloc.c - malloc, calloc, realloc and free as the statically
 * linked command sees them (ld --wrap, CMakeLists.txt): libyaml's
 * allocations go to a per-thread scratch region (yscratch.h says why and
 * when), everything else to the C library's allocator (__real_*).
 *
 * The region is a stack of blocks, each behind a 16-byte header.  Freeing
 * the newest block pops it, and with it every block below that was freed
 * earlier; freeing an older block only marks it.  libyaml frees in nearly
 * that order (a value is freed a few events after it was made), so the
 * region stays about as small as libyaml's own buffers; and when the last
 * parser of the thread is deleted, parse.c rewinds it (kr_ys_rewind).
 *
 * What does not fit (a value larger than the free part of the region)
 * comes from __real_malloc; free tells the two apart by address.  The
 * region is allocated on a thread's first libyaml call and freed when the
 * thread ends.  This file is not part of the libraries: a program that
 * links libkrender keeps its own allocator.
 */
#include "yscratch.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#ifndef KR_YS_REGION
#define KR_YS_REGION ((size_t)256 * 1024)
#endif
#define KR_YS_FREED ((size_t)1 << (sizeof(size_t) * 8 - 1))

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

struct kr_yblock {
	size_t size;     /* bytes asked for; KR_YS_FREED once freed */
	kr_yblock *prev; /* the block below it, or NULL */
};

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t region_key;
static int key_made;

/* A thread ends: give its region back. */
static void region_free(void *r)
{
	if (kr_ys.base == r) {
		kr_ys.base = kr_ys.top = kr_ys.end = NULL;
		kr_ys.last = NULL;
	}
	__real_free(r);
}

static void make_key(void)
{
	key_made = pthread_key_create(&region_key, region_free) == 0;
}

static int region_ready(void)
{
	if (kr_ys.base)
		return 1;
	char *r = __real_malloc(KR_YS_REGION);
	if (!r)
		return 0;
	kr_ys.base = kr_ys.top = r;
	kr_ys.end = r + KR_YS_REGION;
	kr_ys.last = NULL;
	/* pthread may allocate for its key table: not from the region */
	int on = kr_ys.on;
	kr_ys.on = 0;
	pthread_once(&key_once, make_key);
	if (key_made)
		pthread_setspecific(region_key, r);
	kr_ys.on = on;
	return 1;
}

static int in_region(const void *p)
{
	return (const char *)p >= kr_ys.base && (const char *)p < kr_ys.end;
}

static size_t rounded(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static void *ys_alloc(size_t n)
{
	if (!region_ready() || n > KR_YS_REGION ||
	    (size_t)(kr_ys.end - kr_ys.top) < sizeof(kr_yblock) + rounded(n))
		return NULL;
	kr_yblock *b = (kr_yblock *)(void *)kr_ys.top;
	b->size = n;
	b->prev = kr_ys.last;
	kr_ys.last = b;
	kr_ys.top += sizeof(kr_yblock) + rounded(n);
	kr_ys.blocks++;
	return b + 1;
}

static void ys_free(void *p)
{
	kr_yblock *b = (kr_yblock *)p - 1;
	if (b != kr_ys.last) {
		b->size |= KR_YS_FREED;
		return;
	}
	kr_ys.top = (char *)b;
	kr_ys.last = b->prev;
	while (kr_ys.last && (kr_ys.last->size & KR_YS_FREED)) {
		kr_ys.top = (char *)kr_ys.last;
		kr_ys.last = kr_ys.last->prev;
	}
}

static void *ys_realloc(void *p, size_t n)
{
	kr_yblock *b = (kr_yblock *)p - 1;
	size_t old = b->size;
	if (n == 0) {
		ys_free(p);
		return NULL;
	}
	if (b == kr_ys.last && n <= KR_YS_REGION &&
	    (size_t)(kr_ys.end - (char *)p) >= rounded(n)) {
		b->size = n; /* the newest block grows or shrinks in place */
		kr_ys.top = (char *)p + rounded(n);
		return p;
	}
	if (n <= old)
		return p;
	void *q = ys_alloc(n);
	if (!q)
		q = __real_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old);
	ys_free(p);
	return q;
}

void *__wrap_malloc(size_t n)
{
	if (kr_ys.on) {
		void *p = ys_alloc(n ? n : 1);
		if (p)
			return p;
	}
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (kr_ys.on && (size == 0 || n <= SIZE_MAX / size)) {
		size_t total = n * size;
		void *p = ys_alloc(total ? total : 1);
		if (p) {
			memset(p, 0, total); /* the region is reused */
			return p;
		}
	}
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (p && in_region(p))
		return ys_realloc(p, n);
	if (!p && kr_ys.on)
		return __wrap_malloc(n);
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	if (p && in_region(p))
		ys_free(p);
	else
		__real_free(p);
}
