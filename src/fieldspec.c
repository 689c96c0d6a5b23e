/*
 * fieldspec.c - walking field-spec paths (see fieldspec.h), and merging
 * lists of field specs.
 */
#include "fieldspec.h"

#include <string.h>

#include "resource.h"

int kr_fieldspec_selects(const kr_fieldspec *fs, const kr_resid *id)
{
	if (fs->kind[0] && strcmp(fs->kind, id->kind))
		return 0;
	if (fs->group[0] && strcmp(fs->group, id->group))
		return 0;
	if (fs->version[0] && strcmp(fs->version, id->version))
		return 0;
	return 1;
}

#define MAX_SEGMENTS 64

typedef struct segment {
	const char *name;   /* NUL-terminated field name (without "[]") */
	size_t len;
	int is_seq;         /* written as "name[]" */
} segment;

typedef struct walk {
	kr_ctx *ctx;
	const kr_fieldspec *fs;
	segment seg[MAX_SEGMENTS];
	size_t nseg;
	/* the segments' names, when the path fits (it always does for the
	 * builtin field specs): a walk per spec and object allocates nothing */
	char names[256];
	kr_create_kind create;
	kr_fs_visit visit;
	void *ud;
} walk;

/* kyaml's utils.PathSplitter: split on '/', drop a leading empty element,
 * "\/" keeps a slash inside a name. */
static int split_path(kr_ctx *ctx, walk *w, const char *path)
{
	const char *p = path;
	if (*p == '/' && p[1])
		p++;
	w->nseg = 0;
	size_t used = 0;
	int scratch = strlen(p) + MAX_SEGMENTS < sizeof(w->names);
	for (;;) {
		const char *start = p;
		int escaped = 0;
		while (*p && !(*p == '/' && !(p > start && p[-1] == '\\'))) {
			if (*p == '/')
				escaped = 1;
			p++;
		}
		if (w->nseg == MAX_SEGMENTS)
			return kr_fail(ctx, KR_ELIMIT, "field path '%s' has too many elements", path);
		segment *s = &w->seg[w->nseg++];
		size_t len = (size_t)(p - start);
		char *name;
		if (scratch) {
			name = w->names + used;
			memcpy(name, start, len);
			name[len] = '\0';
			used += len + 1;
		} else if (!(name = kr_arena_strndup(&ctx->arena, start, len))) {
			return kr_nomem(ctx);
		}
		if (escaped) {
			size_t o = 0;
			for (size_t i = 0; i < len; i++) {
				if (name[i] == '\\' && name[i + 1] == '/')
					continue;
				name[o++] = name[i];
			}
			name[o] = '\0';
			len = o;
		}
		if (len >= 2 && !strcmp(name + len - 2, "[]")) {
			len -= 2;
			name[len] = '\0';
			s->is_seq = 1;
		} else {
			s->is_seq = 0;
		}
		s->name = name;
		s->len = len;
		if (!*p)
			break;
		p++;
	}
	return 0;
}

