/*
 * test_cache.c - the parse cache (kr_cache) through the public API: a
 * build with a cache gives exactly the bytes (or the error) of a build
 * without; a file changed between two builds of one process is never
 * answered from the cache, even with its size and modification time
 * restored; a build's transformers do not alter what the next build gets;
 * every golden case built twice on one cache matches a fresh build.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "basecache.h"
#include "krender.h"
#include "tutil.h"

static char *render_checked(kr_cache *c, const char *dir)
{
	return tu_render_checked(c, dir, NULL);
}

static const char *const cm_v1 =
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: one\n";
static const char *const cm_v2 = /* same size */
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: two\n";

static void test_cache__no_stale_result(void **state)
{
	(void)state;
	tu_put("s/base/kustomization.yaml", "resources:\n- cm.yaml\n");
	tu_put("s/base/cm.yaml", cm_v1);
	tu_put("s/prod/kustomization.yaml",
	       "resources:\n- ../base\nnamePrefix: prod-\ncommonLabels:\n  env: prod\n");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = render_checked(c, "s/prod");
	assert_non_null(strstr(a, "k: one"));
	/* unchanged: answered from the cache, same bytes (the overlay's file
	 * from the parse cache, the base whole from the base cache,
	 * basecache.h) */
	size_t entries, hits0, hits1, misses;
	kr_basecache_stats bs;
	assert_int_equal(kr_cache_stats(c, &entries, &hits0, &misses), 0);
	char *b = tu_render(c, "s/prod", NULL);
	assert_string_equal(a, b);
	assert_int_equal(kr_cache_stats(c, NULL, &hits1, NULL), 0);
	assert_int_equal(kr_cache_base_stats(c, &bs), 0);
	assert_true(hits1 >= hits0 + 1);
	assert_int_equal(bs.hits, 1);
	/* a base file changes (same size, same mtime): the new content */
	tu_put_keep_time("s/base/cm.yaml", cm_v2);
	char *d = render_checked(c, "s/prod");
	assert_non_null(strstr(d, "k: two"));
	assert_null(strstr(d, "k: one"));
	/* the base's kustomization changes */
	tu_put_keep_time("s/base/kustomization.yaml", "resources:\n- cm.yaml\nnamespace: x\n");
	char *e = render_checked(c, "s/prod");
	assert_non_null(strstr(e, "namespace: x"));
	/* and back: the first result again */
	tu_put_keep_time("s/base/cm.yaml", cm_v1);
	tu_put("s/base/kustomization.yaml", "resources:\n- cm.yaml\n");
	char *f = render_checked(c, "s/prod");
	assert_string_equal(a, f);
	free(a);
	free(b);
	free(d);
	free(e);
	free(f);
	kr_cache_free(c);
}

/* Transformers mutate the nodes of a build: the next build on the same
 * cache must see the file as it was written. */
static void test_cache__builds_do_not_share_nodes(void **state)
{
	(void)state;
	tu_put("m/base/kustomization.yaml", "resources:\n- dep.yaml\n");
	tu_put("m/base/dep.yaml",
	       "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
	       "  labels: {a: b}\nspec:\n  replicas: 1\n  template:\n    spec:\n"
	       "      containers:\n      - name: c\n        image: nginx:1\n");
	tu_put("m/a/kustomization.yaml",
	       "resources:\n- ../base\nnamePrefix: a-\nnamespace: ns-a\n"
	       "images:\n- name: nginx\n  newTag: \"2\"\nreplicas:\n- name: web\n  count: 3\n"
	       "labels:\n- pairs: {x: z}\n  includeSelectors: true\n"
	       "patches:\n- patch: |-\n    - op: add\n      path: /metadata/labels/p\n"
	       "      value: q\n  target: {kind: Deployment}\n");
	tu_put("m/deep/b/kustomization.yaml", "resources:\n- ../../base\n");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	for (int round = 0; round < 2; round++) {
		char *x = render_checked(c, "m/a");
		char *y = render_checked(c, "m/deep/b");
		char *z = render_checked(c, "m/base");
		assert_non_null(strstr(x, "a-web"));
		assert_null(strstr(y, "a-web"));
		assert_null(strstr(z, "nginx:2"));
		free(x);
		free(y);
		free(z);
	}
	kr_cache_free(c);
}

/* Errors are never cached, and messages name the file as each build
 * reaches it. */
