/*
 * kustomization.h - reading one kustomization file.
 *
 * kr_kustomization_load() finds the kustomization file of a directory
 * (kustomization.yaml, kustomization.yml or Kustomization: exactly one),
 * parses it as kustomize does (field names match case-insensitively, an
 * unknown field is an error, a later duplicate key wins), checks kind and
 * apiVersion, appends the deprecated `bases` to `resources`, and prints
 * kustomize's deprecation warnings.
 */
#ifndef KR_KUSTOMIZATION_H
#define KR_KUSTOMIZATION_H

#include "ctx.h"
#include "node.h"

typedef struct kr_kustomization {
	const char *dir;      /* the directory as displayed (relative to cwd) */
	const char *root;     /* absolute, symlink-free directory */
	const char *file;     /* display path of the kustomization file */
	kr_node *doc;         /* the file's mapping, keys in canonical spelling */
	const char *kind;     /* "Kustomization" or "Component" */
	kr_node *resources;   /* SEQ of scalars: resources then bases; may be NULL */
	kr_node *components;  /* SEQ of scalars (component directories) or NULL */
	kr_node *sort_options;/* MAP or NULL */
} kr_kustomization;

int kr_kustomization_load(kr_ctx *ctx, const char *dir, const char *root,
                          kr_kustomization *out);

/* Read the file `rel` of kustomization k (relative to its root) as
 * kustomize's file loader does: it must exist and be a regular file and,
 * under LoadRestrictionsRootOnly, resolve (symlinks followed) inside the
 * kustomization root.  *display (optional) gets the path as shown in
 * messages.  Errors are positioned at `at` in the kustomization file when
 * it is given. */
int kr_kust_read_file(kr_ctx *ctx, const kr_kustomization *k, const kr_node *at,
                      const char *rel, char **data, size_t *len,
                      const char **display);

/* Parse and check `sortOptions` (top level only).  *fifo is set when the
 * order is fifo; otherwise *first and *last hold the legacy kind lists (the
 * defaults when not given). */
int kr_sort_options_parse(kr_ctx *ctx, const kr_kustomization *k, int *fifo,
                          kr_node **first, kr_node **last);

#endif
