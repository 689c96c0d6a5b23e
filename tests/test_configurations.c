/*
 * test_configurations.c - transformer configurations (configurations.c):
 * go-yaml v2 scalar typing and string conversion, kustomize's merge
 * (effectively-equal specs dropped, conflicts, the sort by kind that makes
 * a kind-specific spec swallow a generic one), reading `configurations:`
 * files (case-insensitive and unknown fields, duplicate keys, wrong types)
 * and extracting field specs from `crds:` files.  Each file test writes its
 * tree into a fresh temporary directory.  Behaviours were checked against
 * `kubectl kustomize` (Kustomize v5.5.0).
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

#include "configurations.h"
#include "ctx.h"
#include "fsutil.h"
#include "kdecode.h"
#include "kustomization.h"
#include "parse.h"
#include "tconfig.h"

#include "tutil.h"


/* Load kustomization `dir` (relative to tmpdir) and merge its
 * configuration into an empty accumulator. */
static int load(kr_ctx *ctx, const char *dir, kr_tconfig *tc)
{
	char abs[512];
	kr_kustomization k;
	snprintf(abs, sizeof(abs), "%s/%s", tmpdir, dir);
	int rc = kr_kustomization_load(ctx, dir, kr_realpath(&ctx->arena, abs), &k);
	if (rc < 0)
		return rc;
	memset(tc, 0, sizeof(*tc));
	return kr_tconfig_load_user(ctx, &k, tc);
}

static kr_node *scalar(kr_ctx *ctx, const char *yaml)
{
	kr_doclist d = { 0 };
	assert_int_equal(kr_yaml_parse(ctx, "t.yaml", yaml, strlen(yaml), 0, &d), 0);
	assert_int_equal(d.len, 1);
	return kr_map_get(d.docs[0], "v");
}

static void test_configurations__yaml11_types(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const struct {
		const char *text;
		kr_y11_type t;
	} rows[] = {
		{ "v: yes", KR_Y11_BOOL }, { "v: Off", KR_Y11_BOOL }, { "v: y", KR_Y11_BOOL },
		{ "v: TRUE", KR_Y11_BOOL }, { "v: tRue", KR_Y11_STR },
		{ "v: ~", KR_Y11_NULL }, { "v:", KR_Y11_NULL }, { "v: Null", KR_Y11_NULL },
		{ "v: 5", KR_Y11_INT }, { "v: 0x1F", KR_Y11_INT }, { "v: 0o17", KR_Y11_INT },
		{ "v: 017", KR_Y11_INT }, { "v: 0b101", KR_Y11_INT }, { "v: -0b1", KR_Y11_INT },
		{ "v: 1_000", KR_Y11_INT }, { "v: +1", KR_Y11_INT },
		{ "v: 99999999999999999999", KR_Y11_FLOAT }, { "v: 08", KR_Y11_FLOAT },
		{ "v: 1e3", KR_Y11_FLOAT }, { "v: .5", KR_Y11_FLOAT }, { "v: -.inf", KR_Y11_FLOAT },
		{ "v: .NaN", KR_Y11_FLOAT }, { "v: 1e400", KR_Y11_STR },
		{ "v: 2024-01-01", KR_Y11_STR }, { "v: 1:20", KR_Y11_STR }, { "v: .", KR_Y11_STR },
		{ "v: 0x", KR_Y11_STR }, { "v: 'yes'", KR_Y11_STR }, { "v: \"5\"", KR_Y11_STR },
		{ "v: !!str 5", KR_Y11_STR }, { "v: !!int '5'", KR_Y11_INT },
		{ "v: <<", KR_Y11_STR }, { "v: abc", KR_Y11_STR },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		kr_node *n = scalar(&ctx, rows[i].text);
		if (kr_y11_type_of(n) != rows[i].t)
			fail_msg("%s: got type %d, want %d", rows[i].text,
			         (int)kr_y11_type_of(n), (int)rows[i].t);
	}
	kr_ctx_free(&ctx);
}

