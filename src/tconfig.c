/*
 * tconfig.c - building and merging transformer configurations (see
 * tconfig.h).
 */
#include "tconfig.h"

#include <string.h>

int kr_tconfig_add_nameref(kr_ctx *ctx, kr_tconfig *tc, const char *group,
                           const char *version, const char *kind,
                           const kr_fieldspec *specs, size_t n)
{
	kr_nameref *e = NULL;
	for (size_t i = 0; i < tc->name_reference_len; i++) {
		kr_nameref *x = &tc->name_reference[i];
		if (!strcmp(x->kind, kind) && !strcmp(x->group, group) &&
		    !strcmp(x->version, version)) {
			e = x;
			break;
		}
	}
	if (!e) {
		if (tc->name_reference_len == tc->name_reference_cap) {
			size_t ncap = tc->name_reference_cap ? tc->name_reference_cap * 2 : 32;
			kr_nameref *p = kr_arena_grow(&ctx->arena, tc->name_reference,
			                              tc->name_reference_len * sizeof(*p),
			                              ncap * sizeof(*p));
			if (!p)
				return kr_nomem(ctx);
			tc->name_reference = p;
			tc->name_reference_cap = ncap;
		}
		e = &tc->name_reference[tc->name_reference_len++];
		memset(e, 0, sizeof(*e));
		e->group = group;
		e->version = version;
		e->kind = kind;
	}
	return kr_fslist_add_all(ctx, &e->specs, specs, n);
}

int kr_tconfig_init_default(kr_ctx *ctx, kr_tconfig *tc)
{
	int rc;
	memset(tc, 0, sizeof(*tc));
	if ((rc = kr_fslist_add_all(ctx, &tc->name_prefix, kr_builtin_name_prefix,
	                            kr_builtin_name_prefix_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->name_suffix, kr_builtin_name_suffix,
	                            kr_builtin_name_suffix_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->name_space, kr_builtin_namespace,
	                            kr_builtin_namespace_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->common_labels, kr_builtin_common_labels,
	                            kr_builtin_common_labels_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->template_labels, kr_builtin_template_labels,
	                            kr_builtin_template_labels_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->common_annotations,
	                            kr_builtin_common_annotations,
	                            kr_builtin_common_annotations_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->images, kr_builtin_images,
	                            kr_builtin_images_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->replicas, kr_builtin_replicas,
	                            kr_builtin_replicas_len)) < 0 ||
	    (rc = kr_fslist_add_all(ctx, &tc->var_reference, kr_builtin_var_reference,
	                            kr_builtin_var_reference_len)) < 0)
		return rc;
	for (size_t i = 0; i < kr_builtin_namereference_len; i++) {
		const kr_nameref_entry *e = &kr_builtin_namereference[i];
		if ((rc = kr_tconfig_add_nameref(ctx, tc, e->group, e->version, e->kind,
		                                 e->specs, e->nspecs)) < 0)
			return rc;
	}
	return 0;
}

static int merge_list(kr_ctx *ctx, kr_fslist *dst, const kr_fslist *src)
{
	return kr_fslist_add_all(ctx, dst, src->items, src->len);
}

int kr_tconfig_merge(kr_ctx *ctx, kr_tconfig *dst, const kr_tconfig *src)
{
	int rc;
	if ((rc = merge_list(ctx, &dst->name_prefix, &src->name_prefix)) < 0 ||
	    (rc = merge_list(ctx, &dst->name_suffix, &src->name_suffix)) < 0 ||
	    (rc = merge_list(ctx, &dst->name_space, &src->name_space)) < 0 ||
	    (rc = merge_list(ctx, &dst->common_labels, &src->common_labels)) < 0 ||
	    (rc = merge_list(ctx, &dst->template_labels, &src->template_labels)) < 0 ||
	    (rc = merge_list(ctx, &dst->labels, &src->labels)) < 0 ||
	    (rc = merge_list(ctx, &dst->common_annotations, &src->common_annotations)) < 0 ||
	    (rc = merge_list(ctx, &dst->images, &src->images)) < 0 ||
	    (rc = merge_list(ctx, &dst->replicas, &src->replicas)) < 0 ||
	    (rc = merge_list(ctx, &dst->var_reference, &src->var_reference)) < 0)
		return rc;
	for (size_t i = 0; i < src->name_reference_len; i++) {
		const kr_nameref *e = &src->name_reference[i];
		if ((rc = kr_tconfig_add_nameref(ctx, dst, e->group, e->version, e->kind,
		                                 e->specs.items, e->specs.len)) < 0)
			return rc;
	}
	return 0;
}
