/*
 * test_hash.c - kustomize's name-suffix hasher (hash.c): a table of
 * ConfigMaps and Secrets as `kubectl kustomize` (Kustomize v5.5.0) prints
 * them, each with the suffix kubectl gave its name.  The documents were
 * made by generators (literals and files: unicode, empty data, binary
 * data, special characters, several Secret types); the hasher sees the
 * object after generation, name included (which it ignores).  Also the
 * UTF-8 check and kyaml's base64 line wrapping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "hash.h"
#include "parse.h"

static const struct {
	const char *label, *suffix, *yaml;
} cases[] = {
	{ "empty configmap", "6ct58987ht",
	  "apiVersion: v1\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c0" },
	{ "one literal", "4h2mbtbbt6",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  a: b\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c1" },
	{ "number-like value", "hmg6f82fh6",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  x: \"1\"\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c2" },
	{ "two literals", "6b85g79g7g",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  baz: qux\n"
	  "  foo: bar\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c3" },
	{ "unicode", "fc85ktgdb6",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  greet: h\303\251llo w\303\266rld \342\234\223\n"
	  "  jp: \346\227\245\346\234\254\350\252\236\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c4" },
	{ "emoji", "cg6g98g7t5",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  e: \"\\U0001F600\\U0001F680\"\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c5" },
	{ "html chars", "6khf8k8g76",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  h: <a href=\"x\">&amp;</a>\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c6" },
	{ "quotes and backslash", "k69t6hfhhh",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  q: say \"hi\" \\ back\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c7" },
	{ "empty value", "t6869b4btd",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  empty: \"\"\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c8" },
	{ "equals in value", "t75hb5dg7b",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  url: a=b=c\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c9" },
	{ "control chars", "khf84724hg",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  ctl: \"tab\\there\\r\\nend\\r\"\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c10" },
	{ "multiline file", "66tff7mcbm",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  conf: |\n"
	  "    line1\n"
	  "    line2\n"
	  "      indented\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c11" },
	{ "binary file", "26427mkg5k",
	  "apiVersion: v1\n"
	  "binaryData:\n"
	  "  bin: |\n"
	  "    AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMz\n"
	  "    Q1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdo\n"
	  "    aWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ\n"
	  "    2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR\n"
	  "    0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c12" },
	{ "binary and text", "d244bffkcc",
	  "apiVersion: v1\n"
	  "binaryData:\n"
	  "  b: //4AYWJj\n"
	  "data:\n"
	  "  t: text\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c13" },
	{ "line separator", "68t42km2bh",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  ls: 'a\342\200\250    b\342\200\251    c'\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c14" },
	{ "keys sorting", "mg9fc8fbb2",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  _z: \"5\"\n"
	  "  B: \"2\"\n"
	  "  a-b: \"4\"\n"
	  "  a.b: \"3\"\n"
	  "  b: \"1\"\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c15" },
	{ "long value", "hkhg2fbdk8",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  long: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	  "kind: ConfigMap\n"
	  "metadata:\n"
	  "  name: c16" },
	{ "secret empty", "46f8b28mk5",
	  "apiVersion: v1\n"
	  "data: {}\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c17\n"
	  "type: Opaque" },
	{ "secret opaque", "27b7dg5m6t",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  pass: czNjcjN0\n"
	  "  user: YWRtaW4=\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c18\n"
	  "type: Opaque" },
	{ "secret tls", "2bk8c2k248",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  tls.crt: Q0VSVAo=\n"
	  "  tls.key: S0VZCg==\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c19\n"
	  "type: kubernetes.io/tls" },
	{ "secret dockerconfigjson", "bm4mtdbm8c",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  .dockerconfigjson: eyJhdXRocyI6e319\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c20\n"
	  "type: kubernetes.io/dockerconfigjson" },
	{ "secret binary", "24c29fmddm",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  b: |\n"
	  "    AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMz\n"
	  "    Q1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdo\n"
	  "    aWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ\n"
	  "    2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsc=\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c21\n"
	  "type: Opaque" },
	{ "secret long value", "m8d8bm2d99",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  k: |\n"
	  "    eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eX\n"
	  "    l5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5\n"
	  "    eXl5eXl5eXl5eXl5eXl5\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c22\n"
	  "type: Opaque" },
	{ "secret custom type unicode", "cg9k6k9848",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  u: w7xuw69jw7Zkw6k=\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c23\n"
	  "type: example.com/custom" },
	{ "secret service account token", "fd7mhfch5g",
	  "apiVersion: v1\n"
	  "data:\n"
	  "  token: YWJj\n"
	  "kind: Secret\n"
	  "metadata:\n"
	  "  name: c24\n"
	  "type: kubernetes.io/service-account-token\n"
	  "" },
};

static void test_hash__kubectl_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kr_ctx ctx;
		kr_ctx_init(&ctx, NULL);
		kr_doclist d = { 0 };
		assert_int_equal(kr_yaml_parse(&ctx, "t.yaml", cases[i].yaml,
		                               strlen(cases[i].yaml), 0, &d), 0);
		assert_int_equal(d.len, 1);
		char h[11];
		assert_int_equal(kr_hash_suffix(&ctx.arena, d.docs[0], h), 0);
		if (strcmp(h, cases[i].suffix))
			fail_msg("%s: got %s, kubectl %s", cases[i].label, h, cases[i].suffix);
		kr_ctx_free(&ctx);
	}
}

/* The name does not take part; other kinds are not hashed by krender. */
static void test_hash__name_ignored_other_kinds(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	static const char *docs[] = {
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: b\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n"
		"  labels: {x: y}\ndata:\n  a: b\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
	};
	char h[3][11];
	for (int i = 0; i < 3; i++) {
		kr_doclist d = { 0 };
		assert_int_equal(kr_yaml_parse(&ctx, "t.yaml", docs[i], strlen(docs[i]), 0,
		                               &d), 0);
		int rc = kr_hash_suffix(&ctx.arena, d.docs[0], h[i]);
		assert_int_equal(rc, i == 2 ? -2 : 0);
	}
	assert_string_equal(h[0], h[1]);
	assert_string_equal(h[0], "4h2mbtbbt6");
	kr_ctx_free(&ctx);
}

