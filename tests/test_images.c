/*
 * test_images.c - the images transformer's pieces: kustomize's image
 * reference split (name, tag, digest; a registry port is not a tag), the
 * name match (the entry's name is a Go regular expression anchored at the
 * start, followed by an optional tag and sha256 digest), the rebuild with
 * newName/newTag/digest/tagSuffix, the rejection of regular expressions
 * Go does not accept, and whole transforms (legacy containers rule, CRDs
 * skipped, tagSuffix applied twice) plus the replicas transformer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "emit.h"
#include "images.h"
#include "parse.h"
#include "resource.h"
#include "tconfig.h"
#include "transformers.h"

static void check_split(const char *img, const char *name, const char *tag,
                        const char *digest)
{
	size_t p[6];
	kr_image_split(img, strlen(img), p);
	char got[3][128];
	for (int i = 0; i < 3; i++)
		snprintf(got[i], sizeof got[i], "%.*s", (int)(p[2 * i + 1] - p[2 * i]),
		         img + p[2 * i]);
	if (strcmp(got[0], name) || strcmp(got[1], tag) || strcmp(got[2], digest))
		fail_msg("split(%s) = [%s|%s|%s], want [%s|%s|%s]", img, got[0], got[1],
		         got[2], name, tag, digest);
}

static void test_images__split(void **state)
{
	(void)state;
	check_split("nginx", "nginx", "", "");
	check_split("nginx:1.2", "nginx", "1.2", "");
	check_split("nginx@sha256:abc", "nginx", "", "sha256:abc");
	check_split("nginx:1.2@sha256:abc", "nginx", "1.2", "sha256:abc");
	check_split("docker.io/nginx", "docker.io/nginx", "", "");
	check_split("docker.io/library/nginx:1", "docker.io/library/nginx", "1", "");
	/* a registry port is not a tag */
	check_split("localhost:5000/app", "localhost:5000/app", "", "");
	check_split("localhost:5000/app:v1", "localhost:5000/app", "v1", "");
	check_split("localhost:5000/app@sha256:x", "localhost:5000/app", "", "sha256:x");
	check_split("r.io:443/a/b:t@sha256:d", "r.io:443/a/b", "t", "sha256:d");
	/* without a '/', a port is taken for a tag */
	check_split("localhost:5000", "localhost", "5000", "");
	/* a ':' after '@' belongs to the digest */
	check_split("app@sha256:1:2", "app", "", "sha256:1:2");
	check_split("", "", "", "");
	check_split(":1", "", "1", "");
	/* a leading '/' does not start the search */
	check_split("/a:1", "/a", "1", "");
}

static int match(kr_ctx *ctx, const char *name, const char *value)
{
	return kr_image_pattern_match(ctx, name, value, strlen(value));
}

