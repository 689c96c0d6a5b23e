/*
 * fuzz_selector.c - libFuzzer target: patch target selectors (selector.c):
 * Go regular expressions (RE2 syntax through PCRE2) for group, version,
 * kind, name and namespace, and Kubernetes label selector syntax for
 * labelSelector and annotationSelector.
 *
 * The input is seven lines (group, version, kind, name, namespace,
 * labelSelector, annotationSelector; an empty line is an unset field) then
 * a resource document, which the compiled selector is matched against.
 * A field without metacharacters, matched as bytes, must give PCRE2's
 * answer for the name.  Errors are fine; crashes, leaks, hangs and
 * sanitizer reports are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_selector
 * Run:   ./build-fuzz/tests/fuzz/fuzz_selector fixtures/fuzz/selector -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "fuzz_util.h"
#include "parse.h"
#include "resource.h"
#include "selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kr_ctx ctx;
	fuzz_ctx_init(&ctx);
	char *f[7];
	for (int i = 0; i < 7; i++)
		f[i] = fuzz_line(&ctx.arena, &data, &size);
	kr_selector s;
	memset(&s, 0, sizeof s);
	s.group = f[0];
	s.version = f[1];
	s.kind = f[2];
	s.name = f[3];
	s.ns = f[4];
	s.label_sel = f[5];
	s.ann_sel = f[6];
	kr_doclist docs = { 0 };
	if (f[6] && kr_selector_compile(&ctx, &s) == 0) {
		if (kr_yaml_parse_resources(&ctx, "doc.yaml", (const char *)data, size,
		                            &docs) == 0 &&
		    docs.len && docs.docs[0]->type == KR_MAP) {
			kr_resource *r = kr_resource_new(&ctx.arena, docs.docs[0]);
			if (r)
				(void)kr_selector_matches(&ctx, &s, r);
			if (r && r->cur.name && f[3] && kr_go_regex_is_plain(f[3], 0)) {
				const char *why;
				char msg[256];
				void *re = kr_go_regex_compile_pcre2(f[3], 1, &why, msg, sizeof msg);
				if (re) {
					int a = kr_go_regex_match(&ctx, s.re[3], r->cur.name,
					                          strlen(r->cur.name));
					int b = kr_go_regex_match(&ctx, re, r->cur.name,
					                          strlen(r->cur.name));
					if (s.re[3] && a >= 0 && b >= 0 && a != b)
						abort();
					kr_go_regex_free(re);
				}
			}
		}
		kr_selector_free(&s);
	}
	kr_ctx_free(&ctx);
	return 0;
}
