/*
 * arena.h - one region of memory per build.
 *
 * Every node, string and table of a build is carved out of one arena and
 * released at once by kr_arena_free().  Allocation is a pointer bump in the
 * common case.  Built with -DKR_ARENA_MALLOC (CMake option KR_ARENA_MALLOC),
 * every allocation is a separate malloc() so that AddressSanitizer and
 * valgrind see each block.  An arena can be told to fail its k-th allocation
 * (KR_FAIL_ALLOC_AT=k in the environment) for allocation-failure tests;
 * KR_COUNT_ALLOCS=1 prints the number of allocations when it is freed.
 */
#ifndef KR_ARENA_H
#define KR_ARENA_H

#include <stddef.h>

typedef struct kr_arena_chunk kr_arena_chunk;

typedef struct kr_arena {
	kr_arena_chunk *head;   /* current chunk (singly linked to older ones) */
	size_t used;            /* bytes used in head */
	size_t total;           /* bytes obtained from malloc, for statistics */
	unsigned long count;    /* number of allocations made */
	unsigned long fail_at;  /* fail the fail_at-th allocation (0: never) */
	int report_count;       /* KR_COUNT_ALLOCS set: print count when freed */
	int small;              /* set before the first allocation: small
	                         * malloc'd chunks (for process-wide tables)
	                         * instead of huge-page chunks */
} kr_arena;

void kr_arena_init(kr_arena *a);
void kr_arena_free(kr_arena *a);
/* kr_arena_free, but one chunk of the first size is kept and returned (or
 * NULL when there is none) for another arena: its pages are touched
 * already, where a new chunk's must be faulted in and zeroed by the
 * kernel (a 2 MiB huge page: ~130 us here, docs/performance.md). */
void *kr_arena_free_keep(kr_arena *a);
/* Start an empty arena on a chunk kr_arena_free_keep returned (NULL:
 * nothing to do). */
void kr_arena_seed(kr_arena *a, void *chunk);
/* Unmap a kept chunk. */
void kr_arena_chunk_release(void *chunk);

/* Where the program provides it (the statically linked command,
 * src/yscratch_alloc.c), memory shared with its other allocations for an
 * arena's first chunk: *size bytes, to release with free(); NULL when it
 * has none to give.  Weak: the libraries leave it undefined and every
 * chunk is mapped on its own. */
void *kr_region_chunk(size_t *size) __attribute__((weak));

/* Allocate `size` bytes aligned for any type; NULL when out of memory. */
void *kr_arena_alloc(kr_arena *a, size_t size);
/* Like kr_arena_alloc but zero-filled. */
void *kr_arena_zalloc(kr_arena *a, size_t size);
/* Copy `len` bytes of `s` and add a terminating NUL. */
char *kr_arena_strndup(kr_arena *a, const char *s, size_t len);
char *kr_arena_strdup(kr_arena *a, const char *s);
/* Grow an array that lives in the arena: returns a block of `new_size`
 * bytes holding the first `old_size` bytes of `old`. */
void *kr_arena_grow(kr_arena *a, void *old, size_t old_size, size_t new_size);
/* Take over the memory of `src` (another thread's arena, say): its blocks
 * stay valid and are released with `dst`; `src` is left empty. */
void kr_arena_adopt(kr_arena *dst, kr_arena *src);
/* printf into the arena. */
char *kr_arena_printf(kr_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