static int is_null(const kr_node *n)
{
	return n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

static int walk_node(walk *w, kr_node *n, size_t i);

/* Enter mapping `n` at segment i (kustomize's fieldspec handleMap). */
static int walk_map(walk *w, kr_node *n, size_t i)
{
	kr_ctx *ctx = w->ctx;
	const segment *s = &w->seg[i];
	int last = i + 1 == w->nseg;
	kr_pair *kv = kr_map_find(n, s->name, s->len);
	kr_create_kind kind = KR_CREATE_NOTHING;
	if (!w->fs->create || w->create == KR_CREATE_NOTHING || s->is_seq) {
		/* only look up */
	} else {
		kind = last ? w->create : KR_CREATE_MAP;
		if (!kv) {
			kr_node *v = kind == KR_CREATE_MAP
			             ? kr_node_map(&ctx->arena, 0)
			             : kr_node_scalar(&ctx->arena, KR_TAG_STR, "", 0);
			kr_node *k = kr_node_scalar(&ctx->arena, KR_TAG_STR, s->name, s->len);
			if (!v || !k || kr_map_append(&ctx->arena, n, k, v) < 0)
				return kr_nomem(ctx);
			kv = &n->u.m.items[n->u.m.len - 1];
		}
	}
	if (!kv)
		return 0;
	/* A null value becomes the kind that would have been created. */
	if (is_null(kv->value) && (kind != KR_CREATE_NOTHING || s->is_seq)) {
		kr_node *v;
		if (s->is_seq)
			v = kr_node_seq(&ctx->arena, 0);
		else if (kind == KR_CREATE_MAP)
			v = kr_node_map(&ctx->arena, 0);
		else
			v = kr_node_scalar(&ctx->arena, KR_TAG_STR, "", 0);
		if (!v)
			return kr_nomem(ctx);
		v->file = kv->value->file;
		v->line = kv->value->line;
		v->col = kv->value->col;
		kv->value = v;
	}
	if (last)
		return w->visit(ctx, kv, w->ud);
	return walk_node(w, kv->value, i + 1);
}

static int walk_node(walk *w, kr_node *n, size_t i)
{
	if (is_null(n))
		return 0;
	switch (n->type) {
	case KR_MAP:
		return walk_map(w, n, i);
	case KR_SEQ:
		/* Every element gets the rest of the same path. */
		for (uint32_t j = 0; j < n->u.q.len; j++) {
			int rc = walk_node(w, n->u.q.items[j], i);
			if (rc)
				return rc;
		}
		return 0;
	default:
		return kr_fail_at(w->ctx, KR_EINVALID, n->file ? n->file : "?", n->line,
		                  n->col, "considering field '%s': expected sequence or "
		                  "mapping node at '%s'", w->fs->path, w->seg[i].name);
	}
}

int kr_fieldspec_walk(kr_ctx *ctx, kr_node *doc, const kr_fieldspec *fs,
                      kr_create_kind create, kr_fs_visit visit, void *ud)
{
	walk w;
	w.ctx = ctx;
	w.fs = fs;
	w.create = create;
	w.visit = visit;
	w.ud = ud;
	int rc = split_path(ctx, &w, fs->path);
	if (rc < 0)
		return rc;
	return walk_node(&w, doc, 0);
}

int kr_fieldspecs_apply(kr_ctx *ctx, kr_resmap *m, const kr_fslist *specs,
                        kr_create_kind create, kr_fs_visit visit, void *ud)
{
	for (size_t i = 0; i < m->len; i++) {
		kr_resource *r = m->items[i];
		for (size_t j = 0; j < specs->len; j++) {
			const kr_fieldspec *fs = &specs->items[j];
			if (!kr_fieldspec_selects(fs, &r->cur))
				continue;
			int rc = kr_fieldspec_walk(ctx, r->doc, fs, create, visit, ud);
			if (rc < 0) {
				char *id = kr_resid_string(&ctx->arena, &r->cur);
				return kr_wrap(ctx, "object %s", id ? id : r->cur.name);
			}
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The present spec `have` is "effectively equal" to incoming `x` when the
 * paths are equal and x's non-empty group/version/kind equal have's
 * (kustomize's FieldSpec.effectivelyEquals). */
static int effectively_equal(const kr_fieldspec *have, const kr_fieldspec *x)
{
	if (strcmp(have->path, x->path))
		return 0;
	if (x->group[0] && strcmp(have->group, x->group))
		return 0;
	if (x->version[0] && strcmp(have->version, x->version))
		return 0;
	if (x->kind[0] && strcmp(have->kind, x->kind))
		return 0;
	return 1;
}

int kr_fslist_add(kr_ctx *ctx, kr_fslist *l, const kr_fieldspec *fs)
{
	for (size_t i = 0; i < l->len; i++) {
		if (!effectively_equal(&l->items[i], fs))
			continue;
		if (!l->items[i].create != !fs->create)
			return kr_fail(ctx, KR_EINVALID,
			               "conflicting fieldspecs: path '%s'%s%s given with "
			               "create %s and %s", fs->path,
			               fs->kind[0] ? " of kind " : "", fs->kind,
			               l->items[i].create ? "true" : "false",
			               fs->create ? "true" : "false");
		return 0;
	}
	return kr_fslist_push(ctx, l, fs);
}

int kr_fslist_push(kr_ctx *ctx, kr_fslist *l, const kr_fieldspec *fs)
{
	if (l->len >= l->cap) { /* full, or borrowed (cap < len) */
		size_t ncap = l->cap ? l->cap * 2 : 16;
		while (ncap <= l->len)
			ncap *= 2;
		kr_fieldspec *p = kr_arena_grow(&ctx->arena, l->items,
		                                l->len * sizeof(*p), ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		l->items = p;
		l->cap = ncap;
	}
	l->items[l->len++] = *fs;
	return 0;
}

int kr_fslist_add_all(kr_ctx *ctx, kr_fslist *l, const kr_fieldspec *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = kr_fslist_add(ctx, l, &fs[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}
