/*
 * test_parse.c - the libyaml adapter: documents, typing, positions,
 * anchors/aliases, merge keys, duplicate keys, limits and error positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "parse.h"

static int parse(kr_ctx *ctx, const char *text, unsigned flags, kr_doclist *out)
{
	memset(out, 0, sizeof(*out));
	return kr_yaml_parse(ctx, "t.yaml", text, strlen(text), flags, out);
}

static void test_parse__documents_and_empty_ones(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "---\n---\na: 1\n---\n# only a comment\n---\nnull\n---\n"
	                             "b: 2\n...\n", 0, &l), 0);
	assert_int_equal(l.len, 2);
	assert_non_null(kr_map_get(l.docs[0], "a"));
	assert_non_null(kr_map_get(l.docs[1], "b"));
	kr_ctx_free(&ctx);
}

static void test_parse__types_and_styles(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "i: 10\nf: 1.5\nb: true\nn: ~\ns: hello\n"
	                             "q: \"10\"\nsq: 'true'\nlit: |\n  a\n  b\n"
	                             "tagged: !!str 12\nti: !!int \"7\"\nyes: yes\n",
	                       0, &l), 0);
	kr_node *d = l.docs[0];
	assert_int_equal(kr_map_get(d, "i")->tag, KR_TAG_INT);
	assert_int_equal(kr_map_get(d, "f")->tag, KR_TAG_FLOAT);
	assert_int_equal(kr_map_get(d, "b")->tag, KR_TAG_BOOL);
	assert_int_equal(kr_map_get(d, "n")->tag, KR_TAG_NULL);
	assert_int_equal(kr_map_get(d, "s")->tag, KR_TAG_STR);
	assert_int_equal(kr_map_get(d, "q")->tag, KR_TAG_STR);
	assert_int_equal(kr_map_get(d, "q")->style, KR_STYLE_DOUBLE);
	assert_int_equal(kr_map_get(d, "sq")->tag, KR_TAG_STR);
	assert_int_equal(kr_map_get(d, "lit")->style, KR_STYLE_LITERAL);
	assert_string_equal(kr_map_get(d, "lit")->u.s.str, "a\nb\n");
	assert_int_equal(kr_map_get(d, "tagged")->tag, KR_TAG_STR);
	assert_int_equal(kr_map_get(d, "ti")->tag, KR_TAG_INT);
	assert_int_equal(kr_map_get(d, "yes")->tag, KR_TAG_STR);
	kr_ctx_free(&ctx);
}

static void test_parse__positions(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "a:\n  b:\n    - x\n    - y: 1\n", 0, &l), 0);
	kr_node *b = kr_map_get(kr_map_get(l.docs[0], "a"), "b");
	assert_int_equal(b->type, KR_SEQ);
	kr_node *x = b->u.q.items[0];
	assert_int_equal(x->line, 3);
	assert_int_equal(x->col, 7);
	assert_string_equal(x->file, "t.yaml");
	kr_node *y = kr_map_get(b->u.q.items[1], "y");
	assert_int_equal(y->line, 4);
	assert_int_equal(y->col, 10);
	kr_ctx_free(&ctx);
}

static void test_parse__json_document(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "{\"kind\": \"ConfigMap\", \"data\": {\"a\": \"1\"},"
	                             " \"n\": [1, 2.5, true, null]}\n", 0, &l), 0);
	assert_int_equal(l.len, 1);
	kr_node *n = kr_map_get(l.docs[0], "n");
	assert_int_equal(n->u.q.len, 4);
	assert_int_equal(n->u.q.items[0]->tag, KR_TAG_INT);
	assert_int_equal(n->u.q.items[1]->tag, KR_TAG_FLOAT);
	assert_int_equal(n->u.q.items[3]->tag, KR_TAG_NULL);
	assert_int_equal(kr_map_get(kr_map_get(l.docs[0], "data"), "a")->tag, KR_TAG_STR);
	kr_ctx_free(&ctx);
}

static void test_parse__anchors_aliases_are_copies(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "base: &b\n  x: 1\n  l: [a, b]\nuse: *b\ns: &s v\nt: *s\n",
	                       0, &l), 0);
	kr_node *base = kr_map_get(l.docs[0], "base");
	kr_node *use = kr_map_get(l.docs[0], "use");
	assert_ptr_not_equal(base, use);
	assert_int_equal(use->type, KR_MAP);
	assert_int_equal(kr_map_get(use, "l")->u.q.len, 2);
	assert_string_equal(kr_map_get(l.docs[0], "t")->u.s.str, "v");
	kr_ctx_free(&ctx);
}

static void test_parse__merge_keys(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\n"
	                             "c:\n  <<: [*a, *b]\n  x: 0\n", 0, &l), 0);
	kr_node *c = kr_map_get(l.docs[0], "c");
	assert_null(kr_map_get(c, "<<"));
	assert_string_equal(kr_map_get(c, "x")->u.s.str, "0"); /* explicit wins */
	assert_string_equal(kr_map_get(c, "y")->u.s.str, "1"); /* first merge wins */
	assert_string_equal(kr_map_get(c, "z")->u.s.str, "2");
	kr_ctx_free(&ctx);
}

