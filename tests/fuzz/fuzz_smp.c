/*
 * fuzz_smp.c - libFuzzer target: strategic merge (smp.c) with the builtin
 * schema.
 *
 * The input is two YAML documents separated by a line "---": the object
 * and the patch.  Both are parsed as resources; when both are mappings the
 * patch is merged into the object and the result emitted.  Errors are
 * fine; crashes, leaks, hangs and sanitizer reports are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_smp
 * Run:   ./build-fuzz/tests/fuzz/fuzz_smp fixtures/fuzz/smp -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctx.h"
#include "fuzz_util.h"
#include "emit.h"
#include "parse.h"
#include "smp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kr_ctx ctx;
	fuzz_ctx_init(&ctx);
	kr_doclist docs = { 0 };
	if (kr_yaml_parse_resources(&ctx, "fuzz.yaml", (const char *)data, size, &docs) == 0 &&
	    docs.len >= 2 && docs.docs[0]->type == KR_MAP && docs.docs[1]->type == KR_MAP) {
		kr_node *out = NULL;
		if (kr_smp_merge(&ctx, &kr_smp_builtin, "fuzz", docs.docs[1], docs.docs[0],
		                 &out) == 0 && out) {
			kr_buf b = KR_BUF_INIT;
			const char *err = NULL;
			(void)kr_emit_document(&b, out, &err);
			kr_buf_free(&b);
		}
	}
	kr_ctx_free(&ctx);
	return 0;
}
