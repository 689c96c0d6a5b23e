/*
 * transformers.c - the table of builtin transformers in kustomize's order
 * (see transformers.h), and helpers they share.
 */
#include "transformers.h"

#include <string.h>

#include "kdecode.h"

const kr_transformer kr_transformers[] = {
	/* kustomize's order (transformers.h). */
	{ "patchesStrategicMerge", kr_smp_transform, { "patchesStrategicMerge" } },
	{ "patches", kr_patches_transform, { "patches" } },
	{ "namespace", kr_namespace_transform, { "namespace" } },
	{ "prefix", kr_prefix_transform, { "namePrefix" } },
	{ "suffix", kr_suffix_transform, { "nameSuffix" } },
	{ "labels", kr_labels_transform, { "labels", "commonLabels" } },
	{ "annotations", kr_annotations_transform, { "commonAnnotations" } },
	{ "patchesJson6902", kr_json6902_transform, { "patchesJson6902" } },
	{ "replicas", kr_replicas_transform, { "replicas" } },
	{ "images", kr_images_transform, { "images", "imageTags" } },
	{ "replacements", kr_replacements_transform, { "replacements" } },
	{ NULL, NULL, { NULL } }
};

int kr_transformer_configured(const kr_transformer *t, const kr_kustomization *k)
{
	for (size_t i = 0; i < sizeof(t->fields) / sizeof(t->fields[0]) && t->fields[i]; i++)
		if (kr_map_get(k->doc, t->fields[i]))
			return 1;
	return 0;
}

int kr_set_scalar(kr_ctx *ctx, kr_node *n, kr_tag tag, const char *s, size_t len)
{
	char *copy = kr_arena_strndup(&ctx->arena, s, len);
	if (!copy)
		return kr_nomem(ctx);
	n->type = KR_SCALAR;
	n->tag = (uint8_t)tag;
	n->style = KR_STYLE_PLAIN;
	n->flags = 0;
	n->u.s.str = copy;
	n->u.s.len = len;
	return 0;
}

const char *kr_kust_string(kr_ctx *ctx, const kr_kustomization *k,
                           const char *field, int *rc)
{
	const char *s = "";
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof) {
		*rc = kr_nomem(ctx);
		return NULL;
	}
	*rc = kr_kust_decode_string(ctx, k, kr_map_get(k->doc, field), field, gof, &s);
	return *rc < 0 || !s[0] ? NULL : s;
}

kr_node *kr_doc_annotations(kr_ctx *ctx, kr_node *doc, int create)
{
	kr_node *md = kr_map_get(doc, "metadata");
	if (!md || md->type != KR_MAP)
		return NULL;
	kr_node *ann = kr_map_get(md, "annotations");
	if (ann && ann->type == KR_MAP)
		return ann;
	if (!create)
		return NULL;
	ann = kr_node_map(&ctx->arena, 2);
	if (!ann || kr_map_set(&ctx->arena, md, "annotations", ann) < 0) {
		kr_nomem(ctx);
		return NULL;
	}
	return ann;
}

int kr_doc_set_annotation(kr_ctx *ctx, kr_node *doc, const char *key, const char *val)
{
	kr_node *md = kr_map_get(doc, "metadata");
	if (!md || md->type != KR_MAP)
		return 0;   /* no metadata mapping: nothing to annotate */
	kr_node *ann = kr_doc_annotations(ctx, doc, 1);
	kr_node *v = kr_node_str(&ctx->arena, val);
	if (!ann || !v || kr_map_set(&ctx->arena, ann, key, v) < 0)
		return kr_nomem(ctx);
	return 0;
}
