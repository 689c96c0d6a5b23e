/*
 * parse.c - libyaml event parser -> krender node trees (see parse.h).
 *
 * libyaml (0.2.5) gives a stream of events; we build the tree with an
 * explicit stack so that nesting depth is bounded by a limit rather than by
 * the C stack.  Aliases are resolved by copying the anchored subtree; the
 * number of nodes all copies of one file create is limited
 * (opts.max_alias_nodes) so an alias bomb is an error, not an
 * out-of-memory kill.
 */
#define _GNU_SOURCE 1
#include "parse.h"
#include "cache.h"
#include "yscratch.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/base64.h>
#include <xxhash.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

/* libyaml's working memory on this thread (yscratch.h) */
_Thread_local kr_yscratch kr_ys;

typedef struct anchor {
	const char *name;
	kr_node *node;
	size_t weight;      /* nodes in the subtree */
} anchor;

typedef struct frame {
	kr_node *node;      /* MAP or SEQ under construction */
	kr_node *key;       /* pending key of a mapping, or NULL */
	const char *anchor; /* anchor to register when the node ends */
	size_t start_count; /* node counter when the collection started */
	int flow;           /* inside a flow collection ({...} or [...]) */
	size_t base;        /* where its children start in the parser's scratch
	                     * stack (pairs for a mapping, nodes for a sequence) */
	uint32_t *keyidx;   /* hash index of a big mapping's keys (malloc'd):
	                     * pair index + 1, 0 = empty; NULL while small */
	size_t keycap;      /* slots in keyidx, a power of two */
	kr_node *merges;    /* values of "<<" keys, in a SEQ */
} frame;

typedef struct parser {
	kr_ctx *ctx;
	const char *file;
	anchor *anchors;
	size_t nanchors, capanchors;
	/* Open collections: `inline_stack` (on the C stack) until a document
	 * nests deeper, then malloc'd.  (It was in the arena, 2 KiB per parse
	 * that lived as long as the build.) */
	frame *stack;
	size_t depth, capstack;
	frame inline_stack[32];
	size_t nodes;          /* nodes created in this document (incl. copies) */
	size_t alias_nodes;    /* nodes created by alias expansion in this file */
	unsigned flags;        /* KR_YAML_* */
	size_t line_offset;    /* lines of the file before this piece */
	/* Children of the open collections, on two malloc'd stacks; a
	 * collection gets an exact-size array in the arena when it ends, so
	 * the tree wastes no space on growing arrays.  The stacks are the
	 * context's (ctx->parse_pairs/items), lent for one parse. */
	kr_pair *ps;
	size_t pslen, pscap;
	kr_node **ns;
	size_t nslen, nscap;
} parser;

int kr_doclist_push(kr_arena *a, kr_doclist *l, kr_node *doc)
{
	if (l->len == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		kr_node **p = kr_arena_grow(a, l->docs, l->len * sizeof(*p),
		                            ncap * sizeof(*p));
		if (!p)
			return -1;
		l->docs = p;
		l->cap = ncap;
	}
	l->docs[l->len++] = doc;
	return 0;
}

static size_t count_nodes(const kr_node *n)
{
	size_t c = 1;
	if (n->type == KR_MAP)
		for (uint32_t i = 0; i < n->u.m.len; i++)
			c += 1 + count_nodes(n->u.m.items[i].value);
	else if (n->type == KR_SEQ)
		for (uint32_t i = 0; i < n->u.q.len; i++)
			c += count_nodes(n->u.q.items[i]);
	return c;
}

static kr_tag tag_of(const char *tag)
{
	if (strncmp(tag, TAG_PREFIX, sizeof(TAG_PREFIX) - 1) == 0) {
		const char *t = tag + sizeof(TAG_PREFIX) - 1;
		if (!strcmp(t, "str") || !strcmp(t, "binary") || !strcmp(t, "timestamp"))
			return KR_TAG_STR;
		if (!strcmp(t, "int"))
			return KR_TAG_INT;
		if (!strcmp(t, "float"))
			return KR_TAG_FLOAT;
		if (!strcmp(t, "bool"))
			return KR_TAG_BOOL;
		if (!strcmp(t, "null"))
			return KR_TAG_NULL;
	}
	return (kr_tag)-1;
}

static int fail_mark(parser *p, yaml_mark_t mark, const char *msg)
{
	return kr_fail_at(p->ctx, KR_EYAML, p->file,
	                  (unsigned)(mark.line + p->line_offset) + 1,
	                  (unsigned)mark.column + 1, "%s", msg);
}

