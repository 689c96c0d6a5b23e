/*
 * yscratch_alloc.c - malloc, calloc, realloc and free as the statically
 * linked command sees them (ld --wrap, CMakeLists.txt).  Two regions sit
 * in front of the C library's allocator (__real_*):
 *
 * - libyaml's scratch region, per thread (yscratch.h says why and when):
 *   while a libyaml call runs, its allocations go there.
 * - the process region: every other block of up to KR_PR_BLOCK_MAX bytes,
 *   until the region is used up (below).
 *
 * The scratch region is a stack of blocks, each behind a 16-byte header.
 * Freeing the newest block pops it, and with it every block below that was
 * freed earlier; freeing an older block only marks it.  libyaml frees in
 * nearly that order (a value is freed a few events after it was made), so
 * the region stays about as small as libyaml's own buffers; and when the
 * last parser of the thread is deleted, parse.c rewinds it (kr_ys_rewind).
 * What does not fit (a value larger than the free part of the region)
 * comes from the process region or the C library; free tells them apart by
 * address.  A thread's scratch region is made on its first libyaml call
 * (from the process region while it has room) and given back when the
 * thread ends.
 *
 * The process region: 4 MiB mapped on the first allocation and advised as
 * huge pages.  On the virtual machines this project is measured on, each
 * fresh 4 KiB page a process touches costs ~15 us (a trap to the
 * hypervisor), a huge page ~200 us once; the C library's allocators put a
 * small build's few dozen blocks on ten to twenty fresh pages (musl's on
 * more, and map and unmap them as size classes come and go:
 * docs/performance.md).  Its first 320 KiB hold small blocks: allocation
 * bumps a pointer (atomically: any thread may allocate), free gives a
 * block back only when it is the newest one, so other freed blocks are
 * not reused, and once that part is used up every block comes from the C
 * library; what a process can waste is bounded.  The other 3.7 MiB are
 * one arena's first chunk (kr_region_chunk, arena.h), taken and given
 * back whole.  A small build's arena, libyaml's scratch region and the
 * rest of its blocks then all lie in the first huge page.
 *
 * This file is not part of the libraries: a program that links libkrender
 * keeps its own allocator.
 */
#include "yscratch.h"

#include "arena.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#ifndef KR_YS_REGION
#define KR_YS_REGION ((size_t)128 * 1024)
#endif
#define KR_YS_FREED ((size_t)1 << (sizeof(size_t) * 8 - 1))
#define KR_PR_HUGE ((size_t)2 << 20)          /* a huge page */
#define KR_PR_SIZE (2 * KR_PR_HUGE)           /* the process region */
#define KR_PR_CHUNK (KR_PR_SIZE - 320 * 1024)    /* its arena chunk */
#define KR_PR_BLOCK_MAX ((size_t)256 * 1024)  /* larger: the C library */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* ---- the process region ------------------------------------------------ */

/* Before each small block: its size as asked (16 bytes keep blocks
 * aligned). */
typedef struct pr_head {
	size_t size;
	size_t pad;
} pr_head;

static char *pr_base, *pr_end;     /* written once, before pr_state is 2 */
static char *pr_small_end;         /* small blocks below, the chunk above */
static _Atomic(uintptr_t) pr_top;  /* first free byte of the small blocks */
static atomic_int pr_chunk_taken;
static atomic_int pr_state;        /* 0: not mapped, 1: mapping, 2: ready, 3: none */

