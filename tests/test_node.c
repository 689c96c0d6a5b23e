/*
 * test_node.c - the YAML value model: constructors, lookups, deep copy and
 * go-yaml v3's plain scalar resolution.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "node.h"

static void test_node__resolve_table(void **state)
{
	(void)state;
	static const struct { const char *in; kr_tag tag; } cases[] = {
		{ "", KR_TAG_NULL }, { "~", KR_TAG_NULL }, { "null", KR_TAG_NULL },
		{ "Null", KR_TAG_NULL }, { "NULL", KR_TAG_NULL }, { "nULL", KR_TAG_STR },
		{ "true", KR_TAG_BOOL }, { "True", KR_TAG_BOOL }, { "TRUE", KR_TAG_BOOL },
		{ "false", KR_TAG_BOOL }, { "tRUE", KR_TAG_STR },
		/* YAML 1.1 booleans are strings in go-yaml v3 */
		{ "yes", KR_TAG_STR }, { "on", KR_TAG_STR }, { "y", KR_TAG_STR },
		{ "no", KR_TAG_STR }, { "off", KR_TAG_STR },
		{ "0", KR_TAG_INT }, { "-1", KR_TAG_INT }, { "+7", KR_TAG_INT },
		{ "0123", KR_TAG_INT }, { "0x1F", KR_TAG_INT }, { "0o17", KR_TAG_INT },
		{ "0b101", KR_TAG_INT }, { "1_000", KR_TAG_INT },
		{ "9223372036854775807", KR_TAG_INT },
		{ "18446744073709551615", KR_TAG_INT },
		{ "18446744073709551616", KR_TAG_FLOAT },
		{ "08", KR_TAG_FLOAT }, { "1.0", KR_TAG_FLOAT }, { ".5", KR_TAG_FLOAT },
		{ "1e3", KR_TAG_FLOAT }, { "-1.5E-3", KR_TAG_FLOAT }, { "1.", KR_TAG_FLOAT },
		{ ".inf", KR_TAG_FLOAT }, { "-.Inf", KR_TAG_FLOAT }, { ".NaN", KR_TAG_FLOAT },
		{ "1e", KR_TAG_STR }, { "0x", KR_TAG_STR }, { "1.2.3", KR_TAG_STR },
		{ "-", KR_TAG_STR }, { "+", KR_TAG_STR }, { ".", KR_TAG_STR },
		{ "1:20", KR_TAG_STR }, { "2024-01-01", KR_TAG_STR }, { "abc", KR_TAG_STR },
		{ "12abc", KR_TAG_STR }, { "0x1G", KR_TAG_STR },
		/* go-yaml v3 specifics */
		{ "0o-17", KR_TAG_INT }, { "0b-1", KR_TAG_INT }, { "1e400", KR_TAG_STR },
		{ "-1e400", KR_TAG_STR }, { ".5e400", KR_TAG_STR }, { "._5", KR_TAG_STR },
		{ "1.5e-400", KR_TAG_FLOAT }, { "1_000.5", KR_TAG_FLOAT },
		{ "0000000000000000000000000000000000000000000000000000000000000000000001",
		  KR_TAG_INT },
		{ "1234567890123456789012345678901234567890123456789012345678901234567890.5",
		  KR_TAG_FLOAT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kr_tag got = kr_resolve_plain(cases[i].in, strlen(cases[i].in));
		if (got != cases[i].tag)
			fail_msg("resolve(\"%s\") = %d, want %d", cases[i].in, got,
			         cases[i].tag);
	}
}

static void test_node__map_order_and_lookup(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	kr_node *m = kr_node_map(&a, 0);
	const char *keys[] = { "zeta", "alpha", "mid", "beta", "omega" };
	for (int i = 0; i < 5; i++)
		assert_int_equal(kr_map_append(&a, m, kr_node_str(&a, keys[i]),
		                               kr_node_str(&a, keys[4 - i])), 0);
	assert_int_equal(m->u.m.len, 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(m->u.m.items[i].key->u.s.str, keys[i]);
	assert_string_equal(kr_map_get(m, "mid")->u.s.str, "mid");
	assert_null(kr_map_get(m, "missing"));
	assert_int_equal(kr_map_set(&a, m, "alpha", kr_node_str(&a, "X")), 0);
	assert_int_equal(m->u.m.len, 5);
	assert_string_equal(kr_map_get(m, "alpha")->u.s.str, "X");
	assert_int_equal(kr_map_remove(m, "zeta"), 1);
	assert_int_equal(kr_map_remove(m, "zeta"), 0);
	assert_int_equal(m->u.m.len, 4);
	assert_string_equal(m->u.m.items[0].key->u.s.str, "alpha");
	kr_arena_free(&a);
}

static void test_node__get_str_path(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	kr_node *doc = kr_node_map(&a, 0);
	kr_node *md = kr_node_map(&a, 0);
	kr_map_set(&a, md, "name", kr_node_str(&a, "web"));
	kr_map_set(&a, doc, "metadata", md);
	assert_string_equal(kr_node_get_str(doc, "metadata", "name", NULL), "web");
	assert_null(kr_node_get_str(doc, "metadata", "namespace", NULL));
	assert_null(kr_node_get_str(doc, "metadata", NULL)); /* not a scalar */
	kr_arena_free(&a);
}

static void test_node__deep_copy_is_independent(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	kr_node *seq = kr_node_seq(&a, 0);
	kr_node *m = kr_node_map(&a, 0);
	kr_map_set(&a, m, "k", kr_node_str(&a, "v"));
	kr_seq_append(&a, seq, m);
	kr_node *c = kr_node_copy(&a, seq);
	assert_non_null(c);
	assert_int_equal(c->u.q.len, 1);
	kr_map_set(&a, c->u.q.items[0], "k", kr_node_str(&a, "changed"));
	kr_map_set(&a, c->u.q.items[0], "new", kr_node_str(&a, "x"));
	assert_string_equal(kr_map_get(m, "k")->u.s.str, "v");
	assert_null(kr_map_get(m, "new"));
	kr_arena_free(&a);
}

static void test_node__arena_grows_past_chunks(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	kr_node *seq = kr_node_seq(&a, 0);
	for (int i = 0; i < 100000; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "item-%d", i);
		assert_int_equal(kr_seq_append(&a, seq, kr_node_str(&a, buf)), 0);
	}
	assert_string_equal(seq->u.q.items[99999]->u.s.str, "item-99999");
	assert_string_equal(seq->u.q.items[0]->u.s.str, "item-0");
	void *big = kr_arena_alloc(&a, 10 << 20);
	assert_non_null(big);
	memset(big, 1, 10 << 20);
	kr_arena_free(&a);
}

static void test_node__arena_fail_at(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	a.fail_at = 3;
	assert_non_null(kr_arena_alloc(&a, 8));
	assert_non_null(kr_arena_alloc(&a, 8));
	assert_null(kr_arena_alloc(&a, 8));
	assert_non_null(kr_arena_alloc(&a, 8));
	kr_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node__resolve_table),
		cmocka_unit_test(test_node__map_order_and_lookup),
		cmocka_unit_test(test_node__get_str_path),
		cmocka_unit_test(test_node__deep_copy_is_independent),
		cmocka_unit_test(test_node__arena_grows_past_chunks),
		cmocka_unit_test(test_node__arena_fail_at),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