static void test_hash__utf8(void **state)
{
	(void)state;
	assert_true(kr_utf8_valid("", 0));
	assert_true(kr_utf8_valid("abc", 3));
	assert_true(kr_utf8_valid("\303\251", 2));             /* é */
	assert_true(kr_utf8_valid("\360\237\230\200", 4));     /* U+1F600 */
	assert_true(kr_utf8_valid("\357\273\277", 3));         /* BOM */
	assert_false(kr_utf8_valid("\303", 1));                /* truncated */
	assert_false(kr_utf8_valid("\300\200", 2));            /* overlong NUL */
	assert_false(kr_utf8_valid("\340\200\200", 3));        /* overlong */
	assert_false(kr_utf8_valid("\355\240\200", 3));        /* surrogate */
	assert_false(kr_utf8_valid("\364\220\200\200", 4));    /* > U+10FFFF */
	assert_false(kr_utf8_valid("\377", 1));
	assert_false(kr_utf8_valid("a\200", 2));
}

static void test_hash__base64_lines(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	size_t n;
	char *s = kr_base64_lines(&ctx.arena, "", 0, &n);
	assert_string_equal(s, "");
	s = kr_base64_lines(&ctx.arena, "hello", 5, &n);
	assert_string_equal(s, "aGVsbG8=");
	assert_int_equal(n, 8);
	/* 51 bytes -> 68 characters: one line, no newline. */
	char in[120];
	memset(in, 'a', sizeof(in));
	s = kr_base64_lines(&ctx.arena, in, 51, &n);
	assert_int_equal(n, 68);
	assert_null(strchr(s, '\n'));
	/* 52 bytes -> 72 characters: two lines, each ending in '\n'. */
	s = kr_base64_lines(&ctx.arena, in, 52, &n);
	assert_int_equal(n, 74);
	assert_int_equal(s[70], '\n');
	assert_int_equal(s[73], '\n');
	/* 105 bytes -> 140 characters: exactly two full lines. */
	s = kr_base64_lines(&ctx.arena, in, 105, &n);
	assert_int_equal(n, 142);
	assert_int_equal(s[70], '\n');
	assert_int_equal(s[141], '\n');
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash__kubectl_table),
		cmocka_unit_test(test_hash__name_ignored_other_kinds),
		cmocka_unit_test(test_hash__utf8),
		cmocka_unit_test(test_hash__base64_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
