/*
 * test_labels.c - the label and annotation transformers (labels.c,
 * annotations.c) on small in-memory layers: where selectors are created
 * and where not, pod templates, volumeClaimTemplates[], nulls, the
 * NetworkPolicy list fan-out, string values, the decoding of the
 * kustomization's fields (go-yaml v2 types), error positions, and the
 * commonLabels deprecation warning.  Expected outputs were checked against
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

#include "ctx.h"
#include "emit.h"
#include "fsutil.h"
#include "kustomization.h"
#include "parse.h"
#include "resource.h"
#include "tconfig.h"
#include "transformers.h"

#include "tutil.h"


static void test_labels__selectors_created_only_where_spec_says(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "commonLabels:\n  app: x\n",
	                     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	                     "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n"
	                     "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\n"
	                     "metadata:\n  name: p\n"
	                     "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
	                     "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n"
	                     "  name: w\nspec:\n  selector: {}\n"), 0);
	/* Deployment: selector and pod template created */
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
	                    "  labels:\n    app: x\n  name: d\nspec:\n  selector:\n"
	                    "    matchLabels:\n      app: x\n  template:\n    metadata:\n"
	                    "      labels:\n        app: x\n");
	/* Job: template labels created, the selector is not */
	assert_string_equal(tu_emit(&f, 1),
	                    "apiVersion: batch/v1\nkind: Job\nmetadata:\n  labels:\n"
	                    "    app: x\n  name: j\nspec:\n  template:\n    metadata:\n"
	                    "      labels:\n        app: x\n");
	/* PDB: nothing but metadata */
	assert_string_equal(tu_emit(&f, 2),
	                    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n"
	                    "  labels:\n    app: x\n  name: p\n");
	/* Service: spec/selector created */
	assert_string_equal(tu_emit(&f, 3),
	                    "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n"
	                    "    app: x\n  name: s\nspec:\n  selector:\n    app: x\n");
	/* an unknown kind: metadata only */
	assert_string_equal(tu_emit(&f, 4),
	                    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n"
	                    "  labels:\n    app: x\n  name: w\nspec:\n  selector: {}\n");
	tu_done(&f);
}

static void test_labels__include_templates_not_selectors(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform,
	                     "labels:\n- pairs:\n    t: v\n  includeTemplates: true\n",
	                     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	                     "spec:\n  selector:\n    matchLabels:\n      a: b\n"
	                     "---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n"
	                    "    t: v\n  name: d\nspec:\n  selector:\n    matchLabels:\n"
	                    "      a: b\n  template:\n    metadata:\n      labels:\n"
	                    "        t: v\n");
	assert_string_equal(tu_emit(&f, 1),
	                    "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  labels:\n"
	                    "    t: v\n  name: c\nspec:\n  jobTemplate:\n    metadata:\n"
	                    "      labels:\n        t: v\n    spec:\n      template:\n"
	                    "        metadata:\n          labels:\n            t: v\n");
	tu_done(&f);
}

static void test_labels__plain_entry_metadata_only(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "labels:\n- pairs:\n    p: v\n",
	                     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n"
	                    "    p: v\n  name: d\n");
	tu_done(&f);
}

static void test_labels__volume_claim_templates(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "commonLabels:\n  app: x\n",
	                     "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: a\n"
	                     "spec:\n  volumeClaimTemplates:\n  - metadata:\n      name: d\n"
	                     "  - spec: {}\n  - null\n"
	                     "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: b\n"
	                     "spec:\n  volumeClaimTemplates: null\n  template:\n    metadata: {}\n"
	                     "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: c\n"), 0);
	/* every element gets labels, a null element stays */
	assert_non_null(strstr(tu_emit(&f, 0),
	                       "  volumeClaimTemplates:\n  - metadata:\n      labels:\n"
	                       "        app: x\n      name: d\n  - metadata:\n      labels:\n"
	                       "        app: x\n    spec: {}\n  - null\n"));
	/* null becomes an empty list; nothing is added to it */
	assert_non_null(strstr(tu_emit(&f, 1), "  volumeClaimTemplates: []\n"));
	/* an absent list is not created */
	assert_null(strstr(tu_emit(&f, 2), "volumeClaimTemplates"));
	tu_done(&f);
}

