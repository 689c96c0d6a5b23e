/*
 * yscratch.h - libyaml's working memory, per thread (see yscratch_alloc.c).
 *
 * libyaml allocates with malloc: 64 KiB of buffers for every parser, and a
 * block for every scalar, tag and anchor, freed again a few events later.
 * In a small build that churn (glibc's malloc and free) was about 5% of
 * the instructions (docs/performance.md).
 *
 * The statically linked command routes malloc/calloc/realloc/free through
 * yscratch_alloc.c (ld --wrap).  While a libyaml call runs on a thread
 * (kr_ys.on), its allocations come from that thread's scratch region, a
 * stack with deferred pops; when the last parser of the thread is deleted
 * the region is rewound.  Outside libyaml calls, and in the libraries and
 * sanitizer builds (no --wrap), every allocation is the system's.
 *
 * Every other allocation of the command comes from its process region
 * while that has room (yscratch_alloc.c), including the first chunk of an
 * arena (kr_region_chunk, arena.h).
 *
 * Only parse.c calls libyaml, through the kr_yp_* helpers below.  Nothing
 * libyaml allocates outlives its parser: parse.c copies every value into
 * the build's arena before the event is deleted.
 */
#ifndef KR_YSCRATCH_H
#define KR_YSCRATCH_H

#include <stddef.h>
#include <yaml.h>

typedef struct kr_yblock kr_yblock;

/* One thread's state.  The region itself belongs to the allocator
 * (yscratch_alloc.c), which sets base/end on its first allocation. */
typedef struct kr_yscratch {
	char *base, *top, *end; /* the region; top: first free byte */
	kr_yblock *last;        /* newest block below top, or NULL */
	int on;                 /* a libyaml call is running on this thread */
	int parsers;            /* libyaml parsers alive on this thread */
	size_t blocks;          /* blocks the region has handed out (tests) */
} kr_yscratch;

extern _Thread_local kr_yscratch kr_ys;

/* Does p point into the process region (yscratch_alloc.c)?  For tests. */
int kr_pr_contains(const void *p);

/* The last parser of the thread is gone: all its blocks are dead. */
static inline void kr_ys_rewind(void)
{
	kr_ys.top = kr_ys.base;
	kr_ys.last = NULL;
}

static inline int kr_yp_initialize(yaml_parser_t *yp)
{
	kr_ys.parsers++;
	kr_ys.on++;
	int ok = yaml_parser_initialize(yp);
	kr_ys.on--;
	if (!ok && --kr_ys.parsers == 0)
		kr_ys_rewind();
	return ok;
}

static inline int kr_yp_parse(yaml_parser_t *yp, yaml_event_t *ev)
{
	kr_ys.on++;
	int ok = yaml_parser_parse(yp, ev);
	kr_ys.on--;
	return ok;
}

static inline void kr_yp_event_delete(yaml_event_t *ev)
{
	kr_ys.on++;
	yaml_event_delete(ev);
	kr_ys.on--;
}

static inline void kr_yp_delete(yaml_parser_t *yp)
{
	kr_ys.on++;
	yaml_parser_delete(yp);
	kr_ys.on--;
	if (--kr_ys.parsers == 0)
		kr_ys_rewind();
}

#endif
