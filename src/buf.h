/*
 * buf.h - growable byte buffer backed by malloc, with a hard cap.  Past
 * 1 MiB (a build's output) it moves to its own huge-page mapping, grown
 * with mremap (buf.c).
 *
 * Used for output streams and messages.  A failed allocation (or growing past
 * the cap) sets a sticky `failed` flag; callers check it once at the end.
 */
#ifndef KR_BUF_H
#define KR_BUF_H

#include <stddef.h>

typedef struct kr_buf {
	char *data;     /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	int failed;     /* sticky: an append did not fit */
	int mapped;     /* data is an mmap'd block of cap bytes */
} kr_buf;

#define KR_BUF_INIT { NULL, 0, 0, 0, 0 }
#define KR_BUF_MAX ((size_t)1 << 32) /* 4 GiB: no output grows past this */

int kr_buf_grow(kr_buf *b, size_t extra);
void kr_buf_put(kr_buf *b, const char *s, size_t len);
void kr_buf_puts(kr_buf *b, const char *s);
void kr_buf_putc(kr_buf *b, char c);
void kr_buf_putn(kr_buf *b, char c, size_t n);  /* c repeated n times */
void kr_buf_printf(kr_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kr_buf_clear(kr_buf *b);
void kr_buf_free(kr_buf *b);
/* Hand the buffer's memory to the caller (who frees it); resets b. */
char *kr_buf_detach(kr_buf *b, size_t *len);

#endif