static void test_labels__nulls(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "commonLabels:\n  app: x\n",
	                     "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n"
	                     "  labels: null\nspec:\n  selector:\n    matchLabels: ~\n"
	                     "  template:\n    metadata:\n      labels:\n"), 0);
	/* created fields turn null into a mapping; a field that is not
	 * created stays null */
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: batch/v1\nkind: Job\nmetadata:\n  labels:\n"
	                    "    app: x\n  name: j\nspec:\n  selector:\n"
	                    "    matchLabels: null\n  template:\n    metadata:\n"
	                    "      labels:\n        app: x\n");
	tu_done(&f);
}

static void test_labels__networkpolicy_fan_out(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "commonLabels:\n  app: x\n",
	                     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
	                     "metadata:\n  name: n\nspec:\n  podSelector: {}\n"
	                     "  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n"
	                     "          r: a\n    - namespaceSelector: {}\n"
	                     "  - from:\n    - podSelector:\n        matchLabels:\n"
	                     "          r: b\n  - ports: []\n"
	                     "  egress:\n  - to:\n    - podSelector:\n        matchLabels: {}\n"), 0);
	const char *out = tu_emit(&f, 0);
	/* podSelector: {} is not given matchLabels (no create) */
	assert_non_null(strstr(out, "  podSelector: {}\n"));
	assert_non_null(strstr(out,
	                       "  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n"
	                       "          app: x\n          r: a\n    - namespaceSelector: {}\n"
	                       "  - from:\n    - podSelector:\n        matchLabels:\n"
	                       "          app: x\n          r: b\n  - ports: []\n"));
	assert_non_null(strstr(out, "  egress:\n  - to:\n    - podSelector:\n"
	                            "        matchLabels:\n          app: x\n"));
	tu_done(&f);
}

static void test_labels__values_are_strings(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform,
	                     "commonLabels:\n  num: \"1\"\n  b: 'true'\n  s: !!str 5\n  e:\n"
	                     "  d: 2024-01-01\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	                     "  labels:\n    num: 7\n"), 0);
	kr_node *labels = kr_map_get(kr_map_get(f.m.items[0]->doc, "metadata"), "labels");
	assert_non_null(labels);
	for (uint32_t i = 0; i < labels->u.m.len; i++)
		assert_int_equal(labels->u.m.items[i].value->tag, KR_TAG_STR);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n"
	                    "    b: \"true\"\n    d: \"2024-01-01\"\n    e: \"\"\n"
	                    "    num: \"1\"\n    s: \"5\"\n  name: c\n");
	tu_done(&f);
}

