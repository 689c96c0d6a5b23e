/*
 * vars.c - kustomize's `vars:` (see vars.h).
 */
#include "vars.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "fieldspec.h"
#include "gonum.h"
#include "kdecode.h"

/* ---- decoding a kustomization's vars ---------------------------------- */

static int decode_target(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                         const char *what, kr_var *v)
{
	static const char *const names[] = { "apiVersion", "group", "version",
	                                      "kind", "name", "namespace" };
	const char *apiv = "";
	const char **dst[] = { &apiv, &v->group, &v->version, &v->kind,
	                       &v->objname, &v->ns };
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, NULL, "Var.vars.objref",
	                               "types.Target", &mm);
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = kr_kust_decode_member(ctx, k, &mm.items[i], what, names, 6);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, names[f]);
		char *g = kr_arena_printf(&ctx->arena, "Target.vars.objref.%s", names[f]);
		if (!w || !g)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_string(ctx, k, mm.items[i].value, w, g, dst[f])) < 0)
			return rc;
	}
	/* types.Target.GVK(): apiVersion, when given, overrides the inline
	 * group and version ("g/v"), or only the version ("v"); any other
	 * shape changes nothing. */
	if (apiv[0]) {
		const char *slash = strchr(apiv, '/');
		if (!slash) {
			v->version = apiv;
		} else if (!strchr(slash + 1, '/')) {
			v->group = kr_arena_strndup(&ctx->arena, apiv, (size_t)(slash - apiv));
			if (!v->group)
				return kr_nomem(ctx);
			v->version = slash + 1;
		}
	}
	return 0;
}

static int decode_fieldref(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                           const char *what, kr_var *v)
{
	static const char *const names[] = { "fieldPath" };
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, NULL, "Var.vars.fieldref",
	                               "types.FieldSelector", &mm);
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = kr_kust_decode_member(ctx, k, &mm.items[i], what, names, 1);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.fieldPath", what);
		if (!w)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_string(ctx, k, mm.items[i].value, w,
		                                "FieldSelector.vars.fieldref.fieldPath",
		                                &v->field_path)) < 0)
			return rc;
	}
	return 0;
}

static int decode_var(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                      size_t idx, kr_var *v)
{
	static const char *const names[] = { "name", "objref", "fieldref" };
	memset(v, 0, sizeof(*v));
	v->name = v->group = v->version = v->kind = v->objname = v->ns = "";
	v->field_path = "";
	v->file = k->file;
	v->line = n->line;
	v->col = n->col;
	char *what = kr_arena_printf(&ctx->arena, "vars[%zu]", idx);
	if (!what)
		return kr_nomem(ctx);
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, NULL, "Kustomization.vars",
	                               "types.Var", &mm);
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < mm.len; i++) {
		const kr_kmember *m = &mm.items[i];
		int f = kr_kust_decode_member(ctx, k, m, what, names, 3);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, names[f]);
		if (!w)
			return kr_nomem(ctx);
		if (f == 0)
			rc = kr_kust_decode_string(ctx, k, m->value, w, "Var.vars.name", &v->name);
		else if (f == 1)
			rc = decode_target(ctx, k, m->value, w, v);
		else
			rc = decode_fieldref(ctx, k, m->value, w, v);
		if (rc < 0)
			return rc;
	}
	/* types.Var.Defaulting */
	if (!v->field_path[0])
		v->field_path = "metadata.name";
	return 0;
}

/* "SVC (Service.v1.[noGrp]/web, fieldPath metadata.name)" for messages. */
static const char *describe(kr_ctx *ctx, const kr_var *v)
{
	kr_resid id = { v->group, v->version, v->kind, v->objname, v->ns };
	char *ids = kr_resid_string(&ctx->arena, &id);
	char *s = kr_arena_printf(&ctx->arena, "'%s' (objref %s, fieldPath %s)",
	                          v->name, ids ? ids : v->objname, v->field_path);
	return s ? s : v->name;
}

/* ---- matching an objref (MergeVars) ------------------------------------ */

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a, b);
}

/* kustomize's ResId.GvknEquals, and Equals when the objref has a
 * namespace, between the var's target and one id a resource had.  `ens` is
 * that id's effective namespace as kustomize computes it. */
