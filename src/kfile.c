/*
 * kfile.c - rewriting a kustomization file in place (see kfile.h).
 */
#define _GNU_SOURCE 1
#include "kfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "fsutil.h"
#include "parse.h"

/* One top-level field of the original text: its lines are
 * [start, end), followed by comment and blank lines up to `next` (the next
 * field's first line, or the end of the document), which stay in place
 * whatever happens to the field. */
struct kr_kfile_span {
	char *lkey;           /* the key in lower case */
	size_t start, end, next;
};

static const char *const file_names[] = {
	"kustomization.yaml", "kustomization.yml", "Kustomization"
};

static char *lower_dup(kr_arena *a, const char *s, size_t len)
{
	char *d = kr_arena_strndup(a, s, len);
	if (d)
		for (char *p = d; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return d;
}

static int find_file(kr_ctx *ctx, const char *dir, kr_kfile *kf)
{
	int found = 0;
	const char *names[3];
	for (size_t i = 0; i < sizeof(file_names) / sizeof(file_names[0]); i++) {
		char *p = kr_arena_printf(&ctx->arena, "%s/%s", dir, file_names[i]);
		if (!p)
			return kr_nomem(ctx);
		struct stat st;
		if (stat(p, &st) == 0) {
			names[found++] = file_names[i];
			kf->path = p;
			kf->name = file_names[i];
		}
	}
	if (found == 0)
		return kr_fail(ctx, KR_ENOTFOUND,
		               "Missing kustomization file 'kustomization.yaml' in '%s'",
		               dir);
	if (found > 1)
		return kr_fail(ctx, KR_EINVALID, "found multiple kustomization files in '%s': %s %s%s%s",
		               dir, names[0], names[1], found > 2 ? " " : "",
		               found > 2 ? names[2] : "");
	kf->display = strcmp(dir, ".") ? kr_path_join(&ctx->arena, dir, kf->name) : kf->name;
	if (!kf->display)
		return kr_nomem(ctx);
	if (kr_path_type(kf->path) != 'f')
		return kr_fail(ctx, KR_EINVALID, "%s should be a file", kf->display);
	return 0;
}

static int is_blank_or_comment(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s == e || *s == '\n' || *s == '#';
}

/* Offset of the first byte of 1-based line `line`, scanning from
 * (pos, cur_line); updates both. */
static size_t seek_line(const char *t, size_t len, size_t *pos, size_t *cur, size_t line)
{
	while (*cur < line && *pos < len) {
		const char *nl = memchr(t + *pos, '\n', len - *pos);
		if (!nl) {
			*pos = len;
			break;
		}
		*pos = (size_t)(nl - t) + 1;
		(*cur)++;
	}
	return *pos;
}

/* End of the line starting at `p` (after its newline). */
static size_t line_end(const char *t, size_t len, size_t p)
{
	const char *nl = memchr(t + p, '\n', len - p);
	return nl ? (size_t)(nl - t) + 1 : len;
}

/* Where the first document ends: a "---" or "..." line after `from`. */
static size_t doc_end(const char *t, size_t len, size_t from)
{
	for (size_t p = from; p < len; p = line_end(t, len, p)) {
		if ((!strncmp(t + p, "---", 3) || !strncmp(t + p, "...", 3)) &&
		    (p + 3 == len || t[p + 3] == ' ' || t[p + 3] == '\n' ||
		     t[p + 3] == '\r' || t[p + 3] == '\t'))
			return p;
	}
	return len;
}

/* Drop trailing blank and comment lines of [start, end), keeping the
 * first line. */
static size_t trim_span(const char *t, size_t len, size_t start, size_t end)
{
	size_t min = line_end(t, len, start);
	while (end > min) {
		size_t ls = end - 1; /* the newline ending the previous line, or its last byte */
		while (ls > min && t[ls - 1] != '\n')
			ls--;
		if (!is_blank_or_comment(t + ls, t + end))
			break;
		end = ls;
	}
	return end;
}

/* Can the text be edited field by field?  Every top-level key must start
 * its own line, all at the same column, after spaces only (a block
 * mapping).  Fills the spans. */
static int compute_spans(kr_kfile *kf)
{
	kr_node *doc = kf->doc;
	uint32_t n = doc->u.m.len;
	if (n == 0)
		return 1;
	kr_pair *items = doc->u.m.items;
	if (doc->line != items[0].key->line || doc->col != items[0].key->col)
		return 0;
	kf->spans = kr_arena_zalloc(&kf->ctx->arena, n * sizeof(*kf->spans));
	if (!kf->spans)
		return -1;
	size_t pos = 0, cur = 1;
	uint32_t col = items[0].key->col;
	for (uint32_t i = 0; i < n; i++) {
		const kr_node *k = items[i].key;
		if (k->col != col || k->line == 0 || (i && k->line <= items[i - 1].key->line))
			return 0;
		size_t ls = seek_line(kf->text, kf->len, &pos, &cur, k->line);
		if (cur != k->line || ls + col - 1 > kf->len)
			return 0;
		for (size_t c = 0; c + 1 < col; c++)
			if (kf->text[ls + c] != ' ')
				return 0;
		kf->spans[i].start = ls;
		kf->spans[i].lkey = lower_dup(&kf->ctx->arena, k->u.s.str, k->u.s.len);
		if (!kf->spans[i].lkey)
			return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t next = i + 1 < n ? kf->spans[i + 1].start
		                        : doc_end(kf->text, kf->len,
		                                  line_end(kf->text, kf->len, kf->spans[i].start));
		kf->spans[i].next = next;
		kf->spans[i].end = trim_span(kf->text, kf->len, kf->spans[i].start, next);
	}
	kf->nspans = n;
	kf->indent = col - 1;
	return 1;
}

int kr_kfile_open(kr_ctx *ctx, const char *dir, kr_kfile *kf)
{
	int rc;
	memset(kf, 0, sizeof(*kf));
	kf->ctx = ctx;
	if ((rc = find_file(ctx, dir, kf)) < 0)
		return rc;
	if ((rc = kr_read_file(ctx, kf->path, kf->display, &kf->text, &kf->len)) < 0)
		return rc;
	kr_doclist docs = { 0 };
	kf->splice = 1;
	rc = kr_yaml_parse(ctx, kf->display, kf->text, kf->len, KR_YAML_FIRST_DOC_ONLY, &docs);
	if (rc == KR_ENOMEM)
		return rc;
	if (rc < 0) {
		/* Duplicate keys are accepted (the last one wins, as kustomize
		 * reads them), but the file is then printed whole. */
		kf->splice = 0;
		docs.len = 0;
		rc = kr_yaml_parse(ctx, kf->display, kf->text, kf->len,
		                   KR_YAML_FIRST_DOC_ONLY | KR_YAML_DUP_LAST_WINS, &docs);
		if (rc < 0)
			return rc;
		ctx->err_code = 0;
		kr_buf_clear(&ctx->err);
	}
	if (docs.len == 0) {
		kf->doc = kr_node_map(&ctx->arena, 4);
		if (!kf->doc)
			return kr_nomem(ctx);
		return 0;
	}
	kf->doc = docs.docs[0];
	if (kf->doc->type != KR_MAP)
		return kr_fail_at(ctx, KR_EINVALID, kf->display, kf->doc->line, kf->doc->col,
		                  "invalid Kustomization: the file must hold a mapping");
	if (kf->splice) {
		int ok = compute_spans(kf);
		if (ok < 0)
			return kr_nomem(ctx);
		kf->splice = ok;
	}
	return 0;
}

static int key_is(const kr_node *k, const char *field)
{
	return k->type == KR_SCALAR && strlen(field) == k->u.s.len &&
	       strncasecmp(k->u.s.str, field, k->u.s.len) == 0;
}

kr_node *kr_kfile_get(kr_kfile *kf, const char *field)
{
	kr_node *v = NULL;
	for (uint32_t i = 0; i < kf->doc->u.m.len; i++)
		if (key_is(kf->doc->u.m.items[i].key, field))
			v = kf->doc->u.m.items[i].value;
	return v;
}

static int is_dirty(const kr_kfile *kf, const char *lkey)
{
	for (size_t i = 0; i < kf->ndirty; i++)
		if (!strcmp(kf->dirty[i], lkey))
			return 1;
	return 0;
}

int kr_kfile_set(kr_kfile *kf, const char *field, kr_node *value)
{
	kr_arena *a = &kf->ctx->arena;
	char *lkey = lower_dup(a, field, strlen(field));
	if (!lkey)
		return kr_nomem(kf->ctx);
	if (!is_dirty(kf, lkey)) {
		if (kf->ndirty == kf->capdirty) {
			size_t cap = kf->capdirty ? kf->capdirty * 2 : 8;
			char **d = kr_arena_grow(a, kf->dirty, kf->ndirty * sizeof(*d), cap * sizeof(*d));
			if (!d)
				return kr_nomem(kf->ctx);
			kf->dirty = d;
			kf->capdirty = cap;
		}
		kf->dirty[kf->ndirty++] = lkey;
	}
	/* Keep the position of the last spelling; drop the others. */
	kr_node *doc = kf->doc;
	int kept = 0;
	for (uint32_t i = doc->u.m.len; i-- > 0;) {
		kr_pair *p = &doc->u.m.items[i];
		if (!key_is(p->key, field))
			continue;
		if (!kept && value) {
			kr_node *k = kr_node_str(a, field);
			if (!k)
				return kr_nomem(kf->ctx);
			p->key = k;
			p->value = value;
			kept = 1;
		} else {
			memmove(p, p + 1, (doc->u.m.len - i - 1) * sizeof(*p));
			doc->u.m.len--;
		}
	}
	if (!kept && value) {
		kr_node *k = kr_node_str(a, field);
		if (!k || kr_map_append(a, doc, k, value) < 0)
			return kr_nomem(kf->ctx);
	}
	return 0;
}

int kr_kfile_append(kr_kfile *kf, const char *field, kr_node *value, uint32_t first_new)
{
	kr_arena *a = &kf->ctx->arena;
	char *lkey = lower_dup(a, field, strlen(field));
	kr_node *old = kr_kfile_get(kf, field);
	kr_node *items;
	if (value->type == KR_SEQ) {
		items = kr_node_seq(a, value->u.q.len - first_new + 1);
		for (uint32_t i = first_new; items && i < value->u.q.len; i++)
			if (kr_seq_append(a, items, value->u.q.items[i]) < 0)
				items = NULL;
	} else {
		items = kr_node_map(a, value->u.m.len - first_new + 1);
		for (uint32_t i = first_new; items && i < value->u.m.len; i++)
			if (kr_map_append(a, items, value->u.m.items[i].key,
			                  value->u.m.items[i].value) < 0)
				items = NULL;
	}
	if (!lkey || !items)
		return kr_nomem(kf->ctx);
	/* Only an existing field, changed by nothing else, can grow in
	 * place; anything else is a plain change. */
	if (!old || old->type != value->type || is_dirty(kf, lkey))
		return kr_kfile_set(kf, field, value);
	for (size_t i = 0; i < kf->nappends; i++)
		if (!strcmp(kf->appends[i].lkey, lkey))
			return kr_kfile_set(kf, field, value);
	if (kf->nappends == kf->capappends) {
		size_t cap = kf->capappends ? kf->capappends * 2 : 4;
		void *d = kr_arena_grow(a, kf->appends, kf->nappends * sizeof(*kf->appends),
		                        cap * sizeof(*kf->appends));
		if (!d)
			return kr_nomem(kf->ctx);
		kf->appends = d;
		kf->capappends = cap;
	}
	kf->appends[kf->nappends].lkey = lkey;
	kf->appends[kf->nappends].old = old;
	kf->appends[kf->nappends++].items = items;
	for (uint32_t i = kf->doc->u.m.len; i-- > 0;)
		if (key_is(kf->doc->u.m.items[i].key, field)) {
			kf->doc->u.m.items[i].value = value;
			break;
		}
	return 0;
}

static struct kr_kfile_append *appended(const kr_kfile *kf, const char *lkey)
{
	if (kf->no_appends)
		return NULL;
	for (size_t i = 0; i < kf->nappends; i++)
		if (!strcmp(kf->appends[i].lkey, lkey))
			return &kf->appends[i];
	return NULL;
}

static void clear_lines(kr_node *x)
{
	x->line = 0;
	if (x->type == KR_MAP)
		for (uint32_t i = 0; i < x->u.m.len; i++) {
			x->u.m.items[i].key->line = 0;
			clear_lines(x->u.m.items[i].value);
		}
	else if (x->type == KR_SEQ)
		for (uint32_t i = 0; i < x->u.q.len; i++)
			clear_lines(x->u.q.items[i]);
}

/* A copy without source positions, so that the emitter prints values as
 * they were read (it re-types timestamps read from files).  The depth is
 * bounded by the parser's limit. */
static kr_node *unplaced(kr_arena *a, const kr_node *n)
{
	kr_node *c = kr_node_copy(a, n);
	if (c)
		clear_lines(c);
	return c;
}

int kr_node_equal(const kr_node *a, const kr_node *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case KR_SCALAR:
		if ((a->tag == KR_TAG_INT || a->tag == KR_TAG_FLOAT) &&
		    (b->tag == KR_TAG_INT || b->tag == KR_TAG_FLOAT) &&
		    a->u.s.len < 64 && b->u.s.len < 64) {
			/* 1.0 is printed 1, as kustomize's JSON round trip does. */
			char x[64], y[64];
			memcpy(x, a->u.s.str, a->u.s.len);
			x[a->u.s.len] = '\0';
			memcpy(y, b->u.s.str, b->u.s.len);
			y[b->u.s.len] = '\0';
			char *ex, *ey;
			double dx = strtod(x, &ex), dy = strtod(y, &ey);
			if (!*ex && !*ey)
				return dx == dy;
		}
		if (a->tag != b->tag)
			return 0;
		if (a->tag == KR_TAG_NULL)
			return 1;
		if (a->tag == KR_TAG_BOOL)
			return a->u.s.len == b->u.s.len &&
			       strncasecmp(a->u.s.str, b->u.s.str, a->u.s.len) == 0;
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.str, b->u.s.str, a->u.s.len) == 0;
	case KR_SEQ:
		if (a->u.q.len != b->u.q.len)
			return 0;
		for (uint32_t i = 0; i < a->u.q.len; i++)
			if (!kr_node_equal(a->u.q.items[i], b->u.q.items[i]))
				return 0;
		return 1;
	case KR_MAP:
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (uint32_t i = 0; i < a->u.m.len; i++) {
			const kr_node *k = a->u.m.items[i].key;
			kr_pair *p = kr_map_find(b, k->u.s.str, k->u.s.len);
			if (!p || !kr_node_equal(a->u.m.items[i].value, p->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

static int ensure_newline(kr_buf *out)
{
	if (out->len && out->data[out->len - 1] != '\n')
		kr_buf_putc(out, '\n');
	return 0;
}

/* Print `doc` as kustomize prints YAML, every line indented by
 * `indent` spaces. */
static int emit_indented(kr_kfile *kf, kr_buf *out, const kr_node *doc, unsigned indent)
{
	kr_buf tmp = KR_BUF_INIT;
	const char *err = NULL;
	if (kr_emit_document(&tmp, doc, &err) < 0) {
		kr_buf_free(&tmp);
		return kr_fail(kf->ctx, KR_EINVALID, "%s: cannot write the kustomization: %s",
		               kf->display, err ? err : "invalid value");
	}
	if (tmp.failed) {
		kr_buf_free(&tmp);
		return kr_nomem(kf->ctx);
	}
	for (size_t p = 0; p < tmp.len;) {
		size_t e = line_end(tmp.data, tmp.len, p);
		if (indent && tmp.data[p] != '\n')
			kr_buf_putn(out, ' ', indent);
		kr_buf_put(out, tmp.data + p, e - p);
		p = e;
	}
	kr_buf_free(&tmp);
	return 0;
}

/* Print `key: value`, indented as the top-level keys are. */
static int emit_field(kr_kfile *kf, kr_buf *out, kr_node *key, kr_node *value)
{
	kr_arena *a = &kf->ctx->arena;
	kr_node *m = kr_node_map(a, 1);
	value = unplaced(a, value);
	if (!m || !value || kr_map_append(a, m, key, value) < 0)
		return kr_nomem(kf->ctx);
	return emit_indented(kf, out, m, kf->indent);
}

/* Print the new items of a block sequence after its old ones ("- " at
 * the column of the old items' dashes), or the new keys of a block
 * mapping after its old ones (at the column of the old keys).  0 when the
 * old value is not in block style (then the field is printed whole). */
static int emit_appended(kr_kfile *kf, kr_buf *out, const kr_node *old, kr_node *items)
{
	if (!old || old->line == 0 || old->type != items->type ||
	    (old->type == KR_SEQ && old->u.q.len == 0) ||
	    (old->type == KR_MAP && old->u.m.len == 0))
		return 0;
	size_t pos = 0, cur = 1;
	size_t ls = seek_line(kf->text, kf->len, &pos, &cur, old->line);
	if (cur != old->line || ls + old->col - 1 >= kf->len)
		return 0;
	char c = kf->text[ls + old->col - 1];
	if (old->type == KR_SEQ ? c != '-' : (c == '{' || c == '[' ||
	                                       old->line != old->u.m.items[0].key->line ||
	                                       old->col != old->u.m.items[0].key->col))
		return 0;
	kr_node *copy = unplaced(&kf->ctx->arena, items);
	if (!copy)
		return kr_nomem(kf->ctx);
	ensure_newline(out);
	int rc = emit_indented(kf, out, copy, old->col - 1);
	return rc < 0 ? rc : 1;
}

/* The last span of field `lkey`: where its new text goes. */
static int last_span_of(const kr_kfile *kf, const char *lkey)
{
	int last = -1;
	for (size_t i = 0; i < kf->nspans; i++)
		if (!strcmp(kf->spans[i].lkey, lkey))
			last = (int)i;
	return last;
}

static kr_pair *doc_pair(kr_kfile *kf, const char *lkey)
{
	kr_pair *found = NULL;
	for (uint32_t i = 0; i < kf->doc->u.m.len; i++)
		if (key_is(kf->doc->u.m.items[i].key, lkey))
			found = &kf->doc->u.m.items[i];
	return found;
}

static int render_new_fields(kr_kfile *kf, kr_buf *out)
{
	for (uint32_t i = 0; i < kf->doc->u.m.len; i++) {
		kr_pair *p = &kf->doc->u.m.items[i];
		int known = 0;
		for (size_t s = 0; s < kf->nspans && !known; s++)
			known = key_is(p->key, kf->spans[s].lkey);
		if (known)
			continue;
		ensure_newline(out);
		int rc = emit_field(kf, out, p->key, p->value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int render_splice(kr_kfile *kf, kr_buf *out)
{
	const char *t = kf->text;
	int rc;
	if (kf->nspans == 0) {
		kr_buf_put(out, t, kf->len);
		return render_new_fields(kf, out);
	}
	kr_buf_put(out, t, kf->spans[0].start);
	for (size_t i = 0; i < kf->nspans; i++) {
		const kr_kfile_span *s = &kf->spans[i];
		struct kr_kfile_append *ap = appended(kf, s->lkey);
		if (ap && !is_dirty(kf, s->lkey) && last_span_of(kf, s->lkey) == (int)i) {
			kr_buf_put(out, t + s->start, s->end - s->start);
			if ((rc = emit_appended(kf, out, ap->old, ap->items)) <= 0)
				return rc < 0 ? rc : 1;
		} else if (!is_dirty(kf, s->lkey) && !ap) {
			kr_buf_put(out, t + s->start, s->end - s->start);
		} else if (last_span_of(kf, s->lkey) == (int)i) {
			kr_pair *p = doc_pair(kf, s->lkey);
			if (p && (rc = emit_field(kf, out, p->key, p->value)) < 0)
				return rc;
		}
		if (i + 1 == kf->nspans) {
			if ((rc = render_new_fields(kf, out)) < 0)
				return rc;
			kr_buf_put(out, t + s->end, kf->len - s->end);
		} else {
			kr_buf_put(out, t + s->end, s->next - s->end);
		}
	}
	return 0;
}

/* Does `text` read back as exactly the edited tree? */
static int reads_back(kr_kfile *kf, const char *text, size_t len)
{
	kr_ctx *ctx = kf->ctx;
	kr_doclist docs = { 0 };
	int rc = kr_yaml_parse(ctx, kf->display, text, len, KR_YAML_FIRST_DOC_ONLY, &docs);
	if (rc < 0) {
		if (rc == KR_ENOMEM)
			return rc;
		ctx->err_code = 0;
		kr_buf_clear(&ctx->err);
		return 0;
	}
	if (docs.len == 0)
		return kf->doc->u.m.len == 0;
	return kr_node_equal(docs.docs[0], kf->doc) && kr_node_equal(kf->doc, docs.docs[0]);
}

/* Splice, and check the result; 1 when it reads back as the tree. */
static int try_splice(kr_kfile *kf, kr_buf *out)
{
	int rc = render_splice(kf, out);
	if (rc < 0)
		return rc;
	if (out->failed)
		return kr_nomem(kf->ctx);
	if (rc == 1)
		return 0;
	return reads_back(kf, out->data ? out->data : "", out->len);
}

/* Give up growing lists in place: their fields are printed whole. */
static int drop_appends(kr_kfile *kf)
{
	kf->no_appends = 1;
	for (size_t i = 0; i < kf->nappends; i++) {
		const char *lkey = kf->appends[i].lkey;
		if (is_dirty(kf, lkey))
			continue;
		if (kf->ndirty == kf->capdirty) {
			size_t cap = kf->capdirty ? kf->capdirty * 2 : 8;
			char **d = kr_arena_grow(&kf->ctx->arena, kf->dirty, kf->ndirty * sizeof(*d),
			                         cap * sizeof(*d));
			if (!d)
				return kr_nomem(kf->ctx);
			kf->dirty = d;
			kf->capdirty = cap;
		}
		kf->dirty[kf->ndirty++] = kf->appends[i].lkey;
	}
	return 0;
}

int kr_kfile_render(kr_kfile *kf, char **text, size_t *len)
{
	kr_ctx *ctx = kf->ctx;
	kr_buf out = KR_BUF_INIT;
	int rc;
	if (kf->splice) {
		/* Lists grown in place, then changed fields printed whole. */
		for (int attempt = 0; attempt < 2; attempt++) {
			if (attempt && (!kf->nappends || (rc = drop_appends(kf)) < 0))
				break;
			if ((rc = try_splice(kf, &out)) < 0)
				goto fail;
			if (rc == 1)
				goto done;
			kr_buf_clear(&out);
		}
	}
	/* The whole file, as kustomize would print it. */
	if (kf->doc->u.m.len) {
		kr_node *doc = unplaced(&ctx->arena, kf->doc);
		if (!doc) {
			rc = kr_nomem(ctx);
			goto fail;
		}
		if ((rc = emit_indented(kf, &out, doc, 0)) < 0)
			goto fail;
	}
	if (out.failed) {
		rc = kr_nomem(ctx);
		goto fail;
	}
done:
	*len = out.len;
	*text = kr_arena_strndup(&ctx->arena, out.data ? out.data : "", out.len);
	kr_buf_free(&out);
	return *text ? 0 : kr_nomem(ctx);
fail:
	kr_buf_free(&out);
	return rc;
}

int kr_kfile_write(kr_kfile *kf)
{
	kr_ctx *ctx = kf->ctx;
	char *text;
	size_t len;
	int rc = kr_kfile_render(kf, &text, &len);
	if (rc < 0)
		return rc;
	/* Replace the file a symbolic link points to, not the link. */
	const char *target = kr_realpath(&ctx->arena, kf->path);
	if (!target)
		return kr_fail(ctx, KR_EIO, "%s: %s", kf->display, strerror(errno));
	struct stat st;
	if (stat(target, &st) < 0)
		return kr_fail(ctx, KR_EIO, "%s: %s", kf->display, strerror(errno));
	char *tmp = kr_arena_printf(&ctx->arena, "%s.krender-XXXXXX", target);
	if (!tmp)
		return kr_nomem(ctx);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return kr_fail(ctx, KR_EIO, "%s: cannot create a temporary file: %s",
		               kf->display, strerror(errno));
	int bad = 0;
	for (size_t off = 0; off < len && !bad;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			bad = 1;
		else
			off += (size_t)w;
	}
	if (!bad && fchmod(fd, st.st_mode & 07777) < 0)
		bad = 1;
	int saved = errno;
	if (close(fd) < 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (!bad && rename(tmp, target) < 0) {
		bad = 1;
		saved = errno;
	}
	if (bad) {
		unlink(tmp);
		return kr_fail(ctx, KR_EIO, "%s: cannot write: %s", kf->display, strerror(saved));
	}
	return 0;
}
