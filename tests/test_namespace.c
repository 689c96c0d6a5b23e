/*
 * test_namespace.c - the namespace transformer (namespace.c) on small
 * in-memory layers: namespaced and cluster-scoped kinds, the v1 Namespace
 * rename, role-binding subjects named "default", APIService and CRD
 * conversion-webhook field specs, previous ids, the decoding of the
 * kustomization's `namespace` (go-yaml v2 types), id conflicts and error
 * positions.  Expected outputs were checked against `kubectl kustomize`
 * (Kustomize v5.5.0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "emit.h"
#include "parse.h"
#include "resource.h"
#include "tconfig.h"
#include "transformers.h"

#include "tutil.h"


/* Parse a kustomization and resources, run the namespace transformer. */
static int run(tu_fixture *f, const char *kust, const char *resources)
{
	return tu_run(f, kr_namespace_transform, kust, resources);
}


static void test_namespace__namespaced_and_cluster_scoped(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	                     "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
	                     "  namespace: other\n"
	                     "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
	                     "metadata:\n  name: cr\n  namespace: kept\n"
	                     "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: old\n"
	                     "---\napiVersion: v2\nkind: Namespace\nmetadata:\n  name: n2\n"
	                     "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n"
	                     "  name: w\n  namespace: null\n"), 0);
	assert_string_equal(tu_emit(&f, 0), "apiVersion: apps/v1\nkind: Deployment\n"
	                    "metadata:\n  name: d\n  namespace: prod\n");
	assert_string_equal(tu_emit(&f, 1), "apiVersion: v1\nkind: Service\n"
	                    "metadata:\n  name: s\n  namespace: prod\n");
	/* cluster-scoped: untouched, even a namespace written in the input */
	assert_string_equal(tu_emit(&f, 2), "apiVersion: rbac.authorization.k8s.io/v1\n"
	                    "kind: ClusterRole\nmetadata:\n  name: cr\n  namespace: kept\n");
	/* a v1 Namespace is renamed, one of another apiVersion is namespaced */
	assert_string_equal(tu_emit(&f, 3), "apiVersion: v1\nkind: Namespace\n"
	                    "metadata:\n  name: prod\n");
	assert_string_equal(tu_emit(&f, 4), "apiVersion: v2\nkind: Namespace\n"
	                    "metadata:\n  name: n2\n  namespace: prod\n");
	assert_string_equal(tu_emit(&f, 5), "apiVersion: example.com/v1\nkind: Widget\n"
	                    "metadata:\n  name: w\n  namespace: prod\n");
	/* every resource stored its id before the change; ids are current */
	for (size_t i = 0; i < f.m.len; i++)
		assert_int_equal(f.m.items[i]->nprev, 1);
	assert_string_equal(f.m.items[0]->prev[0].ns, "default");
	assert_string_equal(f.m.items[1]->prev[0].ns, "other");
	assert_string_equal(f.m.items[3]->prev[0].name, "old");
	assert_string_equal(f.m.items[3]->cur.name, "prod");
	assert_string_equal(f.m.items[0]->cur.ns, "prod");
	tu_done(&f);
}

static void test_namespace__absent_null_or_empty_is_a_no_op(void **state)
{
	(void)state;
	const char *kusts[] = { "resources: []\n", "namespace:\n", "namespace: ''\n",
	                        "namespace: ~\n" };
	for (size_t i = 0; i < sizeof(kusts) / sizeof(kusts[0]); i++) {
		tu_fixture f;
		assert_int_equal(run(&f, kusts[i], "apiVersion: v1\nkind: ConfigMap\n"
		                     "metadata:\n  name: c\n"), 0);
		assert_string_equal(tu_emit(&f, 0), "apiVersion: v1\nkind: ConfigMap\n"
		                    "metadata:\n  name: c\n");
		assert_int_equal(f.m.items[0]->nprev, 0);
		tu_done(&f);
	}
}