static int target_matches(const kr_var *v, const char *tgt_ns, const char *group,
                          const char *version, const char *kind,
                          const char *name, const char *ens)
{
	if (!str_eq(v->objname, name) || !str_eq(v->kind, kind) ||
	    !str_eq(v->group, group) || !str_eq(v->version, version))
		return 0;
	return !tgt_ns || str_eq(ens, tgt_ns);
}

static int resource_matches(const kr_var *v, const char *tgt_ns,
                            const kr_resource *r)
{
	/* kustomize's PrevIds use the current apiVersion for every previous
	 * id, and their namespace is the effective one recorded (the
	 * "_non_namespaceable_" of a cluster-scoped object included). */
	for (uint32_t i = 0; i < r->nprev; i++) {
		const kr_resid *p = &r->prev[i];
		if (target_matches(v, tgt_ns, r->cur.group, r->cur.version, p->kind,
		                   p->name, p->ns))
			return 1;
	}
	const char *ens = r->cluster_scoped ? "_non_namespaceable_"
	                  : kr_resid_effective_ns(&r->cur, 0);
	return target_matches(v, tgt_ns, r->cur.group, r->cur.version, r->cur.kind,
	                      r->cur.name, ens);
}

static int add_refvar(kr_ctx *ctx, kr_resource *r, const char *name)
{
	const char **p = kr_arena_grow(&ctx->arena, r->refvars,
	                               r->nrefvars * sizeof(*p),
	                               (r->nrefvars + 1) * sizeof(*p));
	if (!p)
		return kr_nomem(ctx);
	p[r->nrefvars++] = name;
	r->refvars = p;
	return 0;
}

static const kr_var *find_var(const kr_varset *vs, const char *name)
{
	for (size_t i = 0; i < vs->len; i++)
		if (str_eq(vs->items[i].name, name))
			return &vs->items[i];
	return NULL;
}

static int push_var(kr_ctx *ctx, kr_varset *vs, const kr_var *v)
{
	if (find_var(vs, v->name))
		return kr_fail_at(ctx, KR_EINVALID, v->file, v->line, v->col,
		                  "var '%s' already encountered (a var name may be "
		                  "defined only once in a build)", v->name);
	if (vs->len == vs->cap) {
		size_t ncap = vs->cap ? vs->cap * 2 : 8;
		kr_var *p = kr_arena_grow(&ctx->arena, vs->items, vs->len * sizeof(*p),
		                          ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		vs->items = p;
		vs->cap = ncap;
	}
	vs->items[vs->len++] = *v;
	return 0;
}

int kr_vars_merge(kr_ctx *ctx, kr_varset *vs, const kr_kustomization *k,
                  kr_resmap *m)
{
	const kr_node *seq;
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, "vars"), "vars", NULL,
	                             "Kustomization.vars", "[]types.Var", &seq);
	if (rc < 0 || !seq)
		return rc;
	size_t n = seq->u.q.len;
	kr_var *in = kr_arena_alloc(&ctx->arena, (n ? n : 1) * sizeof(*in));
	if (!in)
		return kr_nomem(ctx);
	/* kustomize rejects a malformed entry when it loads the file. */
	for (size_t i = 0; i < n; i++)
		if ((rc = decode_var(ctx, k, seq->u.q.items[i], i, &in[i])) < 0)
			return rc;
	for (size_t i = 0; i < n; i++) {
		const kr_var *v = &in[i];
		/* An objref without a namespace matches any.  kustomize never
		 * takes the objref's kind for cluster-scoped (its Gvk is decoded,
		 * not made by NewGvk), so a namespace given for a cluster-scoped
		 * kind matches nothing. */
		const char *tgt_ns = NULL;
		if (v->ns[0]) {
			kr_resid t = { v->group, v->version, v->kind, v->objname, v->ns };
			tgt_ns = kr_resid_effective_ns(&t, 0);
		}
		kr_resource *match = NULL;
		size_t nmatch = 0;
		for (size_t j = 0; j < m->len; j++)
			if (resource_matches(v, tgt_ns, m->items[j])) {
				nmatch++;
				match = m->items[j];
			}
		if (nmatch > 1)
			return kr_fail_at(ctx, KR_EINVALID, v->file, v->line, v->col,
			                  "found %zu resources that var %s may refer to "
			                  "(unable to disambiguate; give objref a "
			                  "namespace)", nmatch, describe(ctx, v));
		if (nmatch == 1 && (rc = add_refvar(ctx, match, v->name)) < 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = push_var(ctx, vs, &in[i])) < 0)
			return kr_wrap(ctx, "merging vars");
	return 0;
}

