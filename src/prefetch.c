/*
 * prefetch.c - resource files parsed ahead on worker threads (prefetch.h).
 *
 * Jobs are a kustomization's `resources` entries, by index.  A job is
 * claimed once, by a worker or by the build's thread, with a
 * compare-and-swap on its state; the build's thread takes the entries in
 * order and does itself any it reaches before a worker did, so with one
 * worker the two threads simply take turns along the list.
 */
#include "prefetch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "resfactory.h"

/* Fewer file entries than this are parsed on the build's thread alone: a
 * thread costs more to start than a few small files take to parse. */
#define KR_PREFETCH_MIN_FILES 32
/* ... and every worker should have at least this many files to take. */
#define KR_PREFETCH_FILES_PER_WORKER 16

enum { JOB_FREE, JOB_CLAIMED, JOB_PARSED, JOB_FAILED };

struct kr_prefetch_job {
	kr_prefetched out;
	const char *abs;        /* the entry joined to the root */
	int in_root;            /* abs is a name right in the root */
	int eligible;           /* a path that is no stream: maybe a file */
	atomic_int state;
};

typedef struct worker {
	struct kr_prefetch_pool *pool;
	kr_ctx ctx;             /* its own arena and error */
	pthread_t tid;
	int started;
} worker;

struct kr_prefetch_pool {
	pthread_mutex_t mu;     /* with cv: a job finished */
	pthread_cond_t cv;
	atomic_size_t cursor;   /* next job a worker looks at */
	atomic_int stop;
	struct kr_prefetch_job *jobs;
	size_t njobs;
	const char *root;       /* the kustomization's (load restrictor) */
	unsigned nworkers;
	/* workers[0] is the build's own thread, which parses jobs ahead in
	 * its own context while the entry it needs is still being parsed */
	worker workers[KR_MAX_THREADS + 1];
};

/* Resolve, read and parse one file in the worker's context; 0 when it is
 * no plain file the restrictor allows, or failed (the build's thread then
 * does the entry itself, and reports any error). */
static int parse_job(kr_ctx *w, const char *root, struct kr_prefetch_job *job)
{
	int is_link;
	if (kr_path_type_link(job->abs, &is_link) != 'f')
		return 0;
	if (!is_link && job->in_root) {
		/* a name right in the (real) root that is no link: real as
		 * it is, as kr_realpath_ctx would find */
		job->out.real = job->abs;
	} else {
		/* realpath(3), as kr_realpath_ctx (whose memo belongs to the
		 * build's thread) gives it: tests/test_fsutil.c holds them
		 * equal */
		char *real = realpath(job->abs, NULL);
		if (!real)
			return 0;
		job->out.real = kr_arena_strdup(&w->arena, real);
		free(real);
		if (!job->out.real)
			return 0;
		job->out.via_link = strcmp(job->out.real, job->abs) != 0;
	}
	if (w->opts.load_restrictor == KR_LOAD_ROOT_ONLY &&
	    !kr_path_has_prefix(job->out.real, root))
		return 0;
	char *data;
	size_t len;
	if (kr_read_file(w, job->out.real, job->out.display, &data, &len) < 0)
		return 0;
	if (kr_resource_docs_from_bytes(w, job->out.display, data, len,
	                                &job->out.docs) < 0)
		return 0;
	job->out.len = len;
	job->out.data = data;
	return 1;
}

/* Claim the next free job a worker may take and parse it in wk's
 * context; 0 when none is left. */
static int work_one(worker *wk)
{
	struct kr_prefetch_pool *p = wk->pool;
	while (!atomic_load(&p->stop)) {
		size_t i = atomic_fetch_add(&p->cursor, 1);
		if (i >= p->njobs)
			return 0;
		struct kr_prefetch_job *job = &p->jobs[i];
		int expect = JOB_FREE;
		if (!job->eligible ||
		    !atomic_compare_exchange_strong(&job->state, &expect, JOB_CLAIMED))
			continue;
		int ok = parse_job(&wk->ctx, p->root, job);
		pthread_mutex_lock(&p->mu);
		atomic_store(&job->state, ok ? JOB_PARSED : JOB_FAILED);
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return 1;
	}
	return 0;
}

static void *worker_main(void *arg)
{
	while (work_one(arg))
		;
	return NULL;
}

/* Might entry `e` of k be a plain file that accumulate_entry (build.c)
 * loads as one?  The workers find out (stat and realpath are system calls
 * the build's thread would otherwise make one by one). */
