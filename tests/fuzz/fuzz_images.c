/*
 * fuzz_images.c - libFuzzer target: image name matching and rewriting
 * (images.c): kustomize's image.Split, the match of an `images` entry's
 * name (a Go regular expression, checked for what Go would reject and run
 * with PCRE2) and the rebuilt reference.
 *
 * The input is five lines (the entry's name, newName, newTag, digest,
 * tagSuffix) and then the image value (the rest, NUL bytes included).
 * The split must give ranges inside the value, in order, and the match must
 * be PCRE2's whether or not the name takes the plain-name path.  Errors
 * are fine; crashes, leaks, hangs and sanitizer reports are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_images
 * Run:   ./build-fuzz/tests/fuzz/fuzz_images fixtures/fuzz/images -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "fuzz_util.h"
#include "images.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	char *f[5];
	for (int i = 0; i < 5; i++)
		f[i] = fuzz_line(&ctx.arena, &data, &size);
	const char *value = kr_arena_strndup(&ctx.arena, (const char *)data, size);
	if (f[4] && value) {
		size_t part[6];
		kr_image_split(value, size, part);
		for (int i = 0; i < 6; i += 2)
			if (part[i] > part[i + 1] || part[i + 1] > size)
				abort();
		size_t plen = strlen(f[0]);
		char *scan = kr_arena_alloc(&ctx.arena, 3 * plen + 1);
		size_t olen = 0;
		if (scan)
			(void)go_regex_scan(f[0], plen, scan, &olen);
		int m = kr_image_pattern_match(&ctx, f[0], value, size);
		if (m >= 0 && m != kr_image_pattern_match_pcre2(&ctx, f[0], value, size))
			abort();
		if (m == 1)
			(void)kr_image_rebuild(&ctx.arena, value, size, f[1], f[2], f[3], f[4]);
	}
	kr_ctx_free(&ctx);
	return 0;
}