static void test_images__match(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	static const struct {
		const char *name, *value;
		int want;
	} cases[] = {
		{ "nginx", "nginx", 1 },
		{ "nginx", "nginx:1.2", 1 },
		{ "nginx", "nginx:1.2.3-alpine_x", 1 },
		{ "nginx", "nginx:{{tag}}", 1 },
		{ "nginx", "nginx@sha256:abc", 1 },
		{ "nginx", "nginx:1.2@sha256:abc", 1 },
		{ "nginx", "nginx:", 1 },
		{ "nginx", "docker.io/nginx", 0 },
		{ "docker.io/nginx", "docker.io/nginx:1", 1 },
		{ "docker.io/nginx", "nginx:1", 0 },
		/* not a prefix, not a suffix */
		{ "nginx", "nginx-exporter", 0 },
		{ "nginx", "nginxx:1", 0 },
		{ "nginx", "my/nginx", 0 },
		{ "nginx", "nginx:1 ", 0 },
		{ "nginx", "nginx:a+b", 0 },
		{ "nginx", "nginx@sha512:abc", 0 },
		{ "nginx", "nginx\n", 0 },          /* $ is the very end */
		{ "nginx", "nginx:1\n", 0 },
		/* registries with ports */
		{ "localhost:5000/app", "localhost:5000/app", 1 },
		{ "localhost:5000/app", "localhost:5000/app:v1", 1 },
		{ "localhost:5000/app", "localhost:5000/app@sha256:0f", 1 },
		{ "localhost:5000/app", "localhost:5001/app", 0 },
		{ "localhost", "localhost:5000/app", 0 },
		/* the name is a regular expression */
		{ "ngin.", "nginx:1", 1 },
		{ "my.app", "myXapp", 1 },
		{ "web|api", "webserver/x:1", 1 },  /* ^web... */
		{ "web|api", "registry/api:1", 1 }, /* ...api(:tag)?$ */
		{ "web|api", "api-gw", 0 },
		{ "(?i)NGINX", "nginx:1", 1 },
		{ "n\\x67inx", "nginx", 1 },
		{ "\\Qa.b\\E", "a.b", 1 },
		{ "\\Qa.b\\E", "axb", 0 },
		{ "", "", 1 },
		{ "", ":1", 1 },
		{ "", "a", 0 },
		{ "caf.", "café", 1 },              /* . is one character (UTF-8) */
		{ "a.b", "a\nb", 0 },               /* . is not a newline */
		/* a '{' Go takes literally (PCRE2 might not) */
		{ "a{01}", "a{01}", 1 },
		{ "a{01}", "a", 0 },
		{ "a{,2}", "a{,2}", 1 },
		{ "a{x}", "a{x}:1", 1 },
		{ "a{2}", "aa", 1 },
		{ "(?)a", "a", 1 },
		/* Go repeats assertions */
		{ "^*a", "a", 1 },
		{ "\\b+a$*", "a:1", 1 },
		{ "a\\z{2}", "a", 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int got = match(&ctx, cases[i].name, cases[i].value);
		if (got != cases[i].want)
			fail_msg("match(%s, %s) = %d, want %d", cases[i].name, cases[i].value,
			         got, cases[i].want);
	}
	kr_ctx_free(&ctx);
}

/* Plain names (no metacharacter but '.') are matched without PCRE2:
 * every name against every value gives PCRE2's answer. */
static void test_images__plain_names_match_as_pcre2_does(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	static const char *const names[] = {
		"nginx", "docker.io/nginx", "ghcr.io/example-org/app", "localhost:5000/app",
		"my.app", "a.b", "caf.", ".", "..", "", ":", "@", "a@sha256", "nginx:1",
		"x-y_z/w", "a b", "a\tb", "app.", ".app",
	};
	static const char *const values[] = {
		"nginx", "nginx:1.2", "nginx:", "nginx@sha256:abc", "nginx:1@sha256:",
		"nginx:1.2.3-alpine_x{y}", "nginx:a+b", "nginx@sha512:abc", "nginx\n",
		"nginx:1\n", "nginx-exporter", "docker.io/nginx:1", "docker.io/nginx",
		"dockerXio/nginx", "ghcr.io/example-org/app:v2", "ghcr.io/example-org/app2",
		"localhost:5000/app:v1", "localhost:5000/app@sha256:0f", "myXapp", "my\napp",
		"a\nb", "a.b", "caf\xc3\xa9", "caf\xc3\xa9:1", "cafe", "a", "", ":",
		"::", ":1", "@sha256:", "@", "a@sha256", "a@sha256:1", "nginx:1:2",
		"nginx@sha256:a@sha256:b", "app.:1", "a b:1", "\xff", "a\xff" "b",
		"a.b\x00", "nginx:1 ", "x-y_z/w:{{.Tag}}",
	};
	size_t plain = 0;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		for (size_t j = 0; j < sizeof values / sizeof *values; j++) {
			const char *v = values[j];
			size_t len = strlen(v) + (strcmp(v, "a.b\x00") ? 0 : 1);
			int fast = kr_image_pattern_match(&ctx, names[i], v, len);
			int slow = kr_image_pattern_match_pcre2(&ctx, names[i], v, len);
			if (fast != slow)
				fail_msg("name '%s', value '%s': %d, PCRE2 says %d", names[i], v,
				         fast, slow);
			plain += fast == 1;
		}
	assert_true(plain > 20); /* the table has matches, not only misses */
	kr_ctx_free(&ctx);
}

static void test_images__go_regex(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"nginx", "a.b", "a|b", "(a)(b)", "(?:a)", "(?i)a", "(?i-s:a)", "(?)",
		"(?P<n>a)", "(?<n>a)", "a{2}", "a{2,}", "a{2,3}?", "a{,3}", "a{01}",
		"a{", "a{x}", "[a-z]", "[]a]", "[^]a]", "[[:alpha:]]", "[[:^digit:]]",
		"\\d\\w\\s\\D\\W\\S", "\\pL\\p{Greek}\\PL", "\\x41\\x{41}", "\\0\\012",
		"\\.\\-\\_\\/", "\\A\\z\\b\\B", "\\Qa(b\\E", "\\Qunterminated(",
		"a*?", "a+?", "a??", "[\\d-]", "[a\\]]", "\\123",
	};
	static const char *const bad[] = {
		"(?=a)", "(?!a)", "(?<=a)", "(?<!a)", "(?>a)", "(?#c)", "(?x)a",
		"(?-)", "(?i-)", "(?P=n)", "(?P>n)", "(*UTF)a", "(?|a)", "(?R)",
		"a*+", "a++", "a?+", "a**", "a{2}+", "a{2}{3}", "a*{2}", "a{1001}",
		"a{2,1}", "\\1", "(a)\\1", "\\8", "\\Z", "\\G", "\\K", "\\R", "\\h",
		"\\e", "\\cA", "\\N", "\\x4", "\\x{}", "\\x{110000}", "\\E", "\\C",
		"[\\b]", "[\\Qa\\E]", "[[:foo:]]", "[a", "a\\",
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		const char *why = kr_go_regex_unsupported(ok[i], strlen(ok[i]));
		if (why)
			fail_msg("'%s' rejected: %s", ok[i], why);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (!kr_go_regex_unsupported(bad[i], strlen(bad[i])))
			fail_msg("'%s' accepted", bad[i]);
	/* an unbalanced group passes the scan but PCRE2 rejects it */
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(match(&ctx, "nginx(", "nginx"), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "invalid image name pattern 'nginx('"));
	assert_int_equal(match(&ctx, "(?=n)nginx", "nginx"), KR_EINVALID);
	kr_ctx_free(&ctx);
}

