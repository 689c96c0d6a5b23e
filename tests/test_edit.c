/*
 * test_edit.c - `kustomize edit` in the library: the argument parsers of
 * set image and set replicas, Go's glob, and kfile.c's rewriting of a
 * kustomization (fields left alone keep their text and comments, lists grow
 * in place, layouts that cannot be spliced are printed whole, errors leave
 * the file untouched).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "edit_impl.h"
#include "kfile.h"
#include "krender_edit.h"
#include "tutil.h"

static void check_image(const char *arg, const char *name, const char *new_name,
                        const char *tag, const char *digest)
{
	char buf[256];
	kr_edit_image img;
	if (!name) {
		assert_int_equal(kr_edit_parse_image(arg, &img, buf, sizeof buf), -1);
		return;
	}
	assert_int_equal(kr_edit_parse_image(arg, &img, buf, sizeof buf), 0);
	assert_string_equal(img.name, name);
	assert_string_equal(img.new_name, new_name);
	assert_string_equal(img.new_tag, tag);
	assert_string_equal(img.digest, digest);
}

static void test_edit__parse_image(void **state)
{
	(void)state;
	check_image("nginx=nginx:1.27", "nginx", "nginx", "1.27", "");
	check_image("nginx:1.27", "nginx", "", "1.27", "");
	check_image("alpine@sha256:abc", "alpine", "", "", "sha256:abc");
	check_image("app=reg.io:5000/team/app:v1@sha256:abc", "app", "reg.io:5000/team/app",
	            "v1", "sha256:abc");
	check_image("mysql=mariadb", "mysql", "mariadb", "", "");
	check_image("redis=*:7", "redis", "*", "7", "");
	check_image("node:*", "node", "", "*", "");
	check_image("=foo:1", "foo", "", "1", "");         /* an empty name: no key */
	check_image("nginx", NULL, NULL, NULL, NULL);       /* nothing to set */
	check_image("reg.io:5000/app", NULL, NULL, NULL, NULL);
}

