/*
 * resfactory.h - objects from YAML text, as kustomize's
 * resource.Factory.SliceFromBytes reads them (resource files and
 * strategic-merge patches alike): documents split as kyaml's ByteReader
 * splits them, empty ones skipped, each a mapping with a kind and (unless
 * a *List) a metadata.name, the items of a *List queued behind the other
 * documents, and annotation values rewritten as strings of their text
 * (the ByteReader's index annotation round trip).
 */
#ifndef KR_RESFACTORY_H
#define KR_RESFACTORY_H

#include "ctx.h"
#include "parse.h"

/* Append the objects of `data` (named `display` in messages) to `out`. */
int kr_resource_docs_from_bytes(kr_ctx *ctx, const char *display, const char *data,
                                size_t len, kr_doclist *out);

/* Annotation values as kustomize keeps them (map[string]string): every
 * scalar becomes a string of its text, anything else "", and an empty or
 * null `annotations` goes. */
int kr_normalise_annotations(kr_ctx *ctx, kr_node *doc);

#endif
