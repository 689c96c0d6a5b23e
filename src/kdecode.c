/*
 * kdecode.c - decoding kustomization values the way kustomize's go-yaml v2
 * + encoding/json pipeline does (see kdecode.h).
 *
 * The resolver follows gopkg.in/yaml.v2 resolve.go (the copy
 * sigs.k8s.io/yaml vendors): the first byte of a plain scalar hints at its
 * type; the words of resolveMap (y/yes/on/true..., n/no/off/false...,
 * ~/null, .inf/.nan) are looked up; text starting with '.' is a float when
 * strconv.ParseFloat takes it as written (underscores only between
 * digits: `.5_0` is 0.5); text starting with a digit or sign is stripped
 * of every '_' and tried as ParseInt(s, 0, 64), ParseUint(s, 0, 64), a
 * yamlStyleFloat within float64's range, and ParseInt of what follows a
 * "0b" prefix in base 2 (so `0b-1` is -1).  Timestamps (2001-12-14) are
 * strings: v2 hands a timestamp to an interface{} as its text.  All of
 * this was checked against `kubectl kustomize` (Kustomize v5.5.0) with
 * `namespace: <text>`, which kubectl rejects for anything but a string.
 *
 * An explicit tag wins (!!str 5 is a string, !!int '5' an int), and a
 * number tagged !!float is a float, as v2's resolve() converts it.  v2
 * fails on a text its tag does not fit (!!int 1.5); here the tag's type is
 * kept.  A custom tag (!foo 5) is typed as go-yaml v3 typed it when
 * parsing (the node does not remember which tag it had), while v2 would
 * give the string "5".
 */
#include "kdecode.h"

#include "gonum.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- YAML 1.1 typing ---------------------------------------------------- */

static int text_in(const char *s, size_t len, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], s, len))
			return 1;
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The number a text with the 'D'/'S' hint is, underscores removed. */
static kr_y11_type resolve_number(const char *plain, size_t n, kr_y11_value *v)
{
	if (kr_go_parse_int(plain, n, 0, &v->i) == 0)
		return KR_Y11_INT;
	if (plain[0] != '+' && plain[0] != '-' && kr_go_parse_uint(plain, n, 0, &v->u) == 0) {
		v->is_unsigned = 1;
		return KR_Y11_INT;
	}
	if (kr_yaml_style_float(plain, n) && kr_go_parse_float(plain, &v->f) == 0)
		return KR_Y11_FLOAT;
	if (n > 2 && plain[0] == '0' && plain[1] == 'b') {
		/* ParseInt(plain[2:], 2, 64) takes a sign; ParseUint the rest */
		if (kr_go_parse_int(plain + 2, n - 2, 2, &v->i) == 0)
			return KR_Y11_INT;
		if (kr_go_parse_uint(plain + 2, n - 2, 2, &v->u) == 0) {
			v->is_unsigned = 1;
			return KR_Y11_INT;
		}
	}
	/* (v2's "-0b" fallback takes nothing ParseInt(s, 0, 64) did not.) */
	return KR_Y11_STR;
}

kr_y11_type kr_y11_resolve(const char *s, size_t len, kr_y11_value *v)
{
	static const char *const t[] = { "y", "Y", "yes", "Yes", "YES", "true",
		"True", "TRUE", "on", "On", "ON" };
	static const char *const f[] = { "n", "N", "no", "No", "NO", "false",
		"False", "FALSE", "off", "Off", "OFF" };
	static const char *const nul[] = { "~", "null", "Null", "NULL" };
	static const char *const nan_[] = { ".nan", ".NaN", ".NAN" };
	static const char *const inf[] = { ".inf", ".Inf", ".INF", "+.inf",
		"+.Inf", "+.INF" };
	static const char *const ninf[] = { "-.inf", "-.Inf", "-.INF" };
	kr_y11_value dummy;
	if (!v)
		v = &dummy;
	memset(v, 0, sizeof(*v));
	if (len == 0 || text_in(s, len, nul, NELEM(nul)))
		return KR_Y11_NULL;
	char c = s[0];
	int num = (c >= '0' && c <= '9') || c == '+' || c == '-';
	if (!num && c != '.' && !strchr("yYnNtTfFoO", c))
		return KR_Y11_STR;
	if (text_in(s, len, t, NELEM(t))) {
		v->b = 1;
		return KR_Y11_BOOL;
	}
	if (text_in(s, len, f, NELEM(f)))
		return KR_Y11_BOOL;
	if (text_in(s, len, nan_, NELEM(nan_))) {
		v->f = NAN;
		return KR_Y11_FLOAT;
	}
	if (text_in(s, len, inf, NELEM(inf))) {
		v->f = INFINITY;
		return KR_Y11_FLOAT;
	}
	if (text_in(s, len, ninf, NELEM(ninf))) {
		v->f = -INFINITY;
		return KR_Y11_FLOAT;
	}
	if (c != '.' && !num)
		return KR_Y11_STR;
	char small[128];
	char *plain = len < sizeof(small) ? small : malloc(len + 1);
	if (!plain)
		return KR_Y11_STR;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			plain[n++] = s[i];
	plain[n] = '\0';
	kr_y11_type r = KR_Y11_STR;
	if (c == '.') {
		/* ParseFloat(s) as written: underscores only between digits */
		if (kr_go_underscore_ok(s, len) && kr_yaml_style_float(plain, n) &&
		    kr_go_parse_float(plain, &v->f) == 0)
			r = KR_Y11_FLOAT;
	} else {
		r = resolve_number(plain, n, v);
	}
	if (plain != small)
		free(plain);
	return r;
}

