/*
 * test_components.c - components (components.c, kr_accumulate_target in
 * build.c): a component runs on its parent's accumulator after the
 * parent's generators and before its transformers; its configuration joins
 * the parent's; its result is added again to an empty map (duplicate ids
 * refused); nesting, cycles and the nesting limit; allocation failures.
 * Behaviours were checked against `kubectl kustomize` (Kustomize v5.5.0);
 * the golden cases comp_* pin down the output bytes.
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

#include "vars.h"

#include "build.h"
#include "components.h"
#include "ctx.h"
#include "fsutil.h"
#include "kustomization.h"
#include "tconfig.h"

#include "tutil.h"

/* Load kustomization `dir` (relative to tmpdir) into k. */
static int load(kr_ctx *ctx, const char *dir, kr_kustomization *k)
{
	char abs[512];
	snprintf(abs, sizeof(abs), "%s/%s", tmpdir, dir);
	const char *real = kr_realpath(&ctx->arena, abs);
	assert_non_null(real);
	return kr_kustomization_load(ctx, dir, real, k);
}

static const char *name_of(const kr_resource *r)
{
	return r->cur.name;
}

/* The parent's resources and generated objects come first, then the
 * component's; the component's transformers see all of them, the
 * parent's transformers (run by kr_accumulate_target after the
 * components) see the component's resources too. */
