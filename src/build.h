/*
 * build.h - the build pipeline, top to bottom:
 *   load kustomization -> accumulate resources (files, sub-kustomizations)
 *   -> [generators -> transformers: later] -> drop local-config objects
 *   -> sort -> emit.
 */
#ifndef KR_BUILD_H
#define KR_BUILD_H

#include "buf.h"
#include "ctx.h"
#include "resource.h"

struct kr_build {
	kr_ctx ctx;
	int ran;
	kr_resmap result;
	kr_buf out;            /* the YAML stream */
	size_t *offsets;       /* start of each resource's text in out; len+1 */
	char **file_names;     /* -o DIR names, made on demand */
};

/* Build the kustomization in `dir` into b->result (sorted). */
int kr_build_resources(struct kr_build *b, const char *dir);

/* Load the resources of one YAML/JSON file (kustomize's
 * resource.Factory.SliceFromBytes): documents in order, `*List` kinds
 * flattened, empty documents skipped.  Appends to `m`. */
int kr_load_resource_file(kr_ctx *ctx, const char *path, const char *display,
                          kr_resmap *m);

/* Annotation values as kustomize keeps them (map[string]string): every
 * scalar becomes a string of its text, anything else "", and an empty
 * `annotations: {}` goes. */
int kr_normalise_annotations(kr_ctx *ctx, kr_node *doc);

#endif
