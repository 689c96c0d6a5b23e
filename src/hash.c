/*
 * hash.c - kustomize's name-suffix hasher (see hash.h).
 */
#include "hash.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "buf.h"

int kr_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t j = 2; j <= n; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xBF)
				return 0;
		i += n + 1;
	}
	return 1;
}

char *kr_base64_lines(kr_arena *a, const char *s, size_t len, size_t *outlen)
{
	size_t enc = 4 * ((len + 2) / 3);
	char *tmp = kr_arena_alloc(a, enc + 1);
	if (!tmp)
		return NULL;
	base64_encode_raw(tmp, len, (const uint8_t *)s);
	tmp[enc] = '\0';
	if (enc < 70) {
		*outlen = enc;
		return tmp;
	}
	size_t nlines = (enc + 69) / 70;
	char *out = kr_arena_alloc(a, enc + nlines + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < enc; i += 70) {
		size_t j = i + 70 > enc ? enc : i + 70;
		memcpy(out + k, tmp + i, j - i);
		k += j - i;
		out[k++] = '\n';
	}
	out[k] = '\0';
	*outlen = k;
	return out;
}

/* Go's encoding/json string encoding (HTML-safe: <, >, & escaped;
 * invalid UTF-8 becomes U+FFFD; U+2028 and U+2029 escaped). */
static void json_string(kr_buf *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	kr_buf_putc(b, '"');
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' &&
			    c != '&') {
				kr_buf_putc(b, (char)c);
			} else if (c == '"' || c == '\\') {
				kr_buf_putc(b, '\\');
				kr_buf_putc(b, (char)c);
			} else if (c == '\n') {
				kr_buf_put(b, "\\n", 2);
			} else if (c == '\r') {
				kr_buf_put(b, "\\r", 2);
			} else if (c == '\t') {
				kr_buf_put(b, "\\t", 2);
			} else {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				kr_buf_put(b, e, 6);
			}
			i++;
			continue;
		}
		/* Length of a valid sequence at i, or 0. */
		size_t n = 0;
		for (size_t m = 2; m <= 4 && i + m <= len; m++)
			if (kr_utf8_valid(str + i, m)) {
				n = m;
				break;
			}
		if (!n) {
			kr_buf_put(b, "\\ufffd", 6);
			i++;
			continue;
		}
		if (n == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			kr_buf_put(b, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
		} else {
			kr_buf_put(b, str + i, n);
		}
		i += n;
	}
	kr_buf_putc(b, '"');
}

static int key_cmp(const void *pa, const void *pb)
{
	const kr_pair *a = *(const kr_pair *const *)pa;
	const kr_pair *b = *(const kr_pair *const *)pb;
	size_t la = a->key->u.s.len, lb = b->key->u.s.len;
	int c = memcmp(a->key->u.s.str, b->key->u.s.str, la < lb ? la : lb);
	return c ? c : (la < lb ? -1 : la > lb);
}

/* A scalar as json.Unmarshal of its JSON gives it back to json.Marshal:
 * strings as strings, null as null, bools, numbers as Go float64s (only
 * ints written plainly are handled; others are refused). */
static int json_scalar(kr_buf *b, const kr_node *v)
{
	switch (v->tag) {
	case KR_TAG_NULL:
		kr_buf_put(b, "null", 4);
		return 0;
	case KR_TAG_BOOL:
		kr_buf_puts(b, (v->u.s.str[0] == 't' || v->u.s.str[0] == 'T') ? "true" : "false");
		return 0;
	case KR_TAG_STR:
		json_string(b, v->u.s.str, v->u.s.len);
		return 0;
	default:
		return -2;
	}
}

