/*
 * images.c - the `images:` (and deprecated `imageTags:`) field of a
 * kustomization: kustomize's ImageTagTransformer
 * (api/internal/builtins/ImageTagTransformer.go, api/filters/imagetag,
 * api/internal/image).  The entries are decoded as kustomize decodes
 * them (kdecode.h: types.Image, case-insensitive fields, strings only).
 *
 * For every entry (images first, then imageTags, as FixKustomization
 * appends them), in order, kustomize runs two filters over all resources
 * except CustomResourceDefinitions:
 *   1. the legacy filter: every `image` field of every mapping element of
 *      every sequence held by a field named `containers` or
 *      `initContainers`, anywhere in the object (depth first, the inner
 *      fields before the outer);
 *   2. the field specs of the configuration's `images` list
 *      (spec/containers[]/image, spec/template/spec/initContainers[]/image,
 *      ...).
 * A field is updated when its value matches the regular expression
 *   "^" + name + "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$"
 * (the name is a Go regular expression, not a literal: `ngin.` matches
 * nginx, `a|b` matches anything starting with a); the value is then split
 * into name, tag and digest (image.Split) and rebuilt with newName, newTag,
 * digest or tagSuffix (tr_images_name_pattern, tr_images_tag_digest).
 * Since the two filters visit the same builtin fields, every update is
 * applied twice: harmless except for tagSuffix, which ends up appended
 * twice (tr_images_tag_suffix).  CustomResourceDefinitions themselves are
 * never changed, custom objects are (tr_images_workloads).  Walking a
 * field spec turns a null `containers` into [] as soon as an images entry
 * exists (tr_images_null_fields).
 *
 * Each field's new value depends only on its old value, so the fields the
 * two filters reach are collected once per transform and every entry is
 * then applied to the collected lists in kustomize's order.
 *
 * Go regular expressions are run with PCRE2.  For the patterns that both
 * accept, match/no-match is the same (a match exists or not whatever the
 * engine's preference), given: `$` only at the very end
 * (PCRE2_DOLLAR_ENDONLY), LF the only newline, UTF-8 mode.  Constructs Go
 * rejects but PCRE2 accepts (look-around, back references, possessive or
 * stacked quantifiers, \Z, \K, (?x), ...) are rejected up front
 * (kr_go_regex_unsupported); kubectl itself crashes (nil *Regexp) on a
 * pattern Go rejects, as soon as it has an image to compare.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fieldspec.h"
#include "images.h"
#include "kdecode.h"
#include "selector.h"
#include "transformers.h"

static int digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* ---- Go regular expressions -------------------------------------------- */

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Go's parseEscape (plus the class escapes when `in_class`, the
 * assertions and \Q otherwise): the length of the escape at p[0] == '\\',
 * or 0 when Go rejects it. */
static size_t go_escape_len(const char *p, size_t n, int in_class)
{
	if (n < 2)
		return 0; /* trailing backslash */
	char c = p[1];
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* a single non-zero digit is a back reference: unsupported */
		if (n < 3 || !is_octal(p[2]))
			return 0;
		/* fall through */
	case '0': {
		size_t i = 2;
		while (i < n && i < 4 && is_octal(p[i]))
			i++;
		return i;
	}
	case 'x':
		if (n >= 3 && p[2] == '{') {
			size_t i = 3;
			unsigned long v = 0;
			while (i < n && is_hex(p[i])) {
				v = v * 16 + (unsigned long)digit_val(p[i]);
				if (v > 0x10FFFF)
					return 0;
				i++;
			}
			if (i == 3 || i >= n || p[i] != '}')
				return 0;
			return i + 1;
		}
		if (n >= 4 && is_hex(p[2]) && is_hex(p[3]))
			return 4;
		return 0;
	case 'a': case 'f': case 'n': case 'r': case 't': case 'v':
	case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
		return 2;
	case 'p': case 'P':
		if (n < 3)
			return 0;
		if (p[2] == '{') {
			const char *e = memchr(p + 3, '}', n - 3);
			return e && e > p + 3 ? (size_t)(e - p) + 1 : 0;
		}
		return 3; /* one letter (a multi-byte one is rejected by PCRE2) */
	case 'A': case 'b': case 'B': case 'z':
		return in_class ? 0 : 2;
	default:
		if ((unsigned char)c < 0x80 && !is_alnum(c))
			return 2; /* an escaped punctuation character is itself */
		return 0;
	}
}

