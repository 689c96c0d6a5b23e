/*
 * test_yscratch.c - the static command's allocator (src/yscratch.h,
 * src/yscratch_alloc.c): libyaml's scratch regions and the process region.
 * Linked like the command, with malloc/calloc/realloc/free wrapped (ld
 * --wrap) and libyaml's static archive, so that libyaml's own calls go
 * through it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "arena.h"
#include "ctx.h"
#include "parse.h"
#include "yscratch.h"

#define REGION ((size_t)128 * 1024) /* KR_YS_REGION */
#define PR_SMALL ((size_t)320 << 10) /* KR_PR_SIZE - KR_PR_CHUNK */
#define PR_BLOCK_MAX ((size_t)256 * 1024) /* KR_PR_BLOCK_MAX */

static int in_region(const void *p)
{
	return kr_ys.base && (const char *)p >= kr_ys.base && (const char *)p < kr_ys.end;
}

/* What a libyaml call sees: allocations while kr_ys.on.  (Through a
 * volatile pointer: GCC knows that its builtin malloc reads no global, and
 * would drop the on++/on-- around a direct call.) */
static void *in_call(void *(*fn)(size_t), size_t n)
{
	void *(*volatile call)(size_t) = fn;
	kr_ys.on++;
	void *p = call(n);
	kr_ys.on--;
	return p;
}

static void test_yscratch__outside_libyaml_calls_blocks_are_not_scratch(void **state)
{
	(void)state;
	void *warm = in_call(malloc, 8); /* the region exists from here on */
	assert_true(in_region(warm));
	free(warm);
	char *p = malloc(100);
	assert_non_null(p);
	assert_false(in_region(p));
	assert_true(kr_pr_contains(p));
	p = realloc(p, 5000);
	assert_false(in_region(p));
	free(p);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
}

/* ---- the process region ---- */

static void test_yscratch__process_region_bumps_and_gives_back_the_newest(void **state)
{
	(void)state;
	char *p = malloc(100);
	char *q = malloc(100);
	assert_non_null(p);
	assert_non_null(q);
	memset(p, 1, 100);
	memset(q, 2, 100);
	assert_true(kr_pr_contains(p) && kr_pr_contains(q));
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_ptr_equal(q, p + 112 + 16); /* 100 rounded to 16, then q's header */
	free(q); /* the newest: given back */
	char *r = malloc(50);
	assert_ptr_equal(r, q);
	free(p); /* not the newest: stays used */
	char *s = malloc(8);
	assert_ptr_equal(s, r + 64 + 16);
	free(s);
	free(r);
	char *t = malloc(8); /* p's block was never given back */
	assert_ptr_equal(t, q);
	free(t);
}

static void test_yscratch__process_region_realloc(void **state)
{
	(void)state;
	char *a = malloc(16);
	memcpy(a, "0123456789abcde", 16);
	char *a2 = realloc(a, 4096); /* the newest grows in place */
	assert_ptr_equal(a2, a);
	char *b = malloc(16);
	memcpy(b, "second", 7);
	char *a3 = realloc(a2, 2048); /* shrinks: stays */
	assert_ptr_equal(a3, a2);
	char *a4 = realloc(a3, 8192); /* not the newest: moved, copied */
	assert_ptr_not_equal(a4, a3);
	assert_true(kr_pr_contains(a4));
	assert_string_equal(a4, "0123456789abcde");
	assert_string_equal(b, "second");
	char *big = realloc(a4, PR_BLOCK_MAX + 1); /* too big: the C library's */
	assert_non_null(big);
	assert_false(kr_pr_contains(big));
	assert_string_equal(big, "0123456789abcde");
	big[PR_BLOCK_MAX] = 1;
	free(big);
	free(b);
	char *c = malloc(PR_BLOCK_MAX + 1);
	assert_false(kr_pr_contains(c));
	free(c);
}

