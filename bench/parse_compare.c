/*
 * parse_compare - libyaml vs libfyaml, parsing YAML into a minimal node tree.
 *
 * Build (or `make -C bench parse_compare`):
 *   cc -std=c11 -O2 -g -Wall -Wextra -Wshadow -o bench/parse_compare \
 *      bench/parse_compare.c $(pkg-config --cflags --libs yaml-0.1 libfyaml)
 *
 * usage:
 *   parse_compare [-n REPS] [-m METHOD[,METHOD...]] [-L LISTFILE] [FILE...]
 *       Time the methods: every file is read into memory first, then each
 *       method (in a forked child, so that its peak RSS is its own) parses
 *       every file into the tree, REPS times (default 5).  All trees of one
 *       repetition stay alive until the repetition ends, as in a real build.
 *       Prints per method: min and median wall time of one repetition, ms per
 *       MB and MB/s (median), nodes, arena bytes, peak RSS, and a digest of
 *       the trees (structure, scalar text and style, anchors resolved) so
 *       that the methods can be checked to agree.
 *   parse_compare -d [-m METHOD] FILE...
 *       Dump the tree each method builds (line:col, kind, style, text).
 *   parse_compare -e [-m METHOD] FILE...
 *       Parse each file with each method and print the error messages.
 *
 * METHOD is one of:
 *   libyaml        yaml_parser_parse() event loop (libyaml 0.2.5)
 *   fy-event       fy_parser_parse() event loop, a new parser per file
 *   fy-event-reuse fy_parser_parse() event loop, one parser, fy_parser_reset()
 *   fy-doc         fy_parse_load_document() per document (libfyaml's own
 *                  tree), converted to the minimal tree, then destroyed
 *   fy-doc-keep    fy_parse_load_document() only, libfyaml's tree kept as the
 *                  tree (no conversion; line/col of collections unavailable)
 * Default: all of them.  Environment: FY_VERSION=1.1|1.2 sets libfyaml's
 * default YAML version (default: the library's, 1.2); FY_RESOLVE=1 adds
 * FYPCF_RESOLVE_DOCUMENT (anchors and merge keys resolved by libfyaml).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libfyaml.h>
#include <yaml.h>

/* ---------------------------------------------------------------- arena -- */

