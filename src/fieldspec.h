/*
 * fieldspec.h - which fields of which kinds a transformer touches, as data,
 * and the one function that walks them.
 *
 * A field spec (kustomize's types.FieldSpec) is a group/version/kind
 * selector (empty = any) plus a path of '/'-separated field names
 * ("spec/template/metadata/labels"; "\/" escapes a slash).  Walking a path:
 * a mapping is entered at the named field; a sequence met on the way is
 * fanned out (every element gets the rest of the same path); a segment
 * ending in "[]" names a sequence field and is never created; a missing
 * field is created (as a mapping, or at the end as the transformer's kind)
 * only when the spec says `create` and the transformer creates; a null met
 * on the way ends the walk quietly, a scalar is an error.  This mirrors
 * kustomize's api/filters/fieldspec.
 *
 * The builtin tables (fieldspec_tables.c) are kustomize v5.5.0's
 * api/internal/konfig/builtinpluginconsts, carried over as C data.
 */
#ifndef KR_FIELDSPEC_H
#define KR_FIELDSPEC_H

#include <stddef.h>

#include "ctx.h"
#include "node.h"
#include "resource.h"

typedef struct kr_fieldspec {
	const char *group;   /* "" matches any */
	const char *version; /* "" matches any */
	const char *kind;    /* "" matches any */
	const char *path;
	int create;          /* create missing fields */
} kr_fieldspec;

/* A growable list of field specs (kustomize's FsSlice).  cap < len means
 * the items are borrowed: shared with another list (the builtin
 * configuration every kustomization starts from) and read-only; the first
 * kr_fslist_push copies them. */
typedef struct kr_fslist {
	kr_fieldspec *items;
	size_t len, cap;
} kr_fslist;

/* One entry of the nameReference table: objects of this kind are referred
 * to by name from the fields in `specs`. */
typedef struct kr_nameref_entry {
	const char *group, *version, *kind;
	const kr_fieldspec *specs;
	size_t nspecs;
} kr_nameref_entry;

extern const kr_fieldspec kr_builtin_name_prefix[];
extern const size_t kr_builtin_name_prefix_len;
extern const kr_fieldspec kr_builtin_name_suffix[];
extern const size_t kr_builtin_name_suffix_len;
extern const kr_fieldspec kr_builtin_common_labels[];
extern const size_t kr_builtin_common_labels_len;
extern const kr_fieldspec kr_builtin_template_labels[];
extern const size_t kr_builtin_template_labels_len;
extern const kr_fieldspec kr_builtin_common_annotations[];
extern const size_t kr_builtin_common_annotations_len;
extern const kr_fieldspec kr_builtin_namespace[];
extern const size_t kr_builtin_namespace_len;
extern const kr_fieldspec kr_builtin_var_reference[];
extern const size_t kr_builtin_var_reference_len;
extern const kr_fieldspec kr_builtin_images[];
extern const size_t kr_builtin_images_len;
extern const kr_fieldspec kr_builtin_replicas[];
extern const size_t kr_builtin_replicas_len;
extern const kr_nameref_entry kr_builtin_namereference[];
extern const size_t kr_builtin_namereference_len;

/* Does the spec's group/version/kind select this id? */
int kr_fieldspec_selects(const kr_fieldspec *fs, const kr_resid *id);

/* What a walk creates at the end of the path when the field is missing. */
typedef enum kr_create_kind {
	KR_CREATE_NOTHING = 0, /* the transformer never creates */
	KR_CREATE_SCALAR,      /* an empty string scalar */
	KR_CREATE_MAP          /* an empty mapping */
} kr_create_kind;

/* Called with the node found (or created) at the end of the path, and the
 * mapping pair that holds it (so a setter may replace the value). */
typedef int (*kr_fs_visit)(kr_ctx *ctx, kr_pair *field, void *ud);

/* Walk `fs->path` in `doc` (the caller has checked kr_fieldspec_selects)
 * and call `visit` on every field reached.  Returns 0, the first nonzero
 * return of `visit`, or a negative error (a scalar in the middle of the
 * path) with the error set naming the path. */
int kr_fieldspec_walk(kr_ctx *ctx, kr_node *doc, const kr_fieldspec *fs,
                      kr_create_kind create, kr_fs_visit visit, void *ud);

/* Apply a list: for every resource of `m` and every spec of `specs` that
 * selects it, walk.  Errors are wrapped with the resource's id. */
int kr_fieldspecs_apply(kr_ctx *ctx, kr_resmap *m, const kr_fslist *specs,
                        kr_create_kind create, kr_fs_visit visit, void *ud);

/* kustomize's FsSlice.MergeOne/MergeAll: add specs not already present
 * (same path and the incoming group/version/kind selecting the present
 * one); one that is present with a different `create` is an error
 * "conflicting fieldspecs". */
int kr_fslist_add(kr_ctx *ctx, kr_fslist *l, const kr_fieldspec *fs);
/* Append without any check. */
int kr_fslist_push(kr_ctx *ctx, kr_fslist *l, const kr_fieldspec *fs);
int kr_fslist_add_all(kr_ctx *ctx, kr_fslist *l, const kr_fieldspec *fs, size_t n);

#endif
