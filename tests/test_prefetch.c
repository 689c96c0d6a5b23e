/*
 * test_prefetch.c - a build on several threads (kr_build_options.threads:
 * resource files parsed ahead by workers, prefetch.c; a big output written
 * in slices, api.c) gives exactly what the same build gives on one thread:
 * the output, every resource's text and file name, the inputs, and the
 * same error, whichever of many files is bad and however it is bad.
 * scripts/tsan runs it under ThreadSanitizer too.
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

#include "build.h"
#include "krender.h"
#include "tutil.h"

#define NFILES 120      /* well above the prefetch threshold */
#define PER_FILE 20     /* 2,400 resources: the output is written in slices */

typedef struct result {
	int rc;
	char *out;          /* output, or the error message */
	char **docs;        /* each resource's text and file name, joined */
	size_t ndocs;
	char *inputs;       /* kr_build_input, one per line */
	size_t prefetched;  /* files parsed by workers */
	unsigned slices;    /* output slices written on other threads */
} result;

static void result_free(result *r)
{
	free(r->out);
	for (size_t i = 0; i < r->ndocs; i++)
		free(r->docs[i]);
	free(r->docs);
	free(r->inputs);
	memset(r, 0, sizeof(*r));
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	assert_non_null(d);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static result build(const char *rel, unsigned threads)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", tmpdir, rel);
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.threads = threads;
	kr_build *b = NULL;
	assert_int_equal(kr_build_new(&b, &o), 0);
	result r = { 0 };
	r.rc = kr_build_run(b, dir);
	r.prefetched = b->ctx.nprefetched;
	r.slices = b->ctx.emit_slices;
	if (r.rc == 0) {
		const char *data;
		size_t len;
		assert_int_equal(kr_build_output(b, &data, &len), 0);
		r.out = dup_n(data, len);
		r.ndocs = kr_build_resource_count(b);
		r.docs = calloc(r.ndocs + 1, sizeof(char *));
		assert_non_null(r.docs);
		for (size_t i = 0; i < r.ndocs; i++) {
			const char *y, *name;
			assert_int_equal(kr_build_resource(b, i, &y, &len, &name), 0);
			size_t nl = strlen(name);
			r.docs[i] = malloc(len + nl + 2);
			assert_non_null(r.docs[i]);
			memcpy(r.docs[i], name, nl);
			r.docs[i][nl] = '\n';
			memcpy(r.docs[i] + nl + 1, y, len);
			r.docs[i][nl + 1 + len] = '\0';
		}
		size_t n = kr_build_input_count(b), total = 1;
		for (size_t i = 0; i < n; i++)
			total += strlen(kr_build_input(b, i)) + 1;
		r.inputs = calloc(total, 1);
		assert_non_null(r.inputs);
		for (size_t i = 0; i < n; i++) {
			strcat(r.inputs, kr_build_input(b, i));
			strcat(r.inputs, "\n");
		}
	} else {
		r.out = strdup(kr_build_error(b));
	}
	kr_build_free(b);
	return r;
}

/* A kustomization `dir` listing NFILES files of PER_FILE ConfigMaps each,
 * with a sub-kustomization and a List among them; file `bad` (if any)
 * gets `bad_text` instead. */