static void test_labels__kustomization_decoding_errors(void **state)
{
	(void)state;
	static const struct {
		const char *kust, *want;
	} cases[] = {
		{ "commonLabels:\n- a\n", "kustomization.yaml:2:1: invalid Kustomization: "
		  "'commonLabels' must be a map of strings, not a list" },
		{ "commonLabels: x\n", "kustomization.yaml:1:15: invalid Kustomization: "
		  "'commonLabels' must be a map of strings, not a string" },
		{ "commonLabels:\n  a: 1\n", "kustomization.yaml:2:6: invalid "
		  "Kustomization: the values of 'commonLabels' must be strings: '1' is "
		  "read as a number" },
		/* go-yaml v2 (YAML 1.1): yes, on, y are bools */
		{ "commonLabels:\n  a: yes\n", "'yes' is read as a bool" },
		{ "labels:\n- pairs:\n    a: on\n", "'labels[0].pairs' must be strings: "
		  "'on' is read as a bool" },
		{ "commonLabels:\n  a: 1_000\n", "'1_000' is read as a number" },
		{ "commonLabels:\n  a: [x]\n", "must be strings, not lists" },
		{ "commonLabels:\n  ~: x\n", "unsupported map key" },
		{ "labels:\n  pairs: {}\n", "'labels' must be a list" },
		{ "labels:\n- pairs: {a: b}\n  selectors: true\n",
		  "kustomization.yaml:3:3: invalid Kustomization: unknown field \"selectors\"" },
		{ "labels:\n- includeSelectors: \"true\"\n", "'includeSelectors' must be true "
		  "or false, not a string" },
		{ "labels:\n- fields:\n  - path: 3\n", "'path' must be a string, not a number" },
		{ "labels:\n- fields:\n  - path: a\n    creat: true\n", "unknown field \"creat\"" },
		{ "labels:\n- fields: {path: a}\n", "must be a list of field specs" },
		{ "commonAnnotations:\n  a: 1\n", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_fixture f;
		int (*fn)(kr_ctx *, kr_layer *) = cases[i].want ? kr_labels_transform
		                                                 : kr_annotations_transform;
		assert_int_equal(tu_run(&f, fn, cases[i].kust,
		                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
		                 KR_EINVALID);
		const char *want = cases[i].want ? cases[i].want
		                   : "the values of 'commonAnnotations' must be strings";
		if (!strstr(f.ctx.err.data, want))
			fail_msg("case %zu: %s\n  lacks: %s", i, f.ctx.err.data, want);
		tu_done(&f);
	}
}

static void test_labels__accepted_yaml11_shapes(void **state)
{
	(void)state;
	tu_fixture f;
	/* flags accept YAML 1.1 bools; keys are case-insensitive; null
	 * entries and null values are fine */
	assert_int_equal(tu_run(&f, kr_labels_transform,
	                     "labels:\n- null\n- Pairs:\n    a: b\n  INCLUDESELECTORS: yes\n"
	                     "  includeTemplates: null\n  fields: null\n",
	                     "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n"
	                    "    a: b\n  name: s\nspec:\n  selector:\n    a: b\n");
	tu_done(&f);
}

static void test_labels__conflicting_field_specs(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform,
	                     "labels:\n- pairs: {a: b}\n  fields:\n"
	                     "  - path: metadata/labels\n    create: false\n",
	                     "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"),
	                 KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "failed to merge labels: conflicting fieldspecs"));
	tu_done(&f);
}

static void test_labels__wrong_node_kind(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "labels:\n- pairs: {a: b}\n",
	                     "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
	                     "  labels: text\n"), KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "object Service.v1.[noGrp]/s.[noNs]"));
	assert_non_null(strstr(f.ctx.err.data, "r.yaml:5:11: considering field "
	                       "'metadata/labels': wrong node kind: expected "
	                       "MappingNode but got ScalarNode"));
	tu_done(&f);
}

/* FieldSetter with an empty name replaces a null (or scalar) field with
 * the value, and fails on a mapping. */
static void test_labels__empty_key(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform,
	                     "labels:\n- pairs: {\"\": v}\n  fields:\n"
	                     "  - path: spec/selector/matchLabels\n",
	                     "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n"
	                     "  labels: null\nspec:\n  selector:\n    matchLabels: null\n"),
	                 KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "expected ScalarNode but got MappingNode"));
	tu_done(&f);
}

/* A new key that reads back as a number cannot be printed by kustomize;
 * replacing an existing one is fine. */
static void test_labels__numeric_key(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform, "labels:\n- pairs: {\"1\": v}\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"),
	                 KR_EINVALID);
	assert_non_null(strstr(f.ctx.err.data, "label key '1'"));
	tu_done(&f);
	assert_int_equal(tu_run(&f, kr_labels_transform, "labels:\n- pairs: {\"1\": v}\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	                     "  labels:\n    \"1\": w\n"), 0);
	assert_non_null(strstr(tu_emit(&f, 0), "    \"1\": v\n"));
	tu_done(&f);
}

