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
 *
 * kr_accumulate_target is one kustomization's part of the work; it runs on
 * a fresh accumulator for a kustomization and on its parent's for a
 * component (components.c).
 */
#include "build.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "basecache.h"
#include "buildmeta.h"
#include "components.h"
#include "configurations.h"
#include "fsutil.h"
#include "generators.h"
#include "helm.h"
#include "httpfile.h"
#include "kustomization.h"
#include "nameref.h"
#include "sort.h"
#include "tconfig.h"
#include "transformers.h"
#include "vars.h"
#include "parse.h"
#include "patch_smp.h"
#include "plugins.h"
#include "prefetch.h"
#include "remote.h"
#include "resfactory.h"

static int build_dir(kr_ctx *ctx, const char *dir, const char *root,
                     const kr_root_chain *parent, kr_resmap *out, kr_tconfig *tc,
                     kr_varset *vs, kr_kustomization *k);

static int check_file_size(kr_ctx *ctx, const char *display, size_t len)
{
	if (len > ctx->opts.max_file_size)
		return kr_fail(ctx, KR_ELIMIT, "%s: the stream has %zu bytes, more than "
		               "the limit of %zu bytes per file (raise it with "
		               "--max-file-size)", display, len, ctx->opts.max_file_size);
	return 0;
}

/* The documents of one stream, made resources and appended to m. */
static int append_docs(kr_ctx *ctx, const char *display, const kr_doclist *docs0,
                       kr_resmap *m)
{
	int rc;
	const kr_doclist docs = *docs0;
	if (docs.len > ctx->opts.max_documents)
		return kr_fail(ctx, KR_ELIMIT, "%s: %zu documents: more than the limit "
		               "of %zu documents per file (raise it with --max-documents)",
		               display, docs.len, ctx->opts.max_documents);
	ctx->nresources += docs.len;
	if (ctx->nresources > ctx->opts.max_resources)
		return kr_fail(ctx, KR_ELIMIT, "%s: the build has read more than the "
		               "limit of %zu resources (raise it with --max-resources)",
		               display, ctx->opts.max_resources);
	for (size_t i = 0; i < docs.len; i++) {
		kr_resource *r = kr_resource_new(&ctx->arena, docs.docs[i]);
		/* kustomize asks the scope of every kind it meets; one outside
		 * its precomputed table makes its builtin schema due (patch_smp.c) */
		if (r && !ctx->openapi && !ctx->openapi_builtin) {
			const char *av = kr_node_get_str(r->doc, "apiVersion", NULL);
			if (!kr_kind_is_precomputed(av ? av : "", r->cur.kind))
				ctx->openapi_builtin = 1;
		}
		if (!r)
			return kr_nomem(ctx);
		if ((rc = kr_resmap_append(ctx, m, r)) < 0)
			return kr_wrap(ctx, "%s", display);
	}
	return 0;
}

/* The resources of one YAML/JSON stream, appended to m. */
static int load_resource_bytes(kr_ctx *ctx, const char *display,
                               const char *data, size_t len, kr_resmap *m)
{
	int rc;
	kr_doclist docs = { 0 };
	if ((rc = check_file_size(ctx, display, len)) < 0 ||
	    (rc = kr_resource_docs_from_bytes(ctx, display, data, len, &docs)) < 0)
		return rc;
	return append_docs(ctx, display, &docs, m);
}

/* A file a worker read and parsed ahead (prefetch.h): what
 * kr_load_resource_file would have done with it, from its documents. */
static int load_prefetched(kr_ctx *ctx, const kr_prefetched *pre, kr_resmap *m)
{
	int rc;
	ctx->nprefetched++;
	if (pre->via_link)
		ctx->nsymlinks++;       /* as kr_realpath_ctx counts it */
	if ((rc = kr_note_read(ctx, pre->real, pre->data, pre->len)) < 0 ||
	    (rc = check_file_size(ctx, pre->display, pre->len)) < 0)
		return rc;
	return append_docs(ctx, pre->display, &pre->docs, m);
}

int kr_load_resource_file(kr_ctx *ctx, const char *path, const char *display,
                          kr_resmap *m)
{
	char *data;
	size_t len;
	int rc;
	if ((rc = kr_read_file(ctx, path, display, &data, &len)) < 0)
		return rc;
	return load_resource_bytes(ctx, display, data, len, m);
}

/* The caller's stream (kr_build_set_stream) stands in for the file at its
 * path, whether or not one exists on disk: nothing is written there. */
