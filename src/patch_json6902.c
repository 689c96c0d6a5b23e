/*
 * patch_json6902.c - JSON 6902 patches (kustomize's PatchTransformer for
 * operation lists, PatchJson6902Transformer, api/filters/patchjson6902,
 * gopkg.in/evanphx/json-patch.v4).
 *
 * kustomize converts the patch text to JSON (YAML through go-yaml v2, so
 * `value: yes` is true and `value: 0x10` is 16), converts each selected
 * resource to JSON, applies the operations and reads the result back.  The
 * round trip passes every number through a float64 and prints it as
 * encoding/json does (1.0 -> 1, 0o17 -> 15, 12345678901234567890 ->
 * 12345678901234567000), spells null and booleans out and forgets scalar
 * styles; kr_json6902_normalise reproduces it.
 *
 * Operations (evanphx/json-patch v4): add (an object key is set or
 * replaced; in an array "-" appends, an index 0..len inserts, a negative
 * index counts from the end), remove, replace (an array index must
 * exist; a missing object key is simply added, as evanphx v4 does),
 * move, copy, test (JSON equality, numbers as float64).  For add, a
 * negative index counts from the end of the grown array (-1 appends).  Pointers unescape
 * ~1 then ~0.  The root pointer "" is refused.
 *
 * A `patches:` entry whose content is not an operation list is a
 * strategic-merge patch (patch_smp.c).
 */
#include "patch_json6902.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "gonum.h"
#include "kdecode.h"
#include "parse.h"
#include "patch_smp.h"
#include "selector.h"
#include "transformers.h"

/* ---- values ---------------------------------------------------------- */

/* encoding/json's text of a float64. */
static size_t json_float(double v, char *buf)
{
	if (v == 0)
		return (size_t)sprintf(buf, signbit(v) ? "-0" : "0");
	char d[32];
	int dp;
	int nd = kr_go_shortest_digits(v, 64, d, &dp);
	size_t o = 0;
	if (v < 0)
		buf[o++] = '-';
	double a = fabs(v);
	if (a < 1e-6 || a >= 1e21) {
		buf[o++] = d[0];
		if (nd > 1) {
			buf[o++] = '.';
			memcpy(buf + o, d + 1, (size_t)nd - 1);
			o += (size_t)nd - 1;
		}
		o += (size_t)sprintf(buf + o, "e%c%d", dp - 1 < 0 ? '-' : '+',
		                     abs(dp - 1));
	} else if (dp <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (int i = 0; i < -dp; i++)
			buf[o++] = '0';
		memcpy(buf + o, d, (size_t)nd);
		o += (size_t)nd;
	} else if (dp >= nd) {
		memcpy(buf + o, d, (size_t)nd);
		o += (size_t)nd;
		for (int i = nd; i < dp; i++)
			buf[o++] = '0';
	} else {
		memcpy(buf + o, d, (size_t)dp);
		o += (size_t)dp;
		buf[o++] = '.';
		memcpy(buf + o, d + dp, (size_t)(nd - dp));
		o += (size_t)(nd - dp);
	}
	buf[o] = 0;
	return o;
}

/* The float64 of a go-yaml v3 int or float scalar; -1 when not finite or
 * not understood. */