static const char *const posix_classes[] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower",
	"print", "punct", "space", "upper", "word", "xdigit"
};

/* Skip a character class at p[0] == '['; 0 when Go rejects it. */
static size_t go_class_len(const char *p, size_t n)
{
	size_t i = 1;
	if (i < n && p[i] == '^')
		i++;
	int first = 1;
	while (i < n && (p[i] != ']' || first)) {
		first = 0;
		if (n - i > 2 && p[i] == '[' && p[i + 1] == ':') {
			/* Go: the text up to the next ":]" must name a POSIX class */
			const char *rest = p + i + 2;
			size_t rl = n - i - 2, j;
			for (j = 0; j + 1 < rl; j++)
				if (rest[j] == ':' && rest[j + 1] == ']')
					break;
			if (j + 1 < rl) {
				const char *name = rest;
				size_t nl = j;
				if (nl && name[0] == '^')
					name++, nl--;
				size_t m;
				for (m = 0; m < sizeof posix_classes / sizeof *posix_classes; m++)
					if (strlen(posix_classes[m]) == nl &&
					    !memcmp(posix_classes[m], name, nl))
						break;
				if (m == sizeof posix_classes / sizeof *posix_classes)
					return 0;
				i += 2 + j + 2;
				continue;
			}
		}
		if (p[i] == '\\') {
			size_t e = go_escape_len(p + i, n - i, 1);
			if (!e)
				return 0;
			i += e;
		} else {
			i++;
		}
	}
	if (i >= n)
		return 0; /* missing ] */
	return i + 1;
}

/* Go's parseRepeat at p[0] == '{': the length of a valid {n}, {n,} or
 * {n,m} (0 when it is not one: then '{' is a literal); *bad is set when
 * the counts are out of Go's range. */
static size_t go_repeat_len(const char *p, size_t n, int *bad)
{
	size_t i = 1;
	long lo = -1, hi = -1;
	for (int part = 0; part < 2; part++) {
		size_t d = i;
		long v = 0;
		if (part == 1 && i < n && p[i] == '}')
			break; /* {n,} */
		if (i + 1 < n && p[i] == '0' && p[i + 1] >= '0' && p[i + 1] <= '9')
			return 0; /* Go: no leading zeros: a literal '{' */
		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (v < 100000000)
				v = v * 10 + (p[i] - '0');
			i++;
		}
		if (i == d)
			return 0;
		if (part == 0) {
			lo = v;
			if (i < n && p[i] == '}') {
				hi = lo;
				break;
			}
			if (i >= n || p[i] != ',')
				return 0;
			i++;
		} else {
			hi = v;
		}
	}
	if (i >= n || p[i] != '}')
		return 0;
	if (lo > 1000 || hi > 1000 || (hi >= 0 && lo > hi))
		*bad = 1;
	return i + 1;
}

/* Does a repetition operator start at p[i]? */
static int repeat_follows(const char *p, size_t n, size_t i)
{
	int bad = 0;
	if (i >= n)
		return 0;
	return p[i] == '*' || p[i] == '+' || p[i] == '?' ||
	       (p[i] == '{' && go_repeat_len(p + i, n - i, &bad));
}

/* Scan Go pattern p: the reason Go's regexp.Compile would reject it where
 * PCRE2 might not, or NULL.  With `out` (room for 3n+1 bytes: a repeated
 * one-byte assertion, `^?`, becomes `(?:^)?`), also write
 * the PCRE2 spelling: the same text with every '{' that Go takes for a
 * literal (no valid {n,m} follows: "{x}", "{,3}", "{01}") escaped, since
 * PCRE2 reads some of those as repetitions. */
const char *go_regex_scan(const char *p, size_t n, char *out, size_t *olen)
{
	size_t i = 0, o = 0, from = 0;
	int after_repeat = 0;
#define FLUSH_TO(end) do { if (out) { memcpy(out + o, p + from, (end) - from); \
	o += (end) - from; } from = (end); } while (0)
	/* Go repeats an assertion (`^*`, `\b+`); PCRE2 only a group of one. */