kr_y11_type kr_y11_value_of(const kr_node *n, kr_y11_value *v)
{
	kr_y11_value dummy;
	if (!v)
		v = &dummy;
	memset(v, 0, sizeof(*v));
	if (n->type == KR_MAP)
		return KR_Y11_MAP;
	if (n->type == KR_SEQ)
		return KR_Y11_SEQ;
	if (!(n->flags & KR_NODE_TAGGED))
		return n->style == KR_STYLE_PLAIN ? kr_y11_resolve(n->u.s.str, n->u.s.len, v)
		                                  : KR_Y11_STR;
	kr_y11_type r;
	switch (n->tag) {
	case KR_TAG_NULL:
		return KR_Y11_NULL;
	case KR_TAG_BOOL:
		if (kr_y11_resolve(n->u.s.str, n->u.s.len, v) != KR_Y11_BOOL) {
			memset(v, 0, sizeof(*v));
			v->b = n->u.s.len && strchr("tTyYoO", n->u.s.str[0]) &&
			       !(n->u.s.len >= 2 && (n->u.s.str[1] | 0x20) == 'f');
		}
		return KR_Y11_BOOL;
	case KR_TAG_INT:
		if (kr_y11_resolve(n->u.s.str, n->u.s.len, v) != KR_Y11_INT)
			memset(v, 0, sizeof(*v));
		return KR_Y11_INT;
	case KR_TAG_FLOAT:
		r = kr_y11_resolve(n->u.s.str, n->u.s.len, v);
		if (r == KR_Y11_INT)
			v->f = v->is_unsigned ? (double)v->u : (double)v->i;
		else if (r != KR_Y11_FLOAT)
			v->f = strtod(n->u.s.str, NULL);
		return KR_Y11_FLOAT;
	default:
		return KR_Y11_STR;
	}
}

kr_y11_type kr_y11_type_of(const kr_node *n)
{
	return kr_y11_value_of(n, NULL);
}

int kr_y11_is_null(const kr_node *n)
{
	return !n || kr_y11_type_of(n) == KR_Y11_NULL;
}

static const char *json_kind(kr_y11_type t)
{
	switch (t) {
	case KR_Y11_NULL: return "null";
	case KR_Y11_BOOL: return "bool";
	case KR_Y11_INT: case KR_Y11_FLOAT: return "number";
	case KR_Y11_MAP: return "object";
	case KR_Y11_SEQ: return "array";
	default: return "string";
	}
}

const char *kr_y11_json_kind(const kr_node *n)
{
	return json_kind(kr_y11_type_of(n));
}

/* ---- Go's float formatting ---------------------------------------------- */

/* strconv.FormatFloat's 'e' or 'f' layout (precision -1) of the digits
 * kr_go_shortest_digits found (d = 0.D1D2... * 10^(exp+1)). */
