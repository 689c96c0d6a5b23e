/*
 * test_api.c - the public API (include/krender.h) as a user of the library
 * sees it: this file includes nothing of src/, and is compiled with
 * -pedantic so that the header stands on its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "krender.h"

static char warned[1024];
static void on_warn(void *payload, const char *line)
{
	(*(int *)payload)++;
	snprintf(warned, sizeof(warned), "%s", line);
}

static void test_api__build_example_overlay(void **state)
{
	(void)state;
	kr_build *b = NULL;
	assert_int_equal(kr_build_new(&b, NULL), 0);
	assert_non_null(b);
	assert_int_equal(kr_build_run(b, KR_SOURCE_DIR "/docs/examples/gitops/overlays/production"), 0);
	assert_null(kr_build_error(b));
	const char *data;
	size_t len;
	assert_int_equal(kr_build_output(b, &data, &len), 0);
	assert_true(len > 0);
	assert_int_equal(strncmp(data, "apiVersion: v1\nkind: Namespace\n", 31), 0);
	/* The stream is the resources joined by "---\n". */
	size_t n = kr_build_resource_count(b), total = 0;
	assert_true(n > 5);
	for (size_t i = 0; i < n; i++) {
		const char *y, *name;
		size_t ylen;
		assert_int_equal(kr_build_resource(b, i, &y, &ylen, &name), 0);
		assert_non_null(strstr(name, ".yaml"));
		assert_memory_equal(y, data + total, ylen);
		total += ylen + (i + 1 < n ? 4 : 0);
	}
	assert_int_equal(total, len);
	assert_int_equal(kr_build_resource(b, n, &data, &len, NULL), KR_EUSAGE);
	/* a handle runs once */
	assert_true(kr_build_run(b, ".") < 0);
	kr_build_free(b);
}

static void test_api__error_and_options(void **state)
{
	(void)state;
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	int warnings = 0;
	opts.warn = on_warn;
	opts.warn_payload = &warnings;
	kr_build *b = NULL;
	assert_int_equal(kr_build_new(&b, &opts), 0);
	int rc = kr_build_run(b, KR_SOURCE_DIR "/testdata/err_missing_resource/input");
	assert_true(rc < 0);
	assert_int_equal(kr_build_error_code(b), rc);
	assert_non_null(kr_build_error(b));
	const char *data;
	size_t len;
	assert_int_equal(kr_build_output(b, &data, &len), KR_EUSAGE);
	assert_int_equal(kr_build_resource_count(b), 0);
	kr_build_free(b);

	b = NULL;
	assert_int_equal(kr_build_new(&b, &opts), 0);
	assert_int_equal(kr_build_run(b, KR_SOURCE_DIR "/testdata/load_bases_deprecated/input/overlay"), 0);
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(warned, "'bases' is deprecated"));
	kr_build_free(b);

	/* a wrong options version is refused */
	opts.version = 999;
	assert_int_equal(kr_build_new(&b, &opts), KR_EUSAGE);
	assert_null(b);
	kr_build_free(NULL);
	assert_non_null(kr_version());
	assert_string_equal(kr_kustomize_version(), "v5.5.0");
}

#define GITOPS KR_SOURCE_DIR "/fixtures/gitops"

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* The inputs of a build: every file read, through bases and components,
 * absolute, sorted, once each. */
static void test_api__build_inputs(void **state)
{
	static const char *const want[] = {
		"/tree/base/config.env", "/tree/base/deploy.yaml",
		"/tree/base/kustomization.yaml", "/tree/base/service.yaml",
		"/tree/components/metrics/kustomization.yaml",
		"/tree/components/metrics/sidecar.yaml",
		"/tree/overlays/prod/kustomization.yaml"
	};
	kr_build *b = NULL;
	size_t i;
	(void)state;
	assert_int_equal(kr_build_input_count(NULL), 0);
	assert_int_equal(kr_build_new(&b, NULL), 0);
	assert_int_equal(kr_build_input_count(b), 0); /* not run yet */
	assert_int_equal(kr_build_run(b, GITOPS "/tree/overlays/prod"), 0);
	assert_int_equal(kr_build_input_count(b), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *p = kr_build_input(b, i);
		assert_non_null(p);
		assert_int_equal(p[0], '/');
		assert_true(has_suffix(p, want[i]));
	}
	assert_null(kr_build_input(b, i));
	kr_build_free(b);

	/* a failed build: the files read before the error */
	assert_int_equal(kr_build_new(&b, NULL), 0);
	assert_true(kr_build_run(b, GITOPS "/broken/missing") < 0);
	assert_int_equal(kr_build_input_count(b), 2);
	assert_true(has_suffix(kr_build_input(b, 0), "/broken/missing/cm.yaml"));
	assert_true(has_suffix(kr_build_input(b, 1), "/broken/missing/kustomization.yaml"));
	kr_build_free(b);
}

