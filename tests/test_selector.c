/*
 * test_selector.c - patch target selectors: anchored Go regexes on group,
 * version, kind, name, namespace (original or current id), Kubernetes
 * label and annotation selectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "parse.h"
#include "resource.h"
#include "selector.h"

static const char *const docs =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-frontend\n"
	"  namespace: prod\n  labels: {tier: frontend, env: prod}\n"
	"  annotations: {owner: team-a}\n"
	"---\n"
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
	"---\n"
	"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n";

typedef struct fx {
	kr_ctx ctx;
	kr_resource *r[3];
} fx;

static void load(fx *f)
{
	memset(f, 0, sizeof(*f));
	kr_ctx_init(&f->ctx, NULL);
	kr_doclist d = { 0 };
	assert_int_equal(kr_yaml_parse_resources(&f->ctx, "r.yaml", docs, strlen(docs), &d), 0);
	assert_int_equal(d.len, 3);
	for (int i = 0; i < 3; i++) {
		f->r[i] = kr_resource_new(&f->ctx.arena, d.docs[i]);
		assert_non_null(f->r[i]);
	}
}

/* Which of the three resources `s` selects, as a bit mask. */
static int sel(fx *f, kr_selector s)
{
	assert_int_equal(kr_selector_compile(&f->ctx, &s), 0);
	int mask = 0;
	for (int i = 0; i < 3; i++) {
		int rc = kr_selector_matches(&f->ctx, &s, f->r[i]);
		assert_true(rc >= 0);
		mask |= rc << i;
	}
	kr_selector_free(&s);
	return mask;
}

static void test_regex_fields(void **state)
{
	(void)state;
	fx f;
	load(&f);
	assert_int_equal(sel(&f, (kr_selector){ 0 }), 7);
	assert_int_equal(sel(&f, (kr_selector){ .name = "web-.*" }), 1);
	/* anchored: "web" does not select web-frontend, "front" neither */
	assert_int_equal(sel(&f, (kr_selector){ .name = "web" }), 0);
	assert_int_equal(sel(&f, (kr_selector){ .name = "front" }), 0);
	assert_int_equal(sel(&f, (kr_selector){ .name = "settings|prod" }), 6);
	assert_int_equal(sel(&f, (kr_selector){ .kind = "ConfigMap" }), 2);
	assert_int_equal(sel(&f, (kr_selector){ .group = "apps", .version = "v1" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .version = "v1" }), 7);
	/* an empty namespace is "default"; a cluster-scoped kind has none */
	assert_int_equal(sel(&f, (kr_selector){ .ns = "default" }), 2);
	assert_int_equal(sel(&f, (kr_selector){ .ns = "prod" }), 1);
	kr_ctx_free(&f.ctx);
}

static void test_previous_name(void **state)
{
	(void)state;
	fx f;
	load(&f);
	kr_resource *r = f.r[1];
	assert_int_equal(kr_resource_store_previous_id(&f.ctx.arena, r), 0);
	r->cur.name = "p-settings";
	assert_int_equal(sel(&f, (kr_selector){ .name = "settings" }), 2);
	assert_int_equal(sel(&f, (kr_selector){ .name = "p-settings" }), 2);
	kr_ctx_free(&f.ctx);
}

static void test_label_selectors(void **state)
{
	(void)state;
	fx f;
	load(&f);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "tier=frontend" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "tier==frontend,env=prod" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "tier!=frontend" }), 6);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "tier" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "!tier" }), 6);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "env in (dev, prod)" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "env notin (prod)" }), 6);
	assert_int_equal(sel(&f, (kr_selector){ .label_sel = "env in(prod),tier" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .ann_sel = "owner=team-a" }), 1);
	assert_int_equal(sel(&f, (kr_selector){ .ann_sel = "owner=team-b" }), 0);
	kr_ctx_free(&f.ctx);
}

/* Repeated assertions are wrapped in groups for PCRE2, which triples
 * their length (fuzz_selector found the buffer too small). */
static void test_repeated_assertions(void **state)
{
	(void)state;
	const char *why = NULL;
	char msg[256];
	void *re = kr_go_regex_compile("^?^?^?^?^?^?^?^?^?^?^?^?^?^?^?^?x", 1, &why, msg,
	                               sizeof(msg));
	assert_non_null(re);
	assert_null(why);
	kr_go_regex_free(re);
}

/* A pattern without metacharacters is compared as bytes: the same answers
 * as PCRE2, anchored (targets) and not (replacement values). */
static void test_plain_patterns_match_as_pcre2_does(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	static const char *const pats[] = {
		"Deployment", "web", "", "my-app_1", "a b", "apps/v1", "x=y,z", "#!@%&",
		"web.", "we*b", "caf\xc3\xa9",
	};
	static const char *const values[] = {
		"Deployment", "deployment", "Deployment2", "aDeployment", "web", "webserver",
		"my-web", "", "a b", "apps/v1", "apps", "x=y,z", "#!@%&", "web\n", "\nweb",
		"wexb", "w\xff" "eb", "web\xff", "caf\xc3\xa9",
	};
	size_t nplain = 0;
	for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
		nplain += kr_go_regex_is_plain(pats[i], 0);
		for (int anchored = 0; anchored < 2; anchored++) {
			const char *why = NULL;
			char msg[256];
			void *fast = kr_go_regex_compile(pats[i], anchored, &why, msg, sizeof msg);
			void *slow = kr_go_regex_compile_pcre2(pats[i], anchored, &why, msg,
			                                       sizeof msg);
			assert_non_null(fast);
			assert_non_null(slow);
			for (size_t j = 0; j < sizeof values / sizeof *values; j++) {
				size_t len = strlen(values[j]);
				int a = kr_go_regex_match(&ctx, fast, values[j], len);
				int b = kr_go_regex_match(&ctx, slow, values[j], len);
				if (a != b)
					fail_msg("pattern '%s' (anchored %d), value '%s': %d, "
					         "PCRE2 says %d", pats[i], anchored, values[j], a, b);
			}
			kr_go_regex_free(fast);
			kr_go_regex_free(slow);
		}
	}
	assert_int_equal(nplain, 8); /* the last three take PCRE2 */
	kr_ctx_free(&ctx);
}

static void test_errors(void **state)
{
	(void)state;
	fx f;
	load(&f);
	kr_selector s = { .name = "web(" };
	assert_true(kr_selector_compile(&f.ctx, &s) < 0);
	assert_non_null(strstr(f.ctx.err.data, "invalid target name pattern 'web('"));
	kr_selector t = { .label_sel = "env in prod" };
	assert_true(kr_selector_compile(&f.ctx, &t) < 0);
	assert_non_null(strstr(f.ctx.err.data, "invalid selector"));
	kr_ctx_free(&f.ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regex_fields),
		cmocka_unit_test(test_previous_name),
		cmocka_unit_test(test_label_selectors),
		cmocka_unit_test(test_repeated_assertions),
		cmocka_unit_test(test_plain_patterns_match_as_pcre2_does),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
