/*
 * components.h - kustomize's `components:` (kind: Component, apiVersion
 * kustomize.config.k8s.io/v1alpha1).
 *
 * A kustomization builds its resources into a fresh accumulator; a
 * component does not: it runs on the accumulator of the kustomization that
 * lists it, in the middle of that kustomization's own work (kustomize
 * v5.5.0's accumulateTarget and accumulateDirectory with isComponent):
 *
 *   parent: resources, configurations/crds, generators,
 *     component 1: its resources appended to the parent's, its
 *       configuration merged, its generators (merge/replace see what the
 *       parent has so far), its own components, its transformers over
 *       everything accumulated so far;
 *     component 2: the same, on the result;
 *   parent: its transformers.
 *
 * Each component's directory is opened as a resource directory is (no
 * load restriction on directories, cycles and absolute paths refused) but
 * must be a directory and hold a Component.  After a component, its result
 * is re-added to an empty map, as kustomize's MergeAccumulator does, so a
 * component whose transformers give two objects one id fails there.
 */
#ifndef KR_COMPONENTS_H
#define KR_COMPONENTS_H

#include "build.h"

/* Apply every component of kustomization k, in order, to (m, tc); `chain`
 * starts at k's root.  Does nothing when k has no components. */
struct kr_varset;  /* vars.h */

int kr_components_accumulate(kr_ctx *ctx, const kr_kustomization *k,
                             const kr_root_chain *chain, kr_resmap *m,
                             kr_tconfig *tc, struct kr_varset *vs);

#endif