static void test_api__stream_and_ids(void **state)
{
	static const char stream[] =
		"# Source: chart/templates/cm.yaml\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-helm\n";
	kr_build *b = NULL;
	kr_resource_id id;
	const char *y;
	size_t len;
	(void)state;
	assert_int_equal(kr_build_new(&b, NULL), 0);
	assert_int_equal(kr_build_set_stream(b, "a/b.yaml", stream, sizeof(stream) - 1), KR_EUSAGE);
	assert_int_equal(kr_build_set_stream(b, "..", stream, sizeof(stream) - 1), KR_EUSAGE);
	assert_int_equal(kr_build_set_stream(b, "all.yaml", stream, sizeof(stream) - 1), 0);
	assert_int_equal(kr_build_run(b, GITOPS "/diff/a"), 0);
	/* prepended: first in the resources, namespaced by the kustomization */
	assert_int_equal(kr_build_resource_count(b), 4);
	assert_int_equal(kr_build_resource_id(b, 0, &id), 0);
	assert_string_equal(id.group, "");
	assert_string_equal(id.version, "v1");
	assert_string_equal(id.kind, "ConfigMap");
	assert_string_equal(id.ns, "web");
	assert_string_equal(id.name, "from-helm");
	assert_int_equal(kr_build_resource_id(b, 3, &id), 0);
	assert_string_equal(id.group, "apps");
	assert_string_equal(id.kind, "Deployment");
	assert_int_equal(kr_build_resource_id(b, 4, &id), KR_EUSAGE);
	assert_int_equal(kr_build_resource(b, 0, &y, &len, NULL), 0);
	assert_non_null(strstr(y, "name: from-helm\n  namespace: web\n"));
	/* the stream is not a file: not an input */
	assert_int_equal(kr_build_input_count(b), 4);
	assert_int_equal(kr_build_set_stream(b, "all.yaml", "", 0), KR_EUSAGE);
	kr_build_free(b);
}

/* Build GITOPS/diff/a (three resources) with the stream of three
 * documents and the given options: the error code. */
static int run_limited(const kr_build_options *opts, kr_build **b)
{
	static const char stream[] =
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s1\n---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s2\n---\n"
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s3\n";
	*b = NULL;
	assert_int_equal(kr_build_new(b, opts), 0);
	assert_int_equal(kr_build_set_stream(*b, "all.yaml", stream, sizeof(stream) - 1), 0);
	return kr_build_run(*b, GITOPS "/diff/a");
}

/* The limits of version 5: each a KR_ELIMIT error naming the file, the
 * limit and the flag; the defaults let a normal build through, and an
 * older options struct gets the defaults. */
static void test_api__limits(void **state)
{
	(void)state;
	kr_build *b;
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	assert_int_equal(run_limited(&opts, &b), 0);
	assert_int_equal(kr_build_resource_count(b), 6);
	kr_build_free(b);

	opts.max_documents = 2;
	assert_int_equal(run_limited(&opts, &b), KR_ELIMIT);
	assert_non_null(strstr(kr_build_error(b), "all.yaml:10:1: more than the limit of 2 "
	                                           "documents per file (raise it with "
	                                           "--max-documents)"));
	kr_build_free(b);
	opts.max_documents = 3;
	assert_int_equal(run_limited(&opts, &b), 0);
	kr_build_free(b);

	opts.max_resources = 5;
	assert_int_equal(run_limited(&opts, &b), KR_ELIMIT);
	assert_non_null(strstr(kr_build_error(b), "more than the limit of 5 resources "
	                                           "(raise it with --max-resources)"));
	kr_build_free(b);
	opts.max_resources = 6;
	assert_int_equal(run_limited(&opts, &b), 0);
	kr_build_free(b);

	opts.max_file_size = 40;
	assert_int_equal(run_limited(&opts, &b), KR_ELIMIT);
	assert_non_null(strstr(kr_build_error(b), "kustomization.yaml: the file has "));
	assert_non_null(strstr(kr_build_error(b), "more than the limit of 40 bytes per file "
	                                           "(raise it with --max-file-size)"));
	kr_build_free(b);
	/* the stream counts too */
	opts.max_file_size = 100;
	assert_int_equal(run_limited(&opts, &b), KR_ELIMIT);
	assert_non_null(strstr(kr_build_error(b), "all.yaml: the stream has 164 bytes"));
	kr_build_free(b);

	/* a version 3 struct ends before the limits: they get the defaults */
	opts.version = 3;
	assert_int_equal(run_limited(&opts, &b), 0);
	kr_build_free(b);
	opts.version = 4;
	assert_int_equal(run_limited(&opts, &b), 0);
	kr_build_free(b);
}

static int collect(void *payload, const char *dir, const char *kind)
{
	char *out = payload;
	strcat(out, dir + strlen(GITOPS));
	strcat(out, kind[0] == 'C' ? "(C) " : " ");
	return 0;
}

