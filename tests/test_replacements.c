/*
 * test_replacements.c - kyaml's field-path splitter (SmarterPathSplitter),
 * the source lookup (PathGetter) and the target matcher (PathMatcher) as
 * the replacements transformer uses them, and the transformer on small
 * inputs.  Expected values come from kubectl kustomize runs (see the
 * repl_* golden cases for the full outputs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "replacements.h"
#include "tutil.h"

/* Split `path` and join the parts with '|' for comparison. */
static const char *split(kr_ctx *ctx, const char *path)
{
	char **parts;
	size_t n;
	static char out[512];
	assert_int_equal(kr_repl_split_path(&ctx->arena, path, &parts, &n), 0);
	assert_true(n >= 1);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, "|");
		strcat(out, parts[i]);
	}
	return out;
}

static void test_split(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	assert_string_equal(split(&ctx, "a.b.c"), "a|b|c");
	assert_string_equal(split(&ctx, ""), "");
	/* a leading dot is dropped, an empty middle part is kept */
	assert_string_equal(split(&ctx, ".a.b"), "a|b");
	assert_string_equal(split(&ctx, "a..b"), "a||b");
	assert_string_equal(split(&ctx, "/a.b"), "/a|b");
	/* escaped dots */
	assert_string_equal(split(&ctx, "a\\.b.c"), "a.b|c");
	assert_string_equal(split(&ctx, "a\\.b\\.c"), "a.b.c");
	/* list selectors keep their brackets and dots */
	assert_string_equal(split(&ctx, "spec.containers.[name=a.b].image"),
	                    "spec|containers|[name=a.b]|image");
	assert_string_equal(split(&ctx, "x.[=v]"), "x|[=v]");
	/* a bracketed key with dots loses its brackets */
	assert_string_equal(split(&ctx, "metadata.annotations.[a.b/c]"),
	                    "metadata|annotations|a.b/c");
	assert_string_equal(split(&ctx, "a.[x.y"), "a|x.y");
	assert_string_equal(split(&ctx, "a.[[x.y]]"), "a|x.y");
	/* ... but a one-part bracket stays as it is */
	assert_string_equal(split(&ctx, "a.[z]"), "a|[z]");
	kr_ctx_free(&ctx);
}

static const char *const doc_text =
	"apiVersion: v1\n"
	"kind: ConfigMap\n"
	"metadata:\n"
	"  name: src\n"
	"data:\n"
	"  word: abc\n"
	"  nothing: ~\n"
	"  list:\n"
	"  - name: one\n"
	"    v: \"1\"\n"
	"  - name: two\n"
	"    v: \"2\"\n"
	"  prims: [p1, p2, p3]\n"
	"  x.y: dotted\n";

static kr_node *load_doc(kr_ctx *ctx)
{
	kr_doclist d = { 0 };
	kr_ctx_init(ctx, NULL);
	assert_int_equal(kr_yaml_parse_resources(ctx, "r.yaml", doc_text,
	                                         strlen(doc_text), &d), 0);
	assert_int_equal(d.len, 1);
	return d.docs[0];
}

/* The text at `path` (a source lookup), "<missing>", or "<error>". */
static const char *lookup(kr_ctx *ctx, kr_node *doc, const char *path)
{
	char **parts;
	size_t n;
	kr_node *out;
	assert_int_equal(kr_repl_split_path(&ctx->arena, path, &parts, &n), 0);
	if (kr_repl_lookup(ctx, doc, parts, n, &out) < 0)
		return "<error>";
	if (!out)
		return "<missing>";
	return out->type == KR_SCALAR ? out->u.s.str : "<collection>";
}