#define WRAP_IF_REPEATED(len) do { if (repeat_follows(p, n, i + (len))) { \
	FLUSH_TO(i); if (out) { memcpy(out + o, "(?:", 3); o += 3; } \
	FLUSH_TO(i + (len)); if (out) out[o++] = ')'; } } while (0)
	while (i < n) {
		char c = p[i];
		switch (c) {
		case '\\': {
			if (i + 1 < n && p[i + 1] == 'Q') {
				/* \Q...\E: literal text */
				size_t j = i + 2;
				while (j + 1 < n && !(p[j] == '\\' && p[j + 1] == 'E'))
					j++;
				i = j + 1 < n ? j + 2 : n;
				after_repeat = 0;
				continue;
			}
			size_t e = go_escape_len(p + i, n - i, 0);
			if (!e)
				return "an escape sequence Go does not support";
			if (strchr("bBAz", p[i + 1]))
				WRAP_IF_REPEATED(e);
			i += e;
			after_repeat = 0;
			continue;
		}
		case '^': case '$':
			WRAP_IF_REPEATED(1);
			i++;
			after_repeat = 0;
			continue;
		case '[': {
			size_t e = go_class_len(p + i, n - i);
			if (!e)
				return "a character class Go does not accept";
			i += e;
			after_repeat = 0;
			continue;
		}
		case '(':
			after_repeat = 0;
			if (i + 1 < n && p[i + 1] == '*')
				return "a (*VERB) or a repetition without argument";
			if (i + 1 < n && p[i + 1] == '?') {
				size_t j = i + 2;
				if (j < n && (p[j] == '<' || (p[j] == 'P' && j + 1 < n && p[j + 1] == '<'))) {
					/* named group: (?P<name> or (?<name> */
					j += p[j] == 'P' ? 2 : 1;
					size_t s = j;
					while (j < n && ((unsigned char)p[j] >= 0x80 || is_alnum(p[j]) ||
					                 p[j] == '_'))
						j++;
					if (j == s || j >= n || p[j] != '>')
						return "a group Go does not support";
					i = j + 1;
					continue;
				}
				/* flags: [imsU]* ( '-' [imsU]+ )? then ':' or ')' */
				int neg = 0, saw = 0;
				for (;;) {
					if (j >= n)
						return "a group Go does not support";
					char f = p[j];
					if (f == 'i' || f == 'm' || f == 's' || f == 'U') {
						saw = 1;
					} else if (f == '-' && !neg) {
						neg = 1;
						saw = 0;
					} else if (f == ':' || f == ')') {
						if (neg && !saw)
							return "a group Go does not support";
						break;
					} else {
						return "a group Go does not support";
					}
					j++;
				}
				i = j + 1;
				continue;
			}
			i++;
			continue;
		case '*': case '+': case '?':
			if (after_repeat)
				return "a repetition of a repetition (possessive or stacked "
				       "quantifier)";
			i++;
			if (i < n && p[i] == '?')
				i++;
			after_repeat = 1;
			continue;
		case '{': {
			int bad = 0;
			size_t e = go_repeat_len(p + i, n - i, &bad);
			if (!e) {
				FLUSH_TO(i);
				if (out)
					out[o++] = '\\';
				i++;
				after_repeat = 0;
				continue;
			}
			if (bad)
				return "a repetition count above 1000 or {n,m} with n > m";
			if (after_repeat)
				return "a repetition of a repetition (possessive or stacked "
				       "quantifier)";
			i += e;
			if (i < n && p[i] == '?')
				i++;
			after_repeat = 1;
			continue;
		}
		default:
			i++;
			after_repeat = 0;
			continue;
		}
	}
	FLUSH_TO(n);
#undef FLUSH_TO
#undef WRAP_IF_REPEATED
	if (out)
		out[o] = '\0';
	if (olen)
		*olen = o;
	return NULL;
}

/* Why Go's regexp.Compile would reject pattern p where PCRE2 might not,
 * or NULL when nothing of the kind was found. */
const char *kr_go_regex_unsupported(const char *p, size_t n)
{
	return go_regex_scan(p, n, NULL, NULL);
}

static const char TAG_RE_TAIL[] =
	"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$";

/* Compile kustomize's IsImageMatched pattern for `name`; NULL with *why
 * set (a static string or PCRE2's message in `msg`) when Go would not. */
