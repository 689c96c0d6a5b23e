/*
 * test_smp.c - strategic merge (smp.c, patch_smp.c, smp_schema.c).
 *
 * The table: every fixtures/smp/<case>/ holds base.yaml (one object),
 * patch.yaml and optionally `target`, with the reference's output
 * (expected.yaml) or failure (expected.err) made by kubectl kustomize
 * through fixtures/smp/regen.sh.  Each case runs the `patches`
 * transformer with the patch inline and compares the emitted object.
 * Then the schema lookups and a custom OpenAPI schema.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tutil.h"
#include "patch_smp.h"
#include "smp.h"
#include "smp_schema.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[len] = '\0';
	return buf;
}

/* Append `text` to `out`, every line indented by `ind` spaces. */
static void indent(char *out, size_t cap, const char *text, int ind)
{
	size_t o = strlen(out);
	int bol = 1;
	for (const char *p = text; *p && o + ind + 2 < cap; p++) {
		if (bol && *p != '\n')
			for (int i = 0; i < ind; i++)
				out[o++] = ' ';
		out[o++] = *p;
		bol = *p == '\n';
	}
	out[o] = '\0';
}

static int run_case(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/smp/%s/base.yaml", KR_FIXTURES, name);
	char *base = slurp(path);
	snprintf(path, sizeof path, "%s/smp/%s/patch.yaml", KR_FIXTURES, name);
	char *patch = slurp(path);
	snprintf(path, sizeof path, "%s/smp/%s/target", KR_FIXTURES, name);
	char *target = slurp(path);
	snprintf(path, sizeof path, "%s/smp/%s/expected.yaml", KR_FIXTURES, name);
	char *want = slurp(path);
	assert_non_null(base);
	assert_non_null(patch);
	static char kust[16384];
	snprintf(kust, sizeof kust, "patches:\n- patch: |\n");
	indent(kust, sizeof kust, patch, 4);
	if (target) {
		strcat(kust, "  target:\n");
		indent(kust, sizeof kust, target, 4);
	}
	tu_fixture f;
	int rc = tu_run(&f, kr_patches_transform, kust, base);
	int ok;
	if (!want) {
		/* the reference fails: so must we, with a message */
		ok = rc < 0 && f.ctx.err.len > 0;
		if (!ok)
			print_error("%s: expected a failure\n", name);
	} else if (rc < 0) {
		print_error("%s: %s\n", name, f.ctx.err.data);
		ok = 0;
	} else {
		const char *got = f.m.len ? tu_emit(&f, 0) : "";
		ok = !strcmp(got, want);
		if (!ok)
			print_error("%s: got\n%s\nwant\n%s\n", name, got, want);
	}
	tu_done(&f);
	free(base);
	free(patch);
	free(target);
	free(want);
	return ok;
}

static void test_table(void **state)
{
	(void)state;
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/smp", KR_FIXTURES);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0, bad = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "regen.sh"))
			continue;
		n++;
		if (!run_case(e->d_name))
			bad++;
	}
	closedir(d);
	assert_true(n >= 40);
	assert_int_equal(bad, 0);
}

static void test_builtin_schema(void **state)
{
	(void)state;
	const kr_schema *dep = kr_schema_for_type(&kr_smp_builtin, "apps/v1", "Deployment");
	assert_non_null(dep);
	assert_null(kr_schema_for_type(&kr_smp_builtin, "apps/v1", "Nope"));
	assert_null(kr_schema_for_type(&kr_smp_builtin, "extensions/v1beta1", "Deployment"));
	const kr_schema *c = kr_schema_field(kr_schema_field(kr_schema_field(
		kr_schema_field(dep, "spec"), "template"), "spec"), "containers");
	assert_non_null(c);
	assert_true(kr_schema_merges(c));
	assert_string_equal(c->keys[0], "name");
	assert_null(c->keys[1]);
	const kr_schema *ports = kr_schema_field(kr_schema_elements(c), "ports");
	assert_true(kr_schema_merges(ports));
	assert_string_equal(ports->keys[0], "containerPort");
	assert_string_equal(ports->keys[1], "protocol");
	/* args has no strategy: replaced */
	assert_false(kr_schema_merges(kr_schema_field(kr_schema_elements(c), "args")));
	/* an unknown field has no schema; a known field without merge lists
	 * below is opaque (and so are its fields) */
	assert_null(kr_schema_field(kr_schema_field(dep, "spec"), "bogus"));
	const kr_schema *cm = kr_schema_for_type(&kr_smp_builtin, "v1", "ConfigMap");
	assert_non_null(cm);
	/* every kind's metadata has merge lists (ownerReferences by uid) */
	assert_false(cm->opaque);
	assert_string_equal(kr_schema_field(kr_schema_field(cm, "metadata"),
	                                    "ownerReferences")->keys[0], "uid");
	const kr_schema *data = kr_schema_field(cm, "data");
	assert_true(data->opaque);
	assert_true(kr_schema_field(data, "anything")->opaque);
	/* volumes: "merge,retainKeys" counts as merge */
	const kr_schema *vol = kr_schema_field(kr_schema_field(kr_schema_field(
		kr_schema_field(dep, "spec"), "template"), "spec"), "volumes");
	assert_true(kr_schema_merges(vol));
}

