/*
 * labels.c - the `labels` and `commonLabels` fields of a kustomization
 * (kustomize's LabelTransformer as its configurator in
 * api/internal/target/kusttarget_configplugin.go builds it, with
 * api/filters/labels and filtersutil.SetEntry), and the string-map setter
 * that annotations.c shares.
 *
 * Each entry of `labels:` is one transformer, run in order, then
 * `commonLabels` is one more.  An entry's field specs are its own `fields`
 * (kept as written, duplicates and all), merged with the configuration's
 * `labels` specs, then with the whole commonLabels table when
 * includeSelectors is set, or else with the template table (when
 * includeTemplates is set) and metadata/labels (create).  `commonLabels`
 * uses the configuration's commonLabels table.  A merge conflict (same
 * path, different `create`) is an error, as in kustomize.
 *
 * Applying a map of pairs, per resource, per key in sorted order, per field
 * spec: the walk creates missing mappings where the spec says `create`,
 * and at the end the key is set to the value as a string:
 *  - a mapping gets the key replaced or appended;
 *  - a null that was not created stays null (kustomize appends the pair
 *    to the null node, which never prints; tr_labels_nulls).  Not
 *    reproduced: when a later spec with `create` turns that same null
 *    into a mapping, kustomize's hidden pairs come back with it (a
 *    `fields` entry without create on a null Deployment
 *    spec/selector/matchLabels, then commonLabels); krender drops them;
 *  - any other scalar or a sequence is an error ("wrong node kind");
 *  - the empty key replaces a null or scalar with the value and is an
 *    error on a mapping (FieldSetter with no name;
 *    tr_annotations_err_empty_key).
 * A new key that go-yaml v3 would read back as a non-string ("1", "true",
 * "null") makes kustomize fail when it prints the object; krender fails
 * when it sets it.
 *
 * The kustomization's fields are decoded as kustomize decodes them
 * (kdecode.h): YAML to JSON with go-yaml v2 (YAML 1.1 resolution, so
 * `yes`, `on`, `y`, `0x1F`, `1_000` are not strings:
 * tr_labels_err_yaml11_bool) and then json.Decoder into Go types with
 * DisallowUnknownFields and case-insensitive field names.  A value that is
 * not a string is an error (`commonLabels: {a: 1}` is rejected:
 * tr_labels_err_number); null is "" (`{a: }` sets a: "").  A key that
 * go-yaml v2 reads as a non-string (`1:`, `true:`, `yes:`) is refused:
 * sigs.k8s.io/yaml turns it into a string ("1", "true") that kustomize
 * then cannot print as a key (krender does not reproduce the one
 * exception, an object that already has that key).  A null key is
 * kustomize's "unsupported map key" error.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldspec.h"
#include "kdecode.h"
#include "transformers.h"

/* ------------------------------------------------------------------------
 * Decoding the kustomization's fields.
 * ------------------------------------------------------------------------ */

typedef struct label_entry {
	kr_strmap pairs;
	int include_selectors, include_templates;
	kr_fslist fields;   /* as written, not merged */
} label_entry;

/* types.FieldSpec: group, version, kind, path, create. */
static int decode_fieldspec(kr_ctx *ctx, const kr_kustomization *k, const char *what,
                            const kr_node *n, kr_fieldspec *fs)
{
	static const char *const names[] = { "group", "version", "kind", "path", "create" };
	const char **strs[4] = { &fs->group, &fs->version, &fs->kind, &fs->path };
	kr_kmembers mm;
	memset(fs, 0, sizeof(*fs));
	fs->group = fs->version = fs->kind = fs->path = "";
	int rc = kr_kust_decode_struct(ctx, k, n, what, "a field spec (a mapping)",
	                               "Label.labels.fields", "types.FieldSpec", &mm);
	for (uint32_t i = 0; rc == 0 && i < mm.len; i++) {
		const kr_kmember *kv = &mm.items[i];
		int f = kr_kust_decode_member(ctx, k, kv, what, names, 5);
		if (f < 0)
			return f;
		char *gof = kr_arena_printf(&ctx->arena, "FieldSpec.labels.fields.%s",
		                            names[f]);
		if (!gof)
			return kr_nomem(ctx);
		rc = f < 4 ? kr_kust_decode_string(ctx, k, kv->value, names[f], gof, strs[f])
		           : kr_kust_decode_bool(ctx, k, kv->value, names[f], gof, &fs->create);
	}
	return rc;
}

