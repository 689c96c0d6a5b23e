/*
 * vars.h - kustomize's deprecated `vars:` (types.Var, the accumulator's
 * MergeVars/ResolveVars, and the $(VAR) expansion of api/filters/refvar).
 *
 * A var names a field of one object of the build:
 *
 *   vars:
 *   - name: SVC
 *     objref: {kind: Service, name: web, apiVersion: v1}
 *     fieldref: {fieldPath: metadata.name}      # the default
 *
 * Life of a var, as in kustomize v5.5.0:
 *  - at the end of each kustomization level (after its transformers), the
 *    level's vars are matched against the level's resources by any id the
 *    resource ever had (so the objref uses the name before prefixes and
 *    suffixes); a single match marks the resource with the var's name, no
 *    match is not an error yet, two or more are ("unable to disambiguate").
 *    The vars then join the level's set; a name already there is an error.
 *  - when a parent absorbs a sub-kustomization, the sub's set joins the
 *    parent's (again an error on a repeated name: a diamond that defines a
 *    var twice fails).
 *  - at the top, after name references are fixed, each var's value is read
 *    from the first resource marked with its name, at its fieldPath, and
 *    every string in the fields of the varReference field specs has its
 *    $(NAME) references replaced.  A value that is the whole string keeps
 *    its type (a var of an int field makes an int).  Unknown references stay
 *    as they are; `$$` is a literal `$`.  Vars never used are reported on
 *    stderr, as kustomize logs them.
 */
#ifndef KR_VARS_H
#define KR_VARS_H

#include <stddef.h>

#include "ctx.h"
#include "kustomization.h"
#include "resource.h"
#include "tconfig.h"

typedef struct kr_var {
	const char *name;
	const char *group, *version, *kind;  /* objref, after GVK() */
	const char *objname, *ns;            /* objref name and namespace */
	const char *field_path;              /* fieldref.fieldPath (defaulted) */
	const char *file;                    /* where it was declared */
	unsigned line, col;
} kr_var;

/* kustomize's VarSet: no name twice. */
typedef struct kr_varset {
	kr_var *items;
	size_t len, cap;
} kr_varset;

/* kustomize's ResAccumulator.MergeVars for kustomization `k`: decode its
 * `vars`, mark the resources of `m` (the level's resources, after its
 * transformers) they refer to, and add them to `vs`.  build_dir calls it
 * last for every kustomization.  A Component works on its parent's
 * accumulator in kustomize, so its vars go with the same call into the
 * parent's set and are matched against the parent's resources, at the end
 * of the component's own transformers. */
int kr_vars_merge(kr_ctx *ctx, kr_varset *vs, const kr_kustomization *k,
                  kr_resmap *m);

/* kustomize's VarSet.MergeSet, for MergeAccumulator: add every var of
 * `src` to `dst`, an error on a name `dst` already has. */
int kr_vars_absorb(kr_ctx *ctx, kr_varset *dst, const kr_varset *src);

/* kustomize's ResolveVars, at the top level after kr_nameref_fix. */
int kr_vars_resolve(kr_ctx *ctx, const kr_varset *vs, kr_resmap *m,
                    const kr_tconfig *tc);

/* ---- the $(VAR) expansion (exposed for tests) ------------------------ */

typedef enum kr_varval_type {
	KR_VARVAL_STR = 0,
	KR_VARVAL_INT,
	KR_VARVAL_FLOAT,
	KR_VARVAL_BOOL,
	KR_VARVAL_OTHER      /* a mapping or sequence: never substituted */
} kr_varval_type;

/* A var's value. `text` is how it reads inside a longer string (Go's %v);
 * `node_text` the scalar it becomes when it is the whole string (they
 * differ for floats: %v is 1e+06 where the node holds 1000000). */
typedef struct kr_varval {
	kr_varval_type type;
	const char *text;
	size_t len;
	const char *node_text;
	size_t node_len;
} kr_varval;

/* The value of the var `name` (not NUL-terminated), or NULL when there
 * is no such var. */
typedef const kr_varval *(*kr_var_lookup)(void *ud, const char *name, size_t len);

/* kustomize's refvar.DoReplacements with MakePrimitiveReplacer: expand
 * the $(NAME) references of `in`.  *out gets a string (`in` itself when
 * it holds no '$': the caller keeps it alive), or (when `in` is
 * exactly one reference to a primitive var) that var's value with its
 * type.  Returns 0; 1 when the result holds Go's string(byte) of a byte
 * >= 0x80 after a '$' (kustomize's expansion makes "$é" invalid UTF-8
 * that way; the text is the same bytes); -1 when out of memory. */
int kr_var_expand(kr_arena *a, const char *in, size_t len, kr_var_lookup lookup,
                  void *ud, kr_varval *out);

#endif