static void test_configurations__as_string(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const struct {
		const char *text, *want;
	} rows[] = {
		{ "v: yes", "true" }, { "v: off", "false" }, { "v: ~", "" },
		{ "v: 0x10", "16" }, { "v: 017", "15" }, { "v: -5", "-5" },
		{ "v: 18446744073709551615", "18446744073709551615" },
		{ "v: 1.50", "1.5" }, { "v: 1e3", "1000" }, { "v: 1e6", "1e+06" },
		{ "v: 123456", "123456" }, { "v: 0.0001", "0.0001" }, { "v: 0.00001", "1e-05" },
		{ "v: 3.14159265", "3.1415927" }, { "v: .inf", "+Inf" }, { "v: 'x y'", "x y" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = kr_y11_as_string(&ctx.arena, scalar(&ctx, rows[i].text));
		assert_non_null(got);
		if (strcmp(got, rows[i].want))
			fail_msg("%s: got '%s', want '%s'", rows[i].text, got, rows[i].want);
	}
	kr_ctx_free(&ctx);
}

static kr_fslist list_of(kr_fieldspec *items, size_t n)
{
	kr_fslist l = { items, n, n };
	return l;
}

static void test_configurations__merge_and_sort(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_fieldspec in[] = {
		{ "", "", "", "metadata/labels", 1 },
		{ "", "", "MyKind", "metadata/labels", 1 },
		{ "apps", "", "Deployment", "spec/x", 0 },
		{ "", "", "Deployment", "spec/x", 0 },
		{ "", "", "Service", "spec/selector", 1 },
		{ "", "", "ValidatingWebhookConfiguration", "webhooks", 0 },
	};
	kr_tconfig acc, src;
	memset(&acc, 0, sizeof(acc));
	memset(&src, 0, sizeof(src));
	src.common_labels = list_of(in, sizeof(in) / sizeof(in[0]));
	/* into the empty accumulator: all kept (the MyKind spec came after the
	 * generic one, which it does not select), then sorted */
	assert_int_equal(kr_tconfig_accumulate(&ctx, &acc, &src), 0);
	kr_fslist *l = &acc.common_labels;
	assert_int_equal(l->len, 5);   /* {Deployment, spec/x} selected {apps, Deployment} */
	assert_string_equal(l->items[0].kind, "Service");      /* orderFirst kinds */
	assert_string_equal(l->items[1].kind, "Deployment");
	assert_string_equal(l->items[1].group, "apps");
	assert_string_equal(l->items[2].kind, "MyKind");       /* ~G_~V_MyKind */
	assert_string_equal(l->items[3].kind, "");             /* ~G_~V_~K */
	assert_string_equal(l->items[4].kind, "ValidatingWebhookConfiguration");

	/* merging the sorted result again: now {MyKind} comes first and
	 * swallows the generic spec (tr_configurations_swallow_generic) */
	kr_tconfig again;
	memset(&again, 0, sizeof(again));
	assert_int_equal(kr_tconfig_accumulate(&ctx, &again, &acc), 0);
	assert_int_equal(again.common_labels.len, 4);
	for (size_t i = 0; i < again.common_labels.len; i++)
		assert_false(again.common_labels.items[i].kind[0] == '\0');

	/* with create false the same pair conflicts */
	kr_fieldspec bad[] = {
		{ "", "", "", "metadata/labels", 1 },
		{ "", "", "MyKind", "metadata/labels", 0 },
	};
	memset(&src, 0, sizeof(src));
	src.common_labels = list_of(bad, 2);
	memset(&acc, 0, sizeof(acc));
	assert_int_equal(kr_tconfig_accumulate(&ctx, &acc, &src), 0);
	memset(&again, 0, sizeof(again));
	assert_int_equal(kr_tconfig_accumulate(&ctx, &again, &acc), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "failed to merge CommonLabels fieldSpec: "
	                       "conflicting fieldspecs"));
	kr_ctx_free(&ctx);
}