int kr_vars_absorb(kr_ctx *ctx, kr_varset *dst, const kr_varset *src)
{
	for (size_t i = 0; i < src->len; i++) {
		int rc = push_var(ctx, dst, &src->items[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- reading a var's value (GetFieldValue) ------------------------------ */

typedef struct strlist {
	char **items;
	size_t len, cap;
} strlist;

static int sl_push(kr_ctx *ctx, strlist *l, const char *s, size_t n)
{
	if (l->len == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		char **p = kr_arena_grow(&ctx->arena, l->items, l->len * sizeof(*p),
		                         ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		l->items = p;
		l->cap = ncap;
	}
	char *c = kr_arena_strndup(&ctx->arena, s, n);
	if (!c)
		return kr_nomem(ctx);
	l->items[l->len++] = c;
	return 0;
}

static int ends_with(const char *s, char c)
{
	size_t n = strlen(s);
	return n && s[n - 1] == c;
}

/* kyaml's PathSplitter on '.': a leading '.' is dropped, "\." keeps a
 * dot inside a name. */
static int path_split(kr_ctx *ctx, const char *path, strlist *out)
{
	strlist raw = { 0 };
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (sl_push(ctx, &raw, p, n) < 0)
			return -1;
		if (!dot)
			break;
		p = dot + 1;
	}
	size_t start = raw.len > 1 && !raw.items[0][0] ? 1 : 0;
	for (size_t i = start; i < raw.len; i++) {
		if (out->len && ends_with(out->items[out->len - 1], '\\')) {
			char *last = out->items[out->len - 1];
			last[strlen(last) - 1] = '\0';
			char *j = kr_arena_printf(&ctx->arena, "%s.%s", last, raw.items[i]);
			if (!j)
				return kr_nomem(ctx);
			out->items[out->len - 1] = j;
		} else if (sl_push(ctx, out, raw.items[i], strlen(raw.items[i])) < 0) {
			return -1;
		}
	}
	return 0;
}

/* kyaml's SmarterPathSplitter (a "[a.b=c]" element keeps its dots) and
 * convertSliceIndex ("ports[0]" -> "ports", "0"), then cleanPath (trimmed,
 * empty parts dropped). */
static int field_path_parts(kr_ctx *ctx, const char *path, strlist *out)
{
	strlist split = { 0 }, smart = { 0 };
	if (path_split(ctx, path, &split) < 0)
		return -1;
	for (size_t i = 0; i < split.len; i++) {
		char *e = split.items[i];
		if (e[0] == '[' && !ends_with(e, ']')) {
			kr_buf b = KR_BUF_INIT;
			kr_buf_puts(&b, e);
			while (i < split.len - 1) {
				i++;
				kr_buf_putc(&b, '.');
				kr_buf_puts(&b, split.items[i]);
				if (ends_with(split.items[i], ']'))
					break;
			}
			if (b.failed) {
				kr_buf_free(&b);
				return kr_nomem(ctx);
			}
			const char *s = b.data;
			size_t n = b.len;
			if (!strchr(s, '=')) {
				/* strings.Trim(s, "[]") */
				while (n && (*s == '[' || *s == ']'))
					s++, n--;
				while (n && (s[n - 1] == '[' || s[n - 1] == ']'))
					n--;
			}
			int rc = sl_push(ctx, &smart, s, n);
			kr_buf_free(&b);
			if (rc < 0)
				return rc;
		} else if (sl_push(ctx, &smart, e, strlen(e)) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; i < smart.len; i++) {
		char *s = smart.items[i];
		size_t n = strlen(s);
		/* ^(.*)\[(\d+)\]$ */
		if (n >= 3 && s[n - 1] == ']') {
			size_t d = n - 1;
			while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
				d--;
			if (d < n - 1 && d > 0 && s[d - 1] == '[') {
				if (d - 1 > 0 && sl_push(ctx, out, s, d - 1) < 0)
					return -1;
				if (sl_push(ctx, out, s + d, n - 1 - d) < 0)
					return -1;
				continue;
			}
		}
		/* cleanPath */
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
		             s[n - 1] == '\r' || s[n - 1] == '\v' || s[n - 1] == '\f'))
			n--;
		while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		             *s == '\v' || *s == '\f'))
			s++, n--;
		if (n && sl_push(ctx, out, s, n) < 0)
			return -1;
	}
	return 0;
}

static int is_null(const kr_node *n)
{
	return n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

/* strconv.Atoi: an optional sign and decimal digits, in int64. */
static int go_atoi(const char *s, size_t n, int64_t *out)
{
	if (!n)
		return -1;
	for (size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return kr_go_parse_int(s, n, 10, out);
}

/* One step of kyaml's PathGetter; NULL when the step finds nothing or
 * fails (GetFieldValue reports both the same way). */
static const kr_node *path_step(const kr_node *n, const char *part)
{
	int64_t idx;
	size_t plen = strlen(part);
	if (go_atoi(part, plen, &idx) == 0) {
		if (idx < 0 || n->type != KR_SEQ || (uint64_t)idx >= n->u.q.len)
			return NULL;
		return n->u.q.items[idx];
	}
	if (!strcmp(part, "-"))
		return n->type == KR_SEQ && n->u.q.len ? n->u.q.items[n->u.q.len - 1] : NULL;
	if (!strcmp(part, "*"))
		return NULL;
	if (part[0] == '[' && plen >= 2 && part[plen - 1] == ']') {
		const char *eq = memchr(part + 1, '=', plen - 2);
		if (!eq || n->type != KR_SEQ)
			return NULL;
		size_t klen = (size_t)(eq - part - 1);
		const char *val = eq + 1;
		size_t vlen = (size_t)(part + plen - 1 - val);
		for (uint32_t i = 0; i < n->u.q.len; i++) {
			const kr_node *e = n->u.q.items[i];
			if (!klen) {
				if (e->type == KR_SCALAR && e->u.s.len == vlen &&
				    !memcmp(e->u.s.str, val, vlen))
					return e;
				continue;
			}
			if (e->type != KR_MAP)
				continue;
			const kr_node *f = kr_map_find(e, part + 1, klen)
			                   ? kr_map_find(e, part + 1, klen)->value : NULL;
			if (f && f->type == KR_SCALAR && f->u.s.len == vlen &&
			    !memcmp(f->u.s.str, val, vlen))
				return e;
		}
		return NULL;
	}
	if (is_null(n) || n->type != KR_MAP)
		return NULL;
	kr_pair *kv = kr_map_find(n, part, plen);
	return kv ? kv->value : NULL;
}

/* Go's strconv.FormatFloat(f, 'f', -1, 64) (g == 0) or fmt's %v, which
 * is FormatFloat(f, 'g', -1, 64) (g == 1). */
static char *format_float(kr_arena *a, double f, int g)
{
	char d[32];
	int dp;
	const char *sign = f < 0 ? "-" : "";
	if (f == 0)
		return kr_arena_printf(a, "%s0", signbit(f) ? "-" : "");
	int n = kr_go_shortest_digits(f, 64, d, &dp);
	d[n] = '\0';
	if (g) {
		int exp = dp - 1, eprec = 6;
		if (eprec > n && n >= dp)
			eprec = n;
		if (exp < -4 || exp >= eprec)
			return kr_arena_printf(a, "%s%c%s%se%c%02d", sign, d[0],
			                       n > 1 ? "." : "", d + 1,
			                       exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	if (dp <= 0) {
		char zeros[32];
		int z = -dp < 31 ? -dp : 31; /* shortest digits keep dp > -330 */
		memset(zeros, '0', (size_t)z);
		zeros[z] = '\0';
		if (-dp > 31)
			return kr_arena_printf(a, "%s0.%0*d%s", sign, -dp, 0, d);
		return kr_arena_printf(a, "%s0.%s%s", sign, zeros, d);
	}
	if (dp >= n) {
		if (dp == n)
			return kr_arena_printf(a, "%s%s", sign, d);
		return kr_arena_printf(a, "%s%s%0*d", sign, d, dp - n, 0);
	}
	return kr_arena_printf(a, "%s%.*s.%s", sign, dp, d, d + dp);
}

/* kyaml's RNode.GetFieldValue + the types refvar accepts.  1 with *out
 * set, 0 when the field is missing or its text does not parse as its
 * type (kustomize: "field specified in var ... not found"), -1 on an
 * error. */
static int field_value(kr_ctx *ctx, const kr_node *doc, const char *path,
                       kr_varval *out)
{
	strlist parts = { 0 };
	if (field_path_parts(ctx, path, &parts) < 0)
		return -1;
	const kr_node *n = doc;
	for (size_t i = 0; i < parts.len && n; i++)
		n = path_step(n, parts.items[i]);
	if (!n)
		return 0;
	memset(out, 0, sizeof(*out));
	if (n->type != KR_SCALAR) {
		out->type = KR_VARVAL_OTHER;
		out->text = out->node_text = "";
		return 1;
	}
	const char *s = n->u.s.str;
	size_t len = n->u.s.len;
	switch (n->tag) {
	case KR_TAG_INT: {
		int64_t v;
		if (memchr(s, '_', len) || go_atoi(s, len, &v) != 0)
			return 0;
		out->type = KR_VARVAL_INT;
		out->text = kr_arena_printf(&ctx->arena, "%lld", (long long)v);
		break;
	}
	case KR_TAG_FLOAT: {
		double v;
		char *c = kr_arena_strndup(&ctx->arena, s, len);
		if (!c)
			return kr_nomem(ctx);
		if (!kr_yaml_style_float(c, len) || kr_go_parse_float(c, &v) != 0)
			return 0;
		out->type = KR_VARVAL_FLOAT;
		out->text = format_float(&ctx->arena, v, 1);
		out->node_text = format_float(&ctx->arena, v, 0);
		if (!out->node_text)
			return kr_nomem(ctx);
		break;
	}
	case KR_TAG_BOOL: {
		/* strconv.ParseBool */
		static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
		static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
		out->type = KR_VARVAL_BOOL;
		for (int i = 0; i < 6 && !out->text; i++) {
			if (!strcmp(s, t[i]))
				out->text = "true";
			else if (!strcmp(s, f[i]))
				out->text = "false";
		}
		if (!out->text)
			return 0;
		break;
	}
	default:
		/* strings, and anything else as its text (a null too) */
		out->type = KR_VARVAL_STR;
		out->text = s;
		out->len = len;
		out->node_text = s;
		out->node_len = len;
		return 1;
	}
	if (!out->text)
		return kr_nomem(ctx);
	out->len = strlen(out->text);
	if (!out->node_text)
		out->node_text = out->text;
	out->node_len = strlen(out->node_text);
	return 1;
}

/* ---- expansion (refvar.DoReplacements) --------------------------------- */

/* `$(name)` as it was written (MakePrimitiveReplacer's miss). */
static void put_wrapped(kr_buf *b, const char *name, size_t n)
{
	kr_buf_put(b, "$(", 2);
	kr_buf_put(b, name, n);
	kr_buf_putc(b, ')');
}

/* Go's string(byte): the byte as a code point, UTF-8 encoded (a byte
 * >= 0x80 becomes two bytes). */
static void put_byte_rune(kr_buf *b, unsigned char c)
{
	if (c < 0x80) {
		kr_buf_putc(b, (char)c);
	} else {
		kr_buf_putc(b, (char)(0xC0 | (c >> 6)));
		kr_buf_putc(b, (char)(0x80 | (c & 0x3F)));
	}
}

int kr_var_expand(kr_arena *a, const char *in, size_t len, kr_var_lookup lookup,
                  void *ud, kr_varval *out)
{
	if (!memchr(in, '$', len)) {
		/* nothing to expand: the common case, without a copy */
		out->type = KR_VARVAL_STR;
		out->text = out->node_text = in;
		out->len = out->node_len = len;
		return 0;
	}
	kr_buf b = KR_BUF_INIT;
	size_t checkpoint = 0;
	int mangled = 0;
	for (size_t cur = 0; cur < len; cur++) {
		if (in[cur] != '$' || cur + 1 >= len)
			continue;
		kr_buf_put(&b, in + checkpoint, cur - checkpoint);
		const char *rest = in + cur + 1;
		size_t rlen = len - cur - 1;
		size_t advance = 1;
		if (rest[0] == '$') {
			kr_buf_putc(&b, '$');           /* "$$": an escaped '$' */
		} else if (rest[0] == '(') {
			const char *close = memchr(rest + 1, ')', rlen - 1);
			if (!close) {
				kr_buf_put(&b, "$(", 2);    /* no closer: kept */
			} else {
				const char *name = rest + 1;
				size_t n = (size_t)(close - name);
				const kr_varval *v = lookup(ud, name, n);
				if (v && v->type == KR_VARVAL_OTHER)
					v = NULL;
				if (len == n + 3) {
					/* The whole string is one reference: the value
					 * keeps its type. */
					kr_buf_free(&b);
					if (v) {
						*out = *v;
						return 0;
					}
					out->type = KR_VARVAL_STR;
					out->text = out->node_text = kr_arena_strndup(a, in, len);
					out->len = out->node_len = len;
					return out->text ? 0 : -1;
				}
				if (v)
					kr_buf_put(&b, v->text, v->len);
				else
					put_wrapped(&b, name, n);
				advance = n + 2;
			}
		} else {
			kr_buf_putc(&b, '$');
			put_byte_rune(&b, (unsigned char)rest[0]);
			if ((unsigned char)rest[0] >= 0x80)
				mangled = 1;
		}
		cur += advance;
		checkpoint = cur + 1;
	}
	if (checkpoint < len)
		kr_buf_put(&b, in + checkpoint, len - checkpoint);
	if (b.failed) {
		kr_buf_free(&b);
		return -1;
	}
	out->type = KR_VARVAL_STR;
	out->text = out->node_text = kr_arena_strndup(a, b.data ? b.data : "", b.len);
	out->len = out->node_len = b.len;
	kr_buf_free(&b);
	return out->text ? mangled : -1;
}

/* ---- resolution (ResolveVars) ------------------------------------------ */

typedef struct resolved {
	const kr_var *var;
	kr_varval val;
	size_t uses;
} resolved;

typedef struct resolver {
	resolved *items;
	size_t len;
} resolver;

static const kr_varval *lookup_resolved(void *ud, const char *name, size_t n)
{
	resolver *r = ud;
	for (size_t i = 0; i < r->len; i++) {
		const char *vn = r->items[i].var->name;
		if (strlen(vn) == n && !memcmp(vn, name, n)) {
			if (r->items[i].val.type != KR_VARVAL_OTHER)
				r->items[i].uses++;
			return &r->items[i].val;
		}
	}
	return NULL;
}

/* kyaml's IsYNodeString: tagged !!str (a plain date is a !!timestamp). */
static int is_string(const kr_node *n)
{
	return n->type == KR_SCALAR && n->tag == KR_TAG_STR && !kr_emit_is_timestamp(n);
}

/* refvar's updateNodeValue, only when something changed (an unchanged
 * string reads the same either way). */
static int replace_scalar(kr_ctx *ctx, resolver *rs, kr_node *n)
{
	kr_varval v;
	int rc = kr_var_expand(&ctx->arena, n->u.s.str, n->u.s.len, lookup_resolved, rs, &v);
	if (rc < 0)
		return kr_nomem(ctx);
	/* kustomize makes such a string invalid UTF-8 and prints it as
	 * base64, which krender's printer does not reproduce. */
	if (rc > 0)
		return kr_fail_at(ctx, KR_EINVALID, n->file ? n->file : "?", n->line,
		                  n->col, "a '$' followed by a non-ASCII character in "
		                  "a field that vars apply to is not supported by this "
		                  "version of krender yet");
	kr_tag tag = v.type == KR_VARVAL_INT ? KR_TAG_INT
	           : v.type == KR_VARVAL_FLOAT ? KR_TAG_FLOAT
	           : v.type == KR_VARVAL_BOOL ? KR_TAG_BOOL : KR_TAG_STR;
	if (tag == KR_TAG_STR && v.node_len == n->u.s.len &&
	    !memcmp(v.node_text, n->u.s.str, v.node_len))
		return 0;
	n->type = KR_SCALAR;
	n->tag = (uint8_t)tag;
	n->style = KR_STYLE_PLAIN;
	/* tagged !!str by kustomize: never read back as a timestamp */
	n->flags = tag == KR_TAG_STR ? KR_NODE_TAGGED : 0;
	n->u.s.str = v.node_text;
	n->u.s.len = v.node_len;
	return 0;
}

/* refvar.Filter.set on the node a varReference path reaches. */
static int replace_visit(kr_ctx *ctx, kr_pair *field, void *ud)
{
	resolver *rs = ud;
	kr_node *n = field->value;
	int rc;
	if (is_null(n))
		return 0;
	if (n->type == KR_SCALAR)
		return is_string(n) ? replace_scalar(ctx, rs, n) : 0;
	if (n->type == KR_MAP) {
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			kr_pair *kv = &n->u.m.items[i];
			if (!is_string(kv->key))
				return kr_fail_at(ctx, KR_EINVALID, kv->key->file ? kv->key->file : "?",
				                  kv->key->line, kv->key->col, "vars: invalid map "
				                  "key '%s': not a string", kv->key->u.s.str);
			if (is_string(kv->value) && (rc = replace_scalar(ctx, rs, kv->value)) < 0)
				return rc;
		}
		return 0;
	}
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		kr_node *e = n->u.q.items[i];
		if (!is_string(e))
			return kr_fail_at(ctx, KR_EINVALID, e->file ? e->file : "?", e->line,
			                  e->col, "vars: invalid value type in the list '%s': "
			                  "expected a string", field->key->u.s.str);
		if ((rc = replace_scalar(ctx, rs, e)) < 0)
			return rc;
	}
	return 0;
}

/* kustomize rewrites metadata.annotations as a map of strings when it
 * prints a resource (RemoveBuildAnnotations), so an annotation a var made
 * an int or a bool prints quoted ("8080"); other fields keep the type. */
static void stringify_annotations(kr_resmap *m)
{
	for (size_t i = 0; i < m->len; i++) {
		kr_node *ann = kr_map_get(kr_map_get(m->items[i]->doc, "metadata"),
		                          "annotations");
		if (!ann || ann->type != KR_MAP)
			continue;
		for (uint32_t j = 0; j < ann->u.m.len; j++) {
			kr_node *v = ann->u.m.items[j].value;
			if (v->type == KR_SCALAR && v->tag != KR_TAG_STR &&
			    v->tag != KR_TAG_NULL) {
				v->tag = KR_TAG_STR;
				v->flags |= KR_NODE_TAGGED;
			}
		}
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const resolved *)a)->var->name, ((const resolved *)b)->var->name);
}

static int has_refvar(const kr_resource *r, const char *name)
{
	for (uint32_t i = 0; i < r->nrefvars; i++)
		if (str_eq(r->refvars[i], name))
			return 1;
	return 0;
}

int kr_vars_resolve(kr_ctx *ctx, const kr_varset *vs, kr_resmap *m,
                    const kr_tconfig *tc)
{
	if (!vs->len)
		return 0;
	resolver rs = { kr_arena_zalloc(&ctx->arena, vs->len * sizeof(resolved)), vs->len };
	if (!rs.items)
		return kr_nomem(ctx);
	for (size_t i = 0; i < vs->len; i++)
		rs.items[i].var = &vs->items[i];
	/* kustomize resolves them in name order: the first error is that of
	 * the first name. */
	qsort(rs.items, rs.len, sizeof(resolved), by_name);
	for (size_t i = 0; i < rs.len; i++) {
		const kr_var *v = rs.items[i].var;
		const kr_resource *target = NULL;
		for (size_t j = 0; j < m->len && !target; j++)
			if (has_refvar(m->items[j], v->name))
				target = m->items[j];
		if (!target)
			return kr_fail_at(ctx, KR_ENOTFOUND, v->file, v->line, v->col,
			                  "var %s cannot be mapped to a field in the set "
			                  "of known resources (no object matches its "
			                  "objref)", describe(ctx, v));
		int rc = field_value(ctx, target->doc, v->field_path, &rs.items[i].val);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			char *id = kr_resid_string(&ctx->arena, &target->cur);
			return kr_fail_at(ctx, KR_ENOTFOUND, v->file, v->line, v->col,
			                  "field '%s' of var '%s' not found in %s",
			                  v->field_path, v->name, id ? id : target->cur.name);
		}
	}
	int rc = kr_fieldspecs_apply(ctx, m, &tc->var_reference, KR_CREATE_NOTHING,
	                             replace_visit, &rs);
	if (rc < 0)
		return rc;
	stringify_annotations(m);
	kr_buf unused = KR_BUF_INIT;
	for (size_t i = 0; i < rs.len; i++)
		if (!rs.items[i].uses) {
			if (unused.len)
				kr_buf_putc(&unused, ',');
			kr_buf_puts(&unused, rs.items[i].var->name);
		}
	if (unused.len && !unused.failed)
		kr_warn(ctx, "well-defined vars that were never replaced: %s", unused.data);
	kr_buf_free(&unused);
	return 0;
}
