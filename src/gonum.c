/*
 * gonum.c - Go's number syntax and formatting, as kustomize's libraries see
 * numbers: strconv.ParseInt/ParseUint (base 0 reads 0b/0o/0x and a leading
 * 0 as octal), strconv's underscore rule, ParseFloat (strtod rounds
 * correctly as Go does; overflow fails, underflow is 0), go-yaml's
 * yamlStyleFloat pattern, and the shortest decimal digits of a float that
 * read back as it (strconv.FormatFloat with precision -1).  Used by the
 * scalar typing of go-yaml v3 (node.c), of go-yaml v2 (kdecode.c) and by
 * the emitter.
 */
#include "gonum.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strconv.ParseUint(s, base, 64) on text without '_' (base 0 recognises
 * 0x/0o/0b prefixes and a leading 0 as octal).  0 on success. */
int kr_go_parse_uint(const char *s, size_t n, int base, uint64_t *out)
{
	int allow_empty = false; /* "0" itself, base 0 */
	if (n == 0)
		return -1;
	if (base == 0) {
		base = 10;
		if (s[0] == '0') {
			char c = n >= 3 ? (char)(s[1] | 0x20) : 0;
			if (c == 'b') {
				base = 2; s += 2; n -= 2;
			} else if (c == 'o') {
				base = 8; s += 2; n -= 2;
			} else if (c == 'x') {
				base = 16; s += 2; n -= 2;
			} else {
				base = 8; s += 1; n -= 1;
				allow_empty = true;
			}
		}
	}
	if (n == 0 && !allow_empty)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		if (d >= (unsigned)base)
			return -1;
		if (v > (UINT64_MAX - d) / (unsigned)base)
			return -1;
		v = v * (unsigned)base + d;
	}
	*out = v;
	return 0;
}

/* strconv.ParseInt(s, base, 64): optional sign, then ParseUint. */
int kr_go_parse_int(const char *s, size_t n, int base, int64_t *out)
{
	int neg = false;
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	uint64_t u;
	if (kr_go_parse_uint(s, n, base, &u) < 0)
		return -1;
	if (neg) {
		if (u > (uint64_t)1 << 63)
			return -1;
		*out = (int64_t)(0 - u);
	} else {
		if (u >= (uint64_t)1 << 63)
			return -1;
		*out = (int64_t)u;
	}
	return 0;
}

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
int kr_yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, st;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		st = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return 0;
	} else {
		st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return 0;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return 0;
	}
	return i == n;
}

/* strconv's underscoreOK for text without sign or base prefix: every '_'
 * sits between two digits. */
int kr_go_underscore_ok(const char *s, size_t n)
{
	char saw = '^';
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			saw = '0';
			continue;
		}
		if (s[i] == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

/* Syntax check of strconv.ParseFloat for text that starts with '.' (the
 * resolvers' '.' hint): digits and '_' after the dot, at least one digit,
 * an optional exponent that starts with a digit, and underscoreOK. */
int kr_go_float_syntax_dot(const char *s, size_t n)
{
	size_t i = 1;
	int digits = false;
	if (n == 0 || s[0] != '.')
		return 0;
	for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
		if (s[i] != '_')
			digits = true;
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
			;
	}
	return i == n && kr_go_underscore_ok(s, n);
}

/* Copy s without '_' into dst (which has room for n + 1 bytes). */
size_t kr_strip_underscores(char *dst, const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			dst[k++] = s[i];
	dst[k] = '\0';
	return k;
}

/* strconv.ParseFloat of text that passed a syntax check: strtod (correctly
 * rounded, like Go), failing on overflow as Go does (underflow gives 0). */
int kr_go_parse_float(const char *clean, double *out)
{
	double v = strtod(clean, NULL);
	if (isinf(v))
		return -1;
	*out = v;
	return 0;
}

/* Digits and exponent of a "%.*e" rendering: "d.ddde+XX" -> "dddd", dp. */
static int parse_e(const char *buf, char *d, int *dp)
{
	int nd = 0;
	const char *p = buf;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			d[nd++] = *p;
	*dp = (*p ? atoi(p + 1) : 0) + 1;
	return nd;
}

/* The shortest decimal that reads back as v (v > 0, finite), as Go's
 * strconv.FormatFloat(v, _, -1, 64) picks it: the fewest digits, and of
 * those the closest to v.  The closest p-digit decimal (printf rounding)
 * is tried first; when v is a power of two its rounding interval is
 * narrower below v, so the next p-digit decimal up can be the only one
 * inside: it is tried too.  `bits` 32 reads back
 * as a float32 (FormatFloat(v, _, -1, 32)).  The sign of v is ignored.
 * Fills d (>= 18 bytes), *dp with
 * v = 0.d1d2...dn * 10^dp; returns n. */
int kr_go_shortest_digits(double v, int bits, char *d, int *dp)
{
	char buf[48];
	int nd = 0;
	int maxp = bits == 32 ? 9 : 17;
	v = fabs(v);
	/* Integers below 2^53 (2^24 for float32) are exact and their neighbours
	 * are at least 1 away, so their shortest form is their own digits.
	 * The common case (ports, replicas, sizes) then needs no printf. */
	if (v >= 1 && v < (bits == 32 ? 16777216.0 : 9007199254740992.0) &&
	    v == (double)(uint64_t)v) {
		char tmp[20];
		int n = 0;
		for (uint64_t u = (uint64_t)v; u; u /= 10)
			tmp[n++] = (char)('0' + u % 10);
		for (int i = 0; i < n; i++)
			d[i] = tmp[n - 1 - i];
		*dp = n;
		nd = n;
		goto found;
	}
#define READS_BACK(s) (bits == 32 ? (float)strtod((s), NULL) == (float)v : strtod((s), NULL) == v)
	for (int p = 1; p <= maxp; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, v);
		nd = parse_e(buf, d, dp);
		if (READS_BACK(buf))
			goto found;
		int k = nd - 1;
		while (k >= 0 && d[k] == '9')
			d[k--] = '0';
		int ndp = *dp;
		if (k < 0) {
			d[0] = '1';
			ndp++;
		} else {
			d[k]++;
		}
		int m = 0;
		buf[m++] = d[0];
		buf[m++] = '.';
		for (int i = 1; i < nd; i++)
			buf[m++] = d[i];
		snprintf(buf + m, sizeof buf - (size_t)m, "e%d", ndp - 1);
		if (READS_BACK(buf)) {
			*dp = ndp;
			goto found;
		}
	}
	snprintf(buf, sizeof buf, "%.16e", v);
	nd = parse_e(buf, d, dp);
#undef READS_BACK
found:
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	return nd;
}
