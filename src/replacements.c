/*
 * replacements.c - the `replacements:` field of a kustomization:
 * kustomize's ReplacementTransformer (api/internal/builtins/
 * ReplacementTransformer.go, api/filters/replacement, api/types/
 * replacement.go), the last transformer of a layer.
 *
 * Configuration.  Each entry is inline ({source, targets}) or `path: FILE`
 * (never both), the file read under the load restrictor and decoded as
 * sigs.k8s.io/yaml.Unmarshal decodes it: only its first document, a list
 * of replacements or one, unknown fields ignored and scalars accepted as
 * strings where a string is wanted (`fieldPath: 5` is "5").  Inline
 * entries are decoded strictly, as the rest of the kustomization (kdecode.h).
 * Everything is decoded and loaded before the first replacement runs.
 *
 * Each replacement, in order, on the layer's resources as the earlier ones
 * left them:
 *  - the source is the one resource one of whose ids (current, or one
 *    before a rename: kustomize's MakeResIds) the source's group, version,
 *    kind, name and namespace select *exactly* (not as regular
 *    expressions; empty fields select everything, namespaces compare as
 *    effective ones, "" = "default"); none or two are errors;
 *  - its value is at `fieldPath` (default metadata.name; kr_repl_lookup),
 *    which must not be missing, null, {} or []; with options.delimiter the
 *    value is the options.index-th piece of the scalar split at it;
 *  - every target, in order: the resources whose ids `select` selects (as
 *    the source), whose labels and annotations its selectors match, and
 *    that no `reject` excludes (a reject with label/annotation selectors
 *    excludes on those alone, one with id fields on those alone);
 *    in each, every node each of `fieldPaths` (default metadata.name)
 *    leads to (kr_repl_match; with options.create, made when missing) gets
 *    the value, and a path that leads nowhere is an error.
 *
 * Setting a value (kyaml's setFieldValue): with options.delimiter the
 * target scalar is split, the value replaces piece `index` (a negative
 * index prepends it, one past the end appends it) and the pieces are
 * joined again.  A scalar target keeps its type and takes only the text
 * (a string "5" stays a string; an int takes "3" but "abc" is an error
 * when kustomize reads the tree back: "cannot decode !!str `abc` as a
 * !!int"); a scalar made by `create` has no type and is read as plain YAML
 * ("42" becomes the int 42); a mapping or list target is replaced by a
 * copy of the value, whatever its kind.  See golden cases repl_*.
 *
 * Known differences (deliberate or not reproduced):
 *  - a type clash ("abc" into an int) is an error at once; kustomize only
 *    fails when it next reads the tree, so it would not fail if the field
 *    were overwritten or its object dropped (local-config) before that;
 *  - a target list selector's regular expression sees a scalar as go-yaml
 *    v3 would write it only for plain and quoted styles; block scalars
 *    are matched by their text and mappings/lists as "";
 *  - where kubectl crashes (a null `reject` entry, a `[k=v]` that never
 *    matches the element it creates, two objects given one id) krender
 *    reports an error.
 */
#include "replacements.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "build.h"
#include "resfactory.h"
#include "emit.h"
#include "kdecode.h"
#include "parse.h"
#include "selector.h"
#include "transformers.h"

#define DEFAULT_FIELD_PATH "metadata.name"

/* ---- field paths ------------------------------------------------------ */

typedef struct strv {
	char **v;
	size_t n, cap;
} strv;

static int strv_push(kr_arena *a, strv *s, char *p)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		char **nv = kr_arena_grow(a, s->v, s->n * sizeof(*nv), ncap * sizeof(*nv));
		if (!nv)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = p;
	return 0;
}

static int has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);
	return n >= m && !memcmp(s + n - m, x, m);
}

/* kyaml's PathSplitter(path, "."): split at dots, drop a leading empty
 * part, and join a part ending in a backslash to the next one (without
 * the backslash). */
