/*
 * test_kdecode.c - decoding kustomization values as kustomize's go-yaml v2
 * + encoding/json pipeline does (kdecode.c): the YAML 1.1 type of scalars
 * (plain, quoted, tagged), their Go values, and the decoders' results and
 * errors (position, krender's words, kubectl's words).  Every typing row
 * and every kubectl message below was checked against `kubectl kustomize`
 * (Kustomize v5.5.0): `namespace: <text>` is accepted only for a string,
 * `replicas: [{name: a, count: <text>}]` names the JSON number it rejects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "gonum.h"
#include "kdecode.h"
#include "kustomization.h"
#include "parse.h"

/* The value of key `v` in a one-document YAML text. */
static const kr_node *value_of(kr_ctx *ctx, const char *yaml)
{
	kr_doclist d = { 0 };
	assert_int_equal(kr_yaml_parse(ctx, "k.yaml", yaml, strlen(yaml), 0, &d), 0);
	assert_int_equal(d.len, 1);
	return kr_map_get(d.docs[0], "v");
}

static const char *type_name(kr_y11_type t)
{
	static const char *const names[] = { "STR", "NULL", "BOOL", "INT", "FLOAT",
	                                     "MAP", "SEQ" };
	return (size_t)t < sizeof(names) / sizeof(*names) ? names[t] : "?";
}

static void test_kdecode__yaml11_types(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		kr_y11_type t;
	} rows[] = {
		/* resolveMap words, case as listed only */
		{ "yes", KR_Y11_BOOL }, { "Off", KR_Y11_BOOL }, { "y", KR_Y11_BOOL },
		{ "N", KR_Y11_BOOL }, { "ON", KR_Y11_BOOL }, { "oN", KR_Y11_STR },
		{ "TRUE", KR_Y11_BOOL }, { "tRue", KR_Y11_STR }, { "~", KR_Y11_NULL },
		{ "", KR_Y11_NULL }, { "Null", KR_Y11_NULL }, { "nULL", KR_Y11_STR },
		{ ".inf", KR_Y11_FLOAT }, { "-.Inf", KR_Y11_FLOAT }, { ".NaN", KR_Y11_FLOAT },
		{ "<<", KR_Y11_STR },
		/* ParseInt/ParseUint(s, 0, 64) after removing every '_' */
		{ "5", KR_Y11_INT }, { "+1", KR_Y11_INT }, { "0x1F", KR_Y11_INT },
		{ "0X1f", KR_Y11_INT }, { "0o17", KR_Y11_INT }, { "017", KR_Y11_INT },
		{ "0b101", KR_Y11_INT }, { "0B1", KR_Y11_INT }, { "-0b1", KR_Y11_INT },
		{ "+0b1", KR_Y11_INT }, { "1_000", KR_Y11_INT }, { "1__0", KR_Y11_INT },
		{ "0x_1F", KR_Y11_INT }, { "0_x1F", KR_Y11_INT }, { "+0_1", KR_Y11_INT },
		{ "18446744073709551615", KR_Y11_INT },
		{ "0x", KR_Y11_STR }, { "0o", KR_Y11_STR }, { "0b", KR_Y11_STR },
		{ "_1", KR_Y11_STR },
		{ "+0b11111111111111111111111111111111111111111111111111111111111111111",
		  KR_Y11_STR },
		/* the "0b" fallback: ParseInt(s[2:], 2, 64) takes a sign */
		{ "0b+1", KR_Y11_INT }, { "0b-1", KR_Y11_INT }, { "-0b+1", KR_Y11_STR },
		/* yamlStyleFloat within float64's range */
		{ "08", KR_Y11_FLOAT }, { "+08", KR_Y11_FLOAT }, { "1e3", KR_Y11_FLOAT },
		{ "1_0.5", KR_Y11_FLOAT }, { "18446744073709551616", KR_Y11_FLOAT },
		{ "-9223372036854775809", KR_Y11_FLOAT }, { "1e400", KR_Y11_STR },
		/* '.' first: ParseFloat as written, '_' only between digits */
		{ ".5", KR_Y11_FLOAT }, { "+.5", KR_Y11_FLOAT }, { "-.5", KR_Y11_FLOAT },
		{ ".5_0", KR_Y11_FLOAT }, { ".5e+1_0", KR_Y11_FLOAT },
		{ "._5", KR_Y11_STR }, { ".5_", KR_Y11_STR }, { ".", KR_Y11_STR },
		{ ".1e400", KR_Y11_STR }, { ".1e-400", KR_Y11_FLOAT },
		/* strings */
		{ "2001-12-14", KR_Y11_STR }, { "1:20", KR_Y11_STR }, { "abc", KR_Y11_STR },
		{ "0x1p-2", KR_Y11_STR },
		/* quoting and tags */
		{ "'yes'", KR_Y11_STR }, { "\"5\"", KR_Y11_STR }, { "''", KR_Y11_STR },
		{ "|\n  5\n", KR_Y11_STR }, { "!!str 5", KR_Y11_STR },
		{ "!!int '5'", KR_Y11_INT }, { "!!float 1", KR_Y11_FLOAT },
		{ "!!bool 'on'", KR_Y11_BOOL }, { "!!null x", KR_Y11_NULL },
		/* collections */
		{ "[a]", KR_Y11_SEQ }, { "{a: b}", KR_Y11_MAP }, { "{a: }", KR_Y11_MAP },
	};
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char yaml[256];
		snprintf(yaml, sizeof(yaml), "v: %s\n", rows[i].text);
		kr_y11_type got = kr_y11_type_of(value_of(&ctx, yaml));
		if (got != rows[i].t)
			fail_msg("'%s': got %s, want %s", rows[i].text, type_name(got),
			         type_name(rows[i].t));
	}
	/* kr_y11_resolve on text directly; the empty value of a flow mapping */
	assert_int_equal(kr_y11_resolve("0b-1", 4, NULL), KR_Y11_INT);
	assert_int_equal(kr_y11_type_of(kr_map_get(value_of(&ctx, "v: {a: }\n"), "a")),
	                 KR_Y11_NULL);
	assert_true(kr_y11_is_null(NULL));
	assert_false(kr_y11_is_null(value_of(&ctx, "v: []\n")));
	assert_string_equal(kr_y11_json_kind(value_of(&ctx, "v: on\n")), "bool");
	assert_string_equal(kr_y11_json_kind(value_of(&ctx, "v: .5\n")), "number");
	assert_string_equal(kr_y11_json_kind(value_of(&ctx, "v: {}\n")), "object");
	kr_ctx_free(&ctx);
}