static int is_stream_path(const kr_ctx *ctx, const char *abs)
{
	return ctx->stream_path && !strcmp(abs, ctx->stream_path);
}

/* The root kustomization gets the caller's stream as its first resource
 * unless it lists it already (helm post-render: `all.yaml`). */
static int prepend_stream(kr_ctx *ctx, kr_kustomization *k)
{
	kr_arena *a = &ctx->arena;
	const char *name = kr_path_clean(a, ctx->stream_name);
	if (!name)
		return kr_nomem(ctx);
	uint32_t n = k->resources ? k->resources->u.q.len : 0;
	for (uint32_t i = 0; i < n; i++) {
		const kr_node *e = k->resources->u.q.items[i];
		const char *p = kr_path_clean(a, e->u.s.str);
		if (!p)
			return kr_nomem(ctx);
		if (!strcmp(p, name))
			return 0;
	}
	kr_node *seq = kr_node_seq(a, n + 1);
	kr_node *entry = kr_node_str(a, ctx->stream_name);
	if (!seq || !entry || kr_seq_append(a, seq, entry) < 0)
		return kr_nomem(ctx);
	entry->file = k->file;
	for (uint32_t i = 0; i < n; i++)
		if (kr_seq_append(a, seq, k->resources->u.q.items[i]) < 0)
			return kr_nomem(ctx);
	k->resources = seq;
	return 0;
}

int kr_subdir_root(kr_ctx *ctx, const kr_kustomization *k,
                   const kr_root_chain *chain, const kr_node *entry,
                   const char *abs, const char *display, const char **realp)
{
	const char *rel = entry->u.s.str;
	if (rel[0] == '/')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "new root '%s' cannot be absolute", rel);
	char *real = kr_realpath_dir_ctx(ctx, abs);
	if (!real)
		return errno == ENOMEM ? kr_nomem(ctx)
		       : kr_fail(ctx, KR_EIO, "%s: %s", display, strerror(errno));
	/* kustomize's errIfGitContainmentViolation */
	if (ctx->remote_top && !kr_path_has_prefix(real, ctx->remote_top))
		return kr_fail_at(ctx, KR_ERESTRICT, k->file, entry->line, entry->col,
		                  "security; bases in kustomizations within a remote "
		                  "repository must be within the repository: '%s' is "
		                  "outside %s", display, ctx->remote_top);
	for (const kr_root_chain *c = chain; c; c = c->parent)
		if (kr_path_has_prefix(c->root, real))
			return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
			                  "cycle detected: '%s' contains the kustomization "
			                  "root '%s' that is being built", display,
			                  c == chain ? k->dir : c->root);
	if (chain->depth + 1 > ctx->opts.max_kustomization_depth)
		return kr_fail_at(ctx, KR_ELIMIT, k->file, entry->line, entry->col,
		                  "kustomizations nested deeper than the limit of %u "
		                  "(raise it with --max-kustomization-depth)",
		                  ctx->opts.max_kustomization_depth);
	kr_basecache_saw_root(ctx, chain->depth + 1);
	*realp = real;
	return 0;
}

/* An http(s) file, as kustomize's loader GETs it (httpfile.h). */
static int load_url(kr_ctx *ctx, const kr_kustomization *k, const kr_node *entry,
                    kr_resmap *out)
{
	const char *url = entry->u.s.str;
	char *data;
	size_t len;
	int rc;
	if ((rc = kr_http_get(ctx, url, ctx->opts.remote_timeout_ms, &data, &len)) < 0)
		return kr_wrap(ctx, "%s:%u:%u: accumulating resources from '%s'", k->file,
		               entry->line, entry->col, url);
	size_t from = out->len;
	if ((rc = load_resource_bytes(ctx, url, data, len, out)) < 0)
		return kr_wrap(ctx, "accumulating resources from '%s'", url);
	return kr_origin_annotate_file(ctx, out, from, url);
}