static size_t rounded(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* Map the region on the first call; a thread that finds another one
 * mapping it uses the C library meanwhile. */
static int pr_ready(void)
{
	int st = atomic_load_explicit(&pr_state, memory_order_acquire);
	if (st == 2)
		return 1;
	if (st != 0 || !atomic_compare_exchange_strong(&pr_state, &st, 1))
		return 0;
	char *m = mmap(NULL, KR_PR_SIZE + KR_PR_HUGE, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		atomic_store_explicit(&pr_state, 3, memory_order_release);
		return 0;
	}
	/* keep the part that starts at a huge page */
	char *start = (char *)(((uintptr_t)m + KR_PR_HUGE - 1) & ~(uintptr_t)(KR_PR_HUGE - 1));
	if (start > m)
		munmap(m, (size_t)(start - m));
	if (m + KR_PR_SIZE + KR_PR_HUGE > start + KR_PR_SIZE)
		munmap(start + KR_PR_SIZE, (size_t)(m + KR_PR_SIZE + KR_PR_HUGE - (start + KR_PR_SIZE)));
#ifdef MADV_HUGEPAGE
	madvise(start, KR_PR_SIZE, MADV_HUGEPAGE);
#endif
	pr_base = start;
	pr_end = start + KR_PR_SIZE;
	pr_small_end = start + (KR_PR_SIZE - KR_PR_CHUNK);
	atomic_store_explicit(&pr_top, (uintptr_t)start, memory_order_relaxed);
	atomic_store_explicit(&pr_state, 2, memory_order_release);
	return 1;
}

static int in_pr(const void *p)
{
	return atomic_load_explicit(&pr_state, memory_order_acquire) == 2 &&
	       (const char *)p >= pr_base && (const char *)p < pr_end;
}

int kr_pr_contains(const void *p)
{
	return in_pr(p);
}

/* A small block of n bytes, or NULL when it is too big or does not fit. */
static void *pr_alloc(size_t n)
{
	if (n > KR_PR_BLOCK_MAX || !pr_ready())
		return NULL;
	size_t need = sizeof(pr_head) + rounded(n ? n : 1);
	uintptr_t top = atomic_load_explicit(&pr_top, memory_order_relaxed);
	do {
		if ((uintptr_t)pr_small_end - top < need)
			return NULL;
	} while (!atomic_compare_exchange_weak(&pr_top, &top, top + need));
	pr_head *h = (pr_head *)top;
	h->size = n;
	return h + 1;
}

/* arena.h: an arena's first chunk, the upper part of the region, while no
 * other arena has it.  The arena frees it with free(), which gives it
 * back. */
void *kr_region_chunk(size_t *size)
{
	int taken = 0;
	if (!pr_ready() ||
	    !atomic_compare_exchange_strong(&pr_chunk_taken, &taken, 1))
		return NULL;
	*size = KR_PR_CHUNK;
	return pr_small_end;
}

static int is_chunk(const void *p)
{
	return (const char *)p == pr_small_end;
}

/* The newest small block goes back to the region; any other stays used. */
static void pr_free(void *p)
{
	if (is_chunk(p)) {
		atomic_store(&pr_chunk_taken, 0);
		return;
	}
	pr_head *h = (pr_head *)p - 1;
	uintptr_t end = (uintptr_t)p + rounded(h->size ? h->size : 1);
	atomic_compare_exchange_strong(&pr_top, &end, (uintptr_t)h);
}

/* A block that grows out of its place: q (or, when NULL, one from the
 * process region or the C library) with the old bytes copied, or NULL. */
static void *moved(void *q, size_t n, const void *p, size_t old)
{
	if (!q)
		q = pr_alloc(n);
	if (!q)
		q = __real_malloc(n);
	if (q)
		memcpy(q, p, old);
	return q;
}

static void *pr_realloc(void *p, size_t n)
{
	size_t old = is_chunk(p) ? KR_PR_CHUNK : ((pr_head *)p - 1)->size;
	if (n == 0) {
		pr_free(p);
		return NULL;
	}
	if (!is_chunk(p) && n <= KR_PR_BLOCK_MAX &&
	    (size_t)(pr_small_end - (char *)p) >= rounded(n)) {
		/* the newest block grows or shrinks in place */
		uintptr_t end = (uintptr_t)p + rounded(old ? old : 1);
		if (atomic_compare_exchange_strong(&pr_top, &end, (uintptr_t)p + rounded(n))) {
			((pr_head *)p - 1)->size = n;
			return p;
		}
	}
	if (n <= old)
		return p;
	void *q = moved(NULL, n, p, old);
	if (q)
		pr_free(p);
	return q;
}

/* ---- libyaml's scratch region ------------------------------------------- */

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
	if (in_pr(r))
		pr_free(r);
	else
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
	char *r = pr_alloc(KR_YS_REGION);
	if (!r)
		r = __real_malloc(KR_YS_REGION);
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
	void *q = moved(ys_alloc(n), n, p, old);
	if (q)
		ys_free(p);
	return q;
}

void *__wrap_malloc(size_t n)
{
	void *p = NULL;
	if (kr_ys.on)
		p = ys_alloc(n ? n : 1);
	if (!p)
		p = pr_alloc(n);
	return p ? p : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (size == 0 || n <= SIZE_MAX / size) {
		size_t total = n * size;
		void *p = NULL;
		if (kr_ys.on)
			p = ys_alloc(total ? total : 1);
		if (!p)
			p = pr_alloc(total);
		if (p) {
			memset(p, 0, total); /* both regions reuse bytes */
			return p;
		}
	}
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (!p)
		return __wrap_malloc(n);
	if (in_region(p))
		return ys_realloc(p, n);
	if (in_pr(p))
		return pr_realloc(p, n);
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	if (!p)
		return;
	if (in_region(p))
		ys_free(p);
	else if (in_pr(p))
		pr_free(p);
	else
		__real_free(p);
}
