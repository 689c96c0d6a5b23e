/*
 * test_basecache.c - the base cache (basecache.h): overlays sharing a base
 * on one kr_cache get the bytes (or the error) of builds without a cache,
 * the base being built once; a base whose files change (same size and
 * modification time), whose directory gains a second kustomization file,
 * or which gets a link where a directory was, is built again; impure
 * bases (vars, configurations) are not stored but build correctly; a
 * reused base prints its warnings again and
 * keeps the nodes its build shared between places; the checks that depend
 * on the including build (nesting limit, cycles) still fail where they
 * should.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "basecache.h"
#include "krender.h"
#include "tutil.h"

static char *render_checked(kr_cache *c, const char *dir)
{
	return tu_render_checked(c, dir, NULL);
}

static kr_basecache_stats stats(kr_cache *c)
{
	kr_basecache_stats st;
	assert_int_equal(kr_cache_base_stats(c, &st), 0);
	return st;
}

static const char *const deploy =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
	"spec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n"
	"  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
	"      containers:\n      - name: web\n        image: nginx:1\n";
static const char *const cm_v1 =
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: one\n";
static const char *const cm_v2 = /* same size */
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: two\n";

/* A base (with a base of its own, a generator and a component) and
 * overlays with namePrefix, namespace and patches. */
static void shared_tree(void)
{
	tu_put("t/common/kustomization.yaml", "resources:\n- cm.yaml\n");
	tu_put("t/common/cm.yaml", cm_v1);
	tu_put("t/comp/kustomization.yaml",
	       "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
	       "labels:\n- pairs: {team: a}\n");
	tu_put("t/base/kustomization.yaml",
	       "resources:\n- ../common\n- deploy.yaml\n"
	       "configMapGenerator:\n- name: gen\n  literals: [a=b]\n"
	       "components:\n- ../comp\n"
	       "images:\n- name: nginx\n  newTag: \"1.25\"\n");
	tu_put("t/base/deploy.yaml", deploy);
	tu_put("t/prod/kustomization.yaml",
	       "resources:\n- ../base\nnamePrefix: prod-\nnamespace: prod\n"
	       "patches:\n- patch: |-\n    - op: replace\n      path: /spec/replicas\n"
	       "      value: 3\n  target: {kind: Deployment}\n");
	tu_put("t/dev/kustomization.yaml",
	       "resources:\n- ../base\nnameSuffix: -dev\nnamespace: dev\n"
	       "patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n"
	       "    metadata: {name: web}\n    spec: {replicas: 2}\n");
	tu_put("t/x/stage/kustomization.yaml", "resources:\n- ../../base\n");
}

static void test_basecache__shared_base(void **state)
{
	(void)state;
	shared_tree();
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *p = render_checked(c, "t/prod");
	kr_basecache_stats s = stats(c);
	assert_int_equal(s.hits, 0);
	assert_true(s.entries >= 2); /* t/base and t/common */
	char *d = render_checked(c, "t/dev");
	kr_basecache_stats s2 = stats(c);
	assert_int_equal(s2.hits, 1); /* t/base, reused whole */
	assert_int_equal(s2.entries, s.entries);
	assert_non_null(strstr(p, "name: prod-web"));
	assert_non_null(strstr(p, "replicas: 3"));
	assert_non_null(strstr(p, "team: a"));
	assert_non_null(strstr(d, "name: web-dev"));
	assert_non_null(strstr(d, "replicas: 2"));
	assert_non_null(strstr(d, "nginx:1.25"));
	/* the same base reached from elsewhere (the same display name: these
	 * builds run on absolute paths) */
	char *x = render_checked(c, "t/x/stage");
	assert_int_equal(stats(c).hits, 2);
	/* under another display name (a link to it): another entry, though
	 * its own base (display t/common again) is reused */
	char link[512];
	snprintf(link, sizeof(link), "%s/t/alias", tmpdir);
	assert_int_equal(symlink("base", link), 0);
	tu_put("t/y/kustomization.yaml", "resources:\n- ../alias\n");
	char *y = render_checked(c, "t/y");
	assert_int_equal(stats(c).hits, 3);
	assert_int_equal(stats(c).entries, s.entries + 1);
	/* and again: all answered */
	char *p2 = render_checked(c, "t/prod");
	char *x2 = render_checked(c, "t/x/stage");
	char *y2 = render_checked(c, "t/y");
	assert_string_equal(p, p2);
	assert_string_equal(x, x2);
	assert_string_equal(y, y2);
	assert_int_equal(stats(c).hits, 6);
	free(y);
	free(y2);
	free(p);
	free(d);
	free(x);
	free(p2);
	free(x2);
	kr_cache_free(c);
}