/* A data map: Go map[string]interface{} marshalled, keys sorted. */
static int json_map(kr_arena *a, kr_buf *b, const kr_node *m)
{
	uint32_t n = m->u.m.len;
	const kr_pair **ps = n ? kr_arena_alloc(a, n * sizeof(*ps)) : NULL;
	if (n && !ps)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		ps[i] = &m->u.m.items[i];
	if (n)
		qsort(ps, n, sizeof(*ps), key_cmp);
	kr_buf_putc(b, '{');
	uint32_t written = 0;
	for (uint32_t i = 0; i < n; i++) {
		/* A repeated key: the later one wins (json.Unmarshal). */
		if (i + 1 < n && !key_cmp(&ps[i], &ps[i + 1]))
			continue;
		if (written++)
			kr_buf_putc(b, ',');
		json_string(b, ps[i]->key->u.s.str, ps[i]->key->u.s.len);
		kr_buf_putc(b, ':');
		if (ps[i]->value->type != KR_SCALAR)
			return -2;
		int rc = json_scalar(b, ps[i]->value);
		if (rc < 0)
			return rc;
	}
	kr_buf_putc(b, '}');
	return 0;
}

/* values[p]: "" when absent, the map, or a scalar's text. */
static int json_field(kr_arena *a, kr_buf *b, const kr_node *v)
{
	if (!v) {
		kr_buf_put(b, "\"\"", 2);
		return 0;
	}
	if (v->type == KR_MAP)
		return json_map(a, b, v);
	if (v->type == KR_SCALAR) {
		json_string(b, v->u.s.str, v->u.s.len);
		return 0;
	}
	return -2;
}

int kr_hash_suffix(kr_arena *a, const kr_node *doc, char out[11])
{
	const kr_node *kind = kr_map_get(doc, "kind");
	int secret;
	if (kr_scalar_is(kind, "ConfigMap"))
		secret = 0;
	else if (kr_scalar_is(kind, "Secret"))
		secret = 1;
	else
		return -2;
	kr_buf b = KR_BUF_INIT;
	int rc = 0;
	const kr_node *data = kr_map_get(doc, "data");
	if (!secret) {
		const kr_node *bin = kr_map_get(doc, "binaryData");
		if (bin && bin->type == KR_MAP) {
			kr_buf_puts(&b, "{\"binaryData\":");
			rc = json_map(a, &b, bin);
			kr_buf_putc(&b, ',');
		} else {
			kr_buf_putc(&b, '{');
		}
		kr_buf_puts(&b, "\"data\":");
		if (!rc)
			rc = json_field(a, &b, data);
		kr_buf_puts(&b, ",\"kind\":\"ConfigMap\",\"name\":\"\"}");
	} else {
		const kr_node *sd = kr_map_get(doc, "stringData");
		kr_buf_puts(&b, "{\"data\":");
		rc = json_field(a, &b, data);
		kr_buf_puts(&b, ",\"kind\":\"Secret\",\"name\":\"\"");
		if (!rc && sd && sd->type == KR_MAP) {
			kr_buf_puts(&b, ",\"stringData\":");
			rc = json_map(a, &b, sd);
		}
		kr_buf_puts(&b, ",\"type\":");
		if (!rc)
			rc = json_field(a, &b, kr_map_get(doc, "type"));
		kr_buf_putc(&b, '}');
	}
	if (!rc && b.failed)
		rc = -1;
	uint8_t md[SHA256_DIGEST_SIZE];
	if (!rc) {
		struct sha256_ctx sc;
		sha256_init(&sc);
		sha256_update(&sc, b.len, (const uint8_t *)b.data);
		sha256_digest(&sc, sizeof(md), md);
	}
	kr_buf_free(&b);
	if (rc)
		return rc;
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 10; i++) {
		char c = hex[(md[i / 2] >> (i % 2 ? 0 : 4)) & 15];
		switch (c) {
		case '0': c = 'g'; break;
		case '1': c = 'h'; break;
		case '3': c = 'k'; break;
		case 'a': c = 'm'; break;
		case 'e': c = 't'; break;
		default: break;
		}
		out[i] = c;
	}
	out[10] = '\0';
	return 0;
}
