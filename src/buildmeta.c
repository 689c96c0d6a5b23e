/*
 * buildmeta.c - origin and transformer annotations, managed-by label
 * (see buildmeta.h).
 *
 * Origins are kept as the annotation texts kustomize writes (kyaml's
 * Marshal of a resource.Origin: path, configuredIn, configuredBy with
 * apiVersion, kind, name, namespace, empty fields left out), so that
 * transformers, patches and generator merges see and carry them exactly as
 * in kustomize.  A list of transformations is the concatenation of its
 * items, each an origin text with "- " before its first line and two
 * spaces before the others.
 */
#include "buildmeta.h"
#include "transformers.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "kdecode.h"

enum { BM_ORIGIN = 1, BM_TRANSFORMER = 2, BM_MANAGED_BY = 4 };

int kr_buildmeta_init(kr_ctx *ctx, const kr_kustomization *top)
{
	const kr_node *seq;
	int rc = kr_kust_decode_list(ctx, top, kr_map_get(top->doc, "buildMetadata"),
	                             "buildMetadata", "a list of strings",
	                             "Kustomization.buildMetadata", "[]string", &seq);
	if (rc < 0 || !seq)
		return rc;
	unsigned flags = 0;
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		const char *s = "";
		char *what = kr_arena_printf(&ctx->arena, "buildMetadata[%u]", i);
		if (!what)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_string(ctx, top, seq->u.q.items[i], what,
		                                "Kustomization.buildMetadata", &s)) < 0)
			return rc;
		/* kustomize accepts any string; only these three mean something */
		if (!strcmp(s, "originAnnotations"))
			flags |= BM_ORIGIN;
		else if (!strcmp(s, "transformerAnnotations"))
			flags |= BM_TRANSFORMER;
		else if (!strcmp(s, "managedByLabel"))
			flags |= BM_MANAGED_BY;
	}
	ctx->build_metadata = flags;
	if (seq->u.q.len > 0)
		ctx->origin_path = "";
	return 0;
}

/* ---- origin texts ---------------------------------------------------- */

/* How go-yaml v3 (kyaml.Marshal) prints a string in block context: plain
 * when that reads back as the same string; double-quoted when the plain
 * text would read as another type ("123", "true") or holds control
 * characters; single-quoted otherwise (leading indicator, ": ", " #",
 * surrounding spaces).  An approximation of its analyze_scalar that covers
 * file names (tests/test_plugins.c). */
static int quote_style(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return '"';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return '"';
	if (kr_resolve_plain(s, n) != KR_TAG_STR)
		return '"';
	if (strchr("?:,[]{}#&*!|>'\"%@`", s[0]) ||
	    (s[0] == '-' && (n == 1 || s[1] == ' ')) ||
	    s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':' ||
	    strstr(s, ": ") || strstr(s, " #"))
		return '\'';
	return 0;
}

static void put_scalar(kr_buf *b, const char *s)
{
	int q = quote_style(s);
	if (!q) {
		kr_buf_put(b, s, strlen(s));
		return;
	}
	if (q == '\'') {
		kr_buf_put(b, "'", 1);
		for (const char *p = s; *p; p++) {
			kr_buf_put(b, p, 1);
			if (*p == '\'')
				kr_buf_put(b, "'", 1);
		}
		kr_buf_put(b, "'", 1);
		return;
	}
	kr_buf_put(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		char esc[8];
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			kr_buf_put(b, esc, 2);
		} else if (c == '\n') {
			kr_buf_put(b, "\\n", 2);
		} else if (c == '\t') {
			kr_buf_put(b, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			kr_buf_put(b, esc, 4);
		} else {
			kr_buf_put(b, p, 1);
		}
	}
	kr_buf_put(b, "\"", 1);
}

static void put_field(kr_buf *b, const char *indent, const char *key, const char *v)
{
	if (!v || !v[0])
		return;
	kr_buf_put(b, indent, strlen(indent));
	kr_buf_put(b, key, strlen(key));
	kr_buf_put(b, ": ", 2);
	put_scalar(b, v);
	kr_buf_put(b, "\n", 1);
}