static void layout(char *out, size_t size, int neg, const char *digits, int nd,
                   int exp, char fmt)
{
	size_t o = 0;
#define PUT(c) do { if (o + 1 < size) out[o++] = (c); } while (0)
	if (neg)
		PUT('-');
	if (fmt == 'e') {
		PUT(digits[0]);
		if (nd > 1) {
			PUT('.');
			for (int i = 1; i < nd; i++)
				PUT(digits[i]);
		}
		char eb[16];
		snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		for (char *q = eb; *q; q++)
			PUT(*q);
	} else {
		int dp = exp + 1;   /* digits before the point */
		if (dp <= 0) {
			PUT('0');
			PUT('.');
			for (int i = 0; i < -dp; i++)
				PUT('0');
			for (int i = 0; i < nd; i++)
				PUT(digits[i]);
		} else {
			for (int i = 0; i < dp; i++)
				PUT(i < nd ? digits[i] : '0');
			if (nd > dp) {
				PUT('.');
				for (int i = dp; i < nd; i++)
					PUT(digits[i]);
			}
		}
	}
#undef PUT
	out[o] = '\0';
}

/* Go's strconv.FormatFloat(d, 'g', -1, 32): what sigs.k8s.io/yaml makes
 * of a float it converts to a string. */
static void format_float32(char *out, size_t size, double d)
{
	float f = (float)d;
	char digits[24];
	int exp;
	if (isnan(f)) {
		snprintf(out, size, "NaN");
	} else if (isinf(f)) {
		snprintf(out, size, f > 0 ? "+Inf" : "-Inf");
	} else if (f == 0) {
		snprintf(out, size, signbit(f) ? "-0" : "0");
	} else {
		int nd = kr_go_shortest_digits(f, 32, digits, &exp);
		exp--;
		layout(out, size, f < 0, digits, nd, exp, exp < -4 || exp >= 6 ? 'e' : 'f');
	}
}

/* encoding/json's text of a finite float64: 'f' format, or 'e' below
 * 1e-6 or from 1e21 on, with "e-07" written "e-7". */
static void format_json_float(char *out, size_t size, double d)
{
	char digits[24];
	int exp;
	double a = fabs(d);
	if (d == 0) {
		snprintf(out, size, signbit(d) ? "-0" : "0");
		return;
	}
	int nd = kr_go_shortest_digits(d, 64, digits, &exp);
	exp--;
	layout(out, size, d < 0, digits, nd, exp, a < 1e-6 || a >= 1e21 ? 'e' : 'f');
	size_t n = strlen(out);
	if (n >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') {
		out[n - 2] = out[n - 1];
		out[n - 1] = '\0';
	}
}

const char *kr_y11_as_string(kr_arena *a, const kr_node *n)
{
	kr_y11_value v;
	char buf[64];
	switch (kr_y11_value_of(n, &v)) {
	case KR_Y11_NULL:
		return kr_arena_strdup(a, "");
	case KR_Y11_BOOL:
		return kr_arena_strdup(a, v.b ? "true" : "false");
	case KR_Y11_INT:
		if (v.is_unsigned)
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v.u);
		else
			snprintf(buf, sizeof(buf), "%lld", (long long)v.i);
		return kr_arena_strdup(a, buf);
	case KR_Y11_FLOAT:
		format_float32(buf, sizeof(buf), v.f);
		return kr_arena_strdup(a, buf);
	default:
		return kr_arena_strndup(a, n->u.s.str, n->u.s.len);
	}
}

/* ---- decoders ----------------------------------------------------------- */

static const char *kind_desc(kr_y11_type t)
{
	switch (t) {
	case KR_Y11_BOOL: return "a bool";
	case KR_Y11_INT: case KR_Y11_FLOAT: return "a number";
	case KR_Y11_MAP: return "a mapping";
	case KR_Y11_SEQ: return "a list";
	case KR_Y11_NULL: return "null";
	default: return "a string";
	}
}

/* What kubectl says about a value of type `t` decoded into `gofield` of
 * type `gotype`; `number` is the JSON text encoding/json quotes, or NULL. */
static void kubectl_says(char *out, size_t size, kr_y11_type t,
                         const kr_y11_value *v, const char *number,
                         const char *gofield, const char *gotype)
{
	if (t == KR_Y11_FLOAT && !isfinite(v->f))
		/* yamlToJSON cannot write it (json.Marshal) */
		snprintf(out, size, "json: unsupported value: %s",
		         isnan(v->f) ? "NaN" : v->f > 0 ? "+Inf" : "-Inf");
	else
		snprintf(out, size, "json: cannot unmarshal %s%s%s into Go struct field "
		         "%s of type %s", json_kind(t), number ? " " : "",
		         number ? number : "", gofield, gotype);
}