static void test_yscratch__process_region_calloc_zeroes_reused_bytes(void **state)
{
	(void)state;
	unsigned char *p = malloc(64);
	memset(p, 0xff, 64);
	free(p);
	unsigned char *c = calloc(8, 8); /* the same bytes again */
	assert_ptr_equal(c, p);
	for (int i = 0; i < 64; i++)
		assert_int_equal(c[i], 0);
	free(c);
}

/* An arena's first chunk shares the region (kr_region_chunk).  (With
 * KR_ARENA_MALLOC every arena block is a malloc of its own, a small block
 * of the region here.) */
static void test_yscratch__arena_first_chunk_from_the_region(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	char *x = kr_arena_alloc(&a, 64);
	assert_non_null(x);
	assert_true(kr_pr_contains(x));
	memset(x, 3, 64);
	kr_arena_free(&a);
	/* given back (it was the newest block): the next one starts there */
	kr_arena_init(&a);
	char *y = kr_arena_alloc(&a, 64);
	assert_ptr_equal(y, x);
	kr_arena_free(&a);
}

typedef struct {
	char *blocks[300];
	int ok;
} pr_result;

static void *allocate_on_thread(void *arg)
{
	pr_result *r = arg;
	r->ok = 1;
	for (int i = 0; i < 300; i++) {
		size_t n = 16 + (size_t)(i % 7) * 40;
		r->blocks[i] = malloc(n);
		if (!r->blocks[i]) {
			r->ok = 0;
			return NULL;
		}
		memset(r->blocks[i], (int)(uintptr_t)r & 0xff, n);
	}
	for (int i = 0; i < 300; i++) {
		size_t n = 16 + (size_t)(i % 7) * 40;
		for (size_t k = 0; k < n; k++)
			if (r->blocks[i][k] != (char)((uintptr_t)r & 0xff))
				r->ok = 0;
	}
	return NULL;
}

