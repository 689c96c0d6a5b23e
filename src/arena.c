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
#define KR_HUGE_PAGE ((size_t)2 << 20)
#define KR_ARENA_CHUNK KR_HUGE_PAGE           /* first chunk */
#define KR_ARENA_CHUNK_MAX (32 * 1024 * 1024) /* chunks double up to this */

struct kr_arena_chunk {
	kr_arena_chunk *next;
	size_t size;
	size_t map_len;   /* mapped by chunk_new (0: malloc'd) */
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
		if (c->map_len)
			munmap(c, c->map_len);
		else
			free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

/* The data bytes of a first chunk (chunk_new's mapping of one huge page). */
#define KR_FIRST_CHUNK_DATA (KR_ARENA_CHUNK - sizeof(kr_arena_chunk))

void *kr_arena_free_keep(kr_arena *a)
{
	kr_arena_chunk *keep = NULL, **pp = &a->head;
	for (kr_arena_chunk *c = a->head; c; pp = &c->next, c = c->next)
		if (c->map_len == KR_ARENA_CHUNK && c->size == KR_FIRST_CHUNK_DATA) {
			keep = c;
			*pp = c->next; /* out of the list the arena frees */
			break;
		}
	kr_arena_free(a);
	if (keep)
		keep->next = NULL;
	return keep;
}

void kr_arena_seed(kr_arena *a, void *chunk)
{
	kr_arena_chunk *c = chunk;
	if (!c)
		return;
	if (a->head) { /* not empty: the chunk is not needed */
		kr_arena_chunk_release(c);
		return;
	}
	c->next = NULL;
	a->head = c;
	a->used = 0;
	a->total += c->size;
}

void kr_arena_chunk_release(void *chunk)
{
	kr_arena_chunk *c = chunk;
	if (c)
		munmap(c, c->map_len);
}

void kr_arena_adopt(kr_arena *dst, kr_arena *src)
{
	kr_arena_chunk *first = src->head;
	if (!first)
		return;
	kr_arena_chunk *last = first;
	while (last->next)
		last = last->next;
	if (dst->head) {
		/* behind dst's current chunk, whose free space stays usable */
		last->next = dst->head->next;
		dst->head->next = first;
	} else {
		dst->head = first;
		dst->used = src->used;
	}
	dst->total += src->total;
	dst->count += src->count;
	src->head = NULL;
	src->used = 0;
	src->total = 0;
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
	c->map_len = 0;
	c->size = size;
	c->next = a->head;
	a->head = c;
	a->total += size;
	return c->data;
}
#else
/* A chunk of `size` data bytes.  Chunks are mapped at a 2 MiB boundary
 * and marked MADV_HUGEPAGE: where the kernel has transparent huge pages,
 * the first touch of each 2 MiB is one page fault instead of 512.  On
 * virtual machines a page fault is expensive (docs/performance.md measured
 * ~9 ms to touch 8 MiB of fresh 4 KiB pages, under 1 ms with huge pages),
 * and touching fresh memory was the largest single cost of a build.
 * Elsewhere this is a plain aligned mapping; only touched pages count. */
static kr_arena_chunk *chunk_new(size_t size, int small)
{
	if (small) {
		kr_arena_chunk *c = malloc(sizeof(*c) + size);
		if (c)
			c->map_len = 0;
		return c;
	}
	size_t len = (sizeof(kr_arena_chunk) + size + KR_HUGE_PAGE - 1) & ~(KR_HUGE_PAGE - 1);
	char *m = mmap(NULL, len + KR_HUGE_PAGE, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		kr_arena_chunk *c = malloc(sizeof(*c) + size);
		if (c)
			c->map_len = 0;
		return c;
	}
	/* keep the 2 MiB-aligned part */
	char *start = (char *)(((uintptr_t)m + KR_HUGE_PAGE - 1) & ~(uintptr_t)(KR_HUGE_PAGE - 1));
	if (start > m)
		munmap(m, (size_t)(start - m));
	size_t tail = (size_t)(m + len + KR_HUGE_PAGE - (start + len));
	if (tail)
		munmap(start + len, tail);
#ifdef MADV_HUGEPAGE
	madvise(start, len, MADV_HUGEPAGE);
#endif
	kr_arena_chunk *c = (kr_arena_chunk *)start;
	c->map_len = len;
	return c;
}

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
		size_t csize = a->small ? 64 * 1024 : KR_ARENA_CHUNK;
		while (csize < KR_ARENA_CHUNK_MAX && csize < a->total / 2)
			csize *= 2;
		csize -= sizeof(kr_arena_chunk); /* header and data fill the mapping */
		if (size > csize / 4) {
			/* A big block gets a chunk of its own, linked behind the
			 * current one so the current chunk's free space is kept. */
			kr_arena_chunk *big = chunk_new(size, a->small);
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
		kr_arena_chunk *c = NULL;
		size_t got = 0;
		if (!a->head && !a->small && kr_region_chunk &&
		    (c = kr_region_chunk(&got)) && got > sizeof(*c)) {
			/* a small build then touches one huge page in all */
			c->map_len = 0;
			csize = got - sizeof(*c);
		}
		if (!c && !(c = chunk_new(csize, a->small)))
			return NULL;
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
#ifndef KR_ARENA_MALLOC
	/* The last block of the current chunk grows in place (arrays that
	 * are appended to while nothing else is allocated, the common case). */
	size_t o = (old_size + KR_ARENA_ALIGN - 1) & ~(size_t)(KR_ARENA_ALIGN - 1);
	size_t n = (new_size + KR_ARENA_ALIGN - 1) & ~(size_t)(KR_ARENA_ALIGN - 1);
	if (old && a->head && (unsigned char *)old + o == a->head->data + a->used &&
	    a->used - o + n <= a->head->size) {
		if (should_fail(a))
			return NULL;
		a->used = a->used - o + n;
		return old;
	}
#endif
	void *p = kr_arena_alloc(a, new_size);
	if (!p)
		return NULL;
	if (old_size)
		memcpy(p, old, old_size);
	return p;
}

/* Most formats the library uses are literal text and "%s" (ids, paths,
 * keys).  vsnprintf costs ~1,000 instructions a call, twice per string,
 * which was 6-7% of a build's instructions; this does those formats with
 * strlen and memcpy. */
static int is_concat_format(const char *fmt)
{
	for (const char *f = strchr(fmt, '%'); f; f = strchr(f + 2, '%'))
		if (f[1] != 's' && f[1] != '%')
			return 0;
	return 1;
}

static char *concat_printf(kr_arena *a, const char *fmt, va_list ap)
{
	size_t n = 0;
	va_list aq;
	va_copy(aq, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			n++;
		} else if (*++f == 's') {
			const char *arg = va_arg(aq, const char *);
			n += strlen(arg ? arg : "(null)");
		} else {
			n++; /* "%%" */
		}
	}
	va_end(aq);
	char *out = kr_arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			*o++ = *f;
		} else if (*++f == 's') {
			const char *arg = va_arg(ap, const char *);
			if (!arg)
				arg = "(null)"; /* as glibc's printf */
			size_t l = strlen(arg);
			memcpy(o, arg, l);
			o += l;
		} else {
			*o++ = '%';
		}
	}
	*o = '\0';
	return out;
}

char *kr_arena_printf(kr_arena *a, const char *fmt, ...)
{
	va_list ap;
	if (is_concat_format(fmt)) {
		va_start(ap, fmt);
		char *p = concat_printf(a, fmt, ap);
		va_end(ap);
		return p;
	}
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
