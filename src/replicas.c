/*
 * replicas.c - the `replicas:` field of a kustomization: kustomize's
 * ReplicaCountTransformer (api/internal/builtins/ReplicaCountTransformer.go,
 * api/filters/replicacount, api/types/replica.go).
 *
 * For every entry {name, count}, in order, and every field spec of the
 * configuration's `replicas` list (spec/replicas of Deployment,
 * ReplicationController, ReplicaSet and StatefulSet, created when
 * missing): the resources that have *any* id - the current one or one
 * they had before a rename (GetMatchingResourcesByAnyId) - with that name
 * and a kind the spec selects get the field set to the count, an int.
 * So after a namePrefix, in the same layer or an overlay, both the
 * original and the prefixed name select the resource
 * (tr_replicas_prefix_names).  When no spec selects any resource the
 * transformer fails: "resource with name X does not match a config with
 * the following GVK [...]", even for an entry whose target simply does not
 * exist (tr_replicas_err_no_match).
 *
 * The count is decoded as Go decodes JSON into an int64 (kdecode.h): 3, 0x10,
 * 1_0, 3.0 and 1e3 are fine, "3", 3.5, true and 2^63 are errors, a missing or
 * null count is 0, and a negative one is kept (tr_replicas_count_forms).
 *
 * The new value keeps the old node's style (kyaml's FieldSetter), and
 * kustomize prints the tree and reads it back: a quoted or block-scalar
 * `replicas: "1"` becomes the *string* "3", a plain or explicitly tagged
 * one the int 3 (tr_replicas_value_styles).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fieldspec.h"
#include "kdecode.h"
#include "sort.h"
#include "transformers.h"

typedef struct setter {
	int64_t count;
} setter;

static int set_count(kr_ctx *ctx, kr_pair *field, void *ud)
{
	const setter *s = ud;
	kr_node *old = field->value;
	if (old->type != KR_SCALAR)
		return kr_fail_at(ctx, KR_EINVALID, old->file ? old->file : "?", old->line,
		                  old->col, "replicas must be a scalar, not a %s (kubectl: "
		                  "wrong node kind: expected ScalarNode but got %s)",
		                  old->type == KR_MAP ? "mapping" : "list",
		                  old->type == KR_MAP ? "MappingNode" : "SequenceNode");
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%lld", (long long)s->count);
	/* A quoted or block scalar stays one after the update: kustomize's
	 * output then reads the number back as a string. */
	int as_string = !(old->flags & KR_NODE_TAGGED) && old->tag != KR_TAG_NULL &&
	                old->style != KR_STYLE_PLAIN;
	uint8_t style = old->style;
	if (kr_set_scalar(ctx, old, as_string ? KR_TAG_STR : KR_TAG_INT, buf,
	                  (size_t)len) < 0)
		return kr_nomem(ctx);
	if (as_string) {
		old->style = style;
		old->flags |= KR_NODE_TAGGED; /* never a timestamp */
	}
	return 0;
}

/* Has `r` (now or before a rename) this name and a GVK `fs` selects? */
static int matches_any_id(const kr_resource *r, const kr_fieldspec *fs,
                          const char *name)
{
	for (uint32_t i = 0; i < r->nprev; i++)
		if (!strcmp(r->prev[i].name, name) && kr_fieldspec_selects(fs, &r->prev[i]))
			return 1;
	return !strcmp(r->cur.name, name) && kr_fieldspec_selects(fs, &r->cur);
}

static int gvk_less(const kr_fieldspec *a, const kr_fieldspec *b)
{
	return kr_gvk_less(a->group, a->version, a->kind, b->group, b->version, b->kind);
}

/* The "does not match" error, listing the specs as kustomize does: sorted
 * by its TransformerConfig.sortFields, each as Gvk.String(). */
