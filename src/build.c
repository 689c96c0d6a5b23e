/*
 * build.c - accumulating resources from a kustomization tree (see build.h).
 *
 * A kustomization's `resources` entries are tried as a file first, then as
 * a directory holding another kustomization, which is built fully (its own
 * resources, and later its generators and transformers) before its result
 * is merged into the parent, as kustomize's KustTarget does.
 *
 * Load restrictions (kustomize's fileloader): under the default
 * LoadRestrictionsRootOnly a file must resolve (after symlinks) to a place
 * inside the kustomization's root; directories may be anywhere, but a
 * directory that contains (or is) a root already being built is a cycle.
 */
#include "build.h"

#include <errno.h>
#include <string.h>

#include "configurations.h"
#include "fsutil.h"
#include "generators.h"
#include "kustomization.h"
#include "nameref.h"
#include "sort.h"
#include "tconfig.h"
#include "transformers.h"
#include "parse.h"

/* The chain of kustomization roots being built, innermost first, for
 * cycle detection. */
typedef struct root_chain {
	const char *root;
	const struct root_chain *parent;
	unsigned depth;
} root_chain;

static int build_dir(kr_ctx *ctx, const char *dir, const char *root,
                     const root_chain *parent, kr_resmap *out, kr_tconfig *tc,
                     kr_kustomization *k);

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
 * timestamp; a non-scalar value becomes "") and drops an empty
 * `annotations: {}`.  Conformance case TestBasicIO_1,
 * load_annotation_timestamp. */
int kr_normalise_annotations(kr_ctx *ctx, kr_node *doc)
{
	kr_node *md = kr_map_get(doc, "metadata");
	if (!md || md->type != KR_MAP)
		return 0;
	kr_node *ann = kr_map_get(md, "annotations");
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

int kr_load_resource_file(kr_ctx *ctx, const char *path, const char *display,
                          kr_resmap *m)
{
	char *data;
	size_t len;
	int rc;
	if ((rc = kr_read_file(ctx, path, display, &data, &len)) < 0)
		return rc;
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
		kr_resource *r = kr_resource_new(&ctx->arena, doc);
		if (!r)
			return kr_nomem(ctx);
		if ((rc = kr_resmap_append(ctx, m, r)) < 0)
			return kr_wrap(ctx, "%s", display);
	}
	return 0;
}

