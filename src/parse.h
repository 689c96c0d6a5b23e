/*
 * parse.h - the one place where krender talks to the YAML library.
 *
 * kr_yaml_parse() turns a byte buffer (a YAML or JSON stream) into krender's
 * own node trees (node.h), one per non-empty document, allocated in the
 * build's arena.  Scalars are typed as go-yaml v3 types them, anchors and
 * aliases are expanded (with a bound on the number of nodes an expansion may
 * create), `<<` merge keys are applied, and every node keeps its position.
 * Errors name the file, line and column.
 */
#ifndef KR_PARSE_H
#define KR_PARSE_H

#include <stddef.h>

#include "ctx.h"
#include "node.h"

typedef struct kr_doclist {
	kr_node **docs;
	size_t len, cap;
} kr_doclist;

/* Parse `len` bytes of `data`, read from `file` (used in messages and kept
 * in the nodes; it must live as long as the arena).  Documents that are
 * empty or null are skipped.  Appends to *out.  Returns 0 or a negative
 * error code with the error set in ctx. */
int kr_yaml_parse(kr_ctx *ctx, const char *file, const char *data, size_t len,
                  unsigned flags, kr_doclist *out);

/* Flags of kr_yaml_parse(). */
enum {
	/* A repeated mapping key replaces the earlier value instead of being
	 * an error (go-yaml v2's non-strict Unmarshal, which kustomize uses
	 * for kustomization files). */
	KR_YAML_DUP_LAST_WINS = 1,
	/* Read only the first document of the stream. */
	KR_YAML_FIRST_DOC_ONLY = 2
};

/* Parse a resource file the way kustomize's kio.ByteReader reads it:
 * "\r\n" becomes "\n", the text is split at every line that starts with
 * "---" and follows a newline (regular expression `\n---.*\n`; anything but
 * a comment after the dashes is an error), and only the first YAML document
 * of each piece is read.  Line numbers stay those of the whole file. */
int kr_yaml_parse_resources(kr_ctx *ctx, const char *file, const char *data,
                            size_t len, kr_doclist *out);

int kr_doclist_push(kr_arena *a, kr_doclist *l, kr_node *doc);

#endif