static int type_error(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                      const char *what, const char *expected, const char *gofield,
                      const char *gotype)
{
	kr_y11_value v;
	kr_y11_type t = kr_y11_value_of(n, &v);
	char kc[512];
	kubectl_says(kc, sizeof(kc), t, &v, NULL, gofield, gotype);
	return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
	                  "invalid Kustomization: '%s' must be %s, not %s (kubectl: %s)",
	                  what, expected, kind_desc(t), kc);
}

/* Node `n` as a value of type `want`: 1 when it is one (*v its value), 0
 * when absent or null, else the type error. */
static int decode_as(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                     kr_y11_type want, const char *what, const char *expected,
                     const char *gofield, const char *gotype, kr_y11_value *v)
{
	if (!n)
		return 0;
	kr_y11_type t = kr_y11_value_of(n, v);
	if (t == KR_Y11_NULL)
		return 0;
	if (t != want)
		return type_error(ctx, k, n, what, expected, gofield, gotype);
	return 1;
}

int kr_kust_decode_string(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char *what, const char *gofield, const char **out)
{
	kr_y11_value v;
	int rc = decode_as(ctx, k, n, KR_Y11_STR, what, "a string", gofield, "string", &v);
	if (rc > 0)
		*out = n->u.s.str;
	return rc < 0 ? rc : 0;
}

int kr_kust_decode_bool(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                        const char *what, const char *gofield, int *out)
{
	kr_y11_value v;
	int rc = decode_as(ctx, k, n, KR_Y11_BOOL, what, "true or false", gofield, "bool",
	                   &v);
	if (rc > 0)
		*out = v.b;
	return rc < 0 ? rc : 0;
}

int kr_kust_decode_int64(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                         const char *what, const char *gofield, int64_t *out)
{
	kr_y11_value v;
	char num[64] = "", kc[512];
	if (!n)
		return 0;
	kr_y11_type t = kr_y11_value_of(n, &v);
	switch (t) {
	case KR_Y11_NULL:
		return 0;
	case KR_Y11_INT:
		if (!v.is_unsigned) {
			*out = v.i;
			return 0;
		}
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v.u);
		break;
	case KR_Y11_FLOAT:
		/* encoding/json writes an integral float below 1e21 without a
		 * fraction or exponent; int64 takes it when in range */
		if (v.f >= -9223372036854775808.0 && v.f < 9223372036854775808.0 &&
		    (double)(int64_t)v.f == v.f) {
			*out = (int64_t)v.f;
			return 0;
		}
		if (isfinite(v.f))
			format_json_float(num, sizeof(num), v.f);
		break;
	default:
		return type_error(ctx, k, n, what, "an integer", gofield, "int64");
	}
	kubectl_says(kc, sizeof(kc), t, &v, num, gofield, "int64");
	return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
	                  "invalid Kustomization: '%s' must be an integer, not '%s' "
	                  "(kubectl: %s)", what, n->u.s.str, kc);
}

int kr_kust_decode_list(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                        const char *what, const char *expected, const char *gofield,
                        const char *gotype, const kr_node **out)
{
	kr_y11_value v;
	int rc = decode_as(ctx, k, n, KR_Y11_SEQ, what, expected ? expected : "a list",
	                   gofield, gotype, &v);
	*out = rc > 0 ? n : NULL;
	return rc < 0 ? rc : 0;
}

static int cmp_members(const void *a, const void *b)
{
	const kr_kmember *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

/* The members of mapping `map`, sorted as kdecode.h says. */
static int sorted_members(kr_ctx *ctx, const kr_node *map, kr_kmembers *out)
{
	uint32_t n = map->u.m.len;
	kr_kmember *m = kr_arena_alloc(&ctx->arena, (n ? n : 1) * sizeof(*m));
	if (!m)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < n; i++) {
		const kr_pair *kv = &map->u.m.items[i];
		m[i].name = kr_y11_as_string(&ctx->arena, kv->key);
		if (!m[i].name)
			return kr_nomem(ctx);
		m[i].key = kv->key;
		m[i].value = kv->value;
		m[i].index = i;
	}
	qsort(m, n, sizeof(*m), cmp_members);
	out->items = m;
	out->len = n;
	return 0;
}

