/*
 * fuzz_json6902.c - libFuzzer target: JSON 6902 patches (patch_json6902.c).
 *
 * The input is a resource document, a line "===", then the operation list
 * (YAML or JSON, read as a patch file is read).  The operations are
 * applied to the document, the result normalised as kustomize's JSON round
 * trip does and emitted.  Errors are fine; crashes, leaks, hangs and
 * sanitizer reports are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_json6902
 * Run:   ./build-fuzz/tests/fuzz/fuzz_json6902 fixtures/fuzz/json6902 -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "emit.h"
#include "fuzz_util.h"
#include "parse.h"
#include "patch_json6902.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kr_ctx ctx;
	fuzz_ctx_init(&ctx);
	size_t dlen, plen;
	const uint8_t *patch;
	fuzz_split(data, size, &dlen, &patch, &plen);
	kr_doclist docs = { 0 }, ops = { 0 };
	if (kr_yaml_parse_resources(&ctx, "doc.yaml", (const char *)data, dlen, &docs) == 0 &&
	    docs.len && docs.docs[0]->type == KR_MAP &&
	    kr_yaml_parse(&ctx, "patch.yaml", (const char *)patch, plen,
	                  KR_YAML_FIRST_DOC_ONLY, &ops) == 0 &&
	    ops.len && ops.docs[0]->type == KR_SEQ) {
		kr_node *doc = docs.docs[0];
		if (kr_json6902_apply(&ctx, "patch.yaml", ops.docs[0], doc) == 0 &&
		    kr_json6902_normalise(&ctx, doc) == 0) {
			kr_buf b = KR_BUF_INIT;
			const char *err = NULL;
			(void)kr_emit_document(&b, doc, &err);
			kr_buf_free(&b);
		}
	}
	kr_ctx_free(&ctx);
	return 0;
}
