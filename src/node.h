/*
 * node.h - krender's YAML value model.
 *
 * A document is a tree of kr_node: scalars, mappings (ordered key/value
 * pairs, insertion order kept) and sequences.  Every node remembers the file,
 * line and column it came from, for error messages.  Nodes live in the
 * build's arena; nothing is freed one by one.
 *
 * A scalar keeps its text exactly as written (after YAML unescaping) and the
 * type that kustomize's YAML library (go-yaml v3) gives it: the emitter needs
 * both, because kustomize re-types values on output (1.0 -> 1, "0123" keeps
 * its quotes).
 */
#ifndef KR_NODE_H
#define KR_NODE_H

#include <stddef.h>
#include <string.h>
#include <stdint.h>

#include "arena.h"

typedef enum kr_node_type {
	KR_SCALAR = 1,
	KR_MAP = 2,
	KR_SEQ = 3
} kr_node_type;

/* Resolved type of a scalar, as go-yaml v3 decodes it into interface{}. */
typedef enum kr_tag {
	KR_TAG_STR = 0,
	KR_TAG_NULL,
	KR_TAG_BOOL,
	KR_TAG_INT,
	KR_TAG_FLOAT
} kr_tag;

/* How a scalar was written in the source (informational). */
typedef enum kr_style {
	KR_STYLE_PLAIN = 0,
	KR_STYLE_SINGLE,
	KR_STYLE_DOUBLE,
	KR_STYLE_LITERAL,
	KR_STYLE_FOLDED
} kr_style;

/* kr_node.flags */
enum {
	/* The scalar had an explicit tag (other than !!timestamp) in the
	 * source, so go-yaml v3 does not resolve it as a timestamp. */
	KR_NODE_TAGGED = 0x01,
	/* A null a strategic merge keeps although the patch did not set it
	 * (kyaml's MakePersistentNullNode; smp.c). */
	KR_NODE_KEEP_NULL = 0x02,
	/* Set for an instant by the base cache's copy of a build's trees
	 * (basecache.c): a node met, a node met twice (shared between
	 * places).  Never left set on a build's nodes. */
	KR_NODE_MARK = 0x80,
	KR_NODE_MARK_SHARED = 0x40
};

typedef struct kr_node kr_node;
typedef struct kr_pair {
	kr_node *key;    /* always a scalar */
	kr_node *value;
} kr_pair;

struct kr_node {
	uint8_t type;    /* kr_node_type */
	uint8_t tag;     /* kr_tag, scalars only */
	uint8_t style;   /* kr_style, scalars only */
	uint8_t flags;
	uint32_t line;   /* 1-based; 0 when made by a transformer */
	uint32_t col;    /* 1-based */
	const char *file;
	union {
		struct {
			const char *str;   /* NUL-terminated, may contain NULs */
			size_t len;
		} s;
		struct {
			kr_pair *items;
			uint32_t len, cap;
		} m;
		struct {
			kr_node **items;
			uint32_t len, cap;
		} q;
	} u;
};

/* Constructors.  `file` is borrowed (it must live as long as the arena). */
kr_node *kr_node_scalar(kr_arena *a, kr_tag tag, const char *s, size_t len);
kr_node *kr_node_str(kr_arena *a, const char *s);  /* KR_TAG_STR, copies s */
kr_node *kr_node_map(kr_arena *a, uint32_t cap);
kr_node *kr_node_seq(kr_arena *a, uint32_t cap);

/* Append to a mapping or sequence; -1 when out of memory. */
int kr_map_append(kr_arena *a, kr_node *map, kr_node *key, kr_node *value);
int kr_seq_append(kr_arena *a, kr_node *seq, kr_node *item);

/* Look up `key` in a mapping: the value, or NULL.  Inline so that the
 * length of a literal key is known when compiling. */
kr_pair *kr_map_find(const kr_node *map, const char *key, size_t keylen);
static inline kr_node *kr_map_get(const kr_node *map, const char *key)
{
	kr_pair *p = kr_map_find(map, key, strlen(key));
	return p ? p->value : NULL;
}
/* Set key to value (replace or append); -1 when out of memory. */
int kr_map_set(kr_arena *a, kr_node *map, const char *key, kr_node *value);
/* Remove a key; returns 1 if it was there. */
int kr_map_remove(kr_node *map, const char *key);

/* A scalar string value at a path of mapping keys, e.g.
 * kr_node_get_str(doc, "metadata", "name", NULL).  NULL when absent or not a
 * scalar. */
const char *kr_node_get_str(const kr_node *n, ...);

/* Scalar equality of text. */
static inline int kr_scalar_is(const kr_node *n, const char *s)
{
	size_t len = strlen(s);
	return n && n->type == KR_SCALAR && len == n->u.s.len &&
	       memcmp(n->u.s.str, s, len) == 0;
}

/* Deep copy of a tree into arena `a`. */
kr_node *kr_node_copy(kr_arena *a, const kr_node *n);

/* Resolve the type of a plain (unquoted, untagged) scalar as go-yaml v3
 * does: null, bool, int, float or string. */
kr_tag kr_resolve_plain(const char *s, size_t len);

#endif