static int stop_early(void *payload, const char *dir, const char *kind)
{
	(void)dir;
	(void)kind;
	return ++*(int *)payload == 2 ? 7 : 0;
}

static void test_api__find_kustomizations(void **state)
{
	char found[1024] = "";
	int n = 0;
	(void)state;
	assert_int_equal(kr_find_kustomizations(GITOPS "/tree", collect, found), 0);
	assert_string_equal(found, "/tree/base /tree/components/metrics(C) /tree/other "
	                           "/tree/overlays/prod /tree/overlays/staging ");
	assert_int_equal(kr_find_kustomizations(GITOPS "/tree", stop_early, &n), 7);
	assert_int_equal(kr_find_kustomizations(GITOPS "/nowhere", collect, found), KR_ENOTFOUND);
	assert_int_equal(kr_find_kustomizations(GITOPS "/tree/README.md", collect, found), KR_EUSAGE);
}

static void check_diff(const char *a, const char *b, unsigned ctx, const char *want)
{
	char *out = (char *)"x";
	size_t len = 1;
	int rc = kr_diff_unified(a, strlen(a), b, strlen(b), "A", "B", ctx, &out, &len);
	if (!want) {
		assert_int_equal(rc, 0);
		assert_null(out);
		return;
	}
	assert_int_equal(rc, 1);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	kr_free(out);
}

/* Expected texts as GNU diff -u prints them. */
static void test_api__diff_unified(void **state)
{
	(void)state;
	check_diff("a\nb\n", "a\nb\n", 3, NULL);
	check_diff("", "", 3, NULL);
	check_diff("", "x\ny\n", 3, "--- A\n+++ B\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	check_diff("x\n", "", 3, "--- A\n+++ B\n@@ -1 +0,0 @@\n-x\n");
	check_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
	           "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\nthirteen\n", 2,
	           "--- A\n+++ B\n@@ -1,5 +1,5 @@\n 1\n 2\n-3\n+three\n 4\n 5\n"
	           "@@ -11,2 +11,3 @@\n 11\n 12\n+thirteen\n");
	/* hunks closer than 2*context merge */
	check_diff("1\n2\n3\n4\n5\n", "1\nB\n3\n4\nE\n", 1,
	           "--- A\n+++ B\n@@ -1,5 +1,5 @@\n 1\n-2\n+B\n 3\n 4\n-5\n+E\n");
	check_diff("a\nb", "a\nc", 3,
	           "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
	           "+c\n\\ No newline at end of file\n");
	assert_int_equal(kr_diff_unified("a", 1, "b", 1, "A", "B", 3, NULL, NULL), KR_EUSAGE);
}

/* Two overlays of one base on one parse cache: the second build reuses
 * the base's parsed files and prints what a build without a cache does. */
static void test_api__cache(void **state)
{
	static const char *const dirs[3] = {
		KR_SOURCE_DIR "/docs/examples/gitops/overlays/production",
		KR_SOURCE_DIR "/docs/examples/gitops/overlays/staging",
		KR_SOURCE_DIR "/docs/examples/gitops/overlays/production"
	};
	kr_cache *c = NULL;
	size_t i, entries = 0, hits = 0, misses = 0;
	(void)state;
	assert_int_equal(kr_cache_new(&c), 0);
	for (i = 0; i < 3; i++) {
		kr_build *with = NULL, *without = NULL;
		const char *d1, *d2;
		size_t l1, l2;
		assert_int_equal(kr_build_new(&with, NULL), 0);
		assert_int_equal(kr_build_set_cache(with, c), 0);
		assert_int_equal(kr_build_run(with, dirs[i]), 0);
		assert_int_equal(kr_build_new(&without, NULL), 0);
		assert_int_equal(kr_build_run(without, dirs[i]), 0);
		assert_int_equal(kr_build_output(with, &d1, &l1), 0);
		assert_int_equal(kr_build_output(without, &d2, &l2), 0);
		assert_int_equal(l1, l2);
		assert_memory_equal(d1, d2, l1);
		assert_int_equal(kr_build_input_count(with), kr_build_input_count(without));
		kr_build_free(with);
		kr_build_free(without);
	}
	assert_int_equal(kr_cache_stats(c, &entries, &hits, &misses), 0);
	assert_true(entries > 0 && hits > 0);
	assert_int_equal(entries, misses);
	kr_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api__build_example_overlay),
		cmocka_unit_test(test_api__error_and_options),
		cmocka_unit_test(test_api__build_inputs),
		cmocka_unit_test(test_api__stream_and_ids),
		cmocka_unit_test(test_api__find_kustomizations),
		cmocka_unit_test(test_api__diff_unified),
		cmocka_unit_test(test_api__cache),
		cmocka_unit_test(test_api__limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
