/*
 * test_allocfail.c - regressions found by tests/alloc_torture.sh: with the
 * k-th allocation failing (KR_FAIL_ALLOC_AT), a build must end with
 * KR_ENOMEM; the first k that lets it succeed must give the bytes of an
 * unhindered build.  Before the fixes an allocation failure
 *  - in an inline patchesStrategicMerge entry made krender read the patch
 *    text as a file name ("file '...': No such file or directory");
 *  - in a builtin PatchTransformer or generator config (the one-entry list
 *    it is turned into) silently dropped the patch or generator: success
 *    with wrong output;
 *  - in reading a JSON patch's op/path/from strings skipped kustomize's
 *    internal-annotations handling: success with wrong output;
 *  - in reading a transformer config's origin path (buildMetadata:
 *    [transformerAnnotations]) dropped its configuredIn: wrong output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "krender.h"

static char *build(const char *dir, int *rc, size_t *len)
{
	kr_build *b = NULL;
	char *out = NULL;
	*rc = kr_build_new(&b, NULL);
	if (*rc < 0)
		return NULL;
	*rc = kr_build_run(b, dir);
	if (*rc == 0) {
		const char *data;
		kr_build_output(b, &data, len);
		out = malloc(*len + 1);
		assert_non_null(out);
		memcpy(out, data, *len);
		out[*len] = '\0';
	} else {
		/* the code and the message: "out of memory", nothing else */
		const char *e = kr_build_error(b);
		size_t n = strlen(e);
		if (*rc != KR_ENOMEM || n < 13 || strcmp(e + n - 13, "out of memory"))
			fail_msg("%s: rc %d: %s", dir, *rc, e);
	}
	kr_build_free(b);
	return out;
}

static void torture(const char *name)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/%s/input", KR_TESTDATA, name);
	int rc;
	size_t rlen, len;
	unsetenv("KR_FAIL_ALLOC_AT");
	char *ref = build(dir, &rc, &rlen);
	assert_int_equal(rc, 0);
	int ok = 0;
	for (unsigned long k = 1; k < 1000000 && !ok; k++) {
		char v[32];
		snprintf(v, sizeof(v), "%lu", k);
		setenv("KR_FAIL_ALLOC_AT", v, 1);
		char *out = build(dir, &rc, &len);
		if (rc == 0) {
			ok = 1;
			if (len != rlen || memcmp(out, ref, len) != 0)
				fail_msg("%s: allocation %lu failed, the build succeeded "
				         "with other output", name, k);
		}
		free(out);
	}
	unsetenv("KR_FAIL_ALLOC_AT");
	free(ref);
	assert_true(ok);
}

static void test_allocfail__smp_inline_patch(void **state)
{
	(void)state;
	torture("smp_patches_strategic_merge");
}

static void test_allocfail__plugin_patches(void **state)
{
	(void)state;
	torture("plugin_patches");
}

static void test_allocfail__plugin_generators(void **state)
{
	(void)state;
	torture("plugin_generators");
}

static void test_allocfail__plugin_replacement_origin(void **state)
{
	(void)state;
	torture("plugin_replacement");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocfail__smp_inline_patch),
		cmocka_unit_test(test_allocfail__plugin_patches),
		cmocka_unit_test(test_allocfail__plugin_generators),
		cmocka_unit_test(test_allocfail__plugin_replacement_origin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
