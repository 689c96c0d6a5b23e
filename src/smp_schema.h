/*
 * smp_schema.h - what a strategic merge needs to know of the OpenAPI
 * schema (kustomize's kyaml/openapi as the merge walker uses it).
 *
 * While it descends a resource, kustomize's merge asks the schema of a
 * field (a property, else additionalProperties, $ref followed), the schema
 * of a list's elements (only when the type is exactly "array"), and a
 * list's x-kubernetes-patch-strategy with its merge keys
 * (x-kubernetes-list-map-keys, else x-kubernetes-patch-merge-key).  A list
 * is merged element by element when the strategy contains "merge"; any
 * other list is replaced by the patch's.  A resource's root schema is found
 * by x-kubernetes-group-version-kind; where no schema is known the walker
 * looks again at every mapping that has its own apiVersion and kind.
 *
 * The builtin facts are a table generated from the schema kustomize v5.5.0
 * embeds (Kubernetes v1.21.2) by scripts/gen-smp-schema.py
 * (smp_schema_data.c).  A schema below which no list merges is the shared
 * "opaque" node: every field of it is opaque too, and it stops the walker
 * from looking for a schema by apiVersion/kind (kustomize would find a
 * known-but-uninteresting schema there).  `openapi: {path: FILE}` in a
 * kustomization replaces the table with a schema read from FILE (JSON or
 * YAML, swagger 2 `definitions`), built into the same structures.
 */
#ifndef KR_SMP_SCHEMA_H
#define KR_SMP_SCHEMA_H

#include <stddef.h>

#include "ctx.h"
#include "node.h"

typedef struct kr_schema kr_schema;

typedef struct kr_schema_prop {
	const char *name;
	const kr_schema *schema;
} kr_schema_prop;

struct kr_schema {
	unsigned opaque;               /* nothing below merges (see above) */
	const char *strategy;          /* x-kubernetes-patch-strategy or NULL */
	const char *const *keys;       /* merge keys, NULL-terminated, or NULL */
	const kr_schema *items;        /* elements, when the type is "array" */
	const kr_schema *addl;         /* additionalProperties */
	const kr_schema_prop *props;   /* sorted by name (strcmp) */
	size_t nprops;
};

typedef struct kr_schema_root {
	const char *api_version;       /* "apps/v1", "v1" */
	const char *kind;
	const kr_schema *schema;
} kr_schema_root;

typedef struct kr_schema_def {
	const char *name;              /* "io.k8s.api.core.v1.PodSpec" */
	const kr_schema *schema;
} kr_schema_def;

/* The generated builtin table (smp_schema_data.c): roots sorted by
 * (api_version, kind), definitions sorted by name. */
extern const kr_schema_root kr_smp_builtin_roots[];
extern const size_t kr_smp_builtin_nroots;
extern const kr_schema_def kr_smp_builtin_defs[];
extern const size_t kr_smp_builtin_ndefs;
extern const kr_schema *const kr_smp_opaque;

/* A set of root schemas: the builtin table or one read from a file.
 *
 * kustomize keeps one global schema.  A custom schema set by the top
 * kustomization replaces the builtin one.  One set by a sub-kustomization
 * after the builtin one was (or was bound to be) loaded joins it instead:
 * both sets of definitions and kinds count, and on a clash the one
 * kustomize parses last wins (`builtin_wins`: the builtin parse was
 * delayed until after the custom one; see patch_smp.c). */
typedef struct kr_schema_set {
	const kr_schema_root *roots;   /* sorted by (api_version, kind) */
	size_t nroots;
	int with_builtin;              /* joined with the builtin set */
	int builtin_wins;
} kr_schema_set;

extern const kr_schema_set kr_smp_builtin;

/* The root schema of a resource type, or NULL. */
const kr_schema *kr_schema_for_type(const kr_schema_set *set,
                                    const char *api_version, const char *kind);
/* The schema of a field of `s` (NULL when unknown). */
const kr_schema *kr_schema_field(const kr_schema *s, const char *name);
/* The schema of the elements of list schema `s` (NULL when unknown). */
const kr_schema *kr_schema_elements(const kr_schema *s);
/* Does the list strategy contain "merge"? */
int kr_schema_merges(const kr_schema *s);

/* Build a schema set from an OpenAPI document (swagger 2: `definitions`
 * with $refs "#/definitions/NAME"), parsed from `file`.  With
 * out->with_builtin (and builtin_wins) set by the caller, $refs resolve
 * against the builtin definitions too. */
int kr_schema_set_from_doc(kr_ctx *ctx, const char *file, const kr_node *doc,
                           kr_schema_set *out);

#endif