static void set_pos(parser *p, kr_node *n, yaml_mark_t mark)
{
	n->file = p->file;
	n->line = (uint32_t)(mark.line + p->line_offset) + 1;
	n->col = (uint32_t)mark.column + 1;
}

static int add_anchor(parser *p, const char *name, kr_node *node, size_t weight)
{
	/* A later anchor of the same name shadows the earlier one. */
	if (p->nanchors == p->capanchors) {
		size_t ncap = p->capanchors ? p->capanchors * 2 : 8;
		anchor *a = kr_arena_grow(&p->ctx->arena, p->anchors,
		                          p->nanchors * sizeof(*a), ncap * sizeof(*a));
		if (!a)
			return kr_nomem(p->ctx);
		p->anchors = a;
		p->capanchors = ncap;
	}
	p->anchors[p->nanchors].name = name;
	p->anchors[p->nanchors].node = node;
	p->anchors[p->nanchors].weight = weight;
	p->nanchors++;
	return 0;
}

static anchor *find_anchor(parser *p, const char *name)
{
	for (size_t i = p->nanchors; i-- > 0;)
		if (!strcmp(p->anchors[i].name, name))
			return &p->anchors[i];
	return NULL;
}

static kr_pair *frame_find_key(parser *p, frame *f, const char *s, size_t len);
static int frame_added_key(parser *p, frame *f);

static int push_pair(parser *p, kr_node *key, kr_node *value)
{
	if (p->pslen == p->pscap) {
		size_t ncap = p->pscap ? p->pscap * 2 : 256;
		kr_pair *n = realloc(p->ps, ncap * sizeof(*n));
		if (!n)
			return -1;
		p->ps = n;
		p->pscap = ncap;
	}
	p->ps[p->pslen].key = key;
	p->ps[p->pslen].value = value;
	p->pslen++;
	return 0;
}

static int push_item(parser *p, kr_node *n)
{
	if (p->nslen == p->nscap) {
		size_t ncap = p->nscap ? p->nscap * 2 : 256;
		kr_node **q = realloc(p->ns, ncap * sizeof(*q));
		if (!q)
			return -1;
		p->ns = q;
		p->nscap = ncap;
	}
	p->ns[p->nslen++] = n;
	return 0;
}

/* A collection ends: move its children from the scratch stack into an
 * exact-size array in the arena. */
static int finish_collection(parser *p, frame *f)
{
	kr_node *n = f->node;
	if (n->type == KR_MAP) {
		size_t cnt = p->pslen - f->base;
		if (cnt) {
			kr_pair *items = kr_arena_alloc(&p->ctx->arena, cnt * sizeof(*items));
			if (!items)
				return kr_nomem(p->ctx);
			memcpy(items, p->ps + f->base, cnt * sizeof(*items));
			n->u.m.items = items;
		}
		n->u.m.len = n->u.m.cap = (uint32_t)cnt;
		p->pslen = f->base;
	} else {
		size_t cnt = p->nslen - f->base;
		if (cnt) {
			kr_node **items = kr_arena_alloc(&p->ctx->arena, cnt * sizeof(*items));
			if (!items)
				return kr_nomem(p->ctx);
			memcpy(items, p->ns + f->base, cnt * sizeof(*items));
			n->u.q.items = items;
		}
		n->u.q.len = n->u.q.cap = (uint32_t)cnt;
		p->nslen = f->base;
	}
	return 0;
}

/* Apply "<<" merge keys the way go-yaml v3 decodes them: keys written in
 * the mapping win, then the merged mappings in order (the first one that
 * has a key wins).  Output key order does not matter to kustomize's
 * serialisation (keys are sorted), but we keep explicit keys first. */
static int apply_merges(parser *p, frame *f, yaml_mark_t mark)
{
	for (uint32_t i = 0; i < f->merges->u.q.len; i++) {
		kr_node *src = f->merges->u.q.items[i];
		kr_node *list[1] = { src };
		kr_node **items = list;
		uint32_t n = 1;
		if (src->type == KR_SEQ) {
			items = src->u.q.items;
			n = src->u.q.len;
		}
		for (uint32_t j = 0; j < n; j++) {
			kr_node *m = items[j];
			if (m->type != KR_MAP)
				return fail_mark(p, mark,
				                 "map merge requires map or sequence of maps as the value");
			for (uint32_t k = 0; k < m->u.m.len; k++) {
				kr_pair *kv = &m->u.m.items[k];
				if (frame_find_key(p, f, kv->key->u.s.str, kv->key->u.s.len))
					continue;
				if (push_pair(p, kv->key, kv->value) < 0 ||
				    frame_added_key(p, f) < 0)
					return kr_nomem(p->ctx);
			}
		}
	}
	return 0;
}