static void test_lookup(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_node *doc = load_doc(&ctx);
	assert_string_equal(lookup(&ctx, doc, "data.word"), "abc");
	assert_string_equal(lookup(&ctx, doc, " data . word "), "abc");
	assert_string_equal(lookup(&ctx, doc, "data..word"), "abc");
	assert_string_equal(lookup(&ctx, doc, "data.x\\.y"), "dotted");
	assert_string_equal(lookup(&ctx, doc, "data.[x.y]"), "dotted");
	assert_string_equal(lookup(&ctx, doc, "data.prims.1"), "p2");
	assert_string_equal(lookup(&ctx, doc, "data.prims.+1"), "p2");
	assert_string_equal(lookup(&ctx, doc, "data.prims.01"), "p2");
	assert_string_equal(lookup(&ctx, doc, "data.prims.-"), "p3");
	assert_string_equal(lookup(&ctx, doc, "data.prims.9"), "<missing>");
	assert_string_equal(lookup(&ctx, doc, "data.prims.[=p2]"), "p2");
	/* sources match [k=v] exactly, not as regular expressions */
	assert_string_equal(lookup(&ctx, doc, "data.prims.[=p]"), "<missing>");
	assert_string_equal(lookup(&ctx, doc, "data.list.[name=two].v"), "2");
	assert_string_equal(lookup(&ctx, doc, "data.list.[name=tw].v"), "<missing>");
	assert_string_equal(lookup(&ctx, doc, "data.list.[v=1].name"), "one");
	assert_string_equal(lookup(&ctx, doc, "data.list.[name=two]"), "<collection>");
	assert_string_equal(lookup(&ctx, doc, "data.nothing.deeper"), "<missing>");
	assert_string_equal(lookup(&ctx, doc, "data.nope"), "<missing>");
	assert_string_equal(lookup(&ctx, doc, "/data.word"), "<missing>");
	/* errors, as kyaml's */
	assert_string_equal(lookup(&ctx, doc, "data.prims.-1"), "<error>");
	assert_non_null(strstr(ctx.err.data, "array index -1 cannot be negative"));
	assert_string_equal(lookup(&ctx, doc, "data.list.*"), "<error>");
	assert_non_null(strstr(ctx.err.data, "wildcard is not supported"));
	assert_string_equal(lookup(&ctx, doc, "data.[z]"), "<error>");
	assert_non_null(strstr(ctx.err.data, "fieldName=fieldValue"));
	assert_string_equal(lookup(&ctx, doc, "data.list.name"), "<error>");
	assert_non_null(strstr(ctx.err.data, "r.yaml:9:3: wrong node kind: expected "
	                       "MappingNode but got SequenceNode"));
	assert_string_equal(lookup(&ctx, doc, "data.word.x"), "<error>");
	assert_non_null(strstr(ctx.err.data, "expected MappingNode but got ScalarNode"));
	kr_ctx_free(&ctx);
}

/* The targets `path` leads to, as their texts joined by '|' (collections
 * as "{}" and "[]"); "<error>" on an error. */
static const char *match(kr_ctx *ctx, kr_node *doc, const char *path, int create)
{
	static char out[512];
	char **parts;
	size_t n;
	kr_repl_nodes found = { 0 };
	found.file = "k.yaml";
	assert_int_equal(kr_repl_split_path(&ctx->arena, path, &parts, &n), 0);
	if (kr_repl_match(ctx, doc, parts, n, create, &found) < 0)
		return "<error>";
	out[0] = '\0';
	for (size_t i = 0; i < found.len; i++) {
		const kr_node *x = found.items[i];
		if (i)
			strcat(out, "|");
		strcat(out, x->type == KR_SCALAR ? x->u.s.str
		            : x->type == KR_MAP ? "{}" : "[]");
	}
	return out;
}

static const char *const workload =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: d\n"
	"spec:\n"
	"  args: [--x, --y, --xx]\n"
	"  nothing:\n"
	"  containers:\n"
	"  - name: app\n"
	"    image: nginx\n"
	"    env:\n"
	"    - {name: A, value: a}\n"
	"    - {name: B, value: b}\n"
	"  - name: myapp-sidecar\n"
	"    image: busybox\n"
	"    env:\n"
	"    - {name: A, value: a2}\n"
	"  - name: other\n"
	"    image: alpine\n";

static kr_node *load_workload(kr_ctx *ctx)
{
	kr_doclist d = { 0 };
	kr_ctx_init(ctx, NULL);
	assert_int_equal(kr_yaml_parse_resources(ctx, "w.yaml", workload,
	                                         strlen(workload), &d), 0);
	return d.docs[0];
}

