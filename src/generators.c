/*
 * generators.c - configMapGenerator, secretGenerator, generatorOptions and
 * the top-level hash suffixes (see generators.h).
 */
#include "generators.h"

#include "buildmeta.h"

#include <errno.h>
#include <string.h>

#include "fsutil.h"
#include "hash.h"
#include "kdecode.h"

/* ---- sources -------------------------------------------------------- */

int kr_gen_parse_literal(kr_ctx *ctx, const char *src, kr_gen_kv *out)
{
	const char *eq = strchr(src, '=');
	if (!eq || eq == src)
		return kr_fail(ctx, KR_EINVALID,
		               "invalid literal source %s, expected key=value", src);
	out->key = src;
	out->klen = (size_t)(eq - src);
	const char *v = eq + 1;
	size_t n = strlen(v);
	if (n >= 2 && v[0] == v[n - 1] && (v[0] == '"' || v[0] == '\'')) {
		v++;
		n -= 2;
	}
	out->val = v;
	out->vlen = n;
	return 0;
}

int kr_gen_parse_file_source(kr_ctx *ctx, const char *src, const char **key,
                             const char **path)
{
	size_t n = strlen(src), neq = 0;
	for (size_t i = 0; i < n; i++)
		neq += src[i] == '=';
	if (neq == 0) {
		/* Go's path.Base. */
		size_t end = n;
		while (end > 1 && src[end - 1] == '/')
			end--;
		size_t start = end;
		while (start > 0 && src[start - 1] != '/')
			start--;
		if (n == 0) {
			*key = ".";
		} else if (end == 1 && src[0] == '/') {
			*key = "/";
		} else {
			char *k = kr_arena_strndup(&ctx->arena, src + start, end - start);
			if (!k)
				return kr_nomem(ctx);
			*key = k;
		}
		*path = src;
		return 0;
	}
	if (neq == 1 && src[0] == '=')
		return kr_fail(ctx, KR_EINVALID,
		               "missing key name for file path \"%s\" in source \"%s\"",
		               src + 1, src);
	if (neq == 1 && src[n - 1] == '=')
		return kr_fail(ctx, KR_EINVALID,
		               "missing file path for key name \"%.*s\" in source \"%s\"",
		               (int)(n - 1), src, src);
	if (neq > 1)
		return kr_fail(ctx, KR_EINVALID,
		               "source \"%s\" key name or file path contains '='", src);
	const char *eq = strchr(src, '=');
	char *k = kr_arena_strndup(&ctx->arena, src, (size_t)(eq - src));
	if (!k)
		return kr_nomem(ctx);
	*key = k;
	*path = eq + 1;
	return 0;
}

static int kv_push(kr_ctx *ctx, kr_gen_kvlist *l, kr_gen_kv kv)
{
	if (l->len == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		kr_gen_kv *p = kr_arena_grow(&ctx->arena, l->items, l->len * sizeof(*p),
		                             ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		l->items = p;
		l->cap = ncap;
	}
	l->items[l->len++] = kv;
	return 0;
}

/* Length of the Unicode white space (Go's unicode.IsSpace) at s, or 0. */
static size_t space_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
		return 2;
	if (n >= 3) {
		unsigned cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) |
		              (s[2] & 0x3F);
		if ((s[0] & 0xF0) != 0xE0)
			return 0;
		if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
		    cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
			return 3;
	}
	return 0;
}

