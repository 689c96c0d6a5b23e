/*
 * gonum.h - Go's number syntax and formatting (see gonum.c).
 */
#ifndef KR_GONUM_H
#define KR_GONUM_H

#include <stddef.h>
#include <stdint.h>

/* strconv.ParseUint(s, base, 64) on text without '_'; base 0 reads
 * 0b/0o/0x prefixes and a leading 0 as octal.  0 on success. */
int kr_go_parse_uint(const char *s, size_t n, int base, uint64_t *out);
/* strconv.ParseInt(s, base, 64): an optional sign, then ParseUint. */
int kr_go_parse_int(const char *s, size_t n, int base, int64_t *out);
/* go-yaml's yamlStyleFloat:
 * ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
int kr_yaml_style_float(const char *s, size_t n);
/* strconv's underscoreOK (a leading sign is skipped): every '_' sits
 * between two digits. */
int kr_go_underscore_ok(const char *s, size_t n);
/* strconv.ParseFloat's syntax for text that starts with '.'. */
int kr_go_float_syntax_dot(const char *s, size_t n);
/* Copy s without '_' into dst (room for n + 1 bytes); returns the length. */
size_t kr_strip_underscores(char *dst, const char *s, size_t n);
/* strconv.ParseFloat of NUL-terminated text that passed a syntax check:
 * 0, or -1 on overflow. */
int kr_go_parse_float(const char *clean, double *out);
/* The shortest decimal digits that read back as v (finite, not 0) as a
 * float64 (bits 64) or float32 (bits 32), the closest of those: fills d
 * (>= 18 bytes) and *dp with |v| = 0.d1d2...dn * 10^dp; returns n. */
int kr_go_shortest_digits(double v, int bits, char *d, int *dp);

#endif
