/*
 * test_helm.c - the helm arguments of helm.c, checked against kustomize
 * v5.5.0's HelmChart.AsHelmArgs and pullCommand (the order is part of
 * the contract: tests/helm.sh compares whole command lines with kubectl's),
 * the chart home, valuesInline typing and the values merge (kyaml's
 * merge2 without a schema), and the version 4 build options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "build.h"
#include "ctx.h"
#include "emit.h"
#include "helm.h"
#include "parse.h"

static void chart_defaults(kr_helm_chart *c)
{
	memset(c, 0, sizeof(*c));
	c->name = "demo";
	c->version = c->repo = c->release_name = c->namespace = "";
	c->values_file = c->values_merge = c->kube_version = c->name_template = "";
	c->chart_home = c->config_home = "";
}

/* The arguments joined by blanks. */
static const char *joined(kr_arena *a, const char **argv, size_t argc)
{
	kr_buf b = KR_BUF_INIT;
	for (size_t i = 0; i < argc; i++)
		kr_buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	assert_null(argv[argc]);
	char *s = kr_arena_strndup(a, b.data ? b.data : "", b.len);
	kr_buf_free(&b);
	return s;
}

static void test_template_minimal(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_helm_chart c;
	chart_defaults(&c);
	const char **argv;
	size_t argc;
	assert_int_equal(kr_helm_template_args(&ctx.arena, &c, "/k/charts",
	                                       "/tmp/x/demo-kustomize-values.yaml",
	                                       &argv, &argc), 0);
	/* no release name: --generate-name, before the chart */
	assert_string_equal(joined(&ctx.arena, argv, argc),
	                    "template --generate-name /k/charts/demo -f "
	                    "/tmp/x/demo-kustomize-values.yaml");
	kr_ctx_free(&ctx);
}

static void test_template_every_field(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_helm_chart c;
	chart_defaults(&c);
	const char *more[] = { "/k/a.yaml", "/k/b.yaml" };
	const char *apis[] = { "x/v1", "y/v2" };
	c.release_name = "rel";
	c.namespace = "ns";
	c.name_template = "tmpl";
	c.additional = more;
	c.nadditional = 2;
	c.api_versions = apis;
	c.napi_versions = 2;
	c.kube_version = "1.29";
	c.include_crds = c.skip_tests = c.skip_hooks = c.debug = 1;
	const char **argv;
	size_t argc;
	assert_int_equal(kr_helm_template_args(&ctx.arena, &c, "/k/charts/demo-1.0",
	                                       "/t/v.yaml", &argv, &argc), 0);
	assert_string_equal(joined(&ctx.arena, argv, argc),
	                    "template rel /k/charts/demo-1.0/demo --namespace ns "
	                    "--name-template tmpl -f /t/v.yaml -f /k/a.yaml -f /k/b.yaml "
	                    "--api-versions x/v1 --api-versions y/v2 --kube-version 1.29 "
	                    "--include-crds --skip-tests --no-hooks --debug");
	kr_ctx_free(&ctx);
}

static void test_pull_args(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_helm_chart c;
	chart_defaults(&c);
	const char **argv;
	size_t argc;
	c.repo = "https://charts.example.com";
	c.version = "1.2.3";
	assert_int_equal(kr_helm_pull_args(&ctx.arena, &c, "/d", &argv, &argc), 0);
	assert_string_equal(joined(&ctx.arena, argv, argc),
	                    "pull --untar --untardir /d --repo https://charts.example.com "
	                    "demo --version 1.2.3");
	/* OCI: the chart is a path below the repository, one trailing '/'
	 * dropped (strings.TrimSuffix) */
	c.repo = "oci://reg.example.com/charts/";
	assert_int_equal(kr_helm_pull_args(&ctx.arena, &c, "/d", &argv, &argc), 0);
	assert_string_equal(joined(&ctx.arena, argv, argc),
	                    "pull --untar --untardir /d oci://reg.example.com/charts/demo "
	                    "--version 1.2.3");
	c.repo = "oci://reg.example.com/charts//";
	assert_int_equal(kr_helm_pull_args(&ctx.arena, &c, "/d", &argv, &argc), 0);
	assert_string_equal(joined(&ctx.arena, argv, argc),
	                    "pull --untar --untardir /d oci://reg.example.com/charts//demo "
	                    "--version 1.2.3");
	c.repo = "";
	c.version = "";
	assert_int_equal(kr_helm_pull_args(&ctx.arena, &c, "/d", &argv, &argc), 0);
	assert_string_equal(joined(&ctx.arena, argv, argc), "pull --untar --untardir /d demo");
	kr_ctx_free(&ctx);
}

static void test_chart_home(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_helm_chart c;
	chart_defaults(&c);
	assert_string_equal(kr_helm_chart_home(&ctx.arena, &c, "/k"), "/k/charts");
	c.version = "1.0";  /* a version without a repo: no version directory */
	assert_string_equal(kr_helm_chart_home(&ctx.arena, &c, "/k"), "/k/charts");
	c.repo = "https://x";
	assert_string_equal(kr_helm_chart_home(&ctx.arena, &c, "/k"), "/k/charts/demo-1.0");
	c.chart_home = "/abs/home";
	assert_string_equal(kr_helm_chart_home(&ctx.arena, &c, "/k"), "/abs/home/demo-1.0");
	c.chart_home = "vendor/../c";
	c.version = "";
	assert_string_equal(kr_helm_chart_home(&ctx.arena, &c, "/k"), "/k/c");
	kr_ctx_free(&ctx);
}

