/*
 * edit_impl.h - the pieces of edit.c (`kustomize edit`) that the unit tests
 * reach: argument parsers and kustomize's glob.
 */
#ifndef KR_EDIT_IMPL_H
#define KR_EDIT_IMPL_H

#include <stddef.h>

#include "arena.h"

/* One `set image` argument, [name=]newName[:tag][@digest]. */
typedef struct kr_edit_image {
	const char *name;      /* the image to replace */
	const char *new_name;  /* "" when not given; "*" keeps the old one */
	const char *new_tag;
	const char *digest;
} kr_edit_image;

/* Parse `arg` as kustomize's set image does; the strings are stored in
 * `buf` (at least 2 * strlen(arg) + 8 bytes).  -1 when kustomize rejects
 * the argument (nothing but a name). */
int kr_edit_parse_image(const char *arg, kr_edit_image *img, char *buf, size_t bufsize);

/* Parse `name=count` as kustomize's set replicas does (count: a base-10
 * int64 with an optional sign).  -1 when invalid. */
int kr_edit_parse_replica(const char *arg, char *name, size_t namesize, long long *count);

/* Go's filepath.Glob (what kustomize's file system uses): the matches of
 * `pattern`, sorted directory by directory, joined and cleaned as Go does;
 * a pattern without metacharacters matches itself when it exists. */
int kr_edit_glob(kr_arena *a, const char *pattern, const char ***matches, size_t *n);

#endif