static int accumulate_entry(kr_ctx *ctx, const kr_kustomization *k,
                            const root_chain *chain, const kr_node *entry,
                            kr_resmap *out, kr_tconfig *tc)
{
	kr_arena *a = &ctx->arena;
	const char *rel = entry->u.s.str;
	int rc;
	if (rel[0] == '\0')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "empty path in resources");
	char *abs = kr_path_join(a, k->root, rel);
	char *display = kr_path_join(a, k->dir, rel);
	if (!abs || !display)
		return kr_nomem(ctx);
	int type = kr_path_type(abs);
	if (type == 0) {
		if (kr_path_looks_remote(rel))
			return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
			                  "remote resource '%s' is not supported by this "
			                  "version of krender yet", rel);
		return kr_fail_at(ctx, KR_ENOTFOUND, k->file, entry->line, entry->col,
		                  "resource '%s' not found: %s: %s", rel, display,
		                  strerror(errno));
	}
	if (type == 'f') {
		char *real = kr_realpath(a, abs);
		if (!real)
			return errno == ENOMEM ? kr_nomem(ctx)
			       : kr_fail(ctx, KR_EIO, "%s: %s", display, strerror(errno));
		if (ctx->opts.load_restrictor == KR_LOAD_ROOT_ONLY &&
		    !kr_path_has_prefix(real, k->root))
			return kr_fail_at(ctx, KR_ERESTRICT, k->file, entry->line, entry->col,
			                  "security; file '%s' is not in or below '%s' "
			                  "(the load restrictor LoadRestrictionsRootOnly "
			                  "refuses it; see --load-restrictor)",
			                  display, k->dir);
		if ((rc = kr_load_resource_file(ctx, real, display, out)) < 0)
			return kr_wrap(ctx, "accumulating resources from '%s'", rel);
		return 0;
	}
	if (type != 'd')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "resource '%s' is neither a file nor a directory", rel);
	if (rel[0] == '/')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "new root '%s' cannot be absolute", rel);
	char *real = kr_realpath(a, abs);
	if (!real)
		return errno == ENOMEM ? kr_nomem(ctx)
		       : kr_fail(ctx, KR_EIO, "%s: %s", display, strerror(errno));
	for (const root_chain *c = chain; c; c = c->parent)
		if (kr_path_has_prefix(c->root, real))
			return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
			                  "cycle detected: '%s' contains the kustomization "
			                  "root '%s' that is being built", display,
			                  c == chain ? k->dir : c->root);
	if (chain->depth + 1 > ctx->opts.max_kustomization_depth)
		return kr_fail_at(ctx, KR_ELIMIT, k->file, entry->line, entry->col,
		                  "kustomizations nested deeper than the limit of %u",
		                  ctx->opts.max_kustomization_depth);
	kr_resmap sub = { 0 };
	kr_tconfig subtc;
	kr_kustomization subk;
	if ((rc = build_dir(ctx, display, real, chain, &sub, &subtc, &subk)) < 0)
		return kr_wrap(ctx, "accumulating resources from '%s'", rel);
	if ((rc = kr_resmap_append_all(ctx, out, &sub)) < 0)
		return kr_wrap(ctx, "merging resources from '%s'", rel);
	/* The sub-kustomization's configuration joins ours (kustomize's
	 * ResAccumulator.MergeAccumulator). */
	if ((rc = kr_tconfig_accumulate(ctx, tc, &subtc)) < 0)
		return kr_wrap(ctx, "merging the configuration of '%s'", rel);
	return 0;
}

/* Refresh every resource's current id and the index after a transformer
 * (names, namespaces or kinds may have changed). */
static int refresh_ids(kr_ctx *ctx, kr_resmap *m)
{
	for (size_t i = 0; i < m->len; i++)
		if (kr_resource_refresh_id(&ctx->arena, m->items[i]) < 0)
			return kr_nomem(ctx);
	return kr_resmap_reindex(ctx, m);
}

static int run_transformers(kr_ctx *ctx, const kr_kustomization *k,
                            kr_tconfig *tc, kr_resmap *m)
{
	kr_layer layer = { k, tc, m };
	for (const kr_transformer *t = kr_transformers; t->name; t++) {
		int rc = t->fn(ctx, &layer);
		if (rc < 0)
			return kr_wrap(ctx, "%s transformer", t->name);
		if ((rc = refresh_ids(ctx, m)) < 0)
			return rc;
	}
	return 0;
}

static int build_dir(kr_ctx *ctx, const char *dir, const char *root,
                     const root_chain *parent, kr_resmap *out, kr_tconfig *tc,
                     kr_kustomization *kp)
{
	kr_kustomization k;
	int rc;
	root_chain chain = { root, parent, parent ? parent->depth + 1 : 0 };
	if ((rc = kr_kustomization_load(ctx, dir, root, &k)) < 0)
		return rc;
	if (parent && !strcmp(k.kind, "Component"))
		return kr_fail(ctx, KR_EINVALID,
		               "%s: a Component cannot be listed in resources "
		               "(kustomize: expected kind != 'Component' for path '%s')",
		               k.file, dir);
	/* kustomize's accumulator starts with an empty configuration: the
	 * sub-kustomizations' configurations merge into it, then (after the
	 * resources) the builtin one with `configurations:`, then `crds:`
	 * (configurations.h; the order matters, tr_configurations_*). */
	memset(tc, 0, sizeof(*tc));
	if (k.resources)
		for (uint32_t i = 0; i < k.resources->u.q.len; i++)
			if ((rc = accumulate_entry(ctx, &k, &chain,
			                           k.resources->u.q.items[i], out, tc)) < 0)
				return rc;
	if ((rc = kr_tconfig_load_user(ctx, &k, tc)) < 0)
		return rc;
	/* kustomize's runGenerators: ConfigMaps, then Secrets. */
	if ((rc = kr_generators_run(ctx, &k, out)) < 0 ||
	    (rc = refresh_ids(ctx, out)) < 0)
		return rc;
	if ((rc = run_transformers(ctx, &k, tc, out)) < 0)
		return rc;
	*kp = k;
	return 0;
}