int kr_gen_parse_env(kr_ctx *ctx, const char *display, const char *data, size_t len,
                     kr_gen_kvlist *out)
{
	size_t pos = 0;
	unsigned lineno = 0;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *line = data + pos;
		size_t n = end - pos;
		pos = nl ? end + 1 : len;
		lineno++;
		/* bufio.Scanner gives up (silently, for kustomize) on a line
		 * of 64 KiB or more: refuse rather than guess. */
		if (n + 1 >= 65536)
			return kr_fail(ctx, KR_ELIMIT, "%s:%u: env file line longer than "
			               "64 KiB (kustomize stops reading the file there)",
			               display, lineno);
		if (n && line[n - 1] == '\r')
			n--;
		if (!kr_utf8_valid(line, n))
			return kr_fail(ctx, KR_EINVALID, "%s:%u: line has invalid UTF-8 "
			               "bytes (kustomize: \"line [...] has invalid utf8 "
			               "bytes\")", display, lineno);
		if (lineno == 1 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
			line += 3;
			n -= 3;
		}
		size_t sl;
		while ((sl = space_len((const unsigned char *)line, n)) > 0) {
			line += sl;
			n -= sl;
		}
		if (n == 0 || line[0] == '#')
			continue;
		const char *eq = memchr(line, '=', n);
		kr_gen_kv kv;
		kv.klen = eq ? (size_t)(eq - line) : n;
		if (kv.klen == 0)
			continue;
		kv.key = kr_arena_strndup(&ctx->arena, line, kv.klen);
		kv.vlen = eq ? n - kv.klen - 1 : 0;
		kv.val = kr_arena_strndup(&ctx->arena, eq ? eq + 1 : "", kv.vlen);
		if (!kv.key || !kv.val)
			return kr_nomem(ctx);
		int rc = kv_push(ctx, out, kv);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- arguments ------------------------------------------------------- */

typedef struct gen_opts {
	kr_strmap labels, annotations;
	int disable_hash, immutable;
} gen_opts;

typedef struct gen_args {
	const kr_node *node;
	const char *name, *ns, *behavior, *type;
	const char **envs, **literals, **files;
	size_t nenvs, nliterals, nfiles;
	const char *env;
	gen_opts opts;
} gen_args;

static int decode_strings(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char *what, const char *gofield, const char ***out,
                          size_t *nout)
{
	const kr_node *seq;
	int rc = kr_kust_decode_list(ctx, k, n, what, "a list of strings", gofield,
	                             "[]string", &seq);
	*out = NULL;
	*nout = 0;
	if (rc < 0 || !seq)
		return rc;
	const char **v = kr_arena_zalloc(&ctx->arena, (seq->u.q.len + 1) * sizeof(*v));
	if (!v)
		return kr_nomem(ctx);
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		char *w = kr_arena_printf(&ctx->arena, "%s[%u]", what, i);
		if (!w)
			return kr_nomem(ctx);
		v[i] = "";
		if ((rc = kr_kust_decode_string(ctx, k, seq->u.q.items[i], w, gofield,
		                                &v[i])) < 0)
			return rc;
	}
	*out = v;
	*nout = seq->u.q.len;
	return 0;
}

