/*
 * test_yscratch.c - libyaml's scratch region (src/yscratch.h): linked like
 * the static command, with malloc/calloc/realloc/free wrapped (ld --wrap)
 * and libyaml's static archive, so that libyaml's own calls go through it.
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

#include "ctx.h"
#include "parse.h"
#include "yscratch.h"

#define REGION ((size_t)256 * 1024) /* KR_YS_REGION */

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

static void test_yscratch__outside_libyaml_calls_malloc_is_the_system_s(void **state)
{
	(void)state;
	void *warm = in_call(malloc, 8); /* the region exists from here on */
	assert_true(in_region(warm));
	free(warm);
	char *p = malloc(100);
	assert_non_null(p);
	assert_false(in_region(p));
	p = realloc(p, 5000);
	assert_false(in_region(p));
	free(p);
	assert_ptr_equal(kr_ys.top, kr_ys.base);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yscratch__outside_libyaml_calls_malloc_is_the_system_s),
		cmocka_unit_test(test_yscratch__blocks_stack_up_and_pop),
		cmocka_unit_test(test_yscratch__realloc_keeps_contents),
		cmocka_unit_test(test_yscratch__calloc_zeroes_reused_memory),
		cmocka_unit_test(test_yscratch__too_big_for_the_region_is_the_system_s),
		cmocka_unit_test(test_yscratch__libyaml_parses_from_the_region),
		cmocka_unit_test(test_yscratch__scalar_larger_than_the_region),
		cmocka_unit_test(test_yscratch__error_path_rewinds),
		cmocka_unit_test(test_yscratch__each_thread_has_its_own_region),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
