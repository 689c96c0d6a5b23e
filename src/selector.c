/*
 * selector.c - patch target selection (see selector.h).
 */
#define _GNU_SOURCE 1 /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "selector.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "images.h"
#include "kdecode.h"

static const char *const sel_fields[] = {
	"group", "version", "kind", "name", "namespace",
	"labelSelector", "annotationSelector"
};

static char *trim(kr_arena *a, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return kr_arena_strndup(a, s, n);
}

/* Where " in" / " notin" starts in requirement r, when a '(' follows it
 * (after optional blanks), or NULL. */
static char *set_op(char *r, const char *word)
{
	size_t wl = strlen(word);
	for (char *p = strstr(r, word); p; p = strstr(p + 1, word)) {
		const char *q = p + wl;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '(')
			return p;
	}
	return NULL;
}

/* Parse a Kubernetes label selector into requirements. */
static int parse_label_selector(kr_ctx *ctx, const char *what, const char *sel,
                                kr_selreq **out, size_t *nout)
{
	kr_arena *a = &ctx->arena;
	size_t n = strlen(sel), cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += sel[i] == ',';
	kr_selreq *reqs = kr_arena_alloc(a, cap * sizeof(*reqs));
	if (!reqs)
		return kr_nomem(ctx);
	size_t nreq = 0, start = 0;
	int depth = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && sel[i] == '(')
			depth++;
		else if (i < n && sel[i] == ')')
			depth--;
		if (i < n && (sel[i] != ',' || depth > 0))
			continue;
		char *r = trim(a, sel + start, i - start);
		start = i + 1;
		if (!r)
			return kr_nomem(ctx);
		if (!r[0]) {
			if (n == 0)
				break;
			return kr_fail(ctx, KR_EINVALID, "%s: invalid selector '%s': "
			               "empty requirement", what, sel);
		}
		kr_selreq *q = &reqs[nreq++];
		memset(q, 0, sizeof(*q));
		char *p;
		if (r[0] == '!') {
			q->op = 'n';
			q->key = trim(a, r + 1, strlen(r + 1));
		} else if ((p = set_op(r, " notin")) || (p = set_op(r, " in"))) {
			int notin = p[1] == 'n';
			q->op = notin ? 'o' : 'i';
			q->key = trim(a, r, (size_t)(p - r));
			char *v = trim(a, p + (notin ? 6 : 3), strlen(p + (notin ? 6 : 3)));
			if (!v)
				return kr_nomem(ctx);
			size_t vl = strlen(v);
			if (vl < 2 || v[0] != '(' || v[vl - 1] != ')')
				return kr_fail(ctx, KR_EINVALID, "%s: invalid selector '%s': "
				               "expected '(' and ')' around the values",
				               what, sel);
			size_t nv = 1;
			for (size_t j = 1; j < vl - 1; j++)
				nv += v[j] == ',';
			q->vals = kr_arena_alloc(a, nv * sizeof(char *));
			if (!q->vals)
				return kr_nomem(ctx);
			size_t vs = 1;
			for (size_t j = 1; j <= vl - 1; j++) {
				if (j < vl - 1 && v[j] != ',')
					continue;
				const char *val = trim(a, v + vs, j - vs);
				if (!val)
					return kr_nomem(ctx);
				q->vals[q->nvals++] = val;
				vs = j + 1;
			}
		} else if ((p = strstr(r, "!="))) {
			q->op = '!';
			q->key = trim(a, r, (size_t)(p - r));
			q->vals = kr_arena_alloc(a, sizeof(char *));
			if (!q->vals)
				return kr_nomem(ctx);
			q->vals[0] = trim(a, p + 2, strlen(p + 2));
			q->nvals = 1;
		} else if ((p = strchr(r, '='))) {
			q->op = '=';
			q->key = trim(a, r, (size_t)(p - r));
			const char *v = p[1] == '=' ? p + 2 : p + 1;
			q->vals = kr_arena_alloc(a, sizeof(char *));
			if (!q->vals)
				return kr_nomem(ctx);
			q->vals[0] = trim(a, v, strlen(v));
			q->nvals = 1;
		} else {
			q->op = 'e';
			q->key = r;
		}
		if (!q->key)
			return kr_nomem(ctx);
		if (!q->key[0] || strpbrk(q->key, " \t=!()<>"))
			return kr_fail(ctx, KR_EINVALID, "%s: invalid selector '%s': "
			               "bad key in '%s'", what, sel, r);
		for (size_t j = 0; j < q->nvals; j++)
			if (!q->vals[j] || strpbrk(q->vals[j], " \t=!()<>,"))
				return q->vals[j] ? kr_fail(ctx, KR_EINVALID, "%s: invalid "
				                            "selector '%s': bad value in '%s'",
				                            what, sel, r)
				                  : kr_nomem(ctx);
	}
	*out = reqs;
	*nout = nreq;
	return 0;
}

