/*
 * test_plugins.c - builtin plugin configs (plugins.c) and origin texts
 * (buildmeta.c): decoding a config's fieldSpecs as kustomize's
 * yaml.Unmarshal does (case-insensitive names, unknown members ignored,
 * null entries), member lookup, which configs are refused, the order of
 * inline and file configs, and the origin annotation texts.  The golden
 * cases plugin_* and meta_* pin down the output bytes against kubectl.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "build.h"
#include "buildmeta.h"
#include "ctx.h"
#include "fsutil.h"
#include "kustomization.h"
#include "parse.h"
#include "plugins.h"
#include "tconfig.h"
#include "vars.h"

#include "tutil.h"

static kr_node *parse_one(kr_ctx *ctx, const char *text)
{
	kr_doclist d = { 0 };
	assert_int_equal(kr_yaml_parse(ctx, "cfg.yaml", text, strlen(text),
	                               KR_YAML_DUP_LAST_WINS, &d), 0);
	assert_int_equal(d.len, 1);
	return d.docs[0];
}

static void test_plugins__fieldspecs_decode(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *cfg = parse_one(&ctx,
	                         "apiVersion: builtin\n"
	                         "kind: LabelTransformer\n"
	                         "FieldSpecs:\n"
	                         "- path: metadata/labels\n"
	                         "  create: true\n"
	                         "- Kind: Deployment\n"
	                         "  group: apps\n"
	                         "  version: v1\n"
	                         "  path: spec/selector/matchLabels\n"
	                         "  bogus: ignored\n"
	                         "-\n");
	kr_fslist l = { 0 };
	int present = 0;
	assert_int_equal(kr_plugin_fieldspecs(&ctx, cfg, "cfg.yaml", &l, &present), 0);
	assert_true(present);
	assert_int_equal(l.len, 3);
	assert_string_equal(l.items[0].path, "metadata/labels");
	assert_true(l.items[0].create);
	assert_string_equal(l.items[1].kind, "Deployment");
	assert_string_equal(l.items[1].group, "apps");
	assert_string_equal(l.items[1].version, "v1");
	assert_false(l.items[1].create);
	/* a null entry is an empty field spec */
	assert_string_equal(l.items[2].path, "");
	kr_ctx_free(&ctx);
}

static void test_plugins__fieldspecs_absent_and_errors(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_fslist l = { 0 };
	int present = 1;
	kr_node *cfg = parse_one(&ctx, "kind: PrefixTransformer\nfieldSpecs: null\n");
	assert_int_equal(kr_plugin_fieldspecs(&ctx, cfg, "cfg.yaml", &l, &present), 0);
	assert_false(present);
	assert_int_equal(l.len, 0);

	cfg = parse_one(&ctx, "kind: X\nfieldSpecs: {path: a}\n");
	assert_true(kr_plugin_fieldspecs(&ctx, cfg, "cfg.yaml", &l, &present) < 0);
	assert_non_null(strstr(ctx.err.data, "cfg.yaml:2:13"));
	assert_non_null(strstr(ctx.err.data, "must be a list"));

	cfg = parse_one(&ctx, "kind: X\nfieldSpecs:\n- path: [a]\n");
	assert_true(kr_plugin_fieldspecs(&ctx, cfg, "cfg.yaml", &l, &present) < 0);
	assert_non_null(strstr(ctx.err.data, "path must be a string"));

	cfg = parse_one(&ctx, "kind: X\nfieldSpecs:\n- create: maybe\n");
	assert_true(kr_plugin_fieldspecs(&ctx, cfg, "cfg.yaml", &l, &present) < 0);
	assert_non_null(strstr(ctx.err.data, "create must be a boolean"));
	kr_ctx_free(&ctx);
}

static void test_plugins__member_case_insensitive_last_wins(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *cfg = parse_one(&ctx, "Prefix: a-\nprefix: b-\nother: 1\n");
	kr_node *v = kr_plugin_member(cfg, "PREFIX");
	assert_non_null(v);
	assert_string_equal(v->u.s.str, "b-");
	assert_null(kr_plugin_member(cfg, "suffix"));
	assert_null(kr_plugin_member(NULL, "suffix"));
	kr_ctx_free(&ctx);
}