static void test_custom_schema(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"definitions\": {\n"
		" \"w.Widget\": {\"type\": \"object\", \"properties\": {\n"
		"   \"spec\": {\"$ref\": \"#/definitions/w.Spec\"}},\n"
		"   \"x-kubernetes-group-version-kind\": [{\"group\": \"example.com\",\n"
		"     \"kind\": \"Widget\", \"version\": \"v1\"}]},\n"
		" \"w.Spec\": {\"type\": \"object\", \"properties\": {\n"
		"   \"items\": {\"type\": \"array\", \"items\": {\"type\": \"object\"},\n"
		"     \"x-kubernetes-patch-strategy\": \"merge\",\n"
		"     \"x-kubernetes-patch-merge-key\": \"id\"},\n"
		"   \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}}}}\n";
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist docs = { 0 };
	assert_int_equal(kr_yaml_parse(&ctx, "s.json", doc, strlen(doc),
	                               KR_YAML_FIRST_DOC_ONLY, &docs), 0);
	kr_schema_set set;
	assert_int_equal(kr_schema_set_from_doc(&ctx, "s.json", docs.docs[0], &set), 0);
	assert_int_equal(set.nroots, 1);
	const kr_schema *w = kr_schema_for_type(&set, "example.com/v1", "Widget");
	assert_non_null(w);
	const kr_schema *items = kr_schema_field(kr_schema_field(w, "spec"), "items");
	assert_true(kr_schema_merges(items));
	assert_string_equal(items->keys[0], "id");
	assert_false(kr_schema_merges(kr_schema_field(kr_schema_field(w, "spec"), "tags")));

	/* merge with it: items by id, tags replaced */
	static const char base[] =
		"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
		"spec:\n  items:\n  - id: a\n    v: 1\n  - id: b\n    v: 2\n  tags: [x, y]\n";
	static const char patch[] =
		"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
		"spec:\n  items:\n  - id: b\n    v: 3\n  tags: [z]\n";
	kr_doclist bd = { 0 }, pd = { 0 };
	assert_int_equal(kr_yaml_parse(&ctx, "b", base, strlen(base), 0, &bd), 0);
	assert_int_equal(kr_yaml_parse(&ctx, "p", patch, strlen(patch), 0, &pd), 0);
	kr_node *out;
	assert_int_equal(kr_smp_merge(&ctx, &set, "test", pd.docs[0], bd.docs[0], &out), 0);
	kr_buf b = { 0 };
	const char *err = NULL;
	assert_int_equal(kr_emit_document(&b, out, &err), 0);
	kr_buf_putc(&b, '\0');
	assert_string_equal(b.data,
		"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
		"spec:\n  items:\n  - id: b\n    v: 3\n  - id: a\n    v: 1\n  tags:\n  - z\n");
	kr_buf_free(&b);
	kr_ctx_free(&ctx);
}

static void test_bad_schema(void **state)
{
	(void)state;
	static const char doc[] =
		"definitions:\n  a:\n    x-kubernetes-group-version-kind:\n    - kind: A\n";
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_doclist docs = { 0 };
	assert_int_equal(kr_yaml_parse(&ctx, "s.yaml", doc, strlen(doc),
	                               KR_YAML_FIRST_DOC_ONLY, &docs), 0);
	kr_schema_set set;
	assert_true(kr_schema_set_from_doc(&ctx, "s.yaml", docs.docs[0], &set) < 0);
	assert_non_null(strstr(ctx.err.data, "s.yaml:4:7"));
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_builtin_schema),
		cmocka_unit_test(test_custom_schema),
		cmocka_unit_test(test_bad_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