static void test_components__order_on_shared_accumulator(void **state)
{
	(void)state;
	tu_put("order/app/kustomization.yaml",
	       "resources: [cm.yaml]\n"
	       "components: [../comp]\n"
	       "configMapGenerator:\n- name: gen\n  literals: [a=1]\n"
	       "nameSuffix: -app\n");
	tu_put("order/app/cm.yaml",
	       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n");
	tu_put("order/comp/kustomization.yaml",
	       "kind: Component\nresources: [svc.yaml]\n"
	       "configMapGenerator:\n- name: gen\n  behavior: merge\n"
	       "  literals: [b=2]\n"
	       "namePrefix: c-\n");
	tu_put("order/comp/svc.yaml",
	       "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_kustomization k;
	assert_int_equal(load(&ctx, "order/app", &k), 0);
	kr_root_chain chain = { k.root, NULL, 0 };
	kr_resmap m = { 0 };
	kr_tconfig tc;
	kr_varset vs = { 0 };
	memset(&tc, 0, sizeof(tc));
	assert_int_equal(kr_accumulate_target(&ctx, &k, &chain, &m, &tc, &vs), 0);
	assert_int_equal(m.len, 3);
	assert_string_equal(name_of(m.items[0]), "c-plain-app");
	assert_string_equal(name_of(m.items[1]), "c-gen-app");
	assert_string_equal(name_of(m.items[2]), "c-svc-app");
	/* The merge found the parent's generated ConfigMap. */
	kr_node *data = kr_map_get(m.items[1]->doc, "data");
	assert_non_null(kr_map_get(data, "a"));
	assert_non_null(kr_map_get(data, "b"));
	/* The index follows the renames. */
	assert_ptr_equal(kr_resmap_get(&m, &m.items[2]->cur, 0), m.items[2]);
	kr_ctx_free(&ctx);
}

/* kr_components_accumulate on its own: a component's configuration joins
 * the accumulator's, so the parent's transformers can use it. */
static void test_components__configuration_joins_parent(void **state)
{
	(void)state;
	tu_put("cfg/app/kustomization.yaml", "components: [../comp]\n");
	tu_put("cfg/comp/kustomization.yaml",
	       "kind: Component\nconfigurations: [c.yaml]\n");
	tu_put("cfg/comp/c.yaml",
	       "namePrefix:\n- kind: Scaler\n  path: spec/target\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_kustomization k;
	assert_int_equal(load(&ctx, "cfg/app", &k), 0);
	kr_root_chain chain = { k.root, NULL, 0 };
	kr_resmap m = { 0 };
	kr_tconfig tc;
	kr_varset vs = { 0 };
	memset(&tc, 0, sizeof(tc));
	assert_int_equal(kr_components_accumulate(&ctx, &k, &chain, &m, &tc, &vs), 0);
	int found = 0;
	for (size_t i = 0; i < tc.name_prefix.len; i++)
		found |= !strcmp(tc.name_prefix.items[i].kind, "Scaler") &&
		         !strcmp(tc.name_prefix.items[i].path, "spec/target");
	assert_true(found);
	kr_ctx_free(&ctx);
}

/* A component's result is added again to an empty map, as kustomize's
 * MergeAccumulator does: a patch that gives two objects one id fails
 * there, naming the component. */
static void test_components__duplicate_after_transformers(void **state)
{
	(void)state;
	tu_put("dup/app/kustomization.yaml",
	       "resources: [cms.yaml]\ncomponents: [../comp]\n");
	tu_put("dup/app/cms.yaml",
	       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
	       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
	tu_put("dup/comp/kustomization.yaml",
	       "kind: Component\npatches:\n- target: {name: a}\n"
	       "  patch: '[{\"op\": \"replace\", \"path\": \"/metadata/name\", "
	       "\"value\": \"b\"}]'\n");
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_kustomization k;
	assert_int_equal(load(&ctx, "dup/app", &k), 0);
	kr_root_chain chain = { k.root, NULL, 0 };
	kr_resmap m = { 0 };
	kr_tconfig tc;
	kr_varset vs = { 0 };
	memset(&tc, 0, sizeof(tc));
	assert_int_equal(kr_accumulate_target(&ctx, &k, &chain, &m, &tc, &vs), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "accumulating component '../comp'"));
	assert_non_null(strstr(ctx.err.data, "already registered id: ConfigMap.v1.[noGrp]/b"));
	kr_ctx_free(&ctx);
}

static int build(const kr_build_options *o, const char *rel, char *err, size_t errlen)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, rel);
	kr_build *b;
	int rc = kr_build_new(&b, o);
	if (rc < 0)
		return rc;
	rc = kr_build_run(b, dir);
	snprintf(err, errlen, "%s", rc < 0 ? kr_build_error(b) : "");
	kr_build_free(b);
	return rc;
}

/* Components nest; the nesting limit counts them as it counts resource
 * directories, and a component that reaches back to a root being built
 * is a cycle. */
static void test_components__nesting_and_cycles(void **state)
{
	(void)state;
	char err[2048];
	tu_put("nest/app/kustomization.yaml", "components: [../c1]\n");
	for (int i = 1; i <= 5; i++) {
		char path[64], text[256];
		snprintf(path, sizeof(path), "nest/c%d/kustomization.yaml", i);
		if (i < 5)
			snprintf(text, sizeof(text), "kind: Component\ncomponents: [../c%d]\n"
			         "namePrefix: p%d-\n", i + 1, i);
		else
			snprintf(text, sizeof(text), "kind: Component\nresources: [cm.yaml]\n");
		tu_put(path, text);
	}
	tu_put("nest/c5/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	assert_int_equal(build(&o, "nest/app", err, sizeof(err)), 0);
	o.max_kustomization_depth = 4;
	assert_int_equal(build(&o, "nest/app", err, sizeof(err)), KR_ELIMIT);
	assert_non_null(strstr(err, "nested deeper than the limit of 4"));
	assert_non_null(strstr(err, "c4/kustomization.yaml:2:14:"));

	tu_put("cyc/app/kustomization.yaml", "components: [../c]\n");
	tu_put("cyc/c/kustomization.yaml", "kind: Component\ncomponents: [.]\n");
	assert_int_equal(build(NULL, "cyc/app", err, sizeof(err)), KR_EINVALID);
	assert_non_null(strstr(err, "cycle detected"));
	assert_non_null(strstr(err, "cyc/c/kustomization.yaml:2:14:"));
}

/* Every allocation of a build with nested components may fail: the build
 * then ends with KR_ENOMEM, never a crash or another error. */
static void test_components__allocation_failures(void **state)
{
	(void)state;
	char err[2048];
	tu_put("oom/app/kustomization.yaml",
	       "resources: [cm.yaml]\ncomponents: [../c]\nnamePrefix: a-\n");
	tu_put("oom/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
	tu_put("oom/c/kustomization.yaml",
	       "kind: Component\ncomponents: [../d]\nresources: [s.yaml]\n"
	       "configMapGenerator:\n- name: x\n  behavior: merge\n  literals: [k=v]\n");
	tu_put("oom/c/s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
	tu_put("oom/d/kustomization.yaml", "kind: Component\nnamespace: ns\n");
	int ok = 0;
	for (unsigned long k = 1; k < 100000 && !ok; k++) {
		char v[32];
		snprintf(v, sizeof(v), "%lu", k);
		setenv("KR_FAIL_ALLOC_AT", v, 1);
		int rc = build(NULL, "oom/app", err, sizeof(err));
		if (rc == 0)
			ok = 1;
		else if (rc != KR_ENOMEM)
			fail_msg("allocation %lu: rc %d, %s", k, rc, err);
	}
	unsetenv("KR_FAIL_ALLOC_AT");
	assert_true(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_components__order_on_shared_accumulator),
		cmocka_unit_test(test_components__configuration_joins_parent),
		cmocka_unit_test(test_components__duplicate_after_transformers),
		cmocka_unit_test(test_components__nesting_and_cycles),
		cmocka_unit_test(test_components__allocation_failures),
	};
	return cmocka_run_group_tests(tests, tu_tree_setup, tu_tree_teardown);
}