static int accumulate_entry(kr_ctx *ctx, const kr_kustomization *k,
                            const kr_root_chain *chain, const kr_node *entry,
                            const kr_prefetched *pre, kr_resmap *out,
                            kr_tconfig *tc, kr_varset *vs)
{
	kr_arena *a = &ctx->arena;
	const char *rel = entry->u.s.str;
	int rc;
	if (pre) {
		/* a plain file in the root, parsed by a worker (prefetch.h) */
		size_t from = out->len;
		if ((rc = load_prefetched(ctx, pre, out)) < 0)
			return kr_wrap(ctx, "accumulating resources from '%s'", rel);
		return kr_origin_annotate_file(ctx, out, from, rel);
	}
	if (rel[0] == '\0')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "empty path in resources");
	char *abs = kr_path_join(a, k->root, rel);
	char *display = kr_path_join(a, k->dir, rel);
	if (!abs || !display)
		return kr_nomem(ctx);
	if (is_stream_path(ctx, abs)) {
		if ((rc = load_resource_bytes(ctx, display, ctx->stream_data,
		                              ctx->stream_len, out)) < 0)
			return kr_wrap(ctx, "accumulating resources from '%s'", rel);
		return 0;
	}
	int is_link;
	int type = kr_path_type_link(abs, &is_link);
	int type_errno = errno;
	/* kustomize tries a file first, then a new root: a repository URL
	 * wins over a local directory (its loader parses URLs first) */
	if (type != 'f' && kr_remote_is_plain_file(rel))
		return load_url(ctx, k, entry, out);
	kr_repospec rs;
	int remote = 0;
	if (type != 'f' && (remote = kr_remote_match(ctx, k, entry, &rs)) < 0)
		return remote;
	errno = type_errno;
	/* any other http(s) URL that is no repository: kustomize's GET */
	if (type == 0 && !remote &&
	    (!strncasecmp(rel, "http://", 7) || !strncasecmp(rel, "https://", 8)))
		return load_url(ctx, k, entry, out);
	if (type == 0 && !remote) {
		if (kr_path_looks_remote(rel))
			return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
			                  "remote resource '%s' is not supported by this "
			                  "version of krender yet", rel);
		return kr_fail_at(ctx, KR_ENOTFOUND, k->file, entry->line, entry->col,
		                  "resource '%s' not found: %s: %s", rel, display,
		                  strerror(errno));
	}
	if (type == 'f') {
		char *real = is_link ? kr_realpath_ctx(ctx, abs)
		                     : kr_realpath_ctx_nolink(ctx, abs);
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
		size_t from = out->len;
		if ((rc = kr_load_resource_file(ctx, real, display, out)) < 0)
			return kr_wrap(ctx, "accumulating resources from '%s'", rel);
		return kr_origin_annotate_file(ctx, out, from, rel);
	}
	if (type != 'd' && !remote)
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "resource '%s' is neither a file nor a directory", rel);
	const char *real;
	kr_remote_scope scope;
	if (remote) {
		if ((rc = kr_remote_open(ctx, k, chain, entry, &rs, &real, &scope)) < 0)
			return kr_wrap(ctx, "accumulating resources from '%s'", rel);
		display = (char *)real;
	} else if ((rc = kr_subdir_root(ctx, k, chain, entry, abs, display, &real)) < 0)
		return rc;
	kr_resmap sub = { 0 };
	kr_tconfig subtc;
	kr_varset subvs = { 0 };
	kr_kustomization subk;
	const char *saved_origin;
	if ((rc = kr_origin_enter(ctx, rel, &saved_origin)) < 0) {
		if (remote)
			kr_remote_leave(ctx, &scope);
		return rc;
	}
	/* from the cache's copy when it holds this base (basecache.h) */
	rc = kr_basecache_build(ctx, display, real, chain, &sub, &subtc, &subvs,
	                        &subk, build_dir);
	kr_origin_leave(ctx, saved_origin);
	if (remote)
		kr_remote_leave(ctx, &scope);
	if (rc < 0)
		return kr_wrap(ctx, "accumulating resources from '%s'", rel);
	if ((rc = kr_resmap_append_all(ctx, out, &sub)) < 0)
		return kr_wrap(ctx, "merging resources from '%s'", rel);
	/* The sub-kustomization's configuration joins ours (kustomize's
	 * ResAccumulator.MergeAccumulator). */
	if ((rc = kr_tconfig_accumulate(ctx, tc, &subtc)) < 0)
		return kr_wrap(ctx, "merging the configuration of '%s'", rel);
	if ((rc = kr_vars_absorb(ctx, vs, &subvs)) < 0)
		return kr_wrap(ctx, "merging the vars of '%s'", rel);
	return 0;
}

int kr_accumulate_path(kr_ctx *ctx, const kr_kustomization *k,
                       const kr_root_chain *chain, const kr_node *entry,
                       kr_resmap *out)
{
	kr_tconfig tc;
	kr_varset vs = { 0 };
	memset(&tc, 0, sizeof(tc));
	return accumulate_entry(ctx, k, chain, entry, NULL, out, &tc, &vs);
}

