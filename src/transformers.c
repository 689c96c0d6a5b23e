/*
 * transformers.c - the table of builtin transformers in kustomize's order
 * (see transformers.h), and helpers they share.
 */
#include "transformers.h"

#include <string.h>

#include "kdecode.h"

const kr_transformer kr_transformers[] = {
	/* kustomize's order (transformers.h). */
	{ "patchesStrategicMerge", kr_smp_transform },
	{ "patches", kr_patches_transform },
	{ "namespace", kr_namespace_transform },
	{ "prefix", kr_prefix_transform },
	{ "suffix", kr_suffix_transform },
	{ "labels", kr_labels_transform },
	{ "annotations", kr_annotations_transform },
	{ "patchesJson6902", kr_json6902_transform },
	{ "replicas", kr_replicas_transform },
	{ "images", kr_images_transform },
	{ "replacements", kr_replacements_transform },
	{ NULL, NULL }
};

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
