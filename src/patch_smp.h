/*
 * patch_smp.h - strategic-merge patches in a kustomization (see
 * patch_smp.c) and the `openapi` field.
 */
#ifndef KR_PATCH_SMP_H
#define KR_PATCH_SMP_H

#include "transformers.h"

/* A `patches:` entry whose text is a strategic-merge patch. */
typedef struct kr_smp_entry {
	const char *what;          /* "patches[2]" */
	const kr_node *at;         /* the entry, for positions */
	const kr_node *target;     /* NULL: each patch finds its object by id */
	const char *text;
	size_t len;
	const char *src_file;      /* display name of the text */
	const char *src;           /* the patch named in messages */
	int allow_name, allow_kind;
} kr_smp_entry;

int kr_smp_patches_entry(kr_ctx *ctx, kr_layer *l, const kr_smp_entry *e);

/* The kustomization's `openapi:` (top: the top-level kustomization, whose
 * choice always wins; otherwise the first one met counts). */
int kr_openapi_configure(kr_ctx *ctx, const kr_kustomization *k, int top);

#endif