static void test_match(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_node *doc = load_workload(&ctx);
	assert_string_equal(match(&ctx, doc, "metadata.name", 0), "d");
	/* [k=v] is an unanchored regular expression in targets */
	assert_string_equal(match(&ctx, doc, "spec.containers.[name=app].image", 0),
	                    "nginx|busybox");
	assert_string_equal(match(&ctx, doc, "spec.containers.[name=^app$].image", 0),
	                    "nginx");
	assert_string_equal(match(&ctx, doc, "spec.containers.[image=.*box].name", 0),
	                    "myapp-sidecar");
	assert_string_equal(match(&ctx, doc, "spec.args.[=--x]", 0), "--x|--xx");
	assert_string_equal(match(&ctx, doc, "spec.containers.*.env.[name=A].value", 0),
	                    "a|a2");
	assert_string_equal(match(&ctx, doc, "spec.containers.*.image", 0),
	                    "nginx|busybox|alpine");
	assert_string_equal(match(&ctx, doc, "spec.args.1", 0), "--y");
	assert_string_equal(match(&ctx, doc, ".spec.args.+2", 0), "--xx");
	/* nothing found: no error, no match */
	assert_string_equal(match(&ctx, doc, "spec.missing.deep", 0), "");
	assert_string_equal(match(&ctx, doc, "spec.containers.*.env.[name=C].value", 0),
	                    "");
	assert_string_equal(match(&ctx, doc, "spec.nothing.x", 0), "");
	/* errors */
	assert_string_equal(match(&ctx, doc, "spec.args.3", 0), "<error>");
	assert_non_null(strstr(ctx.err.data, "index 3 specified but only 3 elements found"));
	assert_string_equal(match(&ctx, doc, "spec.args.x", 0), "<error>");
	assert_non_null(strstr(ctx.err.data, "w.yaml:6:9: wrong node kind: expected "
	                       "MappingNode but got SequenceNode"));
	assert_string_equal(match(&ctx, doc, "spec.*", 0), "<error>");
	assert_non_null(strstr(ctx.err.data, "expected SequenceNode but got MappingNode"));
	assert_string_equal(match(&ctx, doc, "spec..args", 0), "<error>");
	assert_non_null(strstr(ctx.err.data, "expected ScalarNode but got MappingNode"));
	assert_string_equal(match(&ctx, doc, "spec.containers.[name=(].image", 0),
	                    "<error>");
	assert_non_null(strstr(ctx.err.data, "error parsing regexp"));
	kr_ctx_free(&ctx);
}

static void test_match_create(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_node *doc = load_workload(&ctx);
	kr_node *spec = kr_map_get(doc, "spec");
	/* a missing leaf is made with the kind asked for */
	assert_string_equal(match(&ctx, doc, "spec.new.deep", KR_SCALAR), "");
	kr_node *deep = kr_map_get(kr_map_get(spec, "new"), "deep");
	assert_non_null(deep);
	assert_int_equal(deep->type, KR_SCALAR);
	assert_string_equal(match(&ctx, doc, "spec.newmap", KR_MAP), "{}");
	/* intermediate parts: a list before an index or a [k=v] */
	assert_string_equal(match(&ctx, doc, "spec.volumes.0.name", KR_SCALAR), "");
	assert_int_equal(kr_map_get(spec, "volumes")->type, KR_SEQ);
	assert_string_equal(match(&ctx, doc, "spec.ports.[name=http].port", KR_SCALAR), "");
	kr_node *ports = kr_map_get(spec, "ports");
	assert_int_equal(ports->type, KR_SEQ);
	assert_int_equal(ports->u.q.len, 1);
	assert_string_equal(kr_node_get_str(ports->u.q.items[0], "name", NULL), "http");
	/* the element one past the end is appended, not further ones */
	assert_string_equal(match(&ctx, doc, "spec.args.3", KR_SCALAR), "");
	assert_int_equal(kr_map_get(spec, "args")->u.q.len, 4);
	assert_string_equal(match(&ctx, doc, "spec.args.9", KR_SCALAR), "<error>");
	/* [=v] appends the scalar itself and finds it */
	assert_string_equal(match(&ctx, doc, "spec.flags.[=--on]", KR_SCALAR), "--on");
	/* an existing element is found, not made again */
	assert_string_equal(match(&ctx, doc, "spec.containers.[name=other].env.[name=X].value",
	                          KR_SCALAR), "");
	assert_string_equal(match(&ctx, doc, "spec.containers.[name=other].env.[name=X].value",
	                          KR_SCALAR), "");
	kr_node *c = kr_map_get(spec, "containers")->u.q.items[2];
	assert_int_equal(kr_map_get(c, "env")->u.q.len, 1);
	/* under a null, kyaml makes the field where no one sees it */
	assert_string_equal(match(&ctx, doc, "spec.nothing.x", KR_SCALAR), "");
	assert_int_equal(kr_map_get(spec, "nothing")->type, KR_SCALAR);
	kr_ctx_free(&ctx);
}