/* Refresh every resource's current id and the index after a transformer
 * (names, namespaces or kinds may have changed). */
int kr_refresh_ids(kr_ctx *ctx, kr_resmap *m)
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
		/* kustomize makes no plugin for a field that is not there; not
		 * refreshing every id after it matters on big trees */
		if (!kr_transformer_configured(t, k))
			continue;
		int rc = t->fn(ctx, &layer);
		if (rc < 0)
			return kr_wrap(ctx, "%s transformer", t->name);
		if ((rc = kr_buildmeta_builtin_ran(ctx, k, t->name, m)) < 0)
			return rc;
		if ((rc = kr_refresh_ids(ctx, m)) < 0)
			return rc;
	}
	return 0;
}

int kr_accumulate_target(kr_ctx *ctx, const kr_kustomization *k,
                         const kr_root_chain *chain, kr_resmap *m,
                         kr_tconfig *tc, kr_varset *vs)
{
	int rc = 0;
	if (k->resources) {
		/* a big list's files are parsed ahead on other threads */
		kr_prefetch pf;
		kr_prefetch_start(ctx, k, &pf);
		for (uint32_t i = 0; i < k->resources->u.q.len && rc == 0; i++)
			rc = accumulate_entry(ctx, k, chain, k->resources->u.q.items[i],
			                      kr_prefetch_take(&pf, i), m, tc, vs);
		kr_prefetch_finish(ctx, &pf);
		if (rc < 0)
			return rc;
	}
	/* The builtin field specs name kinds without versions, which are
	 * outside kustomize's precomputed scope table: its builtin schema is
	 * due from here on (patch_smp.c). */
	if (!ctx->openapi && !ctx->openapi_builtin)
		ctx->openapi_builtin = 1;
	if ((rc = kr_tconfig_load_user(ctx, k, tc)) < 0)
		return rc;
	/* kustomize's runGenerators: ConfigMaps, then Secrets. */
	/* (ids are refreshed only where a generator may have changed some:
	 * on a big tree every refresh touches every resource) */
	if ((rc = kr_generators_run(ctx, k, m)) < 0)
		return rc;
	if ((kr_map_get(k->doc, "configMapGenerator") ||
	     kr_map_get(k->doc, "secretGenerator")) &&
	    (rc = kr_refresh_ids(ctx, m)) < 0)
		return rc;
	/* then the helm charts, the last builtin generator (helm.h), which
	 * only adds resources */
	size_t before_helm = m->len;
	if ((rc = kr_helm_generate(ctx, k, m)) < 0)
		return rc;
	if (m->len != before_helm && (rc = kr_refresh_ids(ctx, m)) < 0)
		return rc;
	/* then those of `generators:` (plugins.h) */
	if ((rc = kr_plugins_generate(ctx, k, chain, m)) < 0)
		return rc;
	/* Components after the generators, before the transformers (kustomize
	 * v5.5.0's order; tests comp_*). */
	if ((rc = kr_components_accumulate(ctx, k, chain, m, tc, vs)) < 0)
		return rc;
	if ((rc = run_transformers(ctx, k, tc, m)) < 0)
		return rc;
	/* `transformers:` after the builtin ones (one list in kustomize's
	 * runTransformers), then `validators:` (plugins.h). */
	if ((rc = kr_plugins_transform(ctx, k, chain, m)) < 0 ||
	    (rc = kr_plugins_validate(ctx, k, chain, m)) < 0)
		return rc;
	/* kustomize's MergeVars(k.vars) comes last, on this same
	 * accumulator, so a component's vars join its parent's set like its
	 * resources do (vars.h). */
	if ((rc = kr_vars_merge(ctx, vs, k, m)) < 0)
		return rc;
	return 0;
}

static int build_dir(kr_ctx *ctx, const char *dir, const char *root,
                     const kr_root_chain *parent, kr_resmap *out, kr_tconfig *tc,
                     kr_varset *vs, kr_kustomization *kp)
{
	kr_kustomization k;
	int rc;
	kr_root_chain chain = { root, parent, parent ? parent->depth + 1 : 0 };
	if ((rc = kr_kustomization_load(ctx, dir, root, &k)) < 0)
		return rc;
	if (!parent && ctx->stream_name && (rc = prepend_stream(ctx, &k)) < 0)
		return rc;
	/* the top's buildMetadata holds for the whole build */
	if (!parent && (rc = kr_buildmeta_init(ctx, &k)) < 0)
		return rc;
	/* kustomize sets the OpenAPI schema when it loads a kustomization */
	if ((rc = kr_openapi_configure(ctx, &k, parent == NULL)) < 0)
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
	if ((rc = kr_accumulate_target(ctx, &k, &chain, out, tc, vs)) < 0)
		return rc;
	*kp = k;
	return 0;
}