/* ---- duplicate-key detection in O(1) per key ----
 * Small mappings are searched linearly; from KEYIDX_MIN keys on, a frame
 * keeps a hash index of its keys so that a ConfigMap with 50,000 entries
 * is not quadratic. */
#define KEYIDX_MIN 16

static size_t key_hash(const char *s, size_t len)
{
	return (size_t)XXH3_64bits(s, len);
}

static void keyidx_put(parser *p, frame *f, uint32_t idx)
{
	const kr_node *k = p->ps[f->base + idx].key;
	size_t mask = f->keycap - 1;
	size_t h = key_hash(k->u.s.str, k->u.s.len) & mask;
	while (f->keyidx[h])
		h = (h + 1) & mask;
	f->keyidx[h] = idx + 1;
}

static int keyidx_rebuild(parser *p, frame *f, size_t cap)
{
	uint32_t *slots = calloc(cap, sizeof(uint32_t));
	if (!slots)
		return -1;
	free(f->keyidx);
	f->keyidx = slots;
	f->keycap = cap;
	for (uint32_t i = 0; i < p->pslen - f->base; i++)
		keyidx_put(p, f, i);
	return 0;
}

static kr_pair *frame_find_key(parser *p, frame *f, const char *s, size_t len)
{
	if (p->pslen == f->base)
		return NULL; /* no key yet (and p->ps may still be NULL) */
	kr_pair *pairs = p->ps + f->base;
	if (!f->keyidx) {
		for (size_t i = 0; i < p->pslen - f->base; i++)
			if (pairs[i].key->u.s.len == len && !memcmp(pairs[i].key->u.s.str, s, len))
				return &pairs[i];
		return NULL;
	}
	size_t mask = f->keycap - 1;
	size_t h = key_hash(s, len) & mask;
	while (f->keyidx[h]) {
		kr_pair *kv = &pairs[f->keyidx[h] - 1];
		if (kv->key->u.s.len == len && !memcmp(kv->key->u.s.str, s, len))
			return kv;
		h = (h + 1) & mask;
	}
	return NULL;
}

/* After appending pair `idx` to the frame's mapping. */
static int frame_added_key(parser *p, frame *f)
{
	uint32_t n = (uint32_t)(p->pslen - f->base);
	if (n < KEYIDX_MIN)
		return 0;
	if (!f->keyidx || (size_t)n * 2 > f->keycap) {
		size_t cap = 64;
		while (cap < (size_t)n * 4)
			cap *= 2;
		return keyidx_rebuild(p, f, cap);
	}
	keyidx_put(p, f, n - 1);
	return 0;
}

static void frame_release(frame *f)
{
	free(f->keyidx);
	f->keyidx = NULL;
	f->keycap = 0;
}

/* Attach a finished node to its parent (or make it the document root). */
static int attach(parser *p, kr_node *n, kr_node **root, yaml_mark_t mark)
{
	kr_arena *a = &p->ctx->arena;
	if (p->depth == 0) {
		*root = n;
		return 0;
	}
	frame *f = &p->stack[p->depth - 1];
	if (f->node->type == KR_SEQ) {
		if (push_item(p, n) < 0)
			return kr_nomem(p->ctx);
		return 0;
	}
	if (!f->key) {
		if (n->type != KR_SCALAR)
			return fail_mark(p, mark, "mapping keys must be scalars");
		f->key = n;
		return 0;
	}
	kr_node *key = f->key;
	f->key = NULL;
	if (key->style == KR_STYLE_PLAIN && key->u.s.len == 2 &&
	    memcmp(key->u.s.str, "<<", 2) == 0) {
		if (!f->merges) {
			f->merges = kr_node_seq(a, 2);
			if (!f->merges)
				return kr_nomem(p->ctx);
		}
		if (kr_seq_append(a, f->merges, n) < 0)
			return kr_nomem(p->ctx);
		return 0;
	}
	kr_pair *dup = frame_find_key(p, f, key->u.s.str, key->u.s.len);
	if (dup && (p->flags & KR_YAML_DUP_LAST_WINS)) {
		dup->value = n;
		return 0;
	}
	if (dup) {
		char msg[256];
		snprintf(msg, sizeof(msg), "mapping key \"%.*s\" already defined",
		         (int)(key->u.s.len > 100 ? 100 : key->u.s.len), key->u.s.str);
		yaml_mark_t km = { 0, key->line - 1 - p->line_offset, key->col - 1 };
		return fail_mark(p, km, msg);
	}
	if (push_pair(p, key, n) < 0 || frame_added_key(p, f) < 0)
		return kr_nomem(p->ctx);
	return 0;
}

