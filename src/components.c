/*
 * components.c - applying a kustomization's components to its accumulator
 * (see components.h).
 */
#include "components.h"

#include "buildmeta.h"

#include "patch_smp.h"
#include "vars.h"

#include <errno.h>
#include <string.h>

#include "fsutil.h"
#include "remote.h"

/* kustomize's FileLoader.New for a component path: unlike a resource, it
 * is never tried as a file, so the checks come in the loader's order
 * (empty, absolute, then a directory that exists). */
static int component_root(kr_ctx *ctx, const kr_kustomization *k,
                          const kr_root_chain *chain, const kr_node *entry,
                          const char **display, const char **real,
                          kr_remote_scope *scope)
{
	const char *rel = entry->u.s.str;
	if (rel[0] == '\0')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "empty path in components");
	/* the loader parses a repository URL before anything else */
	kr_repospec rs;
	int rc = kr_remote_match(ctx, k, entry, &rs);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		if ((rc = kr_remote_open(ctx, k, chain, entry, &rs, real, scope)) < 0)
			return rc;
		*display = *real;
		return 1;
	}
	if (rel[0] == '/')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "new root '%s' cannot be absolute", rel);
	char *abs = kr_path_join(&ctx->arena, k->root, rel);
	char *disp = kr_path_join(&ctx->arena, k->dir, rel);
	if (!abs || !disp)
		return kr_nomem(ctx);
	int type = kr_path_type(abs);
	if (type == 0) {
		if (kr_path_looks_remote(rel))
			return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
			                  "remote component '%s' is not supported by this "
			                  "version of krender yet", rel);
		return kr_fail_at(ctx, KR_ENOTFOUND, k->file, entry->line, entry->col,
		                  "component '%s' not found: %s: %s", rel, disp,
		                  strerror(errno));
	}
	if (type != 'd')
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "component '%s' must be a directory holding a "
		                  "kustomization file, but %s is not a directory",
		                  rel, disp);
	*display = disp;
	return kr_subdir_root(ctx, k, chain, entry, abs, disp, real);
}

/* kustomize's MergeAccumulator into the empty accumulator that
 * accumulateDirectory makes after a component: every object is added
 * again, with the duplicate-id check. */
static int readd_all(kr_ctx *ctx, kr_resmap *m)
{
	kr_resmap fresh = { 0 };
	int rc = kr_resmap_append_all(ctx, &fresh, m);
	if (rc < 0)
		return rc;
	*m = fresh;
	return 0;
}

static int component_at(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, const kr_node *entry,
                        const char *display, const char *real,
                        kr_resmap *m, kr_tconfig *tc, kr_varset *vs);

static int accumulate_component(kr_ctx *ctx, const kr_kustomization *k,
                                const kr_root_chain *chain, const kr_node *entry,
                                kr_resmap *m, kr_tconfig *tc, kr_varset *vs)
{
	const char *display = NULL, *real = NULL;
	kr_remote_scope scope;
	int rc = component_root(ctx, k, chain, entry, &display, &real, &scope);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/* a remote component: built in its clone's scope */
		rc = component_at(ctx, k, chain, entry, display, real, m, tc, vs);
		kr_remote_leave(ctx, &scope);
		return rc;
	}
	return component_at(ctx, k, chain, entry, display, real, m, tc, vs);
}

static int component_at(kr_ctx *ctx, const kr_kustomization *k,
                        const kr_root_chain *chain, const kr_node *entry,
                        const char *display, const char *real,
                        kr_resmap *m, kr_tconfig *tc, kr_varset *vs)
{
	int rc;
	(void)k;
	kr_kustomization ck;
	if ((rc = kr_kustomization_load(ctx, display, real, &ck)) < 0)
		return rc;
	/* kustomize sets the OpenAPI schema before the kind check */
	if ((rc = kr_openapi_configure(ctx, &ck, 0)) < 0)
		return rc;
	if (strcmp(ck.kind, "Component"))
		return kr_fail(ctx, KR_EINVALID,
		               "%s: a %s cannot be listed in components (kustomize: "
		               "expected kind 'Component' for path '%s' but got '%s')",
		               ck.file, ck.kind, display, ck.kind);
	kr_root_chain cchain = { real, chain, chain->depth + 1 };
	const char *saved_origin;
	if ((rc = kr_origin_enter(ctx, entry->u.s.str, &saved_origin)) < 0)
		return rc;
	rc = kr_accumulate_target(ctx, &ck, &cchain, m, tc, vs);
	kr_origin_leave(ctx, saved_origin);
	if (rc < 0)
		return rc;
	/* The configuration needs no such step: merging it into an empty one
	 * gives it back unchanged (it is already merged and sorted).  Vars
	 * need none either: the component merged its vars into the shared
	 * accumulator (kr_accumulate_target), and kustomize's MergeSet into an
	 * empty set cannot conflict. */
	if ((rc = readd_all(ctx, m)) < 0)
		return kr_wrap(ctx, "merging the component's result into its parent's");
	return 0;
}

int kr_components_accumulate(kr_ctx *ctx, const kr_kustomization *k,
                             const kr_root_chain *chain, kr_resmap *m,
                             kr_tconfig *tc, kr_varset *vs)
{
	if (!k->components)
		return 0;
	for (uint32_t i = 0; i < k->components->u.q.len; i++) {
		const kr_node *entry = k->components->u.q.items[i];
		int rc = accumulate_component(ctx, k, chain, entry, m, tc, vs);
		if (rc < 0)
			return kr_wrap(ctx, "accumulating component '%s'", entry->u.s.str);
	}
	return 0;
}
