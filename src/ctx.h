/*
 * ctx.h - the state every stage of a build shares: the arena, the options,
 * the error being reported, and warnings.
 *
 * Errors: the failing function calls kr_fail() (or kr_fail_at() for a
 * position in a YAML file) and returns a negative code; each caller on the
 * way up may add context with kr_wrap(), which prefixes the message, giving
 * a chain like kustomize's:
 *   accumulating resources from 'base': base/deploy.yaml:7:3: did not find expected key
 */
#ifndef KR_CTX_H
#define KR_CTX_H

#include <pthread.h>

#include "arena.h"
#include "buf.h"
#include "krender.h"

struct kr_schema_set;

/* Defaults of the size limits (kr_build_options): far above what real
 * repositories hold, low enough that a hostile input ends in an error
 * before memory runs out. */
#define KR_DEFAULT_MAX_FILE_SIZE ((size_t)64 << 20)
#define KR_DEFAULT_MAX_DOCUMENTS ((size_t)100000)
#define KR_DEFAULT_MAX_RESOURCES ((size_t)250000)

typedef struct kr_ctx {
	kr_arena arena;
	kr_build_options opts;
	/* The OpenAPI schema strategic merges use.  kustomize keeps one per
	 * build: the top kustomization's `openapi:`, else the first one met
	 * (patch_smp.c); NULL: the builtin one. */
	const struct kr_schema_set *openapi;
	int openapi_set;
	/* buildMetadata (buildmeta.h): the current kustomization's directory
	 * relative to the top one while origins are tracked, else NULL; the
	 * top's options. */
	const char *origin_path;
	unsigned build_metadata;
	/* How far kustomize got with its builtin schema before any custom one
	 * was set: 0 not asked, 1 due (a scope was asked of a kind outside
	 * its precomputed table), 2 loaded (a strategic merge used it). */
	int openapi_builtin;
	/* The files this build read (absolute paths, in reading order,
	 * repeats allowed): kr_build_input() reports them sorted and unique
	 * (kr_ctx_note_input, from kr_read_file). */
	const char **inputs;
	size_t ninputs, inputs_cap;
	/* A stream the caller supplied as a virtual file of the root
	 * kustomization's directory (kr_build_set_stream, post-render):
	 * its name there, its absolute path once the root is known, and its
	 * bytes (NUL-terminated). */
	const char *stream_name;
	const char *stream_path;
	const char *stream_data;
	size_t stream_len;
	/* The checkouts of remote bases this build uses (remote.c), those
	 * made for it only (--remote-cache off) removed with it. */
	struct kr_remote_seen *remote_seen;
	/* The checkout of the remote root being built, else NULL: its
	 * kustomizations' bases must stay inside it (remote.h). */
	const char *remote_top;
	/* The parse cache shared with other builds (kr_build_set_cache,
	 * cache.h), or NULL. */
	struct kr_cache *cache;
	/* Directories already resolved by kr_realpath_ctx (fsutil.c): their
	 * paths as asked and their real paths, so that a file's real path
	 * costs one lstat instead of a readlink per path element. */
	struct kr_dirmemo *dirmemo;
	/* Resources read from files and streams so far (opts.max_resources;
	 * a base read twice counts twice). */
	size_t nresources;
	/* The arenas of prefetch workers between two lists (prefetch.c): the
	 * trees in them belong to the build, and the next list's workers
	 * go on filling their current chunks rather than touching fresh
	 * memory.  Released with the build. */
	kr_arena spare_arenas[16];
	unsigned nspare_arenas;
	/* What ran on other threads (prefetch.h, api.c's emit_all): files
	 * parsed by workers, output slices written; for tests. */
	size_t nprefetched;
	unsigned emit_slices;
	/* Warnings emitted (kr_warn, counted even when they are dropped: the
	 * base cache checks that it recorded each one) and paths that resolved
	 * through a symbolic link (kr_realpath_ctx: the base cache stores no
	 * base whose build met one; basecache.h). */
	size_t nwarnings;
	size_t nsymlinks;
	/* The bases being recorded for the base cache, innermost first
	 * (basecache.c), or NULL. */
	struct kr_bcstate *basecache;
	/* The PCRE2 match data of every pattern match of the build
	 * (kr_go_match_data): its heap frames are made once, not per match. */
	void *match_data;
	/* The YAML parser's two child stacks (parse.c), kept from one file to
	 * the next instead of allocated for each. */
	void *parse_pairs, *parse_items;
	size_t parse_pairs_cap, parse_items_cap;
	int err_code;      /* 0 when no error */
	kr_buf err;        /* the message */
} kr_ctx;

void kr_ctx_init(kr_ctx *ctx, const kr_build_options *opts);
void kr_ctx_free(kr_ctx *ctx);
/* Free what a context keeps between files and matches (the PCRE2 match
 * data, the parser's stacks); kr_ctx_free does it too.  For contexts whose
 * arena outlives them (prefetch workers'). */
void kr_ctx_free_scratch(kr_ctx *ctx);

/* pthread_create with the stack a build may need: KR_THREAD_STACK bytes,
 * glibc's usual default, set explicitly because musl's is 128 KiB and a
 * build recurses as deep as its documents nest (--max-depth). */
#define KR_THREAD_STACK ((size_t)8 << 20)
int kr_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

/* Record an error (replacing any earlier one); returns `code`. */
int kr_fail(kr_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record an error at file:line:col; returns `code`. */
int kr_fail_at(kr_ctx *ctx, int code, const char *file, unsigned line,
               unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Prefix the current error with "<context>: "; returns the error code. */
int kr_wrap(kr_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Out of memory: records KR_ENOMEM (without allocating); returns it. */
int kr_nomem(kr_ctx *ctx);

/* Remember that the build read `path` (kr_build_input).  Returns 0, or
 * KR_ENOMEM recorded in ctx. */
int kr_ctx_note_input(kr_ctx *ctx, const char *path);

/* The threads a build may use (opts.threads, 0: the processors online,
 * at most KR_MAX_THREADS): prefetch.c, api.c's emit_all. */
#define KR_MAX_THREADS 8
unsigned kr_build_threads(const kr_ctx *ctx);

/* Emit a warning line through the options' warn callback. */
void kr_warn(kr_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