static const char *const kust_basic =
	"replacements:\n"
	"- source: {kind: ConfigMap, fieldPath: data.port}\n"
	"  targets:\n"
	"  - select: {kind: Deployment}\n"
	"    fieldPaths: [spec.replicas, metadata.labels.port, spec.made]\n"
	"    options: {create: true}\n";

static const char *const res_basic =
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: \"3\"\n"
	"---\n"
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	"  labels: {port: x}\nspec:\n  replicas: 1\n";

static void test_transform_types(void **state)
{
	(void)state;
	tu_fixture f;
	assert_int_equal(tu_run(&f, kr_replacements_transform, kust_basic, res_basic), 0);
	/* an int stays an int, a string a string; a made field is plain YAML */
	assert_string_equal(tu_emit(&f, 1),
	                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
	                    "  labels:\n    port: \"3\"\n  name: d\nspec:\n"
	                    "  made: 3\n  replicas: 3\n");
	tu_done(&f);
}

static void test_transform_errors(void **state)
{
	(void)state;
	static const struct {
		const char *kust, *msg;
	} cases[] = {
		{ "replacements:\n- source: {kind: Nope}\n  targets: [{select: {}}]\n",
		  "nothing selected by Nope.[noVer].[noGrp]/[noName].[noNs]" },
		{ "replacements:\n- source: {version: v1}\n  targets: [{select: {}}]\n",
		  "kustomization.yaml:2:3: replacements[0]: multiple matches for selector "
		  "[noKind].v1.[noGrp]/[noName].[noNs]" },
		{ "replacements:\n- source: {kind: ConfigMap}\n",
		  "replacements must specify a source and at least one target" },
		{ "replacements:\n- source: {kind: ConfigMap, fieldPath: data.port}\n"
		  "  targets: [{select: {kind: Deployment}, fieldPaths: [spec.nope]}]\n",
		  "unable to find field \"spec.nope\" in replacement target" },
		{ "replacements:\n- source: {kind: ConfigMap, fieldPath: data.nope}\n"
		  "  targets: [{select: {kind: Deployment}}]\n",
		  "fieldPath `data.nope` is missing for replacement source" },
		{ "replacements:\n- source: {kind: ConfigMap, fieldPath: metadata.name}\n"
		  "  targets: [{select: {kind: Deployment}, fieldPaths: [spec.replicas]}]\n",
		  "cannot decode !!str `c` as a !!int" },
		{ "replacements:\n- source: {kind: ConfigMap, options: {delimiter: x}}\n"
		  "  targets: [{select: {kind: Deployment}, reject: [~]}]\n",
		  "reject[0] must be a selector, not null" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_fixture f;
		assert_true(tu_run(&f, kr_replacements_transform, cases[i].kust, res_basic) < 0);
		if (!strstr(f.ctx.err.data, cases[i].msg))
			fail_msg("case %zu: '%s' not in '%s'", i, cases[i].msg, f.ctx.err.data);
		tu_done(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_create),
		cmocka_unit_test(test_transform_types),
		cmocka_unit_test(test_transform_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
