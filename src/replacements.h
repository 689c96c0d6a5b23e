/*
 * replacements.h - the pieces of the replacements transformer
 * (replacements.c) that unit tests reach: kyaml's field-path splitter and
 * its two walkers.  The transformer itself is kr_replacements_transform
 * (transformers.h).
 *
 * A field path ("spec.template.spec.containers.[name=app].image") is split
 * as kyaml's SmarterPathSplitter(path, ".") splits it: at dots, `\.`
 * keeping a dot inside a part, a leading dot ignored, and a part that
 * opens with `[` running to the part that ends with `]` (kept with its
 * brackets when it holds `=`, a list selector; unwrapped otherwise, a key
 * with dots: `metadata.annotations.[a.b/c]`).
 *
 * The source of a replacement is looked up as kyaml's PathGetter does
 * (kr_repl_lookup): parts trimmed and empty ones dropped; a number is a
 * list index (negative ones are errors), `-` the last element,
 * `[k=v]` the first list element whose field k has exactly the text v
 * (`[=v]`: the first scalar element v), anything else a mapping key.
 *
 * Targets are found as kyaml's PathMatcher does (kr_repl_match): every
 * match, `*` fanning out over a list, `[k=v]` matching v as an unanchored
 * Go regular expression against the YAML text of each element's field k
 * (`[=v]` against the element itself), numbers as indexes; with `create`,
 * missing keys, `[k=v]` elements and the element just past the end of a
 * list are made on the way.
 */
#ifndef KR_REPLACEMENTS_H
#define KR_REPLACEMENTS_H

#include <stddef.h>

#include "ctx.h"
#include "node.h"

/* kyaml's SmarterPathSplitter(path, "."): *parts gets *n strings in the
 * arena (at least one). */
int kr_repl_split_path(kr_arena *a, const char *path, char ***parts, size_t *n);

/* kyaml's PathGetter: *out is the node at the path, or NULL when a part
 * is missing (or null on the way).  Errors (a list where a mapping is
 * needed, `*`, a negative index, `[x]` without `=`) set the context's
 * error and return < 0. */
int kr_repl_lookup(kr_ctx *ctx, kr_node *root, char *const *parts, size_t n,
                   kr_node **out);

/* The nodes kr_repl_match found, in kyaml's order. */
typedef struct kr_repl_nodes {
	kr_node **items;
	size_t len, cap;
	/* Scalars made by `create`, untyped until a value is set on them
	 * (kyaml makes them with no tag). */
	kr_node **fresh;
	size_t nfresh, capfresh;
	/* Where made nodes say they come from (never line 0: a plain
	 * timestamp made here is one, as kustomize reads it). */
	const char *file;
	unsigned line, col;
} kr_repl_nodes;

/* kyaml's PathMatcher: append every node the path leads to in `root`.
 * `create` is 0 (find only) or the kr_node_type a missing leaf is made
 * as. */
int kr_repl_match(kr_ctx *ctx, kr_node *root, char *const *parts, size_t n,
                  int create, kr_repl_nodes *out);

#endif
