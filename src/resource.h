/*
 * resource.h - a Kubernetes object in a build, its id, and the resource map.
 *
 * A resource id is (group, version, kind, name, namespace), as kustomize's
 * resid.ResId.  Two ids are equal when group, version, kind and name are
 * equal and their *effective* namespaces are: cluster-scoped kinds have no
 * namespace, and "" means "default".
 *
 * The resource map (kustomize's resmap) is an ordered vector plus an xxHash
 * index on the full current id, so adding N resources with duplicate checks
 * is O(N).  Each resource keeps the id it was loaded with (orig) beside its
 * current id (cur); name references need both.
 */
#ifndef KR_RESOURCE_H
#define KR_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "node.h"

typedef struct kr_resid {
	const char *group;
	const char *version;
	const char *kind;
	const char *name;
	const char *ns;     /* "" when not set */
} kr_resid;

typedef struct kr_resource {
	kr_node *doc;       /* the object, a mapping */
	kr_resid orig;      /* id when loaded */
	kr_resid cur;       /* id now */
	int cluster_scoped; /* kind known to be cluster-scoped */
	/* Ids before renames, oldest first, as kustomize's StorePreviousId
	 * records them (the namespace is the effective one: "default" for
	 * none).  kustomize's OrgId is prev[0] when there is one. */
	kr_resid *prev;
	uint32_t nprev, capprev;
	/* Name prefixes and suffixes added by the prefix/suffix transformers,
	 * in the order applied (kustomize's build annotations). */
	const char **prefixes, **suffixes;
	uint32_t nprefixes, nsuffixes;
	/* Made by a generator that wants a hash suffix on the name
	 * (kustomize's needs-hash build annotation; generators.h). */
	int needs_hash;
	/* Made (or merged into) by a generator: kustomize marks it with
	 * internal build annotations, which JSON patches can see. */
	int generated;
	/* Names of the vars whose objref matched this resource (kustomize's
	 * refVarNames; vars.c). */
	const char **refvars;
	uint32_t nrefvars;
} kr_resource;

typedef struct kr_resmap {
	kr_resource **items;
	size_t len, cap;
	uint32_t *slots;    /* open addressing: index+1 into items, 0 = empty */
	size_t nslots;      /* power of two, or 0 before the first insert */
} kr_resmap;

/* Is (apiVersion, kind) certainly cluster-scoped in kustomize's view? */
int kr_kind_is_cluster_scoped(const char *api_version, const char *kind);

/* Is (apiVersion, kind) in kustomize's precomputed scope table (so
 * asking its scope does not load the OpenAPI schema)? */
int kr_kind_is_precomputed(const char *api_version, const char *kind);

/* Read the id of `doc` (apiVersion, kind, metadata.name/namespace).  The
 * group is copied into arena `a`; with a == NULL it is left "" for the
 * caller to fill in. */
int kr_resid_from_doc(kr_arena *a, kr_resid *id, const kr_node *doc);
/* The id's namespace as compared: "" for cluster-scoped kinds, "default"
 * for an empty namespace. */
const char *kr_resid_effective_ns(const kr_resid *id, int cluster_scoped);
/* kustomize's ResId.Equals: group, version, kind, name and the
 * effective namespaces are equal (acs/bcs: cluster-scoped). */
int kr_resid_equal(const kr_resid *a, int acs, const kr_resid *b, int bcs);
/* kustomize's ResId.String(), e.g. "Deployment.v1.apps/web.prod", into the
 * arena. */
char *kr_resid_string(kr_arena *a, const kr_resid *id);

/* Make a resource of a document (which must be a mapping with kind and
 * metadata.name; the caller has checked). */
kr_resource *kr_resource_new(kr_arena *a, kr_node *doc);
/* Re-read cur from the document after a transformer changed it. */
int kr_resource_refresh_id(kr_arena *a, kr_resource *r);

/* Record the current id as a previous one (kustomize's StorePreviousId). */
int kr_resource_store_previous_id(kr_arena *a, kr_resource *r);
/* kustomize's OrgId: the first previous id, or the current one. */
const kr_resid *kr_resource_org_id(const kr_resource *r);
/* Record an added name prefix / suffix. */
int kr_resource_add_prefix(kr_arena *a, kr_resource *r, const char *p);
int kr_resource_add_suffix(kr_arena *a, kr_resource *r, const char *s);

/* Append `r`; fails with kustomize's "already registered id" error when a
 * resource of an equal current id is present. */
int kr_resmap_append(kr_ctx *ctx, kr_resmap *m, kr_resource *r);
/* Append every resource of `src` in order (with the same check). */
int kr_resmap_append_all(kr_ctx *ctx, kr_resmap *m, const kr_resmap *src);
/* The resource whose current id equals `id`, or NULL. */
kr_resource *kr_resmap_get(const kr_resmap *m, const kr_resid *id,
                           int cluster_scoped);
/* Rebuild the index after ids changed or items were reordered/removed. */
int kr_resmap_reindex(kr_ctx *ctx, kr_resmap *m);

#endif