static void check_rebuild(const char *img, const char *nn, const char *nt,
                          const char *dg, const char *ts, const char *want)
{
	kr_arena a;
	kr_arena_init(&a);
	char *got = kr_image_rebuild(&a, img, strlen(img), nn, nt, dg, ts);
	assert_non_null(got);
	if (strcmp(got, want))
		fail_msg("rebuild(%s, name=%s tag=%s digest=%s suffix=%s) = %s, want %s",
		         img, nn, nt, dg, ts, got, want);
	kr_arena_free(&a);
}

static void test_images__rebuild(void **state)
{
	(void)state;
	/* newName only: tag and digest kept */
	check_rebuild("nginx", "my/nginx", "", "", "", "my/nginx");
	check_rebuild("nginx:1", "my/nginx", "", "", "", "my/nginx:1");
	check_rebuild("nginx:1@sha256:a", "r:5000/n", "", "", "", "r:5000/n:1@sha256:a");
	/* newTag only: the digest goes */
	check_rebuild("nginx", "", "2", "", "", "nginx:2");
	check_rebuild("nginx:1@sha256:a", "", "2", "", "", "nginx:2");
	check_rebuild("nginx@sha256:a", "", "2", "", "", "nginx:2");
	/* digest only: the tag goes */
	check_rebuild("nginx:1", "", "", "sha256:b", "", "nginx@sha256:b");
	check_rebuild("nginx:1@sha256:a", "", "", "sha256:b", "", "nginx@sha256:b");
	/* both */
	check_rebuild("nginx", "", "2", "sha256:b", "", "nginx:2@sha256:b");
	check_rebuild("nginx:1@sha256:a", "x", "2", "sha256:b", "", "x:2@sha256:b");
	/* tagSuffix: only without newTag and digest; drops the digest */
	check_rebuild("nginx:1", "", "", "", "-dbg", "nginx:1-dbg");
	check_rebuild("nginx", "", "", "", "-dbg", "nginx:-dbg");
	check_rebuild("nginx:1@sha256:a", "", "", "", "-dbg", "nginx:1-dbg");
	check_rebuild("nginx:1", "", "2", "", "-dbg", "nginx:2");
	check_rebuild("nginx:1", "", "", "sha256:b", "-dbg", "nginx@sha256:b");
	/* nothing: unchanged */
	check_rebuild("localhost:5000/a:1", "", "", "", "", "localhost:5000/a:1");
	check_rebuild("", "", "t", "", "", ":t");
}

/* ---- whole transforms ---- */