/* With kr_cache_keep_results (krender serve), the top kustomization's
 * result is kept too: the same overlay again is answered whole, with the
 * bytes of a build without a cache; a changed file of the overlay itself
 * is seen; a top with sortOptions is never kept (the caller reads them).
 * Without the setting, top kustomizations are not stored. */
static void test_basecache__top_results(void **state)
{
	(void)state;
	shared_tree();
	char *want = render_checked(NULL, "t/prod");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = render_checked(c, "t/prod");
	size_t bases = stats(c).entries; /* t/base and t/common: not t/prod */
	kr_cache_free(c);
	assert_int_equal(kr_cache_new(&c), 0);
	assert_int_equal(kr_cache_keep_results(c, 1), 0);
	char *b = render_checked(c, "t/prod");
	assert_int_equal(stats(c).entries, bases + 1);
	char *b2 = render_checked(c, "t/prod");
	kr_basecache_stats s = stats(c);
	assert_int_equal(s.hits, 1); /* t/prod, whole */
	assert_string_equal(want, a);
	assert_string_equal(want, b);
	assert_string_equal(want, b2);
	/* the overlay's own file changes (same size): built again */
	tu_put_keep_time("t/prod/kustomization.yaml",
	                 "resources:\n- ../base\nnamePrefix: qrod-\nnamespace: prod\n"
	                 "patches:\n- patch: |-\n    - op: replace\n      path: /spec/replicas\n"
	                 "      value: 3\n  target: {kind: Deployment}\n");
	char *b3 = render_checked(c, "t/prod");
	assert_non_null(strstr(b3, "name: qrod-web"));
	assert_true(stats(c).stale >= 1);
	char *b4 = render_checked(c, "t/prod");
	assert_string_equal(b3, b4);
	/* sortOptions on the top: built each time, the same bytes */
	tu_put("t/fifo/kustomization.yaml",
	       "resources:\n- ../base\nsortOptions:\n  order: fifo\n");
	char *f0 = render_checked(NULL, "t/fifo");
	size_t hits = stats(c).hits;
	char *f1 = render_checked(c, "t/fifo");
	char *f2 = render_checked(c, "t/fifo");
	assert_string_equal(f0, f1);
	assert_string_equal(f0, f2);
	assert_int_equal(stats(c).hits, hits + 2); /* t/base twice, never t/fifo */
	free(want);
	free(a);
	free(b);
	free(b2);
	free(b3);
	free(b4);
	free(f0);
	free(f1);
	free(f2);
	kr_cache_free(c);
}

/* A file of the base (or of its base) changes between builds, keeping its
 * size and time: the new content, and the entry is replaced. */