static pcre2_code *compile_image_pattern(const char *name, const char **why,
                                         char *msg, size_t msglen)
{
	size_t nl = strlen(name);
	char *pat = malloc(nl + sizeof TAG_RE_TAIL + 1);
	if (!pat) {
		*why = "out of memory";
		return NULL;
	}
	pat[0] = '^';
	memcpy(pat + 1, name, nl);
	memcpy(pat + 1 + nl, TAG_RE_TAIL, sizeof TAG_RE_TAIL);
	size_t plen = 1 + nl + sizeof TAG_RE_TAIL - 1;
	char *pcre = malloc(3 * plen + 1);
	if (!pcre) {
		free(pat);
		*why = "out of memory";
		return NULL;
	}
	*why = go_regex_scan(pat, plen, pcre, &plen);
	free(pat);
	pat = pcre;
	if (*why) {
		free(pat);
		return NULL;
	}
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (!cc) {
		free(pat);
		*why = "out of memory";
		return NULL;
	}
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	int err;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, plen,
	                               PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	                               PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
	                               &err, &off, cc);
	pcre2_compile_context_free(cc);
	free(pat);
	if (!re) {
		pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, msglen);
		*why = msg;
	}
	return re;
}

/* A plain image name (kr_go_regex_is_plain with '.': most names, registry
 * hosts having dots) has the pattern
 * ^NAME(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$, which
 * image_plain_match matches without PCRE2: small builds never touch it. */
static int tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '{' || c == '}' || c == '-';
}

/* The pattern of a plain name against `value`: 1/0, or -1 when the value
 * has a non-ASCII byte (a '.' then matches a whole UTF-8 character, or
 * PCRE2's rules for invalid UTF-8 apply: PCRE2 decides).  Every step is
 * forced: '.' is one ASCII character other than a newline, the tag's and
 * digest's character set holds neither ':' nor '@'. */
static int image_plain_match(const char *name, const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] >= 0x80)
			return -1;
	size_t nl = strlen(name);
	if (len < nl)
		return 0;
	for (size_t i = 0; i < nl; i++)
		if (name[i] == '.' ? v[i] == '\n' : name[i] != v[i])
			return 0;
	size_t p = nl;
	if (p < len && v[p] == ':')
		for (p++; p < len && tag_char(v[p]); p++)
			;
	if (len - p >= 8 && !memcmp(v + p, "@sha256:", 8))
		for (p += 8; p < len && tag_char(v[p]); p++)
			;
	return p == len;
}

/* 1 when `value` matches, 0 when not, <0 on a matching error. */
static int run_match(kr_ctx *ctx, pcre2_code *re, pcre2_match_data *md,
                     const char *name, const char *value, size_t len)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)value, len, 0, 0, md, NULL);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	char msg[256];
	pcre2_get_error_message(rc, (PCRE2_UCHAR *)msg, sizeof msg);
	return kr_fail(ctx, KR_ELIMIT, "matching image '%.*s' against name '%s': %s",
	               (int)len, value, name, msg);
}

static int pattern_match(kr_ctx *ctx, const char *name, const char *value,
                         size_t len, int plain_ok)
{
	if (plain_ok && kr_go_regex_is_plain(name, 1)) {
		int m = image_plain_match(name, value, len);
		if (m >= 0)
			return m;
	}
	const char *why;
	char msg[256];
	pcre2_code *re = compile_image_pattern(name, &why, msg, sizeof msg);
	if (!re)
		return kr_fail(ctx, KR_EINVALID, "invalid image name pattern '%s': %s",
		               name, why);
	pcre2_match_data *md = kr_go_match_data(ctx);
	int rc = md ? run_match(ctx, re, md, name, value, len) : kr_nomem(ctx);
	pcre2_code_free(re);
	return rc;
}

int kr_image_pattern_match(kr_ctx *ctx, const char *name, const char *value,
                           size_t len)
{
	return pattern_match(ctx, name, value, len, 1);
}

int kr_image_pattern_match_pcre2(kr_ctx *ctx, const char *name, const char *value,
                                 size_t len)
{
	return pattern_match(ctx, name, value, len, 0);
}

/* ---- image references --------------------------------------------------- */

static size_t index_of(const char *s, size_t n, char c)
{
	const char *p = memchr(s, c, n);
	return p ? (size_t)(p - s) : (size_t)-1;
}

/* kustomize's image.Split: name = img[part[0], part[1]), tag =
 * img[part[2], part[3]), digest = img[part[4], part[5]); empty ranges when
 * absent.  The search for ':' and '@' starts at the first '/' (when it is
 * not the first character), so a registry port is not a tag. */
