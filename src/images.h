/*
 * images.h - the pieces of the images transformer (images.c) that the unit
 * tests reach: kustomize's image reference split and rebuild, the match of
 * an `images` entry's name (a Go regular expression run with PCRE2), and
 * the check for regular expressions Go would reject.  The transformer
 * itself is kr_images_transform (transformers.h).
 */
#ifndef KR_IMAGES_H
#define KR_IMAGES_H

#include <stddef.h>

#include "arena.h"
#include "ctx.h"

/* Why Go's regexp.Compile would reject pattern p where PCRE2 might not,
 * or NULL when nothing of the kind was found. */
const char *kr_go_regex_unsupported(const char *p, size_t n);

/* kustomize's image.Split: name = img[part[0], part[1]), tag =
 * img[part[2], part[3]), digest = img[part[4], part[5]); empty ranges when
 * absent (a registry port is not a tag). */
void kr_image_split(const char *img, size_t len, size_t part[6]);

/* imageTagUpdater.SetImageValue after a match: the new value of image
 * `img` given an entry's newName, newTag, digest and tagSuffix (""
 * when not set).  NULL when out of memory. */
char *kr_image_rebuild(kr_arena *a, const char *img, size_t len,
                       const char *new_name, const char *new_tag,
                       const char *digest, const char *tag_suffix);

/* Does image `value` match images entry name `name`?  1/0, or <0 with the
 * error set when the pattern is invalid. */
int kr_image_pattern_match(kr_ctx *ctx, const char *name, const char *value,
                           size_t len);
/* For tests: the same, always with PCRE2 (never the plain-name path). */
int kr_image_pattern_match_pcre2(kr_ctx *ctx, const char *name, const char *value,
                                 size_t len);

/* Scan Go regexp pattern p: the reason Go's regexp.Compile would reject
 * it where PCRE2 might not, or NULL; with `out` (room for 3n+1 bytes) also
 * the PCRE2 spelling (images.c). */
const char *go_regex_scan(const char *p, size_t n, char *out, size_t *olen);

#endif
