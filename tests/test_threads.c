/*
 * test_threads.c - the library is thread-safe: builds of several trees run
 * at once on 8 threads (4 rounds each) give exactly the bytes of the same
 * builds run one by one.  Uses only the public API.  scripts/test also
 * runs it under ThreadSanitizer (scripts/tsan).  The second test runs
 * the same builds on one shared cache (kr_cache: the parse cache, and the
 * base cache, which stores the gitops overlays' common base once and
 * copies it into the other builds).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "krender.h"

static const char *const trees[] = {
	KR_SOURCE_DIR "/docs/examples/gitops/overlays/production",
	KR_SOURCE_DIR "/docs/examples/gitops/overlays/staging",
	KR_SOURCE_DIR "/docs/examples/gitops/overlays/development",
	KR_SOURCE_DIR "/testdata/smp_patches_target/input",
	KR_SOURCE_DIR "/testdata/openapi_component_joins_builtin/input",
	KR_SOURCE_DIR "/testdata/smp_err_no_target/input",   /* an error, too */
};
#define NTREES (sizeof(trees) / sizeof(trees[0]))
#define NTHREADS 8
#define ROUNDS 4

static char *want[NTREES];
static kr_cache *shared; /* NULL: builds without a cache */

/* The output of a build, or "error: <message>". */
static char *render(const char *dir)
{
	kr_build *b = NULL;
	if (kr_build_new(&b, NULL) != 0)
		return NULL;
	if (kr_build_set_cache(b, shared) != 0) {
		kr_build_free(b);
		return NULL;
	}
	char *res;
	if (kr_build_run(b, dir) == 0) {
		const char *data;
		size_t len;
		kr_build_output(b, &data, &len);
		res = malloc(len + 1);
		if (res) {
			memcpy(res, data, len);
			res[len] = '\0';
		}
	} else {
		const char *e = kr_build_error(b);
		size_t n = strlen(e) + 8;
		res = malloc(n);
		if (res)
			snprintf(res, n, "error: %s", e);
	}
	kr_build_free(b);
	return res;
}

static void *worker(void *arg)
{
	size_t id = (size_t)(uintptr_t)arg;
	size_t bad = 0;
	for (size_t r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < NTREES; i++) {
			size_t t = (i + id + r) % NTREES;
			char *got = render(trees[t]);
			if (!got || strcmp(got, want[t]))
				bad++;
			free(got);
		}
	return (void *)(uintptr_t)bad;
}

static void run_threads(void)
{
	for (size_t i = 0; i < NTREES; i++) {
		want[i] = render(trees[i]);
		assert_non_null(want[i]);
	}
	/* the error case is an error, the others are output */
	assert_int_equal(strncmp(want[NTREES - 1], "error: ", 7), 0);
	assert_int_equal(strncmp(want[0], "apiVersion: ", 12), 0);
	pthread_t th[NTHREADS];
	for (size_t i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i), 0);
	size_t bad = 0;
	for (size_t i = 0; i < NTHREADS; i++) {
		void *r;
		assert_int_equal(pthread_join(th[i], &r), 0);
		bad += (size_t)(uintptr_t)r;
	}
	assert_int_equal(bad, 0);
	for (size_t i = 0; i < NTREES; i++)
		free(want[i]);
}

static void test_threads__same_bytes(void **state)
{
	(void)state;
	shared = NULL;
	run_threads();
}

/* One cache for all threads: the expected bytes come from builds without
 * it (run_threads renders `want` before `shared` is set). */
static void test_threads__shared_cache(void **state)
{
	(void)state;
	shared = NULL;
	for (size_t i = 0; i < NTREES; i++)
		want[i] = render(trees[i]);
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	shared = c;
	pthread_t th[NTHREADS];
	for (size_t i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i), 0);
	size_t bad = 0;
	for (size_t i = 0; i < NTHREADS; i++) {
		void *r;
		assert_int_equal(pthread_join(th[i], &r), 0);
		bad += (size_t)(uintptr_t)r;
	}
	assert_int_equal(bad, 0);
	size_t hits;
	assert_int_equal(kr_cache_stats(c, NULL, &hits, NULL), 0);
	assert_true(hits > 0);
	shared = NULL;
	kr_cache_free(c);
	for (size_t i = 0; i < NTREES; i++)
		free(want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads__same_bytes),
		cmocka_unit_test(test_threads__shared_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