static void test_basecache__changed_file(void **state)
{
	(void)state;
	shared_tree();
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = render_checked(c, "t/prod");
	assert_non_null(strstr(a, "k: one"));
	tu_put_keep_time("t/common/cm.yaml", cm_v2);
	char *b = render_checked(c, "t/dev");
	assert_non_null(strstr(b, "k: two"));
	assert_null(strstr(b, "k: one"));
	kr_basecache_stats s = stats(c);
	assert_int_equal(s.hits, 0);
	assert_true(s.stale >= 1);
	/* the replaced entry answers the next build */
	char *a2 = render_checked(c, "t/prod");
	assert_non_null(strstr(a2, "k: two"));
	assert_int_equal(stats(c).hits, 1);
	/* back to the first content */
	tu_put_keep_time("t/common/cm.yaml", cm_v1);
	char *a3 = render_checked(c, "t/prod");
	assert_string_equal(a, a3);
	free(a);
	free(b);
	free(a2);
	free(a3);
	kr_cache_free(c);
}

/* A big base, whose files worker threads parse ahead (prefetch.h): the
 * bytes they read are what the entry records, so a changed file among
 * them is seen, and a file reached through a link keeps the base out of
 * the cache, as on one thread. */
static void big_base(int nfiles)
{
	char rel[64], text[256], *k = NULL;
	size_t klen = 0;
	FILE *kf = open_memstream(&k, &klen);
	assert_non_null(kf);
	fprintf(kf, "resources:\n");
	for (int i = 0; i < nfiles; i++) {
		fprintf(kf, "- cm%02d.yaml\n", i);
		snprintf(rel, sizeof(rel), "big/base/cm%02d.yaml", i);
		snprintf(text, sizeof(text), "apiVersion: v1\nkind: ConfigMap\n"
		         "metadata:\n  name: cm%02d\ndata:\n  k: one\n", i);
		tu_put(rel, text);
	}
	fprintf(kf, "commonAnnotations:\n  owner: base\n");
	fclose(kf);
	tu_put("big/base/kustomization.yaml", k);
	free(k);
	tu_put("big/a/kustomization.yaml", "resources:\n- ../base\nnamePrefix: a-\n");
	tu_put("big/b/kustomization.yaml", "resources:\n- ../base\nnamePrefix: b-\n");
}

static void test_basecache__prefetched_files(void **state)
{
	(void)state;
	big_base(40);
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.threads = 4;
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = tu_render_checked(c, "big/a", &o);
	char *b = tu_render_checked(c, "big/b", &o);
	assert_non_null(strstr(b, "name: b-cm39"));
	assert_int_equal(stats(c).hits, 1);
	/* one of the forty files changes (same size, same time) */
	tu_put_keep_time("big/base/cm27.yaml", "apiVersion: v1\nkind: ConfigMap\n"
	              "metadata:\n  name: cm27\ndata:\n  k: two\n");
	char *a2 = tu_render_checked(c, "big/a", &o);
	assert_non_null(strstr(a2, "k: two"));
	assert_true(stats(c).stale >= 1);
	/* a file that is a link: the base is built, not stored */
	char target[512], link[512];
	snprintf(target, sizeof(target), "%s/big/base/cm05.yaml", tmpdir);
	snprintf(link, sizeof(link), "%s/big/base/cm05-link.yaml", tmpdir);
	tu_put("big/base/cm05-real.yaml", "apiVersion: v1\nkind: ConfigMap\n"
	       "metadata:\n  name: cm05\ndata:\n  k: one\n");
	assert_int_equal(unlink(target), 0);
	snprintf(link, sizeof(link), "%s/big/base/cm05-real.yaml", tmpdir);
	assert_int_equal(symlink(link, target), 0);
	kr_cache_free(c);
	assert_int_equal(kr_cache_new(&c), 0);
	char *a3 = tu_render_checked(c, "big/a", &o);
	char *b3 = tu_render_checked(c, "big/b", &o);
	kr_basecache_stats st = stats(c);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.entries, 0);
	free(a);
	free(b);
	free(a2);
	free(a3);
	free(b3);
	kr_cache_free(c);
}

/* A second kustomization file appears beside the first: kustomize's
 * error, not the cached result; removed again, the result is back. */