static void test_configurations__name_reference_merge(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_fieldspec a[] = { { "", "", "Foo", "spec/ref", 0 },
	                     { "", "", "Foo", "spec/ref", 0 } };
	kr_fieldspec b[] = { { "", "", "Foo", "spec/ref", 0 },
	                     { "", "", "Bar", "spec/ref", 0 } };
	kr_nameref na = { "", "v1", "Secret", { a, 2, 2 } };
	kr_nameref nb = { "", "v1", "Secret", { b, 2, 2 } };
	kr_nameref nc = { "", "", "ConfigMap", { b, 1, 1 } };
	kr_tconfig acc, src;
	memset(&acc, 0, sizeof(acc));
	memset(&src, 0, sizeof(src));
	src.name_reference = &na;
	src.name_reference_len = src.name_reference_cap = 1;
	/* a new target keeps its referrers as they are, duplicates included */
	assert_int_equal(kr_tconfig_accumulate(&ctx, &acc, &src), 0);
	assert_int_equal(acc.name_reference_len, 1);
	assert_int_equal(acc.name_reference[0].specs.len, 2);
	kr_nameref two[] = { nb, nc };
	src.name_reference = two;
	src.name_reference_len = src.name_reference_cap = 2;
	assert_int_equal(kr_tconfig_accumulate(&ctx, &acc, &src), 0);
	assert_int_equal(acc.name_reference_len, 2);
	/* sorted: ConfigMap and Secret are orderFirst kinds, in that order */
	assert_string_equal(acc.name_reference[0].kind, "ConfigMap");
	assert_string_equal(acc.name_reference[1].kind, "Secret");
	assert_int_equal(acc.name_reference[1].specs.len, 3);
	assert_string_equal(acc.name_reference[1].specs.items[2].kind, "Bar");
	kr_ctx_free(&ctx);
}

