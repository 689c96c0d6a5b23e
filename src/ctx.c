/*
 * ctx.c - build context and error chain (see ctx.h).
 */
#include "ctx.h"

#include "basecache.h"
#include "remote.h"
#include "selector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kr_ctx_init(kr_ctx *ctx, const kr_build_options *opts)
{
	memset(ctx, 0, sizeof(*ctx));
	kr_arena_init(&ctx->arena);
	kr_build_options defaults = KR_BUILD_OPTIONS_INIT;
	ctx->opts = opts ? *opts : defaults;
	if (!ctx->opts.max_alias_nodes)
		ctx->opts.max_alias_nodes = 1000000;
	if (!ctx->opts.max_depth)
		ctx->opts.max_depth = 1000;
	if (!ctx->opts.max_kustomization_depth)
		ctx->opts.max_kustomization_depth = 100;
	if (!ctx->opts.max_file_size)
		ctx->opts.max_file_size = KR_DEFAULT_MAX_FILE_SIZE;
	if (!ctx->opts.max_documents)
		ctx->opts.max_documents = KR_DEFAULT_MAX_DOCUMENTS;
	if (!ctx->opts.max_resources)
		ctx->opts.max_resources = KR_DEFAULT_MAX_RESOURCES;
}

unsigned kr_build_threads(const kr_ctx *ctx)
{
	unsigned n = ctx->opts.threads;
	if (n == 0) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);
		n = online > 0 ? (unsigned)online : 1;
	}
	return n > KR_MAX_THREADS ? KR_MAX_THREADS : n;
}

int kr_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return -1;
	int rc = pthread_attr_setstacksize(&attr, KR_THREAD_STACK);
	if (rc == 0)
		rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

void kr_ctx_free_scratch(kr_ctx *ctx)
{
	kr_go_match_data_free(ctx);
	free(ctx->parse_pairs);
	free(ctx->parse_items);
	ctx->parse_pairs = ctx->parse_items = NULL;
	ctx->parse_pairs_cap = ctx->parse_items_cap = 0;
}

void kr_ctx_free(kr_ctx *ctx)
{
	kr_remote_cleanup(ctx);
	kr_ctx_free_scratch(ctx);
	for (unsigned i = 0; i < ctx->nspare_arenas; i++)
		kr_arena_free(&ctx->spare_arenas[i]);
	kr_arena_free(&ctx->arena);
	kr_buf_free(&ctx->err);
}

__attribute__((format(printf, 3, 0)))
static void vset(kr_ctx *ctx, int code, const char *fmt, va_list ap)
{
	kr_buf_clear(&ctx->err);
	ctx->err_code = code;
	char tmp[1024];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(tmp)) {
		kr_buf_put(&ctx->err, tmp, (size_t)n);
	} else if (n >= 0) {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, ap2);
			kr_buf_put(&ctx->err, big, (size_t)n);
			free(big);
		}
	}
	va_end(ap2);
}

int kr_fail(kr_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

int kr_fail_at(kr_ctx *ctx, int code, const char *file, unsigned line,
               unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(ctx, code, fmt, ap);
	va_end(ap);
	kr_buf pre = KR_BUF_INIT;
	if (line)
		kr_buf_printf(&pre, "%s:%u:%u: ", file, line, col);
	else
		kr_buf_printf(&pre, "%s: ", file);
	kr_buf_put(&pre, ctx->err.data ? ctx->err.data : "", ctx->err.len);
	if (!pre.failed) {
		kr_buf_free(&ctx->err);
		ctx->err = pre;
	} else {
		kr_buf_free(&pre);
	}
	return code;
}

int kr_wrap(kr_ctx *ctx, const char *fmt, ...)
{
	if (ctx->err_code == KR_ENOMEM)
		return ctx->err_code;
	kr_buf pre = KR_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	char tmp[1024];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return ctx->err_code;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	kr_buf_put(&pre, tmp, (size_t)n);
	kr_buf_put(&pre, ": ", 2);
	kr_buf_put(&pre, ctx->err.data ? ctx->err.data : "", ctx->err.len);
	if (!pre.failed) {
		kr_buf_free(&ctx->err);
		ctx->err = pre;
	} else {
		kr_buf_free(&pre);
	}
	return ctx->err_code ? ctx->err_code : KR_ERROR;
}

int kr_nomem(kr_ctx *ctx)
{
	kr_buf_clear(&ctx->err);
	ctx->err_code = KR_ENOMEM;
	/* A static message: allocating here may fail too. */
	kr_buf_puts(&ctx->err, "out of memory");
	return KR_ENOMEM;
}

void kr_warn(kr_ctx *ctx, const char *fmt, ...)
{
	ctx->nwarnings++;
	if (!ctx->opts.warn && !ctx->basecache)
		return;
	char tmp[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* a base being recorded keeps it, to print it again (basecache.h) */
	kr_basecache_saw_warning(ctx, tmp);
	if (ctx->opts.warn)
		ctx->opts.warn(ctx->opts.warn_payload, tmp);
}

int kr_ctx_note_input(kr_ctx *ctx, const char *path)
{
	if (ctx->ninputs == ctx->inputs_cap) {
		/* arena memory: the old array is simply left behind; doubling
		 * keeps the waste below the final size */
		size_t cap = ctx->inputs_cap ? ctx->inputs_cap * 2 : 32;
		const char **n = kr_arena_alloc(&ctx->arena, cap * sizeof(*n));
		if (!n)
			return kr_nomem(ctx);
		if (ctx->ninputs)
			memcpy(n, ctx->inputs, ctx->ninputs * sizeof(*n));
		ctx->inputs = n;
		ctx->inputs_cap = cap;
	}
	const char *copy = kr_arena_strdup(&ctx->arena, path);
	if (!copy)
		return kr_nomem(ctx);
	ctx->inputs[ctx->ninputs++] = copy;
	return 0;
}
