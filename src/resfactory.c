/*
 * resfactory.c - objects from YAML text (see resfactory.h).
 */
#include "resfactory.h"

#include <string.h>

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int is_empty_node(const kr_node *n)
{
	return n->type == KR_SCALAR ? n->tag == KR_TAG_NULL || n->u.s.len == 0
	                            : (n->type == KR_MAP ? n->u.m.len == 0 : n->u.q.len == 0);
}

static const char *scalar_text(const kr_node *n)
{
	if (!n || n->type != KR_SCALAR || n->tag == KR_TAG_NULL)
		return "";
	return n->u.s.str;
}

/* kustomize reads resource files through kyaml's ByteReader, which sets
 * and clears an index annotation on every object; that rewrites all
 * annotation values as strings holding their source text (`port: 8080`
 * -> "8080", `a: null` -> "null", `d: 2024-01-02` stays that text, not a
 * timestamp (load_annotation_timestamp); a non-scalar value becomes "") and drops
 * an empty or null `annotations`.  Conformance case TestBasicIO_1. */
int kr_normalise_annotations(kr_ctx *ctx, kr_node *doc)
{
	kr_node *md = kr_map_get(doc, "metadata");
	if (!md || md->type != KR_MAP)
		return 0;
	kr_node *ann = kr_map_get(md, "annotations");
	if (ann && ann->type == KR_SCALAR && ann->tag == KR_TAG_NULL) {
		/* `annotations:` / `annotations: null` goes the same way as an
		 * empty map (realworld argo-cd redis-ha Services) */
		kr_map_remove(md, "annotations");
		return 0;
	}
	if (!ann || ann->type != KR_MAP)
		return 0;
	if (ann->u.m.len == 0) {
		kr_map_remove(md, "annotations");
		return 0;
	}
	for (uint32_t i = 0; i < ann->u.m.len; i++) {
		kr_node *v = ann->u.m.items[i].value;
		if (v->type == KR_SCALAR) {
			if (v->tag == KR_TAG_STR && v->style == KR_STYLE_PLAIN) {
				v->flags |= KR_NODE_TAGGED; /* never a timestamp */
			} else if (v->tag != KR_TAG_STR) {
				kr_node *c = kr_arena_alloc(&ctx->arena, sizeof(*c));
				if (!c)
					return kr_nomem(ctx);
				*c = *v;
				c->tag = KR_TAG_STR;
				c->flags |= KR_NODE_TAGGED;
				ann->u.m.items[i].value = c;
			}
		} else {
			kr_node *e = kr_node_scalar(&ctx->arena, KR_TAG_STR, "", 0);
			if (!e)
				return kr_nomem(ctx);
			e->file = v->file;
			e->line = v->line;
			e->col = v->col;
			ann->u.m.items[i].value = e;
		}
	}
	return 0;
}

int kr_resource_docs_from_bytes(kr_ctx *ctx, const char *display, const char *data,
                                size_t len, kr_doclist *out)
{
	int rc;
	kr_doclist docs = { 0 };
	if ((rc = kr_yaml_parse_resources(ctx, display, data, len, &docs)) < 0)
		return rc;
	/* kustomize's inlineAnyEmbeddedLists: the items of a *List are queued
	 * behind the remaining documents, so they come after them. */
	for (size_t i = 0; i < docs.len; i++) {
		kr_node *doc = docs.docs[i];
		if (is_empty_node(doc))
			continue;
		if (doc->type != KR_MAP)
			return kr_fail_at(ctx, KR_EINVALID, display, doc->line, doc->col,
			                  "a resource must be a mapping, found a %s",
			                  doc->type == KR_SEQ ? "sequence" : "scalar");
		const char *kind = scalar_text(kr_map_get(doc, "kind"));
		if (!kind[0])
			return kr_fail_at(ctx, KR_EINVALID, display, doc->line, doc->col,
			                  "missing kind in object");
		if (has_suffix(kind, "List")) {
			kr_pair *items = kr_map_find(doc, "items", 5);
			if (items) {
				kr_node *it = items->value;
				if (it->type == KR_SCALAR && it->tag == KR_TAG_NULL)
					continue;
				if (it->type != KR_SEQ)
					return kr_fail_at(ctx, KR_EINVALID, display, it->line,
					                  it->col, "expected array in %s/items",
					                  kind);
				for (uint32_t j = 0; j < it->u.q.len; j++)
					if (kr_doclist_push(&ctx->arena, &docs, it->u.q.items[j]) < 0)
						return kr_nomem(ctx);
				continue;
			}
			/* A list without items is kept as it is (no name needed). */
		} else {
			const char *name = scalar_text(kr_map_get(kr_map_get(doc, "metadata"),
			                                          "name"));
			if (!name[0])
				return kr_fail_at(ctx, KR_EINVALID, display, doc->line, doc->col,
				                  "missing metadata.name in object of kind %s",
				                  kind);
		}
		if ((rc = kr_normalise_annotations(ctx, doc)) < 0)
			return rc;
		if (kr_doclist_push(&ctx->arena, out, doc) < 0)
			return kr_nomem(ctx);
	}
	return 0;
}