/* Threads allocate at once: every block is its own. */
static void test_yscratch__process_region_threads(void **state)
{
	(void)state;
	pthread_t t[4];
	static pr_result r[4];
	memset(r, 0, sizeof r);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, allocate_on_thread, &r[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	int in = 0;
	for (int i = 0; i < 4; i++) {
		assert_true(r[i].ok);
		for (int j = 0; j < 300; j++) {
			in += kr_pr_contains(r[i].blocks[j]);
			free(r[i].blocks[j]);
		}
	}
	assert_true(in > 0);
}

static void test_yscratch__blocks_stack_up_and_pop(void **state)
{
	(void)state;
	char *a = in_call(malloc, 100);
	char *b = in_call(malloc, 200);
	assert_true(in_region(a) && in_region(b));
	assert_true(b > a);
	assert_int_equal((uintptr_t)a % 16, 0);
	memset(a, 1, 100);
	memset(b, 2, 200);
	uintptr_t b_header = (uintptr_t)b - 16;
	free(b); /* the newest: popped */
	assert_int_equal((uintptr_t)kr_ys.top, b_header);
	free(a);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
	/* freed out of order: older blocks are marked, then popped together */
	char *x = in_call(malloc, 10), *y = in_call(malloc, 10), *z = in_call(malloc, 10);
	uintptr_t z_end = (uintptr_t)z + 16;
	free(x);
	free(y);
	assert_int_equal((uintptr_t)kr_ys.top, z_end);
	free(z);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
}

static void test_yscratch__realloc_keeps_contents(void **state)
{
	(void)state;
	char *a = in_call(malloc, 16);
	memcpy(a, "0123456789abcde", 16);
	char *a2 = realloc(a, 4096); /* the newest grows in place */
	assert_ptr_equal(a2, a);
	assert_string_equal(a2, "0123456789abcde");
	char *b = in_call(malloc, 16);
	memcpy(b, "second", 7);
	char *a3 = realloc(a2, 8192); /* not the newest any more: moved */
	assert_ptr_not_equal(a3, a2);
	assert_true(in_region(a3));
	assert_string_equal(a3, "0123456789abcde");
	assert_string_equal(b, "second");
	/* past the region: copied out to the system's allocator */
	char *big = realloc(a3, REGION + 1);
	assert_non_null(big);
	assert_false(in_region(big));
	assert_string_equal(big, "0123456789abcde");
	free(big);
	free(b);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
}

static void *calloc_in_call(size_t n)
{
	return calloc(n, 8);
}

static void test_yscratch__calloc_zeroes_reused_memory(void **state)
{
	(void)state;
	unsigned char *p = in_call(malloc, 64);
	memset(p, 0xff, 64);
	uintptr_t was = (uintptr_t)p;
	free(p);
	unsigned char *c = in_call(calloc_in_call, 8); /* the same bytes again */
	assert_int_equal((uintptr_t)c, was);
	for (int i = 0; i < 64; i++)
		assert_int_equal(c[i], 0);
	free(c);
}

static void test_yscratch__too_big_for_the_region_is_the_system_s(void **state)
{
	(void)state;
	char *p = in_call(malloc, REGION + 1);
	assert_non_null(p);
	assert_false(in_region(p));
	p[REGION] = 1;
	free(p);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
}

static int parse(kr_ctx *ctx, const char *text, kr_doclist *out)
{
	memset(out, 0, sizeof(*out));
	return kr_yaml_parse(ctx, "t.yaml", text, strlen(text), 0, out);
}

static void test_yscratch__libyaml_parses_from_the_region(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	size_t before = kr_ys.blocks;
	assert_int_equal(parse(&ctx, "a: &x {b: [1, 2, \"three\"]}\nc: *x\nd: !!str 4\n", &l), 0);
	assert_true(kr_ys.blocks > before + 10); /* buffers, scalars, tags, anchors */
	assert_int_equal(kr_ys.parsers, 0);
	assert_ptr_equal(kr_ys.top, kr_ys.base); /* rewound */
	assert_int_equal(l.len, 1);
	kr_node *b = kr_map_get(kr_map_get(l.docs[0], "c"), "b");
	assert_non_null(b);
	assert_string_equal(b->u.q.items[2]->u.s.str, "three");
	assert_string_equal(kr_map_get(l.docs[0], "d")->u.s.str, "4");
	kr_ctx_free(&ctx);
}

/* A scalar longer than the region: libyaml's growing string moves out
 * to the system's allocator and is freed there. */
static void test_yscratch__scalar_larger_than_the_region(void **state)
{
	(void)state;
	size_t n = REGION + REGION / 2;
	char *text = malloc(n + 16);
	assert_non_null(text);
	memcpy(text, "k: ", 3);
	memset(text + 3, 'v', n);
	memcpy(text + 3 + n, "\nz: 1\n", 7);
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, text, &l), 0);
	const kr_node *k = kr_map_get(l.docs[0], "k");
	assert_int_equal(k->u.s.len, n);
	assert_int_equal(k->u.s.str[n - 1], 'v');
	assert_non_null(kr_map_get(l.docs[0], "z"));
	assert_ptr_equal(kr_ys.top, kr_ys.base);
	kr_ctx_free(&ctx);
	free(text);
}

/* A bad document: the parser is deleted on the error path too. */
static void test_yscratch__error_path_rewinds(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_true(parse(&ctx, "a: [1, 2\nb: 'x\n", &l) < 0);
	assert_int_equal(kr_ys.parsers, 0);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
	kr_ctx_free(&ctx);
}

typedef struct {
	const char *base;
	int ok;
} thread_result;

static pthread_barrier_t all_parsed;

static void *parse_on_thread(void *arg)
{
	thread_result *r = arg;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	char text[64];
	int ok = 1;
	for (int i = 0; i < 200 && ok; i++) {
		snprintf(text, sizeof text, "n: %d\nlist: [a, b, c]\n", i);
		ok = parse(&ctx, text, &l) == 0 && l.len == 1 &&
		     atoi(kr_map_get(l.docs[0], "n")->u.s.str) == i &&
		     kr_map_get(l.docs[0], "list")->u.q.len == 3;
	}
	r->ok = ok && kr_ys.top == kr_ys.base && kr_ys.parsers == 0;
	r->base = kr_ys.base;
	kr_ctx_free(&ctx);
	/* every thread still holds its region here */
	pthread_barrier_wait(&all_parsed);
	return NULL;
}