/* Build `dir` of tmpdir to the end of kr_accumulate_target. */
static int accumulate(kr_ctx *ctx, const char *dir, kr_resmap *m)
{
	char abs[512];
	snprintf(abs, sizeof(abs), "%s/%s", tmpdir, dir);
	const char *real = kr_realpath(&ctx->arena, abs);
	assert_non_null(real);
	kr_kustomization k;
	int rc = kr_kustomization_load(ctx, dir, real, &k);
	if (rc < 0)
		return rc;
	kr_root_chain chain = { real, NULL, 0 };
	kr_tconfig tc;
	memset(&tc, 0, sizeof(tc));
	kr_varset vs = { 0 };
	return kr_accumulate_target(ctx, &k, &chain, m, &tc, &vs);
}

/* Inline configs run before the configs of paths, whatever the order of
 * the entries (kustomize accumulates the paths after the inline ones). */
static void test_plugins__inline_configs_first(void **state)
{
	(void)state;
	tu_put("order/kustomization.yaml",
	       "resources: [svc.yaml]\n"
	       "transformers:\n"
	       "- a.yaml\n"
	       "- |-\n"
	       "  apiVersion: builtin\n"
	       "  kind: PrefixTransformer\n"
	       "  metadata: {name: b}\n"
	       "  prefix: b-\n"
	       "  fieldSpecs: [{path: metadata/name}]\n");
	tu_put("order/a.yaml",
	       "apiVersion: builtin\nkind: PrefixTransformer\nmetadata: {name: a}\n"
	       "prefix: a-\nfieldSpecs: [{path: metadata/name}]\n");
	tu_put("order/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_resmap m = { 0 };
	assert_int_equal(accumulate(&ctx, "order", &m), 0);
	assert_int_equal(m.len, 1);
	assert_string_equal(m.items[0]->cur.name, "a-b-svc");
	kr_ctx_free(&ctx);
}

static void test_plugins__refusals(void **state)
{
	(void)state;
	static const struct {
		const char *field, *cfg, *msg;
	} cases[] = {
		{ "transformers", "apiVersion: example.com/v1\nkind: Mine\nmetadata: {name: x}\n",
		  "unable to load external plugin 'Mine'" },
		{ "transformers", "apiVersion: builtin\nkind: Nope\nmetadata: {name: x}\n",
		  "unable to load builtin Nope" },
		{ "generators", "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: x}\n",
		  "not a generator" },
		{ "transformers", "apiVersion: builtin\nkind: SecretGenerator\nmetadata: {name: x}\n",
		  "not a transformer" },
		{ "transformers",
		  "apiVersion: builtin\nkind: ValueAddTransformer\nmetadata: {name: x}\n",
		  "not supported by this version of krender yet" },
		{ "generators",
		  "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: x}\n",
		  "build with --enable-helm" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[64], path[96], kust[160];
		snprintf(dir, sizeof dir, "refuse%zu", i);
		snprintf(path, sizeof path, "%s/cfg.yaml", dir);
		tu_put(path, cases[i].cfg);
		snprintf(path, sizeof path, "%s/kustomization.yaml", dir);
		snprintf(kust, sizeof kust, "%s:\n- cfg.yaml\n", cases[i].field);
		tu_put(path, kust);
		kr_ctx ctx;
		kr_ctx_init(&ctx, NULL);
		kr_resmap m = { 0 };
		assert_true(accumulate(&ctx, dir, &m) < 0);
		if (!strstr(ctx.err.data, cases[i].msg))
			fail_msg("case %zu: %s", i, ctx.err.data);
		/* the message names the config file */
		assert_non_null(strstr(ctx.err.data, "cfg.yaml:1:1"));
		kr_ctx_free(&ctx);
	}
}

/* Origin texts as kyaml marshals resource.Origin. */
static void test_plugins__origin_texts(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_kustomization k;
	memset(&k, 0, sizeof k);
	k.file = "some/dir/kustomization.yml";
	const char *o;
	assert_int_equal(kr_origin_builtin(&ctx, &k, "LabelTransformer", &o), 0);
	assert_null(o);   /* not tracking */
	ctx.origin_path = "../base";
	assert_int_equal(kr_origin_builtin(&ctx, &k, "LabelTransformer", &o), 0);
	assert_string_equal(o, "configuredIn: ../base/kustomization.yml\n"
	                       "configuredBy:\n"
	                       "  apiVersion: builtin\n"
	                       "  kind: LabelTransformer\n");

	/* a file's origin, and a transformer's entry appended to it */
	kr_node *doc = parse_one(&ctx, "kind: A\nmetadata:\n  name: a\n");
	kr_resource *r = kr_resource_new(&ctx.arena, doc);
	kr_resmap m = { 0 };
	assert_int_equal(kr_resmap_append(&ctx, &m, r), 0);
	assert_int_equal(kr_origin_annotate_file(&ctx, &m, 0, "./x/a.yaml"), 0);
	kr_node *ann = kr_map_get(kr_map_get(doc, "metadata"), "annotations");
	assert_string_equal(kr_map_get(ann, KR_ORIGIN_ANNOTATION)->u.s.str,
	                    "path: ../base/x/a.yaml\n");
	assert_int_equal(kr_origin_transformed(&ctx, &m, o, 2), 0);
	assert_string_equal(kr_map_get(ann, KR_TRANSFORMATIONS_ANNOTATION)->u.s.str,
	                    "- configuredIn: ../base/kustomization.yml\n"
	                    "  configuredBy:\n"
	                    "    apiVersion: builtin\n"
	                    "    kind: LabelTransformer\n"
	                    "- configuredIn: ../base/kustomization.yml\n"
	                    "  configuredBy:\n"
	                    "    apiVersion: builtin\n"
	                    "    kind: LabelTransformer\n");
	/* an object without an origin gets the transformer's as its origin */
	kr_node *doc2 = parse_one(&ctx, "kind: B\nmetadata:\n  name: b\n");
	kr_resmap m2 = { 0 };
	assert_int_equal(kr_resmap_append(&ctx, &m2, kr_resource_new(&ctx.arena, doc2)), 0);
	assert_int_equal(kr_origin_transformed(&ctx, &m2, o, 1), 0);
	assert_string_equal(kr_origin_get(doc2)->u.s.str, o);

	/* the end of the build removes what was not asked for, and an
	 * emptied annotations map */
	ctx.build_metadata = 0;
	assert_int_equal(kr_buildmeta_finish(&ctx, &m), 0);
	assert_null(kr_map_get(kr_map_get(doc, "metadata"), "annotations"));
	kr_ctx_free(&ctx);
}

/* Paths that go-yaml would not print plain are quoted. */
static void test_plugins__origin_quoting(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	ctx.origin_path = "";
	kr_node *doc = parse_one(&ctx, "kind: A\nmetadata:\n  name: a\n");
	kr_resmap m = { 0 };
	assert_int_equal(kr_resmap_append(&ctx, &m, kr_resource_new(&ctx.arena, doc)), 0);
	assert_int_equal(kr_origin_annotate_file(&ctx, &m, 0, "it's: here.yaml"), 0);
	assert_string_equal(kr_origin_get(doc)->u.s.str, "path: 'it''s: here.yaml'\n");
	assert_int_equal(kr_origin_annotate_file(&ctx, &m, 0, "123"), 0);
	assert_string_equal(kr_origin_get(doc)->u.s.str, "path: \"123\"\n");
	assert_int_equal(kr_origin_annotate_file(&ctx, &m, 0, "true"), 0);
	assert_string_equal(kr_origin_get(doc)->u.s.str, "path: \"true\"\n");
	assert_int_equal(kr_origin_annotate_file(&ctx, &m, 0, "a b#c.yaml"), 0);
	assert_string_equal(kr_origin_get(doc)->u.s.str, "path: a b#c.yaml\n");
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plugins__fieldspecs_decode),
		cmocka_unit_test(test_plugins__fieldspecs_absent_and_errors),
		cmocka_unit_test(test_plugins__member_case_insensitive_last_wins),
		cmocka_unit_test(test_plugins__inline_configs_first),
		cmocka_unit_test(test_plugins__refusals),
		cmocka_unit_test(test_plugins__origin_texts),
		cmocka_unit_test(test_plugins__origin_quoting),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
