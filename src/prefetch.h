/*
 * prefetch.h - reading and parsing a kustomization's resource files on
 * several threads.
 *
 * A big kustomization lists hundreds or thousands of files, and parsing
 * them is most of a big build (docs/performance.md).  Before its
 * `resources` are accumulated, kr_prefetch_start() lets worker threads
 * find which entries are plain files the load restrictor allows (stat and
 * realpath) and read and parse them ahead, each into its own arena (with
 * a context of its own: errors and limits stay per thread).  The accumulation still walks
 * the entries in order on the build's thread: kr_prefetch_take() gives it
 * entry i's documents once parsed, or tells it to do the entry itself
 * (when no worker has started it yet, or the worker failed: the error is
 * then produced again by the ordinary path, with the build's own message,
 * so errors and their order do not depend on threads).  Every side effect
 * on the build (inputs noted, resource counts and limits, the resource
 * map) stays on the build's thread and in the entries' order: the output
 * is the same bytes whatever the number of threads.
 *
 * kr_prefetch_finish() stops and joins the workers and hands their arenas
 * to the build's, so that the trees live as long as the build.
 */
#ifndef KR_PREFETCH_H
#define KR_PREFETCH_H

#include <stddef.h>

#include "ctx.h"
#include "kustomization.h"
#include "parse.h"

struct kr_prefetch_job;
struct kr_prefetch_pool;

typedef struct kr_prefetch {
	struct kr_prefetch_job *jobs;   /* by entry index; NULL: nothing */
	size_t njobs;
	struct kr_prefetch_pool *pool;
} kr_prefetch;

/* A file entry a worker parsed: its names and documents (kustomize's
 * SliceFromBytes result, as kr_resource_docs_from_bytes gives it). */
typedef struct kr_prefetched {
	const char *real;       /* absolute path after symlinks */
	const char *display;    /* the name messages use */
	size_t len;             /* bytes of the file */
	const char *data;       /* ... and the bytes (the base cache hashes them) */
	int via_link;           /* real differs from the path: a link on the way */
	kr_doclist docs;
} kr_prefetched;

/* Start workers for the file entries of k->resources when there are
 * enough of them and the build may use threads (opts.threads); otherwise
 * leave *pf empty.  Never fails: anything odd is left to the ordinary
 * path. */
void kr_prefetch_start(kr_ctx *ctx, const kr_kustomization *k, kr_prefetch *pf);

/* Entry i's parsed file, waiting for its worker if need be; NULL when the
 * caller must load entry i itself. */
const kr_prefetched *kr_prefetch_take(kr_prefetch *pf, size_t i);

/* Stop the workers, join them and give their memory to ctx's arena.
 * Safe on an empty *pf and after an error. */
void kr_prefetch_finish(kr_ctx *ctx, kr_prefetch *pf);

#endif