/* A compiled Go pattern.  One without a metacharacter (most of them: kind
 * and name targets, plain replacement values) matches exactly its own
 * bytes, so it is compared as bytes and PCRE2 is not touched: compiling
 * and matching with it was ~5% of a small build's instructions, its heap
 * frames and code another handful of page faults. */
typedef struct kr_goregex {
	pcre2_code *re; /* NULL: plain, compared as bytes */
	int anchored;
	size_t len;
	char lit[];     /* the plain pattern */
} kr_goregex;

int kr_go_regex_is_plain(const char *pat, int dot)
{
	for (const unsigned char *p = (const unsigned char *)pat; *p; p++)
		if (*p >= 0x80 || (*p == '.' ? !dot : strchr("\\+*?()|[]{}^$", *p) != NULL))
			return 0;
	return 1;
}

static pcre2_code *go_regex_pcre2(const char *pat, int anchored, const char **why,
                                  char *msg, size_t msglen)
{
	size_t pl = strlen(pat);
	size_t al = anchored ? pl + 6 : pl;
	char *anch = malloc(al + 1);
	char *pcre = malloc(3 * al + 1);  /* go_regex_scan's room */
	if (!anch || !pcre) {
		free(anch);
		free(pcre);
		*why = "out of memory";
		return NULL;
	}
	if (anchored) {
		memcpy(anch, "^(?:", 4);
		memcpy(anch + 4, pat, pl);
		memcpy(anch + 4 + pl, ")$", 3);
	} else {
		memcpy(anch, pat, pl + 1);
	}
	size_t olen = 0;
	*why = go_regex_scan(anch, al, pcre, &olen);
	free(anch);
	if (*why) {
		free(pcre);
		return NULL;
	}
	int err;
	PCRE2_SIZE off;
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (!cc) {
		free(pcre);
		*why = "out of memory";
		return NULL;
	}
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pcre, olen,
	                               PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	                               PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
	                               &err, &off, cc);
	pcre2_compile_context_free(cc);
	free(pcre);
	if (!re) {
		pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, msglen);
		*why = msg;
	}
	return re;
}

static void *go_regex_compile(const char *pat, int anchored, int plain_ok,
                              const char **why, char *msg, size_t msglen)
{
	size_t pl = strlen(pat);
	int plain = plain_ok && kr_go_regex_is_plain(pat, 0);
	kr_goregex *g = malloc(sizeof(*g) + (plain ? pl + 1 : 0));
	if (!g) {
		*why = "out of memory";
		return NULL;
	}
	g->anchored = anchored;
	g->len = pl;
	g->re = NULL;
	if (plain) {
		memcpy(g->lit, pat, pl + 1);
		return g;
	}
	if (!(g->re = go_regex_pcre2(pat, anchored, why, msg, msglen))) {
		free(g);
		return NULL;
	}
	return g;
}

void *kr_go_regex_compile(const char *pat, int anchored, const char **why,
                          char *msg, size_t msglen)
{
	return go_regex_compile(pat, anchored, 1, why, msg, msglen);
}

void *kr_go_regex_compile_pcre2(const char *pat, int anchored, const char **why,
                                char *msg, size_t msglen)
{
	return go_regex_compile(pat, anchored, 0, why, msg, msglen);
}

int kr_selector_compile(kr_ctx *ctx, kr_selector *s)
{
	const char *pats[5] = { s->group, s->version, s->kind, s->name, s->ns };
	static const char *const names[5] = { "group", "version", "kind", "name",
	                                      "namespace" };
	for (int i = 0; i < 5; i++) {
		s->re[i] = NULL;
		if (!pats[i] || !pats[i][0])
			continue;
		const char *why;
		char msg[256];
		s->re[i] = kr_go_regex_compile(pats[i], 1, &why, msg, sizeof msg);
		if (!s->re[i]) {
			kr_selector_free(s);
			return kr_fail(ctx, KR_EINVALID, "invalid target %s pattern '%s': %s",
			               names[i], pats[i], why);
		}
	}
	int rc;
	if (s->label_sel && s->label_sel[0] &&
	    (rc = parse_label_selector(ctx, "labelSelector", s->label_sel, &s->labels,
	                               &s->nlabels)) < 0) {
		kr_selector_free(s);
		return rc;
	}
	if (s->ann_sel && s->ann_sel[0] &&
	    (rc = parse_label_selector(ctx, "annotationSelector", s->ann_sel, &s->anns,
	                               &s->nanns)) < 0) {
		kr_selector_free(s);
		return rc;
	}
	return 0;
}

void kr_selector_free(kr_selector *s)
{
	for (int i = 0; i < 5; i++) {
		kr_go_regex_free(s->re[i]);
		s->re[i] = NULL;
	}
}