/* Move a buffer's text into the arena. */
static int buf_to_arena(kr_ctx *ctx, kr_buf *b, const char **out)
{
	size_t len;
	int failed = b->failed;
	char *heap = kr_buf_detach(b, &len);
	char *s = failed ? NULL : kr_arena_strndup(&ctx->arena, heap ? heap : "",
	                                           heap ? len : 0);
	free(heap);
	if (!s)
		return kr_nomem(ctx);
	*out = s;
	return 0;
}

/* The text of an origin; `path` or `in` + `by_*`. */
static int origin_text(kr_ctx *ctx, const char *path, const char *in,
                       const char *api, const char *kind, const char *name,
                       const char *ns, const char **out)
{
	kr_buf b = { 0 };
	put_field(&b, "", "path", path);
	put_field(&b, "", "configuredIn", in);
	if ((api && api[0]) || (kind && kind[0]) || (name && name[0]) || (ns && ns[0])) {
		kr_buf_put(&b, "configuredBy:\n", 14);
		put_field(&b, "  ", "apiVersion", api);
		put_field(&b, "  ", "kind", kind);
		put_field(&b, "  ", "name", name);
		put_field(&b, "  ", "namespace", ns);
	}
	return buf_to_arena(ctx, &b, out);
}

/* ---- annotations ----------------------------------------------------- */


kr_node *kr_origin_get(const kr_node *doc)
{
	kr_node *ann = kr_doc_annotations(NULL, (kr_node *)doc, 0);
	return ann ? kr_map_get(ann, KR_ORIGIN_ANNOTATION) : NULL;
}

int kr_origin_put(kr_ctx *ctx, kr_node *doc, kr_node *origin)
{
	if (!origin) {
		kr_node *ann = kr_doc_annotations(ctx, doc, 0);
		if (ann)
			kr_map_remove(ann, KR_ORIGIN_ANNOTATION);
		return 0;
	}
	kr_node *ann = kr_doc_annotations(ctx, doc, 1);
	if (!ann)
		return kr_map_get(doc, "metadata") ? kr_nomem(ctx) : 0;
	return kr_map_set(&ctx->arena, ann, KR_ORIGIN_ANNOTATION, origin) < 0
	       ? kr_nomem(ctx) : 0;
}

int kr_origin_annotate_file(kr_ctx *ctx, kr_resmap *m, size_t from, const char *rel)
{
	if (!ctx->origin_path)
		return 0;
	char *path = kr_path_join(&ctx->arena, ctx->origin_path, rel);
	const char *text = NULL;
	int rc;
	if (!path)
		return kr_nomem(ctx);
	if ((rc = origin_text(ctx, path, NULL, NULL, NULL, NULL, NULL, &text)) < 0)
		return rc;
	for (size_t i = from; i < m->len; i++)
		if ((rc = kr_doc_set_annotation(ctx, m->items[i]->doc, KR_ORIGIN_ANNOTATION, text)) < 0)
			return rc;
	return 0;
}

int kr_origin_enter(kr_ctx *ctx, const char *rel, const char **saved)
{
	*saved = ctx->origin_path;
	if (!ctx->origin_path)
		return 0;
	char *p = kr_path_join(&ctx->arena, ctx->origin_path, rel);
	if (!p)
		return kr_nomem(ctx);
	ctx->origin_path = p;
	return 0;
}