static void test_basecache__second_kustomization_file(void **state)
{
	(void)state;
	shared_tree();
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = render_checked(c, "t/prod");
	tu_put("t/common/kustomization.yml", "resources:\n- cm.yaml\n");
	char *b = render_checked(c, "t/prod");
	assert_int_equal(strncmp(b, "error: ", 7), 0);
	assert_non_null(strstr(b, "found multiple kustomization files"));
	char path[512];
	snprintf(path, sizeof(path), "%s/t/common/kustomization.yml", tmpdir);
	assert_int_equal(unlink(path), 0);
	char *a2 = render_checked(c, "t/prod");
	assert_string_equal(a, a2);
	/* Kustomization instead of kustomization.yaml: the same bytes under
	 * another name, which the entry must not take for the old one */
	char from[512], to[512];
	snprintf(from, sizeof(from), "%s/t/common/kustomization.yaml", tmpdir);
	snprintf(to, sizeof(to), "%s/t/common/Kustomization", tmpdir);
	assert_int_equal(rename(from, to), 0);
	size_t stale = stats(c).stale;
	char *a3 = render_checked(c, "t/prod");
	assert_string_equal(a, a3);
	assert_true(stats(c).stale > stale);
	free(a);
	free(b);
	free(a2);
	free(a3);
	kr_cache_free(c);
}

/* A directory of the base becomes a link to one outside it, holding the
 * same bytes: the load restrictor's error, not the stored result. */
static void test_basecache__link_appears(void **state)
{
	(void)state;
	tu_put("l/base/kustomization.yaml", "resources:\n- data/cm.yaml\n");
	tu_put("l/base/data/cm.yaml", cm_v1);
	tu_put("l/outside/cm.yaml", cm_v1);
	tu_put("l/o1/kustomization.yaml", "resources:\n- ../base\n");
	tu_put("l/o2/kustomization.yaml", "resources:\n- ../base\nnamePrefix: x-\n");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = render_checked(c, "l/o1");
	assert_non_null(strstr(a, "k: one"));
	char from[512], to[512];
	snprintf(from, sizeof(from), "%s/l/base/data", tmpdir);
	snprintf(to, sizeof(to), "%s/l/base/data.old", tmpdir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(symlink("../outside", from), 0);
	char *b = render_checked(c, "l/o2");
	assert_non_null(strstr(b, "security; file"));
	assert_int_equal(stats(c).hits, 0);
	free(a);
	free(b);
	kr_cache_free(c);
}

/* Bases the cache does not follow are built each time, correctly. */
static void test_basecache__impure_not_stored(void **state)
{
	(void)state;
	tu_put("i/vars/kustomization.yaml",
	       "resources:\n- deploy.yaml\nvars:\n- name: WEB\n  objref: "
	       "{kind: Deployment, name: web, apiVersion: apps/v1}\n");
	tu_put("i/vars/deploy.yaml", deploy);
	tu_put("i/conf/kustomization.yaml",
	       "resources:\n- deploy.yaml\nconfigurations:\n- conf.yaml\n");
	tu_put("i/conf/deploy.yaml", deploy);
	tu_put("i/conf/conf.yaml", "namePrefix:\n- path: metadata/annotations/x\n  create: true\n");
	tu_put("i/warn/kustomization.yaml",
	       "resources:\n- deploy.yaml\ncommonLabels:\n  a: b\n");
	tu_put("i/warn/deploy.yaml", deploy);
	/* a pure base that includes an impure one is impure too */
	tu_put("i/outer/kustomization.yaml", "resources:\n- ../conf\n");
	tu_put("i/o1/kustomization.yaml",
	       "resources:\n- ../vars\n- ../outer\n- ../warn\nnamePrefix: o1-\n"
	       "patches:\n- patch: |-\n    - op: add\n      path: /metadata/annotations\n"
	       "      value: {v: $(WEB)}\n  target: {kind: Deployment}\n");
	tu_put("i/o2/kustomization.yaml",
	       "resources:\n- ../vars\n- ../outer\n- ../warn\nnamePrefix: o2-\n");
	/* the names repeat across the three bases: rename them apart */
	tu_put("i/conf/kustomization.yaml",
	       "resources:\n- deploy.yaml\nconfigurations:\n- conf.yaml\nnameSuffix: -c\n");
	tu_put("i/warn/kustomization.yaml",
	       "resources:\n- deploy.yaml\ncommonLabels:\n  a: b\nnameSuffix: -w\n");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	for (int round = 0; round < 2; round++) {
		char *a = render_checked(c, "i/o1");
		char *b = render_checked(c, "i/o2");
		assert_null(strstr(a, "error"));
		assert_non_null(strstr(a, "name: o1-web-c"));
		assert_non_null(strstr(b, "name: o2-web-w"));
		free(a);
		free(b);
	}
	/* i/warn (a warning, but pure) is stored and reused, nothing else */
	kr_basecache_stats s = stats(c);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.hits, 3);
	assert_int_equal(s.impure, 12);
	/* a build that tracks origins (the annotations name the path from the
	 * top) neither uses nor stores entries, even of a pure base */
	tu_put("i/o3/kustomization.yaml", "resources:\n- ../warn\n"
	       "buildMetadata: [originAnnotations]\n");
	char *m = render_checked(c, "i/o3");
	assert_non_null(strstr(m, "config.kubernetes.io/origin"));
	assert_non_null(strstr(m, "path: ../warn/deploy.yaml"));
	free(m);
	kr_basecache_stats s2 = stats(c);
	assert_int_equal(s2.hits, s.hits);
	assert_int_equal(s2.misses, s.misses);
	assert_int_equal(s2.entries, s.entries);
	kr_cache_free(c);
}