static int push(parser *p, kr_node *n, const char *anchor_name, int flow)
{
	if (p->depth >= p->ctx->opts.max_depth)
		return kr_fail_at(p->ctx, KR_ELIMIT, p->file, n->line, n->col,
		                  "nesting deeper than the limit of %u levels "
		                  "(raise it with --max-depth)",
		                  p->ctx->opts.max_depth);
	if (!p->stack) {
		p->stack = p->inline_stack;
		p->capstack = sizeof(p->inline_stack) / sizeof(p->inline_stack[0]);
	}
	if (p->depth == p->capstack) {
		size_t ncap = p->capstack * 2;
		frame *s = p->stack == p->inline_stack ? malloc(ncap * sizeof(*s))
		                                       : realloc(p->stack, ncap * sizeof(*s));
		if (!s)
			return kr_nomem(p->ctx);
		if (p->stack == p->inline_stack)
			memcpy(s, p->inline_stack, sizeof(p->inline_stack));
		p->stack = s;
		p->capstack = ncap;
	}
	frame *f = &p->stack[p->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = anchor_name;
	f->start_count = p->nodes;
	f->base = n->type == KR_MAP ? p->pslen : p->nslen;
	f->flow = flow || (p->depth > 1 && p->stack[p->depth - 2].flow);
	return 0;
}

static const char *dup_anchor(parser *p, const yaml_char_t *s)
{
	if (!s)
		return NULL;
	return kr_arena_strdup(&p->ctx->arena, (const char *)s);
}

/* Byte offset of a libyaml mark (line and column count characters). */
static size_t mark_offset(const char *data, size_t len, yaml_mark_t mark)
{
	size_t off = 0;
	for (size_t l = 0; l < mark.line && off < len; l++) {
		const char *nl = memchr(data + off, '\n', len - off);
		if (!nl)
			return len;
		off = (size_t)(nl - data) + 1;
	}
	for (size_t c = 0; c < mark.column && off < len; c++) {
		off++;
		while (off < len && ((unsigned char)data[off] & 0xC0) == 0x80)
			off++;
	}
	return off;
}

/* go-yaml v3 does not know the escape "\/" in double-quoted scalars (libyaml
 * 0.2.5 does), so kustomize rejects it: "found unknown escape character".
 * Golden case err_json_escaped_slash.  Returns the byte offset of the
 * offending backslash, or (size_t)-1. */
static size_t find_slash_escape(const char *data, size_t len, size_t open_quote)
{
	for (size_t i = open_quote + 1; i < len; i++) {
		if (data[i] == '"')
			return (size_t)-1;
		if (data[i] == '\\') {
			if (i + 1 < len && data[i + 1] == '/')
				return i;
			i++;
		}
	}
	return (size_t)-1;
}


/* ---- round trip of folded scalars ----
 *
 * kustomize prints a resource by encoding its node tree with (a fork of)
 * go-yaml v3 and decoding the text again.  Every style survives that round
 * trip except folded block scalars (">"): the v3 emitter decides whether to
 * write an extra line break after a line by looking at the start of the
 * whole value instead of the next line (in yaml_emitter_write_folded_scalar,
 * `k := 0` where libyaml's C code looks at the current position), so a line
 * followed by a more-indented line, or trailing blank lines under ">+",
 * gain a line break.  We reproduce it: write the value as that emitter
 * does, read it back with libyaml (whose block-scalar scanner go-yaml's is
 * a port of), and keep what comes back.  Golden cases emit_folded_scalars
 * and emit_block_scalars. */

static int is_blankz_at(const char *v, size_t len, size_t k)
{
	return k >= len || v[k] == ' ' || v[k] == '\t' || v[k] == '\n' || v[k] == '\r';
}

/* Would go-yaml v3 write this value in block style (yaml_emitter_analyze_
 * scalar: no space before a line break, no trailing space, no special
 * characters)? */
static int v3_block_allowed(const char *v, size_t len)
{
	if (len && v[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ' ' && i + 1 < len && v[i + 1] == '\n')
			return 0;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static int folded_roundtrip(parser *p, kr_node *n)
{
	const char *v = n->u.s.str;
	size_t len = n->u.s.len;
	const char *nl = memchr(v, '\n', len);
	if (!nl || (size_t)(nl - v) + 1 == len || !v3_block_allowed(v, len))
		return 0;
	kr_buf b = KR_BUF_INIT;
	kr_buf_puts(&b, "k: >");
	if (v[0] == ' ' || v[0] == '\n')
		kr_buf_putc(&b, '2');
	if (v[len - 1] != '\n')
		kr_buf_putc(&b, '-');
	else if (len == 1 || v[len - 2] == '\n')
		kr_buf_putc(&b, '+');
	kr_buf_putc(&b, '\n');
	int breaks = 1, leading_spaces = 1;
	size_t column = 0;
	for (size_t i = 0; i < len;) {
		if (v[i] == '\n') {
			if (!breaks && !leading_spaces) {
				size_t k = 0;
				while (k < len && v[k] == '\n')
					k++;
				if (!is_blankz_at(v, len, k))
					kr_buf_putc(&b, '\n');
			}
			kr_buf_putc(&b, '\n');
			column = 0;
			breaks = 1;
			i++;
			continue;
		}
		if (breaks) {
			kr_buf_puts(&b, "  ");
			column = 2;
			leading_spaces = v[i] == ' ' || v[i] == '\t';
		}
		if (!breaks && v[i] == ' ' && !(i + 1 < len && v[i + 1] == ' ') &&
		    column > 80) {
			kr_buf_puts(&b, "\n  ");
			column = 2;
			i++;
		} else {
			/* one character (UTF-8 sequence) */
			size_t w = 1;
			while (i + w < len && ((unsigned char)v[i + w] & 0xC0) == 0x80)
				w++;
			kr_buf_put(&b, v + i, w);
			column++;
			i += w;
		}
		breaks = 0;
	}
	if (b.failed) {
		kr_buf_free(&b);
		return kr_nomem(p->ctx);
	}
	yaml_parser_t yp;
	yaml_event_t ev;
	int rc = 0, scalars = 0, done = 0;
	if (!kr_yp_initialize(&yp)) {
		kr_buf_free(&b);
		return kr_nomem(p->ctx);
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)b.data, b.len);
	while (!done && kr_yp_parse(&yp, &ev)) {
		if (ev.type == YAML_SCALAR_EVENT && ++scalars == 2) {
			char *copy = kr_arena_strndup(&p->ctx->arena,
			                              (const char *)ev.data.scalar.value,
			                              ev.data.scalar.length);
			if (!copy) {
				rc = kr_nomem(p->ctx);
			} else {
				n->u.s.str = copy;
				n->u.s.len = ev.data.scalar.length;
			}
			done = 1;
		}
		if (ev.type == YAML_STREAM_END_EVENT)
			done = 1;
		kr_yp_event_delete(&ev);
	}
	/* If libyaml cannot read it back, keep the value as it was. */
	kr_yp_delete(&yp);
	kr_buf_free(&b);
	return rc;
}

/* !!binary: go-yaml v3 decodes the base64 text into the string's bytes. */
static int decode_binary(parser *p, kr_node *n)
{
	size_t len = n->u.s.len;
	char *clean = kr_arena_alloc(&p->ctx->arena, len + 1);
	if (!clean)
		return kr_nomem(p->ctx);
	size_t w = 0;
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)n->u.s.str[i]))
			clean[w++] = n->u.s.str[i];
	clean[w] = '\0';
	if (w % 4 != 0)
		return 0; /* not base64: v3 would fail; keep the text */
	unsigned char *out = kr_arena_alloc(&p->ctx->arena, BASE64_DECODE_LENGTH(w) + 1);
	if (!out)
		return kr_nomem(p->ctx);
	struct base64_decode_ctx bd;
	size_t got = BASE64_DECODE_LENGTH(w);
	base64_decode_init(&bd);
	if (!base64_decode_update(&bd, &got, out, w, clean) || !base64_decode_final(&bd))
		return 0;
	out[got] = '\0';
	n->u.s.str = (const char *)out;
	n->u.s.len = got;
	n->tag = KR_TAG_STR;
	return 0;
}