static void test_labels__common_labels_win_and_order(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_labels_transform,
	                     "labels:\n- pairs: {k: one}\n- pairs: {k: two, z: z}\n"
	                     "commonLabels: {k: three}\n",
	                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n"
	                    "    k: three\n    z: z\n  name: c\n");
	tu_done(&f);
}

static void test_annotations__templates(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_annotations_transform,
	                     "commonAnnotations:\n  a: \"1\"\n  b:\n",
	                     "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\n"
	                     "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"), 0);
	assert_string_equal(tu_emit(&f, 0),
	                    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
	                    "  annotations:\n    a: \"1\"\n    b: \"\"\n  name: d\nspec:\n"
	                    "  template:\n    metadata:\n      annotations:\n"
	                    "        a: \"1\"\n        b: \"\"\n");
	assert_string_equal(tu_emit(&f, 1),
	                    "apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n"
	                    "    a: \"1\"\n    b: \"\"\n  name: s\n");
	tu_done(&f);
}

static void test_annotations__absent_or_empty_is_a_no_op(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_annotations_transform, "commonAnnotations: {}\n",
	                     "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"), 0);
	assert_string_equal(tu_emit(&f, 0), "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n");
	tu_done(&f);
	assert_int_equal(tu_run(&f, kr_labels_transform, "commonLabels: {}\nlabels: []\n",
	                     "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"), 0);
	assert_string_equal(tu_emit(&f, 0), "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n");
	tu_done(&f);
}

/* The deprecation warning comes from the loader, for a commonLabels map. */

static void test_labels__deprecation_warning(void **state)
{
	(void)state;
	char dir[] = "/tmp/kr-labels-XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const struct {
		const char *text;
		int warns;
	} cases[] = {
		{ "commonLabels:\n  a: b\n", 1 },
		{ "commonLabels: {}\nresources: []\n", 1 },
		{ "commonLabels:\nresources: []\n", 0 },
		{ "commonLabels:\n  a: 1\n", 0 },     /* kustomize fails first */
		{ "labels:\n- pairs: {a: b}\n", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[300];
		snprintf(path, sizeof(path), "%s/kustomization.yaml", dir);
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(cases[i].text, fp);
		fclose(fp);
		kr_build_options o = KR_BUILD_OPTIONS_INIT;
		o.warn = tu_count_warning;
		tu_warnings = 0;
		tu_last_warning[0] = '\0';
		kr_ctx ctx;
		kr_ctx_init(&ctx, &o);
		kr_kustomization k;
		assert_int_equal(kr_kustomization_load(&ctx, ".", dir, &k), 0);
		if (tu_warnings != cases[i].warns)
			fail_msg("case %zu: %d warnings", i, tu_warnings);
		if (cases[i].warns)
			assert_string_equal(tu_last_warning,
			                    "# Warning: 'commonLabels' is deprecated. Please use "
			                    "'labels' instead. Run 'kustomize edit fix' to update "
			                    "your Kustomization automatically.");
		kr_ctx_free(&ctx);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels__selectors_created_only_where_spec_says),
		cmocka_unit_test(test_labels__include_templates_not_selectors),
		cmocka_unit_test(test_labels__plain_entry_metadata_only),
		cmocka_unit_test(test_labels__volume_claim_templates),
		cmocka_unit_test(test_labels__nulls),
		cmocka_unit_test(test_labels__networkpolicy_fan_out),
		cmocka_unit_test(test_labels__values_are_strings),
		cmocka_unit_test(test_labels__kustomization_decoding_errors),
		cmocka_unit_test(test_labels__accepted_yaml11_shapes),
		cmocka_unit_test(test_labels__conflicting_field_specs),
		cmocka_unit_test(test_labels__wrong_node_kind),
		cmocka_unit_test(test_labels__empty_key),
		cmocka_unit_test(test_labels__numeric_key),
		cmocka_unit_test(test_labels__common_labels_win_and_order),
		cmocka_unit_test(test_annotations__templates),
		cmocka_unit_test(test_annotations__absent_or_empty_is_a_no_op),
		cmocka_unit_test(test_labels__deprecation_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