static void test_yscratch__each_thread_has_its_own_region(void **state)
{
	(void)state;
	pthread_t t[4];
	thread_result r[4];
	memset(r, 0, sizeof r);
	assert_int_equal(pthread_barrier_init(&all_parsed, NULL, 4), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, parse_on_thread, &r[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&all_parsed);
	for (int i = 0; i < 4; i++) {
		assert_true(r[i].ok);
		assert_non_null(r[i].base);
		assert_ptr_not_equal(r[i].base, kr_ys.base);
		for (int j = i + 1; j < 4; j++)
			assert_ptr_not_equal(r[i].base, r[j].base);
	}
}

/* Last (it uses the region up): then every block is the C library's, and
 * the region's blocks stay valid. */
static void test_yscratch__process_region_used_up(void **state)
{
	(void)state;
	enum { N = 600 };
	static char *blocks[N];
	static size_t sizes[N];
	int n = 0;
	/* ever smaller blocks, each size until one comes from outside */
	const size_t size[] = { PR_BLOCK_MAX / 2, 4096, 16 };
	for (int s = 0; s < 3; s++)
		for (;;) {
			assert_true(n < N);
			char *b = malloc(size[s]);
			assert_non_null(b);
			memset(b, n & 0x7f, size[s]);
			blocks[n] = b;
			sizes[n++] = size[s];
			if (!kr_pr_contains(b))
				break;
		}
	/* at most the small blocks' part fitted */
	size_t in = 0;
	for (int i = 0; i < n; i++)
		if (kr_pr_contains(blocks[i]))
			in += sizes[i];
	assert_true(in <= PR_SMALL);
	char *small = malloc(1);
	assert_false(kr_pr_contains(small));
	free(small);
	/* the arena chunk is apart: still there for one arena at a time */
	kr_arena a, b;
	kr_arena_init(&a);
	kr_arena_init(&b);
	char *x = kr_arena_alloc(&a, 64);
	char *y = kr_arena_alloc(&b, 64);
	assert_non_null(x);
	assert_non_null(y);
	int x_in = kr_pr_contains(x), y_in = kr_pr_contains(y);
	kr_arena_free(&b);
	kr_arena_free(&a);
#ifdef KR_ARENA_MALLOC
	/* every arena block is its own malloc: the C library's now */
	assert_false(x_in);
#else
	assert_true(x_in);
#endif
	assert_false(y_in);
	for (int i = 0; i < n; i++) {
		assert_int_equal(blocks[i][0], (char)(i & 0x7f));
		assert_int_equal(blocks[i][sizes[i] - 1], (char)(i & 0x7f));
		free(blocks[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: an arena's first chunk needs room in the region */
		cmocka_unit_test(test_yscratch__arena_first_chunk_from_the_region),
		cmocka_unit_test(test_yscratch__process_region_bumps_and_gives_back_the_newest),
		cmocka_unit_test(test_yscratch__process_region_realloc),
		cmocka_unit_test(test_yscratch__process_region_calloc_zeroes_reused_bytes),
		cmocka_unit_test(test_yscratch__outside_libyaml_calls_blocks_are_not_scratch),
		cmocka_unit_test(test_yscratch__blocks_stack_up_and_pop),
		cmocka_unit_test(test_yscratch__realloc_keeps_contents),
		cmocka_unit_test(test_yscratch__calloc_zeroes_reused_memory),
		cmocka_unit_test(test_yscratch__too_big_for_the_region_is_the_system_s),
		cmocka_unit_test(test_yscratch__libyaml_parses_from_the_region),
		cmocka_unit_test(test_yscratch__scalar_larger_than_the_region),
		cmocka_unit_test(test_yscratch__error_path_rewinds),
		cmocka_unit_test(test_yscratch__each_thread_has_its_own_region),
		cmocka_unit_test(test_yscratch__process_region_threads),
		cmocka_unit_test(test_yscratch__process_region_used_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
