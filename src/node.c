/*
 * node.c - constructors, lookups and scalar resolution of the YAML value
 * model (see node.h).
 */
#include "node.h"

#include "gonum.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

kr_node *kr_node_scalar(kr_arena *a, kr_tag tag, const char *s, size_t len)
{
	/* One allocation for the node and its text. */
	kr_node *n = kr_arena_alloc(a, sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	char *copy = (char *)(n + 1);
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	n->type = KR_SCALAR;
	n->tag = (uint8_t)tag;
	n->style = KR_STYLE_PLAIN;
	n->flags = 0;
	n->line = n->col = 0;
	n->file = NULL;
	n->u.s.str = copy;
	n->u.s.len = len;
	return n;
}

kr_node *kr_node_str(kr_arena *a, const char *s)
{
	return kr_node_scalar(a, KR_TAG_STR, s, strlen(s));
}

kr_node *kr_node_map(kr_arena *a, uint32_t cap)
{
	kr_node *n = kr_arena_zalloc(a, sizeof(*n));
	if (!n)
		return NULL;
	n->type = KR_MAP;
	if (cap) {
		n->u.m.items = kr_arena_alloc(a, cap * sizeof(kr_pair));
		if (!n->u.m.items)
			return NULL;
		n->u.m.cap = cap;
	}
	return n;
}

kr_node *kr_node_seq(kr_arena *a, uint32_t cap)
{
	kr_node *n = kr_arena_zalloc(a, sizeof(*n));
	if (!n)
		return NULL;
	n->type = KR_SEQ;
	if (cap) {
		n->u.q.items = kr_arena_alloc(a, cap * sizeof(kr_node *));
		if (!n->u.q.items)
			return NULL;
		n->u.q.cap = cap;
	}
	return n;
}

int kr_map_append(kr_arena *a, kr_node *map, kr_node *key, kr_node *value)
{
	if (map->u.m.len == map->u.m.cap) {
		uint32_t ncap = map->u.m.cap ? map->u.m.cap * 2 : 4;
		kr_pair *p = kr_arena_grow(a, map->u.m.items,
		                           map->u.m.len * sizeof(kr_pair),
		                           ncap * sizeof(kr_pair));
		if (!p)
			return -1;
		map->u.m.items = p;
		map->u.m.cap = ncap;
	}
	map->u.m.items[map->u.m.len].key = key;
	map->u.m.items[map->u.m.len].value = value;
	map->u.m.len++;
	return 0;
}

int kr_seq_append(kr_arena *a, kr_node *seq, kr_node *item)
{
	if (seq->u.q.len == seq->u.q.cap) {
		uint32_t ncap = seq->u.q.cap ? seq->u.q.cap * 2 : 4;
		kr_node **p = kr_arena_grow(a, seq->u.q.items,
		                            seq->u.q.len * sizeof(kr_node *),
		                            ncap * sizeof(kr_node *));
		if (!p)
			return -1;
		seq->u.q.items = p;
		seq->u.q.cap = ncap;
	}
	seq->u.q.items[seq->u.q.len++] = item;
	return 0;
}

kr_pair *kr_map_find(const kr_node *map, const char *key, size_t keylen)
{
	if (!map || map->type != KR_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->u.m.len; i++) {
		const kr_node *k = map->u.m.items[i].key;
		/* the first byte first: most keys of the same length differ
		 * there, and a call to memcmp costs more than the byte */
		if (k->u.s.len == keylen &&
		    (keylen == 0 || (k->u.s.str[0] == key[0] &&
		                     memcmp(k->u.s.str, key, keylen) == 0)))
			return &map->u.m.items[i];
	}
	return NULL;
}

int kr_map_set(kr_arena *a, kr_node *map, const char *key, kr_node *value)
{
	kr_pair *p = kr_map_find(map, key, strlen(key));
	if (p) {
		p->value = value;
		return 0;
	}
	kr_node *k = kr_node_str(a, key);
	if (!k)
		return -1;
	return kr_map_append(a, map, k, value);
}

int kr_map_remove(kr_node *map, const char *key)
{
	size_t keylen = strlen(key);
	kr_pair *p = kr_map_find(map, key, keylen);
	if (!p)
		return 0;
	size_t i = (size_t)(p - map->u.m.items);
	memmove(p, p + 1, (map->u.m.len - i - 1) * sizeof(kr_pair));
	map->u.m.len--;
	return 1;
}

const char *kr_node_get_str(const kr_node *n, ...)
{
	va_list ap;
	va_start(ap, n);
	const char *key;
	while (n && (key = va_arg(ap, const char *)) != NULL)
		n = kr_map_get(n, key);
	va_end(ap);
	if (!n || n->type != KR_SCALAR)
		return NULL;
	return n->u.s.str;
}

kr_node *kr_node_copy(kr_arena *a, const kr_node *n)
{
	kr_node *c = kr_arena_alloc(a, sizeof(*c));
	if (!c)
		return NULL;
	*c = *n;
	switch (n->type) {
	case KR_SCALAR:
		break; /* scalar text is immutable and shared */
	case KR_MAP:
		c->u.m.items = NULL;
		c->u.m.cap = c->u.m.len = 0;
		if (n->u.m.len) {
			c->u.m.items = kr_arena_alloc(a, n->u.m.len * sizeof(kr_pair));
			if (!c->u.m.items)
				return NULL;
			c->u.m.cap = n->u.m.len;
		}
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			c->u.m.items[i].key = n->u.m.items[i].key;
			c->u.m.items[i].value = kr_node_copy(a, n->u.m.items[i].value);
			if (!c->u.m.items[i].value)
				return NULL;
		}
		c->u.m.len = n->u.m.len;
		break;
	case KR_SEQ:
		c->u.q.items = NULL;
		c->u.q.cap = c->u.q.len = 0;
		if (n->u.q.len) {
			c->u.q.items = kr_arena_alloc(a, n->u.q.len * sizeof(kr_node *));
			if (!c->u.q.items)
				return NULL;
			c->u.q.cap = n->u.q.len;
		}
		for (uint32_t i = 0; i < n->u.q.len; i++) {
			c->u.q.items[i] = kr_node_copy(a, n->u.q.items[i]);
			if (!c->u.q.items[i])
				return NULL;
		}
		c->u.q.len = n->u.q.len;
		break;
	}
	return c;
}

