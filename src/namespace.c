/*
 * namespace.c - the kustomization's `namespace:` (kustomize v5.5.0's
 * NamespaceTransformer, api/internal/builtins/NamespaceTransformer.go and
 * api/filters/namespace), configured as kusttarget_configplugin.go does:
 * the namespace, the configuration's namespace field specs, role-binding
 * subjects mode "defaultOnly", unsetOnly false.
 *
 * For every resource, in order, the resource's id is stored as a previous
 * id (name references look resources up by it later), then:
 *  - field specs for metadata/namespace are dropped, and so are field specs
 *    for metadata/name unless the resource's apiVersion is exactly "v1"
 *    (so a v1 Namespace object is renamed to the namespace, while a
 *    Namespace of another apiVersion is an ordinary namespaced object);
 *  - a resource whose kind is not known to be cluster-scoped (src/scope.c)
 *    gets metadata.namespace set, created when missing, whatever it was;
 *  - for kinds RoleBinding and ClusterRoleBinding (of any group), field
 *    specs of those kinds for subjects/namespace are dropped, and every
 *    subject whose name is exactly "default" gets its namespace set
 *    (whatever its kind: a User named default too);
 *  - every remaining field spec that selects the resource is walked,
 *    creating missing fields when the spec says create, and the field at
 *    the end of its path is set to the namespace (APIService
 *    spec.service.namespace, a CRD's conversion webhook service namespace
 *    when present, and whatever `configurations:` add).
 * Two resources that end up with equal ids are an error.
 */
#include <string.h>

#include "fieldspec.h"
#include "transformers.h"

typedef struct ns_value {
	const char *text;
	size_t len;
	int unset_only;
} ns_value;