/* Warnings of a reused base are printed again, in order, as a build
 * without the cache prints them. */
static char warned[4096];
static void keep_warning(void *p, const char *line)
{
	(void)p;
	size_t n = strlen(warned);
	snprintf(warned + n, sizeof(warned) - n, "%s\n", line);
}

static void test_basecache__warnings_replayed(void **state)
{
	(void)state;
	tu_put("w/inner/kustomization.yaml", "resources:\n- cm.yaml\nimageTags: []\n"
	       "patchesJson6902: []\n");
	tu_put("w/inner/cm.yaml", cm_v1);
	tu_put("w/base/kustomization.yaml", "bases:\n- ../inner\nresources:\n- deploy.yaml\n"
	       "commonLabels:\n  a: b\n");
	tu_put("w/base/deploy.yaml", deploy);
	tu_put("w/o1/kustomization.yaml", "resources:\n- ../base\ncommonLabels:\n  o: one\n");
	tu_put("w/o2/kustomization.yaml", "resources:\n- ../base\nnamePrefix: two-\n");
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.warn = keep_warning;
	char want[2][sizeof(warned)];
	const char *dirs[2] = { "w/o1", "w/o2" };
	for (int i = 0; i < 2; i++) {
		warned[0] = '\0';
		free(tu_render(NULL, dirs[i], &o));
		memcpy(want[i], warned, sizeof(warned));
	}
	assert_non_null(strstr(want[1], "'bases' is deprecated"));
	assert_non_null(strstr(want[1], "'imageTags' is deprecated"));
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 2; i++) {
			warned[0] = '\0';
			free(tu_render_checked(c, dirs[i], &o));
			/* render_checked_opts built twice: with, then without */
			size_t half = strlen(warned) / 2;
			assert_int_equal(strlen(warned), 2 * strlen(want[i]));
			assert_memory_equal(warned, want[i], half);
			assert_string_equal(warned + half, want[i]);
		}
	assert_int_equal(stats(c).hits, 3);
	kr_cache_free(c);
}

/* commonLabels gives the labels it adds one shared value node; a later
 * `labels` of the overlay rewrites that node in place, which shows in the
 * selector too.  A reused base must have the same sharing, or the
 * selector would keep the old value. */