typedef struct fixture {
	kr_ctx ctx;
	kr_kustomization k;
	kr_tconfig tc;
	kr_resmap m;
	kr_layer l;
} fixture;

static void setup(fixture *f, const char *kust, const char *resources)
{
	memset(f, 0, sizeof(*f));
	kr_ctx_init(&f->ctx, NULL);
	kr_doclist kd = { 0 }, rd = { 0 };
	if (kr_yaml_parse(&f->ctx, "k.yaml", kust, strlen(kust), 0, &kd) != 0 ||
	    kr_yaml_parse(&f->ctx, "r.yaml", resources, strlen(resources), 0, &rd) != 0)
		fail_msg("cannot parse: %s", f->ctx.err.data);
	f->k.file = "k.yaml";
	f->k.dir = ".";
	f->k.doc = kd.docs[0];
	f->k.kind = "Kustomization";
	assert_int_equal(kr_tconfig_init_default(&f->ctx, &f->tc), 0);
	for (size_t i = 0; i < rd.len; i++)
		assert_int_equal(kr_resmap_append(&f->ctx, &f->m,
		                                  kr_resource_new(&f->ctx.arena, rd.docs[i])), 0);
	f->l.k = &f->k;
	f->l.tc = &f->tc;
	f->l.m = &f->m;
}

static const char *str_at(const kr_node *doc, const char *const *path)
{
	const kr_node *n = doc;
	for (; *path; path++) {
		if (n->type == KR_SEQ)
			n = n->u.q.items[(*path)[0] - '0'];
		else
			n = kr_map_get(n, *path);
		if (!n)
			return NULL;
	}
	return n->type == KR_SCALAR ? n->u.s.str : NULL;
}

static void test_images__transform(void **state)
{
	(void)state;
	fixture f;
	setup(&f,
	      "images:\n"
	      "- {name: app, tagSuffix: -x}\n"
	      "- {name: nginx, newName: r:5000/nginx, digest: 'sha256:d'}\n",
	      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
	      "spec: {template: {spec: {containers: [{name: a, image: 'app:1'},"
	      " {name: b, image: 'nginx:2'}], initContainers: [{image: nginx}]}}}\n"
	      "---\n"
	      "apiVersion: x/v1\nkind: Thing\nmetadata: {name: t}\n"
	      "spec: {deep: {containers: [{image: 'app:1'}]}}\n"
	      "---\n"
	      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
	      "metadata: {name: c}\nspec: {containers: [{image: 'app:1'}]}\n");
	assert_int_equal(kr_images_transform(&f.ctx, &f.l), 0);
	const kr_node *d = f.m.items[0]->doc, *t = f.m.items[1]->doc,
	              *c = f.m.items[2]->doc;
	const char *p1[] = { "spec", "template", "spec", "containers", "0", "image", NULL };
	const char *p2[] = { "spec", "template", "spec", "containers", "1", "image", NULL };
	const char *p3[] = { "spec", "template", "spec", "initContainers", "0", "image", NULL };
	const char *p4[] = { "spec", "deep", "containers", "0", "image", NULL };
	const char *p5[] = { "spec", "containers", "0", "image", NULL };
	/* legacy rule + field spec: the suffix twice */
	assert_string_equal(str_at(d, p1), "app:1-x-x");
	assert_string_equal(str_at(d, p2), "r:5000/nginx@sha256:d");
	assert_string_equal(str_at(d, p3), "r:5000/nginx@sha256:d");
	/* legacy rule only */
	assert_string_equal(str_at(t, p4), "app:1-x");
	/* CRDs are left alone */
	assert_string_equal(str_at(c, p5), "app:1");
	kr_ctx_free(&f.ctx);
}

static void test_images__transform_errors(void **state)
{
	(void)state;
	fixture f;
	const char *pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
	                  "spec: {containers: [{image: nginx}]}\n";
	setup(&f, "images:\n- name: app\n  newTag: 1.10\n", pod);
	assert_int_equal(kr_images_transform(&f.ctx, &f.l), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "k.yaml:3:11"));
	assert_non_null(strstr(f.ctx.err.data, "must be a string, not a number"));
	kr_ctx_free(&f.ctx);

	setup(&f, "images:\n- name: a\n- name: a\\Z\n", pod);
	assert_int_equal(kr_images_transform(&f.ctx, &f.l), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "k.yaml:3:3"));
	kr_ctx_free(&f.ctx);

	/* a bad pattern is only an error when there is an image to compare */
	setup(&f, "images:\n- name: a\\Z\n",
	      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
	assert_int_equal(kr_images_transform(&f.ctx, &f.l), 0);
	kr_ctx_free(&f.ctx);

	setup(&f, "images:\n- name: nginx\n  NEWTAG: v2\n  bogus: 1\n", pod);
	assert_int_equal(kr_images_transform(&f.ctx, &f.l), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "unknown field \"bogus\""));
	kr_ctx_free(&f.ctx);
}

