/*
 * buf.c - growable byte buffer (see buf.h).
 */
#define _GNU_SOURCE 1 /* mremap */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) && !defined(KR_ARENA_MALLOC)
#include <sys/mman.h>
#define KR_BUF_MAPPED 1
#endif

int kr_buf_grow(kr_buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	if (extra > KR_BUF_MAX || b->len + extra + 1 > KR_BUF_MAX) {
		b->failed = 1;
		return -1;
	}
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + extra + 1)
		ncap *= 2;
#ifdef KR_BUF_MAPPED
	/* A big buffer gets a mapping of its own, advised as huge pages and
	 * grown by mremap: filling a 15 MB output then costs a few page
	 * faults instead of ~4,000 (a fault is expensive on virtual machines,
	 * see arena.c), and growing it copies nothing. */
	if (ncap >= ((size_t)1 << 20)) {
		char *m;
		if (b->mapped) {
			m = mremap(b->data, b->cap, ncap, MREMAP_MAYMOVE);
		} else {
			m = mmap(NULL, ncap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m != MAP_FAILED && b->data) {
				memcpy(m, b->data, b->len + 1);
				free(b->data);
			}
		}
		if (m == MAP_FAILED) {
			b->failed = 1;
			return -1;
		}
#ifdef MADV_HUGEPAGE
		madvise(m, ncap, MADV_HUGEPAGE);
#endif
		b->data = m;
		b->cap = ncap;
		b->mapped = 1;
		return 0;
	}
#endif
	char *p = realloc(b->data, ncap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

void kr_buf_put(kr_buf *b, const char *s, size_t len)
{
	if (kr_buf_grow(b, len) < 0)
		return;
	if (len)
		memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void kr_buf_puts(kr_buf *b, const char *s)
{
	kr_buf_put(b, s, strlen(s));
}

void kr_buf_putc(kr_buf *b, char c)
{
	if (kr_buf_grow(b, 1) < 0)
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void kr_buf_putn(kr_buf *b, char c, size_t n)
{
	if (kr_buf_grow(b, n) < 0)
		return;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kr_buf_printf(kr_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || kr_buf_grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void kr_buf_clear(kr_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void release(kr_buf *b)
{
#ifdef KR_BUF_MAPPED
	if (b->mapped) {
		munmap(b->data, b->cap);
		b->mapped = 0;
		return;
	}
#endif
	free(b->data);
}

void kr_buf_free(kr_buf *b)
{
	release(b);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

char *kr_buf_detach(kr_buf *b, size_t *len)
{
	char *p = b->data;
	if (b->mapped) {
		/* the caller frees with free(): hand over a malloc'd copy */
		p = malloc(b->len + 1);
		if (p)
			memcpy(p, b->data, b->len + 1);
		release(b);
	}
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