#define CHUNK (1u << 20)

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct arena {
	struct chunk *head, *spare;
	size_t total;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->head->size - a->head->used < n) {
		struct chunk *c;
		size_t sz = n > CHUNK / 4 ? n : CHUNK;

		if (sz == CHUNK && a->spare) {
			c = a->spare;
			a->spare = c->next;
		} else {
			c = malloc(sizeof(*c) + sz);
			if (!c) {
				perror("malloc");
				exit(2);
			}
			c->size = sz;
			a->total += sz;
		}
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

/* Keep chunks of the standard size for the next repetition. */
static void arena_reset(struct arena *a)
{
	while (a->head) {
		struct chunk *c = a->head;
		a->head = c->next;
		if (c->size == CHUNK) {
			c->next = a->spare;
			a->spare = c;
		} else {
			a->total -= c->size;
			free(c);
		}
	}
}

static void arena_free(struct arena *a)
{
	arena_reset(a);
	while (a->spare) {
		struct chunk *c = a->spare;
		a->spare = c->next;
		free(c);
	}
	a->total = 0;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* ----------------------------------------------------------------- tree -- */

enum { T_SCALAR = 1, T_MAP, T_SEQ };
enum { S_PLAIN, S_SINGLE, S_DOUBLE, S_LITERAL, S_FOLDED, S_FLOW, S_BLOCK };

/* Like krender's kr_node: 40 bytes, position, file, payload. */
struct node {
	uint8_t type, style, tagged, flags;
	uint32_t line, col;          /* 1-based; 0 = unknown */
	const char *file;
	union {
		struct { const char *str; size_t len; } s;
		struct { struct node **items; uint32_t len, cap; } c; /* map: k,v,k,v */
	} u;
};

struct anchor {
	const char *name;
	size_t len;
	struct node *node;
};

#define MAXDEPTH 512

struct builder {
	struct arena *a;
	const char *file;
	struct node *stack[MAXDEPTH];
	int depth;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	struct node **docs;          /* all documents of the repetition */
	size_t ndocs, capdocs;
	unsigned long nodes;
	char err[512];
};

static struct node *new_node(struct builder *b, int type, unsigned line, unsigned col)
{
	struct node *n = arena_alloc(b->a, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)type;
	n->line = line;
	n->col = col;
	n->file = b->file;
	b->nodes++;
	return n;
}

static void coll_append(struct builder *b, struct node *c, struct node *item)
{
	if (c->u.c.len == c->u.c.cap) {
		uint32_t cap = c->u.c.cap ? c->u.c.cap * 2 : 8;
		struct node **it = arena_alloc(b->a, cap * sizeof(*it));
		if (c->u.c.len)
			memcpy(it, c->u.c.items, c->u.c.len * sizeof(*it));
		c->u.c.items = it;
		c->u.c.cap = cap;
	}
	c->u.c.items[c->u.c.len++] = item;
}

/* Attach n to the open collection, or make it a document root. */
static void b_add(struct builder *b, struct node *n)
{
	if (b->depth == 0) {
		if (b->ndocs == b->capdocs) {
			b->capdocs = b->capdocs ? b->capdocs * 2 : 1024;
			b->docs = realloc(b->docs, b->capdocs * sizeof(*b->docs));
			if (!b->docs) {
				perror("realloc");
				exit(2);
			}
		}
		b->docs[b->ndocs++] = n;
	} else {
		coll_append(b, b->stack[b->depth - 1], n);
	}
}

static int b_open(struct builder *b, struct node *n)
{
	b_add(b, n);
	if (b->depth == MAXDEPTH) {
		snprintf(b->err, sizeof(b->err), "nesting too deep");
		return -1;
	}
	b->stack[b->depth++] = n;
	return 0;
}

static void b_anchor(struct builder *b, const char *name, size_t len, struct node *n)
{
	if (b->nanchors == b->capanchors) {
		b->capanchors = b->capanchors ? b->capanchors * 2 : 16;
		b->anchors = realloc(b->anchors, b->capanchors * sizeof(*b->anchors));
		if (!b->anchors) {
			perror("realloc");
			exit(2);
		}
	}
	/* a later anchor of the same name shadows the earlier one */
	b->anchors[b->nanchors].name = arena_strndup(b->a, name, len);
	b->anchors[b->nanchors].len = len;
	b->anchors[b->nanchors].node = n;
	b->nanchors++;
}

/* Aliases share the anchored node (krender would copy it lazily). */
static int b_alias(struct builder *b, const char *name, size_t len,
		   unsigned line, unsigned col)
{
	for (size_t i = b->nanchors; i-- > 0;) {
		if (b->anchors[i].len == len && !memcmp(b->anchors[i].name, name, len)) {
			b_add(b, b->anchors[i].node);
			return 0;
		}
	}
	snprintf(b->err, sizeof(b->err), "%s:%u:%u: unknown anchor '%.*s'",
		 b->file, line, col, (int)len, name);
	return -1;
}

/* ------------------------------------------------------------- libyaml -- */

static int parse_libyaml(struct builder *b, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int done = 0, rc = 0;

	if (!yaml_parser_initialize(&p)) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		struct node *n;
		const unsigned char *anchor = NULL;

		if (!yaml_parser_parse(&p, &ev)) {
			if (p.context)
				snprintf(b->err, sizeof(b->err),
					 "%s:%zu:%zu: %s (%s at line %zu, column %zu)",
					 b->file, p.problem_mark.line + 1,
					 p.problem_mark.column + 1, p.problem,
					 p.context, p.context_mark.line + 1,
					 p.context_mark.column + 1);
			else
				snprintf(b->err, sizeof(b->err), "%s:%zu:%zu: %s",
					 b->file, p.problem_mark.line + 1,
					 p.problem_mark.column + 1,
					 p.problem ? p.problem : "error");
			rc = -1;
			break;
		}
		unsigned line = (unsigned)ev.start_mark.line + 1;
		unsigned col = (unsigned)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			b->nanchors = 0;   /* anchors are per document */
			break;
		case YAML_SCALAR_EVENT:
			n = new_node(b, T_SCALAR, line, col);
			n->u.s.str = arena_strndup(b->a, (const char *)ev.data.scalar.value,
						   ev.data.scalar.length);
			n->u.s.len = ev.data.scalar.length;
			switch (ev.data.scalar.style) {
			case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = S_SINGLE; break;
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = S_DOUBLE; break;
			case YAML_LITERAL_SCALAR_STYLE: n->style = S_LITERAL; break;
			case YAML_FOLDED_SCALAR_STYLE: n->style = S_FOLDED; break;
			default: n->style = S_PLAIN; break;
			}
			n->tagged = ev.data.scalar.tag != NULL;
			anchor = ev.data.scalar.anchor;
			b_add(b, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int map = ev.type == YAML_MAPPING_START_EVENT;
			n = new_node(b, map ? T_MAP : T_SEQ, line, col);
			if (map) {
				n->style = ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? S_FLOW : S_BLOCK;
				n->tagged = ev.data.mapping_start.tag != NULL;
				anchor = ev.data.mapping_start.anchor;
			} else {
				n->style = ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? S_FLOW : S_BLOCK;
				n->tagged = ev.data.sequence_start.tag != NULL;
				anchor = ev.data.sequence_start.anchor;
			}
			if (b_open(b, n))
				rc = -1;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			b->depth--;
			break;
		case YAML_ALIAS_EVENT:
			if (b_alias(b, (const char *)ev.data.alias.anchor,
				    strlen((const char *)ev.data.alias.anchor), line, col))
				rc = -1;
			break;
		default:
			break;
		}
		if (anchor)
			b_anchor(b, (const char *)anchor, strlen((const char *)anchor), n);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&p);
	return rc;
}

/* ------------------------------------------------------------ libfyaml -- */

static enum fy_parse_cfg_flags fy_flags(void)
{
	enum fy_parse_cfg_flags f = FYPCF_QUIET;
	const char *v = getenv("FY_VERSION");

	if (v && !strcmp(v, "1.1"))
		f |= FYPCF_DEFAULT_VERSION_1_1;
	else if (v && !strcmp(v, "1.2"))
		f |= FYPCF_DEFAULT_VERSION_1_2;
	if (getenv("FY_RESOLVE") && *getenv("FY_RESOLVE") == '1')
		f |= FYPCF_RESOLVE_DOCUMENT;
	return f;
}

/* Error capture: libfyaml's diagnostic object collects errors. */
static struct fy_diag *fy_make_diag(void)
{
	struct fy_diag_cfg dc;
	struct fy_diag *d;

	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = NULL;
	dc.colorize = false;
	d = fy_diag_create(&dc);
	if (d)
		fy_diag_set_collect_errors(d, true);
	return d;
}

static void fy_collect_errors(struct builder *b, struct fy_diag *d)
{
	void *it = NULL;
	struct fy_diag_error *e;
	size_t off = 0;

	b->err[0] = 0;
	while (d && (e = fy_diag_errors_iterate(d, &it)) != NULL && off < sizeof(b->err) - 1) {
		int k = snprintf(b->err + off, sizeof(b->err) - off, "%s%s:%d:%d: %s",
				 off ? " | " : "", b->file, e->line, e->column, e->msg);  /* already 1-based */
		if (k < 0)
			break;
		off += (size_t)k;
	}
	if (!b->err[0])
		snprintf(b->err, sizeof(b->err), "%s: parse error (no diagnostic)", b->file);
}

static int style_of_fy(enum fy_scalar_style s)
{
	switch (s) {
	case FYSS_SINGLE_QUOTED: return S_SINGLE;
	case FYSS_DOUBLE_QUOTED: return S_DOUBLE;
	case FYSS_LITERAL: return S_LITERAL;
	case FYSS_FOLDED: return S_FOLDED;
	default: return S_PLAIN;
	}
}

static int fy_events(struct builder *b, struct fy_parser *fyp)
{
	struct fy_event *fye;
	int rc = 0;

	while ((fye = fy_parser_parse(fyp)) != NULL) {
		struct node *n = NULL;
		struct fy_token *anchor = NULL;
		const struct fy_mark *m = fy_event_start_mark(fye);
		unsigned line = m ? (unsigned)m->line + 1 : 0;
		unsigned col = m ? (unsigned)m->column + 1 : 0;
		size_t len;
		const char *t;

		switch (fye->type) {
		case FYET_DOCUMENT_START:
			b->nanchors = 0;
			break;
		case FYET_SCALAR:
			n = new_node(b, T_SCALAR, line, col);
			t = fy_token_get_text(fye->scalar.value, &len);
			if (!t) {
				t = "";
				len = 0;
			}
			n->u.s.str = arena_strndup(b->a, t, len);
			n->u.s.len = len;
			n->style = (uint8_t)style_of_fy(fy_token_scalar_style(fye->scalar.value));
			n->tagged = fye->scalar.tag != NULL;
			anchor = fye->scalar.anchor;
			b_add(b, n);
			break;
		case FYET_SEQUENCE_START:
			n = new_node(b, T_SEQ, line, col);
			n->style = fye->sequence_start.sequence_start &&
				fy_token_get_type(fye->sequence_start.sequence_start) == FYTT_FLOW_SEQUENCE_START
				? S_FLOW : S_BLOCK;
			n->tagged = fye->sequence_start.tag != NULL;
			anchor = fye->sequence_start.anchor;
			if (b_open(b, n))
				rc = -1;
			break;
		case FYET_MAPPING_START:
			n = new_node(b, T_MAP, line, col);
			n->style = fye->mapping_start.mapping_start &&
				fy_token_get_type(fye->mapping_start.mapping_start) == FYTT_FLOW_MAPPING_START
				? S_FLOW : S_BLOCK;
			n->tagged = fye->mapping_start.tag != NULL;
			anchor = fye->mapping_start.anchor;
			if (b_open(b, n))
				rc = -1;
			break;
		case FYET_SEQUENCE_END:
		case FYET_MAPPING_END:
			b->depth--;
			break;
		case FYET_ALIAS:
			t = fy_token_get_text(fye->alias.anchor, &len);
			if (b_alias(b, t ? t : "", t ? len : 0, line, col))
				rc = -1;
			break;
		default:
			break;
		}
		if (anchor && n) {
			t = fy_token_get_text(anchor, &len);
			if (t)
				b_anchor(b, t, len, n);
		}
		fy_parser_event_free(fyp, fye);
		if (rc)
			return -1;
	}
	if (fy_parser_get_stream_error(fyp)) {
		fy_collect_errors(b, fy_parser_get_diag(fyp));
		return -1;
	}
	return 0;
}

static struct fy_parser *fy_new_parser(struct fy_diag **dp)
{
	struct fy_parse_cfg cfg;
	struct fy_diag *d = fy_make_diag();
	struct fy_parser *fyp;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = fy_flags();
	cfg.diag = d;
	fyp = fy_parser_create(&cfg);
	if (!fyp) {
		fprintf(stderr, "fy_parser_create failed\n");
		exit(2);
	}
	if (dp)
		*dp = d;
	else
		fy_diag_unref(d);    /* the parser holds its own reference */
	return fyp;
}

static int parse_fy_event(struct builder *b, const char *buf, size_t len)
{
	struct fy_parser *fyp = fy_new_parser(NULL);
	int rc;

	if (fy_parser_set_string(fyp, buf, len)) {
		fy_parser_destroy(fyp);
		return -1;
	}
	rc = fy_events(b, fyp);
	fy_parser_destroy(fyp);
	return rc;
}

static struct fy_parser *reused_parser;

static int parse_fy_event_reuse(struct builder *b, const char *buf, size_t len)
{
	if (!reused_parser)
		reused_parser = fy_new_parser(NULL);
	else
		fy_parser_reset(reused_parser);
	if (fy_parser_set_string(reused_parser, buf, len))
		return -1;
	return fy_events(b, reused_parser);
}

/* Convert libfyaml's tree into ours.  Aliases (unless FY_RESOLVE=1 already
 * replaced them) are looked up through the document's anchors. */
static struct node *fy_convert(struct builder *b, struct fy_node *fyn, int depth)
{
	struct node *n;
	struct fy_token *tok;
	const struct fy_mark *m;
	size_t len;
	const char *t;
	void *it = NULL;

	if (!fyn) {
		n = new_node(b, T_SCALAR, 0, 0);   /* empty value */
		n->u.s.str = "";
		return n;
	}
	if (depth > MAXDEPTH)
		return NULL;
	switch (fy_node_get_type(fyn)) {
	case FYNT_SCALAR:
		tok = fy_node_get_scalar_token(fyn);
		m = tok ? fy_token_start_mark(tok) : NULL;
		if (fy_node_is_alias(fyn)) {
			struct fy_node *target;
			t = fy_node_get_scalar(fyn, &len);
			target = fy_node_resolve_alias(fyn);
			if (!target) {
				snprintf(b->err, sizeof(b->err), "%s: unknown anchor '%.*s'",
					 b->file, (int)len, t ? t : "");
				return NULL;
			}
			return fy_convert(b, target, depth + 1);
		}
		n = new_node(b, T_SCALAR, m ? (unsigned)m->line + 1 : 0, m ? (unsigned)m->column + 1 : 0);
		t = fy_node_get_scalar(fyn, &len);
		if (!t) {
			t = "";
			len = 0;
		}
		n->u.s.str = arena_strndup(b->a, t, len);
		n->u.s.len = len;
		n->style = (uint8_t)style_of_fy(fy_token_scalar_style(tok));
		n->tagged = fy_node_get_tag_token(fyn) != NULL;
		return n;
	case FYNT_SEQUENCE: {
		struct fy_node *item;
		n = new_node(b, T_SEQ, 0, 0);   /* no public API for the position */
		n->style = fy_node_get_style(fyn) == FYNS_FLOW ? S_FLOW : S_BLOCK;
		n->tagged = fy_node_get_tag_token(fyn) != NULL;
		while ((item = fy_node_sequence_iterate(fyn, &it)) != NULL) {
			struct node *c = fy_convert(b, item, depth + 1);
			if (!c)
				return NULL;
			coll_append(b, n, c);
		}
		return n;
	}
	case FYNT_MAPPING: {
		struct fy_node_pair *p;
		n = new_node(b, T_MAP, 0, 0);
		n->style = fy_node_get_style(fyn) == FYNS_FLOW ? S_FLOW : S_BLOCK;
		n->tagged = fy_node_get_tag_token(fyn) != NULL;
		while ((p = fy_node_mapping_iterate(fyn, &it)) != NULL) {
			struct node *k = fy_convert(b, fy_node_pair_key(p), depth + 1);
			struct node *v = k ? fy_convert(b, fy_node_pair_value(p), depth + 1) : NULL;
			if (!v)
				return NULL;
			coll_append(b, n, k);
			coll_append(b, n, v);
		}
		return n;
	}
	}
	return NULL;
}

static int parse_fy_doc(struct builder *b, const char *buf, size_t len)
{
	struct fy_parser *fyp = fy_new_parser(NULL);
	struct fy_document *fyd;
	int rc = 0;

	if (fy_parser_set_string(fyp, buf, len)) {
		fy_parser_destroy(fyp);
		return -1;
	}
	while ((fyd = fy_parse_load_document(fyp)) != NULL) {
		struct fy_node *root = fy_document_root(fyd);
		if (root) {
			struct node *n = fy_convert(b, root, 0);
			if (!n)
				rc = -1;
			else
				b_add(b, n);
		}
		fy_parse_document_destroy(fyp, fyd);
		if (rc)
			break;
	}
	if (!rc && fy_parser_get_stream_error(fyp)) {
		fy_collect_errors(b, fy_parser_get_diag(fyp));
		rc = -1;
	}
	fy_parser_destroy(fyp);
	return rc;
}

/* fy-doc-keep: the documents are the tree; they are destroyed at the end of
 * the repetition (keep_release). */
static struct fy_document **kept;
static size_t nkept, capkept;

static int parse_fy_doc_keep(struct builder *b, const char *buf, size_t len)
{
	struct fy_parser *fyp = fy_new_parser(NULL);
	struct fy_document *fyd;
	int rc = 0;

	if (fy_parser_set_string(fyp, buf, len)) {
		fy_parser_destroy(fyp);
		return -1;
	}
	while ((fyd = fy_parse_load_document(fyp)) != NULL) {
		if (nkept == capkept) {
			capkept = capkept ? capkept * 2 : 1024;
			kept = realloc(kept, capkept * sizeof(*kept));
			if (!kept) {
				perror("realloc");
				exit(2);
			}
		}
		kept[nkept++] = fyd;   /* documents outlive their parser */
		b->ndocs++;
	}
	if (fy_parser_get_stream_error(fyp)) {
		fy_collect_errors(b, fy_parser_get_diag(fyp));
		rc = -1;
	}
	fy_parser_destroy(fyp);
	return rc;
}

static void keep_release(void)
{
	for (size_t i = 0; i < nkept; i++)
		fy_document_destroy(kept[i]);
	nkept = 0;
}

/* -------------------------------------------------------------- methods -- */

struct method {
	const char *name;
	int (*parse)(struct builder *, const char *, size_t);
};

static const struct method methods[] = {
	{ "libyaml", parse_libyaml },
	{ "fy-event", parse_fy_event },
	{ "fy-event-reuse", parse_fy_event_reuse },
	{ "fy-doc", parse_fy_doc },
	{ "fy-doc-keep", parse_fy_doc_keep },
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* -------------------------------------------------------- digest, dump -- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	while (n--) {
		h ^= *s++;
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t digest(const struct node *n, uint64_t h)
{
	uint8_t t[2] = { n->type, n->type == T_SCALAR ? n->style : 0 };
	h = fnv(h, t, 2);
	if (n->type == T_SCALAR) {
		h = fnv(h, n->u.s.str, n->u.s.len);
		h = fnv(h, "\0", 1);
	} else {
		h = fnv(h, &n->u.c.len, sizeof(n->u.c.len));
		for (uint32_t i = 0; i < n->u.c.len; i++)
			h = digest(n->u.c.items[i], h);
	}
	return h;
}

static const char *style_name[] = { "plain", "single", "double", "literal", "folded", "flow", "block" };

static void dump(const struct node *n, int ind, const char *prefix)
{
	printf("%*s%s%u:%u ", ind, "", prefix, n->line, n->col);
	if (n->type == T_SCALAR) {
		printf("scalar %s%s \"", style_name[n->style], n->tagged ? " tagged" : "");
		for (size_t i = 0; i < n->u.s.len; i++) {
			unsigned char c = (unsigned char)n->u.s.str[i];
			if (c == '\n')
				fputs("\\n", stdout);
			else if (c == '"' || c == '\\')
				printf("\\%c", c);
			else if (c < 0x20)
				printf("\\x%02x", c);
			else
				putchar(c);
		}
		printf("\"\n");
		return;
	}
	printf("%s %s%s (%u)\n", n->type == T_MAP ? "map" : "seq", style_name[n->style],
	       n->tagged ? " tagged" : "", n->type == T_MAP ? n->u.c.len / 2 : n->u.c.len);
	for (uint32_t i = 0; i < n->u.c.len; i++)
		dump(n->u.c.items[i], ind + 2,
		     n->type == T_MAP ? (i % 2 ? "val " : "key ") : "- ");
}

/* ---------------------------------------------------------------- files -- */

struct file {
	const char *path;
	char *buf;
	size_t len;
};

static struct file *files;
static size_t nfiles, capfiles, total_bytes;

static void add_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	if (n < 0)
		n = 0;
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read error\n", path);
		exit(2);
	}
	buf[n] = 0;
	fclose(f);
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 256;
		files = realloc(files, capfiles * sizeof(*files));
		if (!files)
			exit(2);
	}
	files[nfiles].path = strdup(path);
	files[nfiles].buf = buf;
	files[nfiles].len = (size_t)n;
	nfiles++;
	total_bytes += (size_t)n;
}