/* Does "\\/" occur?  (memchr finds the rare backslashes several times
 * faster than memmem scans for the pair.) */
static int has_backslash_slash(const char *data, size_t len)
{
	const char *end = data + len;
	for (const char *p = data; p < end && (p = memchr(p, '\\', (size_t)(end - p))); p++)
		if (p + 1 < end && p[1] == '/')
			return 1;
	return 0;
}

/* The stacks go back to the context for the next parse (a nested parse,
 * had there been one, would have made its own). */
static void give_back_stacks(parser *p)
{
	kr_ctx *ctx = p->ctx;
	if (!ctx->parse_pairs) {
		ctx->parse_pairs = p->ps;
		ctx->parse_pairs_cap = p->pscap;
	} else {
		free(p->ps);
	}
	if (!ctx->parse_items) {
		ctx->parse_items = p->ns;
		ctx->parse_items_cap = p->nscap;
	} else {
		free(p->ns);
	}
}

static int parse_piece(kr_ctx *ctx, const char *file, const char *data,
                       size_t len, unsigned flags, size_t line_offset,
                       kr_doclist *out)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	parser p;
	kr_node *root = NULL;
	int rc = 0, done = 0;
	size_t first = out->len; /* documents before this piece's */
	yaml_mark_t doc_start = { 0 };

	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.file = file;
	p.flags = flags;
	p.line_offset = line_offset;
	if (!kr_yp_initialize(&yp))
		return kr_nomem(ctx);
	p.ps = ctx->parse_pairs;
	p.pscap = ctx->parse_pairs_cap;
	p.ns = ctx->parse_items;
	p.nscap = ctx->parse_items_cap;
	ctx->parse_pairs = ctx->parse_items = NULL;
	yaml_parser_set_input_string(&yp, (const unsigned char *)data, len);
	int may_have_slash_escape = has_backslash_slash(data, len);

	while (!done) {
		if (!kr_yp_parse(&yp, &ev)) {
			const char *prob = yp.problem ? yp.problem : "invalid YAML";
			char msg[512];
			if (yp.context)
				snprintf(msg, sizeof(msg), "%s %s", yp.context, prob);
			else
				snprintf(msg, sizeof(msg), "%s", prob);
			rc = fail_mark(&p, yp.problem_mark, msg);
			if (yp.error == YAML_MEMORY_ERROR)
				rc = kr_nomem(ctx);
			break;
		}
		kr_arena *a = &ctx->arena;
		kr_node *n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			doc_start = ev.start_mark;
			root = NULL;
			p.nanchors = 0;
			p.nodes = 0;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (root && !(root->type == KR_SCALAR && root->tag == KR_TAG_NULL)) {
				/* stop before the parse takes the memory (build.c
				 * checks the documents of a whole resource file) */
				if (out->len - first >= ctx->opts.max_documents) {
					rc = kr_fail_at(ctx, KR_ELIMIT, file,
					                (unsigned)(doc_start.line + line_offset) + 1,
					                (unsigned)doc_start.column + 1,
					                "more than the limit of %zu documents per "
					                "file (raise it with --max-documents)",
					                ctx->opts.max_documents);
					break;
				}
				if (kr_doclist_push(a, out, root) < 0)
					rc = kr_nomem(ctx);
			}
			root = NULL;
			if (flags & KR_YAML_FIRST_DOC_ONLY)
				done = 1;
			break;
		case YAML_SCALAR_EVENT: {
			const char *text = (const char *)ev.data.scalar.value;
			size_t tlen = ev.data.scalar.length;
			kr_tag tag;
			kr_style style;
			switch (ev.data.scalar.style) {
			case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = KR_STYLE_SINGLE; break;
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = KR_STYLE_DOUBLE; break;
			case YAML_LITERAL_SCALAR_STYLE: style = KR_STYLE_LITERAL; break;
			case YAML_FOLDED_SCALAR_STYLE: style = KR_STYLE_FOLDED; break;
			default: style = KR_STYLE_PLAIN; break;
			}
			if (style == KR_STYLE_DOUBLE && may_have_slash_escape) {
				size_t q = mark_offset(data, len, ev.start_mark);
				size_t bad = find_slash_escape(data, len, q);
				if (bad != (size_t)-1) {
					size_t line = 0, col = 0;
					for (size_t i = 0; i < bad; i++) {
						if (data[i] == '\n') { line++; col = 0; }
						else if (((unsigned char)data[i] & 0xC0) != 0x80) col++;
					}
					yaml_mark_t bm = { bad, line, col };
					rc = fail_mark(&p, bm, "found unknown escape character '\\/' "
					               "(kustomize's YAML parser does not accept it)");
					break;
				}
			}
			kr_tag explicit_tag = ev.data.scalar.tag
				? tag_of((const char *)ev.data.scalar.tag) : (kr_tag)-1;
			if (explicit_tag != (kr_tag)-1)
				tag = explicit_tag;
			else if (style == KR_STYLE_PLAIN && ev.data.scalar.tag == NULL)
				tag = kr_resolve_plain(text, tlen);
			else if (style == KR_STYLE_PLAIN)
				tag = kr_resolve_plain(text, tlen); /* custom tag: v3 resolves */
			else
				tag = KR_TAG_STR;
			n = kr_node_scalar(a, tag, text, tlen);
			if (!n) {
				rc = kr_nomem(ctx);
				break;
			}
			n->style = (uint8_t)style;
			if (ev.data.scalar.tag &&
			    strcmp((const char *)ev.data.scalar.tag, TAG_PREFIX "timestamp"))
				n->flags |= KR_NODE_TAGGED;
			set_pos(&p, n, ev.start_mark);
			if (ev.data.scalar.tag &&
			    !strcmp((const char *)ev.data.scalar.tag, TAG_PREFIX "binary"))
				rc = decode_binary(&p, n);
			else if (style == KR_STYLE_FOLDED)
				rc = folded_roundtrip(&p, n);
			/* An empty plain null inside a flow collection comes back
			 * from go-yaml v3's emitter as '' (yaml_emitter_select_
			 * scalar_style), i.e. an empty string.  Golden emit_nulls. */
			if (style == KR_STYLE_PLAIN && tag == KR_TAG_NULL && tlen == 0 &&
			    p.depth > 0 && p.stack[p.depth - 1].flow)
				n->tag = KR_TAG_STR;
			if (rc < 0)
				break;
			p.nodes++;
			if (ev.data.scalar.anchor) {
				const char *an = dup_anchor(&p, ev.data.scalar.anchor);
				if (!an || add_anchor(&p, an, n, 1) < 0) {
					rc = kr_nomem(ctx);
					break;
				}
			}
			rc = attach(&p, n, &root, ev.start_mark);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int is_map = ev.type == YAML_MAPPING_START_EVENT;
			n = is_map ? kr_node_map(a, 0) : kr_node_seq(a, 0);
			if (!n) {
				rc = kr_nomem(ctx);
				break;
			}
			set_pos(&p, n, ev.start_mark);
			p.nodes++;
			const yaml_char_t *an = is_map ? ev.data.mapping_start.anchor
			                               : ev.data.sequence_start.anchor;
			const char *aname = NULL;
			if (an && !(aname = dup_anchor(&p, an))) {
				rc = kr_nomem(ctx);
				break;
			}
			int flow = is_map
				? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
				: ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
			rc = push(&p, n, aname, flow);
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			frame *f = &p.stack[p.depth - 1];
			n = f->node;
			if (f->merges)
				rc = apply_merges(&p, f, ev.start_mark);
			if (rc == 0)
				rc = finish_collection(&p, f);
			if (rc == 0 && f->anchor)
				rc = add_anchor(&p, f->anchor, n, p.nodes - f->start_count + 1);
			frame_release(f);
			p.depth--;
			if (rc == 0)
				rc = attach(&p, n, &root, ev.start_mark);
			break;
		}
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			anchor *an = find_anchor(&p, name);
			if (!an) {
				char msg[300];
				snprintf(msg, sizeof(msg), "unknown anchor '%.200s' referenced", name);
				rc = fail_mark(&p, ev.start_mark, msg);
				break;
			}
			/* The anchored node is copied, so later edits of one place
			 * do not show up in the other. */
			size_t weight = an->node->type == KR_SCALAR ? 1 : count_nodes(an->node);
			p.alias_nodes += weight;
			if (p.alias_nodes > ctx->opts.max_alias_nodes) {
				rc = kr_fail_at(ctx, KR_ELIMIT, file,
				                (unsigned)(ev.start_mark.line + line_offset) + 1,
				                (unsigned)ev.start_mark.column + 1,
				                "alias expansion creates more than %zu nodes "
				                "(limit; an alias bomb? raise it with "
				                "--max-alias-nodes)", ctx->opts.max_alias_nodes);
				break;
			}
			n = kr_node_copy(a, an->node);
			if (!n) {
				rc = kr_nomem(ctx);
				break;
			}
			p.nodes += weight;
			rc = attach(&p, n, &root, ev.start_mark);
			break;
		}
		default:
			break;
		}
		kr_yp_event_delete(&ev);
		if (rc < 0)
			break;
	}
	while (p.depth > 0)
		frame_release(&p.stack[--p.depth]);
	if (p.stack != p.inline_stack)
		free(p.stack);
	give_back_stacks(&p);
	kr_yp_delete(&yp);
	return rc;
}