static int decode_label(kr_ctx *ctx, const kr_kustomization *k, uint32_t idx,
                        const kr_node *n, label_entry *e)
{
	static const char *const names[] = {
		"pairs", "includeSelectors", "includeTemplates", "fields"
	};
	kr_kmembers mm;
	memset(e, 0, sizeof(*e));
	char *where = kr_arena_printf(&ctx->arena, "labels[%u]", idx);
	char *pairs_what = kr_arena_printf(&ctx->arena, "labels[%u].pairs", idx);
	char *fields_what = kr_arena_printf(&ctx->arena, "labels[%u].fields", idx);
	if (!where || !pairs_what || !fields_what)
		return kr_nomem(ctx);
	int rc = kr_kust_decode_struct(ctx, k, n, where, "a mapping (with pairs, "
	                               "includeSelectors, includeTemplates, fields)",
	                               "Kustomization.labels", "types.Label", &mm);
	for (uint32_t i = 0; rc == 0 && i < mm.len; i++) {
		const kr_kmember *kv = &mm.items[i];
		const kr_node *v = kv->value, *seq;
		int f = kr_kust_decode_member(ctx, k, kv, where, names, 4);
		switch (f) {
		case 0:
			rc = kr_kust_decode_string_map(ctx, k, v, pairs_what, "Label.labels.pairs",
			                               &e->pairs);
			break;
		case 1:
			rc = kr_kust_decode_bool(ctx, k, v, "includeSelectors",
			                         "Label.labels.includeSelectors",
			                         &e->include_selectors);
			break;
		case 2:
			rc = kr_kust_decode_bool(ctx, k, v, "includeTemplates",
			                         "Label.labels.includeTemplates",
			                         &e->include_templates);
			break;
		case 3:
			/* Go's json: a slice is replaced; null makes it nil. */
			e->fields.len = 0;
			rc = kr_kust_decode_list(ctx, k, v, fields_what, "a list of field specs",
			                         "Label.labels.fields", "[]types.FieldSpec", &seq);
			for (uint32_t j = 0; rc == 0 && seq && j < seq->u.q.len; j++) {
				kr_fieldspec fs;
				char *w = kr_arena_printf(&ctx->arena, "%s[%u]", fields_what, j);
				if (!w)
					return kr_nomem(ctx);
				rc = decode_fieldspec(ctx, k, w, seq->u.q.items[j], &fs);
				if (rc == 0)
					rc = kr_fslist_push(ctx, &e->fields, &fs);
			}
			break;
		default:
			rc = f;
		}
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Setting the pairs.
 * ------------------------------------------------------------------------ */

typedef struct setter {
	const kr_strpair *p;
	const kr_fieldspec *fs;
	const char *noun;    /* "label" or "annotation" */
	/* kustomize's SetEntry makes one value node per object and key, and
	 * every field that gets the key new holds that same node; a key
	 * already there has its node overwritten in place (SetYNode).  So a
	 * later transformer that sets the key in one of those fields changes
	 * it in all of them (plugin_labels_aliasing). */
	kr_node *shared;
} setter;

static const char *kind_word(const kr_node *n)
{
	return n->type == KR_MAP ? "MappingNode"
	       : n->type == KR_SEQ ? "SequenceNode" : "ScalarNode";
}

static int set_fail(kr_ctx *ctx, const setter *s, const kr_node *n,
                    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int set_fail(kr_ctx *ctx, const setter *s, const kr_node *n,
                    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n->file && n->line)
		return kr_fail_at(ctx, KR_EINVALID, n->file, n->line, n->col,
		                  "considering field '%s': %s", s->fs->path, msg);
	return kr_fail(ctx, KR_EINVALID, "considering field '%s': %s",
	               s->fs->path, msg);
}

/* filtersutil.SetEntry(key, value, !!str) on the node at the end of a
 * field spec's path. */
static int set_entry(kr_ctx *ctx, kr_pair *field, void *ud)
{
	setter *s = ud;
	kr_node *n = field->value;
	const kr_strpair *p = s->p;
	kr_node *v;
	if (p->klen == 0) {
		/* FieldSetter without a name sets a scalar (or null) node
		 * itself. */
		if (n->type != KR_SCALAR)
			return set_fail(ctx, s, n, "wrong node kind: expected ScalarNode "
			                "but got %s (an empty key)", kind_word(n));
		if (!(v = kr_node_scalar(&ctx->arena, KR_TAG_STR, p->val, p->vlen)))
			return kr_nomem(ctx);
		v->file = n->file;
		v->line = n->line;
		v->col = n->col;
		field->value = v;
		return 0;
	}
	if (n->type == KR_SCALAR && n->tag == KR_TAG_NULL)
		return 0; /* a null that was not created stays null */
	if (n->type != KR_MAP)
		return set_fail(ctx, s, n, "wrong node kind: expected MappingNode but "
		                "got %s", kind_word(n));
	if (!s->shared &&
	    !(s->shared = kr_node_scalar(&ctx->arena, KR_TAG_STR, p->val, p->vlen)))
		return kr_nomem(ctx);
	v = s->shared;
	kr_pair *kv = kr_map_find(n, p->key, p->klen);
	if (kv) {
		*kv->value = *v;
		return 0;
	}
	if (kr_resolve_plain(p->key, p->klen) != KR_TAG_STR)
		return set_fail(ctx, s, n, "the %s key '%s' would be read back as a "
		                "non-string, which kustomize cannot print (it fails "
		                "with \"json: unsupported type\")", s->noun, p->key);
	kr_node *k = kr_node_scalar(&ctx->arena, KR_TAG_STR, p->key, p->klen);
	if (!k || kr_map_append(&ctx->arena, n, k, v) < 0)
		return kr_nomem(ctx);
	return 0;
}

static int cmp_pairs(const void *a, const void *b)
{
	const kr_strpair *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* labels.Filter / annotations.Filter: per resource, per key in sorted
 * order, per field spec. */
static int apply_pairs(kr_ctx *ctx, kr_resmap *m, kr_strmap *pairs,
                       const kr_fslist *specs, const char *noun)
{
	if (pairs->len == 0)
		return 0;
	qsort(pairs->items, pairs->len, sizeof(*pairs->items), cmp_pairs);
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		for (size_t k = 0; k < pairs->len; k++) {
			kr_node *shared = NULL;
			for (size_t j = 0; j < specs->len; j++) {
				const kr_fieldspec *fs = &specs->items[j];
				if (!kr_fieldspec_selects(fs, &r->cur))
					continue;
				setter s = { &pairs->items[k], fs, noun, shared };
				int rc = kr_fieldspec_walk(ctx, r->doc, fs, KR_CREATE_MAP,
				                           set_entry, &s);
				shared = s.shared;
				if (rc < 0) {
					char *id = kr_resid_string(&ctx->arena, &r->cur);
					return kr_wrap(ctx, "object %s", id ? id : r->cur.name);
				}
			}
		}
	}
	return 0;
}

int kr_string_map_transform(kr_ctx *ctx, kr_layer *l, const char *field,
                            const char *noun, const kr_fslist *specs)
{
	kr_strmap m = { 0 };
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof)
		return kr_nomem(ctx);
	int rc = kr_kust_decode_string_map(ctx, l->k, kr_map_get(l->k->doc, field), field,
	                                   gof, &m);
	if (rc < 0)
		return rc;
	return apply_pairs(ctx, l->m, &m, specs, noun);
}

static int merge(kr_ctx *ctx, kr_fslist *fl, const kr_fslist *src,
                 const char *what)
{
	int rc = kr_fslist_add_all(ctx, fl, src->items, src->len);
	return rc < 0 ? kr_wrap(ctx, "%s", what) : 0;
}

int kr_labels_transform(kr_ctx *ctx, kr_layer *l)
{
	const kr_node *labels = kr_map_get(l->k->doc, "labels");
	const kr_node *common = kr_map_get(l->k->doc, "commonLabels");
	label_entry *entries = NULL;
	uint32_t nentries = 0;
	int rc;

	/* Decode everything first: kustomize rejects a malformed field when
	 * it loads the kustomization, before any transformer runs. */
	const kr_node *seq;
	if ((rc = kr_kust_decode_list(ctx, l->k, labels, "labels", "a list of label "
	                              "entries", "Kustomization.labels", "[]types.Label",
	                              &seq)) < 0)
		return rc;
	if (seq) {
		nentries = seq->u.q.len;
		entries = kr_arena_zalloc(&ctx->arena, (nentries + 1) * sizeof(*entries));
		if (!entries)
			return kr_nomem(ctx);
		for (uint32_t i = 0; i < nentries; i++)
			if ((rc = decode_label(ctx, l->k, i, seq->u.q.items[i], &entries[i])) < 0)
				return rc;
	}
	kr_strmap cl = { 0 };
	if ((rc = kr_kust_decode_string_map(ctx, l->k, common, "commonLabels",
	                                    "Kustomization.commonLabels", &cl)) < 0)
		return rc;
	if (nentries == 0 && cl.len == 0)
		return 0;

	static const kr_fieldspec metadata_labels = { "", "", "", "metadata/labels", 1 };
	for (uint32_t i = 0; i < nentries; i++) {
		label_entry *e = &entries[i];
		kr_fslist fss = { 0 };
		for (size_t j = 0; j < e->fields.len; j++)
			if ((rc = kr_fslist_push(ctx, &fss, &e->fields.items[j])) < 0)
				return rc;
		if ((rc = merge(ctx, &fss, &l->tc->labels, "failed to merge labels")) < 0)
			return rc;
		if (e->include_selectors) {
			rc = merge(ctx, &fss, &l->tc->common_labels, "failed to merge labels");
		} else {
			if (e->include_templates &&
			    (rc = merge(ctx, &fss, &l->tc->template_labels,
			                "failed to merge template fieldSpec")) < 0)
				return rc;
			if ((rc = kr_fslist_add(ctx, &fss, &metadata_labels)) < 0)
				rc = kr_wrap(ctx, "failed to merge labels");
		}
		if (rc < 0)
			return rc;
		if ((rc = apply_pairs(ctx, l->m, &e->pairs, &fss, "label")) < 0)
			return rc;
	}
	return apply_pairs(ctx, l->m, &cl, &l->tc->common_labels, "label");
}
