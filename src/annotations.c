/*
 * annotations.c - the `commonAnnotations` field of a kustomization
 * (kustomize's AnnotationsTransformer, api/internal/builtins/
 * AnnotationsTransformer.go with api/filters/annotations).
 *
 * Every pair is set, as a string, on every field of the configuration's
 * commonAnnotations table that selects a resource (metadata/annotations of
 * everything, and the pod template annotations of the workload kinds),
 * creating the mappings on the way.  The decoding of the map and the
 * setting are the same as for commonLabels and are shared with labels.c
 * (kr_string_map_transform, transformers.h): values must be strings to
 * kustomize's kustomization decoder (`a: 1` is rejected, kdecode.h), null
 * is "".
 */
#include "transformers.h"

int kr_annotations_transform(kr_ctx *ctx, kr_layer *l)
{
	return kr_string_map_transform(ctx, l, "commonAnnotations", "annotation",
	                               &l->tc->common_annotations);
}