void kr_image_split(const char *img, size_t len, size_t part[6])
{
	size_t slash = index_of(img, len, '/');
	if (slash == (size_t)-1 || slash == 0)
		slash = 0;
	size_t id = index_of(img + slash, len - slash, '@');
	size_t ic = index_of(img + slash, len - slash, ':');
	const size_t none = (size_t)-1;
	part[0] = 0;
	part[1] = len;
	part[2] = part[3] = part[4] = part[5] = len;
	if (ic == none && id == none)
		return;
	if (id != none && (ic == none || id < ic)) {
		/* digest only (a ':' after the '@' belongs to the digest) */
		part[1] = slash + id;
		part[4] = slash + id + 1;
		return;
	}
	if (id != none) {
		/* tag and digest */
		part[1] = slash + ic;
		part[2] = slash + ic + 1;
		part[3] = slash + id;
		part[4] = slash + id + 1;
		return;
	}
	part[1] = slash + ic;
	part[2] = slash + ic + 1;
}

/* imageTagUpdater.SetImageValue after the match: the new value. */
char *kr_image_rebuild(kr_arena *a, const char *img, size_t len,
                       const char *new_name, const char *new_tag,
                       const char *digest, const char *tag_suffix)
{
	size_t part[6];
	kr_image_split(img, len, part);
	const char *name = img + part[0], *tag = img + part[2], *dig = img + part[4];
	size_t nl = part[1] - part[0], tl = part[3] - part[2], dl = part[5] - part[4];
	const char *suffix = "";
	if (new_name[0])
		name = new_name, nl = strlen(new_name);
	if (new_tag[0] && digest[0]) {
		tag = new_tag, tl = strlen(new_tag);
		dig = digest, dl = strlen(digest);
	} else if (new_tag[0]) {
		tag = new_tag, tl = strlen(new_tag);
		dl = 0;
	} else if (digest[0]) {
		tl = 0;
		dig = digest, dl = strlen(digest);
	} else if (tag_suffix[0]) {
		suffix = tag_suffix;
		dl = 0;
	}
	size_t sl = strlen(suffix);
	char *out = kr_arena_alloc(a, nl + 1 + tl + sl + 1 + dl + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	memcpy(out, name, nl);
	o = nl;
	if (tl + sl) {
		out[o++] = ':';
		memcpy(out + o, tag, tl);
		o += tl;
		memcpy(out + o, suffix, sl);
		o += sl;
	}
	if (dl) {
		out[o++] = '@';
		memcpy(out + o, dig, dl);
		o += dl;
	}
	out[o] = '\0';
	return out;
}

/* ---- the transformer ---------------------------------------------------- */

typedef struct image_entry {
	const char *name, *new_name, *new_tag, *digest, *tag_suffix;
	const kr_node *node;     /* the entry, for error positions */
	int plain;               /* kr_go_regex_is_plain(name, 1) */
	pcre2_code *re;          /* its pattern, compiled when first needed */
} image_entry;

static int compile_entry(kr_ctx *ctx, const kr_layer *l, image_entry *e)
{
	const char *why;
	char msg[256];
	e->re = compile_image_pattern(e->name, &why, msg, sizeof msg);
	if (e->re)
		return 0;
	return kr_fail_at(ctx, KR_EINVALID, l->k->file, e->node->line, e->node->col,
	                  "invalid Kustomization: image name '%s' is not a valid Go "
	                  "regular expression (kustomize matches it as one): %s",
	                  e->name, why);
}

typedef struct nodelist {
	kr_node **items;
	size_t len, cap;
} nodelist;

static int nodelist_add(kr_ctx *ctx, nodelist *l, kr_node *n)
{
	if (l->len == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		kr_node **p = kr_arena_grow(&ctx->arena, l->items, l->len * sizeof(*p),
		                            ncap * sizeof(*p));
		if (!p)
			return kr_nomem(ctx);
		l->items = p;
		l->cap = ncap;
	}
	l->items[l->len++] = n;
	return 0;
}

static const char *node_kind_name(const kr_node *n)
{
	return n->type == KR_MAP ? "a mapping" : n->type == KR_SEQ ? "a list" : "a scalar";
}

/* An image field found: it must be a scalar (or null). */
static int add_image_field(kr_ctx *ctx, nodelist *l, kr_node *v)
{
	if (v->type != KR_SCALAR)
		return kr_fail_at(ctx, KR_EINVALID, v->file ? v->file : "?", v->line, v->col,
		                  "an image must be a string, not %s (kubectl: wrong node "
		                  "kind: expected ScalarNode but got %s)", node_kind_name(v),
		                  v->type == KR_MAP ? "MappingNode" : "SequenceNode");
	return nodelist_add(ctx, l, v);
}

static int is_null(const kr_node *n)
{
	return n->type == KR_SCALAR && n->tag == KR_TAG_NULL;
}

/* checkImageTagsFn: the `image` of every element of a containers list. */
static int legacy_containers(kr_ctx *ctx, nodelist *l, kr_node *seq)
{
	if (seq->type != KR_SEQ)
		return 0;
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		kr_node *e = seq->u.q.items[i];
		if (is_null(e))
			continue;
		if (e->type != KR_MAP)
			return kr_fail_at(ctx, KR_EINVALID, e->file ? e->file : "?", e->line,
			                  e->col, "a container must be a mapping, not %s "
			                  "(kubectl: wrong node kind: expected MappingNode but "
			                  "got %s)", node_kind_name(e),
			                  e->type == KR_SEQ ? "SequenceNode" : "ScalarNode");
		kr_node *img = kr_map_get(e, "image");
		if (img) {
			int rc = add_image_field(ctx, l, img);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* findFieldsFilter.walk: depth first, a field's value before the field. */
static int legacy_walk(kr_ctx *ctx, nodelist *l, kr_node *n)
{
	int rc;
	if (n->type == KR_MAP) {
		for (uint32_t i = 0; i < n->u.m.len; i++) {
			kr_pair *kv = &n->u.m.items[i];
			if ((rc = legacy_walk(ctx, l, kv->value)) < 0)
				return rc;
			if (kr_scalar_is(kv->key, "containers") ||
			    kr_scalar_is(kv->key, "initContainers"))
				if ((rc = legacy_containers(ctx, l, kv->value)) < 0)
					return rc;
		}
	} else if (n->type == KR_SEQ) {
		for (uint32_t i = 0; i < n->u.q.len; i++)
			if ((rc = legacy_walk(ctx, l, n->u.q.items[i])) < 0)
				return rc;
	}
	return 0;
}

static int collect_spec_field(kr_ctx *ctx, kr_pair *field, void *ud)
{
	return add_image_field(ctx, ud, field->value);
}

static int decode_entries(kr_ctx *ctx, const kr_kustomization *k, const char *field,
                          image_entry **entries, size_t *n, size_t *cap)
{
	static const char *const names[] = {
		"name", "newName", "tagSuffix", "newTag", "digest"
	};
	const kr_node *seq;
	char *gof = kr_arena_printf(&ctx->arena, "Kustomization.%s", field);
	if (!gof)
		return kr_nomem(ctx);
	int rc = kr_kust_decode_list(ctx, k, kr_map_get(k->doc, field), field, NULL, gof,
	                             "[]types.Image", &seq);
	if (rc < 0 || !seq)
		return rc;
	for (uint32_t i = 0; i < seq->u.q.len; i++) {
		const kr_node *e = seq->u.q.items[i];
		kr_kmembers mm;
		char *what = kr_arena_printf(&ctx->arena, "%s[%u]", field, i);
		if (!what)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_struct(ctx, k, e, what, NULL, gof, "types.Image",
		                                &mm)) < 0)
			return rc;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			image_entry *p = kr_arena_grow(&ctx->arena, *entries,
			                               *n * sizeof(*p), ncap * sizeof(*p));
			if (!p)
				return kr_nomem(ctx);
			*entries = p;
			*cap = ncap;
		}
		image_entry *ie = &(*entries)[*n];
		memset(ie, 0, sizeof(*ie));
		ie->node = e;
		const char **outs[5] = { &ie->name, &ie->new_name, &ie->tag_suffix,
		                         &ie->new_tag, &ie->digest };
		for (int f = 0; f < 5; f++)
			*outs[f] = "";
		for (uint32_t j = 0; j < mm.len; j++) {
			const kr_kmember *kv = &mm.items[j];
			int f = kr_kust_decode_member(ctx, k, kv, what, names, 5);
			if (f < 0)
				return f;
			char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, names[f]);
			char *g = kr_arena_printf(&ctx->arena, "Image.%s.%s", field, names[f]);
			if (!w || !g)
				return kr_nomem(ctx);
			if ((rc = kr_kust_decode_string(ctx, k, kv->value, w, g, outs[f])) < 0)
				return rc;
		}
		(*n)++;
	}
	return 0;
}

