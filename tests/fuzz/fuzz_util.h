/*
 * fuzz_util.h - helpers the libFuzzer targets share: the input is a few
 * header lines (patterns, paths, selectors) followed by a YAML body, so
 * one file of the seed corpus is readable and easy to write by hand.
 */
#ifndef KR_FUZZ_UTIL_H
#define KR_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "ctx.h"

/* A build context with limits small enough that one input cannot run for
 * long (aliases, nesting); free with kr_ctx_free. */
static inline void fuzz_ctx_init(kr_ctx *ctx)
{
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	opts.max_alias_nodes = 10000;
	opts.max_depth = 100;
	kr_ctx_init(ctx, &opts);
}

/* Take the next line of *data (without its '\n') as a NUL-terminated copy
 * in the arena; data and size move past it.  NULL when out of memory. */
static inline char *fuzz_line(kr_arena *a, const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *s = kr_arena_strndup(a, (const char *)*data, n);
	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
	return s;
}

/* Split data at the first line "===" (the rest after it); without one,
 * the second part is empty. */
static inline void fuzz_split(const uint8_t *data, size_t size,
                              size_t *first_len, const uint8_t **second,
                              size_t *second_len)
{
	for (size_t i = 0; i + 3 <= size; i++) {
		if ((i == 0 || data[i - 1] == '\n') && !memcmp(data + i, "===", 3) &&
		    (i + 3 == size || data[i + 3] == '\n')) {
			*first_len = i;
			*second = data + i + (i + 3 == size ? 3 : 4);
			*second_len = size - i - (i + 3 == size ? 3 : 4);
			return;
		}
	}
	*first_len = size;
	*second = data + size;
	*second_len = 0;
}

#endif
