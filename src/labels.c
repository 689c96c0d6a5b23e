/*
 * labels.c - the `labels` and `commonLabels` fields of a kustomization
 * (kustomize's LabelTransformer as its configurator in
 * api/internal/target/kusttarget_configplugin.go builds it, with
 * api/filters/labels and filtersutil.SetEntry), and the string-map setter
 * that annotations.c shares.
 *
 * Each entry of `labels:` is one transformer, run in order, then
 * `commonLabels` is one more.  An entry's field specs are its own `fields`
 * (kept as written, duplicates and all), merged with the configuration's
 * `labels` specs, then with the whole commonLabels table when
 * includeSelectors is set, or else with the template table (when
 * includeTemplates is set) and metadata/labels (create).  `commonLabels`
 * uses the configuration's commonLabels table.  A merge conflict (same
 * path, different `create`) is an error, as in kustomize.
 *
 * Applying a map of pairs, per resource, per key in sorted order, per field
 * spec: the walk creates missing mappings where the spec says `create`,
 * and at the end the key is set to the value as a string:
 *  - a mapping gets the key replaced or appended;
 *  - a null that was not created stays null (kustomize appends the pair
 *    to the null node, which never prints; tr_labels_nulls).  Not
 *    reproduced: when a later spec with `create` turns that same null
 *    into a mapping, kustomize's hidden pairs come back with it (a
 *    `fields` entry without create on a null Deployment
 *    spec/selector/matchLabels, then commonLabels); krender drops them;
 *  - any other scalar or a sequence is an error ("wrong node kind");
 *  - the empty key replaces a null or scalar with the value and is an
 *    error on a mapping (FieldSetter with no name;
 *    tr_annotations_err_empty_key).
 * A new key that go-yaml v3 would read back as a non-string ("1", "true",
 * "null") makes kustomize fail when it prints the object; krender fails
 * when it sets it.
 *
 * The kustomization's maps are decoded as kustomize decodes them: YAML to
 * JSON with go-yaml v2 (YAML 1.1 resolution, so `yes`, `on`, `y`, `0x1F`,
 * `1_000` are not strings: tr_labels_err_yaml11_bool) and then
 * json.Decoder into Go types with DisallowUnknownFields and
 * case-insensitive field names.  A value that is not a string is an error
 * (`commonLabels: {a: 1}` is rejected: tr_labels_err_number); null is ""
 * (`{a: }` sets a: "").  A key that go-yaml v2 reads as a non-string
 * (`1:`, `true:`, `yes:`) is refused: sigs.k8s.io/yaml turns it into a
 * string ("1", "true") that kustomize then cannot print as a key (krender
 * does not reproduce the one exception, an object that already has that
 * key).  A null key is kustomize's "unsupported map key" error.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldspec.h"
#include "transformers.h"

/* Shared with annotations.c, which declares it too. */
int kr_string_map_transform(kr_ctx *ctx, kr_layer *l, const char *field,
                            const char *noun, const kr_fslist *specs);

/* ------------------------------------------------------------------------
 * go-yaml v2 resolution of a plain scalar (resolve.go resolve("", s)), as
 * far as telling strings from everything else goes.
 * ------------------------------------------------------------------------ */

static int all_in(const char *s, size_t n, const char *set)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return 0;
	return 1;
}

/* Go's strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds
 * (underscores already removed). */
static int go_int_base0(const char *s, size_t n)
{
	int neg = 0, sign = 0;
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		sign = 1;
		s++;
		n--;
	}
	unsigned base = 10;
	const char *digits = "0123456789";
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		digits = "0123456789abcdefABCDEF";
		s += 2;
		n -= 2;
	} else if (n >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		digits = "01";
		s += 2;
		n -= 2;
	} else if (n >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		digits = "01234567";
		s += 2;
		n -= 2;
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
		digits = "01234567";
		s++;
		n--;
	}
	if (!all_in(s, n, digits))
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = s[i] <= '9' ? (unsigned)(s[i] - '0')
		                         : (unsigned)((s[i] | 0x20) - 'a' + 10);
		if (v > (UINT64_MAX - d) / base)
			return 0;   /* out of range for both */
		v = v * base + d;
	}
	if (neg)
		return v <= (uint64_t)INT64_MAX + 1;
	if (sign)
		return v <= (uint64_t)INT64_MAX;
	return 1;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ (yamlStyleFloat) */