static void test_basecache__shared_nodes(void **state)
{
	(void)state;
	tu_put("n/base/kustomization.yaml", "resources: [d.yaml]\ncommonLabels:\n  a: b\n");
	tu_put("n/base/d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
	       "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n"
	       "        image: x\n");
	tu_put("n/o1/kustomization.yaml", "resources: [../base]\nlabels:\n- pairs: {a: q}\n");
	tu_put("n/o2/kustomization.yaml", "resources: [../base]\nlabels:\n- pairs: {a: r}\n");
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	for (int round = 0; round < 2; round++) {
		char *a = render_checked(c, "n/o1");
		char *b = render_checked(c, "n/o2");
		assert_non_null(strstr(a, "matchLabels:\n      a: q"));
		assert_non_null(strstr(b, "matchLabels:\n      a: r"));
		free(a);
		free(b);
	}
	assert_int_equal(stats(c).hits, 3);
	kr_cache_free(c);
}

/* The nesting limit counts from the including build: a base stored under
 * a shallow overlay is not reused where it would nest too deep; a base
 * that contains the root of the build is a cycle. */
static void test_basecache__chain_checks(void **state)
{
	(void)state;
	tu_put("d/leaf/kustomization.yaml", "resources:\n- cm.yaml\n");
	tu_put("d/leaf/cm.yaml", cm_v1);
	tu_put("d/base/kustomization.yaml", "resources:\n- ../leaf\n");
	tu_put("d/o1/kustomization.yaml", "resources:\n- ../base\n");
	tu_put("d/mid/kustomization.yaml", "resources:\n- ../base\n");
	tu_put("d/o2/kustomization.yaml", "resources:\n- ../mid\n");
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.max_kustomization_depth = 2;
	kr_cache *c = NULL;
	assert_int_equal(kr_cache_new(&c), 0);
	char *a = tu_render_checked(c, "d/o1", &o);
	assert_non_null(strstr(a, "k: one"));
	char *b = tu_render_checked(c, "d/o2", &o);
	assert_non_null(strstr(b, "nested deeper than the limit of 2"));
	assert_int_equal(stats(c).hits, 0);
	/* with room, the same build reuses the base (another option set:
	 * another entry) */
	char *b2 = render_checked(c, "d/o2");
	char *b3 = render_checked(c, "d/o2");
	assert_string_equal(b2, b3);
	assert_int_equal(stats(c).hits, 1);
	/* the base's leaf names the overlay's root: a cycle from o3 only */
	tu_put("d/o3/kustomization.yaml", "resources:\n- sub\n");
	tu_put("d/o3/sub/kustomization.yaml", "resources:\n- cm.yaml\n");
	tu_put("d/o3/sub/cm.yaml", cm_v2);
	tu_put("d/cyc/kustomization.yaml", "resources:\n- ../o3\n");
	tu_put("d/o4/kustomization.yaml", "resources:\n- ../cyc\n");
	char *e = render_checked(c, "d/o4");    /* stores cyc and o3 */
	assert_non_null(strstr(e, "k: two"));
	tu_put("d/o3/sub/kustomization.yaml", "resources:\n- cm.yaml\n");
	tu_put("d/o3/sub/more/kustomization.yaml", "resources:\n- ../../../cyc\n");
	char *f = render_checked(c, "d/o3/sub/more");
	assert_non_null(strstr(f, "cycle detected"));
	free(a);
	free(b);
	free(b2);
	free(b3);
	free(e);
	free(f);
	kr_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basecache__shared_base,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__top_results,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__changed_file,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__second_kustomization_file,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__link_appears,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__impure_not_stored,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__warnings_replayed,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__shared_nodes,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__chain_checks,
		                                tu_tree_setup, tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_basecache__prefetched_files,
		                                tu_tree_setup, tu_tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