static int apply_entry(kr_ctx *ctx, const kr_layer *layer, image_entry *e,
                       const nodelist *l)
{
	for (size_t i = 0; i < l->len; i++) {
		kr_node *n = l->items[i];
		int m = e->plain ? image_plain_match(e->name, n->u.s.str, n->u.s.len) : -1;
		if (m < 0) {
			pcre2_match_data *md = kr_go_match_data(ctx);
			if (!md)
				return kr_nomem(ctx);
			if (!e->re && (m = compile_entry(ctx, layer, e)) < 0)
				return m;
			m = run_match(ctx, e->re, md, e->name, n->u.s.str, n->u.s.len);
		}
		if (m <= 0) {
			if (m < 0)
				return m;
			continue;
		}
		char *v = kr_image_rebuild(&ctx->arena, n->u.s.str, n->u.s.len, e->new_name,
		                           e->new_tag, e->digest, e->tag_suffix);
		if (!v)
			return kr_nomem(ctx);
		/* kustomize sets a node without a tag in the old node's style,
		 * prints the tree and reads it back: a quoted or block scalar
		 * stays a string, a plain one is typed again by its text (image
		 * `123` renamed to 456 is the int 456, tr_images_value_styles). */
		uint8_t style = n->style;
		size_t vl = strlen(v);
		int quoted = style != KR_STYLE_PLAIN && n->tag != KR_TAG_NULL;
		kr_tag tag = quoted ? KR_TAG_STR : kr_resolve_plain(v, vl);
		if (kr_set_scalar(ctx, n, tag, v, vl) < 0)
			return kr_nomem(ctx);
		if (quoted)
			n->style = style;
	}
	return 0;
}