static void test_replicas__transform(void **state)
{
	(void)state;
	fixture f;
	setup(&f,
	      "replicas:\n"
	      "- {name: web, count: 0x10}\n"
	      "- {name: db, count: 3.0}\n"
	      "- {name: rs}\n",
	      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
	      "spec: {replicas: '1'}\n"
	      "---\n"
	      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
	      "---\n"
	      "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nspec: ~\n"
	      "---\n"
	      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
	      "metadata: {name: web}\nspec: {minReplicas: 1}\n");
	assert_int_equal(kr_replicas_transform(&f.ctx, &f.l), 0);
	const kr_node *r0 = kr_map_get(kr_map_get(f.m.items[0]->doc, "spec"), "replicas");
	const kr_node *r1 = kr_map_get(kr_map_get(f.m.items[1]->doc, "spec"), "replicas");
	const kr_node *r2 = kr_map_get(kr_map_get(f.m.items[2]->doc, "spec"), "replicas");
	/* a quoted value stays a string */
	assert_string_equal(r0->u.s.str, "16");
	assert_int_equal(r0->tag, KR_TAG_STR);
	assert_string_equal(r1->u.s.str, "3");
	assert_int_equal(r1->tag, KR_TAG_INT);
	assert_string_equal(r2->u.s.str, "0");
	assert_int_equal(r2->tag, KR_TAG_INT);
	assert_null(kr_map_get(kr_map_get(f.m.items[3]->doc, "spec"), "replicas"));
	kr_ctx_free(&f.ctx);

	setup(&f, "replicas:\n- {name: web, count: 3}\n",
	      "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
	      "metadata: {name: web}\n");
	assert_int_equal(kr_replicas_transform(&f.ctx, &f.l), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data,
		"resource with name web does not match a config with the following GVK "
		"[Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] "
		"ReplicaSet.[noVer].[noGrp] ReplicationController.[noVer].[noGrp]]"));
	kr_ctx_free(&f.ctx);

	static const char *const bad[] = { "'3'", "3.5", "true", "yes", "9223372036854775808",
	                                   "1e19", "[1]", "{a: 1}" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char k[128];
		snprintf(k, sizeof k, "replicas:\n- name: web\n  count: %s\n", bad[i]);
		setup(&f, k, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
		if (kr_replicas_transform(&f.ctx, &f.l) != KR_EINVALID)
			fail_msg("count: %s accepted", bad[i]);
		assert_non_null(strstr(f.ctx.err.data, "k.yaml:3:10"));
		kr_ctx_free(&f.ctx);
	}
	static const struct { const char *text; const char *want; } good[] = {
		{ "-2", "-2" }, { "1_0", "10" }, { "1e3", "1000" }, { "-0.0", "0" },
		{ "0o17", "15" }, { "0b11", "3" }, { "017", "15" }, { "~", "0" },
		{ "-9223372036854775808", "-9223372036854775808" }, { "+5", "5" },
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		char k[128];
		snprintf(k, sizeof k, "replicas:\n- name: web\n  count: %s\n", good[i].text);
		setup(&f, k, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
		if (kr_replicas_transform(&f.ctx, &f.l) != 0)
			fail_msg("count: %s: %s", good[i].text, f.ctx.err.data);
		const kr_node *r = kr_map_get(kr_map_get(f.m.items[0]->doc, "spec"),
		                              "replicas");
		assert_string_equal(r->u.s.str, good[i].want);
		kr_ctx_free(&f.ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_images__split),
		cmocka_unit_test(test_images__match),
		cmocka_unit_test(test_images__plain_names_match_as_pcre2_does),
		cmocka_unit_test(test_images__go_regex),
		cmocka_unit_test(test_images__rebuild),
		cmocka_unit_test(test_images__transform),
		cmocka_unit_test(test_images__transform_errors),
		cmocka_unit_test(test_replicas__transform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