static int yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, d;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	} else {
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
		if (i < n && s[i] == '.')
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static kr_tag v2_resolve_plain(const char *s, size_t n)
{
	static const char *const bools_true[] = {
		"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"
	};
	static const char *const bools_false[] = {
		"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"
	};
	static const char *const nulls[] = { "~", "null", "Null", "NULL" };
	static const char *const floats[] = {
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
		"+.INF", "-.inf", "-.Inf", "-.INF"
	};
	if (n == 0)
		return KR_TAG_NULL;
	if (strlen(s) != n)
		return KR_TAG_STR;
	char c = s[0];
	int hint_num = (c >= '0' && c <= '9') || c == '+' || c == '-';
	if (!hint_num && c != '.' && !strchr("yYnNtTfFoO~", c))
		return KR_TAG_STR;
	for (size_t i = 0; i < sizeof(bools_true) / sizeof(*bools_true); i++)
		if (!strcmp(s, bools_true[i]) || !strcmp(s, bools_false[i]))
			return KR_TAG_BOOL;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(*nulls); i++)
		if (!strcmp(s, nulls[i]))
			return KR_TAG_NULL;
	for (size_t i = 0; i < sizeof(floats) / sizeof(*floats); i++)
		if (!strcmp(s, floats[i]))
			return KR_TAG_FLOAT;
	if (c == '.')
		/* strconv.ParseFloat without underscores */
		return yaml_style_float(s, n) ? KR_TAG_FLOAT : KR_TAG_STR;
	if (!hint_num)
		return KR_TAG_STR;
	/* (A timestamp is a string to v2 when decoded into interface{}; no
	 * timestamp is also a number, so it needs no check here.) */
	char small[64];
	char *plain = n < sizeof(small) ? small : malloc(n + 1);
	if (!plain)
		return KR_TAG_STR;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			plain[k++] = s[i];
	plain[k] = '\0';
	kr_tag t = go_int_base0(plain, k) ? KR_TAG_INT
	           : yaml_style_float(plain, k) ? KR_TAG_FLOAT : KR_TAG_STR;
	if (plain != small)
		free(plain);
	return t;
}

/* The type kustomize's kustomization decoding gives a scalar node. */
static kr_tag v2_tag(const kr_node *n)
{
	if (n->flags & KR_NODE_TAGGED)
		return (kr_tag)n->tag;
	if (n->style != KR_STYLE_PLAIN)
		return KR_TAG_STR;
	return v2_resolve_plain(n->u.s.str, n->u.s.len);
}

static int is_v2_null(const kr_node *n)
{
	return n->type == KR_SCALAR && v2_tag(n) == KR_TAG_NULL;
}

/* Go's json type word for what a node decodes to. */
static const char *json_word(const kr_node *n)
{
	if (n->type == KR_MAP)
		return "object";
	if (n->type == KR_SEQ)
		return "array";
	switch (v2_tag(n)) {
	case KR_TAG_BOOL: return "bool";
	case KR_TAG_INT:
	case KR_TAG_FLOAT: return "number";
	case KR_TAG_NULL: return "null";
	default: return "string";
	}
}

/* ------------------------------------------------------------------------
 * Decoding the kustomization's fields.
 * ------------------------------------------------------------------------ */

typedef struct pair_text {
	const char *key, *val;
	size_t klen, vlen;
} pair_text;

typedef struct strmap {
	pair_text *items;
	size_t len, cap;
} strmap;

typedef struct label_entry {
	strmap pairs;
	int include_selectors, include_templates;
	kr_fslist fields;   /* as written, not merged */
} label_entry;