/* kustomize's IgnoreLocal checks every object's kind and name first
 * (GetValidatedMetadata): a transformer (a replacement, a patch) may have
 * taken them away. */
static int validate_meta(kr_ctx *ctx, const kr_resource *r)
{
	const kr_node *doc = r->doc;
	const char *kind = scalar_text(kr_map_get(doc, "kind"));
	const char *name = scalar_text(kr_map_get(kr_map_get(doc, "metadata"), "name"));
	if (kind[0] && (name[0] || has_suffix(kind, "List")))
		return 0;
	char *id = kr_resid_string(&ctx->arena, &r->orig);
	if (!id)
		return kr_nomem(ctx);
	return kr_fail_at(ctx, KR_EINVALID, doc->file ? doc->file : "?", doc->line,
	                  doc->col, "the object loaded as %s has no %s after its "
	                  "transformers (kubectl: missing %s in object)", id,
	                  kind[0] ? "metadata.name" : "kind",
	                  kind[0] ? "metadata.name" : "kind");
}

/* kustomize's IgnoreLocal: objects annotated
 * config.kubernetes.io/local-config (with any value but "false") are not
 * part of the output. */
static int drop_local_config(kr_ctx *ctx, kr_resmap *m)
{
	size_t w = 0;
	for (size_t i = 0; i < m->len; i++) {
		int rc = validate_meta(ctx, m->items[i]);
		if (rc < 0)
			return rc;
		kr_node *ann = kr_map_get(kr_map_get(m->items[i]->doc, "metadata"),
		                          "annotations");
		kr_node *v = kr_map_get(ann, "config.kubernetes.io/local-config");
		if (v && !(v->type == KR_SCALAR && !strcmp(v->u.s.str, "false")))
			continue;
		m->items[w++] = m->items[i];
	}
	if (w == m->len)
		return 0;
	m->len = w;
	return kr_resmap_reindex(ctx, m);
}

int kr_build_resources(struct kr_build *b, const char *dir)
{
	kr_ctx *ctx = &b->ctx;
	int type = kr_path_type(dir);
	if (type != 'd')
		return kr_fail(ctx, KR_ENOTFOUND, "'%s' is not a directory%s%s", dir,
		               type ? "" : ": ", type ? "" : strerror(errno));
	char *root = kr_realpath(&ctx->arena, dir);
	char *display = kr_path_clean(&ctx->arena, dir);
	if (!root || !display)
		return errno == ENOMEM || !display ? kr_nomem(ctx)
		       : kr_fail(ctx, KR_EIO, "%s: %s", dir, strerror(errno));
	kr_tconfig tc;
	kr_kustomization k;
	int rc = build_dir(ctx, display, root, NULL, &b->result, &tc, &k);
	if (rc < 0)
		return rc;
	/* Top level only, in kustomize's order (makeCustomizedResMap, then
	 * applySortOrder): name references, local-config objects dropped,
	 * sort; before them, the hash suffixes of generated objects
	 * (addHashesToNames). */
	if ((rc = kr_generators_add_hashes(ctx, &b->result)) < 0 ||
	    (rc = kr_nameref_fix(ctx, &b->result, &tc)) < 0 ||
	    (rc = drop_local_config(ctx, &b->result)) < 0)
		return rc;
	int fifo;
	kr_node *first, *last;
	if ((rc = kr_sort_options_parse(ctx, &k, &fifo, &first, &last)) < 0)
		return rc;
	if (!fifo && (rc = kr_sort_legacy(ctx, &b->result, first, last)) < 0)
		return rc;
	return 0;
}
