/*
 * transformers.h - the builtin transformers of a kustomization, run in
 * kustomize's fixed order (api/internal/target/kusttarget_configplugin.go):
 *
 *   PatchStrategicMerge, Patch, Namespace, Prefix, Suffix,
 *   Label (`labels` entries, then `commonLabels`), Annotations,
 *   PatchJson6902, ReplicaCount, ImageTag, Replacement
 *
 * (Patch takes JSON 6902 operation lists, patch_json6902.c, and
 * strategic-merge patches, patch_smp.c.)
 *
 * Each transformer lives in its own file and has one signature: it reads
 * its own fields of the kustomization and changes the layer's resources,
 * returning 0 when its field is absent.  The pipeline refreshes the ids of
 * the resources after each transformer (names and namespaces may change).
 */
#ifndef KR_TRANSFORMERS_H
#define KR_TRANSFORMERS_H

#include "ctx.h"
#include "kustomization.h"
#include "resource.h"
#include "tconfig.h"

/* What one kustomization's transformers work on. */
typedef struct kr_layer {
	const kr_kustomization *k;
	kr_tconfig *tc;      /* merged configuration of this layer */
	kr_resmap *m;        /* the resources this layer accumulated */
} kr_layer;

typedef int (*kr_transformer_fn)(kr_ctx *ctx, kr_layer *l);

typedef struct kr_transformer {
	const char *name;
	kr_transformer_fn fn;
	/* The kustomization fields it reads: a kustomization that has none
	 * of them does not run it (nor refresh ids after it). */
	const char *fields[3];
} kr_transformer;

/* The table, in kustomize's order, NULL-terminated (transformers.c). */
extern const kr_transformer kr_transformers[];

/* Does kustomization k have any of the fields transformer t reads? */
int kr_transformer_configured(const kr_transformer *t, const kr_kustomization *k);

int kr_namespace_transform(kr_ctx *ctx, kr_layer *l);   /* namespace.c */
int kr_prefix_transform(kr_ctx *ctx, kr_layer *l);      /* prefixsuffix.c */
int kr_suffix_transform(kr_ctx *ctx, kr_layer *l);      /* prefixsuffix.c */
int kr_labels_transform(kr_ctx *ctx, kr_layer *l);      /* labels.c */
int kr_annotations_transform(kr_ctx *ctx, kr_layer *l); /* annotations.c */
int kr_replicas_transform(kr_ctx *ctx, kr_layer *l);    /* replicas.c */
int kr_images_transform(kr_ctx *ctx, kr_layer *l);      /* images.c */
int kr_patches_transform(kr_ctx *ctx, kr_layer *l);     /* patch_json6902.c */
int kr_smp_transform(kr_ctx *ctx, kr_layer *l);         /* patch_smp.c */
int kr_json6902_transform(kr_ctx *ctx, kr_layer *l);    /* patch_json6902.c */
int kr_replacements_transform(kr_ctx *ctx, kr_layer *l); /* replacements.c */

/* The namespace transformer with an explicit configuration (the
 * kustomization's `namespace:` and a NamespaceTransformer plugin config
 * share it; plugins.c). */
enum { KR_NS_SUBJECTS_DEFAULT = 0, KR_NS_SUBJECTS_ALL_SA, KR_NS_SUBJECTS_NONE };
typedef struct kr_ns_config {
	const char *ns;
	size_t len;
	const kr_fslist *specs;
	int unset_only;          /* only set fields that have no value yet */
	int subjects;            /* KR_NS_SUBJECTS_* (setRoleBindingSubjects) */
	const char *file;        /* where the namespace was configured */
	const kr_node *at;       /* and its node, for messages */
} kr_ns_config;
int kr_namespace_apply(kr_ctx *ctx, kr_resmap *m, const kr_ns_config *cfg);

/* Helpers shared by transformers. */

/* Replace a scalar's text (the node keeps its position; tag becomes
 * KR_TAG_STR unless `tag` says otherwise). */
int kr_set_scalar(kr_ctx *ctx, kr_node *n, kr_tag tag, const char *s, size_t len);

/* A string field of the kustomization (namePrefix, nameSuffix,
 * namespace), or NULL when absent, null or empty; an error (returned
 * through *rc) when it is not a YAML 1.1 string (`namePrefix: yes` and
 * `namePrefix: 5` are rejected, as kubectl rejects them; kdecode.h). */
const char *kr_kust_string(kr_ctx *ctx, const kr_kustomization *k,
                           const char *field, int *rc);

/* Set every pair of the kustomization's map[string]string `field`
 * (commonAnnotations, commonLabels) on the fields of `specs` that select
 * each resource; `noun` ("label", "annotation") names a key in messages
 * (labels.c). */
int kr_string_map_transform(kr_ctx *ctx, kr_layer *l, const char *field,
                            const char *noun, const kr_fslist *specs);

/* An object's metadata.annotations mapping, made when `create` and
 * missing; NULL when the object has no metadata mapping (or out of
 * memory, which is then recorded). */
kr_node *kr_doc_annotations(kr_ctx *ctx, kr_node *doc, int create);
/* Set one annotation to a string (nothing when the object has no
 * metadata mapping). */
int kr_doc_set_annotation(kr_ctx *ctx, kr_node *doc, const char *key, const char *val);

#endif