static int parse_uncached(kr_ctx *ctx, const char *file, const char *data,
                          size_t len, unsigned flags, kr_doclist *out)
{
	return parse_piece(ctx, file, data, len, flags, 0, out);
}

int kr_yaml_parse(kr_ctx *ctx, const char *file, const char *data, size_t len,
                  unsigned flags, kr_doclist *out)
{
	if (ctx->cache)
		return kr_cache_parse(ctx, file, data, len, flags, parse_uncached, out);
	return parse_piece(ctx, file, data, len, flags, 0, out);
}

static size_t count_lines(const char *s, size_t n)
{
	size_t c = 0;
	for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))) != NULL; p++)
		c++;
	return c;
}

static int parse_resources_uncached(kr_ctx *ctx, const char *file,
                                    const char *data, size_t len,
                                    unsigned flags, kr_doclist *out);

int kr_yaml_parse_resources(kr_ctx *ctx, const char *file, const char *data,
                            size_t len, kr_doclist *out)
{
	if (ctx->cache)
		return kr_cache_parse(ctx, file, data, len, KR_CACHE_MODE_RESOURCES,
		                      parse_resources_uncached, out);
	return parse_resources_uncached(ctx, file, data, len, 0, out);
}

static int parse_resources_uncached(kr_ctx *ctx, const char *file,
                                    const char *data, size_t len,
                                    unsigned flags, kr_doclist *out)
{
	(void)flags;
	/* kio.ByteReader replaces "\r\n" by "\n" before anything else. */
	if (memchr(data, '\r', len)) {
		char *copy = kr_arena_alloc(&ctx->arena, len + 1);
		if (!copy)
			return kr_nomem(ctx);
		size_t w = 0;
		for (size_t i = 0; i < len; i++) {
			if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
				continue;
			copy[w++] = data[i];
		}
		copy[w] = '\0';
		data = copy;
		len = w;
	}
	/* A line that starts with "..." (document end) can leave more than one
	 * document in a piece, of which kustomize reads only the first; without
	 * one, reading the whole stream at once gives the same documents, with
	 * one parser instead of one per piece. */
	/* Directives ("%YAML", "%TAG") also make pieces differ from the
	 * stream: kustomize reads "%YAML 1.1" and its "---" as two pieces, the
	 * first of which has no document (an error). */
	/* One pass over the lines finds both those and the separators (the
	 * '\n' before each "---" line), whose places are kept. */
	int doc_end = (len >= 3 && !memcmp(data, "...", 3)) || (len && data[0] == '%');
	size_t *seps = NULL, nseps = 0, capseps = 0;
	for (const char *q = data; (q = memchr(q, '\n', len - (size_t)(q - data)));) {
		const char *l = ++q;
		size_t left = (size_t)(data + len - l);
		if (!left)
			break;
		if (*l == '%' || (left >= 3 && !memcmp(l, "...", 3))) {
			doc_end = 1;
		} else if (left >= 3 && !memcmp(l, "---", 3)) {
			if (nseps == capseps) {
				size_t ncap = capseps ? capseps * 2 : 8;
				size_t *n = kr_arena_grow(&ctx->arena, seps, capseps * sizeof(*seps),
				                          ncap * sizeof(*seps));
				if (!n)
					return kr_nomem(ctx);
				seps = n;
				capseps = ncap;
			}
			seps[nseps++] = (size_t)(l - 1 - data);
		}
	}
	size_t start = 0, line = 0, next = 0;
	for (;;) {
		/* The next separator `\n---.*\n` (at or after start). */
		while (next < nseps && seps[next] < start)
			next++;
		const char *m = next < nseps ? data + seps[next] : NULL;
		const char *eol = m ? memchr(m + 4, '\n', len - (size_t)(m + 4 - data)) : NULL;
		if (!m || !eol) {
			/* The last piece (or, on the fast path, the whole stream). */
			if (!doc_end)
				return parse_piece(ctx, file, data, len, 0, 0, out);
			return parse_piece(ctx, file, data + start, len - start,
			                   KR_YAML_FIRST_DOC_ONLY, line, out);
		}
		size_t sep = (size_t)(m - data);
		/* What follows the dashes on the separator line must be blank or
		 * a comment. */
		const char *c = m + 4;
		while (c < eol && (*c == ' ' || *c == '\t' || *c == '\v' || *c == '\f'))
			c++;
		if (c < eol && *c != '#') {
			/* (line counts only pieces: on the fast path it is 0) */
			size_t sline = (doc_end ? line + count_lines(data + start, sep - start)
			                        : count_lines(data, sep)) + 1;
			return kr_fail_at(ctx, KR_EYAML, file, (unsigned)sline + 1, 1,
			                  "invalid document separator: %.*s",
			                  (int)(eol - m - 1 > 80 ? 80 : eol - m - 1), m + 1);
		}
		if (doc_end) {
			/* The piece keeps its final newline (kustomize appends one). */
			int rc = parse_piece(ctx, file, data + start, sep + 1 - start,
			                     KR_YAML_FIRST_DOC_ONLY, line, out);
			if (rc < 0)
				return rc;
		}
		/* pieces need their first line's number; the fast path counts
		 * only for a message */
		if (doc_end)
			line += count_lines(data + start, (size_t)(eol + 1 - data) - start);
		start = (size_t)(eol + 1 - data);
	}
}