static void test_namespace__role_binding_subjects(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(run(&f, "namespace: apps\n",
	                     "apiVersion: rbac.authorization.k8s.io/v1\n"
	                     "kind: ClusterRoleBinding\nmetadata:\n  name: crb\nsubjects:\n"
	                     "- kind: ServiceAccount\n  name: default\n"
	                     "- kind: ServiceAccount\n  name: default\n  namespace: x\n"
	                     "- kind: ServiceAccount\n  name: other\n"
	                     "- kind: User\n  name: default\n"
	                     "- kind: ServiceAccount\n  name: default-2\n"
	                     "- kind: ServiceAccount\n"
	                     "- ~\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: rbac.authorization.k8s.io/v1\n"
	                    "kind: ClusterRoleBinding\nmetadata:\n  name: crb\nsubjects:\n"
	                    "- kind: ServiceAccount\n  name: default\n  namespace: apps\n"
	                    "- kind: ServiceAccount\n  name: default\n  namespace: apps\n"
	                    "- kind: ServiceAccount\n  name: other\n"
	                    "- kind: User\n  name: default\n  namespace: apps\n"
	                    "- kind: ServiceAccount\n  name: default-2\n"
	                    "- kind: ServiceAccount\n"
	                    "- null\n");
	tu_done(&f);
}

static void test_namespace__apiservice_and_crd_webhook(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(run(&f, "namespace: ns\n",
	                     "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\n"
	                     "metadata:\n  name: v1.a\nspec:\n  group: a\n"
	                     "---\napiVersion: apiextensions.k8s.io/v1\n"
	                     "kind: CustomResourceDefinition\nmetadata:\n  name: c\nspec:\n"
	                     "  conversion:\n    webhook:\n      clientConfig:\n"
	                     "        service:\n          name: s\n"
	                     "---\napiVersion: apiextensions.k8s.io/v1\n"
	                     "kind: CustomResourceDefinition\nmetadata:\n  name: d\nspec:\n"
	                     "  conversion:\n    webhook:\n      clientConfig:\n"
	                     "        service:\n          namespace: old\n"), 0);
	/* create: true for APIService */
	assert_string_equal(tu_emit(&f, 0), "apiVersion: apiregistration.k8s.io/v1\n"
	                    "kind: APIService\nmetadata:\n  name: v1.a\nspec:\n  group: a\n"
	                    "  service:\n    namespace: ns\n");
	/* create: false for the CRD webhook: only an existing field changes */
	assert_non_null(strstr(tu_emit(&f, 1), "service:\n          name: s\n"));
	assert_null(strstr(tu_emit(&f, 1), "namespace"));
	assert_non_null(strstr(tu_emit(&f, 2), "namespace: ns\n"));
	tu_done(&f);
}

static void test_namespace__value_must_be_a_yaml11_string(void **state)
{
	(void)state;
	const struct {
		const char *kust, *what;
	} bad[] = {
		{ "namespace: yes\n", "unmarshal bool" },
		{ "namespace: 5\n", "unmarshal number" },
		{ "namespace: 0x1F\n", "unmarshal number" },
		{ "namespace: [a]\n", "unmarshal array" },
		{ "namespace: {a: b}\n", "unmarshal object" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_fixture f;
		assert_int_equal(run(&f, bad[i].kust, "apiVersion: v1\nkind: ConfigMap\n"
		                     "metadata:\n  name: c\n"), KR_EINVALID);
		assert_non_null(strstr(f.ctx.err.data, "kustomization.yaml:1:12:"));
		assert_non_null(strstr(f.ctx.err.data, bad[i].what));
		tu_done(&f);
	}
	/* quoted, or plain text that is not a YAML 1.1 scalar of another type */
	const char *good[] = { "namespace: 'yes'\n", "namespace: \"5\"\n",
	                       "namespace: 2024-01-01\n", "namespace: prod-1\n" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		tu_fixture f;
		assert_int_equal(run(&f, good[i], "apiVersion: v1\nkind: ConfigMap\n"
		                     "metadata:\n  name: c\n"), 0);
		tu_done(&f);
	}
}

static void test_namespace__id_conflicts(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	                     "  namespace: a\n"
	                     "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
	                 KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "kustomization.yaml:1:12:"));
	assert_non_null(strstr(f.ctx.err.data, "ID conflict"));
	tu_done(&f);

	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"
	                     "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n"),
	                 KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "ID conflict"));
	tu_done(&f);

	/* the same name in two kinds is fine */
	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	                     "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n"), 0);
	tu_done(&f);
}

static void test_namespace__wrong_node_kinds(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	                     "  namespace:\n    a: b\n"), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "r.yaml:6:5:"));
	assert_non_null(strstr(f.ctx.err.data, "must target scalar nodes"));
	tu_done(&f);

	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
	                     "metadata:\n  name: rb\nsubjects:\n- just-a-string\n"),
	                 KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "r.yaml:6:3:"));
	assert_non_null(strstr(f.ctx.err.data, "role binding subject"));
	tu_done(&f);

	assert_int_equal(run(&f, "namespace: prod\n",
	                     "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
	                     "metadata:\n  name: rb\nsubjects:\n- name: default\n"
	                     "  namespace: [x]\n"), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "r.yaml:7:14:"));
	tu_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespace__namespaced_and_cluster_scoped),
		cmocka_unit_test(test_namespace__absent_null_or_empty_is_a_no_op),
		cmocka_unit_test(test_namespace__role_binding_subjects),
		cmocka_unit_test(test_namespace__apiservice_and_crd_webhook),
		cmocka_unit_test(test_namespace__value_must_be_a_yaml11_string),
		cmocka_unit_test(test_namespace__id_conflicts),
		cmocka_unit_test(test_namespace__wrong_node_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
