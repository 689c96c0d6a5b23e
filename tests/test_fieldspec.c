/*
 * test_fieldspec.c - the field-spec walker (paths, fan-out over sequences,
 * "[]" segments, creation rules, nulls, scalars in the way), kind
 * selection, list merging with conflicts, and name references.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "emit.h"
#include "fieldspec.h"
#include "nameref.h"
#include "parse.h"
#include "tconfig.h"

static kr_node *doc(kr_ctx *ctx, const char *yaml)
{
	kr_doclist l = { 0 };
	if (kr_yaml_parse(ctx, "t.yaml", yaml, strlen(yaml), 0, &l) != 0 || l.len != 1)
		fail_msg("cannot parse %s", yaml);
	return l.docs[0];
}

/* Render a node as kustomize would, for compact assertions. */
static char *render(kr_node *n)
{
	static char out[8192];
	kr_buf b = KR_BUF_INIT;
	const char *err;
	assert_int_equal(kr_emit_document(&b, n, &err), 0);
	snprintf(out, sizeof(out), "%s", b.data);
	kr_buf_free(&b);
	return out;
}

static int count_visit(kr_ctx *ctx, kr_pair *field, void *ud)
{
	(void)ctx;
	(void)field;
	(*(int *)ud)++;
	return 0;
}

static int set_x(kr_ctx *ctx, kr_pair *field, void *ud)
{
	(void)ud;
	if (field->value->type == KR_MAP)
		return kr_map_set(&ctx->arena, field->value, "x", kr_node_str(&ctx->arena, "1"));
	field->value = kr_node_str(&ctx->arena, "X");
	return 0;
}

static void test_fieldspec__fan_out_over_sequences(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *d = doc(&ctx, "spec:\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {a: b}}\n"
	                       "    - podSelector: {matchLabels: {c: d}}\n  - from:\n"
	                       "    - ipBlock: {}\n    - podSelector: {matchLabels: {}}\n");
	kr_fieldspec fs = { "", "", "", "spec/ingress/from/podSelector/matchLabels", 0 };
	int n = 0;
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &fs, KR_CREATE_MAP, count_visit, &n), 0);
	assert_int_equal(n, 3); /* the ipBlock element has no podSelector */
	kr_ctx_free(&ctx);
}

static void test_fieldspec__create_rules(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *d = doc(&ctx, "metadata: {name: a}\n");
	kr_fieldspec no = { "", "", "", "spec/selector/matchLabels", 0 };
	kr_fieldspec yes = { "", "", "", "spec/selector/matchLabels", 1 };
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &no, KR_CREATE_MAP, set_x, NULL), 0);
	assert_null(kr_map_get(d, "spec"));
	/* a transformer that never creates does not, even if the spec says so */
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &yes, KR_CREATE_NOTHING, set_x, NULL), 0);
	assert_null(kr_map_get(d, "spec"));
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &yes, KR_CREATE_MAP, set_x, NULL), 0);
	assert_string_equal(render(d), "metadata:\n  name: a\nspec:\n  selector:\n"
	                               "    matchLabels:\n      x: \"1\"\n");
	/* scalar creation at the end of the path */
	kr_fieldspec ns = { "", "", "", "metadata/namespace", 1 };
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &ns, KR_CREATE_SCALAR, set_x, NULL), 0);
	assert_string_equal(kr_node_get_str(d, "metadata", "namespace", NULL), "X");
	kr_ctx_free(&ctx);
}

static void test_fieldspec__seq_segments_never_created(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *d = doc(&ctx, "spec: {template: {spec: {}}}\n");
	kr_fieldspec fs = { "", "", "", "spec/template/spec/containers[]/image", 1 };
	int n = 0;
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &fs, KR_CREATE_SCALAR, count_visit, &n), 0);
	assert_int_equal(n, 0);
	assert_null(kr_map_get(kr_map_get(kr_map_get(d, "spec"), "template"), "containers"));
	kr_node *d2 = doc(&ctx, "spec:\n  containers:\n  - {image: a}\n  - {name: b}\n");
	kr_fieldspec fs2 = { "", "", "", "spec/containers[]/image", 1 };
	assert_int_equal(kr_fieldspec_walk(&ctx, d2, &fs2, KR_CREATE_SCALAR, set_x, NULL), 0);
	/* created in the element that lacked it: the end of the path is created */
	assert_string_equal(render(d2), "spec:\n  containers:\n  - image: X\n  - image: X\n    name: b\n");
	kr_ctx_free(&ctx);
}

static void test_fieldspec__nulls_and_scalars_in_the_way(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *d = doc(&ctx, "metadata:\n  labels: ~\nspec: ~\n");
	kr_fieldspec labels = { "", "", "", "metadata/labels", 1 };
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &labels, KR_CREATE_MAP, set_x, NULL), 0);
	assert_string_equal(render(d), "metadata:\n  labels:\n    x: \"1\"\nspec: null\n");
	/* a null on the way ends the walk quietly */
	kr_fieldspec under_null = { "", "", "", "spec/selector", 0 };
	int n = 0;
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &under_null, KR_CREATE_MAP, count_visit, &n), 0);
	assert_int_equal(n, 0);
	/* a scalar on the way is an error naming the path */
	kr_node *d2 = doc(&ctx, "spec: hello\n");
	kr_fieldspec fs = { "", "", "", "spec/selector/matchLabels", 0 };
	assert_int_equal(kr_fieldspec_walk(&ctx, d2, &fs, KR_CREATE_MAP, count_visit, &n), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "t.yaml:1:7:"));
	assert_non_null(strstr(ctx.err.data, "spec/selector/matchLabels"));
	kr_ctx_free(&ctx);
}