static void test_kdecode__values(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	kr_y11_value v;
	assert_int_equal(kr_y11_value_of(value_of(&ctx, "v: 0b-1\n"), &v), KR_Y11_INT);
	assert_int_equal(v.i, -1);
	assert_int_equal(kr_y11_value_of(value_of(&ctx, "v: -0x10\n"), &v), KR_Y11_INT);
	assert_int_equal(v.i, -16);
	assert_int_equal(kr_y11_value_of(value_of(&ctx, "v: 18446744073709551615\n"), &v),
	                 KR_Y11_INT);
	assert_true(v.is_unsigned);
	assert_true(v.u == UINT64_MAX);
	assert_int_equal(kr_y11_value_of(value_of(&ctx, "v: .5_0\n"), &v), KR_Y11_FLOAT);
	assert_true(v.f == 0.5);
	assert_int_equal(kr_y11_value_of(value_of(&ctx, "v: on\n"), &v), KR_Y11_BOOL);
	assert_true(v.b);
	assert_int_equal(kr_y11_value_of(value_of(&ctx, "v: !!bool off\n"), &v),
	                 KR_Y11_BOOL);
	assert_false(v.b);
	/* the conversions to Go strings (more in test_configurations) */
	static const struct {
		const char *text, *want;
	} rows[] = {
		{ "0b-1", "-1" }, { "0b+1", "1" }, { ".5_0", "0.5" }, { "1__0", "10" },
		{ "!!float 123456789", "1.2345679e+08" }, { "!!int '7'", "7" },
		{ "'007'", "007" }, { "-.inf", "-Inf" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char yaml[128];
		snprintf(yaml, sizeof(yaml), "v: %s\n", rows[i].text);
		const char *got = kr_y11_as_string(&ctx.arena, value_of(&ctx, yaml));
		assert_non_null(got);
		if (strcmp(got, rows[i].want))
			fail_msg("'%s': got '%s', want '%s'", rows[i].text, got, rows[i].want);
	}
	kr_ctx_free(&ctx);
}

typedef enum shape { STRING, BOOL, INT64, LIST, STRUCT, STRMAP } shape;

/* Decode `v` of a kustomization text as `s` (a struct has the fields name
 * and count); 0, or the error code with ctx->err set. */
static int decode(kr_ctx *ctx, const char *yaml, shape s)
{
	static const char *const fields[] = { "name", "count" };
	kr_kustomization k;
	memset(&k, 0, sizeof(k));
	k.file = "k.yaml";
	const kr_node *n = value_of(ctx, yaml), *out;
	const char *str;
	int b;
	int64_t i;
	kr_strmap m = { 0 };
	kr_kmembers mm;
	int rc;
	switch (s) {
	case STRING:
		return kr_kust_decode_string(ctx, &k, n, "v", "T.v", &str);
	case BOOL:
		return kr_kust_decode_bool(ctx, &k, n, "v", "T.v", &b);
	case INT64:
		return kr_kust_decode_int64(ctx, &k, n, "v", "T.v", &i);
	case LIST:
		return kr_kust_decode_list(ctx, &k, n, "v", NULL, "T.v", "[]string", &out);
	case STRUCT:
		rc = kr_kust_decode_struct(ctx, &k, n, "v", NULL, "T.v", "types.R", &mm);
		for (uint32_t j = 0; rc == 0 && j < mm.len; j++)
			rc = kr_kust_decode_member(ctx, &k, &mm.items[j], "v", fields, 2);
		return rc < 0 ? rc : 0;
	default:
		return kr_kust_decode_string_map(ctx, &k, n, "v", "T.v", &m);
	}
}

static void test_kdecode__errors(void **state)
{
	(void)state;
	static const struct {
		shape s;
		const char *yaml, *want;   /* want: the whole message */
	} rows[] = {
		{ STRING, "v: yes\n", "k.yaml:1:4: invalid Kustomization: 'v' must be a "
		  "string, not a bool (kubectl: json: cannot unmarshal bool into Go struct "
		  "field T.v of type string)" },
		{ STRING, "v: 0o17\n", "k.yaml:1:4: invalid Kustomization: 'v' must be a "
		  "string, not a number (kubectl: json: cannot unmarshal number into Go "
		  "struct field T.v of type string)" },
		{ STRING, "v:\n- a\n", "k.yaml:2:1: invalid Kustomization: 'v' must be a "
		  "string, not a list (kubectl: json: cannot unmarshal array into Go struct "
		  "field T.v of type string)" },
		{ STRING, "v: .inf\n", "k.yaml:1:4: invalid Kustomization: 'v' must be a "
		  "string, not a number (kubectl: json: unsupported value: +Inf)" },
		{ BOOL, "v: 'true'\n", "k.yaml:1:4: invalid Kustomization: 'v' must be "
		  "true or false, not a string (kubectl: json: cannot unmarshal string into "
		  "Go struct field T.v of type bool)" },
		{ BOOL, "v: 1\n", "k.yaml:1:4: invalid Kustomization: 'v' must be true or "
		  "false, not a number (kubectl: json: cannot unmarshal number into Go struct "
		  "field T.v of type bool)" },
		{ INT64, "v: x\n", "k.yaml:1:4: invalid Kustomization: 'v' must be an "
		  "integer, not a string (kubectl: json: cannot unmarshal string into Go "
		  "struct field T.v of type int64)" },
		{ INT64, "v: 3.5\n", "k.yaml:1:4: invalid Kustomization: 'v' must be an "
		  "integer, not '3.5' (kubectl: json: cannot unmarshal number 3.5 into Go "
		  "struct field T.v of type int64)" },
		{ INT64, "v: 9223372036854775808\n", "k.yaml:1:4: invalid Kustomization: "
		  "'v' must be an integer, not '9223372036854775808' (kubectl: json: cannot "
		  "unmarshal number 9223372036854775808 into Go struct field T.v of type "
		  "int64)" },
		{ INT64, "v: .nan\n", "k.yaml:1:4: invalid Kustomization: 'v' must be an "
		  "integer, not '.nan' (kubectl: json: unsupported value: NaN)" },
		{ LIST, "v: {a: b}\n", "k.yaml:1:4: invalid Kustomization: 'v' must be a "
		  "list, not a mapping (kubectl: json: cannot unmarshal object into Go "
		  "struct field T.v of type []string)" },
		{ STRUCT, "v: [a]\n", "k.yaml:1:4: invalid Kustomization: 'v' must be a "
		  "mapping, not a list (kubectl: json: cannot unmarshal array into Go struct "
		  "field T.v of type types.R)" },
		{ STRUCT, "v: {Name: a, Bogus: 1}\n", "k.yaml:1:14: invalid Kustomization: "
		  "unknown field \"Bogus\" in v (kubectl: json: unknown field \"Bogus\")" },
		{ STRMAP, "v: x\n", "k.yaml:1:4: invalid Kustomization: 'v' must be a map "
		  "of strings, not a string (kubectl: json: cannot unmarshal string into Go "
		  "struct field T.v of type map[string]string)" },
		{ STRMAP, "v: {a: 1}\n", "k.yaml:1:8: invalid Kustomization: the values of "
		  "'v' must be strings: '1' is read as a number, quote it (kubectl: json: "
		  "cannot unmarshal number into Go struct field T.v of type string)" },
		{ STRMAP, "v: {a: y}\n", "k.yaml:1:8: invalid Kustomization: the values of "
		  "'v' must be strings: 'y' is read as a bool, quote it (kubectl: json: "
		  "cannot unmarshal bool into Go struct field T.v of type string)" },
		{ STRMAP, "v: {a: [x]}\n", "k.yaml:1:8: invalid Kustomization: the values "
		  "of 'v' must be strings, not lists (kubectl: json: cannot unmarshal array "
		  "into Go struct field T.v of type string)" },
		{ STRMAP, "v: {1: a}\n", "k.yaml:1:5: invalid Kustomization: the key '1' of "
		  "'v' must be a string: quote it" },
		{ STRMAP, "v: {~: a}\n", "k.yaml:1:5: invalid Kustomization: a key of 'v' "
		  "is null (kustomize: unsupported map key of type: <nil>)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		kr_ctx ctx;
		kr_ctx_init(&ctx, NULL);
		int rc = decode(&ctx, rows[i].yaml, rows[i].s);
		if (rc != KR_EINVALID || !ctx.err.data || strcmp(ctx.err.data, rows[i].want))
			fail_msg("row %zu (%s): rc %d, %s\n  want: %s", i, rows[i].yaml, rc,
			         ctx.err.data ? ctx.err.data : "(no message)", rows[i].want);
		kr_ctx_free(&ctx);
	}
}

/* The JSON text encoding/json gives the float it refuses for an int64. */
static void test_kdecode__int64_json_numbers(void **state)
{
	(void)state;
	static const struct {
		const char *text, *json;
	} rows[] = {
		{ "1e19", "10000000000000000000" }, { "1e20", "100000000000000000000" },
		{ "1e21", "1e+21" }, { "1e-7", "1e-7" }, { "1.5e300", "1.5e+300" },
		{ "-0.5", "-0.5" }, { "0.000001", "0.000001" }, { "2.5e-5", "0.000025" },
		{ "123456789012345678901234", "1.2345678901234569e+23" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		kr_ctx ctx;
		char yaml[128], want[128];
		kr_ctx_init(&ctx, NULL);
		snprintf(yaml, sizeof(yaml), "v: %s\n", rows[i].text);
		snprintf(want, sizeof(want), "cannot unmarshal number %s into", rows[i].json);
		assert_int_equal(decode(&ctx, yaml, INT64), KR_EINVALID);
		if (!strstr(ctx.err.data, want))
			fail_msg("%s: %s\n  lacks: %s", rows[i].text, ctx.err.data, want);
		kr_ctx_free(&ctx);
	}
}

static void test_kdecode__decoded_values(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_kustomization k;
	memset(&k, 0, sizeof(k));
	k.file = "k.yaml";
	kr_ctx_init(&ctx, NULL);

	/* null and absent leave a value as it was */
	const char *s = "kept";
	assert_int_equal(kr_kust_decode_string(&ctx, &k, value_of(&ctx, "v: ~\n"), "v",
	                                       "T.v", &s), 0);
	assert_int_equal(kr_kust_decode_string(&ctx, &k, NULL, "v", "T.v", &s), 0);
	assert_string_equal(s, "kept");
	assert_int_equal(kr_kust_decode_string(&ctx, &k, value_of(&ctx, "v: '5'\n"), "v",
	                                       "T.v", &s), 0);
	assert_string_equal(s, "5");
	int b = 7;
	assert_int_equal(kr_kust_decode_bool(&ctx, &k, value_of(&ctx, "v: null\n"), "v",
	                                     "T.v", &b), 0);
	assert_int_equal(b, 7);
	assert_int_equal(kr_kust_decode_bool(&ctx, &k, value_of(&ctx, "v: Y\n"), "v",
	                                     "T.v", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(kr_kust_decode_bool(&ctx, &k, value_of(&ctx, "v: OFF\n"), "v",
	                                     "T.v", &b), 0);
	assert_int_equal(b, 0);
	static const struct {
		const char *text;
		int64_t want;
	} ints[] = {
		{ "0x10", 16 }, { "1_0", 10 }, { "3.0", 3 }, { "1e3", 1000 }, { "-0.0", 0 },
		{ "0b-1", -1 }, { "017", 15 }, { "!!float 2", 2 },
		{ "-9223372036854775808", INT64_MIN },
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		char yaml[64];
		int64_t got = 99;
		snprintf(yaml, sizeof(yaml), "v: %s\n", ints[i].text);
		assert_int_equal(kr_kust_decode_int64(&ctx, &k, value_of(&ctx, yaml), "v",
		                                      "T.v", &got), 0);
		if (got != ints[i].want)
			fail_msg("%s: got %lld", ints[i].text, (long long)got);
	}

	/* lists: NULL when null; structs: no members */
	const kr_node *out = (const kr_node *)&k;
	assert_int_equal(kr_kust_decode_list(&ctx, &k, value_of(&ctx, "v: ~\n"), "v",
	                                     NULL, "T.v", "[]string", &out), 0);
	assert_null(out);
	kr_kmembers mm;
	assert_int_equal(kr_kust_decode_struct(&ctx, &k, value_of(&ctx, "v: ~\n"), "v",
	                                       NULL, "T.v", "types.R", &mm), 0);
	assert_int_equal(mm.len, 0);
	/* members in JSON key order (sorted bytes of go-yaml v2's key text),
	 * matched case-insensitively, the whole name only */
	static const char *const fields[] = { "name", "newName", "true" };
	assert_int_equal(kr_kust_decode_struct(&ctx, &k, value_of(&ctx,
	                 "v: {newname: a, name: b, Name: c, nam: d, yes: e}\n"), "v",
	                 NULL, "T.v", "types.R", &mm), 0);
	assert_int_equal(mm.len, 5);
	static const struct {
		const char *name, *value;
		int field;
	} want[] = {
		{ "Name", "c", 0 }, { "nam", "d", KR_EINVALID }, { "name", "b", 0 },
		{ "newname", "a", 1 }, { "true", "e", 2 },
	};
	for (uint32_t i = 0; i < mm.len; i++) {
		assert_string_equal(mm.items[i].name, want[i].name);
		assert_string_equal(mm.items[i].value->u.s.str, want[i].value);
		assert_int_equal(kr_kust_decode_member(&ctx, &k, &mm.items[i], "v", fields, 3),
		                 want[i].field);
	}
	assert_non_null(strstr(ctx.err.data, "k.yaml:1:35: invalid Kustomization: "
	                       "unknown field \"nam\" in v"));

	/* string maps: added to, a key given again replaced, null is "" */
	kr_strmap sm = { 0 };
	assert_int_equal(kr_kust_decode_string_map(&ctx, &k, value_of(&ctx,
	                 "v: {a: x, b: , c: 'on'}\n"), "v", "T.v", &sm), 0);
	assert_int_equal(kr_kust_decode_string_map(&ctx, &k, value_of(&ctx,
	                 "v: {a: z}\n"), "v", "T.v", &sm), 0);
	assert_int_equal(sm.len, 3);
	assert_string_equal(sm.items[0].key, "a");
	assert_string_equal(sm.items[0].val, "z");
	assert_int_equal(sm.items[1].vlen, 0);
	assert_string_equal(sm.items[2].val, "on");
	assert_int_equal(kr_kust_decode_string_map(&ctx, &k, value_of(&ctx, "v: ~\n"), "v",
	                                           "T.v", &sm), 0);
	assert_int_equal(sm.len, 0);
	kr_ctx_free(&ctx);
}

/* Shortest digits: the integer fast path and the printf path agree with
 * Go's strconv.FormatFloat(v, 'e', -1, bits). */
static void check_digits(double v, int bits, const char *want, int want_dp)
{
	char d[32];
	int dp = 0;
	int n = kr_go_shortest_digits(v, bits, d, &dp);
	d[n] = '\0';
	assert_string_equal(d, want);
	assert_int_equal(dp, want_dp);
}

static void test_kdecode__shortest_digits(void **state)
{
	(void)state;
	check_digits(8080, 64, "808", 4);
	check_digits(1, 64, "1", 1);
	check_digits(-42, 64, "42", 2);
	check_digits(1e15, 64, "1", 16);
	check_digits(9007199254740991.0, 64, "9007199254740991", 16);
	check_digits(9007199254740992.0, 64, "9007199254740992", 16);
	check_digits(1e21, 64, "1", 22);
	check_digits(16777215, 32, "16777215", 8);
	check_digits((float)16777217, 32, "16777216", 8); /* float32 has no 16777217 */
	check_digits(0.5, 64, "5", 0);
	check_digits(0.1, 64, "1", 0);
	check_digits(2.5, 32, "25", 1);
	check_digits((float)123456789, 32, "12345679", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdecode__yaml11_types),
		cmocka_unit_test(test_kdecode__values),
		cmocka_unit_test(test_kdecode__shortest_digits),
		cmocka_unit_test(test_kdecode__errors),
		cmocka_unit_test(test_kdecode__int64_json_numbers),
		cmocka_unit_test(test_kdecode__decoded_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
