/*
 * test_loader.c - reading kustomization files and resource files: field
 * checking, case-insensitive names, bases, warnings, sortOptions, List
 * flattening, missing kind/name, and the load restrictor.  Each test writes
 * its tree into a fresh temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "build.h"
#include "ctx.h"
#include "fsutil.h"
#include "kustomization.h"

#include "tutil.h"


static int load(kr_ctx *ctx, const char *rel, kr_kustomization *k)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, rel);
	return kr_kustomization_load(ctx, rel, kr_realpath(&ctx->arena, dir), k);
}


static void test_loader__fields_case_insensitive(void **state)
{
	(void)state;
	tu_put("a/kustomization.yaml", "APIVERSION: kustomize.config.k8s.io/v1beta1\n"
	                            "Resources:\n- x.yaml\nsortoptions:\n  order: fifo\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_kustomization k;
	assert_int_equal(load(&ctx, "a", &k), 0);
	assert_non_null(k.resources);
	assert_int_equal(k.resources->u.q.len, 1);
	assert_non_null(k.sort_options);
	assert_non_null(kr_map_get(k.doc, "apiVersion"));
	assert_string_equal(k.kind, "Kustomization");
	kr_ctx_free(&ctx);
}

static void test_loader__unknown_field_names_position(void **state)
{
	(void)state;
	tu_put("b/kustomization.yaml", "resources:\n- x.yaml\nresourcez:\n- y.yaml\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_kustomization k;
	assert_int_equal(load(&ctx, "b", &k), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "b/kustomization.yaml:3:1:"));
	assert_non_null(strstr(ctx.err.data, "unknown field \"resourcez\""));
	kr_ctx_free(&ctx);
}

static void test_loader__bases_appended_with_warning(void **state)
{
	(void)state;
	tu_put("c/Kustomization", "bases:\n- ../base1\nresources:\n- r.yaml\nbases:\n- ../base2\n");
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.warn = tu_count_warning;
	tu_warnings = 0;
	kr_ctx ctx;
	kr_ctx_init(&ctx, &o);
	kr_kustomization k;
	assert_int_equal(load(&ctx, "c", &k), 0);
	assert_int_equal(tu_warnings, 1);
	assert_non_null(strstr(tu_last_warning, "'bases' is deprecated"));
	/* a repeated key replaces the earlier one (go-yaml v2, non-strict) */
	assert_int_equal(k.resources->u.q.len, 2);
	assert_string_equal(k.resources->u.q.items[0]->u.s.str, "r.yaml");
	assert_string_equal(k.resources->u.q.items[1]->u.s.str, "../base2");
	assert_string_equal(k.file, "c/Kustomization");
	kr_ctx_free(&ctx);
}

