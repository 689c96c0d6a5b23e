/*
 * tutil.h - helpers shared by the unit tests (header-only, static inline):
 *
 *  - a temporary directory tree per test group: tu_tree_setup and
 *    tu_tree_teardown as cmocka group fixtures, tu_put() to write a file
 *    (parent directories made), `tmpdir` holding its path;
 *  - a warning counter for kr_build_options.warn (tu_count_warning);
 *  - a transformer fixture: tu_run() parses a kustomization and a resource
 *    stream from strings, builds the layer with the default configuration
 *    and runs one transformer; tu_emit() prints resource i as kustomize
 *    would; tu_done() releases everything.
 */
#ifndef KR_TESTS_TUTIL_H
#define KR_TESTS_TUTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit.h"
#include "parse.h"
#include "resource.h"
#include "tconfig.h"
#include "transformers.h"

static char tmpdir[256];

static inline int tu_tree_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kr-test-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int tu_tree_teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void tu_put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (char *p = path + strlen(tmpdir) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The output of a build of `dir` (under tmpdir unless absolute) with
 * options `o` (NULL: the defaults) and cache `c` (NULL: none), or
 * "error: <message>"; malloc'd. */
static inline char *tu_render(kr_cache *c, const char *dir, const kr_build_options *o)
{
	char path[1536];
	if (dir[0] == '/')
		snprintf(path, sizeof(path), "%s", dir);
	else
		snprintf(path, sizeof(path), "%s/%s", tmpdir, dir);
	kr_build *b = NULL;
	assert_int_equal(kr_build_new(&b, o), 0);
	assert_int_equal(kr_build_set_cache(b, c), 0);
	char *res;
	if (kr_build_run(b, path) == 0) {
		const char *data;
		size_t len;
		assert_int_equal(kr_build_output(b, &data, &len), 0);
		res = malloc(len + 1);
		assert_non_null(res);
		memcpy(res, data, len);
		res[len] = '\0';
	} else {
		const char *e = kr_build_error(b);
		size_t n = strlen(e) + 8;
		res = malloc(n);
		assert_non_null(res);
		snprintf(res, n, "error: %s", e);
	}
	kr_build_free(b);
	return res;
}

/* tu_render with cache `c` and without one: the same text; returns it. */
static inline char *tu_render_checked(kr_cache *c, const char *dir,
                                      const kr_build_options *o)
{
	char *with = tu_render(c, dir, o);
	char *fresh = tu_render(NULL, dir, o);
	assert_string_equal(with, fresh);
	free(fresh);
	return with;
}

/* Rewrite file `rel` under tmpdir keeping its modification time (caches
 * must look at the bytes, not the time). */
static inline void tu_put_keep_time(const char *rel, const char *text)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	assert_int_equal(stat(path, &st), 0);
	tu_put(rel, text);
	struct timespec t[2] = { st.st_atim, st.st_mtim };
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* A warn callback (kr_build_options.warn) that counts warnings and keeps
 * the last one. */
static int tu_warnings;
static char tu_last_warning[512];
static inline void tu_count_warning(void *p, const char *line)
{
	(void)p;
	tu_warnings++;
	snprintf(tu_last_warning, sizeof(tu_last_warning), "%s", line);
}

typedef struct tu_fixture {
	kr_ctx ctx;
	kr_kustomization k;
	kr_tconfig tc;
	kr_resmap m;
	kr_layer l;
	kr_buf out;
} tu_fixture;

static inline int tu_run(tu_fixture *f, kr_transformer_fn fn, const char *kust,
                         const char *resources)
{
	memset(f, 0, sizeof(*f));
	kr_ctx_init(&f->ctx, NULL);
	kr_doclist kd = { 0 }, rd = { 0 };
	assert_int_equal(kr_yaml_parse(&f->ctx, "kustomization.yaml", kust,
	                               strlen(kust), KR_YAML_DUP_LAST_WINS, &kd), 0);
	assert_int_equal(kd.len, 1);
	f->k.file = "kustomization.yaml";
	f->k.dir = ".";
	f->k.doc = kd.docs[0];
	f->k.kind = "Kustomization";
	assert_int_equal(kr_yaml_parse_resources(&f->ctx, "r.yaml", resources,
	                                         strlen(resources), &rd), 0);
	for (size_t i = 0; i < rd.len; i++) {
		kr_resource *r = kr_resource_new(&f->ctx.arena, rd.docs[i]);
		assert_non_null(r);
		assert_int_equal(kr_resmap_append(&f->ctx, &f->m, r), 0);
	}
	assert_int_equal(kr_tconfig_init_default(&f->ctx, &f->tc), 0);
	f->l.k = &f->k;
	f->l.tc = &f->tc;
	f->l.m = &f->m;
	return fn(&f->ctx, &f->l);
}

static inline const char *tu_emit(tu_fixture *f, size_t i)
{
	const char *err = NULL;
	kr_buf_clear(&f->out);
	assert_int_equal(kr_emit_document(&f->out, f->m.items[i]->doc, &err), 0);
	kr_buf_putc(&f->out, '\0');
	return f->out.data;
}

static inline void tu_done(tu_fixture *f)
{
	kr_buf_free(&f->out);
	kr_ctx_free(&f->ctx);
}

#endif