void kr_origin_leave(kr_ctx *ctx, const char *saved)
{
	ctx->origin_path = saved;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int kr_origin_builtin(kr_ctx *ctx, const kr_kustomization *k, const char *kind,
                      const char **out)
{
	*out = NULL;
	if (!ctx->origin_path)
		return 0;
	char *in = kr_path_join(&ctx->arena, ctx->origin_path, base_name(k->file));
	if (!in)
		return kr_nomem(ctx);
	return origin_text(ctx, NULL, in, "builtin", kind, NULL, NULL, out);
}

/* The `path` of an origin text (the first line "path: ..."), or NULL in
 * *out; an error only when out of memory (not "no path": that would give
 * wrong output). */
static int origin_path_of(kr_ctx *ctx, const kr_node *origin, const char **out)
{
	*out = NULL;
	if (!origin || origin->type != KR_SCALAR || strncmp(origin->u.s.str, "path: ", 6))
		return 0;
	const char *p = origin->u.s.str + 6;
	const char *nl = strchr(p, '\n');
	size_t n = nl ? (size_t)(nl - p) : strlen(p);
	if (n >= 2 && (p[0] == '\'' || p[0] == '"'))
		return 0;   /* quoted: not from krender's texts */
	if (!(*out = kr_arena_strndup(&ctx->arena, p, n)))
		return kr_nomem(ctx);
	return 0;
}

int kr_origin_of_config(kr_ctx *ctx, const kr_resource *cfg, const char **out)
{
	*out = NULL;
	kr_node *o = kr_origin_get(cfg->doc);
	if (!o)
		return 0;
	const char *path;
	int rc = origin_path_of(ctx, o, &path);
	if (rc < 0)
		return rc;
	const char *api = kr_node_get_str(cfg->doc, "apiVersion", NULL);
	const char *kind = kr_node_get_str(cfg->doc, "kind", NULL);
	const char *name = kr_node_get_str(cfg->doc, "metadata", "name", NULL);
	const char *ns = kr_node_get_str(cfg->doc, "metadata", "namespace", NULL);
	return origin_text(ctx, NULL, path ? path : "", api, kind, name, ns, out);
}

int kr_origin_set_if_absent(kr_ctx *ctx, kr_node *doc, const char *origin)
{
	if (!origin || kr_origin_get(doc))
		return 0;
	return kr_doc_set_annotation(ctx, doc, KR_ORIGIN_ANNOTATION, origin);
}

/* One list item of the transformations annotation. */
static int as_item(kr_ctx *ctx, const char *origin, const char **out)
{
	kr_buf b = { 0 };
	int first = 1;
	for (const char *p = origin; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		kr_buf_put(&b, first ? "- " : "  ", 2);
		kr_buf_put(&b, p, n);
		p += n;
		first = 0;
	}
	return buf_to_arena(ctx, &b, out);
}

int kr_origin_transformed(kr_ctx *ctx, kr_resmap *m, const char *origin,
                          unsigned times)
{
	if (!origin || !times)
		return 0;
	const char *item = NULL;
	int rc;
	if ((rc = as_item(ctx, origin, &item)) < 0)
		return rc;
	size_t ilen = strlen(item);
	for (size_t i = 0; i < m->len; i++) {
		kr_node *doc = m->items[i]->doc;
		for (unsigned t = 0; t < times; t++) {
			if (!kr_origin_get(doc)) {
				/* an object without an origin was made by this
				 * transformer, as kustomize sees it */
				if ((rc = kr_doc_set_annotation(ctx, doc, KR_ORIGIN_ANNOTATION, origin)) < 0)
					return rc;
				continue;
			}
			kr_node *ann = kr_doc_annotations(ctx, doc, 0);
			kr_node *old = ann ? kr_map_get(ann, KR_TRANSFORMATIONS_ANNOTATION) : NULL;
			const char *prev = old && old->type == KR_SCALAR ? old->u.s.str : "";
			size_t plen = old && old->type == KR_SCALAR ? old->u.s.len : 0;
			char *text = kr_arena_alloc(&ctx->arena, plen + ilen + 1);
			if (!text)
				return kr_nomem(ctx);
			memcpy(text, prev, plen);
			memcpy(text + plen, item, ilen + 1);
			if ((rc = kr_doc_set_annotation(ctx, doc, KR_TRANSFORMATIONS_ANNOTATION, text)) < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- builtin transformer instances ------------------------------------ */

static unsigned seq_len(const kr_kustomization *k, const char *field)
{
	const kr_node *n = kr_map_get(k->doc, field);
	return n && n->type == KR_SEQ ? n->u.q.len : 0;
}

static int nonempty(const kr_kustomization *k, const char *field)
{
	const kr_node *n = kr_map_get(k->doc, field);
	if (!n)
		return 0;
	if (n->type == KR_SCALAR)
		return n->tag != KR_TAG_NULL && n->u.s.len > 0;
	return n->type == KR_MAP ? n->u.m.len > 0 : n->u.q.len > 0;
}

int kr_buildmeta_builtin_ran(kr_ctx *ctx, const kr_kustomization *k,
                             const char *name, kr_resmap *m)
{
	static const struct {
		const char *name, *kind;
	} kinds[] = {
		{ "patchesStrategicMerge", "PatchStrategicMergeTransformer" },
		{ "patches", "PatchTransformer" },
		{ "namespace", "NamespaceTransformer" },
		{ "prefix", "PrefixTransformer" },
		{ "suffix", "SuffixTransformer" },
		{ "labels", "LabelTransformer" },
		{ "annotations", "AnnotationsTransformer" },
		{ "patchesJson6902", "PatchJson6902Transformer" },
		{ "replicas", "ReplicaCountTransformer" },
		{ "images", "ImageTagTransformer" },
		{ "replacements", "ReplacementTransformer" },
		{ NULL, NULL }
	};
	if (!ctx->origin_path)
		return 0;
	const char *kind = NULL;
	for (size_t i = 0; kinds[i].name; i++)
		if (!strcmp(kinds[i].name, name))
			kind = kinds[i].kind;
	if (!kind)
		return 0;
	/* how many plugin instances kusttarget_configplugin.go makes */
	unsigned n = 0;
	if (!strcmp(name, "patchesStrategicMerge"))
		n = seq_len(k, name) > 0;
	else if (!strcmp(name, "patches") || !strcmp(name, "patchesJson6902") ||
	         !strcmp(name, "replicas"))
		n = seq_len(k, name);
	else if (!strcmp(name, "namespace"))
		n = nonempty(k, "namespace");
	else if (!strcmp(name, "prefix"))
		n = nonempty(k, "namePrefix");
	else if (!strcmp(name, "suffix"))
		n = nonempty(k, "nameSuffix");
	else if (!strcmp(name, "labels"))
		n = (seq_len(k, "labels") || nonempty(k, "commonLabels"))
		    ? seq_len(k, "labels") + 1 : 0;
	else if (!strcmp(name, "annotations"))
		n = nonempty(k, "commonAnnotations");
	else if (!strcmp(name, "images"))
		n = seq_len(k, "images") + seq_len(k, "imageTags");
	else if (!strcmp(name, "replacements"))
		n = seq_len(k, "replacements") > 0;
	const char *origin;
	int rc = kr_origin_builtin(ctx, k, kind, &origin);
	if (rc < 0)
		return rc;
	return kr_origin_transformed(ctx, m, origin, n);
}

/* ---- the end --------------------------------------------------------- */

static int set_managed_by(kr_ctx *ctx, kr_node *doc)
{
	kr_node *md = kr_map_get(doc, "metadata");
	if (!md || md->type != KR_MAP)
		return 0;
	kr_node *labels = kr_map_get(md, "labels");
	if (!labels || labels->type != KR_MAP) {
		labels = kr_node_map(&ctx->arena, 1);
		if (!labels || kr_map_set(&ctx->arena, md, "labels", labels) < 0)
			return kr_nomem(ctx);
	}
	kr_node *v = kr_node_str(&ctx->arena, KR_MANAGED_BY_VALUE);
	if (!v || kr_map_set(&ctx->arena, labels, "app.kubernetes.io/managed-by", v) < 0)
		return kr_nomem(ctx);
	return 0;
}

int kr_buildmeta_finish(kr_ctx *ctx, kr_resmap *m)
{
	unsigned f = ctx->build_metadata;
	int rc;
	for (size_t i = 0; i < m->len; i++) {
		kr_node *doc = m->items[i]->doc;
		if ((f & BM_MANAGED_BY) && (rc = set_managed_by(ctx, doc)) < 0)
			return rc;
		kr_node *md = kr_map_get(doc, "metadata");
		kr_node *ann = kr_doc_annotations(ctx, doc, 0);
		if (!ann)
			continue;
		if (!(f & BM_ORIGIN))
			kr_map_remove(ann, KR_ORIGIN_ANNOTATION);
		if (!(f & BM_TRANSFORMER))
			kr_map_remove(ann, KR_TRANSFORMATIONS_ANNOTATION);
		/* kustomize's Remove*Annotations rewrite the annotations with
		 * SetAnnotations, which drops an empty map */
		if ((f & (BM_ORIGIN | BM_TRANSFORMER)) != (BM_ORIGIN | BM_TRANSFORMER) &&
		    ann->u.m.len == 0)
			kr_map_remove(md, "annotations");
	}
	return 0;
}