/* ---- scalar resolution (go-yaml v3, resolve.go semantics) ---- */

static int eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* strconv.ParseFloat succeeds (no overflow to infinity). */
static int float_in_range(const char *s, size_t len)
{
	char buf[512];
	if (len >= sizeof(buf))
		return 1; /* absurdly long: treat as in range */
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	double d = strtod(buf, NULL);
	return !(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL));
}

kr_tag kr_resolve_plain(const char *s, size_t len)
{
	if (len == 0)
		return KR_TAG_NULL;
	/* Only scalars starting with these characters can be anything but a
	 * string; most text is decided by its first byte. */
	switch (s[0]) {
	case '~': case 'n': case 'N':
		if (eq(s, len, "~") || eq(s, len, "null") || eq(s, len, "Null") ||
		    eq(s, len, "NULL"))
			return KR_TAG_NULL;
		return KR_TAG_STR;
	case 't': case 'T': case 'f': case 'F':
		if (eq(s, len, "true") || eq(s, len, "True") || eq(s, len, "TRUE") ||
		    eq(s, len, "false") || eq(s, len, "False") || eq(s, len, "FALSE"))
			return KR_TAG_BOOL;
		return KR_TAG_STR;
	case '.': case '+': case '-':
		if (eq(s, len, ".nan") || eq(s, len, ".NaN") || eq(s, len, ".NAN") ||
		    eq(s, len, ".inf") || eq(s, len, ".Inf") || eq(s, len, ".INF") ||
		    eq(s, len, "+.inf") || eq(s, len, "+.Inf") || eq(s, len, "+.INF") ||
		    eq(s, len, "-.inf") || eq(s, len, "-.Inf") || eq(s, len, "-.INF"))
			return KR_TAG_FLOAT;
		break;
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		break;
	default:
		return KR_TAG_STR;
	}
	if (s[0] == '.') {
		/* go-yaml v3 reads these with ParseFloat on the text as written
		 * (underscores are not removed). */
		return kr_yaml_style_float(s, len) && float_in_range(s, len)
		       ? KR_TAG_FLOAT : KR_TAG_STR;
	}
	char small[128];
	char *plain = len < sizeof(small) ? small : malloc(len + 1);
	if (!plain)
		return KR_TAG_STR;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			plain[n++] = s[i];
	plain[n] = '\0';
	kr_tag tag = KR_TAG_STR;
	int64_t iv;
	uint64_t uv;
	if (kr_go_parse_int(plain, n, 0, &iv) == 0 || kr_go_parse_uint(plain, n, 0, &uv) == 0)
		tag = KR_TAG_INT;
	else if (kr_yaml_style_float(plain, n) && float_in_range(plain, n))
		tag = KR_TAG_FLOAT;
	else if (n > 2 && plain[0] == '0' && (plain[1] == 'b' || plain[1] == 'o') &&
	         kr_go_parse_int(plain + 2, n - 2, plain[1] == 'b' ? 2 : 8, &iv) == 0)
		tag = KR_TAG_INT; /* v3: "0b"/"0o" then ParseInt(rest, 2 or 8) */
	if (plain != small)
		free(plain);
	return tag;
}