static void test_cache__errors(void **state)
{
	(void)state;
	tu_put("e/base/kustomization.yaml", "resources:\n- cm.yaml\n");
	tu_put("e/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n");
	tu_put("e/o1/kustomization.yaml", "resources:\n- ../base\n");
	tu_put("e/x/o2/kustomization.yaml", "resources:\n- ../../base\n");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = render_checked(c, "e/o1");
	assert_int_equal(strncmp(a, "error: ", 7), 0);
	char *b = render_checked(c, "e/x/o2");
	assert_int_equal(strncmp(b, "error: ", 7), 0);
	tu_put("e/base/cm.yaml", cm_v1);
	char *d = render_checked(c, "e/o1");
	assert_non_null(strstr(d, "k: one"));
	/* a well-formed file whose objects one build rejects and one uses */
	tu_put("e/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
	       "data:\n  k: 1\n---\nkind: Secret\nmetadata:\n  name: s\nwhat: [1, 2\n");
	char *e1 = render_checked(c, "e/o1");
	char *e2 = render_checked(c, "e/x/o2");
	assert_int_equal(strncmp(e1, "error: ", 7), 0);
	free(a);
	free(b);
	free(d);
	free(e1);
	free(e2);
	kr_cache_free(c);
}

/* Every golden case built with `input`, twice on one cache (the second
 * time from it), as without a cache. */
static void test_cache__golden_cases(void **state)
{
	(void)state;
	DIR *d = opendir(KR_TESTDATA);
	assert_non_null(d);
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d))) {
		char path[1024], cmd[64] = "";
		snprintf(path, sizeof(path), "%s/%s/cmd", KR_TESTDATA, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t k = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		cmd[k] = '\0';
		if (strcmp(cmd, "input\n") && strcmp(cmd, "input"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/input", KR_TESTDATA, e->d_name);
		for (int round = 0; round < 2; round++)
			free(render_checked(c, path));
		n++;
	}
	closedir(d);
	assert_true(n > 100);
	size_t hits;
	assert_int_equal(kr_cache_stats(c, NULL, &hits, NULL), 0);
	assert_true(hits > n);
	kr_cache_free(c);
}

static void test_cache__usage(void **state)
{
	(void)state;
	assert_int_equal(kr_cache_new(NULL), KR_EUSAGE);
	assert_int_equal(kr_cache_stats(NULL, NULL, NULL, NULL), KR_EUSAGE);
	assert_int_equal(kr_build_set_cache(NULL, NULL), KR_EUSAGE);
	kr_cache_free(NULL);
	kr_build *b = NULL;
	assert_int_equal(kr_build_new(&b, NULL), 0);
	kr_build_run(b, "/nonexistent");
	assert_int_equal(kr_build_set_cache(b, NULL), KR_EUSAGE); /* after run */
	kr_build_free(b);
}

/* The document limit decides whether a parse succeeds, so it is part of
 * the key: a patch file of three documents parsed under the default limit
 * is not handed to a build whose limit is two. */
static void test_cache__limits_in_key(void **state)
{
	(void)state;
	tu_put("lim/kustomization.yaml", "resources: [cm.yaml]\n"
	                                  "patchesStrategicMerge: [p.yaml]\n");
	tu_put("lim/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
	tu_put("lim/p.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n---\n"
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {y: '2'}\n---\n"
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {z: '3'}\n");
	char path[1024];
	snprintf(path, sizeof(path), "%s/lim", tmpdir);
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	for (int round = 0; round < 2; round++) {
		opts.max_documents = round ? 2 : 0;
		kr_build *b = NULL;
		assert_int_equal(kr_build_new(&b, &opts), 0);
		assert_int_equal(kr_build_set_cache(b, c), 0);
		int rc = kr_build_run(b, path);
		if (round) {
			assert_int_equal(rc, KR_ELIMIT);
			assert_non_null(strstr(kr_build_error(b), "p.yaml:10:1: more than the limit "
			                                           "of 2 documents per file"));
		} else {
			assert_int_equal(rc, 0);
		}
		kr_build_free(b);
	}
	kr_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache__no_stale_result),
		cmocka_unit_test(test_cache__builds_do_not_share_nodes),
		cmocka_unit_test(test_cache__errors),
		cmocka_unit_test(test_cache__golden_cases),
		cmocka_unit_test(test_cache__usage),
		cmocka_unit_test(test_cache__limits_in_key),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