static void test_configurations__files(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_tconfig tc;

	tu_put("ok/kustomization.yaml", "configurations:\n- c.yaml\n");
	tu_put("ok/c.yaml", "NAMEPREFIX:\n- KIND: Foo\n  Path: spec/alias\n  create: on\n"
	                 "- kind: 5\n  path: spec/n\n"
	                 "commonLabels: ~\nnameReference:\n- kind: Gorilla\n  fieldSpecs:\n"
	                 "  - kind: Park\n    path: spec/gorilla/name\n"
	                 "---\nnot: read\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "ok", &tc), 0);
	int found = 0, found5 = 0;
	for (size_t i = 0; i < tc.name_prefix.len; i++) {
		const kr_fieldspec *fs = &tc.name_prefix.items[i];
		if (!strcmp(fs->kind, "Foo") && !strcmp(fs->path, "spec/alias") && fs->create)
			found = 1;
		if (!strcmp(fs->kind, "5"))
			found5 = 1;
	}
	assert_true(found);
	assert_true(found5);
	found = 0;
	for (size_t i = 0; i < tc.name_reference_len; i++)
		if (!strcmp(tc.name_reference[i].kind, "Gorilla"))
			found = (int)tc.name_reference[i].specs.len;
	assert_int_equal(found, 1);
	/* the builtin configuration is there too */
	assert_true(tc.common_labels.len > 30);
	kr_ctx_free(&ctx);

	const struct {
		const char *config, *want;
	} bad[] = {
		{ "namePrefixes: []\n", "c.yaml:1:1: json: unknown field \"namePrefixes\"" },
		{ "namePrefix:\n- path: a\n  kinds: Foo\n", "c.yaml:3:3: json: unknown field \"kinds\"" },
		{ "namePrefix:\n- path: a\n  create: 1\n", "c.yaml:3:11:" },
		{ "namePrefix:\n- path: a\n  create: 'true'\n", "of type bool" },
		{ "namePrefix:\n- path: [a]\n", "c.yaml:2:9:" },
		{ "namePrefix: {}\n", "unmarshal object" },
		{ "namePrefix: []\nnamePrefix: []\n", "c.yaml:2:1:" },
		{ "- a\n", "TransformerConfig" },
		{ "nameReference:\n- kind: X\n  fieldspecs: 5\n", "c.yaml:3:15:" },
		{ "namePrefix:\n- {path: a, kind: F, create: true}\n- {path: a}\n",
		  "c.yaml:3:3: failed to merge NamePrefix fieldSpec: conflicting fieldspecs" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char dir[32], rel[64];
		snprintf(dir, sizeof(dir), "bad%zu", i);
		snprintf(rel, sizeof(rel), "%s/kustomization.yaml", dir);
		tu_put(rel, "configurations:\n- c.yaml\n");
		snprintf(rel, sizeof(rel), "%s/c.yaml", dir);
		tu_put(rel, bad[i].config);
		kr_ctx_init(&ctx, NULL);
		assert_true(load(&ctx, dir, &tc) < 0);
		if (!strstr(ctx.err.data, bad[i].want))
			fail_msg("%s: error '%s' lacks '%s'", bad[i].config, ctx.err.data,
			         bad[i].want);
		kr_ctx_free(&ctx);
	}
}

static void test_configurations__file_loading(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_tconfig tc;
	tu_put("outside.yaml", "namePrefix: []\n");
	tu_put("in/kustomization.yaml", "configurations:\n- ../outside.yaml\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "in", &tc), KR_ERESTRICT);
	assert_non_null(strstr(ctx.err.data, "in/kustomization.yaml:2:3:"));
	kr_ctx_free(&ctx);

	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.load_restrictor = KR_LOAD_NONE;
	kr_ctx_init(&ctx, &o);
	assert_int_equal(load(&ctx, "in", &tc), 0);
	kr_ctx_free(&ctx);

	tu_put("miss/kustomization.yaml", "crds:\n- nope.json\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "miss", &tc), KR_ENOTFOUND);
	kr_ctx_free(&ctx);

	tu_put("dir/kustomization.yaml", "configurations:\n- sub\n");
	tu_put("dir/sub/x.yaml", "a: 1\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "dir", &tc), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "must resolve to a file"));
	kr_ctx_free(&ctx);

	tu_put("num/kustomization.yaml", "configurations:\n- 5\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "num", &tc), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "num/kustomization.yaml:2:3:"));
	kr_ctx_free(&ctx);
}

static const kr_fieldspec *find(const kr_fslist *l, const char *kind, const char *path)
{
	for (size_t i = 0; i < l->len; i++)
		if (!strcmp(l->items[i].kind, kind) && !strcmp(l->items[i].path, path))
			return &l->items[i];
	return NULL;
}

static void test_configurations__crds(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_tconfig tc;
	tu_put("crd/kustomization.yaml", "crds:\n- defs.yaml\n");
	tu_put("crd/defs.yaml",
	    "a.b/v1.Shop:\n  Schema:\n    properties:\n      kind: {}\n"
	    "      apiVersion: {}\n      metadata: {}\n      spec:\n        $ref: a.b/v1.Spec\n"
	    "a.b/v1.Spec:\n  schema:\n    properties:\n"
	    "      owner:\n        x-kubernetes-identity: ''\n"
	    "      notes:\n        x-kubernetes-annotation: ''\n"
	    "      sel:\n        x-kubernetes-label-selector: ''\n"
	    "      upper:\n        X-Kubernetes-Identity: ''\n"
	    "      bool:\n        x-kubernetes-identity: yes\n"
	    "      ref:\n        x-kubernetes-object-ref-api-version: v1\n"
	    "        x-kubernetes-object-ref-kind: Secret\n"
	    "        x-kubernetes-object-ref-name-key: secretName\n"
	    "      inline:\n        properties:\n          owner:\n"
	    "            x-kubernetes-identity: ''\n"
	    "a.b/v1.NotAKind:\n  Schema:\n    properties:\n      owner:\n"
	    "        x-kubernetes-identity: ''\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "crd", &tc), 0);
	const kr_fieldspec *fs = find(&tc.name_prefix, "Shop", "spec/owner");
	assert_non_null(fs);
	assert_string_equal(fs->group, "");
	assert_false(fs->create);
	assert_null(find(&tc.name_suffix, "Shop", "spec/owner"));
	assert_non_null(find(&tc.common_annotations, "Shop", "spec/notes"));
	assert_non_null(find(&tc.common_labels, "Shop", "spec/sel"));
	assert_null(find(&tc.name_prefix, "Shop", "spec/upper"));
	assert_null(find(&tc.name_prefix, "Shop", "spec/bool"));
	assert_null(find(&tc.name_prefix, "Shop", "spec/inline/owner"));
	assert_null(find(&tc.name_prefix, "NotAKind", "owner"));
	int found = 0;
	for (size_t i = 0; i < tc.name_reference_len; i++) {
		const kr_nameref *e = &tc.name_reference[i];
		if (!strcmp(e->kind, "Secret") && !strcmp(e->version, "v1"))
			found = find(&e->specs, "Shop", "spec/ref/secretName") != NULL;
	}
	assert_true(found);
	kr_ctx_free(&ctx);

	tu_put("crdjson/kustomization.yaml", "crds:\n- defs.json\n");
	tu_put("crdjson/defs.json", "{\"W\": {\"Schema\": {\"properties\": {\"kind\": {}, "
	    "\"apiVersion\": {}, \"metadata\": {}, \"id\": "
	    "{\"x-kubernetes-identity\": \"\"}}}}}\n");
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(load(&ctx, "crdjson", &tc), 0);
	assert_non_null(find(&tc.name_prefix, "W", "id"));
	kr_ctx_free(&ctx);

	const struct {
		const char *defs, *want;
	} bad[] = {
		{ "", "empty CRD file" },
		{ "- a\n", "defs.yaml:1:1:" },
		{ "a: 1\n", "defs.yaml:1:4:" },
		{ "a:\n  Schema: 1\n", "defs.yaml:2:11:" },
		{ "a:\n  Schema:\n    properties: [x]\n", "defs.yaml:3:17:" },
		{ "a:\n  Schema:\n    properties:\n      kind: {}\n      apiVersion: {}\n"
		  "      metadata: {}\n      spec: {$ref: a}\n", "too deep" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char dir[32], rel[64];
		snprintf(dir, sizeof(dir), "crdbad%zu", i);
		snprintf(rel, sizeof(rel), "%s/kustomization.yaml", dir);
		tu_put(rel, "crds:\n- defs.yaml\n");
		snprintf(rel, sizeof(rel), "%s/defs.yaml", dir);
		tu_put(rel, bad[i].defs);
		kr_ctx_init(&ctx, NULL);
		assert_true(load(&ctx, dir, &tc) < 0);
		if (!strstr(ctx.err.data, bad[i].want))
			fail_msg("%s: error '%s' lacks '%s'", bad[i].defs, ctx.err.data,
			         bad[i].want);
		kr_ctx_free(&ctx);
	}
}

/* The property that lets merges of the shared builtin configuration be
 * skipped (configurations.c, merge_config). */
static void test_configurations__builtin_stable(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(kr_tconfig_builtin_is_stable(&ctx), 1);
	kr_ctx_free(&ctx);
}

/* The builtin tables are kept sorted and merged, so that no process sorts
 * them at start-up (configurations.c, builtin_config). */
static void test_configurations__builtin_canonical(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	assert_int_equal(kr_tconfig_builtin_is_canonical(&ctx), 1);
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configurations__yaml11_types),
		cmocka_unit_test(test_configurations__as_string),
		cmocka_unit_test(test_configurations__merge_and_sort),
		cmocka_unit_test(test_configurations__name_reference_merge),
		cmocka_unit_test(test_configurations__files),
		cmocka_unit_test(test_configurations__file_loading),
		cmocka_unit_test(test_configurations__crds),
		cmocka_unit_test(test_configurations__builtin_stable),
		cmocka_unit_test(test_configurations__builtin_canonical),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