static int is_null(const kr_node *n)
{
	return n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

static const char *kind_name(const kr_node *n)
{
	return n->type == KR_MAP ? "MappingNode"
	       : n->type == KR_SEQ ? "SequenceNode" : "ScalarNode";
}

static const char *file_of(const kr_node *n)
{
	return n->file ? n->file : "?";
}

/* kustomize's SetEntry("", namespace, "!!str"): the target must be a
 * scalar (null included); it becomes the namespace string.  With unsetOnly
 * (SetEntryIfEmpty) a scalar that already has a non-empty value is kept. */
static int set_namespace(kr_ctx *ctx, kr_pair *field, void *ud)
{
	const ns_value *v = ud;
	kr_node *n = field->value;
	if (v->unset_only && n->type == KR_SCALAR && !is_null(n) && n->u.s.len > 0)
		return 0;
	if (n->type != KR_SCALAR)
		return kr_fail_at(ctx, KR_EINVALID, file_of(n), n->line, n->col,
		                  "namespace field specs must target scalar nodes: "
		                  "wrong node kind: expected ScalarNode but got %s",
		                  kind_name(n));
	return kr_set_scalar(ctx, n, KR_TAG_STR, v->text, v->len);
}

/* roleBindingHack: in defaultOnly mode subjects named "default" get the
 * namespace (TestRoleBinding* conformance cases; tr_namespace_rolebinding),
 * in allServiceAccounts mode subjects of kind ServiceAccount. */
static int set_default_subjects(kr_ctx *ctx, kr_node *doc, ns_value *v, int mode)
{
	const char *field = mode == KR_NS_SUBJECTS_ALL_SA ? "kind" : "name";
	const char *want = mode == KR_NS_SUBJECTS_ALL_SA ? "ServiceAccount" : "default";
	size_t wlen = strlen(want);
	kr_node *subjects = kr_map_get(doc, "subjects");
	if (!subjects || is_null(subjects))
		return 0;
	if (subjects->type != KR_SEQ)
		return kr_fail_at(ctx, KR_EINVALID, file_of(subjects), subjects->line,
		                  subjects->col, "setting namespace on (cluster)role "
		                  "binding subjects: wrong node kind: expected "
		                  "SequenceNode but got %s", kind_name(subjects));
	for (uint32_t i = 0; i < subjects->u.q.len; i++) {
		kr_node *s = subjects->u.q.items[i];
		if (is_null(s))
			continue;
		if (s->type != KR_MAP)
			return kr_fail_at(ctx, KR_EINVALID, file_of(s), s->line, s->col,
			                  "looking up %s on (cluster)role binding subject: "
			                  "wrong node kind: expected MappingNode but got %s",
			                  field, kind_name(s));
		kr_node *name = kr_map_get(s, field);
		if (!name || is_null(name))
			continue;
		if (name->type != KR_SCALAR)
			return kr_fail_at(ctx, KR_EINVALID, file_of(name), name->line,
			                  name->col, "looking up %s on (cluster)role "
			                  "binding subject: wrong node kind: expected "
			                  "ScalarNode but got %s", field, kind_name(name));
		if (name->u.s.len != wlen || memcmp(name->u.s.str, want, wlen))
			continue;
		kr_pair *ns = kr_map_find(s, "namespace", 9);
		if (!ns) {
			kr_node *k = kr_node_str(&ctx->arena, "namespace");
			kr_node *e = kr_node_scalar(&ctx->arena, KR_TAG_STR, "", 0);
			if (!k || !e || kr_map_append(&ctx->arena, s, k, e) < 0)
				return kr_nomem(ctx);
			ns = &s->u.m.items[s->u.m.len - 1];
		}
		int rc = set_namespace(ctx, ns, v);
		if (rc < 0)
			return kr_wrap(ctx, "setting namespace on (cluster)role binding "
			               "subjects");
	}
	return 0;
}

static int is_role_binding(const char *kind)
{
	return !strcmp(kind, "RoleBinding") || !strcmp(kind, "ClusterRoleBinding");
}

static const kr_fieldspec meta_namespace = {
	"", "", "", "metadata/namespace", 1
};

/* The namespace filter on one resource (kustomize's Filter.run). */
static int apply(kr_ctx *ctx, kr_resource *r, const kr_fslist *specs, ns_value *v,
                 int mode)
{
	const char *api = kr_node_get_str(r->doc, "apiVersion", NULL);
	int is_v1 = api && !strcmp(api, "v1");
	int rb = is_role_binding(r->cur.kind);
	int rc;

	/* metaNamespaceHack: only on kinds not known to be cluster-scoped. */
	if (!r->cluster_scoped) {
		rc = kr_fieldspec_walk(ctx, r->doc, &meta_namespace, KR_CREATE_SCALAR,
		                       set_namespace, v);
		if (rc < 0)
			return rc;
	}
	if (rb && mode != KR_NS_SUBJECTS_NONE &&
	    (rc = set_default_subjects(ctx, r->doc, v, mode)) < 0)
		return rc;
	for (size_t i = 0; i < specs->len; i++) {
		const kr_fieldspec *fs = &specs->items[i];
		/* removeUnneededMetaFieldSpecs */
		if (!strcmp(fs->path, "metadata/namespace"))
			continue;
		if (!is_v1 && !strcmp(fs->path, "metadata/name"))
			continue;
		/* removeRoleBindingSubjectFieldSpecs */
		if (rb && is_role_binding(fs->kind) && !strcmp(fs->path, "subjects/namespace"))
			continue;
		if (!kr_fieldspec_selects(fs, &r->cur))
			continue;
		rc = kr_fieldspec_walk(ctx, r->doc, fs, KR_CREATE_SCALAR, set_namespace, v);
		if (rc < 0)
			return kr_wrap(ctx, "namespace transformation failed: considering "
			               "field '%s'", fs->path);
	}
	return 0;
}

/* The id a resource had before this transformer (the previous id it just
 * stored), for messages. */
static char *before_string(kr_ctx *ctx, const kr_resource *r)
{
	kr_resid id = r->nprev ? r->prev[r->nprev - 1] : r->cur;
	if (!strcmp(id.ns, "_non_namespaceable_"))
		id.ns = "";
	return kr_resid_string(&ctx->arena, &id);
}

int kr_namespace_transform(kr_ctx *ctx, kr_layer *l)
{
	const kr_kustomization *k = l->k;
	const kr_node *node = kr_map_get(k->doc, "namespace");
	int rc;
	/* The kustomization is decoded with YAML 1.1 typing into a Go string:
	 * `namespace: 5` or `namespace: yes` are errors
	 * (tr_namespace_err_not_string). */
	if (!kr_kust_string(ctx, k, "namespace", &rc))
		return rc;
	kr_ns_config cfg = { node->u.s.str, node->u.s.len, &l->tc->name_space, 0,
	                     KR_NS_SUBJECTS_DEFAULT, k->file, node };
	return kr_namespace_apply(ctx, l->m, &cfg);
}

int kr_namespace_apply(kr_ctx *ctx, kr_resmap *m, const kr_ns_config *cfg)
{
	int rc;
	ns_value v = { cfg->ns, cfg->len, cfg->unset_only };
	const kr_node *node = cfg->at;

	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		if (kr_resource_store_previous_id(&ctx->arena, r) < 0)
			return kr_nomem(ctx);
		if ((rc = apply(ctx, r, cfg->specs, &v, cfg->subjects)) < 0) {
			char *id = kr_resid_string(&ctx->arena, &r->cur);
			return kr_wrap(ctx, "object %s", id ? id : r->cur.name);
		}
		if (kr_resource_refresh_id(&ctx->arena, r) < 0)
			return kr_nomem(ctx);
	}

	/* kustomize checks after each resource that its new id is unique; the
	 * result is the same as one check at the end (tr_namespace_err_conflict). */
	kr_resmap seen = { 0 };
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		kr_resource *other = kr_resmap_get(&seen, &r->cur, r->cluster_scoped);
		if (other) {
			char *a = before_string(ctx, other);
			char *b = before_string(ctx, r);
			char *c = kr_resid_string(&ctx->arena, &r->cur);
			if (!a || !b || !c)
				return kr_nomem(ctx);
			return kr_fail_at(ctx, KR_EINVALID, cfg->file, node->line, node->col,
			                  "namespace transformation produces ID conflict: "
			                  "%s and %s both become %s", a, b, c);
		}
		if ((rc = kr_resmap_append(ctx, &seen, r)) < 0)
			return rc;
	}
	return 0;
}