int kr_selector_decode(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                       const char *what, kr_selector *s)
{
	memset(s, 0, sizeof(*s));
	kr_kmembers mem;
	int rc;
	if ((rc = kr_kust_decode_struct(ctx, k, n, what, NULL, "Selector", "types.Selector",
	                                &mem)) < 0)
		return rc;
	const char **dst[7] = { &s->group, &s->version, &s->kind, &s->name, &s->ns,
	                        &s->label_sel, &s->ann_sel };
	for (uint32_t i = 0; i < mem.len; i++) {
		int f = kr_kust_decode_member(ctx, k, &mem.items[i], what, sel_fields, 7);
		if (f < 0)
			return f;
		char *w = kr_arena_printf(&ctx->arena, "%s.%s", what, sel_fields[f]);
		char *g = kr_arena_printf(&ctx->arena, "Selector.%s", sel_fields[f]);
		if (!w || !g)
			return kr_nomem(ctx);
		if ((rc = kr_kust_decode_string(ctx, k, mem.items[i].value, w, g, dst[f])) < 0)
			return rc;
	}
	if ((rc = kr_selector_compile(ctx, s)) < 0)
		return kr_wrap(ctx, "%s:%u:%u: %s", k->file, n ? n->line : 0,
		               n ? n->col : 0, what);
	return 0;
}

void kr_go_regex_free(void *re)
{
	kr_goregex *g = re;
	if (g) {
		pcre2_code_free(g->re);
		free(g);
	}
}

void *kr_go_match_data(kr_ctx *ctx)
{
	if (!ctx->match_data)
		ctx->match_data = pcre2_match_data_create(1, NULL);
	return ctx->match_data;
}

void kr_go_match_data_free(kr_ctx *ctx)
{
	pcre2_match_data_free(ctx->match_data);
	ctx->match_data = NULL;
}

int kr_go_regex_match(kr_ctx *ctx, void *re, const char *v, size_t len)
{
	if (!re)
		return 1;
	const kr_goregex *g = re;
	if (!g->re) {
		if (g->anchored)
			return len == g->len && !memcmp(v, g->lit, len);
		return g->len == 0 || (len >= g->len && memmem(v, len, g->lit, g->len));
	}
	pcre2_match_data *md = kr_go_match_data(ctx);
	if (!md)
		return kr_nomem(ctx);
	int rc = pcre2_match(g->re, (PCRE2_SPTR)v, len, 0, 0, md, NULL);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return kr_fail(ctx, KR_ELIMIT, "matching target pattern against '%.*s' failed",
	               (int)len, v);
}

static int re_match(kr_ctx *ctx, void *re, const char *v)
{
	return kr_go_regex_match(ctx, re, v, strlen(v));
}

static int reqs_match(const kr_selreq *reqs, size_t n, const kr_node *map)
{
	for (size_t i = 0; i < n; i++) {
		const kr_selreq *q = &reqs[i];
		const kr_node *v = map && map->type == KR_MAP ? kr_map_get(map, q->key) : NULL;
		const char *text = v && v->type == KR_SCALAR ? v->u.s.str : NULL;
		int in = 0;
		for (size_t j = 0; text && j < q->nvals; j++)
			in |= !strcmp(text, q->vals[j]);
		int ok;
		switch (q->op) {
		case 'e': ok = v != NULL; break;
		case 'n': ok = v == NULL; break;
		case '=': case 'i': ok = v && in; break;
		default: ok = !v || !in; break; /* '!', 'o' */
		}
		if (!ok)
			return 0;
	}
	return 1;
}

static const char *eff_ns(const kr_resid *id, int cluster)
{
	if (cluster)
		return "_non_namespaceable_";
	return id->ns[0] ? id->ns : "default";
}

int kr_selector_matches(kr_ctx *ctx, const kr_selector *s, const kr_resource *r)
{
	const kr_resid *org = kr_resource_org_id(r), *cur = &r->cur;
	int rc;
	if (s->re[4]) {
		if ((rc = re_match(ctx, s->re[4], eff_ns(org, r->cluster_scoped))) < 0)
			return rc;
		if (!rc && (rc = re_match(ctx, s->re[4], eff_ns(cur, r->cluster_scoped))) <= 0)
			return rc;
	}
	if (s->re[3]) {
		if ((rc = re_match(ctx, s->re[3], org->name)) < 0)
			return rc;
		if (!rc && (rc = re_match(ctx, s->re[3], cur->name)) <= 0)
			return rc;
	}
	const char *gvk[3] = { cur->group, cur->version, cur->kind };
	for (int i = 0; i < 3; i++)
		if ((rc = re_match(ctx, s->re[i], gvk[i] ? gvk[i] : "")) <= 0)
			return rc;
	const kr_node *md = kr_map_get(r->doc, "metadata");
	if (s->nlabels && !reqs_match(s->labels, s->nlabels, kr_map_get(md, "labels")))
		return 0;
	if (s->nanns && !reqs_match(s->anns, s->nanns, kr_map_get(md, "annotations")))
		return 0;
	return 1;
}
