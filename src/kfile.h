/*
 * kfile.h - rewriting a kustomization file in place (`kustomize edit`).
 *
 * kustomize's edit commands read the kustomization into a Go struct and
 * marshal it back, which reorders fields and drops comments inside them.
 * krender instead edits the parsed node tree and writes back only the
 * top-level fields that changed: every other field keeps its text byte for
 * byte (comments, quoting, key order).  A changed field is printed as
 * kustomize prints YAML (emit.c) in the place where it was; a new field is
 * appended after the last one.  The spliced text is parsed again and must
 * give exactly the edited tree; when it does not (flow-style or JSON files,
 * anchors shared between fields, duplicate keys...), the whole file is
 * printed from the tree instead, which is what kustomize does anyway.
 *
 * The file is written through a temporary file in the same directory and
 * rename(2), so it is either the old or the new file, never a partial one.
 */
#ifndef KR_KFILE_H
#define KR_KFILE_H

#include <stddef.h>

#include "ctx.h"
#include "node.h"

typedef struct kr_kfile_span kr_kfile_span;

typedef struct kr_kfile {
	kr_ctx *ctx;
	const char *path;     /* the file to read and replace */
	const char *display;  /* its name in messages */
	const char *name;     /* the recognised file name, e.g.
	                       * "kustomization.yaml" (kustomize's GetPath) */
	char *text;           /* original bytes */
	size_t len;
	kr_node *doc;         /* the kustomization mapping, edited in place */
	int splice;           /* the layout allows per-field splicing */
	unsigned indent;      /* column of the top-level keys, 0-based */
	kr_kfile_span *spans; /* top-level fields of the original text */
	size_t nspans;
	char **dirty;         /* fields changed (lower case) */
	size_t ndirty, capdirty;
	/* Block-style lists and mappings that only grew: their new items are
	 * written after the old ones, whose text (and comments) stays. */
	struct kr_kfile_append {
		char *lkey;
		kr_node *items;   /* a SEQ (MAP) of the new items (pairs) */
		kr_node *old;     /* the field's value in the file */
	} *appends;
	size_t nappends, capappends;
	int no_appends;       /* retry without them */
} kr_kfile;

/* Find the kustomization file in `dir` (kustomization.yaml,
 * kustomization.yml or Kustomization; exactly one), read and parse it. */
int kr_kfile_open(kr_ctx *ctx, const char *dir, kr_kfile *kf);

/* The value of top-level field `field` (matched case-insensitively, the
 * last one winning, as kustomize's JSON decoding does), or NULL. */
kr_node *kr_kfile_get(kr_kfile *kf, const char *field);

/* Set field `field` (its canonical spelling) to `value`; NULL removes it.
 * Other spellings of the same field are removed. */
int kr_kfile_set(kr_kfile *kf, const char *field, kr_node *value);

/* Set list (or mapping) field `field` to `value`, whose items (pairs)
 * from `first_new` on are new and the ones before are the field's old
 * ones, unchanged. */
int kr_kfile_append(kr_kfile *kf, const char *field, kr_node *value, uint32_t first_new);

/* The new text of the file, in the arena. */
int kr_kfile_render(kr_kfile *kf, char **text, size_t *len);

/* Render and replace the file (temporary file + rename). */
int kr_kfile_write(kr_kfile *kf);

/* Tree equality with mappings compared as unordered sets of keys (the
 * check of a rendered text against the edited tree). */
int kr_node_equal(const kr_node *a, const kr_node *b);

#endif
