/*
 * fuzz_yaml.c - libFuzzer target: the YAML adapter and the emitter.
 *
 * The input is read as a resource file (kustomize's document splitting,
 * go-yaml typing, anchors, merge keys, folded-scalar round trip) and every
 * document is emitted as kustomize would print it.  Errors are fine;
 * crashes, leaks, hangs and sanitizer reports are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_yaml
 * Run:   ./build-fuzz/tests/fuzz/fuzz_yaml fixtures/fuzz/yaml -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctx.h"
#include "emit.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	opts.max_alias_nodes = 100000;
	opts.max_depth = 200;
	kr_ctx ctx;
	kr_ctx_init(&ctx, &opts);
	kr_doclist docs = { 0 };
	if (kr_yaml_parse_resources(&ctx, "fuzz.yaml", (const char *)data, size, &docs) == 0) {
		kr_buf out = KR_BUF_INIT;
		for (size_t i = 0; i < docs.len; i++) {
			const char *err = NULL;
			kr_buf_clear(&out);
			(void)kr_emit_document(&out, docs.docs[i], &err);
		}
		kr_buf_free(&out);
	}
	kr_ctx_free(&ctx);
	return 0;
}
