/*
 * test_resmap.c - resource ids, effective namespaces, the hashed resource
 * map's duplicate detection, and the legacy sort.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "parse.h"
#include "resource.h"
#include "sort.h"

static kr_resource *res(kr_ctx *ctx, const char *yaml)
{
	kr_doclist l = { 0 };
	if (kr_yaml_parse(ctx, "t.yaml", yaml, strlen(yaml), 0, &l) != 0 || l.len != 1)
		fail_msg("cannot parse %s", yaml);
	return kr_resource_new(&ctx->arena, l.docs[0]);
}

static void test_resmap__id_from_doc(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_resource *r = res(&ctx, "apiVersion: apps/v1\nkind: Deployment\n"
	                           "metadata: {name: web, namespace: prod}\n");
	assert_string_equal(r->cur.group, "apps");
	assert_string_equal(r->cur.version, "v1");
	assert_string_equal(r->cur.kind, "Deployment");
	assert_string_equal(r->cur.name, "web");
	assert_string_equal(r->cur.ns, "prod");
	assert_string_equal(kr_resid_string(&ctx.arena, &r->cur), "Deployment.v1.apps/web.prod");
	kr_resource *c = res(&ctx, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
	assert_string_equal(c->cur.group, "");
	assert_string_equal(kr_resid_string(&ctx.arena, &c->cur), "ConfigMap.v1.[noGrp]/c.[noNs]");
	assert_false(c->cluster_scoped);
	kr_resource *ns = res(&ctx, "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n");
	assert_true(ns->cluster_scoped);
	kr_ctx_free(&ctx);
}

static void test_resmap__duplicates_by_effective_namespace(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_resmap m = { 0 };
	assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")), 0);
	/* "default" and no namespace are the same namespace */
	assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n")),
		KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "already registered id"));
	assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: other}\n")), 0);
	/* a cluster-scoped kind ignores its namespace */
	assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx,
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: a}\n")), 0);
	assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx,
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: b}\n")),
		KR_EINVALID);
	/* a different version is a different id */
	assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx,
		"apiVersion: v2\nkind: ConfigMap\nmetadata: {name: c}\n")), 0);
	assert_int_equal(m.len, 4);
	kr_ctx_free(&ctx);
}

static void test_resmap__many_entries_lookup(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_resmap m = { 0 };
	char buf[256];
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n", i);
		assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx, buf)), 0);
	}
	kr_resid id = { "", "v1", "ConfigMap", "c4321", "" };
	kr_resource *r = kr_resmap_get(&m, &id, 0);
	assert_non_null(r);
	assert_string_equal(r->cur.name, "c4321");
	kr_resid missing = { "", "v1", "ConfigMap", "c5000", "" };
	assert_null(kr_resmap_get(&m, &missing, 0));
	kr_ctx_free(&ctx);
}

static void test_resmap__legacy_sort(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_resmap m = { 0 };
	const char *docs[] = {
		"apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: v}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n",
		"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: z}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n",
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		assert_int_equal(kr_resmap_append(&ctx, &m, res(&ctx, docs[i])), 0);
	kr_node *first = kr_node_seq(&ctx.arena, 0), *last = kr_node_seq(&ctx.arena, 0);
	const char *f[] = { "Namespace", "Service", "Deployment" };
	for (int i = 0; i < 3; i++)
		kr_seq_append(&ctx.arena, first, kr_node_str(&ctx.arena, f[i]));
	kr_seq_append(&ctx.arena, last, kr_node_str(&ctx.arena, "ValidatingWebhookConfiguration"));
	assert_int_equal(kr_sort_legacy(&ctx, &m, first, last), 0);
	const char *want[] = { "ns", "s", "a", "a", "b", "j", "w", "v" };
	const char *want_ns[] = { "", "", "z", "", "", "", "", "" };
	for (size_t i = 0; i < m.len; i++) {
		assert_string_equal(m.items[i]->cur.name, want[i]);
		assert_string_equal(m.items[i]->cur.ns, want_ns[i]);
	}
	/* "~X" (no namespace) sorts after "z": '~' > 'z' */
	kr_resid id = { "apps", "v1", "Deployment", "b", "" };
	assert_non_null(kr_resmap_get(&m, &id, 0));
	kr_ctx_free(&ctx);
}

/* Every kind of kustomize's orderFirst/orderLast lists gets its rank, and
 * near misses (a prefix, a longer name, other case) get none. */
static void test_resmap__kind_rank(void **state)
{
	(void)state;
	for (size_t i = 0; i < kr_default_order_first_len; i++)
		assert_int_equal(kr_kind_rank(kr_default_order_first[i]),
		                 (int)i - (int)kr_default_order_first_len);
	for (size_t i = 0; i < kr_default_order_last_len; i++)
		assert_int_equal(kr_kind_rank(kr_default_order_last[i]), 1 + (int)i);
	const char *none[] = { "", "Pod", "Services", "Servic", "service", "ConfigMaps",
	                       "Rolebinding", "ValidatingWebhookConfigurationX",
	                       "AVeryLongKindNameThatIsLongerThanAnyListedOne" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		assert_int_equal(kr_kind_rank(none[i]), 0);
	assert_true(kr_gvk_less("", "v1", "Namespace", "", "v1", "ConfigMap"));
	assert_true(kr_gvk_less("apps", "v1", "Deployment", "", "v1", "Pod"));
	assert_true(kr_gvk_less("", "v1", "Pod", "admissionregistration.k8s.io", "v1",
	                        "ValidatingWebhookConfiguration"));
	assert_false(kr_gvk_less("", "v1", "Pod", "", "v1", "Pod"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resmap__id_from_doc),
		cmocka_unit_test(test_resmap__duplicates_by_effective_namespace),
		cmocka_unit_test(test_resmap__many_entries_lookup),
		cmocka_unit_test(test_resmap__legacy_sort),
		cmocka_unit_test(test_resmap__kind_rank),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