static int decode_opts(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                       const char *what, const char *gofield, gen_opts *o, int *present)
{
	static const char *const names[] = {
		"labels", "annotations", "disableNameSuffixHash", "immutable"
	};
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, n, what, NULL, gofield,
	                               "types.GeneratorOptions", &mm);
	if (rc < 0)
		return rc;
	*present = !kr_y11_is_null(n);
	for (uint32_t j = 0; j < mm.len; j++) {
		const kr_kmember *kv = &mm.items[j];
		int f = kr_kust_decode_member(ctx, k, kv, what, names, 4);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, names[f]);
		char *g = kr_arena_printf(&ctx->arena, "GeneratorOptions.%s.%s", gofield,
		                          names[f]);
		if (!w || !g)
			return kr_nomem(ctx);
		switch (f) {
		case 0:
			rc = kr_kust_decode_string_map(ctx, k, kv->value, w, g, &o->labels);
			break;
		case 1:
			rc = kr_kust_decode_string_map(ctx, k, kv->value, w, g, &o->annotations);
			break;
		case 2:
			rc = kr_kust_decode_bool(ctx, k, kv->value, w, g, &o->disable_hash);
			break;
		default:
			rc = kr_kust_decode_bool(ctx, k, kv->value, w, g, &o->immutable);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int decode_args(kr_ctx *ctx, const kr_kustomization *k, const kr_node *e,
                       const char *field, int secret, uint32_t idx, gen_args *a)
{
	static const char *const names[] = {
		"name", "namespace", "behavior", "literals", "files", "envs", "env",
		"options", "type"
	};
	const char *gotype = secret ? "types.SecretArgs" : "types.ConfigMapArgs";
	const char *gs = secret ? "SecretArgs" : "ConfigMapArgs";
	memset(a, 0, sizeof(*a));
	a->node = e;
	a->name = a->ns = a->behavior = a->type = a->env = "";
	char *what = kr_arena_printf(&ctx->arena, "%s[%u]", field, idx);
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!what || !gof)
		return kr_nomem(ctx);
	kr_kmembers mm;
	int rc = kr_kust_decode_struct(ctx, k, e, what, NULL, gof, gotype, &mm);
	if (rc < 0)
		return rc;
	for (uint32_t j = 0; j < mm.len; j++) {
		const kr_kmember *kv = &mm.items[j];
		int f = kr_kust_decode_member(ctx, k, kv, what, names, secret ? 9 : 8);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, names[f]);
		char *g = kr_arena_printf(&ctx->arena, "%s.%s.%s", gs, field, names[f]);
		if (!w || !g)
			return kr_nomem(ctx);
		switch (f) {
		case 0: rc = kr_kust_decode_string(ctx, k, kv->value, w, g, &a->name); break;
		case 1: rc = kr_kust_decode_string(ctx, k, kv->value, w, g, &a->ns); break;
		case 2: rc = kr_kust_decode_string(ctx, k, kv->value, w, g, &a->behavior); break;
		case 3: rc = decode_strings(ctx, k, kv->value, w, g, &a->literals, &a->nliterals); break;
		case 4: rc = decode_strings(ctx, k, kv->value, w, g, &a->files, &a->nfiles); break;
		case 5: rc = decode_strings(ctx, k, kv->value, w, g, &a->envs, &a->nenvs); break;
		case 6: rc = kr_kust_decode_string(ctx, k, kv->value, w, g, &a->env); break;
		case 7: {
			int present;
			rc = decode_opts(ctx, k, kv->value, w, g, &a->opts, &present);
			break;
		}
		default: rc = kr_kust_decode_string(ctx, k, kv->value, w, g, &a->type); break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- making the object ---------------------------------------------- */

static kr_node *str_node(kr_ctx *ctx, const char *s, size_t n)
{
	return kr_node_scalar(&ctx->arena, KR_TAG_STR, s, n);
}

static int set_str(kr_ctx *ctx, kr_node *map, const char *key, const char *s, size_t n)
{
	kr_node *v = str_node(ctx, s, n);
	if (!v || kr_map_set(&ctx->arena, map, key, v) < 0)
		return kr_nomem(ctx);
	return 0;
}

/* Set key=value in a mapping whose keys may hold NULs (compared by length). */
static int map_put(kr_ctx *ctx, kr_node *map, const char *key, size_t klen,
                   kr_node *val)
{
	kr_pair *p = kr_map_find(map, key, klen);
	if (p) {
		p->value = val;
		return 0;
	}
	kr_node *k = str_node(ctx, key, klen);
	if (!k || kr_map_append(&ctx->arena, map, k, val) < 0)
		return kr_nomem(ctx);
	return 0;
}

/* labels/annotations of the generator: generatorOptions' first, the
 * generator's own replacing them (MergeGlobalOptionsIntoLocal). */
static int put_strmaps(kr_ctx *ctx, kr_node *md, const char *key, const kr_strmap *g,
                       const kr_strmap *l)
{
	if (g->len + l->len == 0)
		return 0;
	kr_node *m = kr_node_map(&ctx->arena, 0);
	if (!m || kr_map_set(&ctx->arena, md, key, m) < 0)
		return kr_nomem(ctx);
	const kr_strmap *both[2] = { g, l };
	for (int b = 0; b < 2; b++)
		for (size_t i = 0; i < both[b]->len; i++) {
			const kr_strpair *p = &both[b]->items[i];
			kr_node *v = str_node(ctx, p->val, p->vlen);
			int rc;
			if (!v)
				return kr_nomem(ctx);
			if ((rc = map_put(ctx, m, p->key, p->klen, v)) < 0)
				return rc;
		}
	return 0;
}

static int gen_error(kr_ctx *ctx, const kr_kustomization *k, const gen_args *a,
                     const char *field)
{
	return kr_wrap(ctx, "%s:%u:%u: %s '%s'", k->file, a->node->line, a->node->col,
	               field, a->name);
}

static int load_source_file(kr_ctx *ctx, const kr_kustomization *k, const char *rel,
                            char **data, size_t *len)
{
	return kr_kust_read_file(ctx, k, NULL, rel, data, len, NULL);
}

static int load_pairs(kr_ctx *ctx, const kr_kustomization *k, const gen_args *a,
                      kr_gen_kvlist *l)
{
	int rc;
	size_t nenv = a->nenvs + (a->env[0] != '\0');
	for (size_t i = 0; i < nenv; i++) {
		const char *p = i < a->nenvs ? a->envs[i] : a->env;
		char *data;
		size_t len;
		char *display = kr_path_join(&ctx->arena, k->dir, p);
		if (!display)
			return kr_nomem(ctx);
		if ((rc = load_source_file(ctx, k, p, &data, &len)) < 0)
			return kr_wrap(ctx, "env source '%s'", p);
		if ((rc = kr_gen_parse_env(ctx, display, data, len, l)) < 0)
			return rc;
	}
	for (size_t i = 0; i < a->nliterals; i++) {
		kr_gen_kv kv;
		if ((rc = kr_gen_parse_literal(ctx, a->literals[i], &kv)) < 0 ||
		    (rc = kv_push(ctx, l, kv)) < 0)
			return rc;
	}
	for (size_t i = 0; i < a->nfiles; i++) {
		kr_gen_kv kv;
		const char *path;
		char *data;
		if ((rc = kr_gen_parse_file_source(ctx, a->files[i], &kv.key, &path)) < 0)
			return kr_wrap(ctx, "file source '%s'", a->files[i]);
		if ((rc = load_source_file(ctx, k, path, &data, &kv.vlen)) < 0)
			return kr_wrap(ctx, "file source '%s'", a->files[i]);
		kv.val = data;
		kv.klen = strlen(kv.key);
		if ((rc = kv_push(ctx, l, kv)) < 0)
			return rc;
	}
	/* kustomize writes the keys as untyped YAML and reads the object back
	 * through go-yaml v3: a key that reads as a number, a boolean or null
	 * makes a non-string map key, and kubectl fails ("json: unsupported
	 * type"; gen_err_numeric_key). */
	for (size_t i = 0; i < l->len; i++)
		if (kr_resolve_plain(l->items[i].key, l->items[i].klen) != KR_TAG_STR)
			return kr_fail(ctx, KR_EINVALID,
			               "generator %s: the key `%.*s` reads as a YAML %s, not a "
			               "string, when kustomize writes the object (kubectl "
			               "fails with \"json: unsupported type\")", a->name,
			               (int)l->items[i].klen, l->items[i].key,
			               kr_resolve_plain(l->items[i].key, l->items[i].klen) ==
			               KR_TAG_NULL ? "null"
			               : kr_resolve_plain(l->items[i].key, l->items[i].klen) ==
			               KR_TAG_BOOL ? "boolean" : "number");
	/* Repeated keys (makeValidatedDataMap; kustomize says "configmap"
	 * for Secrets too). */
	for (size_t i = 1; i < l->len; i++)
		for (size_t j = 0; j < i; j++)
			if (l->items[i].klen == l->items[j].klen &&
			    !memcmp(l->items[i].key, l->items[j].key, l->items[i].klen))
				return kr_fail(ctx, KR_EINVALID,
				               "configmap %s illegally repeats the key `%.*s`",
				               a->name, (int)l->items[i].klen, l->items[i].key);
	return 0;
}

static kr_node *make_object(kr_ctx *ctx, const kr_kustomization *k, const gen_args *a,
                            const gen_opts *g, int secret)
{
	kr_arena *ar = &ctx->arena;
	kr_gen_kvlist l = { 0 };
	if (!a->name[0]) {
		kr_fail(ctx, KR_EINVALID, "a configmap must have a name (kustomize says "
		        "\"configmap\" for Secrets too)");
		return NULL;
	}
	if (load_pairs(ctx, k, a, &l) < 0)
		return NULL;
	kr_node *doc = kr_node_map(ar, 8), *md = kr_node_map(ar, 4);
	if (!doc || !md || set_str(ctx, doc, "apiVersion", "v1", 2) < 0 ||
	    set_str(ctx, doc, "kind", secret ? "Secret" : "ConfigMap",
	            secret ? 6 : 9) < 0 ||
	    kr_map_set(ar, doc, "metadata", md) < 0 ||
	    set_str(ctx, md, "name", a->name, strlen(a->name)) < 0)
		goto nomem;
	if (a->ns[0] && set_str(ctx, md, "namespace", a->ns, strlen(a->ns)) < 0)
		goto nomem;
	if (secret && set_str(ctx, doc, "type", a->type[0] ? a->type : "Opaque",
	                      strlen(a->type[0] ? a->type : "Opaque")) < 0)
		goto nomem;
	kr_node *data = NULL, *bin = NULL;
	if (secret) {
		data = kr_node_map(ar, 0);
		if (!data || kr_map_set(ar, doc, "data", data) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < l.len; i++) {
		const kr_gen_kv *kv = &l.items[i];
		int text = !secret && kr_utf8_valid(kv->val, kv->vlen);
		const char *v = kv->val;
		size_t vn = kv->vlen;
		if (!text && !(v = kr_base64_lines(ar, kv->val, kv->vlen, &vn)))
			goto nomem;
		kr_node **target = (secret || text) ? &data : &bin;
		if (!*target) {
			*target = kr_node_map(ar, 0);
			if (!*target || kr_map_set(ar, doc, target == &data ? "data"
			                                   : "binaryData", *target) < 0)
				goto nomem;
		}
		kr_node *vnode = str_node(ctx, v, vn);
		if (!vnode || map_put(ctx, *target, kv->key, kv->klen, vnode) < 0)
			goto nomem;
	}
	static const kr_strmap none = { 0 };
	if (put_strmaps(ctx, md, "labels", g ? &g->labels : &none, &a->opts.labels) < 0 ||
	    put_strmaps(ctx, md, "annotations", g ? &g->annotations : &none,
	                &a->opts.annotations) < 0)
		goto nomem;
	if (a->opts.immutable || (g && g->immutable)) {
		kr_node *t = kr_node_scalar(ar, KR_TAG_BOOL, "true", 4);
		if (!t || kr_map_set(ar, doc, "immutable", t) < 0)
			goto nomem;
	}
	return doc;
nomem:
	kr_nomem(ctx);
	return NULL;
}

/* ---- adding it to the layer (kustomize's appendReplaceOrMerge) ---------- */

static int same_id(const kr_resid *a, const kr_resid *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->kind, b->kind) &&
	       !strcmp(a->group, b->group) && !strcmp(a->version, b->version) &&
	       !strcmp(kr_resid_effective_ns(a, 0), kr_resid_effective_ns(b, 0));
}

static const char *text_of(const kr_node *n)
{
	return n && n->type == KR_SCALAR && n->tag != KR_TAG_NULL ? n->u.s.str : "";
}

/* mergeStringMaps(old, new) into a fresh mapping of strings; NULL in
 * *out when empty. */
static int merge_maps(kr_ctx *ctx, const kr_node *old, const kr_node *neu, kr_node **out)
{
	*out = NULL;
	const kr_node *both[2] = { old, neu };
	for (int b = 0; b < 2; b++) {
		const kr_node *m = both[b];
		if (!m || m->type != KR_MAP)
			continue;
		for (uint32_t i = 0; i < m->u.m.len; i++) {
			const kr_pair *p = &m->u.m.items[i];
			const kr_node *v = p->value;
			const char *t = v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v->u.s.str : "";
			size_t tn = v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v->u.s.len : 0;
			kr_node *vn = str_node(ctx, t, tn);
			if (!vn)
				return kr_nomem(ctx);
			if (!*out && !(*out = kr_node_map(&ctx->arena, 0)))
				return kr_nomem(ctx);
			int rc = map_put(ctx, *out, p->key->u.s.str, p->key->u.s.len, vn);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int set_or_remove(kr_ctx *ctx, kr_node *map, const char *key, kr_node *v)
{
	if (!v || (v->type == KR_MAP && v->u.m.len == 0)) {
		kr_map_remove(map, key);
		return 0;
	}
	return kr_map_set(&ctx->arena, map, key, v) < 0 ? kr_nomem(ctx) : 0;
}

static int absorb(kr_ctx *ctx, kr_resmap *m, kr_node *doc, const char *behavior,
                  int needs_hash, const char *origin)
{
	kr_arena *ar = &ctx->arena;
	int rc;
	/* AddOriginAnnotation, before the generated object is absorbed */
	if ((rc = kr_origin_set_if_absent(ctx, doc, origin)) < 0)
		return rc;
	kr_resource *r = kr_resource_new(ar, doc);
	if (!r)
		return kr_nomem(ctx);
	r->needs_hash = needs_hash;
	r->generated = 1;
	int merge = !strcmp(behavior, "merge"), replace = !strcmp(behavior, "replace");
	size_t found = 0, idx = 0;
	for (size_t i = 0; i < m->len; i++) {
		const kr_resource *o = m->items[i];
		int match = same_id(&o->cur, &r->cur);
		for (uint32_t j = 0; !match && j < o->nprev; j++)
			match = same_id(&o->prev[j], &r->cur);
		if (match) {
			if (!found)
				idx = i;
			found++;
		}
	}
	char *id = kr_resid_string(ar, &r->cur);
	if (!id)
		return kr_nomem(ctx);
	if (found == 0) {
		if (merge || replace)
			return kr_fail(ctx, KR_EINVALID, "id %s does not exist; cannot merge "
			               "or replace (behavior '%s' needs an object of that id "
			               "from the resources)", id, behavior);
		return kr_resmap_append(ctx, m, r);
	}
	if (found > 1)
		return kr_fail(ctx, KR_EINVALID, "found multiple objects that could "
		               "accept merge of %s", id);
	if (!merge && !replace)
		return kr_fail(ctx, KR_EINVALID, "id %s exists; behavior must be merge "
		               "or replace", id);
	kr_resource *old = m->items[idx];
	kr_node *omd = kr_map_get(old->doc, "metadata");
	kr_node *md = kr_map_get(doc, "metadata");
	kr_node *v;
	kr_node *old_origin = kr_origin_get(old->doc);
	/* CopyMergeMetaDataFieldsFrom: labels and annotations merged (the
	 * old ones first), name and namespace the old object's; the
	 * needs-hash mark survives only when both have it. */
	if ((rc = merge_maps(ctx, kr_map_get(omd, "labels"), kr_map_get(md, "labels"), &v)) < 0 ||
	    (rc = set_or_remove(ctx, md, "labels", v)) < 0 ||
	    (rc = merge_maps(ctx, kr_map_get(omd, "annotations"),
	                     kr_map_get(md, "annotations"), &v)) < 0 ||
	    (rc = set_or_remove(ctx, md, "annotations", v)) < 0)
		return rc;
	const char *oname = text_of(kr_map_get(omd, "name"));
	const char *ons = text_of(kr_map_get(omd, "namespace"));
	if ((rc = set_str(ctx, md, "name", oname, strlen(oname))) < 0)
		return rc;
	if (ons[0]) {
		if ((rc = set_str(ctx, md, "namespace", ons, strlen(ons))) < 0)
			return rc;
	} else {
		kr_map_remove(md, "namespace");
	}
	if (merge) {
		if ((rc = merge_maps(ctx, kr_map_get(old->doc, "data"), kr_map_get(doc, "data"),
		                     &v)) < 0 ||
		    (rc = set_or_remove(ctx, doc, "data", v)) < 0 ||
		    (rc = merge_maps(ctx, kr_map_get(old->doc, "binaryData"),
		                     kr_map_get(doc, "binaryData"), &v)) < 0 ||
		    (rc = set_or_remove(ctx, doc, "binaryData", v)) < 0)
			return rc;
		/* a merge keeps the old object's origin */
		if (old_origin && (rc = kr_origin_put(ctx, doc, old_origin)) < 0)
			return rc;
	}
	kr_resource *nr = kr_resource_new(ar, doc);
	if (!nr)
		return kr_nomem(ctx);
	nr->needs_hash = needs_hash && old->needs_hash;
	nr->generated = 1;
	nr->orig = old->orig;
	nr->prev = old->prev;
	nr->nprev = old->nprev;
	nr->capprev = old->capprev;
	nr->prefixes = old->prefixes;
	nr->nprefixes = old->nprefixes;
	nr->suffixes = old->suffixes;
	nr->nsuffixes = old->nsuffixes;
	nr->refvars = old->refvars;   /* copyKustomizeSpecificFields */
	nr->nrefvars = old->nrefvars;
	m->items[idx] = nr;
	return kr_resmap_reindex(ctx, m);
}

int kr_generators_absorb(kr_ctx *ctx, kr_resmap *m, kr_node *doc, const char *behavior,
                         int needs_hash, const char *origin)
{
	return absorb(ctx, m, doc, behavior, needs_hash, origin);
}

/* ---- the generators of one kustomization ---------------------------- */

static int run_kind(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m, int secret,
                    const gen_opts *g, const char *origin)
{
	const char *field = secret ? "secretGenerator" : "configMapGenerator";
	const kr_node *seq;
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof)
		return kr_nomem(ctx);
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, field), field, NULL, gof,
	                             secret ? "[]types.SecretArgs" : "[]types.ConfigMapArgs",
	                             &seq);
	if (rc < 0 || !seq)
		return rc;
	gen_args *args = kr_arena_alloc(&ctx->arena, (seq->u.q.len + 1) * sizeof(*args));
	if (!args)
		return kr_nomem(ctx);
	/* The whole kustomization decodes before anything is generated. */
	for (uint32_t i = 0; i < seq->u.q.len; i++)
		if ((rc = decode_args(ctx, k, seq->u.q.items[i], field, secret, i, &args[i])) < 0)
			return rc;
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		const gen_args *a = &args[i];
		kr_node *doc = make_object(ctx, k, a, g, secret);
		if (!doc)
			return ctx->err_code == KR_ENOMEM ? KR_ENOMEM : gen_error(ctx, k, a, field);
		int hash = !(a->opts.disable_hash || (g && g->disable_hash));
		const char *o = origin;
		if (!o && (rc = kr_origin_builtin(ctx, k, secret ? "SecretGenerator"
		                                  : "ConfigMapGenerator", &o)) < 0)
			return rc;
		if ((rc = absorb(ctx, m, doc, a->behavior, hash, o)) < 0)
			return gen_error(ctx, k, a, field);
	}
	return 0;
}

int kr_generators_run(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m)
{
	return kr_generators_run_origin(ctx, k, m, NULL);
}

int kr_generators_run_origin(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m,
                             const char *origin)
{
	gen_opts g;
	int present = 0, rc;
	memset(&g, 0, sizeof(g));
	if ((rc = decode_opts(ctx, k, kr_map_get(k->doc, "generatorOptions"),
	                      "generatorOptions", "Kustomization.generatorOptions", &g,
	                      &present)) < 0)
		return rc;
	if ((rc = run_kind(ctx, k, m, 0, present ? &g : NULL, origin)) < 0 ||
	    (rc = run_kind(ctx, k, m, 1, present ? &g : NULL, origin)) < 0)
		return rc;
	return 0;
}

/* ---- hash suffixes (top level) ------------------------------------- */

int kr_generators_add_hashes(kr_ctx *ctx, kr_resmap *m)
{
	int any = 0;
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		if (!r->needs_hash)
			continue;
		char h[11];
		int rc = kr_hash_suffix(&ctx->arena, r->doc, h);
		if (rc == -1)
			return kr_nomem(ctx);
		if (rc < 0)
			return kr_fail(ctx, KR_EINVALID, "cannot compute the name hash of %s: "
			               "its data is not a mapping of strings",
			               kr_resid_string(&ctx->arena, &r->cur));
		if (kr_resource_store_previous_id(&ctx->arena, r) < 0)
			return kr_nomem(ctx);
		kr_node *md = kr_map_get(r->doc, "metadata");
		char *name = kr_arena_printf(&ctx->arena, "%s-%s", r->cur.name, h);
		if (!md || !name || set_str(ctx, md, "name", name, strlen(name)) < 0)
			return kr_nomem(ctx);
		if (kr_resource_refresh_id(&ctx->arena, r) < 0)
			return kr_nomem(ctx);
		any = 1;
	}
	return any ? kr_resmap_reindex(ctx, m) : 0;
}
