/*
 * test_arena.c - the build arena (arena.c): alignment, growing the last
 * block in place, big blocks, small arenas, and kr_arena_printf's two
 * paths (literal text and %s without vsnprintf, anything else with it).
 * Also kr_buf past 1 MiB, where it moves to a mapping of its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>

#include "arena.h"
#include "buf.h"

static void test_arena__printf(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	assert_string_equal(kr_arena_printf(&a, "%s", ""), "");
	assert_string_equal(kr_arena_printf(&a, "plain"), "plain");
	assert_string_equal(kr_arena_printf(&a, "%s_%s_%s", "apps", "v1", "Deployment"),
	                    "apps_v1_Deployment");
	assert_string_equal(kr_arena_printf(&a, "100%% %s%%", "sure"), "100% sure%");
	/* (a NULL %s argument prints "(null)" as glibc does; not tested,
	 * compilers rightly reject it) */
	/* other conversions go through vsnprintf */
	assert_string_equal(kr_arena_printf(&a, "%s:%d:%zu", "f", -3, (size_t)7), "f:-3:7");
	assert_string_equal(kr_arena_printf(&a, "%.3s|%5s", "abcdef", "x"), "abc|    x");
	/* a long result crosses into a fresh chunk intact */
	char big[5000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *p = kr_arena_printf(&a, "<%s>", big);
	assert_int_equal(strlen(p), sizeof(big) + 1);
	assert_int_equal(p[0], '<');
	assert_int_equal(p[sizeof(big)], '>');
	kr_arena_free(&a);
}

static void test_arena__grow(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	/* the last block grows in place and keeps its contents */
	int *v = kr_arena_alloc(&a, 4 * sizeof(int));
	for (int i = 0; i < 4; i++)
		v[i] = i;
	int *w = kr_arena_grow(&a, v, 4 * sizeof(int), 64 * sizeof(int));
#ifndef KR_ARENA_MALLOC
	assert_ptr_equal(w, v);
#endif
	for (int i = 0; i < 4; i++)
		assert_int_equal(w[i], i);
	/* a block that is not the last one moves, contents copied */
	char *other = kr_arena_alloc(&a, 8);
	memcpy(other, "abcdefg", 8);
	int *x = kr_arena_grow(&a, w, 64 * sizeof(int), 128 * sizeof(int));
	assert_ptr_not_equal(x, w);
	for (int i = 0; i < 4; i++)
		assert_int_equal(x[i], i);
	assert_string_equal(other, "abcdefg");
	/* allocations are 8-byte aligned and do not overlap */
	char *prev = kr_arena_alloc(&a, 3);
	memset(prev, 1, 3);
	for (int i = 0; i < 1000; i++) {
		char *q = kr_arena_alloc(&a, (size_t)(i % 37) + 1);
		assert_int_equal((uintptr_t)q % 8, 0);
		memset(q, 2, (size_t)(i % 37) + 1);
	}
	assert_int_equal(prev[0], 1);
	assert_int_equal(prev[2], 1);
	kr_arena_free(&a);
}

static void fill_and_check(kr_arena *a)
{
	/* many chunks' worth, a few big blocks among small ones */
	char *blocks[200];
	size_t sizes[200];
	for (int i = 0; i < 200; i++) {
		sizes[i] = i % 50 == 7 ? (size_t)3 << 20 : (size_t)(i * 131 % 9000) + 1;
		blocks[i] = kr_arena_alloc(a, sizes[i]);
		assert_non_null(blocks[i]);
		memset(blocks[i], (char)i, sizes[i]);
	}
	for (int i = 0; i < 200; i++) {
		assert_int_equal(blocks[i][0], (char)i);
		assert_int_equal(blocks[i][sizes[i] - 1], (char)i);
	}
}

static void test_arena__chunks(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	fill_and_check(&a);
	kr_arena_free(&a);
	/* a small arena (process-wide tables) works the same */
	kr_arena_init(&a);
	a.small = 1;
	fill_and_check(&a);
	kr_arena_free(&a);
}

/* A finished arena's first chunk seeds the next arena (a server's builds,
 * through kr_cache): the same memory, and everything allocates as before. */
static void test_arena__keep_and_seed(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	char *first = kr_arena_alloc(&a, 100);
	assert_non_null(first);
	fill_and_check(&a); /* more chunks, some of them big blocks */
	void *chunk = kr_arena_free_keep(&a);
	assert_null(a.head);
#ifdef KR_ARENA_MALLOC
	assert_null(chunk); /* one malloc per block: nothing to keep */
	(void)first;
#else
	assert_non_null(chunk);
	kr_arena b;
	kr_arena_init(&b);
	kr_arena_seed(&b, chunk);
	char *again = kr_arena_alloc(&b, 100);
	assert_ptr_equal(again, first); /* the kept memory, from its start */
	fill_and_check(&b);
	kr_arena_free(&b);
	/* a seed for an arena in use is not needed: released */
	kr_arena_init(&a);
	assert_non_null(kr_arena_alloc(&a, 10));
	char *p = kr_arena_alloc(&a, 10);
	void *c2 = NULL;
	kr_arena_init(&b);
	assert_non_null(kr_arena_alloc(&b, 10));
	c2 = kr_arena_free_keep(&b);
	assert_non_null(c2);
	kr_arena_seed(&a, c2);
	assert_ptr_equal(kr_arena_alloc(&a, 10), p + 16);
	kr_arena_free(&a);
#endif
	/* a small arena's malloc'd chunks are never kept */
	kr_arena_init(&a);
	a.small = 1;
	assert_non_null(kr_arena_alloc(&a, 10));
	assert_null(kr_arena_free_keep(&a));
	kr_arena_seed(&a, NULL);
	assert_null(a.head);
}

/* A buffer growing from malloc'd to mapped memory (and mremap'd further)
 * keeps every byte; detaching a mapped one hands over malloc'd memory. */
static void test_arena__big_buf(void **state)
{
	(void)state;
	kr_buf b = KR_BUF_INIT;
	char chunk[1000];
	size_t total = 0;
	for (int i = 0; i < 5000; i++) {  /* 5 MB, through 1, 2 and 4 MiB */
		memset(chunk, 'a' + i % 26, sizeof chunk);
		kr_buf_put(&b, chunk, sizeof chunk);
		total += sizeof chunk;
	}
	assert_false(b.failed);
	assert_int_equal(b.len, total);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(b.data[(size_t)i * 1000 + 999], 'a' + i % 26);
	assert_int_equal(b.data[total], '\0');
	size_t len = 0;
	char *p = kr_buf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, total);
	assert_int_equal(p[total - 1], 'a' + 4999 % 26);
	free(p); /* must be malloc's */
	assert_null(b.data);
	/* and reused after detach, then freed while mapped */
	kr_buf_putn(&b, 'z', (size_t)3 << 20);
	assert_int_equal(b.len, (size_t)3 << 20);
	assert_int_equal(b.data[b.len - 1], 'z');
	kr_buf_free(&b);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena__printf),
		cmocka_unit_test(test_arena__grow),
		cmocka_unit_test(test_arena__chunks),
		cmocka_unit_test(test_arena__keep_and_seed),
		cmocka_unit_test(test_arena__big_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
