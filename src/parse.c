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
#include "parse.h"

#include <string.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

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
	int has_merge;      /* a "<<" key was seen */
	kr_node *merges;    /* values of "<<" keys, in a SEQ */
} frame;

typedef struct parser {
	kr_ctx *ctx;
	const char *file;
	anchor *anchors;
	size_t nanchors, capanchors;
	frame *stack;
	size_t depth, capstack;
	size_t nodes;          /* nodes created in this document (incl. copies) */
	size_t alias_nodes;    /* nodes created by alias expansion in this file */
	unsigned flags;        /* KR_YAML_* */
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
	return kr_fail_at(p->ctx, KR_EYAML, p->file, (unsigned)mark.line + 1,
	                  (unsigned)mark.column + 1, "%s", msg);
}

static void set_pos(parser *p, kr_node *n, yaml_mark_t mark)
{
	n->file = p->file;
	n->line = (uint32_t)mark.line + 1;
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

/* Apply "<<" merge keys the way go-yaml v3 decodes them: keys written in
 * the mapping win, then the merged mappings in order (the first one that
 * has a key wins).  Output key order does not matter to kustomize's
 * serialisation (keys are sorted), but we keep explicit keys first. */
static int apply_merges(parser *p, frame *f, yaml_mark_t mark)
{
	kr_arena *a = &p->ctx->arena;
	kr_node *map = f->node;
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
				if (kr_map_find(map, kv->key->u.s.str, kv->key->u.s.len))
					continue;
				if (kr_map_append(a, map, kv->key, kv->value) < 0)
					return kr_nomem(p->ctx);
			}
		}
	}
	return 0;
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
		if (kr_seq_append(a, f->node, n) < 0)
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
	kr_pair *dup = kr_map_find(f->node, key->u.s.str, key->u.s.len);
	if (dup && (p->flags & KR_YAML_DUP_LAST_WINS)) {
		dup->value = n;
		return 0;
	}
	if (dup) {
		char msg[256];
		snprintf(msg, sizeof(msg), "mapping key \"%.*s\" already defined",
		         (int)(key->u.s.len > 100 ? 100 : key->u.s.len), key->u.s.str);
		yaml_mark_t km = { 0, key->line - 1, key->col - 1 };
		return fail_mark(p, km, msg);
	}
	if (kr_map_append(a, f->node, key, n) < 0)
		return kr_nomem(p->ctx);
	return 0;
}

static int push(parser *p, kr_node *n, const char *anchor_name)
{
	if (p->depth >= p->ctx->opts.max_depth)
		return kr_fail_at(p->ctx, KR_ELIMIT, p->file, n->line, n->col,
		                  "nesting deeper than the limit of %u levels",
		                  p->ctx->opts.max_depth);
	if (p->depth == p->capstack) {
		size_t ncap = p->capstack ? p->capstack * 2 : 32;
		frame *s = kr_arena_grow(&p->ctx->arena, p->stack,
		                         p->depth * sizeof(*s), ncap * sizeof(*s));
		if (!s)
			return kr_nomem(p->ctx);
		p->stack = s;
		p->capstack = ncap;
	}
	frame *f = &p->stack[p->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = anchor_name;
	f->start_count = p->nodes;
	return 0;
}

static const char *dup_anchor(parser *p, const yaml_char_t *s)
{
	if (!s)
		return NULL;
	return kr_arena_strdup(&p->ctx->arena, (const char *)s);
}

int kr_yaml_parse(kr_ctx *ctx, const char *file, const char *data, size_t len,
                  unsigned flags, kr_doclist *out)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	parser p;
	kr_node *root = NULL;
	int rc = 0, done = 0;

	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.file = file;
	p.flags = flags;
	if (!yaml_parser_initialize(&yp))
		return kr_nomem(ctx);
	yaml_parser_set_input_string(&yp, (const unsigned char *)data, len);

	while (!done) {
		if (!yaml_parser_parse(&yp, &ev)) {
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
			root = NULL;
			p.nanchors = 0;
			p.nodes = 0;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (root && !(root->type == KR_SCALAR && root->tag == KR_TAG_NULL)) {
				if (kr_doclist_push(a, out, root) < 0)
					rc = kr_nomem(ctx);
			}
			root = NULL;
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
			set_pos(&p, n, ev.start_mark);
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
			rc = push(&p, n, aname);
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			frame *f = &p.stack[p.depth - 1];
			n = f->node;
			if (f->merges)
				rc = apply_merges(&p, f, ev.start_mark);
			if (rc == 0 && f->anchor)
				rc = add_anchor(&p, f->anchor, n, p.nodes - f->start_count + 1);
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
				rc = kr_fail_at(ctx, KR_ELIMIT, file, (unsigned)ev.start_mark.line + 1,
				                (unsigned)ev.start_mark.column + 1,
				                "alias expansion creates more than %zu nodes "
				                "(limit; an alias bomb?)", ctx->opts.max_alias_nodes);
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
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&yp);
	return rc;
}
