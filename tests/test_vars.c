/*
 * test_vars.c - the $(VAR) expansion of `vars:` (kustomize's
 * refvar.DoReplacements with MakePrimitiveReplacer): references inside a
 * string, a whole-string reference keeping the value's type, `$$`
 * escapes, unknown and unclosed references, non-primitive values, use
 * counts, and Go's string(byte) of a non-ASCII byte after '$'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "vars.h"

typedef struct entry {
	const char *name;
	kr_varval val;
	int uses;
} entry;

typedef struct table {
	entry *e;
	size_t n;
} table;

static const kr_varval *lookup(void *ud, const char *name, size_t len)
{
	table *t = ud;
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->e[i].name) == len && !memcmp(t->e[i].name, name, len)) {
			t->e[i].uses++;
			return &t->e[i].val;
		}
	return NULL;
}

#define VAL(type, text, node) { type, text, sizeof(text) - 1, node, sizeof(node) - 1 }

static entry entries[] = {
	{ "HOST", VAL(KR_VARVAL_STR, "db.prod", "db.prod"), 0 },
	{ "PORT", VAL(KR_VARVAL_INT, "5432", "5432"), 0 },
	{ "ON", VAL(KR_VARVAL_BOOL, "true", "true"), 0 },
	{ "BIG", VAL(KR_VARVAL_FLOAT, "1e+06", "1000000"), 0 },
	{ "MAP", VAL(KR_VARVAL_OTHER, "", ""), 0 },
	{ "", VAL(KR_VARVAL_STR, "empty-name", "empty-name"), 0 },
};

static table vars = { entries, sizeof(entries) / sizeof(entries[0]) };

/* Expand `in`; the result must be a string equal to `want`. */
static void expect_str(kr_ctx *ctx, const char *in, const char *want)
{
	kr_varval out;
	assert_int_equal(kr_var_expand(&ctx->arena, in, strlen(in), lookup, &vars, &out), 0);
	assert_int_equal(out.type, KR_VARVAL_STR);
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.text, want, out.len);
	assert_int_equal(out.node_len, strlen(want));
	assert_memory_equal(out.node_text, want, out.node_len);
}

static void test_vars__inside_strings(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	expect_str(&ctx, "postgres://$(HOST):$(PORT)/app", "postgres://db.prod:5432/app");
	expect_str(&ctx, "$(HOST)$(HOST)", "db.proddb.prod");
	/* typed values read as Go's %v inside a longer string */
	expect_str(&ctx, "on=$(ON) big=$(BIG)", "on=true big=1e+06");
	expect_str(&ctx, "no references", "no references");
	expect_str(&ctx, "", "");
	expect_str(&ctx, "x$()", "xempty-name");
	kr_ctx_free(&ctx);
}

static void test_vars__whole_string_keeps_type(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_varval out;
	assert_int_equal(kr_var_expand(&ctx.arena, "$(PORT)", 7, lookup, &vars, &out), 0);
	assert_int_equal(out.type, KR_VARVAL_INT);
	assert_string_equal(out.node_text, "5432");
	assert_int_equal(kr_var_expand(&ctx.arena, "$(ON)", 5, lookup, &vars, &out), 0);
	assert_int_equal(out.type, KR_VARVAL_BOOL);
	/* a float becomes a node in fixed notation */
	assert_int_equal(kr_var_expand(&ctx.arena, "$(BIG)", 6, lookup, &vars, &out), 0);
	assert_int_equal(out.type, KR_VARVAL_FLOAT);
	assert_string_equal(out.node_text, "1000000");
	/* a space around it makes it a string */
	expect_str(&ctx, " $(PORT)", " 5432");
	kr_ctx_free(&ctx);
}

static void test_vars__escapes_and_leftovers(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	/* "$$" is one literal '$', and what follows is not a reference */
	expect_str(&ctx, "$$(HOST)", "$(HOST)");
	expect_str(&ctx, "$$$(HOST)", "$db.prod");
	expect_str(&ctx, "cost: 5$$", "cost: 5$");
	/* unknown names, non-primitive values and unclosed references stay */
	expect_str(&ctx, "$(NOPE)", "$(NOPE)");
	expect_str(&ctx, "a $(NOPE) b", "a $(NOPE) b");
	expect_str(&ctx, "$(MAP)", "$(MAP)");
	expect_str(&ctx, "x $(MAP)", "x $(MAP)");
	expect_str(&ctx, "$(HOST", "$(HOST");
	expect_str(&ctx, "echo $HOME $x", "echo $HOME $x");
	/* a trailing '$' is kept */
	expect_str(&ctx, "a$", "a$");
	expect_str(&ctx, "$", "$");
	/* the first ')' closes: "$(A(B)" names "A(B" */
	expect_str(&ctx, "$(A(B))", "$(A(B))");
	kr_ctx_free(&ctx);
}

static void test_vars__use_counts(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	for (size_t i = 0; i < vars.n; i++)
		entries[i].uses = 0;
	expect_str(&ctx, "$(HOST) $(HOST) $$(PORT) $(NOPE)", "db.prod db.prod $(PORT) $(NOPE)");
	assert_int_equal(entries[0].uses, 2);
	assert_int_equal(entries[1].uses, 0);
	kr_ctx_free(&ctx);
}

static void test_vars__non_ascii_after_dollar(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	/* Go's string(byte(0xC3)) is U+00C3, two bytes; the rest follows:
	 * "$é" becomes "$\xC3\x83\xA9", and the expansion says so. */
	kr_varval out;
	assert_int_equal(kr_var_expand(&ctx.arena, "$\xC3\xA9", 3, lookup, &vars, &out), 1);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.text, "$\xC3\x83\xA9", 4);
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vars__inside_strings),
		cmocka_unit_test(test_vars__whole_string_keeps_type),
		cmocka_unit_test(test_vars__escapes_and_leftovers),
		cmocka_unit_test(test_vars__use_counts),
		cmocka_unit_test(test_vars__non_ascii_after_dollar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