int kr_images_transform(kr_ctx *ctx, kr_layer *l)
{
	image_entry *entries = NULL;
	size_t n = 0, cap = 0;
	int rc;
	/* FixKustomization: imageTags are appended to images. */
	if ((rc = decode_entries(ctx, l->k, "images", &entries, &n, &cap)) < 0 ||
	    (rc = decode_entries(ctx, l->k, "imageTags", &entries, &n, &cap)) < 0)
		return rc;
	if (n == 0)
		return 0;

	nodelist legacy = { 0 }, specs = { 0 };
	for (size_t i = 0; i < l->m->len; i++) {
		kr_resource *r = l->m->items[i];
		if (!strcmp(r->cur.kind, "CustomResourceDefinition"))
			continue;
		if ((rc = legacy_walk(ctx, &legacy, r->doc)) < 0)
			return rc;
	}
	for (size_t i = 0; i < l->m->len; i++) {
		kr_resource *r = l->m->items[i];
		if (!strcmp(r->cur.kind, "CustomResourceDefinition"))
			continue;
		for (size_t j = 0; j < l->tc->images.len; j++) {
			const kr_fieldspec *fs = &l->tc->images.items[j];
			if (!kr_fieldspec_selects(fs, &r->cur))
				continue;
			rc = kr_fieldspec_walk(ctx, r->doc, fs, KR_CREATE_NOTHING,
			                       collect_spec_field, &specs);
			if (rc < 0) {
				char *id = kr_resid_string(&ctx->arena, &r->cur);
				return kr_wrap(ctx, "object %s", id ? id : r->cur.name);
			}
		}
	}
	if (legacy.len == 0 && specs.len == 0)
		return 0; /* kustomize compares nothing: no pattern is compiled */

	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		image_entry *e = &entries[i];
		/* a plain name is a valid pattern; another is compiled (and
		 * checked) now, in kustomize's order */
		e->plain = kr_go_regex_is_plain(e->name, 1);
		if (!e->plain && (rc = compile_entry(ctx, l, e)) < 0)
			break;
		if ((rc = apply_entry(ctx, l, e, &legacy)) < 0 ||
		    (rc = apply_entry(ctx, l, e, &specs)) < 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		pcre2_code_free(entries[i].re);
	return rc;
}