/* kustomize's IgnoreLocal: objects annotated
 * config.kubernetes.io/local-config (with any value but "false") are not
 * part of the output. */
/* kustomize's IgnoreLocal checks every object's kind and name first
 * (GetValidatedMetadata): a transformer (a replacement, a patch) may have
 * taken them away. */
static int validate_meta(kr_ctx *ctx, const kr_resource *r)
{
	const kr_node *doc = r->doc;
	const char *kind = kr_node_get_str(doc, "kind", NULL);
	const char *name = kr_node_get_str(doc, "metadata", "name", NULL);
	size_t kl = kind ? strlen(kind) : 0;
	int is_list = kl >= 4 && !strcmp(kind + kl - 4, "List");
	if (kl && ((name && name[0]) || is_list))
		return 0;
	char *id = kr_resid_string(&ctx->arena, &r->orig);
	if (!id)
		return kr_nomem(ctx);
	return kr_fail_at(ctx, KR_EINVALID, doc->file ? doc->file : "?", doc->line,
	                  doc->col, "the object loaded as %s has no %s after its "
	                  "transformers (kubectl: missing %s in object)", id,
	                  kl ? "metadata.name" : "kind", kl ? "metadata.name" : "kind");
}

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
	/* IgnoreLocal makes a new map of what remains (FromResourceSlice): two
	 * objects that the top level's own transformers gave one id are
	 * refused there (kubectl panics: "may not add resource with an already
	 * registered id"; err_dup_id_after_transform). */
	kr_resmap fresh = { 0 };
	for (size_t i = 0; i < w; i++)
		if (kr_resmap_append(ctx, &fresh, m->items[i]) < 0)
			return kr_wrap(ctx, "after the transformers of the top kustomization");
	*m = fresh;
	return 0;
}

int kr_build_resources(struct kr_build *b, const char *dir)
{
	kr_ctx *ctx = &b->ctx;
	int type = kr_path_type(dir);
	if (type != 'd')
		return kr_fail(ctx, KR_ENOTFOUND, "'%s' is not a directory%s%s", dir,
		               type ? "" : ": ", type ? "" : strerror(errno));
	char *root = kr_realpath_dir_ctx(ctx, dir);
	char *display = kr_path_clean(&ctx->arena, dir);
	if (!root || !display)
		return errno == ENOMEM || !display ? kr_nomem(ctx)
		       : kr_fail(ctx, KR_EIO, "%s: %s", dir, strerror(errno));
	if (ctx->stream_name &&
	    !(ctx->stream_path = kr_path_join(&ctx->arena, root, ctx->stream_name)))
		return kr_nomem(ctx);
	kr_tconfig tc;
	kr_kustomization k;
	kr_varset vs = { 0 };
	/* from the cache's copy when it keeps results (basecache.h) */
	int rc = kr_basecache_build(ctx, display, root, NULL, &b->result, &tc, &vs, &k,
	                            build_dir);
	if (rc < 0)
		return rc;
	/* Top level only, in kustomize's order (makeCustomizedResMap, then
	 * applySortOrder): name references, vars resolved, local-config
	 * objects dropped, sort; before them, the hash suffixes of generated objects
	 * (addHashesToNames). */
	if ((rc = kr_generators_add_hashes(ctx, &b->result)) < 0 ||
	    (rc = kr_nameref_fix(ctx, &b->result, &tc)) < 0 ||
	    (rc = kr_vars_resolve(ctx, &vs, &b->result, &tc)) < 0 ||
	    (rc = drop_local_config(ctx, &b->result)) < 0)
		return rc;
	int fifo;
	kr_node *first, *last;
	if ((rc = kr_sort_options_parse(ctx, &k, &fifo, &first, &last)) < 0)
		return rc;
	if (!fifo && (rc = kr_sort_legacy(ctx, &b->result, first, last)) < 0)
		return rc;
	return kr_buildmeta_finish(ctx, &b->result);
}