static void make_tree(const char *dir, int bad, const char *bad_text)
{
	char path[128], *k = NULL;
	size_t klen = 0;
	FILE *kf = open_memstream(&k, &klen);
	assert_non_null(kf);
	fprintf(kf, "resources:\n");
	for (int f = 0; f < NFILES; f++) {
		fprintf(kf, "- res-%03d.yaml\n", f);
		if (f == NFILES / 2)
			fprintf(kf, "- sub\n");
		snprintf(path, sizeof path, "%s/res-%03d.yaml", dir, f);
		if (f == bad) {
			tu_put(path, bad_text);
			continue;
		}
		char *t = NULL;
		size_t tlen = 0;
		FILE *tf = open_memstream(&t, &tlen);
		assert_non_null(tf);
		if (f == 7) {   /* a List: its items come after the file's documents */
			fprintf(tf, "apiVersion: v1\nkind: List\nitems:\n");
			for (int i = 0; i < PER_FILE; i++)
				fprintf(tf, "- apiVersion: v1\n  kind: ConfigMap\n"
				        "  metadata:\n    name: list-%03d-%02d\n"
				        "  data:\n    k: \"%d\"\n", f, i, i);
		} else {
			for (int i = 0; i < PER_FILE; i++)
				fprintf(tf, "---\napiVersion: v1\nkind: ConfigMap\n"
				        "metadata:\n  name: cm-%03d-%02d\n"
				        "data:\n  n: \"%d\"\n  text: |\n    line %d\n",
				        f, i, f * PER_FILE + i, i);
		}
		fclose(tf);
		tu_put(path, t);
		free(t);
	}
	fprintf(kf, "namePrefix: p-\n");
	fclose(kf);
	snprintf(path, sizeof path, "%s/kustomization.yaml", dir);
	tu_put(path, k);
	free(k);
	snprintf(path, sizeof path, "%s/sub/kustomization.yaml", dir);
	tu_put(path, "resources:\n- svc.yaml\n");
	snprintf(path, sizeof path, "%s/sub/svc.yaml", dir);
	tu_put(path, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n");
}

static void assert_same(const result *a, const result *b)
{
	assert_int_equal(a->rc, b->rc);
	assert_string_equal(a->out, b->out);
	assert_int_equal(a->ndocs, b->ndocs);
	for (size_t i = 0; i < a->ndocs; i++)
		assert_string_equal(a->docs[i], b->docs[i]);
	if (a->inputs || b->inputs)
		assert_string_equal(a->inputs, b->inputs);
}

static void test_same_output(void **state)
{
	(void)state;
	make_tree("ok", -1, NULL);
	result one = build("ok", 1);
	assert_int_equal(one.rc, 0);
	assert_int_equal(one.ndocs, NFILES * PER_FILE + 1);
	/* every file's documents, in the order of the list */
	const char *a = strstr(one.out, "name: p-cm-000-00\n");
	const char *z = strstr(one.out, "name: p-cm-119-19\n");
	assert_non_null(a);
	assert_non_null(z);
	/* one thread: nothing on others */
	assert_int_equal(one.prefetched, 0);
	assert_int_equal(one.slices, 0);
	size_t prefetched = 0;
	for (unsigned t = 2; t <= 8; t *= 2) {
		result many = build("ok", t);
		assert_same(&one, &many);
		/* the output was written in t slices */
		assert_int_equal(many.slices, t - 1);
		prefetched += many.prefetched;
		result_free(&many);
	}
	/* and workers took files (how many depends on the scheduler: the
	 * build's thread takes any file it reaches first) */
	assert_true(prefetched > 0);
	result dflt = build("ok", 0);
	assert_same(&one, &dflt);
	result_free(&dflt);
	result_free(&one);
}

/* Building `dir` fails with an error that contains `want`, the same on 1,
 * 2, 4 and 8 threads. */
static void expect_same_error(const char *dir, const char *want)
{
	result one = build(dir, 1);
	assert_true(one.rc < 0);
	if (!strstr(one.out, want))
		fail_msg("error '%s' lacks '%s'", one.out, want);
	for (unsigned t = 2; t <= 8; t *= 2) {
		result many = build(dir, t);
		assert_same(&one, &many);
		result_free(&many);
	}
	result_free(&one);
}

/* The same error with and without workers, wherever the bad file is. */
static void check_error(const char *dir, int bad, const char *text,
                        const char *want)
{
	make_tree(dir, bad, text);
	expect_same_error(dir, want);
}

static void test_bad_yaml(void **state)
{
	(void)state;
	check_error("badyaml", 83, "apiVersion: v1\nkind: ConfigMap\n"
	            "metadata:\n  name: x\n   bad: [\n",
	            "res-083.yaml:5:");
}

static void test_not_a_mapping(void **state)
{
	(void)state;
	check_error("scalar", 40, "just a string\n", "res-040.yaml");
}

static void test_duplicate_id(void **state)
{
	(void)state;
	/* file 90 redefines a ConfigMap of file 3: kustomize's "already
	 * registered id", raised when file 90 is appended */
	check_error("dup", 90, "apiVersion: v1\nkind: ConfigMap\n"
	            "metadata:\n  name: cm-003-01\n", "cm-003-01");
}

static void test_missing_file(void **state)
{
	(void)state;
	make_tree("missing", -1, NULL);
	char path[512];
	snprintf(path, sizeof path, "%s/missing/res-100.yaml", tmpdir);
	assert_int_equal(unlink(path), 0);
	expect_same_error("missing", "res-100.yaml");
}

static void test_restrictor(void **state)
{
	(void)state;
	/* a file that is a link to outside the root: refused by
	 * LoadRestrictionsRootOnly, whoever looks at it first */
	make_tree("outside", -1, NULL);
	tu_put("elsewhere.yaml", "apiVersion: v1\nkind: ConfigMap\n"
	       "metadata:\n  name: elsewhere\n");
	char link[512], target[512];
	snprintf(link, sizeof link, "%s/outside/res-050.yaml", tmpdir);
	snprintf(target, sizeof target, "%s/elsewhere.yaml", tmpdir);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(target, link), 0);
	expect_same_error("outside", "LoadRestrictionsRootOnly");
}

/* A value that cannot be written (a control character) in the last slice
 * of the output, then also in the first: the error names the first one in
 * output order, as on one thread. */
static void test_emit_error(void **state)
{
	(void)state;
	make_tree("emit", NFILES - 1, "apiVersion: v1\nkind: ConfigMap\n"
	          "metadata:\n  name: zz-last\ndata:\n  k: \"a\\x7Fb\"\n");
	expect_same_error("emit", "zz-last");
	tu_put("emit/res-000.yaml", "apiVersion: v1\nkind: ConfigMap\n"
	       "metadata:\n  name: aa-first\ndata:\n  k: \"a\\x7Fb\"\n");
	expect_same_error("emit", "aa-first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_output),
		cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_restrictor),
		cmocka_unit_test(test_emit_error),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
