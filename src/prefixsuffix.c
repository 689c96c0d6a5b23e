/*
 * prefixsuffix.c - namePrefix and nameSuffix (kustomize's PrefixTransformer
 * and SuffixTransformer, api/internal/builtins/{Prefix,Suffix}
 * Transformer.go and api/filters/{prefix,suffix}).
 *
 * For every resource whose *original* id is not a CustomResourceDefinition,
 * an apiregistration.k8s.io APIService or a Namespace, and for every field
 * spec of the configuration's namePrefix (nameSuffix) list that selects
 * that original id, the field gets the prefix (suffix); when the field is
 * metadata/name the resource also records the prefix and its previous id,
 * which name references use later.
 */
#include <string.h>

#include "fieldspec.h"
#include "transformers.h"

typedef struct affix {
	const char *text;
	int is_prefix;
} affix;

static int set_affix(kr_ctx *ctx, kr_pair *field, void *ud)
{
	const affix *a = ud;
	kr_node *n = field->value;
	if (n->type != KR_SCALAR)
		return kr_fail_at(ctx, KR_EINVALID, n->file ? n->file : "?", n->line,
		                  n->col, "expected a string to add a name %s to",
		                  a->is_prefix ? "prefix" : "suffix");
	size_t alen = strlen(a->text), vlen = n->u.s.len;
	char *buf = kr_arena_alloc(&ctx->arena, alen + vlen + 1);
	if (!buf)
		return kr_nomem(ctx);
	if (a->is_prefix) {
		memcpy(buf, a->text, alen);
		memcpy(buf + alen, n->u.s.str, vlen);
	} else {
		memcpy(buf, n->u.s.str, vlen);
		memcpy(buf + vlen, a->text, alen);
	}
	return kr_set_scalar(ctx, n, KR_TAG_STR, buf, alen + vlen);
}

/* prefixFieldSpecsToSkip / suffixFieldSpecsToSkip */
static int skipped(const kr_resid *id)
{
	return !strcmp(id->kind, "CustomResourceDefinition") ||
	       (!strcmp(id->kind, "APIService") &&
	        !strcmp(id->group, "apiregistration.k8s.io")) ||
	       !strcmp(id->kind, "Namespace");
}

static int transform(kr_ctx *ctx, kr_layer *l, const char *field, int is_prefix)
{
	int rc;
	const char *text = kr_kust_string(ctx, l->k, field, &rc);
	if (rc < 0 || !text)
		return rc;
	const kr_fslist *specs = is_prefix ? &l->tc->name_prefix : &l->tc->name_suffix;
	affix a = { text, is_prefix };
	for (size_t i = 0; i < l->m->len; i++) {
		kr_resource *r = l->m->items[i];
		const kr_resid *org = kr_resource_org_id(r);
		if (skipped(org))
			continue;
		for (size_t j = 0; j < specs->len; j++) {
			const kr_fieldspec *fs = &specs->items[j];
			if (!kr_fieldspec_selects(fs, org))
				continue;
			if (!strcmp(fs->path, "metadata/name")) {
				rc = is_prefix ? kr_resource_add_prefix(&ctx->arena, r, text)
				               : kr_resource_add_suffix(&ctx->arena, r, text);
				if (rc < 0 || kr_resource_store_previous_id(&ctx->arena, r) < 0)
					return kr_nomem(ctx);
			}
			rc = kr_fieldspec_walk(ctx, r->doc, fs, KR_CREATE_SCALAR, set_affix, &a);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int kr_prefix_transform(kr_ctx *ctx, kr_layer *l)
{
	return transform(ctx, l, "namePrefix", 1);
}

int kr_suffix_transform(kr_ctx *ctx, kr_layer *l)
{
	return transform(ctx, l, "nameSuffix", 0);
}