static int v3_number(const kr_node *n, double *out)
{
	const char *s = n->u.s.str;
	size_t len = n->u.s.len;
	char tmp[128];
	if (len == 0 || len >= sizeof tmp)
		return -1;
	size_t tl = 0;
	for (size_t i = 0; i < len; i++)   /* go-yaml v3 drops underscores */
		if (s[i] != '_' || n->tag != KR_TAG_INT)
			tmp[tl++] = s[i];
	tmp[tl] = 0;
	int neg = tmp[0] == '-';
	const char *p = tmp + (tmp[0] == '-' || tmp[0] == '+');
	/* strconv.ParseInt(s, 0, 64): 0x, 0o, 0b, and a leading 0 is octal */
	if (n->tag == KR_TAG_INT && p[0] == '0' && p[1]) {
		int skip = p[1] == 'x' || p[1] == 'o' || p[1] == 'b' || p[1] == 'X' ||
		           p[1] == 'O' || p[1] == 'B' ? 2 : 1;
		int base = p[1] == 'x' || p[1] == 'X' ? 16 : p[1] == 'b' || p[1] == 'B' ? 2 : 8;
		errno = 0;
		char *end;
		unsigned long long u = strtoull(p + skip, &end, base);
		if (errno || *end)
			return -1;
		*out = neg ? -(double)u : (double)u;
		return 0;
	}
	if (strpbrk(tmp, "xXnNiI_"))
		return -1;
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (*end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int set_text(kr_ctx *ctx, kr_node *n, kr_tag tag, const char *s)
{
	size_t l = strlen(s);
	char *c = kr_arena_strndup(&ctx->arena, s, l);
	if (!c)
		return kr_nomem(ctx);
	n->tag = (uint8_t)tag;
	n->u.s.str = c;
	n->u.s.len = l;
	return 0;
}

int kr_json6902_normalise(kr_ctx *ctx, kr_node *n)
{
	int rc;
	if (n->type == KR_MAP) {
		for (uint32_t i = 0; i < n->u.m.len; i++)
			if ((rc = kr_json6902_normalise(ctx, n->u.m.items[i].value)) < 0)
				return rc;
		return 0;
	}
	if (n->type == KR_SEQ) {
		for (uint32_t i = 0; i < n->u.q.len; i++)
			if ((rc = kr_json6902_normalise(ctx, n->u.q.items[i])) < 0)
				return rc;
		return 0;
	}
	switch (n->tag) {
	case KR_TAG_NULL:
		n->style = KR_STYLE_PLAIN;
		return set_text(ctx, n, KR_TAG_NULL, "null");
	case KR_TAG_BOOL: {
		int t = n->u.s.len && (n->u.s.str[0] == 't' || n->u.s.str[0] == 'T');
		n->style = KR_STYLE_PLAIN;
		return set_text(ctx, n, KR_TAG_BOOL, t ? "true" : "false");
	}
	case KR_TAG_INT:
	case KR_TAG_FLOAT: {
		double v;
		if (v3_number(n, &v) < 0)
			return kr_fail_at(ctx, KR_EINVALID, n->file ? n->file : "?", n->line,
			                  n->col, "the number '%s' in a resource patched by a "
			                  "JSON patch is not supported by this version of "
			                  "krender yet", n->u.s.str);
		char buf[64];
		json_float(v, buf);
		n->style = KR_STYLE_PLAIN;
		n->flags &= (uint8_t)~KR_NODE_TAGGED;
		return set_text(ctx, n, strpbrk(buf, ".e") ? KR_TAG_FLOAT : KR_TAG_INT, buf);
	}
	default:
		if (n->style != KR_STYLE_PLAIN) {
			n->style = KR_STYLE_PLAIN;
			n->flags |= KR_NODE_TAGGED; /* a string, never a timestamp */
		}
		return 0;
	}
}

/* A patch value (typed as go-yaml v2 types it) as a resource node. */
static kr_node *convert_value(kr_ctx *ctx, const kr_node *v, const char **bad)
{
	kr_arena *a = &ctx->arena;
	kr_node *out;
	if (v->type == KR_MAP) {
		out = kr_node_map(a, v->u.m.len);
		if (!out)
			return NULL;
		for (uint32_t i = 0; i < v->u.m.len; i++) {
			const char *kt = kr_y11_as_string(a, v->u.m.items[i].key);
			kr_node *key = kt ? kr_node_str(a, kt) : NULL;
			kr_node *val = key ? convert_value(ctx, v->u.m.items[i].value, bad) : NULL;
			if (!val || kr_map_set(a, out, kt, val) < 0)
				return NULL;
			(void)key;
		}
		return out;
	}
	if (v->type == KR_SEQ) {
		out = kr_node_seq(a, v->u.q.len);
		if (!out)
			return NULL;
		for (uint32_t i = 0; i < v->u.q.len; i++) {
			kr_node *it = convert_value(ctx, v->u.q.items[i], bad);
			if (!it || kr_seq_append(a, out, it) < 0)
				return NULL;
		}
		return out;
	}
	kr_y11_value yv;
	char buf[64];
	switch (kr_y11_value_of(v, &yv)) {
	case KR_Y11_NULL:
		return kr_node_scalar(a, KR_TAG_NULL, "null", 4);
	case KR_Y11_BOOL:
		return kr_node_scalar(a, KR_TAG_BOOL, yv.b ? "true" : "false", yv.b ? 4 : 5);
	case KR_Y11_INT:
	case KR_Y11_FLOAT: {
		double d = kr_y11_type_of(v) == KR_Y11_FLOAT ? yv.f
		           : yv.is_unsigned ? (double)yv.u : (double)yv.i;
		if (!isfinite(d)) {
			*bad = "an infinite or NaN number (JSON cannot hold it)";
			return NULL;
		}
		size_t l = json_float(d, buf);
		return kr_node_scalar(a, strpbrk(buf, ".e") ? KR_TAG_FLOAT : KR_TAG_INT, buf, l);
	}
	default:
		out = kr_node_scalar(a, KR_TAG_STR, v->u.s.str, v->u.s.len);
		if (out)
			out->flags |= KR_NODE_TAGGED;
		return out;
	}
}

/* ---- pointers and operations ---------------------------------------- */

typedef struct ptr {
	char **tok;
	size_t n;
} ptr;

static int parse_ptr(kr_ctx *ctx, const char *p, ptr *out)
{
	kr_arena *a = &ctx->arena;
	size_t cap = 1;
	for (const char *c = p; *c; c++)
		cap += *c == '/';
	out->tok = kr_arena_alloc(a, cap * sizeof(char *));
	if (!out->tok)
		return kr_nomem(ctx);
	out->n = 0;
	const char *s = p + 1;
	for (;;) {
		const char *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		char *t = kr_arena_alloc(a, l + 1);
		if (!t)
			return kr_nomem(ctx);
		size_t o = 0;
		/* strings.NewReplacer("~1", "/", "~0", "~") */
		for (size_t i = 0; i < l; i++) {
			if (s[i] == '~' && i + 1 < l && (s[i + 1] == '1' || s[i + 1] == '0')) {
				t[o++] = s[i + 1] == '1' ? '/' : '~';
				i++;
			} else {
				t[o++] = s[i];
			}
		}
		t[o] = 0;
		out->tok[out->n++] = t;
		if (!e)
			break;
		s = e + 1;
	}
	return 0;
}

/* Go's strconv.Atoi: 1 and *out, or 0 when not an int. */
static int go_atoi(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return 0;
	for (const char *c = p; *c; c++)
		if (*c < '0' || *c > '9')
			return 0;
	if (strlen(p) > 18)
		return 0;
	*out = strtoll(s, NULL, 10);
	return 1;
}

/* Index into an array for get/remove/replace: -1 when invalid. */
static long long arr_index(const kr_node *arr, const char *key)
{
	long long i;
	long long len = arr->u.q.len;
	if (!go_atoi(key, &i))
		return -1;
	if (i < 0) {
		if (i < -len)
			return -1;
		i += len;
	}
	return i < len ? i : -1;
}

static kr_node *get_child(const kr_node *c, const char *key)
{
	if (c->type == KR_MAP) {
		kr_pair *p = kr_map_find(c, key, strlen(key));
		return p ? p->value : NULL;
	}
	if (c->type == KR_SEQ) {
		long long i = arr_index(c, key);
		return i < 0 ? NULL : c->u.q.items[i];
	}
	return NULL;
}

/* evanphx's findObject: the container of the last token, or NULL. */
static kr_node *find_container(kr_node *doc, const ptr *p)
{
	kr_node *c = doc;
	for (size_t i = 0; i + 1 < p->n; i++) {
		c = get_child(c, p->tok[i]);
		if (!c)
			return NULL;
	}
	return c->type == KR_MAP || c->type == KR_SEQ ? c : NULL;
}

typedef struct opctx {
	kr_ctx *ctx;
	const char *src;
	uint32_t index;
	const char *op, *path;
} opctx;

static int op_fail(const opctx *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int op_fail(const opctx *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return kr_fail(o->ctx, KR_EINVALID, "%s: operation %u (%s %s): %s", o->src,
	               o->index, o->op, o->path, msg);
}

static int do_add(const opctx *o, kr_node *doc, const ptr *p, kr_node *val)
{
	kr_arena *a = &o->ctx->arena;
	kr_node *c = find_container(doc, p);
	if (!c)
		return op_fail(o, "add operation does not apply: doc is missing path: "
		               "\"%s\": missing value", o->path);
	const char *key = p->tok[p->n - 1];
	if (c->type == KR_MAP) {
		if (kr_map_set(a, c, key, val) < 0)
			return kr_nomem(o->ctx);
		return 0;
	}
	long long len = c->u.q.len, i;
	if (!strcmp(key, "-")) {
		i = len;
	} else {
		if (!go_atoi(key, &i))
			return op_fail(o, "value was not a proper array index: '%s'", key);
		/* evanphx v4: the size after the insertion bounds the index, so
		 * -1 appends */
		if (i > len || i < -(len + 1))
			return op_fail(o, "Unable to access invalid index: %s: invalid index "
			               "referenced", key);
		if (i < 0)
			i += len + 1;
	}
	if (kr_seq_append(a, c, val) < 0)
		return kr_nomem(o->ctx);
	memmove(&c->u.q.items[i + 1], &c->u.q.items[i],
	        (size_t)(len - i) * sizeof(kr_node *));
	c->u.q.items[i] = val;
	return 0;
}

/* Remove and return the value at p (NULL with the error set). */
static kr_node *do_remove(const opctx *o, kr_node *doc, const ptr *p, const char *verb,
                          const char *ptext)
{
	kr_node *c = find_container(doc, p);
	if (!c) {
		op_fail(o, "%s operation does not apply: doc is missing path: \"%s\": "
		        "missing value", verb, ptext);
		return NULL;
	}
	const char *key = p->tok[p->n - 1];
	if (c->type == KR_MAP) {
		kr_pair *pr = kr_map_find(c, key, strlen(key));
		if (!pr) {
			op_fail(o, "Unable to remove nonexistent key: %s: missing value", key);
			return NULL;
		}
		kr_node *v = pr->value;
		kr_map_remove(c, key);
		return v;
	}
	long long i = arr_index(c, key);
	if (i < 0) {
		op_fail(o, "Unable to access invalid index: %s: invalid index referenced", key);
		return NULL;
	}
	kr_node *v = c->u.q.items[i];
	memmove(&c->u.q.items[i], &c->u.q.items[i + 1],
	        (size_t)(c->u.q.len - 1 - (uint32_t)i) * sizeof(kr_node *));
	c->u.q.len--;
	return v;
}

/* JSON equality of two nodes (numbers as float64). */
static int json_equal(const kr_node *x, const kr_node *y)
{
	if (x->type != y->type)
		return 0;
	if (x->type == KR_MAP) {
		if (x->u.m.len != y->u.m.len)
			return 0;
		for (uint32_t i = 0; i < x->u.m.len; i++) {
			const kr_pair *p = &x->u.m.items[i];
			kr_pair *q = kr_map_find(y, p->key->u.s.str, p->key->u.s.len);
			if (!q || !json_equal(p->value, q->value))
				return 0;
		}
		return 1;
	}
	if (x->type == KR_SEQ) {
		if (x->u.q.len != y->u.q.len)
			return 0;
		for (uint32_t i = 0; i < x->u.q.len; i++)
			if (!json_equal(x->u.q.items[i], y->u.q.items[i]))
				return 0;
		return 1;
	}
	int xn = x->tag == KR_TAG_INT || x->tag == KR_TAG_FLOAT;
	int yn = y->tag == KR_TAG_INT || y->tag == KR_TAG_FLOAT;
	if (xn && yn) {
		double a, b;
		return !v3_number(x, &a) && !v3_number(y, &b) && a == b;
	}
	if (x->tag != y->tag)
		return 0;
	if (x->tag == KR_TAG_NULL)
		return 1;
	if (x->tag == KR_TAG_BOOL)
		return (x->u.s.str[0] == 't' || x->u.s.str[0] == 'T') ==
		       (y->u.s.str[0] == 't' || y->u.s.str[0] == 'T');
	return x->u.s.len == y->u.s.len && !memcmp(x->u.s.str, y->u.s.str, x->u.s.len);
}

/* Does the subtree hold a scalar go-yaml v3 reads as a timestamp (a plain
 * string from a file that starts like YYYY-M)?  kustomize's JSON has its
 * RFC 3339 text there, which a `test` would compare against. */
static int has_timestamp(const kr_node *n)
{
	if (n->type == KR_MAP) {
		for (uint32_t i = 0; i < n->u.m.len; i++)
			if (has_timestamp(n->u.m.items[i].value))
				return 1;
		return 0;
	}
	if (n->type == KR_SEQ) {
		for (uint32_t i = 0; i < n->u.q.len; i++)
			if (has_timestamp(n->u.q.items[i]))
				return 1;
		return 0;
	}
	const char *s = n->u.s.str;
	return n->tag == KR_TAG_STR && n->style == KR_STYLE_PLAIN && n->line &&
	       !(n->flags & KR_NODE_TAGGED) && n->u.s.len >= 6 &&
	       s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	       s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9' && s[4] == '-';
}

static const char *op_str(kr_ctx *ctx, const kr_node *op, const char *field)
{
	const kr_node *v = kr_map_get(op, field);
	if (!v || v->type != KR_SCALAR || kr_y11_type_of(v) == KR_Y11_NULL)
		return NULL;
	const char *s = kr_y11_as_string(&ctx->arena, v);
	if (!s)
		kr_nomem(ctx); /* callers tell it from an absent field by OP_NOMEM */
	return s;
}

/* Did an op_str() run out of memory (rather than find no such field)? */
#define OP_NOMEM(ctx) ((ctx)->err_code == KR_ENOMEM)

int kr_json6902_apply(kr_ctx *ctx, const char *src, const kr_node *ops, kr_node *doc)
{
	kr_arena *a = &ctx->arena;
	int rc;
	for (uint32_t i = 0; i < ops->u.q.len; i++) {
		const kr_node *op = ops->u.q.items[i];
		opctx o = { ctx, src, i, "?", "?" };
		if (op->type != KR_MAP)
			return kr_fail(ctx, KR_EINVALID, "%s: operation %u is not a mapping",
			               src, i);
		const char *kind = op_str(ctx, op, "op");
		const char *path = op_str(ctx, op, "path");
		if (OP_NOMEM(ctx))
			return KR_ENOMEM;
		o.op = kind ? kind : "(none)";
		o.path = path ? path : "(none)";
		if (!kind || (strcmp(kind, "add") && strcmp(kind, "remove") &&
		              strcmp(kind, "replace") && strcmp(kind, "move") &&
		              strcmp(kind, "copy") && strcmp(kind, "test")))
			return op_fail(&o, "Unexpected kind: %s", kind ? kind : "(none)");
		if (!path)
			return op_fail(&o, "%s operation has no path", kind);
		if (!path[0])
			return op_fail(&o, "%s", "the root pointer \"\" is not supported by "
			               "this version of krender yet");
		if (path[0] != '/')
			return op_fail(&o, "JSON pointer must be empty or start with a \"/\": "
			               "\"%s\"", path);
		ptr p;
		if ((rc = parse_ptr(ctx, path, &p)) < 0)
			return rc;
		const kr_node *rawval = kr_map_get(op, "value");
		kr_node *val = NULL;
		if (!strcmp(kind, "add") || !strcmp(kind, "replace") || !strcmp(kind, "test")) {
			/* (kubectl crashes on a test without a value) */
			if (!rawval)
				return op_fail(&o, "%s", "missing value");
			if (rawval) {
				const char *bad = NULL;
				val = convert_value(ctx, rawval, &bad);
				if (!val)
					return bad ? op_fail(&o, "%s", bad) : kr_nomem(ctx);
			}
		}
		if (!strcmp(kind, "add")) {
			if ((rc = do_add(&o, doc, &p, val)) < 0)
				return rc;
		} else if (!strcmp(kind, "remove")) {
			if (!do_remove(&o, doc, &p, "remove", path))
				return ctx->err_code;
		} else if (!strcmp(kind, "replace")) {
			kr_node *c = find_container(doc, &p);
			const char *key = p.tok[p.n - 1];
			if (!c)
				return op_fail(&o, "replace operation does not apply: doc is missing "
				               "path: %s: missing value", path);
			if (c->type == KR_MAP) {
				/* evanphx v4's partialDoc.get never fails: replacing a
				 * missing key of an object adds it */
				if (kr_map_set(a, c, key, val) < 0)
					return kr_nomem(ctx);
			} else {
				long long idx = arr_index(c, key);
				if (idx < 0)
					return op_fail(&o, "replace operation does not apply: doc is "
					               "missing key: %s: missing value", path);
				c->u.q.items[idx] = val;
			}
		} else if (!strcmp(kind, "test")) {
			kr_node *c = find_container(doc, &p);
			if (!c)
				return op_fail(&o, "test operation does not apply: is missing "
				               "path: %s: missing value", path);
			kr_node *cur = get_child(c, p.tok[p.n - 1]);
			if (cur && has_timestamp(cur))
				return op_fail(&o, "%s", "a test of a value that kustomize reads "
				               "as a timestamp is not supported by this version of "
				               "krender yet");
			int ok = cur ? (val && json_equal(cur, val))
			             : (!val || val->tag == KR_TAG_NULL);
			if (c->type == KR_MAP && !cur && val && val->type == KR_SCALAR &&
			    val->tag == KR_TAG_NULL)
				ok = 1;
			if (!ok)
				return op_fail(&o, "testing value %s failed: test failed", path);
		} else { /* move, copy */
			const char *from = op_str(ctx, op, "from");
			if (OP_NOMEM(ctx))
				return KR_ENOMEM;
			if (!from)
				return op_fail(&o, "%s", "missing from");
			if (!from[0] || from[0] != '/')
				return op_fail(&o, "unsupported from pointer \"%s\"", from);
			ptr f;
			if ((rc = parse_ptr(ctx, from, &f)) < 0)
				return rc;
			kr_node *v;
			if (!strcmp(kind, "move")) {
				v = do_remove(&o, doc, &f, "move", from);
			} else {
				kr_node *c = find_container(doc, &f);
				v = c ? get_child(c, f.tok[f.n - 1]) : NULL;
				if (!v)
					return op_fail(&o, "copy operation does not apply: doc is "
					               "missing from path: %s: missing value", from);
				v = kr_node_copy(a, v);
				if (!v)
					return kr_nomem(ctx);
			}
			if (!v)
				return ctx->err_code;
			if ((rc = do_add(&o, doc, &p, v)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- the transformers ------------------------------------------------ */

static int load_patch_file(kr_ctx *ctx, const kr_kustomization *k, const kr_node *at,
                           const char *rel, char **data, size_t *len,
                           const char **display)
{
	if (kr_kust_read_file(ctx, k, at, rel, data, len, display) < 0)
		return kr_wrap(ctx, "patch file");
	return 0;
}

/* During a kustomize build a resource carries internal annotations
 * (previous names, prefixes, generator behaviour...) in
 * metadata.annotations, which the JSON patch sees: `add
 * /metadata/annotations/x` then works on a resource without annotations.
 * The patch transformer of `patches:` always stores a previous id first;
 * patchesJson6902 does not.  Reproduce the map's presence; refuse what
 * would see the hidden entries themselves (a test or a copy/move of the
 * whole map). */
static int internal_annotations(kr_ctx *ctx, const char *src, const kr_node *ops,
                                kr_resource *r, int is_patches)
{
	int has = is_patches || r->nprev || r->nprefixes || r->nsuffixes ||
	          r->needs_hash || r->generated;
	if (!has)
		return 0;
	for (uint32_t i = 0; i < ops->u.q.len; i++) {
		const kr_node *op = ops->u.q.items[i];
		const char *kind = op_str(ctx, op, "op");
		const char *which[2] = { op_str(ctx, op, "path"), op_str(ctx, op, "from") };
		if (OP_NOMEM(ctx))
			return KR_ENOMEM;
		for (int j = 0; j < 2; j++) {
			const char *p = which[j];
			if (!p || !kind)
				continue;
			int whole = !strcmp(p, "/metadata") || !strcmp(p, "/metadata/annotations");
			if (whole && (!strcmp(kind, "test") || (j == 1 && (!strcmp(kind, "copy") ||
			                                                   !strcmp(kind, "move")))))
				return kr_fail(ctx, KR_EINVALID, "%s: operation %u (%s %s): a JSON "
				               "patch that reads the whole of %s (where kustomize "
				               "keeps internal annotations) is not supported by this "
				               "version of krender yet", src, i, kind, p, p);
		}
	}
	kr_node *md = kr_map_get(r->doc, "metadata");
	if (!md || md->type != KR_MAP || kr_map_get(md, "annotations"))
		return 0;
	kr_node *ann = kr_node_map(&ctx->arena, 0);
	if (!ann || kr_map_set(&ctx->arena, md, "annotations", ann) < 0)
		return kr_nomem(ctx);
	return 0;
}

typedef struct entry {
	const kr_node *node;
	const char *path, *patch;
	const kr_node *path_node, *target;
	int allow_name, allow_kind;    /* options (strategic-merge patches) */
} entry;

static int json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

/* The first node of a tree parsed from '['-text that JSON would not
 * accept (a key or string not double-quoted, a plain scalar that is not a
 * JSON literal), or NULL. */
static const kr_node *not_json(const kr_node *n)
{
	const kr_node *b;
	if (n->type == KR_MAP) {
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			if (n->u.m.items[i].key->style != KR_STYLE_DOUBLE)
				return n->u.m.items[i].key;
			if ((b = not_json(n->u.m.items[i].value)))
				return b;
		}
		return NULL;
	}
	if (n->type == KR_SEQ) {
		for (uint32_t i = 0; i < n->u.q.len; i++)
			if ((b = not_json(n->u.q.items[i])))
				return b;
		return NULL;
	}
	if (n->style == KR_STYLE_DOUBLE && !(n->flags & KR_NODE_TAGGED))
		return NULL;
	if (n->style != KR_STYLE_PLAIN || (n->flags & KR_NODE_TAGGED))
		return n;
	const char *s = n->u.s.str;
	return !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "null") ||
	       json_number(s) ? NULL : n;
}

/* Apply one entry's text (already loaded) to the selected resources. */
static int apply_entry(kr_ctx *ctx, kr_layer *l, const entry *e, const char *what,
                       const char *text, size_t len, const char *src_file,
                       int is_patches)
{
	const kr_kustomization *k = l->k;
	int rc;
	/* Only an inline `patches:` text is trimmed (strings.TrimSpace) before
	 * kustomize looks for the '[' of JSON. */
	int json_text = text[0] == '[';
	while (len && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')) {
		text++;
		len--;
	}
	if (!len)
		return kr_fail_at(ctx, KR_EINVALID, k->file, e->node->line, e->node->col,
		                  "%s: empty patch", what);
	kr_doclist docs = { 0 };
	if ((rc = kr_yaml_parse(ctx, src_file, text, len, KR_YAML_FIRST_DOC_ONLY, &docs)) < 0)
		return kr_wrap(ctx, "%s", what);
	const kr_node *ops = docs.len ? docs.docs[0] : NULL;
	/* Text that starts with '[' goes to encoding/json as it is. */
	const kr_node *bad;
	if (is_patches && !e->path)
		json_text = text[0] == '[';
	if (json_text && ops && (bad = not_json(ops)))
		return kr_fail_at(ctx, KR_EINVALID, src_file, bad->line, bad->col,
		                  "%s: the patch starts with '[' but is not valid JSON "
		                  "(kustomize decodes it as JSON)", what);
	if (!ops || ops->type != KR_SEQ) {
		if (is_patches) {
			char *smsrc = e->path
			              ? kr_arena_printf(&ctx->arena, "%s (patch file %s, from %s)",
			                                what, src_file, k->file)
			              : kr_arena_printf(&ctx->arena, "%s:%u:%u: %s (inline patch)",
			                                k->file, e->node->line, e->node->col, what);
			if (!smsrc)
				return kr_nomem(ctx);
			kr_smp_entry se = { what, e->node, e->target, text, len, src_file,
			                    smsrc, e->allow_name, e->allow_kind };
			return kr_smp_patches_entry(ctx, l, &se);
		}
		return kr_fail_at(ctx, KR_EINVALID, k->file, e->node->line, e->node->col,
		                  "%s: the patch is not a list of JSON 6902 operations",
		                  what);
	}
	if (!ops->u.q.len)
		return kr_fail_at(ctx, KR_EINVALID, k->file, e->node->line, e->node->col,
		                  is_patches ? "%s: the patch is an empty list (kustomize: "
		                               "illegally qualifies as both an SM and JSON "
		                               "patch)"
		                             : "%s: patch appears to be empty", what);
	if (!e->target)
		return kr_fail_at(ctx, KR_EINVALID, k->file, e->node->line, e->node->col,
		                  "%s: must specify a target for a JSON patch", what);
	kr_selector sel;
	if ((rc = kr_selector_decode(ctx, k, e->target, what, &sel)) < 0)
		return rc;
	if (!is_patches && (!sel.name || !sel.name[0])) {
		kr_selector_free(&sel);
		return kr_fail_at(ctx, KR_EINVALID, k->file, e->target->line, e->target->col,
		                  "%s: must specify the target name", what);
	}
	char *src = e->path ? kr_arena_printf(&ctx->arena, "%s (patch file %s, from %s)",
	                                      what, src_file, k->file)
	                    : kr_arena_printf(&ctx->arena, "%s:%u:%u: %s (inline patch)",
	                                      k->file, e->node->line, e->node->col, what);
	if (!src) {
		kr_selector_free(&sel);
		return kr_nomem(ctx);
	}
	for (size_t i = 0; i < l->m->len; i++) {
		kr_resource *r = l->m->items[i];
		if ((rc = kr_selector_matches(ctx, &sel, r)) < 0)
			break;
		if (!rc)
			continue;
		if (is_patches && kr_resource_store_previous_id(&ctx->arena, r) < 0) {
			rc = kr_nomem(ctx);
			break;
		}
		if ((rc = internal_annotations(ctx, src, ops, r, is_patches)) < 0)
			break;
		if ((rc = kr_json6902_apply(ctx, src, ops, r->doc)) < 0 ||
		    (rc = kr_json6902_normalise(ctx, r->doc)) < 0)
			break;
		/* kustomize sets the annotations back as strings (and drops an
		 * empty map). */
		kr_node *md = kr_map_get(r->doc, "metadata");
		kr_node *ann = md && md->type == KR_MAP ? kr_map_get(md, "annotations") : NULL;
		if (ann && ann->type == KR_MAP) {
			if (!ann->u.m.len) {
				kr_map_remove(md, "annotations");
			} else {
				for (uint32_t j = 0; j < ann->u.m.len; j++) {
					kr_node *v = ann->u.m.items[j].value;
					if (v->type == KR_SCALAR && v->tag != KR_TAG_STR) {
						/* GetAnnotations reads the text as a string */
						kr_node *c = kr_node_scalar(&ctx->arena, KR_TAG_STR,
						                            v->u.s.str, v->u.s.len);
						if (!c) {
							kr_selector_free(&sel);
							return kr_nomem(ctx);
						}
						c->flags |= KR_NODE_TAGGED;
						ann->u.m.items[j].value = c;
					} else if (v->type != KR_SCALAR) {
						kr_selector_free(&sel);
						return kr_fail(ctx, KR_EINVALID, "%s: a non-string "
						               "annotation value after a JSON patch is not "
						               "supported by this version of krender yet",
						               src);
					}
				}
			}
		}
		if ((rc = kr_resource_refresh_id(&ctx->arena, r)) < 0) {
			rc = kr_nomem(ctx);
			break;
		}
		rc = 0;
	}
	kr_selector_free(&sel);
	return rc;
}

static int run_field(kr_ctx *ctx, kr_layer *l, const char *field, int is_patches)
{
	const kr_kustomization *k = l->k;
	const kr_node *list;
	int rc;
	const char *gotype = is_patches ? "[]types.Patch" : "[]types.Patch";
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof)
		return kr_nomem(ctx);
	if ((rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, field), field, NULL, gof,
	                              gotype, &list)) < 0)
		return rc;
	if (!list)
		return 0;
	static const char *const pfields[] = { "path", "patch", "target", "options" };
		for (uint32_t i = 0; i < list->u.q.len; i++) {
		const kr_node *n = list->u.q.items[i];
		char *what = kr_arena_printf(&ctx->arena, "%s[%u]", field, i);
		if (!what)
			return kr_nomem(ctx);
		kr_kmembers mem;
		if ((rc = kr_kust_decode_struct(ctx, k, n, what, NULL, "Patch", "types.Patch",
		                                &mem)) < 0)
			return rc;
		entry e = { n, NULL, NULL, NULL, NULL, 0, 0 };
		for (uint32_t j = 0; j < mem.len; j++) {
			const kr_kmember *m = &mem.items[j];
			int f = kr_kust_decode_member(ctx, k, m, what, pfields, 4);
			if (f < 0)
				return f;
			const char *fname = pfields[f];
			char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, fname);
			char *g = kr_arena_printf(&ctx->arena, "Patch.%s.%s", field, fname);
			if (!w || !g)
				return kr_nomem(ctx);
			if (!strcmp(fname, "target")) {
				e.target = kr_y11_is_null(m->value) ? NULL : m->value;
			} else if (!strcmp(fname, "options")) {
				/* map[string]bool; only strategic-merge patches use it */
				const kr_node *ov = m->value;
				int ok = kr_y11_is_null(ov) || ov->type == KR_MAP;
				for (uint32_t q = 0; ok && ov->type == KR_MAP && q < ov->u.m.len; q++) {
					kr_y11_type t = kr_y11_type_of(ov->u.m.items[q].value);
					ok = t == KR_Y11_BOOL || t == KR_Y11_NULL;
				}
				if (!ok)
					return kr_fail_at(ctx, KR_EINVALID, k->file, ov->line, ov->col,
					                  "invalid Kustomization: '%s' must be a "
					                  "mapping of booleans", w);
				for (uint32_t q = 0; ov->type == KR_MAP && q < ov->u.m.len; q++) {
					kr_y11_value v;
					const kr_node *key = ov->u.m.items[q].key;
					if (kr_y11_value_of(ov->u.m.items[q].value, &v) != KR_Y11_BOOL)
						continue;
					if (!strcmp(key->u.s.str, "allowNameChange"))
						e.allow_name = v.b;
					else if (!strcmp(key->u.s.str, "allowKindChange"))
						e.allow_kind = v.b;
				}
			} else if (!strcmp(fname, "path")) {
				if ((rc = kr_kust_decode_string(ctx, k, m->value, w, g, &e.path)) < 0)
					return rc;
				e.path_node = m->value;
			} else {
				if ((rc = kr_kust_decode_string(ctx, k, m->value, w, g, &e.patch)) < 0)
					return rc;
			}
		}
		if (e.path && !e.path[0])
			e.path = NULL;
		if (e.patch && !e.patch[0])
			e.patch = NULL;
		if (!e.path && !e.patch)
			return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
			                  "%s: must specify one of patch and path", what);
		if (e.path && e.patch)
			return kr_fail_at(ctx, KR_EINVALID, k->file, n->line, n->col,
			                  "%s: patch and path can't be set at the same time", what);
		const char *text = NULL, *src_file = NULL;
		size_t len = 0;
		if (e.path) {
			char *data;
			if ((rc = load_patch_file(ctx, k, e.path_node, e.path, &data, &len,
			                          &src_file)) < 0)
				return kr_wrap(ctx, "%s", what);
			text = data;
		} else {
			text = e.patch;
			len = strlen(text);
			/* positions inside an inline patch count from its first line */
			src_file = kr_arena_printf(&ctx->arena, "%s (%s.patch)", k->file, what);
			if (!src_file)
				return kr_nomem(ctx);
		}
		if ((rc = apply_entry(ctx, l, &e, what, text, len, src_file, is_patches)) < 0)
			return rc;
	}
	return 0;
}

int kr_patches_transform(kr_ctx *ctx, kr_layer *l)
{
	return run_field(ctx, l, "patches", 1);
}

int kr_json6902_transform(kr_ctx *ctx, kr_layer *l)
{
	return run_field(ctx, l, "patchesJson6902", 0);
}
