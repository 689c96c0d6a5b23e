/*
 * build.h - the build pipeline, top to bottom:
 *   load kustomization -> accumulate resources (files, sub-kustomizations)
 *   -> configurations -> generators -> components -> transformers
 *   -> (top level) hash suffixes, name references, drop local-config
 *   objects -> sort -> emit.
 */
#ifndef KR_BUILD_H
#define KR_BUILD_H

#include "buf.h"
#include "ctx.h"
#include "kustomization.h"
#include "resource.h"
#include "tconfig.h"

struct kr_build {
	kr_ctx ctx;
	int ran;
	kr_resmap result;
	kr_buf out;            /* the YAML stream */
	size_t *offsets;       /* start of each resource's text in out; len+1 */
	char **file_names;     /* -o DIR names, made on demand */
	int inputs_settled;    /* ctx.inputs sorted and unique */
};

/* Build the kustomization in `dir` into b->result (sorted). */
int kr_build_resources(struct kr_build *b, const char *dir);

/* Load the resources of one YAML/JSON file (kustomize's
 * resource.Factory.SliceFromBytes): documents in order, `*List` kinds
 * flattened, empty documents skipped.  Appends to `m`. */
int kr_load_resource_file(kr_ctx *ctx, const char *path, const char *display,
                          kr_resmap *m);

/* The chain of kustomization roots being built, innermost first: cycle
 * detection (kustomize's errIfArgEqualOrHigher) and the nesting limit. */
typedef struct kr_root_chain {
	const char *root;
	const struct kr_root_chain *parent;
	unsigned depth;
} kr_root_chain;

struct kr_varset;  /* vars.h */

/* kustomize's KustTarget.accumulateTarget: run the loaded kustomization
 * `k` (whose root heads `chain`) against the accumulator (m, tc): its
 * resources are appended, its configuration merged, its generators, its
 * components and its transformers run over everything in m.  A
 * kustomization starts with an empty accumulator; a component runs on its
 * parent's (components.h). */
int kr_accumulate_target(kr_ctx *ctx, const kr_kustomization *k,
                         const kr_root_chain *chain, kr_resmap *m,
                         kr_tconfig *tc, struct kr_varset *vs);

/* The root of a sub-directory `rel` of kustomization k (`abs`: its path
 * joined to k's root, `display`: joined to k's dir), as kustomize's
 * FileLoader.New checks it: an absolute `rel` is refused, the directory
 * must not contain (or be) a root of `chain`, and the nesting limit
 * holds.  Errors are positioned at `entry`.  *real gets the symlink-free
 * path. */
int kr_subdir_root(kr_ctx *ctx, const kr_kustomization *k,
                   const kr_root_chain *chain, const kr_node *entry,
                   const char *abs, const char *display, const char **real);

/* Append what one `resources`-style entry of k names (a file of objects
 * or a kustomization directory, built fully) to `out`, as kustomize's
 * accumulateResources does for generator and transformer configs. */
int kr_accumulate_path(kr_ctx *ctx, const kr_kustomization *k,
                       const kr_root_chain *chain, const kr_node *entry,
                       kr_resmap *out);
/* Refresh the ids of m's resources and its index after a transformer. */
int kr_refresh_ids(kr_ctx *ctx, kr_resmap *m);

#endif