static void test_loader__empty_and_bad_kind(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_kustomization k;
	tu_put("d/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "d", &k), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "empty"));
	kr_ctx_free(&ctx);

	tu_put("e/kustomization.yml", "kind: Deployment\nresources: [a.yaml]\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "e", &k), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "e/kustomization.yml:1:7:"));
	kr_ctx_free(&ctx);

	tu_put("f/kustomization.yaml", "kind: Component\napiVersion: kustomize.config.k8s.io/v1beta1\n"
	                            "resources: [a.yaml]\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "f", &k), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "v1alpha1"));
	kr_ctx_free(&ctx);

	tu_put("g/kustomization.yaml", "resources: a.yaml\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "g", &k), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "list of strings"));
	kr_ctx_free(&ctx);
}

static void test_loader__file_name_rules(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_kustomization k;
	tu_put("h/kustomization.yaml", "resources: []\n");
	tu_put("h/kustomization.yml", "resources: []\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "h", &k), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "multiple kustomization files"));
	kr_ctx_free(&ctx);

	tu_put("i/other.yaml", "a: 1\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "i", &k), KR_ENOTFOUND);
	assert_non_null(strstr(ctx.err.data, "unable to find one of"));
	kr_ctx_free(&ctx);
}

static void test_loader__sort_options(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_kustomization k;
	int fifo;
	kr_node *first, *last;

	tu_put("s1/kustomization.yaml", "resources: []\nsortOptions:\n  order: legacy\n"
	                             "  legacySortOptions:\n    orderFirst: [A, B]\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "s1", &k), 0);
	assert_int_equal(kr_sort_options_parse(&ctx, &k, &fifo, &first, &last), 0);
	assert_false(fifo);
	assert_int_equal(first->u.q.len, 2);
	assert_null(last);
	kr_ctx_free(&ctx);

	tu_put("s2/kustomization.yaml", "resources: []\nsortOptions:\n  order: fifo\n"
	                             "  legacySortOptions:\n    orderFirst: [A]\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "s2", &k), 0);
	assert_int_equal(kr_sort_options_parse(&ctx, &k, &fifo, &first, &last), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "not 'legacy'"));
	kr_ctx_free(&ctx);

	tu_put("s3/kustomization.yaml", "resources: []\nsortOptions:\n  legacySortOptions: {}\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "s3", &k), 0);
	assert_int_equal(kr_sort_options_parse(&ctx, &k, &fifo, &first, &last), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "must be one of [fifo, legacy]"));
	kr_ctx_free(&ctx);

	tu_put("s4/kustomization.yaml", "resources: []\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "s4", &k), 0);
	assert_int_equal(kr_sort_options_parse(&ctx, &k, &fifo, &first, &last), 0);
	assert_false(fifo);
	assert_int_equal(first->u.q.len, 22);
	assert_string_equal(first->u.q.items[0]->u.s.str, "Namespace");
	assert_int_equal(last->u.q.len, 2);
	kr_ctx_free(&ctx);
}

static void test_loader__resource_file_lists_flattened_last(void **state)
{
	(void)state;
	tu_put("r/list.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\n"
	    "apiVersion: v1\nkind: List\nitems:\n"
	    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: item1}}\n"
	    "- {apiVersion: v1, kind: SecretList, items: [{apiVersion: v1, kind: Secret, metadata: {name: nested}}]}\n"
	    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: item2}}\n"
	    "---\n{}\n---\n"
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: last}\n---\n"
	    "apiVersion: v1\nkind: PodList\nitems: null\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_resmap m = { 0 };
	char path[512];
	snprintf(path, sizeof(path), "%s/r/list.yaml", tmpdir);
	assert_int_equal(kr_load_resource_file(&ctx, path, "r/list.yaml", &m), 0);
	const char *want[] = { "first", "last", "item1", "item2", "nested" };
	assert_int_equal(m.len, 5);
	for (size_t i = 0; i < m.len; i++)
		assert_string_equal(m.items[i]->cur.name, want[i]);
	kr_ctx_free(&ctx);
}

static void test_loader__resource_file_errors(void **state)
{
	(void)state;
	static const struct { const char *text, *want; } cases[] = {
		{ "apiVersion: v1\nmetadata: {name: x}\n", "missing kind" },
		{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "missing metadata.name" },
		{ "- a\n- b\n", "must be a mapping" },
		{ "just a string\n", "must be a mapping" },
		{ "apiVersion: v1\nkind: List\nitems: {a: 1}\n", "expected array" },
		{ "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n"
		  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "already registered id" },
		{ "a: [\n", "rf.yaml:2:1:" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_put("rf.yaml", cases[i].text);
		kr_ctx ctx;
		kr_ctx_init(&ctx, NULL);
		kr_resmap m = { 0 };
		char path[512];
		snprintf(path, sizeof(path), "%s/rf.yaml", tmpdir);
		assert_true(kr_load_resource_file(&ctx, path, "rf.yaml", &m) < 0);
		if (!strstr(ctx.err.data, cases[i].want))
			fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, ctx.err.data, cases[i].want);
		assert_non_null(strstr(ctx.err.data, "rf.yaml"));
		kr_ctx_free(&ctx);
	}
}

static void test_loader__paths(void **state)
{
	(void)state;
	kr_arena a;
	kr_arena_init(&a);
	static const struct { const char *in, *out; } cases[] = {
		{ "", "." }, { ".", "." }, { "a/./b", "a/b" }, { "a//b/", "a/b" },
		{ "a/../b", "b" }, { "../x", "../x" }, { "a/../../x", "../x" },
		{ "/a/../../x", "/x" }, { "/", "/" }, { "./../a/b/../c", "../a/c" },
		{ "../../a", "../../a" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(kr_path_clean(&a, cases[i].in), cases[i].out);
	assert_string_equal(kr_path_join(&a, "over/prod", "../../base"), "base");
	assert_string_equal(kr_path_join(&a, "x", "/abs/f.yaml"), "/abs/f.yaml");
	assert_true(kr_path_has_prefix("/a/b/c", "/a/b"));
	assert_true(kr_path_has_prefix("/a/b", "/a/b"));
	assert_false(kr_path_has_prefix("/a/bc", "/a/b"));
	assert_true(kr_path_has_prefix("/x", "/"));
	kr_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader__fields_case_insensitive),
		cmocka_unit_test(test_loader__unknown_field_names_position),
		cmocka_unit_test(test_loader__bases_appended_with_warning),
		cmocka_unit_test(test_loader__empty_and_bad_kind),
		cmocka_unit_test(test_loader__file_name_rules),
		cmocka_unit_test(test_loader__sort_options),
		cmocka_unit_test(test_loader__resource_file_lists_flattened_last),
		cmocka_unit_test(test_loader__resource_file_errors),
		cmocka_unit_test(test_loader__paths),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