int kr_kust_decode_struct(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char *what, const char *expected, const char *gofield,
                          const char *gotype, kr_kmembers *out)
{
	kr_y11_value v;
	int rc = decode_as(ctx, k, n, KR_Y11_MAP, what, expected ? expected : "a mapping",
	                   gofield, gotype, &v);
	out->items = NULL;
	out->len = 0;
	return rc > 0 ? sorted_members(ctx, n, out) : rc;
}

int kr_kust_decode_member(kr_ctx *ctx, const kr_kustomization *k, const kr_kmember *m,
                          const char *what, const char *const *fields, size_t nfields)
{
	const kr_node *key = m->key;
	for (size_t i = 0; i < nfields; i++)
		if (!strcasecmp(m->name, fields[i]))
			return (int)i;
	return kr_fail_at(ctx, KR_EINVALID, k->file, key->line, key->col,
	                  "invalid Kustomization: unknown field \"%s\" in %s (kubectl: "
	                  "json: unknown field \"%s\")", key->u.s.str, what, m->name);
}

static int strmap_put(kr_ctx *ctx, kr_strmap *m, const char *key, size_t klen,
                      const char *val, size_t vlen)
{
	for (size_t i = 0; i < m->len; i++)
		if (m->items[i].klen == klen && !memcmp(m->items[i].key, key, klen)) {
			m->items[i].val = val;
			m->items[i].vlen = vlen;
			return 0;
		}
	if (m->len == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;
		kr_strpair *p = kr_arena_grow(&ctx->arena, m->items, m->len * sizeof(*p),
		                              ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		m->items = p;
		m->cap = ncap;
	}
	m->items[m->len++] = (kr_strpair){ key, val, klen, vlen };
	return 0;
}

int kr_kust_decode_string_map(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                              const char *what, const char *gofield, kr_strmap *m)
{
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, "a map of strings", gofield,
	                               "map[string]string", &mm);
	if (rc < 0)
		return rc;
	if (kr_y11_is_null(n)) {
		if (n)
			m->len = 0;   /* null: a nil map */
		return 0;
	}
	for (uint32_t i = 0; i < mm.len; i++) {
		const kr_node *key = mm.items[i].key;
		const kr_node *v = mm.items[i].value;
		kr_y11_value yv;
		kr_y11_type kt = kr_y11_type_of(key);
		char kc[512];
		if (kt == KR_Y11_NULL)
			return kr_fail_at(ctx, KR_EINVALID, k->file, key->line, key->col,
			                  "invalid Kustomization: a key of '%s' is null "
			                  "(kustomize: unsupported map key of type: <nil>)", what);
		if (kt != KR_Y11_STR)
			/* sigs.k8s.io/yaml turns it into a string ("true", "1"),
			 * which kustomize then cannot print as a key. */
			return kr_fail_at(ctx, KR_EINVALID, k->file, key->line, key->col,
			                  "invalid Kustomization: the key '%s' of '%s' must be "
			                  "a string: quote it", key->u.s.str, what);
		kr_y11_type vt = kr_y11_value_of(v, &yv);
		const char *val = v->type == KR_SCALAR ? v->u.s.str : "";
		size_t vlen = v->type == KR_SCALAR ? v->u.s.len : 0;
		if (vt != KR_Y11_STR && vt != KR_Y11_NULL)
			kubectl_says(kc, sizeof(kc), vt, &yv, NULL, gofield, "string");
		if (vt == KR_Y11_MAP || vt == KR_Y11_SEQ)
			return kr_fail_at(ctx, KR_EINVALID, k->file, v->line, v->col,
			                  "invalid Kustomization: the values of '%s' must be "
			                  "strings, not %s (kubectl: %s)", what,
			                  vt == KR_Y11_MAP ? "maps" : "lists", kc);
		if (vt == KR_Y11_NULL) {
			val = "";
			vlen = 0;
		} else if (vt != KR_Y11_STR) {
			return kr_fail_at(ctx, KR_EINVALID, k->file, v->line, v->col,
			                  "invalid Kustomization: the values of '%s' must be "
			                  "strings: '%s' is read as a %s, quote it (kubectl: %s)",
			                  what, v->u.s.str, json_kind(vt), kc);
		}
		if ((rc = strmap_put(ctx, m, key->u.s.str, key->u.s.len, val, vlen)) < 0)
			return rc;
	}
	return 0;
}