static void test_parse__duplicate_keys(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "a: 1\nb: 2\na: 3\n", 0, &l), KR_EYAML);
	assert_non_null(strstr(ctx.err.data, "t.yaml:3:1:"));
	assert_non_null(strstr(ctx.err.data, "\"a\" already defined"));
	kr_ctx_free(&ctx);

	kr_ctx_init(&ctx, NULL);
	assert_int_equal(parse(&ctx, "a: 1\nb: 2\na: 3\n", KR_YAML_DUP_LAST_WINS, &l), 0);
	assert_string_equal(kr_map_get(l.docs[0], "a")->u.s.str, "3");
	assert_int_equal(l.docs[0]->u.m.len, 2);
	kr_ctx_free(&ctx);
}

static void test_parse__big_mapping_duplicates(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	kr_buf b = KR_BUF_INIT;
	for (int i = 0; i < 20000; i++)
		kr_buf_printf(&b, "k%d: v%d\n", i, i);
	assert_int_equal(parse(&ctx, b.data, 0, &l), 0);
	assert_int_equal(l.docs[0]->u.m.len, 20000);
	assert_string_equal(kr_map_get(l.docs[0], "k19999")->u.s.str, "v19999");
	kr_buf_printf(&b, "k12345: again\n");
	kr_ctx_free(&ctx);
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(parse(&ctx, b.data, 0, &l), KR_EYAML);
	assert_non_null(strstr(ctx.err.data, "t.yaml:20001:1:"));
	assert_non_null(strstr(ctx.err.data, "\"k12345\" already defined"));
	kr_ctx_free(&ctx);
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(parse(&ctx, b.data, KR_YAML_DUP_LAST_WINS, &l), 0);
	assert_string_equal(kr_map_get(l.docs[0], "k12345")->u.s.str, "again");
	assert_int_equal(l.docs[0]->u.m.len, 20000);
	kr_buf_free(&b);
	kr_ctx_free(&ctx);
}

static void test_parse__syntax_error_position(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	int rc = parse(&ctx, "a:\n  b: 1\n c: 2\n", 0, &l);
	assert_int_equal(rc, KR_EYAML);
	assert_non_null(strstr(ctx.err.data, "t.yaml:3:"));
	assert_non_null(strstr(ctx.err.data, "did not find expected key"));
	kr_ctx_free(&ctx);

	kr_ctx_init(&ctx, NULL);
	rc = parse(&ctx, "a: \"unclosed\nb: 1\n", 0, &l);
	assert_int_equal(rc, KR_EYAML);
	assert_non_null(strstr(ctx.err.data, "t.yaml:"));
	assert_non_null(strstr(ctx.err.data, "quoted scalar"));
	kr_ctx_free(&ctx);
}

static void test_parse__unknown_alias(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	assert_int_equal(parse(&ctx, "a: *nope\n", 0, &l), KR_EYAML);
	assert_non_null(strstr(ctx.err.data, "t.yaml:1:4:"));
	kr_ctx_free(&ctx);
}

static void test_parse__alias_bomb_is_limited(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	char text[2048];
	size_t n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		                      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
		                      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	int rc = parse(&ctx, text, 0, &l);
	assert_int_equal(rc, KR_ELIMIT);
	assert_non_null(strstr(ctx.err.data, "t.yaml:"));
	assert_non_null(strstr(ctx.err.data, "alias"));
	kr_ctx_free(&ctx);
}

static void test_parse__depth_limit(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist l;
	size_t depth = 5000;
	char *text = malloc(depth * 2 + 8);
	assert_non_null(text);
	size_t n = 0;
	text[n++] = 'a';
	text[n++] = ':';
	text[n++] = ' ';
	for (size_t i = 0; i < depth; i++)
		text[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		text[n++] = ']';
	text[n++] = '\n';
	text[n] = '\0';
	int rc = parse(&ctx, text, 0, &l);
	assert_int_equal(rc, KR_ELIMIT);
	assert_non_null(strstr(ctx.err.data, "nesting"));
	free(text);
	kr_ctx_free(&ctx);
}

static void test_parse__bad_fixtures_fail_cleanly(void **state)
{
	(void)state;
	static const char *const files[] = {
		"bad/alias_bomb.yaml", "bad/bad_indentation.yaml", "bad/unclosed_quote.yaml",
		"bad/tab_indentation.yaml", "bad/unknown_alias.yaml", "bad/deep_nesting.yaml",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", KR_FIXTURES, files[i]);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue; /* the fixture set may differ; each present one must fail */
		static char buf[1 << 20];
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		kr_ctx ctx;
		kr_ctx_init(&ctx, NULL);
		kr_doclist l = { 0 };
		int rc = kr_yaml_parse(&ctx, files[i], buf, len, 0, &l);
		if (rc == 0)
			fail_msg("%s parsed without error", files[i]);
		assert_non_null(strstr(ctx.err.data, files[i]));
		kr_ctx_free(&ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse__documents_and_empty_ones),
		cmocka_unit_test(test_parse__types_and_styles),
		cmocka_unit_test(test_parse__positions),
		cmocka_unit_test(test_parse__json_document),
		cmocka_unit_test(test_parse__anchors_aliases_are_copies),
		cmocka_unit_test(test_parse__merge_keys),
		cmocka_unit_test(test_parse__duplicate_keys),
		cmocka_unit_test(test_parse__big_mapping_duplicates),
		cmocka_unit_test(test_parse__syntax_error_position),
		cmocka_unit_test(test_parse__unknown_alias),
		cmocka_unit_test(test_parse__alias_bomb_is_limited),
		cmocka_unit_test(test_parse__depth_limit),
		cmocka_unit_test(test_parse__bad_fixtures_fail_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