/* An error at node `n` of the kustomization file. */
static int bad(kr_ctx *ctx, const kr_layer *l, const kr_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(kr_ctx *ctx, const kr_layer *l, const kr_node *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kr_fail_at(ctx, KR_EINVALID, l->k->file, n->line, n->col,
	                  "invalid Kustomization: %s", msg);
}

static int strmap_put(kr_ctx *ctx, strmap *m, const char *key, size_t klen,
                      const char *val, size_t vlen)
{
	for (size_t i = 0; i < m->len; i++)
		if (m->items[i].klen == klen && !memcmp(m->items[i].key, key, klen)) {
			/* A later duplicate wins (Go map assignment). */
			m->items[i].val = val;
			m->items[i].vlen = vlen;
			return 0;
		}
	if (m->len == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;
		pair_text *p = kr_arena_grow(&ctx->arena, m->items, m->len * sizeof(*p),
		                             ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		m->items = p;
		m->cap = ncap;
	}
	m->items[m->len++] = (pair_text){ key, val, klen, vlen };
	return 0;
}

/* Decode a map[string]string field `what` (e.g. "commonLabels" or
 * "labels[0].pairs") into `m`, adding to what is there (Go's json reuses a
 * non-nil map); null leaves it nil. */
static int decode_string_map(kr_ctx *ctx, const kr_layer *l, const char *what,
                             const kr_node *n, strmap *m)
{
	if (!n || is_v2_null(n)) {
		m->len = 0;
		return 0;
	}
	if (n->type != KR_MAP)
		return bad(ctx, l, n, "'%s' must be a map of "
		           "strings, not a %s", what,
		           n->type == KR_SEQ ? "list" : json_word(n));
	for (uint32_t i = 0; i < n->u.m.len; i++) {
		const kr_node *k = n->u.m.items[i].key;
		const kr_node *v = n->u.m.items[i].value;
		kr_tag kt = v2_tag(k);
		if (kt == KR_TAG_NULL)
			return bad(ctx, l, k, "a key of '%s' is null (kustomize: "
			           "unsupported map key of type: <nil>)", what);
		if (kt != KR_TAG_STR)
			/* sigs.k8s.io/yaml turns it into a string ("true", "1"),
			 * which kustomize then cannot print as a key. */
			return bad(ctx, l, k, "the key '%s' of '%s' "
			           "must be a string: quote it", k->u.s.str, what);
		if (v->type != KR_SCALAR)
			return bad(ctx, l, v, "the values of '%s' must "
			           "be strings, not %s", what,
			           v->type == KR_MAP ? "maps" : "lists");
		kr_tag vt = v2_tag(v);
		const char *val = v->u.s.str;
		size_t vlen = v->u.s.len;
		if (vt == KR_TAG_NULL) {
			val = "";
			vlen = 0;
		} else if (vt != KR_TAG_STR) {
			return bad(ctx, l, v, "the values of '%s' must be strings: '%s' "
			           "is read as a %s, quote it", what, v->u.s.str,
			           json_word(v));
		}
		int rc = strmap_put(ctx, m, k->u.s.str, k->u.s.len, val, vlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A bool field: null leaves *out as it is. */
static int decode_bool(kr_ctx *ctx, const kr_layer *l, const char *what,
                       const kr_node *n, int *out)
{
	if (n->type == KR_SCALAR) {
		kr_tag t = v2_tag(n);
		if (t == KR_TAG_NULL)
			return 0;
		if (t == KR_TAG_BOOL) {
			const char *s = n->u.s.str;
			*out = strchr("yYtT", s[0]) || !strcasecmp(s, "on");
			return 0;
		}
	}
	return bad(ctx, l, n, "'%s' must be true or false, not a %s", what,
	           n->type == KR_MAP ? "map" : n->type == KR_SEQ ? "list"
	                                     : json_word(n));
}

/* A string field: null leaves *out as it is. */
static int decode_string(kr_ctx *ctx, const kr_layer *l, const char *what,
                         const kr_node *n, const char **out)
{
	if (n->type == KR_SCALAR) {
		kr_tag t = v2_tag(n);
		if (t == KR_TAG_NULL)
			return 0;
		if (t == KR_TAG_STR) {
			*out = n->u.s.str;
			return 0;
		}
	}
	return bad(ctx, l, n, "'%s' must be a string, not "
	           "a %s", what, n->type == KR_SEQ ? "list" : json_word(n));
}

static int fs_push(kr_ctx *ctx, kr_fslist *fl, const kr_fieldspec *fs)
{
	if (fl->len == fl->cap) {
		size_t ncap = fl->cap ? fl->cap * 2 : 8;
		kr_fieldspec *p = kr_arena_grow(&ctx->arena, fl->items,
		                                fl->len * sizeof(*p), ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		fl->items = p;
		fl->cap = ncap;
	}
	fl->items[fl->len++] = *fs;
	return 0;
}

/* types.FieldSpec: group, version, kind, path, create. */
static int decode_fieldspec(kr_ctx *ctx, const kr_layer *l, const char *what,
                            const kr_node *n, kr_fieldspec *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->group = fs->version = fs->kind = fs->path = "";
	if (is_v2_null(n))
		return 0;
	if (n->type != KR_MAP)
		return bad(ctx, l, n, "the entries of '%s' must "
		           "be field specs (maps), not a %s", what,
		           n->type == KR_SEQ ? "list" : json_word(n));
	for (uint32_t i = 0; i < n->u.m.len; i++) {
		const kr_node *k = n->u.m.items[i].key;
		const kr_node *v = n->u.m.items[i].value;
		const char *name = k->u.s.str;
		int rc;
		if (!strcasecmp(name, "group"))
			rc = decode_string(ctx, l, "group", v, &fs->group);
		else if (!strcasecmp(name, "version"))
			rc = decode_string(ctx, l, "version", v, &fs->version);
		else if (!strcasecmp(name, "kind"))
			rc = decode_string(ctx, l, "kind", v, &fs->kind);
		else if (!strcasecmp(name, "path"))
			rc = decode_string(ctx, l, "path", v, &fs->path);
		else if (!strcasecmp(name, "create"))
			rc = decode_bool(ctx, l, "create", v, &fs->create);
		else
			rc = bad(ctx, l, k, "unknown field \"%s\" in "
			         "a field spec of '%s'", name, what);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int decode_label(kr_ctx *ctx, const kr_layer *l, uint32_t idx,
                        const kr_node *n, label_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (is_v2_null(n))
		return 0;
	if (n->type != KR_MAP)
		return bad(ctx, l, n, "the entries of '%s' must "
		           "be maps (with pairs, includeSelectors, includeTemplates, "
		           "fields), not a %s", "labels",
		           n->type == KR_SEQ ? "list" : json_word(n));
	char *where = kr_arena_printf(&ctx->arena, "labels[%u]", idx);
	char *pairs_what = kr_arena_printf(&ctx->arena, "labels[%u].pairs", idx);
	char *fields_what = kr_arena_printf(&ctx->arena, "labels[%u].fields", idx);
	if (!where || !pairs_what || !fields_what)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < n->u.m.len; i++) {
		const kr_node *k = n->u.m.items[i].key;
		const kr_node *v = n->u.m.items[i].value;
		const char *name = k->u.s.str;
		int rc = 0;
		if (!strcasecmp(name, "pairs")) {
			rc = decode_string_map(ctx, l, pairs_what, v, &e->pairs);
		} else if (!strcasecmp(name, "includeSelectors")) {
			rc = decode_bool(ctx, l, "includeSelectors", v, &e->include_selectors);
		} else if (!strcasecmp(name, "includeTemplates")) {
			rc = decode_bool(ctx, l, "includeTemplates", v, &e->include_templates);
		} else if (!strcasecmp(name, "fields")) {
			/* Go's json: a slice is replaced; null makes it nil. */
			e->fields.len = 0;
			if (is_v2_null(v))
				continue;
			if (v->type != KR_SEQ)
				return bad(ctx, l, v, "'%s' must be a "
				           "list of field specs, not a %s", fields_what,
				           json_word(v));
			for (uint32_t j = 0; j < v->u.q.len && rc == 0; j++) {
				kr_fieldspec fs;
				rc = decode_fieldspec(ctx, l, fields_what, v->u.q.items[j], &fs);
				if (rc == 0)
					rc = fs_push(ctx, &e->fields, &fs);
			}
		} else {
			rc = bad(ctx, l, k, "unknown field \"%s\" in "
			         "'%s'", name, where);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Setting the pairs.
 * ------------------------------------------------------------------------ */

typedef struct setter {
	const pair_text *p;
	const kr_fieldspec *fs;
	const char *noun;    /* "label" or "annotation" */
} setter;

static const char *kind_word(const kr_node *n)
{
	return n->type == KR_MAP ? "MappingNode"
	       : n->type == KR_SEQ ? "SequenceNode" : "ScalarNode";
}

static int set_fail(kr_ctx *ctx, const setter *s, const kr_node *n,
                    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int set_fail(kr_ctx *ctx, const setter *s, const kr_node *n,
                    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n->file && n->line)
		return kr_fail_at(ctx, KR_EINVALID, n->file, n->line, n->col,
		                  "considering field '%s': %s", s->fs->path, msg);
	return kr_fail(ctx, KR_EINVALID, "considering field '%s': %s",
	               s->fs->path, msg);
}

/* filtersutil.SetEntry(key, value, !!str) on the node at the end of a
 * field spec's path. */
static int set_entry(kr_ctx *ctx, kr_pair *field, void *ud)
{
	const setter *s = ud;
	kr_node *n = field->value;
	const pair_text *p = s->p;
	kr_node *v;
	if (p->klen == 0) {
		/* FieldSetter without a name sets a scalar (or null) node
		 * itself. */
		if (n->type != KR_SCALAR)
			return set_fail(ctx, s, n, "wrong node kind: expected ScalarNode "
			                "but got %s (an empty key)", kind_word(n));
		if (!(v = kr_node_scalar(&ctx->arena, KR_TAG_STR, p->val, p->vlen)))
			return kr_nomem(ctx);
		v->file = n->file;
		v->line = n->line;
		v->col = n->col;
		field->value = v;
		return 0;
	}
	if (n->type == KR_SCALAR && n->tag == KR_TAG_NULL)
		return 0; /* a null that was not created stays null */
	if (n->type != KR_MAP)
		return set_fail(ctx, s, n, "wrong node kind: expected MappingNode but "
		                "got %s", kind_word(n));
	if (!(v = kr_node_scalar(&ctx->arena, KR_TAG_STR, p->val, p->vlen)))
		return kr_nomem(ctx);
	kr_pair *kv = kr_map_find(n, p->key, p->klen);
	if (kv) {
		kv->value = v;
		return 0;
	}
	if (kr_resolve_plain(p->key, p->klen) != KR_TAG_STR)
		return set_fail(ctx, s, n, "the %s key '%s' would be read back as a "
		                "non-string, which kustomize cannot print (it fails "
		                "with \"json: unsupported type\")", s->noun, p->key);
	kr_node *k = kr_node_scalar(&ctx->arena, KR_TAG_STR, p->key, p->klen);
	if (!k || kr_map_append(&ctx->arena, n, k, v) < 0)
		return kr_nomem(ctx);
	return 0;
}

static int cmp_pairs(const void *a, const void *b)
{
	const pair_text *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* labels.Filter / annotations.Filter: per resource, per key in sorted
 * order, per field spec. */
static int apply_pairs(kr_ctx *ctx, kr_resmap *m, strmap *pairs,
                       const kr_fslist *specs, const char *noun)
{
	if (pairs->len == 0)
		return 0;
	qsort(pairs->items, pairs->len, sizeof(*pairs->items), cmp_pairs);
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		for (size_t k = 0; k < pairs->len; k++) {
			for (size_t j = 0; j < specs->len; j++) {
				const kr_fieldspec *fs = &specs->items[j];
				if (!kr_fieldspec_selects(fs, &r->cur))
					continue;
				setter s = { &pairs->items[k], fs, noun };
				int rc = kr_fieldspec_walk(ctx, r->doc, fs, KR_CREATE_MAP,
				                           set_entry, &s);
				if (rc < 0) {
					char *id = kr_resid_string(&ctx->arena, &r->cur);
					return kr_wrap(ctx, "object %s", id ? id : r->cur.name);
				}
			}
		}
	}
	return 0;
}

int kr_string_map_transform(kr_ctx *ctx, kr_layer *l, const char *field,
                            const char *noun, const kr_fslist *specs)
{
	strmap m = { 0 };
	int rc = decode_string_map(ctx, l, field, kr_map_get(l->k->doc, field), &m);
	if (rc < 0)
		return rc;
	return apply_pairs(ctx, l->m, &m, specs, noun);
}

static int merge(kr_ctx *ctx, kr_fslist *fl, const kr_fslist *src,
                 const char *what)
{
	int rc = kr_fslist_add_all(ctx, fl, src->items, src->len);
	return rc < 0 ? kr_wrap(ctx, "%s", what) : 0;
}

int kr_labels_transform(kr_ctx *ctx, kr_layer *l)
{
	const kr_node *labels = kr_map_get(l->k->doc, "labels");
	const kr_node *common = kr_map_get(l->k->doc, "commonLabels");
	label_entry *entries = NULL;
	uint32_t nentries = 0;
	int rc;

	/* Decode everything first: kustomize rejects a malformed field when
	 * it loads the kustomization, before any transformer runs. */
	if (labels && !is_v2_null(labels)) {
		if (labels->type != KR_SEQ)
			return bad(ctx, l, labels, "'%s' must be a "
			           "list of label entries, not a %s", "labels",
			           json_word(labels));
		nentries = labels->u.q.len;
		entries = kr_arena_zalloc(&ctx->arena, (nentries + 1) * sizeof(*entries));
		if (!entries)
			return kr_nomem(ctx);
		for (uint32_t i = 0; i < nentries; i++)
			if ((rc = decode_label(ctx, l, i, labels->u.q.items[i], &entries[i])) < 0)
				return rc;
	}
	strmap cl = { 0 };
	if ((rc = decode_string_map(ctx, l, "commonLabels", common, &cl)) < 0)
		return rc;
	if (nentries == 0 && cl.len == 0)
		return 0;

	static const kr_fieldspec metadata_labels = { "", "", "", "metadata/labels", 1 };
	for (uint32_t i = 0; i < nentries; i++) {
		label_entry *e = &entries[i];
		kr_fslist fss = { 0 };
		for (size_t j = 0; j < e->fields.len; j++)
			if ((rc = fs_push(ctx, &fss, &e->fields.items[j])) < 0)
				return rc;
		if ((rc = merge(ctx, &fss, &l->tc->labels, "failed to merge labels")) < 0)
			return rc;
		if (e->include_selectors) {
			rc = merge(ctx, &fss, &l->tc->common_labels, "failed to merge labels");
		} else {
			if (e->include_templates &&
			    (rc = merge(ctx, &fss, &l->tc->template_labels,
			                "failed to merge template fieldSpec")) < 0)
				return rc;
			if ((rc = kr_fslist_add(ctx, &fss, &metadata_labels)) < 0)
				rc = kr_wrap(ctx, "failed to merge labels");
		}
		if (rc < 0)
			return rc;
		if ((rc = apply_pairs(ctx, l->m, &e->pairs, &fss, "label")) < 0)
			return rc;
	}
	return apply_pairs(ctx, l->m, &cl, &l->tc->common_labels, "label");
}
