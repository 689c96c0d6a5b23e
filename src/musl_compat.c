/*
 * musl_compat.c - glibc's _FORTIFY_SOURCE entry points, for the command
 * linked with musl (CMakeLists.txt, KR_MUSL).
 *
 * Debian builds its static archives (libyaml, PCRE2, xxHash, Nettle) with
 * _FORTIFY_SOURCE against glibc: where the compiler knew a buffer's size,
 * they call these checked variants, which musl does not have.  Each checks
 * what glibc checks and, like glibc, stops the process on an overflow.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

static void chk_fail(void)
{
	static const char msg[] = "*** buffer overflow detected ***: terminated\n";
	fwrite(msg, 1, sizeof(msg) - 1, stderr);
	abort();
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		chk_fail();
	return memcpy(dst, src, n);
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(s, slen, fmt, ap);
	va_end(ap);
	if (r >= 0 && (size_t)r >= slen)
		chk_fail();
	return r;
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}
