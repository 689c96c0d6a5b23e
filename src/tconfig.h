/*
 * tconfig.h - the transformer configuration of a kustomization
 * (kustomize's builtinconfig.TransformerConfig): for each transformer, the
 * list of field specs it acts on, and the name-reference table.
 *
 * It starts as the builtin tables; `configurations:` files and `crds:` of a
 * kustomization merge into it, and a sub-kustomization's configuration
 * merges into its parent's when the parent absorbs its resources.
 */
#ifndef KR_TCONFIG_H
#define KR_TCONFIG_H

#include "fieldspec.h"

typedef struct kr_nameref {
	const char *group, *version, *kind;  /* the object referred to */
	kr_fslist specs;                     /* the fields that refer to it */
} kr_nameref;

typedef struct kr_tconfig {
	kr_fslist name_prefix;
	kr_fslist name_suffix;
	kr_fslist name_space;          /* kustomize's "namespace" */
	kr_fslist common_labels;
	kr_fslist template_labels;
	kr_fslist labels;              /* only from user configurations */
	kr_fslist common_annotations;
	kr_fslist images;
	kr_fslist replicas;
	kr_fslist var_reference;
	/* name_reference_cap < name_reference_len: the array is borrowed
	 * (read-only), as are the specs of its entries (configurations.c
	 * copies it before a change). */
	kr_nameref *name_reference;
	size_t name_reference_len, name_reference_cap;
} kr_tconfig;

/* The builtin configuration. */
int kr_tconfig_init_default(kr_ctx *ctx, kr_tconfig *tc);

/* Merge `src` into `dst` (kustomize's TransformerConfig.Merge): every list
 * merged with kr_fslist_add semantics; name-reference entries for the same
 * kind (and group/version) have their field specs merged. */
int kr_tconfig_merge(kr_ctx *ctx, kr_tconfig *dst, const kr_tconfig *src);

/* Add the field specs of one name-reference target. */
int kr_tconfig_add_nameref(kr_ctx *ctx, kr_tconfig *tc, const char *group,
                           const char *version, const char *kind,
                           const kr_fieldspec *specs, size_t n);

#endif
