/*
 * test_generators.c - configMapGenerator / secretGenerator sources (literal
 * sources, file sources, env files with kustomize's dotenv rules) and
 * generation into a layer (options, behaviors).  Expected values are what
 * kubectl kustomize (Kustomize v5.5.0) does with the same input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "generators.h"
#include "tutil.h"

static void lit(const char *src, const char *key, const char *val)
{
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_gen_kv kv;
	int rc = kr_gen_parse_literal(&ctx, src, &kv);
	if (!key) {
		assert_true(rc < 0);
		assert_non_null(strstr(ctx.err.data, "expected key=value"));
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(kv.klen, strlen(key));
		assert_memory_equal(kv.key, key, kv.klen);
		assert_int_equal(kv.vlen, strlen(val));
		assert_memory_equal(kv.val, val, kv.vlen);
	}
	kr_ctx_free(&ctx);
}

static void test_generators__literals(void **state)
{
	(void)state;
	lit("a=b", "a", "b");
	lit("a=", "a", "");
	lit("e==v", "e", "=v");
	lit("url=a=b=c", "url", "a=b=c");
	lit("q=\"quoted\"", "q", "quoted");
	lit("q='single'", "q", "single");
	lit("q=\"mixed'", "q", "\"mixed'");
	lit("q=\"", "q", "\"");
	lit("q=\"\"", "q", "");
	lit("q=x\"y\"", "q", "x\"y\"");
	lit("bad key=1", "bad key", "1");   /* kubectl validates no keys */
	lit(" k = v ", " k ", " v ");
	lit("=1", NULL, NULL);
	lit("novalue", NULL, NULL);
	lit("", NULL, NULL);
}

static void filesrc(const char *src, const char *key, const char *path, const char *err)
{
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const char *k = NULL, *p = NULL;
	int rc = kr_gen_parse_file_source(&ctx, src, &k, &p);
	if (err) {
		assert_true(rc < 0);
		assert_non_null(strstr(ctx.err.data, err));
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(k, key);
		assert_string_equal(p, path);
	}
	kr_ctx_free(&ctx);
}

static void test_generators__file_sources(void **state)
{
	(void)state;
	filesrc("f.txt", "f.txt", "f.txt", NULL);
	filesrc("dir/sub/f.txt", "f.txt", "dir/sub/f.txt", NULL);
	filesrc("dir/", "dir", "dir/", NULL);
	filesrc("key=dir/f.txt", "key", "dir/f.txt", NULL);
	filesrc("=f.txt", NULL, NULL, "missing key name for file path \"f.txt\"");
	filesrc("k=", NULL, NULL, "missing file path for key name \"k\"");
	filesrc("k=f=g", NULL, NULL, "key name or file path contains '='");
}

static void env(const char *text, size_t len, const char *expect)
{
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_gen_kvlist l = { 0 };
	int rc = kr_gen_parse_env(&ctx, "x.env", text, len, &l);
	if (!expect) {
		assert_true(rc < 0);
		kr_ctx_free(&ctx);
		return;
	}
	assert_int_equal(rc, 0);
	kr_buf b = KR_BUF_INIT;
	for (size_t i = 0; i < l.len; i++) {
		kr_buf_putc(&b, '[');
		kr_buf_put(&b, l.items[i].key, l.items[i].klen);
		kr_buf_putc(&b, '|');
		kr_buf_put(&b, l.items[i].val, l.items[i].vlen);
		kr_buf_putc(&b, ']');
	}
	kr_buf_putc(&b, '\0');
	assert_string_equal(b.data, expect);
	kr_buf_free(&b);
	kr_ctx_free(&ctx);
}

#define ENV(s, e) env(s, sizeof(s) - 1, e)

static void test_generators__env_files(void **state)
{
	(void)state;
	ENV("", "");
	ENV("A=1\nB=2\n", "[A|1][B|2]");
	ENV("A=1", "[A|1]");                           /* no final newline */
	ENV("# comment\n\n   \n\t# indented comment\nA=1\n", "[A|1]");
	ENV("  B = \"two\" \n", "[B | \"two\" ]");     /* no trimming, no unquoting */
	ENV("C\n", "[C|]");                            /* no '=' */
	ENV("D=x=y\r\n", "[D|x=y]");                   /* CR before LF dropped */
	ENV("E=a\rb\n", "[E|a\rb]");
	ENV("E='q'\n", "[E|'q']");
	ENV("=v\nF=1\n", "[F|1]");                     /* empty key: skipped */
	ENV("\xEF\xBB\xBFG=1\n", "[G|1]");             /* BOM on line 1 */
	ENV("G=1\n\xEF\xBB\xBFH=2\n", "[G|1][\xEF\xBB\xBFH|2]");
	ENV("\xC2\xA0\xE3\x80\x80I=1\n", "[I|1]");     /* U+00A0, U+3000 trimmed */
	ENV("J=\xC2\xA0z\n", "[J|\xC2\xA0z]");
	ENV("K=#not a comment\n", "[K|#not a comment]");
	ENV("A=1\nA=2\n", "[A|1][A|2]");               /* duplicates: caller */
	ENV("A=\xff\n", NULL);                         /* invalid UTF-8 */
}

/* ---- generation into a layer --------------------------------------- */