static void test_edit__parse_replica(void **state)
{
	(void)state;
	char name[64];
	long long n;
	assert_int_equal(kr_edit_parse_replica("web=3", name, sizeof name, &n), 0);
	assert_string_equal(name, "web");
	assert_int_equal(n, 3);
	assert_int_equal(kr_edit_parse_replica("web=+007", name, sizeof name, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(kr_edit_parse_replica("web=-1", name, sizeof name, &n), 0);
	assert_int_equal(n, -1);
	assert_int_equal(kr_edit_parse_replica("web=9223372036854775807", name, sizeof name, &n), 0);
	assert_int_equal(kr_edit_parse_replica("web=9223372036854775808", name, sizeof name, &n), -1);
	assert_int_equal(kr_edit_parse_replica("web=", name, sizeof name, &n), -1);
	assert_int_equal(kr_edit_parse_replica("web=three", name, sizeof name, &n), -1);
	assert_int_equal(kr_edit_parse_replica("web=1=2", name, sizeof name, &n), -1);
	assert_int_equal(kr_edit_parse_replica("web", name, sizeof name, &n), -1);
	assert_int_equal(kr_edit_parse_replica("web=1.5", name, sizeof name, &n), -1);
}

static void test_edit__glob(void **state)
{
	(void)state;
	tu_put("g/b.yaml", "x");
	tu_put("g/a.yaml", "x");
	tu_put("g/.hidden.yaml", "x");
	tu_put("g/sub/c.yaml", "x");
	tu_put("g/a-b/d.yaml", "x");
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmpdir), 0);
	kr_arena a;
	kr_arena_init(&a);
	const char **m;
	size_t n;
	/* Go's Glob: sorted per directory, "*" matches a leading dot, the
	 * directory part cleaned ("./g" -> "g"). */
	assert_int_equal(kr_edit_glob(&a, "./g/*.yaml", &m, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(m[0], "g/.hidden.yaml");
	assert_string_equal(m[1], "g/a.yaml");
	assert_string_equal(m[2], "g/b.yaml");
	assert_int_equal(kr_edit_glob(&a, "g/*/*.yaml", &m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0], "g/a-b/d.yaml");
	assert_string_equal(m[1], "g/sub/c.yaml");
	/* No metacharacters: the path itself, as written, when it exists. */
	assert_int_equal(kr_edit_glob(&a, "./g/a.yaml", &m, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0], "./g/a.yaml");
	assert_int_equal(kr_edit_glob(&a, "g/missing.yaml", &m, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(kr_edit_glob(&a, "g/[ab].yaml", &m, &n), 0);
	assert_int_equal(n, 2);
	kr_arena_free(&a);
	assert_int_equal(chdir(cwd), 0);
}

static char *slurp(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Write `before` as dir/kustomization.yaml, run the edit, compare. */
static int run_edit(const char *dir, const char *before, const char *after,
                    const char *msg, int argc, ...)
{
	char rel[256], path[512];
	snprintf(rel, sizeof rel, "%s/kustomization.yaml", dir);
	tu_put(rel, before);
	snprintf(path, sizeof path, "%s/%s", tmpdir, dir);
	char *argv[16];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	char *err = NULL;
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	opts.warn = tu_count_warning;
	int rc = kr_edit(path, argc, argv, &opts, &err);
	if (msg) {
		assert_true(rc < 0);
		assert_non_null(err);
		if (!strstr(err, msg))
			fail_msg("error '%s' lacks '%s'", err, msg);
		assert_non_null(strstr(err, "kustomization.yaml"));
		assert_string_equal(slurp(rel), before);   /* untouched */
	} else {
		if (rc < 0)
			fail_msg("edit failed: %s", err);
		assert_string_equal(slurp(rel), after);
	}
	free(err);
	return rc;
}

static void test_edit__keeps_text(void **state)
{
	(void)state;
	/* Only the changed field is printed again; comments elsewhere, the
	 * quoting and the order stay. */
	run_edit("k1",
	         "# header\nkind: Kustomization\n\n# images\nimages:\n  - name: a  # x\n"
	         "    newTag: \"1\"\n# trailing\nnamePrefix: 'p-'\n",
	         "# header\nkind: Kustomization\n\n# images\nimages:\n- name: a\n  newTag: \"2\"\n"
	         "# trailing\nnamePrefix: 'p-'\n",
	         NULL, 3, "set", "image", "a:2");
	/* A block list grows in place, before the comments that end it. */
	run_edit("k2",
	         "resources:\n  - a.yaml # first\n  # - b.yaml\nnamePrefix: p-\n",
	         "resources:\n  - a.yaml # first\n  - c.yaml\n  # - b.yaml\nnamePrefix: p-\n",
	         NULL, 4, "add", "resource", "--no-verify", "c.yaml");
	/* So does a block mapping that only gets new keys. */
	run_edit("k2m",
	         "commonLabels:\n  # who\n  app: a # main\nnamePrefix: p-\n",
	         "commonLabels:\n  # who\n  app: a # main\n  team: t\nnamePrefix: p-\n",
	         NULL, 3, "add", "label", "team:t");
	/* A new field goes after the last one; a missing final newline is
	 * added first. */
	run_edit("k3", "namePrefix: p-", "namePrefix: p-\nnamespace: ns\n",
	         NULL, 4, "set", "namespace", "--", "ns");
	/* Flow style cannot be spliced: the whole file is printed. */
	run_edit("k4", "{namePrefix: p-, resources: [a.yaml]}\n",
	         "namePrefix: q-\nresources:\n- a.yaml\n", NULL, 3, "set", "nameprefix", "q-");
	/* Keys are matched as kustomize's JSON decoding matches them. */
	run_edit("k5", "NamePrefix: p-\nresources:\n- a.yaml\n",
	         "namePrefix: q-\nresources:\n- a.yaml\n", NULL, 3, "set", "nameprefix", "q-");
	/* An empty value drops the field (kustomize's omitempty). */
	run_edit("k6", "namePrefix: p-\nresources:\n- a.yaml\n", "resources:\n- a.yaml\n",
	         NULL, 3, "set", "nameprefix", "");
	/* An anchor used by another field survives (the file is printed
	 * whole, aliases expanded). */
	run_edit("k7", "images: &i\n- name: a\n  newTag: \"1\"\nx: *i\n",
	         "images:\n- name: a\n  newTag: \"2\"\nx:\n- name: a\n  newTag: \"1\"\n",
	         NULL, 3, "set", "image", "a:2");
}

static void test_edit__semantics(void **state)
{
	(void)state;
	/* Images merge by name, "*" keeps, the list is sorted by name and
	 * imageTags folds in. */
	run_edit("s1",
	         "images:\n- name: z\n  newName: zz\n  newTag: \"1\"\nimageTags:\n- name: b\n  newTag: \"3\"\n",
	         "images:\n- name: a\n  newTag: \"2\"\n- name: b\n  newTag: \"3\"\n"
	         "- name: z\n  newName: zz\n  newTag: \"9\"\n",
	         NULL, 4, "set", "image", "z=*:9", "a:2");
	/* Replicas: an argument replaces, the list is sorted. */
	run_edit("s2", "replicas:\n- name: w\n  count: 1\n- name: a\n  count: 5\n",
	         "replicas:\n- count: 5\n  name: a\n- count: 2\n  name: w\n",
	         NULL, 3, "set", "replicas", "w=2");
	/* Labels: --force overwrites; quoted values lose their quotes. */
	run_edit("s3", "commonLabels:\n  app: a\n",
	         "commonLabels:\n  app: b\n  k: v w\n",
	         NULL, 5, "add", "label", "-f", "app:b", "k:\"v w\"");
	tu_warnings = 0;
	run_edit("s4", "labels:\n- pairs:\n    a: b\n",
	         "labels:\n- pairs:\n    a: b\n- includeTemplates: true\n  pairs:\n    c: d\n",
	         NULL, 5, "add", "label", "--without_selector", "--include-templates", "c:d");
	assert_int_equal(tu_warnings, 1);   /* the underscore spelling */
	/* A patch already there is not added twice (the file is untouched). */
	run_edit("s5", "patches:\n- path: p.yaml\n", "patches:\n- path: p.yaml\n",
	         NULL, 4, "add", "patch", "--path", "p.yaml");
	run_edit("s6", "patches:\n- path: p.yaml\n",
	         "patches:\n- path: p.yaml\n- path: p.yaml\n  target:\n    kind: Deployment\n",
	         NULL, 6, "add", "patch", "--path", "p.yaml", "--kind", "Deployment");
}

static void test_edit__errors(void **state)
{
	(void)state;
	const char *k = "resources:\n- a.yaml\ncommonLabels:\n  app: a\n";
	run_edit("e1", k, NULL, "invalid format of image 'nginx'", 3, "set", "image", "nginx");
	run_edit("e2", k, NULL, "invalid format of replica", 3, "set", "replicas", "a=b");
	run_edit("e3", k, NULL, "missing.yaml has no match", 3, "add", "resource", "missing.yaml");
	run_edit("e4", k, NULL, "label app already in kustomization file", 3, "add", "label", "app:b");
	run_edit("e5", k, NULL, "unknown flag: --bogus", 4, "add", "label", "--bogus", "a:b");
	run_edit("e6", k, NULL, "not supported by this version of krender yet", 3, "add",
	         "resource", "https://github.com/org/repo//base");
	run_edit("e7", k, NULL, "must specify exactly one namespace value", 2, "set", "namespace");
	run_edit("e8", k, NULL, "flag needs an argument: --path", 3, "add", "patch", "--path");
	run_edit("e9", "a: [\n", NULL, "kustomization.yaml:", 3, "set", "namespace", "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit__parse_image),
		cmocka_unit_test(test_edit__parse_replica),
		cmocka_unit_test(test_edit__glob),
		cmocka_unit_test(test_edit__keeps_text),
		cmocka_unit_test(test_edit__semantics),
		cmocka_unit_test(test_edit__errors),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