static void test_fieldspec__escaped_slash(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_node *d = doc(&ctx, "metadata:\n  annotations:\n    a.io/b: old\n");
	kr_fieldspec fs = { "", "", "", "metadata/annotations/a.io\\/b", 0 };
	assert_int_equal(kr_fieldspec_walk(&ctx, d, &fs, KR_CREATE_SCALAR, set_x, NULL), 0);
	assert_string_equal(render(d), "metadata:\n  annotations:\n    a.io/b: X\n");
	kr_ctx_free(&ctx);
}

static void test_fieldspec__selects_by_gvk(void **state)
{
	(void)state;
	kr_resid deploy = { "apps", "v1", "Deployment", "d", "" };
	kr_resid svc = { "", "v1", "Service", "s", "" };
	kr_fieldspec any = { "", "", "", "p", 0 };
	kr_fieldspec apps = { "apps", "", "", "p", 0 };
	kr_fieldspec svcv1 = { "", "v1", "Service", "p", 0 };
	kr_fieldspec deploy_v2 = { "", "v2", "Deployment", "p", 0 };
	assert_true(kr_fieldspec_selects(&any, &deploy));
	assert_true(kr_fieldspec_selects(&apps, &deploy));
	assert_false(kr_fieldspec_selects(&apps, &svc));
	assert_true(kr_fieldspec_selects(&svcv1, &svc));
	assert_false(kr_fieldspec_selects(&deploy_v2, &deploy));
}

static void test_fieldspec__merge_and_conflicts(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_fslist l = { 0 };
	kr_fieldspec a = { "", "", "Deployment", "spec/x", 1 };
	kr_fieldspec same = { "", "", "Deployment", "spec/x", 1 };
	kr_fieldspec other_kind = { "", "", "Job", "spec/x", 0 };
	kr_fieldspec conflict = { "", "", "Deployment", "spec/x", 0 };
	assert_int_equal(kr_fslist_add(&ctx, &l, &a), 0);
	assert_int_equal(kr_fslist_add(&ctx, &l, &same), 0);
	assert_int_equal(kr_fslist_add(&ctx, &l, &other_kind), 0);
	assert_int_equal(l.len, 2);
	assert_int_equal(kr_fslist_add(&ctx, &l, &conflict), KR_EINVALID);
	assert_non_null(strstr(ctx.err.data, "conflicting fieldspecs"));
	kr_ctx_free(&ctx);
}

static void test_fieldspec__default_config_tables(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_tconfig tc;
	assert_int_equal(kr_tconfig_init_default(&ctx, &tc), 0);
	assert_int_equal(tc.name_prefix.len, 1);
	assert_string_equal(tc.name_prefix.items[0].path, "metadata/name");
	assert_true(tc.common_labels.len > 20);
	assert_true(tc.name_reference_len > 10);
	/* kustomize's IngressClass entry with a version inside its group */
	int found = 0;
	for (size_t i = 0; i < tc.name_reference_len; i++)
		if (!strcmp(tc.name_reference[i].kind, "IngressClass"))
			found = !strcmp(tc.name_reference[i].group, "networking.k8s.io/v1");
	assert_true(found);
	kr_ctx_free(&ctx);
}

static void test_fieldspec__nameref_follows_renames(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_tconfig tc;
	assert_int_equal(kr_tconfig_init_default(&ctx, &tc), 0);
	kr_resmap m = { 0 };
	kr_resource *cm = kr_resource_new(&ctx.arena, doc(&ctx,
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"));
	kr_resource *pod = kr_resource_new(&ctx.arena, doc(&ctx,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n"
		"  - name: v\n    configMap: {name: cfg}\n  - name: w\n    configMap: {name: other}\n"));
	assert_int_equal(kr_resmap_append(&ctx, &m, cm), 0);
	assert_int_equal(kr_resmap_append(&ctx, &m, pod), 0);
	/* rename the ConfigMap as the prefix transformer does */
	assert_int_equal(kr_resource_store_previous_id(&ctx.arena, cm), 0);
	assert_int_equal(kr_resource_add_prefix(&ctx.arena, cm, "x-"), 0);
	kr_map_set(&ctx.arena, kr_map_get(cm->doc, "metadata"), "name", kr_node_str(&ctx.arena, "x-cfg"));
	assert_int_equal(kr_resource_refresh_id(&ctx.arena, cm), 0);
	assert_int_equal(kr_nameref_fix(&ctx, &m, &tc), 0);
	kr_node *vols = kr_map_get(kr_map_get(pod->doc, "spec"), "volumes");
	assert_string_equal(kr_node_get_str(vols->u.q.items[0], "configMap", "name", NULL), "x-cfg");
	assert_string_equal(kr_node_get_str(vols->u.q.items[1], "configMap", "name", NULL), "other");
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fieldspec__fan_out_over_sequences),
		cmocka_unit_test(test_fieldspec__create_rules),
		cmocka_unit_test(test_fieldspec__seq_segments_never_created),
		cmocka_unit_test(test_fieldspec__nulls_and_scalars_in_the_way),
		cmocka_unit_test(test_fieldspec__escaped_slash),
		cmocka_unit_test(test_fieldspec__selects_by_gvk),
		cmocka_unit_test(test_fieldspec__merge_and_conflicts),
		cmocka_unit_test(test_fieldspec__default_config_tables),
		cmocka_unit_test(test_fieldspec__nameref_follows_renames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