static int gen(kr_ctx *ctx, kr_layer *l)
{
	int rc = kr_generators_run(ctx, l->k, l->m);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < l->m->len; i++)
		if (kr_resource_refresh_id(&ctx->arena, l->m->items[i]) < 0)
			return -1;
	return kr_generators_add_hashes(ctx, l->m);
}

static void test_generators__options_merged(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, gen,
		"generatorOptions:\n"
		"  labels: {a: global, g: '1'}\n"
		"  annotations: {note: x}\n"
		"  immutable: true\n"
		"configMapGenerator:\n"
		"- name: cm\n"
		"  namespace: ns\n"
		"  literals: [k=v]\n"
		"  options:\n"
		"    labels: {a: local}\n"
		"    disableNameSuffixHash: true\n"
		"secretGenerator:\n"
		"- name: s\n"
		"  type: kubernetes.io/tls\n"
		"  literals: [tls.crt=c]\n", ""), 0);
	assert_int_equal(f.m.len, 2);
	assert_string_equal(tu_emit(&f, 0),
		"apiVersion: v1\n"
		"data:\n"
		"  k: v\n"
		"immutable: true\n"
		"kind: ConfigMap\n"
		"metadata:\n"
		"  annotations:\n"
		"    note: x\n"
		"  labels:\n"
		"    a: local\n"
		"    g: \"1\"\n"
		"  name: cm\n"
		"  namespace: ns\n");
	assert_string_equal(f.m.items[1]->cur.kind, "Secret");
	assert_int_equal(strncmp(f.m.items[1]->cur.name, "s-", 2), 0);
	assert_int_equal(strlen(f.m.items[1]->cur.name), 12);
	tu_done(&f);
}

static void test_generators__behaviors(void **state)
{
	(void)state;
	tu_fixture f;
	/* merge: data merged, metadata merged, name and place kept; the
	 * object from resources had no hash mark, so there is none. */
	assert_int_equal(tu_run(&f, gen,
		"configMapGenerator:\n"
		"- name: cm\n"
		"  behavior: merge\n"
		"  literals: [b=new, c=3]\n"
		"  options: {labels: {l: g}}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
		"  labels: {o: old}\ndata:\n  a: 1\n  b: old\n"
		"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n"), 0);
	assert_int_equal(f.m.len, 2);
	assert_string_equal(tu_emit(&f, 0),
		"apiVersion: v1\n"
		"data:\n"
		"  a: \"1\"\n"
		"  b: new\n"
		"  c: \"3\"\n"
		"kind: ConfigMap\n"
		"metadata:\n"
		"  labels:\n"
		"    l: g\n"
		"    o: old\n"
		"  name: cm\n");
	tu_done(&f);

	assert_int_equal(tu_run(&f, gen,
		"configMapGenerator:\n"
		"- name: cm\n"
		"  behavior: replace\n"
		"  literals: [z=1]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
		"data:\n  a: x\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
		"apiVersion: v1\n"
		"data:\n"
		"  z: \"1\"\n"
		"kind: ConfigMap\n"
		"metadata:\n"
		"  name: cm\n");
	tu_done(&f);

	assert_true(tu_run(&f, gen,
		"configMapGenerator:\n- name: cm\n  behavior: merge\n  literals: [z=1]\n",
		"") < 0);
	assert_non_null(strstr(f.ctx.err.data, "does not exist; cannot merge or replace"));
	tu_done(&f);

	assert_true(tu_run(&f, gen,
		"configMapGenerator:\n- name: cm\n  literals: [z=1]\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n") < 0);
	assert_non_null(strstr(f.ctx.err.data, "exists; behavior must be merge or replace"));
	tu_done(&f);
}

static void test_generators__errors(void **state)
{
	(void)state;
	static const struct { const char *kust, *msg; } cases[] = {
		{ "configMapGenerator:\n- literals: [a=1]\n", "must have a name" },
		{ "secretGenerator:\n- literals: [a=1]\n", "must have a name" },
		{ "configMapGenerator:\n- name: a\n  literals: [x=1, x=2]\n",
		  "configmap a illegally repeats the key `x`" },
		{ "secretGenerator:\n- name: s\n  literals: [x=1, x=2]\n",
		  "configmap s illegally repeats the key `x`" },
		{ "configMapGenerator:\n- name: a\n  literals: [x]\n",
		  "invalid literal source x, expected key=value" },
		{ "configMapGenerator:\n- name: a\n  bogus: 1\n", "unknown field \"bogus\"" },
		{ "configMapGenerator:\n- name: a\n  type: x\n", "unknown field \"type\"" },
		{ "configMapGenerator:\n- name: a\n  literals: x=1\n", "literals" },
		{ "generatorOptions:\n  immutable: maybe\n", "immutable" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_fixture f;
		assert_true(tu_run(&f, gen, cases[i].kust, "") < 0);
		if (!strstr(f.ctx.err.data, cases[i].msg))
			fail_msg("case %zu: %s", i, f.ctx.err.data);
		tu_done(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generators__literals),
		cmocka_unit_test(test_generators__file_sources),
		cmocka_unit_test(test_generators__env_files),
		cmocka_unit_test(test_generators__options_merged),
		cmocka_unit_test(test_generators__behaviors),
		cmocka_unit_test(test_generators__errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
