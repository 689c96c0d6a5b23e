/*
 * fuzz_replpath.c - libFuzzer target: replacement field paths
 * (replacements.c): kyaml's path splitter, the source lookup (PathGetter)
 * and the target matcher (PathMatcher, with and without `create`).
 *
 * The input is a source field path line, a target field path line, then a
 * YAML document.  The source path is looked up in the document; the target
 * path is matched (creating missing parts, as `options.create` does, when
 * the source was found) and every node found gets a copy of the source
 * value, as a replacement sets a non-delimited field; the document is then
 * emitted.  Errors are fine; crashes, leaks, hangs and sanitizer reports
 * are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_replpath
 * Run:   ./build-fuzz/tests/fuzz/fuzz_replpath fixtures/fuzz/replpath -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "emit.h"
#include "fuzz_util.h"
#include "parse.h"
#include "replacements.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(kr_ctx *ctx, const char *src, const char *dst, kr_node *doc)
{
	kr_arena *a = &ctx->arena;
	char **parts;
	size_t n;
	kr_node *value = NULL;
	if (kr_repl_split_path(a, src, &parts, &n) < 0 ||
	    kr_repl_lookup(ctx, doc, parts, n, &value) < 0)
		return;
	if (value && !(value = kr_node_copy(a, value)))
		return;
	if (kr_repl_split_path(a, dst, &parts, &n) < 0)
		return;
	kr_repl_nodes found = { 0 };
	found.file = "doc.yaml";
	found.line = found.col = 1;
	if (kr_repl_match(ctx, doc, parts, n, value ? (int)value->type : 0, &found) < 0)
		return;
	if (value) {
		for (size_t i = 0; i < found.len; i++) {
			kr_node *c = kr_node_copy(a, value);
			if (!c)
				return;
			*found.items[i] = *c;
		}
	}
	kr_buf b = KR_BUF_INIT;
	const char *err = NULL;
	(void)kr_emit_document(&b, doc, &err);
	kr_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kr_ctx ctx;
	fuzz_ctx_init(&ctx);
	char *src = fuzz_line(&ctx.arena, &data, &size);
	char *dst = fuzz_line(&ctx.arena, &data, &size);
	kr_doclist docs = { 0 };
	if (src && dst &&
	    kr_yaml_parse_resources(&ctx, "doc.yaml", (const char *)data, size, &docs) == 0 &&
	    docs.len)
		run(&ctx, src, dst, docs.docs[0]);
	kr_ctx_free(&ctx);
	return 0;
}