static int file_entry(kr_ctx *ctx, const kr_kustomization *k, const kr_node *e,
                      struct kr_prefetch_job *job)
{
	if (e->type != KR_SCALAR || !e->u.s.str[0])
		return 0;
	kr_arena *a = &ctx->arena;
	const char *rel = e->u.s.str;
	char *abs = kr_path_join(a, k->root, rel);
	char *display = kr_path_join(a, k->dir, rel);
	if (!abs || !display || (ctx->stream_path && !strcmp(abs, ctx->stream_path)))
		return 0;
	job->abs = abs;
	job->out.display = display;
	size_t rl = strlen(k->root);
	const char *name = abs + rl + (rl > 1);
	job->in_root = kr_path_has_prefix(abs, k->root) && strlen(abs) > rl &&
	               !strchr(name, '/');
	return 1;
}

void kr_prefetch_start(kr_ctx *ctx, const kr_kustomization *k, kr_prefetch *pf)
{
	memset(pf, 0, sizeof(*pf));
	size_t n = k->resources ? k->resources->u.q.len : 0;
	if (n < KR_PREFETCH_MIN_FILES)
		return;         /* (before asking the processors: a file read) */
	unsigned threads = kr_build_threads(ctx);
	if (threads < 2)
		return;
	struct kr_prefetch_job *jobs = kr_arena_zalloc(&ctx->arena, n * sizeof(*jobs));
	if (!jobs)
		return;
	size_t files = 0;
	for (size_t i = 0; i < n; i++) {
		jobs[i].eligible = file_entry(ctx, k, k->resources->u.q.items[i],
		                              &jobs[i]);
		atomic_init(&jobs[i].state, JOB_FREE);
		files += (size_t)jobs[i].eligible;
	}
	if (files < KR_PREFETCH_MIN_FILES)
		return;
	unsigned nworkers = threads - 1;
	if (nworkers > files / KR_PREFETCH_FILES_PER_WORKER)
		nworkers = (unsigned)(files / KR_PREFETCH_FILES_PER_WORKER);
	struct kr_prefetch_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return;
	}
	p->jobs = jobs;
	p->njobs = n;
	p->root = k->root;
	atomic_init(&p->cursor, 0);
	atomic_init(&p->stop, 0);
	pf->jobs = jobs;
	pf->njobs = n;
	pf->pool = p;
	for (unsigned w = 0; w <= nworkers; w++) {
		worker *wk = &p->workers[w];
		kr_build_options o = ctx->opts;
		o.warn = NULL;          /* parsing warns of nothing; never twice */
		kr_ctx_init(&wk->ctx, &o);
		if (ctx->nspare_arenas)     /* an earlier list's, half full */
			wk->ctx.arena = ctx->spare_arenas[--ctx->nspare_arenas];
		wk->ctx.cache = ctx->cache;
		wk->pool = p;
		p->nworkers = w + 1;
		if (w == 0)
			continue;
		if (kr_thread_create(&wk->tid, worker_main, wk) != 0)
			break;          /* fewer workers; the build's thread does the rest */
		wk->started = 1;
	}
}

const kr_prefetched *kr_prefetch_take(kr_prefetch *pf, size_t i)
{
	if (!pf->pool || i >= pf->njobs || !pf->jobs[i].eligible)
		return NULL;
	struct kr_prefetch_job *job = &pf->jobs[i];
	int expect = JOB_FREE;
	if (atomic_compare_exchange_strong(&job->state, &expect, JOB_CLAIMED))
		return NULL;    /* ours: the ordinary path loads it */
	struct kr_prefetch_pool *p = pf->pool;
	/* a worker has it: rather than wait, parse a later file meanwhile */
	while (atomic_load(&job->state) == JOB_CLAIMED && work_one(&p->workers[0]))
		;
	if (atomic_load(&job->state) == JOB_CLAIMED) {
		pthread_mutex_lock(&p->mu);
		while (atomic_load(&job->state) == JOB_CLAIMED)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	return atomic_load(&job->state) == JOB_PARSED ? &job->out : NULL;
}

void kr_prefetch_finish(kr_ctx *ctx, kr_prefetch *pf)
{
	struct kr_prefetch_pool *p = pf->pool;
	if (!p)
		return;
	atomic_store(&p->stop, 1);
	for (unsigned w = 0; w < p->nworkers; w++) {
		worker *wk = &p->workers[w];
		if (wk->started)
			pthread_join(wk->tid, NULL);
		/* the trees it parsed belong to the build from now on: kept
		 * for the next list's workers, else given to the build's arena */
		if (ctx->nspare_arenas < sizeof(ctx->spare_arenas) / sizeof(ctx->spare_arenas[0]))
			ctx->spare_arenas[ctx->nspare_arenas++] = wk->ctx.arena;
		else
			kr_arena_adopt(&ctx->arena, &wk->ctx.arena);
		kr_ctx_free_scratch(&wk->ctx);
		kr_buf_free(&wk->ctx.err);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	memset(pf, 0, sizeof(*pf));
}
