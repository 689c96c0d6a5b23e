/*
 * cache.h - the parse cache a host may share between builds (kr_cache in
 * krender.h).
 *
 * Parsing is the part of a build that repeats when many overlays read the
 * same bases.  kr_yaml_parse() and kr_yaml_parse_resources() ask the
 * build's cache (ctx->cache) first.  An entry is keyed by the bytes
 * themselves (an XXH3-128 hash to find it, then a full comparison), the
 * parse mode and the limits that decide whether a parse succeeds, never by
 * the file's name or time: a file whose content changed is simply another
 * key, so a stale result cannot come back.  Only successful parses are
 * stored (errors are produced by a real parse, with the build's messages).
 *
 * Entries are immutable once published and live as long as the cache; a
 * build gets its own deep copy of the trees (transformers mutate nodes),
 * with every node's `file` set to the build's own name for the file.  The
 * copies share the scalar text of the entry (text is never modified in
 * place), which is why a cache must outlive the builds that use it.
 *
 * A kr_cache also holds the table of the base cache (basecache.h), which
 * keeps the built result of whole bases.
 */
#ifndef KR_CACHE_H
#define KR_CACHE_H

#include "ctx.h"
#include "parse.h"

/* A parser without the cache: mode flags as kr_yaml_parse's. */
typedef int (*kr_parse_fn)(kr_ctx *ctx, const char *file, const char *data,
                           size_t len, unsigned flags, kr_doclist *out);

/* kr_yaml_parse_resources()'s mode, kept apart from kr_yaml_parse's flags
 * in the key. */
#define KR_CACHE_MODE_RESOURCES 0x100u

/* Append the documents of `data` to *out, from the cache or by calling
 * parse(ctx, file, data, len, flags & 0xff, out) and storing the result. */
int kr_cache_parse(kr_ctx *ctx, const char *file, const char *data, size_t len,
                   unsigned flags, kr_parse_fn parse, kr_doclist *out);

/* The base cache's table of `c` (basecache.h). */
struct kr_bctable *kr_cache_bases(kr_cache *c);
/* The first arena chunk of a finished build, kept for the next build that
 * uses the cache (api.c): taken (NULL: none), or given back (one is kept,
 * another released).  A server's builds then reuse touched memory. */
void *kr_cache_take_chunk(kr_cache *c);
/* Does the base cache also keep the results of top kustomizations? */
int kr_cache_keeps_results(const kr_cache *c);
void kr_cache_put_chunk(kr_cache *c, void *chunk);

#endif
