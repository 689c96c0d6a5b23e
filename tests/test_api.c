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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api__build_example_overlay),
		cmocka_unit_test(test_api__error_and_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