static int no_match(kr_ctx *ctx, const kr_fslist *specs, const char *name)
{
	size_t n = specs->len;
	const kr_fieldspec **v = kr_arena_alloc(&ctx->arena, (n ? n : 1) * sizeof(*v));
	kr_buf b = { 0 };
	if (!v)
		return kr_nomem(ctx);
	for (size_t i = 0; i < n; i++) {
		/* insertion sort: stable, as Go's sort.Sort is for short lists */
		size_t j = i;
		while (j > 0 && gvk_less(&specs->items[i], v[j - 1])) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = &specs->items[i];
	}
	for (size_t i = 0; i < n; i++)
		kr_buf_printf(&b, "%s%s.%s.%s", i ? " " : "",
		              v[i]->kind[0] ? v[i]->kind : "[noKind]",
		              v[i]->version[0] ? v[i]->version : "[noVer]",
		              v[i]->group[0] ? v[i]->group : "[noGrp]");
	if (b.failed) {
		kr_buf_free(&b);
		return kr_nomem(ctx);
	}
	int rc = kr_fail(ctx, KR_EINVALID, "resource with name %s does not match a "
	                 "config with the following GVK [%s]", name,
	                 b.data ? b.data : "");
	kr_buf_free(&b);
	return rc;
}

int kr_replicas_transform(kr_ctx *ctx, kr_layer *l)
{
	static const char *const names[] = { "name", "count" };
	const kr_kustomization *k = l->k;
	const kr_node *seq;
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, "replicas"), "replicas",
	                             NULL, "Kustomization.replicas", "[]types.Replica",
	                             &seq);
	if (rc < 0 || !seq)
		return rc;
	/* Decode every entry first: kustomize rejects a bad one at load. */
	size_t n = seq->u.q.len;
	const char **ename = kr_arena_alloc(&ctx->arena, (n ? n : 1) * sizeof(*ename));
	int64_t *ecount = kr_arena_alloc(&ctx->arena, (n ? n : 1) * sizeof(*ecount));
	if (!ename || !ecount)
		return kr_nomem(ctx);
	for (size_t i = 0; i < n; i++) {
		kr_kmembers mm;
		char *what = kr_arena_printf(&ctx->arena, "replicas[%zu]", i);
		char *wn = kr_arena_printf(&ctx->arena, "replicas[%zu].name", i);
		char *wc = kr_arena_printf(&ctx->arena, "replicas[%zu].count", i);
		if (!what || !wn || !wc)
			return kr_nomem(ctx);
		ename[i] = "";
		ecount[i] = 0;
		if ((rc = kr_kust_decode_struct(ctx, k, seq->u.q.items[i], what, NULL,
		                                "Kustomization.replicas", "types.Replica",
		                                &mm)) < 0)
			return rc;
		for (uint32_t j = 0; j < mm.len; j++) {
			const kr_kmember *kv = &mm.items[j];
			int f = kr_kust_decode_member(ctx, k, kv, what, names, 2);
			if (f < 0)
				return f;
			rc = f == 0 ? kr_kust_decode_string(ctx, k, kv->value, wn,
			                                    "Replica.replicas.name", &ename[i])
			            : kr_kust_decode_int64(ctx, k, kv->value, wc,
			                                   "Replica.replicas.count", &ecount[i]);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t i = 0; i < n; i++) {
		setter s = { ecount[i] };
		int found = 0;
		for (size_t j = 0; j < l->tc->replicas.len; j++) {
			const kr_fieldspec *fs = &l->tc->replicas.items[j];
			for (size_t x = 0; x < l->m->len; x++) {
				kr_resource *r = l->m->items[x];
				if (!matches_any_id(r, fs, ename[i]))
					continue;
				found = 1;
				/* the filter itself checks the current GVK */
				if (!kr_fieldspec_selects(fs, &r->cur))
					continue;
				rc = kr_fieldspec_walk(ctx, r->doc, fs, KR_CREATE_SCALAR,
				                       set_count, &s);
				if (rc < 0) {
					char *id = kr_resid_string(&ctx->arena, &r->cur);
					return kr_wrap(ctx, "considering field '%s' of object %s",
					               fs->path, id ? id : r->cur.name);
				}
			}
		}
		if (!found)
			return no_match(ctx, &l->tc->replicas, ename[i]);
	}
	return 0;
}
