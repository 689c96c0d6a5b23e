/*
 * selector.h - kustomize's patch target selector (api/types/selector.go,
 * resWrangler.Select): group, version, kind, name and namespace are Go
 * regular expressions anchored as "^(?:pattern)$" (an empty one matches
 * everything); name and namespace match the original id or the current
 * one; labelSelector and annotationSelector use Kubernetes label selector
 * syntax (k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), comma = and).
 */
#ifndef KR_SELECTOR_H
#define KR_SELECTOR_H

#include "ctx.h"
#include "kustomization.h"
#include "resource.h"

typedef struct kr_selreq {
	int op;                 /* '=', '!', 'e' exists, 'n' not exists, 'i' in, 'o' notin */
	const char *key;
	const char **vals;
	size_t nvals;
} kr_selreq;

typedef struct kr_selector {
	const char *group, *version, *kind, *name, *ns;
	const char *label_sel, *ann_sel;
	void *re[5];            /* kr_go_regex_compile's, NULL when the field is empty */
	kr_selreq *labels, *anns;
	size_t nlabels, nanns;
} kr_selector;

/* Decode a `target:` mapping of a kustomization (`what` names it in
 * messages, e.g. "patches[0].target") and compile it.  The selector must
 * be released with kr_selector_free. */
int kr_selector_decode(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                       const char *what, kr_selector *s);
/* Compile a selector whose strings are set (for tests and callers that
 * build one by hand). */
int kr_selector_compile(kr_ctx *ctx, kr_selector *s);
void kr_selector_free(kr_selector *s);
/* A Go regular expression (RE2 syntax) compiled with PCRE2, anchored as
 * "^(?:pat)$" or not; NULL with *why set (a static string or PCRE2's
 * message in `msg`) when Go would reject it.  Free with kr_go_regex_free. */
void *kr_go_regex_compile(const char *pat, int anchored, const char **why,
                          char *msg, size_t msglen);
void kr_go_regex_free(void *re);
/* Has `pat` no metacharacter (and only ASCII), so that it matches exactly
 * its own bytes?  Such a pattern is matched without PCRE2.  With `dot`,
 * '.' is allowed too (one character but a newline: images.c's names). */
int kr_go_regex_is_plain(const char *pat, int dot);
/* For tests: kr_go_regex_compile that always uses PCRE2. */
void *kr_go_regex_compile_pcre2(const char *pat, int anchored, const char **why,
                                char *msg, size_t msglen);
/* Does `re` match somewhere in v[0..len)?  1/0, <0 on a matching error
 * (NULL re: 1). */
int kr_go_regex_match(kr_ctx *ctx, void *re, const char *v, size_t len);
/* The build's PCRE2 match data (pcre2_match_data *, one capture pair),
 * made on first use, or NULL when out of memory; freed by kr_ctx_free. */
void *kr_go_match_data(kr_ctx *ctx);
void kr_go_match_data_free(kr_ctx *ctx);

/* 1 when `r` is selected, 0 when not, <0 on error. */
int kr_selector_matches(kr_ctx *ctx, const kr_selector *s, const kr_resource *r);

#endif
