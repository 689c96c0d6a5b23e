/*
 * test_json6902.c - JSON 6902 patches: each operation, pointers (~0, ~1,
 * "-", negative indices), kustomize's JSON round trip of values, errors,
 * and the refusal of strategic-merge patches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tutil.h"
#include "patch_json6902.h"

static const char *const cm =
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
	"data:\n  a: \"1\"\nspec:\n  arr: [1, 2, 3]\n  f: 1.0\n";

static char kust[2048];

static const char *patch(const char *ops)
{
	snprintf(kust, sizeof kust, "patches:\n- target: {kind: ConfigMap}\n"
	         "  patch: |-\n%s", ops);
	return kust;
}

static void expect(const char *ops, const char *want)
{
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_patches_transform, patch(ops), cm), 0);
	assert_string_equal(tu_emit(&f, 0), want);
	tu_done(&f);
}

static void expect_err(kr_transformer_fn fn, const char *k, const char *msg)
{
	tu_fixture f;
	assert_true(tu_run(&f, fn, k, cm) < 0);
	if (!strstr(f.ctx.err.data, msg))
		fail_msg("error '%s' does not contain '%s'", f.ctx.err.data, msg);
	tu_done(&f);
}

static void test_add_remove_replace(void **state)
{
	(void)state;
	expect("    - {op: add, path: /spec/arr/-, value: 4}\n"
	       "    - {op: add, path: /spec/arr/0, value: 0}\n"
	       "    - {op: add, path: /spec/arr/-1, value: 5}\n"
	       "    - {op: remove, path: /spec/arr/1}\n"
	       "    - {op: replace, path: /data/a, value: two}\n"
	       "    - {op: replace, path: /data/new, value: added}\n",
	       "apiVersion: v1\ndata:\n  a: two\n  new: added\nkind: ConfigMap\n"
	       "metadata:\n  name: cfg\nspec:\n  arr:\n  - 0\n  - 2\n  - 3\n  - 4\n"
	       "  - 5\n  f: 1\n");
}

static void test_move_copy_test_escapes(void **state)
{
	(void)state;
	expect("    - {op: test, path: /spec/f, value: 1}\n"
	       "    - {op: copy, from: /data/a, path: /data/b}\n"
	       "    - {op: move, from: /spec/arr, path: /spec/moved}\n"
	       "    - {op: add, path: /data/x~1y~0z, value: yes}\n"
	       "    - {op: add, path: /data/n, value: 0x10}\n",
	       "apiVersion: v1\ndata:\n  a: \"1\"\n  b: \"1\"\n  \"n\": 16\n  x/y~z: true\n"
	       "kind: ConfigMap\nmetadata:\n  name: cfg\nspec:\n  f: 1\n  moved:\n"
	       "  - 1\n  - 2\n  - 3\n");
}

static void test_errors(void **state)
{
	(void)state;
	expect_err(kr_patches_transform, patch("    - {op: add, path: /x/y, value: 1}\n"),
	           "operation 0 (add /x/y): add operation does not apply: doc is "
	           "missing path: \"/x/y\"");
	expect_err(kr_patches_transform, patch("    - {op: test, path: /data/a, value: 2}\n"),
	           "testing value /data/a failed: test failed");
	expect_err(kr_patches_transform, patch("    - {op: bogus, path: /data/a}\n"),
	           "Unexpected kind: bogus");
	expect_err(kr_patches_transform, patch("    - {op: remove, path: /spec/arr/3}\n"),
	           "Unable to access invalid index: 3");
	expect_err(kr_patches_transform, patch("    - {op: add, path: /spec/arr/5, value: 1}\n"),
	           "Unable to access invalid index: 5");
	expect_err(kr_patches_transform, patch("    - {op: remove, path: /data/zz}\n"),
	           "Unable to remove nonexistent key: zz");
	expect_err(kr_patches_transform, patch("    []\n"), "empty list");
	expect_err(kr_patches_transform,
	           "patches:\n- patch: '[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'\n",
	           "must specify a target");
	expect_err(kr_json6902_transform,
	           "patchesJson6902:\n- target: {kind: ConfigMap}\n"
	           "  patch: '[{\"op\": \"add\", \"path\": \"/x\", \"value\": 1}]'\n",
	           "must specify the target name");
}

/* A `patches` entry that is not an operation list is a strategic-merge
 * patch (patch_smp.c): merged into the object with its id, or refused
 * when it is neither (a mapping without kind). */
static void test_strategic_merge_dispatch(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_patches_transform,
	                        "patches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n"
	                        "    metadata:\n      name: cfg\n    data:\n      b: \"2\"\n", cm), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: v1\ndata:\n  a: \"1\"\n  b: \"2\"\nkind: ConfigMap\n"
	                    "metadata:\n  name: cfg\nspec:\n  arr:\n  - 1\n  - 2\n  - 3\n  f: 1\n");
	tu_done(&f);
	expect_err(kr_patches_transform,
	           "patches:\n- target: {kind: ConfigMap}\n  patch: '{\"data\": {\"b\": \"2\"}}'\n",
	           "not a strategic-merge patch nor a JSON 6902 operation list");
}

static void test_internal_annotations(void **state)
{
	(void)state;
	/* patches: kustomize stores a previous id first, so the annotations
	 * map exists (with hidden entries) */
	expect("    - {op: add, path: /metadata/annotations/x, value: 5}\n",
	       "apiVersion: v1\ndata:\n  a: \"1\"\nkind: ConfigMap\nmetadata:\n"
	       "  annotations:\n    x: \"5\"\n  name: cfg\nspec:\n  arr:\n  - 1\n"
	       "  - 2\n  - 3\n  f: 1\n");
	expect_err(kr_patches_transform,
	           patch("    - {op: test, path: /metadata/annotations, value: {}}\n"),
	           "is not supported by this version of krender yet");
	/* patchesJson6902 does not: no map to add to */
	expect_err(kr_json6902_transform,
	           "patchesJson6902:\n- target: {kind: ConfigMap, name: cfg}\n"
	           "  patch: '[{\"op\": \"add\", \"path\": \"/metadata/annotations/x\", "
	           "\"value\": \"1\"}]'\n",
	           "doc is missing path");
}

static void test_timestamp_test_refused(void **state)
{
	(void)state;
	tu_fixture f;
	assert_true(tu_run(&f, kr_patches_transform,
	                   patch("    - {op: test, path: /data/ts, value: \"2001-01-01\"}\n"),
	                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	                   "data:\n  ts: 2001-01-01\n") < 0);
	assert_non_null(strstr(f.ctx.err.data, "timestamp is not supported"));
	tu_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_remove_replace),
		cmocka_unit_test(test_move_copy_test_escapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_strategic_merge_dispatch),
		cmocka_unit_test(test_internal_annotations),
		cmocka_unit_test(test_timestamp_test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