static void add_list(const char *list)
{
	FILE *f = strcmp(list, "-") ? fopen(list, "r") : stdin;
	char line[4096];

	if (!f) {
		perror(list);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0])
			add_file(line);
	}
	if (f != stdin)
		fclose(f);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static long maxrss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Child: time one method, print one result line. */
static int run_method(const struct method *m, int reps)
{
	struct arena a = { 0 };
	struct builder b;
	double *t = calloc((size_t)reps, sizeof(double));
	uint64_t h = 14695981039346656037ull;
	size_t arena_peak = 0;
	unsigned long nodes = 0, ndocs = 0;

	memset(&b, 0, sizeof(b));
	b.a = &a;
	for (int r = 0; r < reps; r++) {
		double t0 = now();
		b.nodes = 0;
		b.ndocs = 0;
		for (size_t i = 0; i < nfiles; i++) {
			b.file = files[i].path;
			b.depth = 0;
			b.nanchors = 0;
			if (m->parse(&b, files[i].buf, files[i].len)) {
				fprintf(stderr, "%s: %s\n", m->name, b.err);
				return 1;
			}
		}
		t[r] = now() - t0;
		if (r == 0) {
			for (size_t i = 0; i < b.ndocs && b.docs; i++)
				h = digest(b.docs[i], h);
			nodes = b.nodes;
			ndocs = b.ndocs;
		}
		if (a.total > arena_peak)
			arena_peak = a.total;
		keep_release();
		arena_reset(&a);
	}
	qsort(t, (size_t)reps, sizeof(double), cmp_double);
	double med = t[reps / 2], mb = (double)total_bytes / 1e6;
	printf("%-15s %9.1f %9.1f %8.1f %7.1f %6lu %9lu %7.1f %8.1f  %016llx\n",
	       m->name, t[0] * 1e3, med * 1e3, med * 1e3 / mb, mb / med,
	       ndocs, nodes, (double)arena_peak / 1048576.0,
	       (double)maxrss_kib() / 1024.0,
	       !strcmp(m->name, "fy-doc-keep") ? 0ull : (unsigned long long)h);
	fflush(stdout);
	arena_free(&a);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: parse_compare [-n REPS] [-m METHODS] [-d|-e] [-L LISTFILE] [FILE...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int reps = 5, mode = 0, opt;
	const char *mlist = NULL;
	int selected[NMETHODS];

	while ((opt = getopt(argc, argv, "n:m:L:deh")) != -1) {
		switch (opt) {
		case 'n': reps = atoi(optarg); break;
		case 'm': mlist = optarg; break;
		case 'L': add_list(optarg); break;
		case 'd': mode = 'd'; break;
		case 'e': mode = 'e'; break;
		default: usage();
		}
	}
	for (int i = optind; i < argc; i++)
		add_file(argv[i]);
	if (!nfiles || reps < 1)
		usage();
	for (size_t i = 0; i < NMETHODS; i++)
		selected[i] = mlist == NULL;
	if (mlist) {
		char *s = strdup(mlist), *save = NULL;
		for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			size_t i;
			for (i = 0; i < NMETHODS; i++)
				if (!strcmp(tok, methods[i].name))
					break;
			if (i == NMETHODS) {
				fprintf(stderr, "unknown method %s\n", tok);
				return 2;
			}
			selected[i] = 1;
		}
		free(s);
	}

	if (mode) {
		/* -d dump the trees / -e show the errors, one file at a time */
		int bad = 0;
		for (size_t f = 0; f < nfiles; f++) {
			for (size_t i = 0; i < NMETHODS; i++) {
				struct arena a = { 0 };
				struct builder b;
				if (!selected[i] || !strcmp(methods[i].name, "fy-doc-keep") ||
				    !strcmp(methods[i].name, "fy-event-reuse"))
					continue;
				memset(&b, 0, sizeof(b));
				b.a = &a;
				b.file = files[f].path;
				int rc = methods[i].parse(&b, files[f].buf, files[f].len);
				printf("== %s  %s: %s\n", methods[i].name, files[f].path,
				       rc ? b.err : "ok");
				if (rc)
					bad = 1;
				if (mode == 'd')
					for (size_t d = 0; d < b.ndocs; d++) {
						printf("  --- document %zu\n", d + 1);
						dump(b.docs[d], 2, "");
					}
				free(b.docs);
				free(b.anchors);
				arena_free(&a);
			}
		}
		return bad;
	}

	printf("%zu files, %.2f MB; %d repetitions; parent RSS after reading the files: %.1f MiB\n",
	       nfiles, (double)total_bytes / 1e6, reps, (double)maxrss_kib() / 1024.0);
	printf("%-15s %9s %9s %8s %7s %6s %9s %7s %8s  %s\n", "method", "min ms", "median ms",
	       "ms/MB", "MB/s", "docs", "nodes", "arenaMiB", "peakMiB", "tree digest");
	int status = 0;
	for (size_t i = 0; i < NMETHODS; i++) {
		if (!selected[i])
			continue;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			_exit(run_method(&methods[i], reps));
		int st;
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			status = 1;
	}
	return status;
}