static int path_splitter(kr_arena *a, const char *path, strv *out)
{
	strv ps = { 0 };
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		char *part = kr_arena_strndup(a, p, len);
		if (!part || strv_push(a, &ps, part) < 0)
			return -1;
		if (!dot)
			break;
		p = dot + 1;
	}
	size_t first = ps.n > 1 && !ps.v[0][0] ? 1 : 0;
	if (strv_push(a, out, ps.v[first]) < 0)
		return -1;
	for (size_t i = first + 1; i < ps.n; i++) {
		char *last = out->v[out->n - 1];
		size_t ll = strlen(last);
		if (ll && last[ll - 1] == '\\') {
			char *j = kr_arena_printf(a, "%.*s.%s", (int)(ll - 1), last, ps.v[i]);
			if (!j)
				return -1;
			out->v[out->n - 1] = j;
		} else if (strv_push(a, out, ps.v[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

int kr_repl_split_path(kr_arena *a, const char *path, char ***parts, size_t *n)
{
	strv split = { 0 }, res = { 0 };
	if (path_splitter(a, path, &split) < 0)
		return -1;
	for (size_t i = 0; i < split.n; i++) {
		char *e = split.v[i];
		if (e[0] != '[' || has_suffix(e, "]")) {
			if (strv_push(a, &res, e) < 0)
				return -1;
			continue;
		}
		/* a bracketed part with dots inside: up to the part ending in ']' */
		char *joined = e;
		while (i < split.n - 1) {
			i++;
			joined = kr_arena_printf(a, "%s.%s", joined, split.v[i]);
			if (!joined)
				return -1;
			if (has_suffix(split.v[i], "]"))
				break;
		}
		if (!strchr(joined, '=')) {
			/* strings.Trim(s, "[]"): every bracket at either end */
			size_t l = strlen(joined), b = 0;
			while (b < l && (joined[b] == '[' || joined[b] == ']'))
				b++;
			while (l > b && (joined[l - 1] == '[' || joined[l - 1] == ']'))
				l--;
			joined = kr_arena_strndup(a, joined + b, l - b);
			if (!joined)
				return -1;
		}
		if (strv_push(a, &res, joined) < 0)
			return -1;
	}
	*parts = res.v;
	*n = res.n;
	return 0;
}

/* Go's strconv.Atoi: an optional sign and decimal digits, in int64. */
static int go_atoi(const char *s, long long *out)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return 0;
	unsigned long long v = 0, lim = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		unsigned d = (unsigned)(*p - '0');
		if (v > (lim - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = neg ? (v == 9223372036854775808ULL ? INT64_MIN : -(long long)v) : (long long)v;
	return 1;
}

static int is_idx_number(const char *p)
{
	long long i;
	return go_atoi(p, &i) && i >= 0;
}

static int is_list_index(const char *p)
{
	return p[0] == '[' && has_suffix(p, "]");
}

/* kyaml's SplitIndexNameValue: "[name=value]" -> name, value. */
static int split_index(kr_ctx *ctx, const char *p, char **name, char **value)
{
	size_t l = strlen(p);
	size_t b = p[0] == '[' ? 1 : 0;
	if (l > b && p[l - 1] == ']')
		l--;
	const char *eq = memchr(p + b, '=', l - b);
	if (!eq)
		return kr_fail(ctx, KR_EINVALID, "list path element '%s' must contain "
		               "fieldName=fieldValue for element to match", p);
	*name = kr_arena_strndup(&ctx->arena, p + b, (size_t)(eq - p - b));
	*value = kr_arena_strndup(&ctx->arena, eq + 1, l - (size_t)(eq - p) - 1);
	return *name && *value ? 0 : kr_nomem(ctx);
}

static int is_null(const kr_node *n)
{
	return n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

static const char *kind_name(int type)
{
	return type == KR_MAP ? "MappingNode" : type == KR_SEQ ? "SequenceNode"
	                                                       : "ScalarNode";
}

/* kyaml's ErrorIfInvalid message, at the node. */
static int kind_error(kr_ctx *ctx, const kr_node *n, int want)
{
	if (n->line)
		return kr_fail_at(ctx, KR_EINVALID, n->file ? n->file : "?", n->line, n->col,
		                  "wrong node kind: expected %s but got %s",
		                  kind_name(want), kind_name(n->type));
	return kr_fail(ctx, KR_EINVALID, "wrong node kind: expected %s but got %s",
	               kind_name(want), kind_name(n->type));
}

/* A node's Value in go-yaml: a scalar's text, "" for collections. */
static const char *yvalue(const kr_node *n)
{
	return n->type == KR_SCALAR ? n->u.s.str : "";
}

/* ---- PathGetter (sources) --------------------------------------------- */

static char *trim_space(kr_arena *a, const char *s)
{
	size_t l = strlen(s);
	while (l && strchr(" \t\n\v\f\r", s[l - 1]))
		l--;
	size_t b = 0;
	while (b < l && strchr(" \t\n\v\f\r", s[b]))
		b++;
	return kr_arena_strndup(a, s + b, l - b);
}

/* The first element of list `seq` that [name=value] selects exactly. */
static kr_node *element_matcher(kr_node *seq, const char *name, const char *value)
{
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		kr_node *e = seq->u.q.items[i];
		if (!name[0]) {
			if (!strcmp(yvalue(e), value))
				return e;
			continue;
		}
		if (e->type != KR_MAP)
			continue;
		kr_node *f = kr_map_get(e, name);
		if (f && !strcmp(yvalue(f), value))
			return e;
	}
	return NULL;
}

int kr_repl_lookup(kr_ctx *ctx, kr_node *root, char *const *parts, size_t n,
                   kr_node **out)
{
	kr_node *cur = root;
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		char *part = trim_space(&ctx->arena, parts[i]);
		if (!part)
			return kr_nomem(ctx);
		if (!part[0])
			continue;
		long long idx;
		int number = go_atoi(part, &idx);
		if (number && idx < 0)
			return kr_fail(ctx, KR_EINVALID, "array index %lld cannot be negative",
			               idx);
		if (!strcmp(part, "*"))
			return kr_fail(ctx, KR_EINVALID, "wildcard is not supported in "
			               "PathGetter");
		if (number || !strcmp(part, "-") || is_list_index(part)) {
			char *name = NULL, *value = NULL;
			int rc;
			if (!number && part[0] == '[' &&
			    (rc = split_index(ctx, part, &name, &value)) < 0)
				return rc;
			if (is_null(cur))
				return 0;
			if (cur->type != KR_SEQ)
				return kind_error(ctx, cur, KR_SEQ);
			uint32_t len = cur->u.q.len;
			if (name)
				cur = element_matcher(cur, name, value);
			else if (number)
				cur = (unsigned long long)idx < len ? cur->u.q.items[idx] : NULL;
			else
				cur = len ? cur->u.q.items[len - 1] : NULL;
		} else {
			if (is_null(cur))
				return 0;
			if (cur->type != KR_MAP)
				return kind_error(ctx, cur, KR_MAP);
			cur = kr_map_get(cur, part);
		}
		if (!cur)
			return 0;
	}
	*out = cur;
	return 0;
}

/* ---- PathMatcher (targets) -------------------------------------------- */

typedef struct matcher {
	kr_ctx *ctx;
	int create;
	kr_repl_nodes *out;
} matcher;

static int nodes_push(kr_arena *a, kr_node ***v, size_t *n, size_t *cap, kr_node *x)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		kr_node **nv = kr_arena_grow(a, *v, *n * sizeof(*nv), ncap * sizeof(*nv));
		if (!nv)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int add_match(matcher *m, kr_node *n)
{
	kr_repl_nodes *o = m->out;
	return nodes_push(&m->ctx->arena, &o->items, &o->len, &o->cap, n) < 0
	       ? kr_nomem(m->ctx) : 0;
}

/* A node kyaml makes: a collection, or a scalar with no tag yet (`text`
 * read as plain YAML until a value is set on it). */
static kr_node *make_node(matcher *m, int type, const char *text)
{
	kr_arena *a = &m->ctx->arena;
	kr_node *n;
	if (type == KR_MAP)
		n = kr_node_map(a, 2);
	else if (type == KR_SEQ)
		n = kr_node_seq(a, 2);
	else
		n = kr_node_scalar(a, kr_resolve_plain(text, strlen(text)), text, strlen(text));
	if (!n)
		return NULL;
	n->file = m->out->file;
	n->line = m->out->line;
	n->col = m->out->col;
	if (type == KR_SCALAR) {
		kr_repl_nodes *o = m->out;
		if (nodes_push(a, &o->fresh, &o->nfresh, &o->capfresh, n) < 0)
			return NULL;
	}
	return n;
}

/* kyaml's getPathPartKind: what a missing part is made as. */
static int part_kind(const char *next, int create)
{
	if (is_list_index(next) || is_idx_number(next))
		return KR_SEQ;
	if (!next[0])
		return create;
	return KR_MAP;
}

static int is_fresh(const kr_repl_nodes *o, const kr_node *n)
{
	for (size_t i = 0; i < o->nfresh; i++)
		if (o->fresh[i] == n)
			return 1;
	return 0;
}

/* A null in the tree; a scalar made here is no null yet (kyaml makes it
 * with no tag). */
static int null_node(matcher *m, const kr_node *n)
{
	return is_null(n) && !is_fresh(m->out, n);
}

static int pm_filter(matcher *m, kr_node *rn, char *const *path, size_t n);

static int pm_field(matcher *m, kr_node *rn, char *const *path, size_t n)
{
	kr_node *field = NULL;
	if (!null_node(m, rn)) {
		if (rn->type != KR_MAP)
			return kind_error(m->ctx, rn, KR_MAP);
		field = kr_map_get(rn, path[0]);
	}
	if (!field) {
		if (!m->create)
			return 0;
		field = make_node(m, part_kind(n > 1 ? path[1] : "", m->create), "");
		kr_node *key = field ? kr_node_str(&m->ctx->arena, path[0]) : NULL;
		if (!key)
			return kr_nomem(m->ctx);
		key->file = field->file;
		key->line = field->line;
		key->col = field->col;
		/* kyaml adds the field to a null parent's (ignored) content:
		 * the walk goes on in a node no one sees. */
		if (!null_node(m, rn) && kr_map_append(&m->ctx->arena, rn, key, field) < 0)
			return kr_nomem(m->ctx);
	}
	return pm_filter(m, field, path + 1, n - 1);
}

static int pm_index(matcher *m, kr_node *rn, char *const *path, size_t n)
{
	long long idx;
	go_atoi(path[0], &idx);
	if (!null_node(m, rn) && rn->type != KR_SEQ)
		return kind_error(m->ctx, rn, KR_SEQ);
	uint32_t len = null_node(m, rn) ? 0 : rn->u.q.len;
	kr_node *elem = NULL;
	if ((unsigned long long)idx == len && m->create) {
		elem = make_node(m, part_kind(n > 1 ? path[1] : "", m->create), "");
		if (!elem)
			return kr_nomem(m->ctx);
		if (!null_node(m, rn) && kr_seq_append(&m->ctx->arena, rn, elem) < 0)
			return kr_nomem(m->ctx);
		len++;
	} else if ((unsigned long long)idx < len) {
		elem = rn->u.q.items[idx];
	}
	if (!elem)
		return kr_fail(m->ctx, KR_EINVALID, "index %lld specified but only %u "
		               "elements found", idx, len);
	return pm_filter(m, elem, path + 1, n - 1);
}

static int pm_every(matcher *m, kr_node *rn, char *const *path, size_t n)
{
	if (null_node(m, rn))
		return 0;
	if (rn->type != KR_SEQ)
		return kind_error(m->ctx, rn, KR_SEQ);
	for (uint32_t i = 0; i < rn->u.q.len; i++) {
		int rc = pm_filter(m, rn->u.q.items[i], path + 1, n - 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The text kyaml matches a list selector's regular expression against:
 * the node written as YAML by go-yaml v3, trimmed.  Scalars are written
 * in their style; collections are not reproduced (known gap: they match
 * as ""). */
static const char *match_text(matcher *m, const kr_node *n)
{
	kr_arena *a = &m->ctx->arena;
	if (n->type != KR_SCALAR)
		return "";
	const char *s = n->u.s.str;
	int quote = 0;
	if (n->style == KR_STYLE_SINGLE)
		quote = '\'';
	else if (n->style == KR_STYLE_DOUBLE ||
	         (n->style == KR_STYLE_PLAIN && n->tag == KR_TAG_STR &&
	          !is_fresh(m->out, n) &&
	          kr_resolve_plain(s, n->u.s.len) != KR_TAG_STR))
		quote = '"';
	if (!quote)
		return trim_space(a, s);
	kr_buf b = { 0 };
	kr_buf_putc(&b, (char)quote);
	for (size_t i = 0; i < n->u.s.len; i++) {
		if (quote == '\'' && s[i] == '\'')
			kr_buf_putc(&b, '\'');
		else if (quote == '"' && (s[i] == '"' || s[i] == '\\'))
			kr_buf_putc(&b, '\\');
		kr_buf_putc(&b, s[i]);
	}
	kr_buf_putc(&b, (char)quote);
	char *r = b.failed ? NULL : kr_arena_strndup(a, b.data, b.len);
	kr_buf_free(&b);
	return r;
}

static int pm_seq(matcher *m, kr_node *rn, char *const *path, size_t n, int again)
{
	char *name, *value;
	int rc = split_index(m->ctx, path[0], &name, &value);
	if (rc < 0)
		return rc;
	if (!null_node(m, rn) && rn->type != KR_SEQ)
		return kind_error(m->ctx, rn, KR_SEQ);
	size_t before = m->out->len;
	uint32_t len = null_node(m, rn) ? 0 : rn->u.q.len;
	void *re = NULL;
	for (uint32_t i = 0; i < len; i++) {
		kr_node *e = rn->u.q.items[i];
		kr_node *f = e;
		if (!re) {
			/* kyaml compiles it for each element it visits, before
			 * looking at the element */
			const char *why;
			char msg[256];
			re = kr_go_regex_compile(value, 0, &why, msg, sizeof msg);
			if (!re)
				return kr_fail(m->ctx, KR_EINVALID, "error parsing regexp '%s' "
				               "in '%s': %s", value, path[0], why);
		}
		if (name[0]) {
			f = e->type == KR_MAP ? kr_map_get(e, name) : NULL;
			if (!f)
				continue;
		}
		const char *text = match_text(m, f);
		if (!text) {
			kr_go_regex_free(re);
			return kr_nomem(m->ctx);
		}
		rc = kr_go_regex_match(m->ctx, re, text, strlen(text));
		if (rc <= 0) {
			if (rc < 0) {
				kr_go_regex_free(re);
				return rc;
			}
			continue;
		}
		/* a scalar element is the match itself, whatever follows */
		rc = name[0] ? pm_filter(m, e, path + 1, n - 1) : add_match(m, e);
		if (rc < 0) {
			kr_go_regex_free(re);
			return rc;
		}
	}
	kr_go_regex_free(re);
	if (m->out->len > before || !m->create || again)
		return 0;
	/* Append the element the selector describes and search again (once:
	 * kyaml would search forever for a pattern its own text does not
	 * match). */
	kr_node *elem = make_node(m, KR_SCALAR, value);
	if (!elem)
		return kr_nomem(m->ctx);
	if (name[0]) {
		kr_node *map = make_node(m, KR_MAP, NULL);
		kr_node *key = kr_node_str(&m->ctx->arena, name);
		if (!map || !key || kr_map_append(&m->ctx->arena, map, key, elem) < 0)
			return kr_nomem(m->ctx);
		key->file = map->file;
		key->line = map->line;
		key->col = map->col;
		elem = map;
	}
	if (!null_node(m, rn) && kr_seq_append(&m->ctx->arena, rn, elem) < 0)
		return kr_nomem(m->ctx);
	if (null_node(m, rn)) {
		/* kyaml appends to the null node's content and finds it there */
		return name[0] ? pm_filter(m, elem, path + 1, n - 1) : add_match(m, elem);
	}
	return pm_seq(m, rn, path, n, 1);
}

/* An empty part ("a..b", "a."): kyaml's Get("") compares a scalar's text
 * with "" and finds the scalar itself when it is empty; with create, it
 * overwrites the node with a made one and goes on in another copy, which
 * no one sees. */
static int pm_empty(matcher *m, kr_node *rn, char *const *path, size_t n)
{
	int null = null_node(m, rn);
	if (!null && rn->type != KR_SCALAR)
		return kind_error(m->ctx, rn, KR_SCALAR);
	if (!null && rn->u.s.len == 0)
		return pm_filter(m, rn, path + 1, n - 1);
	if (!m->create)
		return 0;
	int kind = part_kind(n > 1 ? path[1] : "", m->create);
	kr_node *in_tree = make_node(m, kind, "");
	kr_node *walked = make_node(m, kind, "");
	if (!in_tree || !walked)
		return kr_nomem(m->ctx);
	*rn = *in_tree;
	if (kind == KR_SCALAR)
		rn->tag = KR_TAG_STR;  /* kubectl prints it as "" */
	return pm_filter(m, walked, path + 1, n - 1);
}

static int pm_filter(matcher *m, kr_node *rn, char *const *path, size_t n)
{
	if (n == 0)
		return add_match(m, rn);
	if (is_idx_number(path[0]))
		return pm_index(m, rn, path, n);
	if (is_list_index(path[0]))
		return pm_seq(m, rn, path, n, 0);
	if (!strcmp(path[0], "*"))
		return pm_every(m, rn, path, n);
	if (!path[0][0])
		return pm_empty(m, rn, path, n);
	return pm_field(m, rn, path, n);
}

int kr_repl_match(kr_ctx *ctx, kr_node *root, char *const *parts, size_t n,
                  int create, kr_repl_nodes *out)
{
	matcher m = { ctx, create, out };
	if (!out->line) {
		out->line = 1;
		out->col = 1;
	}
	return pm_filter(&m, root, parts, n);
}

/* ---- configuration ---------------------------------------------------- */

typedef struct repl_opts {
	int set;               /* options given (kustomize: non-nil) */
	const char *delim;
	int64_t index;
	int create;
} repl_opts;

typedef struct repl_id {
	const char *group, *version, *kind, *name, *ns;
} repl_id;

typedef struct repl_sel {
	int set;
	repl_id id;
	kr_selector ls;        /* its label and annotation selectors only */
} repl_sel;

typedef struct repl_target {
	int set;
	repl_sel select;
	repl_sel *reject;
	size_t nreject;
	const char **paths;
	size_t npaths;
	repl_opts opts;
} repl_target;

typedef struct repl {
	int has_source;
	repl_id src;
	const char *fieldpath;
	repl_opts sopts;
	repl_target *targets;
	size_t ntargets;
	const char *path;
	const char *file;      /* where it was written, for messages */
	const char *what;      /* "replacements[0]", "file.yaml[1]" */
	const kr_node *at;
} repl;

typedef struct repl_list {
	repl *v;
	size_t n, cap;
} repl_list;

/* How one document is decoded: the kustomization strictly, a path file as
 * sigs.k8s.io/yaml.Unmarshal does. */
typedef struct dctx {
	kr_ctx *ctx;
	const kr_kustomization *k;   /* k->file names the file in messages */
	int strict;
} dctx;

static char *cat(dctx *d, const char *a, const char *b)
{
	return a[0] ? kr_arena_printf(&d->ctx->arena, "%s.%s", a, b)
	            : kr_arena_strdup(&d->ctx->arena, b);
}

/* Which of `names` member `m` sets; nnames for an unknown field that a
 * non-strict decode skips. */
static int d_member(dctx *d, const kr_kmember *m, const char *what,
                    const char *const *names, size_t nnames)
{
	if (d->strict)
		return kr_kust_decode_member(d->ctx, d->k, m, what, names, nnames);
	for (size_t i = 0; i < nnames; i++)
		if (!strcasecmp(m->name, names[i]))
			return (int)i;
	return (int)nnames;
}

static int d_string(dctx *d, const kr_node *v, const char *what, const char *gofield,
                    const char **out)
{
	if (!d->strict && v && v->type == KR_SCALAR && !kr_y11_is_null(v)) {
		/* sigs.k8s.io/yaml gives a string field a scalar's text */
		*out = kr_y11_as_string(&d->ctx->arena, v);
		return *out ? 0 : kr_nomem(d->ctx);
	}
	return kr_kust_decode_string(d->ctx, d->k, v, what, gofield, out);
}

static int d_struct(dctx *d, const kr_node *n, const char *what, const char *gofield,
                    const char *gotype, kr_kmembers *mm)
{
	return kr_kust_decode_struct(d->ctx, d->k, n, what, NULL, gofield, gotype, mm);
}

static const char *const opt_fields[] = { "delimiter", "index", "encoding", "create" };

static int decode_opts(dctx *d, const kr_node *n, const char *what, const char *gopath,
                       repl_opts *o)
{
	kr_kmembers mm;
	char *gf = cat(d, gopath, "options");
	char *gfs = gf ? kr_arena_printf(&d->ctx->arena, "FieldOptions.%s", gf) : NULL;
	if (!gfs)
		return kr_nomem(d->ctx);
	int rc = d_struct(d, n, what, gfs, "types.FieldOptions", &mm);
	if (rc < 0)
		return rc;
	if (!kr_y11_is_null(n))
		o->set = 1;
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = d_member(d, &mm.items[i], what, opt_fields, 4);
		if (f < 0)
			return f;
		if (f == 4)
			continue;
		char *w = kr_arena_printf(&d->ctx->arena, "%s.%s", what, opt_fields[f]);
		char *g = kr_arena_printf(&d->ctx->arena, "%s.%s", gfs, opt_fields[f]);
		if (!w || !g)
			return kr_nomem(d->ctx);
		const kr_node *v = mm.items[i].value;
		const char *ignored;
		switch (f) {
		case 0: rc = d_string(d, v, w, g, &o->delim); break;
		case 1: rc = kr_kust_decode_int64(d->ctx, d->k, v, w, g, &o->index); break;
		case 2: rc = d_string(d, v, w, g, &ignored); break;
		default: rc = kr_kust_decode_bool(d->ctx, d->k, v, w, g, &o->create); break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The resid.ResId members (group, version, kind, name, namespace) at
 * indexes 0-4 of a struct's field list. */
static const char **id_slot(repl_id *id, int f)
{
	const char **s[5] = { &id->group, &id->version, &id->kind, &id->name, &id->ns };
	return s[f];
}

static const char *const sel_fields[] = {
	"group", "version", "kind", "name", "namespace",
	"labelSelector", "annotationSelector"
};

static int decode_selector(dctx *d, const kr_node *n, const char *what,
                           const char *gopath, repl_sel *s)
{
	kr_kmembers mm;
	memset(s, 0, sizeof(*s));
	s->id = (repl_id){ "", "", "", "", "" };
	char *gfs = kr_arena_printf(&d->ctx->arena, "Selector.%s", gopath);
	if (!gfs)
		return kr_nomem(d->ctx);
	int rc = d_struct(d, n, what, gfs, "types.Selector", &mm);
	if (rc < 0)
		return rc;
	if (kr_y11_is_null(n))
		return 0;
	s->set = 1;
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = d_member(d, &mm.items[i], what, sel_fields, 7);
		if (f < 0)
			return f;
		if (f == 7)
			continue;
		char *w = kr_arena_printf(&d->ctx->arena, "%s.%s", what, sel_fields[f]);
		char *g = kr_arena_printf(&d->ctx->arena, "%s.%s", gfs, sel_fields[f]);
		if (!w || !g)
			return kr_nomem(d->ctx);
		const char **dst = f < 5 ? id_slot(&s->id, f)
		                   : f == 5 ? &s->ls.label_sel : &s->ls.ann_sel;
		if ((rc = d_string(d, mm.items[i].value, w, g, dst)) < 0)
			return rc;
	}
	if ((rc = kr_selector_compile(d->ctx, &s->ls)) < 0)
		return kr_wrap(d->ctx, "%s:%u:%u: %s", d->k->file, n->line, n->col, what);
	return 0;
}

static const char *const target_fields[] = { "select", "reject", "fieldPaths", "options" };

static int decode_target(dctx *d, const kr_node *n, const char *what,
                         const char *gopath, repl_target *t)
{
	kr_arena *a = &d->ctx->arena;
	kr_kmembers mm;
	memset(t, 0, sizeof(*t));
	t->opts.delim = "";
	char *gfs = kr_arena_printf(a, "TargetSelector.%s", gopath);
	if (!gfs)
		return kr_nomem(d->ctx);
	int rc = d_struct(d, n, what, gfs, "types.TargetSelector", &mm);
	if (rc < 0)
		return rc;
	t->set = !kr_y11_is_null(n);
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = d_member(d, &mm.items[i], what, target_fields, 4);
		if (f < 0)
			return f;
		if (f == 4)
			continue;
		const kr_node *v = mm.items[i].value;
		char *w = kr_arena_printf(a, "%s.%s", what, target_fields[f]);
		char *gp = kr_arena_printf(a, "%s.%s", gopath, target_fields[f]);
		char *g = kr_arena_printf(a, "%s.%s", gfs, target_fields[f]);
		if (!w || !gp || !g)
			return kr_nomem(d->ctx);
		const kr_node *seq;
		switch (f) {
		case 0:
			rc = decode_selector(d, v, w, gp, &t->select);
			break;
		case 1:
			rc = kr_kust_decode_list(d->ctx, d->k, v, w, NULL, g, "[]*types.Selector",
			                         &seq);
			t->reject = NULL;
			t->nreject = 0;
			if (rc < 0 || !seq)
				break;
			t->reject = kr_arena_alloc(a, (seq->u.q.len + 1) * sizeof(*t->reject));
			if (!t->reject)
				return kr_nomem(d->ctx);
			for (uint32_t j = 0; j < seq->u.q.len && rc >= 0; j++) {
				char *wj = kr_arena_printf(a, "%s[%u]", w, j);
				if (!wj)
					return kr_nomem(d->ctx);
				const kr_node *e = seq->u.q.items[j];
				if (kr_y11_is_null(e))
					/* kustomize dereferences it and crashes */
					return kr_fail_at(d->ctx, KR_EINVALID, d->k->file, e->line,
					                  e->col, "%s must be a selector, not null", wj);
				rc = decode_selector(d, e, wj, gp, &t->reject[j]);
				t->nreject++;
			}
			break;
		case 2:
			rc = kr_kust_decode_list(d->ctx, d->k, v, w, "a list of strings", g,
			                         "[]string", &seq);
			t->paths = NULL;
			t->npaths = 0;
			if (rc < 0 || !seq)
				break;
			t->paths = kr_arena_alloc(a, (seq->u.q.len + 1) * sizeof(*t->paths));
			if (!t->paths)
				return kr_nomem(d->ctx);
			for (uint32_t j = 0; j < seq->u.q.len && rc >= 0; j++) {
				char *wj = kr_arena_printf(a, "%s[%u]", w, j);
				if (!wj)
					return kr_nomem(d->ctx);
				t->paths[j] = "";
				rc = d_string(d, seq->u.q.items[j], wj, g, &t->paths[j]);
				t->npaths++;
			}
			break;
		default:
			t->opts = (repl_opts){ 0, "", 0, 0 };
			rc = decode_opts(d, v, w, gopath, &t->opts);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *const source_fields[] = {
	"group", "version", "kind", "name", "namespace", "fieldPath", "options"
};

static int decode_source(dctx *d, const kr_node *n, const char *what,
                         const char *gopath, repl *r)
{
	kr_arena *a = &d->ctx->arena;
	kr_kmembers mm;
	char *gfs = kr_arena_printf(a, "SourceSelector.%s", gopath);
	if (!gfs)
		return kr_nomem(d->ctx);
	int rc = d_struct(d, n, what, gfs, "types.SourceSelector", &mm);
	if (rc < 0)
		return rc;
	r->has_source = !kr_y11_is_null(n);
	r->src = (repl_id){ "", "", "", "", "" };
	r->fieldpath = "";
	r->sopts = (repl_opts){ 0, "", 0, 0 };
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = d_member(d, &mm.items[i], what, source_fields, 7);
		if (f < 0)
			return f;
		if (f == 7)
			continue;
		const kr_node *v = mm.items[i].value;
		char *w = kr_arena_printf(a, "%s.%s", what, source_fields[f]);
		char *g = kr_arena_printf(a, "%s.%s", gfs, source_fields[f]);
		if (!w || !g)
			return kr_nomem(d->ctx);
		if (f < 5)
			rc = d_string(d, v, w, g, id_slot(&r->src, f));
		else if (f == 5)
			rc = d_string(d, v, w, g, &r->fieldpath);
		else
			rc = decode_opts(d, v, w, gopath, &r->sopts);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char *const repl_fields[] = { "source", "targets", "path" };

/* One replacement (`gotype` types.ReplacementField in a kustomization,
 * types.Replacement in a path file, which has no `path`). */
static int decode_repl(dctx *d, const kr_node *n, const char *what, const char *gopath,
                       const char *gofield, const char *gotype, repl *r)
{
	kr_arena *a = &d->ctx->arena;
	kr_kmembers mm;
	memset(r, 0, sizeof(*r));
	r->path = "";
	r->src = (repl_id){ "", "", "", "", "" };
	r->fieldpath = "";
	r->sopts.delim = "";
	r->file = d->k->file;
	r->what = what;
	r->at = n;
	const char *tname = strrchr(gotype, '.') + 1;
	int rc = d_struct(d, n, what, gofield, gotype, &mm);
	if (rc < 0)
		return rc;
	size_t nf = !strcmp(tname, "ReplacementField") ? 3 : 2;
	for (uint32_t i = 0; i < mm.len; i++) {
		int f = d_member(d, &mm.items[i], what, repl_fields, nf);
		if (f < 0)
			return f;
		if (f == (int)nf)
			continue;
		const kr_node *v = mm.items[i].value;
		char *w = kr_arena_printf(a, "%s.%s", what, repl_fields[f]);
		char *gp = cat(d, gopath, repl_fields[f]);
		char *g = gp ? kr_arena_printf(a, "%s.%s", tname, gp) : NULL;
		if (!w || !g)
			return kr_nomem(d->ctx);
		if (f == 0) {
			rc = decode_source(d, v, w, gp, r);
		} else if (f == 2) {
			rc = d_string(d, v, w, g, &r->path);
		} else {
			const kr_node *seq;
			rc = kr_kust_decode_list(d->ctx, d->k, v, w, NULL, g,
			                         "[]*types.TargetSelector", &seq);
			r->targets = NULL;
			r->ntargets = 0;
			if (rc < 0 || !seq)
				break;
			r->targets = kr_arena_alloc(a, (seq->u.q.len + 1) * sizeof(*r->targets));
			if (!r->targets)
				return kr_nomem(d->ctx);
			for (uint32_t j = 0; j < seq->u.q.len && rc >= 0; j++) {
				char *wj = kr_arena_printf(a, "%s[%u]", w, j);
				if (!wj)
					return kr_nomem(d->ctx);
				rc = decode_target(d, seq->u.q.items[j], wj, gp, &r->targets[j]);
				r->ntargets++;
			}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int list_push(kr_ctx *ctx, repl_list *l, const repl *r)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		repl *nv = kr_arena_grow(&ctx->arena, l->v, l->n * sizeof(*nv),
		                         ncap * sizeof(*nv));
		if (!nv)
			return kr_nomem(ctx);
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = *r;
	return 0;
}

/* A `path:` entry: the replacements of that file. */
static int load_path(kr_ctx *ctx, const kr_kustomization *k, const repl *entry,
                     repl_list *out)
{
	char *data;
	size_t len;
	const char *display;
	int rc = kr_kust_read_file(ctx, k, entry->at, entry->path, &data, &len, &display);
	if (rc < 0)
		return rc;
	kr_doclist docs = { 0 };
	/* sigs.k8s.io/yaml reads the first document only */
	if ((rc = kr_yaml_parse(ctx, display, data, len,
	                        KR_YAML_DUP_LAST_WINS | KR_YAML_FIRST_DOC_ONLY, &docs)) < 0)
		return rc;
	kr_kustomization fk = *k;
	fk.file = display;
	dctx d = { ctx, &fk, 0 };
	const kr_node *doc = docs.len ? docs.docs[0] : NULL;
	kr_y11_type t = doc ? kr_y11_type_of(doc) : KR_Y11_NULL;
	repl r;
	if (t == KR_Y11_MAP) {
		if ((rc = decode_repl(&d, doc, "replacement", "", "Replacement",
		                      "types.Replacement", &r)) < 0)
			return rc;
		return list_push(ctx, out, &r);
	}
	if (t != KR_Y11_SEQ) {
		static const char *const go[] = { "string", "invalid", "bool", "float64",
		                                  "float64" };
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->at->line, entry->at->col,
		                  "the replacements file '%s' must hold a replacement or a "
		                  "list of them (kubectl: unsupported replacement type "
		                  "encountered within replacement path: %s)", display, go[t]);
	}
	for (uint32_t i = 0; i < doc->u.q.len; i++) {
		char *w = kr_arena_printf(&ctx->arena, "replacements[%u]", i);
		if (!w)
			return kr_nomem(ctx);
		if ((rc = decode_repl(&d, doc->u.q.items[i], w, "", "Replacement",
		                      "types.Replacement", &r)) < 0 ||
		    (rc = list_push(ctx, out, &r)) < 0)
			return rc;
	}
	return 0;
}

/* All replacements of the kustomization, files loaded, in order. */
static int load_all(kr_ctx *ctx, const kr_kustomization *k, repl_list *out)
{
	const kr_node *seq;
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, "replacements"),
	                             "replacements", NULL, "Kustomization.replacements",
	                             "[]types.ReplacementField", &seq);
	if (rc < 0 || !seq)
		return rc;
	dctx d = { ctx, k, 1 };
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		const kr_node *e = seq->u.q.items[i];
		char *what = kr_arena_printf(&ctx->arena, "replacements[%u]", i);
		repl r;
		if (!what)
			return kr_nomem(ctx);
		if ((rc = decode_repl(&d, e, what, "replacements", "Kustomization.replacements",
		                      "types.ReplacementField", &r)) < 0)
			return rc;
		if (!r.path[0]) {
			if ((rc = list_push(ctx, out, &r)) < 0)
				return rc;
			continue;
		}
		if (r.has_source || r.ntargets)
			return kr_fail_at(ctx, KR_EINVALID, k->file, e->line, e->col,
			                  "%s: cannot specify both path and inline replacement",
			                  what);
		if ((rc = load_path(ctx, k, &r, out)) < 0)
			return kr_wrap(ctx, "%s", what);
	}
	return 0;
}

/* ---- selecting resources ---------------------------------------------- */

static const char *eff_ns(const char *ns)
{
	return !ns[0] || !strcmp(ns, "default") ? "default" : ns;
}

/* kustomize's ResId.IsSelectedBy (exact fields; ids made from nodes never
 * count as cluster-scoped there). */
static int id_selected(const kr_resid *id, const repl_id *s)
{
	return (!s->name[0] || !strcmp(s->name, id->name)) &&
	       (!s->ns[0] || !strcmp(eff_ns(s->ns), eff_ns(id->ns))) &&
	       (!s->group[0] || !strcmp(s->group, id->group)) &&
	       (!s->version[0] || !strcmp(s->version, id->version)) &&
	       (!s->kind[0] || !strcmp(s->kind, id->kind));
}

static int id_empty(const repl_id *s)
{
	return !s->group[0] && !s->version[0] && !s->kind[0] && !s->name[0] && !s->ns[0];
}

/* Does `s` select any of r's ids (MakeResIds: the current one, from the
 * document now, and those before renames, with the current group and
 * version)? */
static int any_id_selected(const kr_resource *r, const kr_resid *cur, const repl_id *s)
{
	if (id_selected(cur, s))
		return 1;
	for (uint32_t i = 0; i < r->nprev; i++) {
		kr_resid p = { cur->group, cur->version, r->prev[i].kind, r->prev[i].name,
		               r->prev[i].ns };
		if (id_selected(&p, s))
			return 1;
	}
	return 0;
}

static char *id_string(kr_arena *a, const repl_id *id)
{
	return kr_arena_printf(a, "%s.%s.%s/%s.%s",
	                       id->kind[0] ? id->kind : "[noKind]",
	                       id->version[0] ? id->version : "[noVer]",
	                       id->group[0] ? id->group : "[noGrp]",
	                       id->name[0] ? id->name : "[noName]",
	                       id->ns[0] ? id->ns : "[noNs]");
}

/* kustomize's SourceSelector.String(). */
static char *source_string(kr_arena *a, const repl *r)
{
	char *s = id_string(a, &r->src);
	if (s && r->fieldpath[0])
		s = kr_arena_printf(a, "%s:%s", s, r->fieldpath);
	if (s && r->sopts.set && (r->sopts.delim[0] || r->sopts.create))
		s = kr_arena_printf(a, "%s:%s(%lld), create=%s", s, r->sopts.delim,
		                    (long long)r->sopts.index,
		                    r->sopts.create ? "true" : "false");
	return s;
}

/* ---- values ----------------------------------------------------------- */

/* Go's strings.Split(s, sep) for a non-empty sep, as (start, length) pairs. */
typedef struct piece {
	const char *s;
	size_t n;
} piece;

static piece *split(kr_arena *a, const char *s, size_t len, const char *sep,
                    size_t *count)
{
	size_t sl = strlen(sep), n = 1;
	for (size_t i = 0; i + sl <= len;)
		if (!memcmp(s + i, sep, sl)) {
			n++;
			i += sl;
		} else {
			i++;
		}
	piece *v = kr_arena_alloc(a, (n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0, start = 0;
	for (size_t i = 0; i + sl <= len;)
		if (!memcmp(s + i, sep, sl)) {
			v[k++] = (piece){ s + start, i - start };
			i += sl;
			start = i;
		} else {
			i++;
		}
	v[k++] = (piece){ s + start, len - start };
	*count = k;
	return v;
}

/* kustomize's getRefinedValue: the piece options.index of the source
 * scalar split at options.delimiter (a copy keeping the node's type). */
static int refine(kr_ctx *ctx, const repl_opts *o, kr_node **value)
{
	if (!o->set || !o->delim[0])
		return 0;
	kr_node *v = *value;
	if (v->type != KR_SCALAR)
		return kr_fail(ctx, KR_EINVALID, "delimiter option can only be used with "
		               "scalar nodes");
	size_t n;
	const char *text = is_null(v) ? "" : v->u.s.str;
	piece *p = split(&ctx->arena, text, strlen(text), o->delim, &n);
	if (!p)
		return kr_nomem(ctx);
	if (o->index < 0 || (uint64_t)o->index >= n)
		return kr_fail(ctx, KR_EINVALID, "options.index %lld is out of bounds for "
		               "value %s", (long long)o->index, text);
	kr_node *c = kr_arena_alloc(&ctx->arena, sizeof(*c));
	char *s = kr_arena_strndup(&ctx->arena, p[o->index].s, p[o->index].n);
	if (!c || !s)
		return kr_nomem(ctx);
	*c = *v;
	c->u.s.str = s;
	c->u.s.len = p[o->index].n;
	*value = c;
	return 0;
}

static const char *tag_name(kr_tag t)
{
	static const char *const names[] = { "!!str", "!!null", "!!bool", "!!int",
	                                     "!!float" };
	return names[t];
}

static const char *type_word(kr_tag t)
{
	static const char *const names[] = { "string", "null", "bool", "int",
	                                     "float" };
	return names[t];
}

/* Give scalar target `t` the text s[0..len): the target keeps its type, as
 * kustomize keeps its tag, and the text must be one go-yaml v3 reads as
 * that type; a scalar made by `create` has no type yet and takes the one
 * the text has as plain YAML. */
static int set_scalar_text(kr_ctx *ctx, kr_node *t, const char *s, size_t len,
                           int fresh)
{
	char *copy = kr_arena_strndup(&ctx->arena, s, len);
	if (!copy)
		return kr_nomem(ctx);
	kr_tag rtag = kr_resolve_plain(copy, len);
	if (fresh) {
		t->tag = (uint8_t)rtag;
		t->style = KR_STYLE_PLAIN;
		t->flags = 0;
	} else if (t->tag == KR_TAG_STR) {
		int plain = t->style == KR_STYLE_PLAIN && !(t->flags & KR_NODE_TAGGED);
		int was_ts = plain && t->line != 0 &&
		             kr_emit_text_is_timestamp(t->u.s.str, t->u.s.len);
		int is_ts = kr_emit_text_is_timestamp(copy, len);
		if (was_ts && !is_ts)
			return kr_fail_at(ctx, KR_EINVALID, t->file ? t->file : "?", t->line,
			                  t->col, "the timestamp here cannot take the value "
			                  "'%s' (kubectl: cannot decode %s `%s` as a "
			                  "!!timestamp)", copy, tag_name(rtag), copy);
		if (plain && !was_ts && is_ts)
			t->flags |= KR_NODE_TAGGED; /* a !!str: never a timestamp */
	} else {
		int ok = rtag == t->tag || (t->tag == KR_TAG_FLOAT && rtag == KR_TAG_INT);
		if (!ok)
			return kr_fail_at(ctx, KR_EINVALID, t->file ? t->file : "?", t->line,
			                  t->col, "the %s here cannot take the value '%s', "
			                  "which is a %s (kubectl: cannot decode %s `%s` as a "
			                  "%s)", type_word((kr_tag)t->tag), copy,
			                  type_word(rtag), tag_name(rtag), copy,
			                  tag_name((kr_tag)t->tag));
	}
	t->u.s.str = copy;
	t->u.s.len = len;
	return 0;
}

/* kustomize's setFieldValue. */
static int set_value(kr_ctx *ctx, const repl_opts *o, kr_node *t, const kr_node *value,
                     const kr_repl_nodes *found)
{
	kr_arena *a = &ctx->arena;
	const char *text = value->type == KR_SCALAR ? value->u.s.str : "";
	size_t tlen = value->type == KR_SCALAR ? value->u.s.len : 0;
	if (o->set && o->delim[0]) {
		if (t->type != KR_SCALAR)
			return kr_fail(ctx, KR_EINVALID, "delimiter option can only be used "
			               "with scalar nodes");
		size_t n;
		piece *p = split(a, t->u.s.str, t->u.s.len, o->delim, &n);
		if (!p)
			return kr_nomem(ctx);
		/* GetValue: "" for null and collections */
		piece v = { "", 0 };
		if (value->type == KR_SCALAR && !is_null(value))
			v = (piece){ value->u.s.str, value->u.s.len };
		kr_buf b = { 0 };
		size_t at = o->index < 0 ? 0 : (uint64_t)o->index >= n ? n : (size_t)o->index;
		int replace = o->index >= 0 && (uint64_t)o->index < n;
		for (size_t i = 0, first = 1; i <= n; i++) {
			if (i == at) {
				if (!first)
					kr_buf_puts(&b, o->delim);
				kr_buf_put(&b, v.s, v.n);
				first = 0;
				if (replace)
					continue;
			}
			if (i == n)
				break;
			if (!first)
				kr_buf_puts(&b, o->delim);
			kr_buf_put(&b, p[i].s, p[i].n);
			first = 0;
		}
		char *joined = b.failed ? NULL : kr_arena_strndup(a, b.data ? b.data : "", b.len);
		size_t jl = b.len;
		kr_buf_free(&b);
		if (!joined)
			return kr_nomem(ctx);
		return set_scalar_text(ctx, t, joined, jl, is_fresh(found, t));
	}
	if (t->type == KR_SCALAR)
		return set_scalar_text(ctx, t, text, tlen, is_fresh(found, t));
	kr_node *c = kr_node_copy(a, value);
	if (!c)
		return kr_nomem(ctx);
	*t = *c;
	return 0;
}

/* Go's %q of a plain string. */
static char *go_quote(kr_arena *a, const char *s)
{
	kr_buf b = { 0 };
	kr_buf_putc(&b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			kr_buf_putc(&b, '\\');
		kr_buf_putc(&b, *s);
	}
	kr_buf_putc(&b, '"');
	char *r = b.failed ? NULL : kr_arena_strndup(a, b.data, b.len);
	kr_buf_free(&b);
	return r;
}

/* `fp` as Go's %q, and the target's id, for messages. */
static int target_names(kr_ctx *ctx, const char *fp, const kr_resid *cur, char **q,
                        char **ids)
{
	repl_id id = { cur->group, cur->version, cur->kind, cur->name, cur->ns };
	*q = go_quote(&ctx->arena, fp);
	*ids = id_string(&ctx->arena, &id);
	return *q && *ids ? 0 : kr_nomem(ctx);
}

/* kustomize's copyValueToTarget. */
static int copy_to_target(kr_ctx *ctx, kr_resource *r, const kr_resid *cur,
                          const kr_node *value, const repl_target *t,
                          const kr_node *at, const char *file)
{
	kr_arena *a = &ctx->arena;
	for (size_t i = 0; i < t->npaths; i++) {
		const char *fp = t->paths[i];
		int create = t->opts.set && t->opts.create ? value->type : 0;
		char **parts, *q, *ids;
		size_t n;
		if (kr_repl_split_path(a, fp, &parts, &n) < 0)
			return kr_nomem(ctx);
		kr_repl_nodes found = { 0 };
		found.file = value->line ? value->file : file;
		found.line = value->line ? value->line : at->line;
		found.col = value->line ? value->col : at->col;
		int rc = kr_repl_match(ctx, r->doc, parts, n, create, &found);
		if (rc < 0 || !found.len) {
			if (rc == KR_ENOMEM)
				return rc;
			if (target_names(ctx, fp, cur, &q, &ids) < 0)
				return kr_nomem(ctx);
			const char *how = create ? " or create" : "";
			if (rc < 0)
				return kr_wrap(ctx, "unable to find%s field %s in replacement "
				               "target %s", how, q, ids);
			return kr_fail(ctx, KR_EINVALID, "unable to find%s field %s in "
			               "replacement target %s", how, q, ids);
		}
		for (size_t j = 0; j < found.len; j++) {
			rc = set_value(ctx, &t->opts, found.items[j], value, &found);
			if (rc == KR_ENOMEM)
				return rc;
			if (rc < 0)
				return target_names(ctx, fp, cur, &q, &ids) < 0 ? kr_nomem(ctx)
				       : kr_wrap(ctx, "setting field %s of replacement target %s",
				                 q, ids);
		}
	}
	return 0;
}

static int label_selected(kr_ctx *ctx, const repl_sel *s, const kr_resource *r)
{
	return kr_selector_matches(ctx, &s->ls, r);
}

/* kustomize's applyReplacement for one target selector. */
static int apply_target(kr_ctx *ctx, kr_resmap *m, const kr_node *value,
                        repl_target *t, const kr_node *at, const char *file)
{
	static const char *const dflt[] = { DEFAULT_FIELD_PATH };
	if (!t->set || !t->select.set)
		return kr_fail(ctx, KR_EINVALID, "target must specify resources to select");
	if (!t->npaths) {
		t->paths = (const char **)dflt;
		t->npaths = 1;
	}
	for (size_t x = 0; x < m->len; x++) {
		kr_resource *r = m->items[x];
		kr_resid cur;
		int rc;
		if (kr_resid_from_doc(&ctx->arena, &cur, r->doc) < 0)
			return kr_nomem(ctx);
		/* selectByAnnoAndLabel */
		if ((rc = label_selected(ctx, &t->select, r)) <= 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		int rejected = 0;
		for (size_t j = 0; j < t->nreject && !rejected; j++) {
			const repl_sel *rj = &t->reject[j];
			if (!rj->ls.label_sel && !rj->ls.ann_sel)
				continue;
			if ((rc = label_selected(ctx, rj, r)) < 0)
				return rc;
			rejected = rc;
		}
		if (rejected || !any_id_selected(r, &cur, &t->select.id))
			continue;
		/* containsRejectId */
		for (size_t j = 0; j < t->nreject && !rejected; j++)
			rejected = !id_empty(&t->reject[j].id) &&
			           any_id_selected(r, &cur, &t->reject[j].id);
		if (rejected)
			continue;
		if ((rc = copy_to_target(ctx, r, &cur, value, t, at, file)) < 0)
			return rc;
	}
	return 0;
}

/* One replacement: find the value, then set it in every target. */
static int apply(kr_ctx *ctx, kr_resmap *m, repl *r)
{
	kr_arena *a = &ctx->arena;
	if (!r->has_source || !r->ntargets)
		return kr_fail(ctx, KR_EINVALID, "replacements must specify a source and "
		               "at least one target");
	kr_resource *src = NULL;
	for (size_t x = 0; x < m->len; x++) {
		kr_resid cur;
		if (kr_resid_from_doc(a, &cur, m->items[x]->doc) < 0)
			return kr_nomem(ctx);
		if (!any_id_selected(m->items[x], &cur, &r->src))
			continue;
		if (src) {
			char *s = source_string(a, r);
			return s ? kr_fail(ctx, KR_EINVALID, "multiple matches for selector %s", s)
			         : kr_nomem(ctx);
		}
		src = m->items[x];
	}
	if (!src) {
		char *s = source_string(a, r);
		return s ? kr_fail(ctx, KR_EINVALID, "nothing selected by %s", s)
		         : kr_nomem(ctx);
	}
	if (!r->fieldpath[0])
		r->fieldpath = DEFAULT_FIELD_PATH;
	char **parts;
	size_t n;
	kr_node *value;
	int rc;
	if (kr_repl_split_path(a, r->fieldpath, &parts, &n) < 0)
		return kr_nomem(ctx);
	if ((rc = kr_repl_lookup(ctx, src->doc, parts, n, &value)) < 0)
		return kr_wrap(ctx, "error looking up replacement source");
	if (!value || is_null(value) ||
	    (value->type == KR_MAP && !value->u.m.len) ||
	    (value->type == KR_SEQ && !value->u.q.len)) {
		char *s = id_string(a, &r->src);
		return s ? kr_fail(ctx, KR_EINVALID, "fieldPath `%s` is missing for "
		                   "replacement source %s", r->fieldpath, s)
		         : kr_nomem(ctx);
	}
	if ((rc = refine(ctx, &r->sopts, &value)) < 0)
		return rc;
	for (size_t i = 0; i < r->ntargets; i++)
		if ((rc = apply_target(ctx, m, value, &r->targets[i], r->at, r->file)) < 0)
			return kr_wrap(ctx, "targets[%zu]", i);
	return 0;
}

int kr_replacements_transform(kr_ctx *ctx, kr_layer *l)
{
	repl_list list = { 0 };
	int rc = load_all(ctx, l->k, &list);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < list.n; i++) {
		repl *r = &list.v[i];
		if ((rc = apply(ctx, l->m, r)) < 0)
			return kr_wrap(ctx, "%s:%u:%u: %s", r->file, r->at->line,
			               r->at->col, r->what);
	}
	/* Two objects may now have the same id: kustomize fails when it next
	 * builds a resource map of them (it panics; repl_err_duplicate_id). */
	kr_resmap check = { 0 };
	for (size_t i = 0; list.n && i < l->m->len; i++) {
		kr_resource *r = l->m->items[i];
		if (kr_resource_refresh_id(&ctx->arena, r) < 0)
			return kr_nomem(ctx);
		if ((rc = kr_resmap_append(ctx, &check, r)) < 0)
			return rc == KR_ENOMEM ? rc
			       : kr_wrap(ctx, "%s: after the replacements", l->k->file);
	}
	/* Annotations are strings to kustomize: it rewrites them all at the
	 * end of the build (RemoveBuildAnnotations), so a value written here
	 * as a number or a mapping comes out as text (repl_escaped_paths). */
	for (size_t i = 0; list.n && i < l->m->len; i++) {
		kr_node *doc = l->m->items[i]->doc;
		kr_node *ann = kr_map_get(kr_map_get(doc, "metadata"), "annotations");
		/* (an empty mapping stays: kustomize leaves it alone) */
		if (ann && ann->type == KR_MAP && ann->u.m.len &&
		    (rc = kr_normalise_annotations(ctx, doc)) < 0)
			return rc;
	}
	return 0;
}