static kr_node *parse1(kr_ctx *ctx, const char *text)
{
	kr_doclist docs = { 0 };
	assert_int_equal(kr_yaml_parse(ctx, "t.yaml", text, strlen(text), 0, &docs), 0);
	assert_int_equal(docs.len, 1);
	return docs.docs[0];
}

static const char *emitted(kr_ctx *ctx, const kr_node *n)
{
	kr_buf b = KR_BUF_INIT;
	const char *err = NULL;
	assert_int_equal(kr_emit_document(&b, n, &err), 0);
	char *s = kr_arena_strndup(&ctx->arena, b.data, b.len);
	kr_buf_free(&b);
	return s;
}

static const char *merged(kr_ctx *ctx, const char *file, const char *inl, const char *how)
{
	kr_node *iv, *out;
	assert_int_equal(kr_helm_inline_values(ctx, parse1(ctx, inl), &iv), 0);
	assert_int_equal(kr_helm_merge_values(ctx, file ? parse1(ctx, file) : NULL, iv, how,
	                                      "test", &out), 0);
	return emitted(ctx, out);
}

static void test_inline_typing(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	/* go-yaml v2 types through JSON: yes/n are bools (also as keys), 0x1F
	 * and 0o17 ints, 1e3 the number 1000, a date stays a string */
	assert_string_equal(merged(&ctx, NULL, "a: yes\nn: 1\nh: 0x1F\no: 0o17\ne: 1e3\n"
	                                       "d: 2024-01-01\nq: \"yes\"\n", "replace"),
	                    "a: true\nd: \"2024-01-01\"\ne: 1000\n\"false\": 1\nh: 31\n"
	                    "o: 15\nq: \"yes\"\n");
	kr_ctx_free(&ctx);
}

static void test_merge_modes(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const char *file = "r: 1\nkeep: null\ngone: 2\nm: {a: 1, b: 2}\nl: [1, 2]\n";
	const char *inl = "r: 5\ngone: null\nm: {b: 3, c: 4}\nl: [9]\nnewnull: null\n";
	/* override: the inline values win; a null among them removes the key */
	assert_string_equal(merged(&ctx, file, inl, "override"),
	                    "keep: null\nl:\n- 9\nm:\n  a: 1\n  b: 3\n  c: 4\nr: 5\n");
	/* merge: the file's values win; the inline null with no file value
	 * stays, the file's null removes */
	assert_string_equal(merged(&ctx, file, inl, "merge"),
	                    "gone: 2\nl:\n- 1\n- 2\nm:\n  a: 1\n  b: 2\n  c: 4\n"
	                    "newnull: null\nr: 1\n");
	assert_string_equal(merged(&ctx, file, inl, "replace"),
	                    "gone: null\nl:\n- 9\nm:\n  b: 3\n  c: 4\nnewnull: null\nr: 5\n");
	kr_ctx_free(&ctx);
}

static void test_merge_kind_mismatch(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *iv, *out;
	assert_int_equal(kr_helm_inline_values(&ctx, parse1(&ctx, "m: {x: 5}\n"), &iv), 0);
	assert_true(kr_helm_merge_values(&ctx, parse1(&ctx, "m: {x: {y: 1}}\n"), iv,
	                                 "override", "values", &out) < 0);
	assert_non_null(strstr(ctx.err.data, "could not merge values at 'm.x': wrong node "
	                       "kind: expected MappingNode but got ScalarNode"));
	kr_ctx_free(&ctx);
}

static void test_options_v4(void **state)
{
	(void)state;
	/* a version 3 struct ends before the helm options: the defaults */
	kr_build_options o3 = KR_BUILD_OPTIONS_INIT;
	o3.version = 3;
	o3.enable_helm = 1;  /* beyond a version 3 caller's struct: ignored */
	kr_build *b;
	assert_int_equal(kr_build_new(&b, &o3), 0);
	assert_int_equal(b->ctx.opts.enable_helm, 0);
	assert_null(b->ctx.opts.helm_command);
	kr_build_free(b);
	/* version 4: the strings are copied */
	char cmd[] = "/opt/helm";
	char api[] = "x/v1";
	const char *apis[] = { api, NULL };
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.enable_helm = 1;
	o.helm_command = cmd;
	o.helm_api_versions = apis;
	o.helm_kube_version = "1.30";
	assert_int_equal(kr_build_new(&b, &o), 0);
	cmd[1] = 'X';
	api[0] = 'Z';
	apis[0] = NULL;
	assert_int_equal(b->ctx.opts.enable_helm, 1);
	assert_string_equal(b->ctx.opts.helm_command, "/opt/helm");
	assert_string_equal(b->ctx.opts.helm_api_versions[0], "x/v1");
	assert_null(b->ctx.opts.helm_api_versions[1]);
	assert_string_equal(b->ctx.opts.helm_kube_version, "1.30");
	kr_build_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_minimal),
		cmocka_unit_test(test_template_every_field),
		cmocka_unit_test(test_pull_args),
		cmocka_unit_test(test_chart_home),
		cmocka_unit_test(test_inline_typing),
		cmocka_unit_test(test_merge_modes),
		cmocka_unit_test(test_merge_kind_mismatch),
		cmocka_unit_test(test_options_v4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
