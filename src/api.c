/*
 * api.c - the public API of libkrender (include/krender.h): a build handle
 * that runs the pipeline (build.c) and serialises the result (emit.c).
 */
#include <ctype.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "cache.h"
#include "resource.h"
#include "emit.h"
#include "krender.h"

#ifndef KR_VERSION_STRING
#define KR_VERSION_STRING "0.0.0"
#endif

const char *kr_version(void)
{
	return KR_VERSION_STRING;
}

const char *kr_kustomize_version(void)
{
	return "v5.5.0";
}

/* The caller's helm strings, copied: the handle may outlive them. */
static int copy_helm_options(kr_ctx *ctx)
{
	kr_build_options *o = &ctx->opts;
	kr_arena *a = &ctx->arena;
	if (o->helm_command &&
	    !(o->helm_command = kr_arena_strndup(a, o->helm_command, strlen(o->helm_command))))
		return -1;
	if (o->helm_kube_version &&
	    !(o->helm_kube_version = kr_arena_strndup(a, o->helm_kube_version,
	                                              strlen(o->helm_kube_version))))
		return -1;
	if (o->helm_api_versions) {
		size_t n = 0;
		while (o->helm_api_versions[n])
			n++;
		const char **v = kr_arena_alloc(a, (n + 1) * sizeof(*v));
		if (!v)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (!(v[i] = kr_arena_strndup(a, o->helm_api_versions[i],
			                              strlen(o->helm_api_versions[i]))))
				return -1;
		v[n] = NULL;
		o->helm_api_versions = v;
	}
	return 0;
}

int kr_build_new(kr_build **out, const kr_build_options *opts)
{
	if (!out)
		return KR_EUSAGE;
	*out = NULL;
	if (opts && (opts->version < 1 || opts->version > KR_BUILD_OPTIONS_VERSION))
		return KR_EUSAGE;
	kr_build *b = calloc(1, sizeof(*b));
	if (!b)
		return KR_ENOMEM;
	/* an older caller's struct ends before the newer options: version 1
	 * before the plugin options, version 2 before the remote ones,
	 * version 3 before the helm ones, version 4 before the limits,
	 * version 5 before the threads */
	kr_build_options full = KR_BUILD_OPTIONS_INIT;
	if (opts && opts->version < KR_BUILD_OPTIONS_VERSION) {
		memcpy(&full, opts, opts->version == 1
		                    ? offsetof(kr_build_options, enable_alpha_plugins)
		                    : opts->version == 2
		                    ? offsetof(kr_build_options, remote_timeout_ms)
		                    : opts->version == 3
		                    ? offsetof(kr_build_options, enable_helm)
		                    : opts->version == 4
		                    ? offsetof(kr_build_options, max_file_size)
		                    : offsetof(kr_build_options, threads));
		full.version = KR_BUILD_OPTIONS_VERSION;
		opts = &full;
	}
	kr_ctx_init(&b->ctx, opts);
	if (copy_helm_options(&b->ctx) < 0) {
		kr_build_free(b);
		return KR_ENOMEM;
	}
	*out = b;
	return 0;
}

/* Resources [from, to) of m as YAML documents into out, each but the very
 * first preceded by "---\n"; offsets[i] is where resource i starts in
 * out.  Stops at the first resource that cannot be written: *failed is its
 * index and *err the reason (else *failed is `to`). */
static void emit_range(const kr_resmap *m, size_t from, size_t to, kr_buf *out,
                       size_t *offsets, size_t *failed, const char **err)
{
	*failed = to;
	for (size_t i = from; i < to; i++) {
		if (i > 0)
			kr_buf_put(out, "---\n", 4);
		offsets[i] = out->len;
		if (kr_emit_document(out, m->items[i]->doc, err) < 0) {
			*failed = i;
			return;
		}
	}
}

/* A slice of the output written on another thread (emit_all). */
typedef struct emit_part {
	const kr_resmap *m;
	size_t from, to, failed;
	size_t *offsets;        /* into buf, made absolute by emit_all */
	const char *err;
	kr_buf buf;
	pthread_t tid;
	int started;
} emit_part;

static void *emit_part_main(void *arg)
{
	emit_part *p = arg;
	emit_range(p->m, p->from, p->to, &p->buf, p->offsets, &p->failed, &p->err);
	return NULL;
}

/* Fewer resources than this are written on the build's thread alone. */
#define KR_EMIT_PARALLEL_MIN 2048

static int emit_all(kr_build *b)
{
	kr_ctx *ctx = &b->ctx;
	kr_resmap *m = &b->result;
	b->offsets = kr_arena_alloc(&ctx->arena, (m->len + 1) * sizeof(size_t));
	if (!b->offsets)
		return kr_nomem(ctx);
	/* A big output is written in slices on several threads (each
	 * document's text depends on its tree alone), then joined in order:
	 * the same bytes as one pass. */
	unsigned nparts = m->len < KR_EMIT_PARALLEL_MIN ? 1 : kr_build_threads(ctx);
	emit_part parts[KR_MAX_THREADS];
	memset(parts, 0, sizeof(parts));
	for (unsigned k = 0; k < nparts; k++) {
		emit_part *p = &parts[k];
		p->m = m;
		p->from = m->len * k / nparts;
		p->to = m->len * (k + 1) / nparts;
		p->offsets = b->offsets;
		if (k > 0 && kr_thread_create(&p->tid, emit_part_main, p) == 0) {
			p->started = 1;
			ctx->emit_slices++;
		}
	}
	size_t failed = m->len;
	const char *err = NULL;
	for (unsigned k = 0; k < nparts; k++) {
		emit_part *p = &parts[k];
		if (k == 0)
			emit_range(m, p->from, p->to, &b->out, b->offsets, &p->failed, &p->err);
		else if (p->started)
			pthread_join(p->tid, NULL);
		else    /* no thread: this one too on the build's thread */
			emit_part_main(p);
		if (k > 0 && failed == m->len) {
			size_t base = b->out.len;
			for (size_t i = p->from; i < p->to; i++)
				b->offsets[i] += base;
			kr_buf_put(&b->out, p->buf.data, p->buf.len);
			if (p->buf.failed)
				b->out.failed = 1;
		}
		kr_buf_free(&p->buf);
		if (failed == m->len && p->failed < p->to) {
			failed = p->failed;
			err = p->err;
		}
	}
	if (failed < m->len) {
		const kr_node *d = m->items[failed]->doc;
		return kr_fail_at(ctx, KR_EINVALID, d->file ? d->file : "?",
		                  d->line, d->col, "cannot serialise %s/%s: %s",
		                  m->items[failed]->cur.kind, m->items[failed]->cur.name,
		                  err ? err : "unrepresentable value");
	}
	b->offsets[m->len] = b->out.len;
	if (b->out.failed)
		return kr_nomem(ctx);
	return 0;
}

int kr_build_run(kr_build *b, const char *dir)
{
	if (!b || !dir)
		return KR_EUSAGE;
	if (b->ran)
		return kr_fail(&b->ctx, KR_EUSAGE, "a build handle runs only once");
	b->ran = 1;
	if (b->ctx.cache && !b->ctx.arena.head)
		kr_arena_seed(&b->ctx.arena, kr_cache_take_chunk(b->ctx.cache));
	int rc = kr_build_resources(b, dir);
	if (rc == 0)
		rc = emit_all(b);
	if (rc < 0) {
		kr_buf_free(&b->out);
		b->result.len = 0;
		if (!b->ctx.err_code)
			kr_fail(&b->ctx, rc, "build failed");
	}
	return rc;
}

int kr_build_output(const kr_build *b, const char **data, size_t *len)
{
	if (!b || !b->ran || b->ctx.err_code)
		return KR_EUSAGE;
	*data = b->out.data ? b->out.data : "";
	*len = b->out.len;
	return 0;
}

size_t kr_build_resource_count(const kr_build *b)
{
	return (b && b->ran && !b->ctx.err_code) ? b->result.len : 0;
}

/* kustomize build -o DIR names a file "<group_version_kind>_<name>.yaml"
 * in lower case, joining only the non-empty parts of the gvk; when the
 * namespaced objects span more than one namespace, their names get
 * "<namespace>_" in front (kustomize/commands/build/writer.go). */
static int make_file_names(kr_build *b)
{
	kr_arena *a = &b->ctx.arena;
	size_t n = b->result.len;
	b->file_names = kr_arena_zalloc(a, (n ? n : 1) * sizeof(char *));
	if (!b->file_names)
		return KR_ENOMEM;
	int many = 0;
	const char *first = NULL;
	for (size_t j = 0; j < n && !many; j++) {
		const kr_resource *o = b->result.items[j];
		if (o->cluster_scoped)
			continue;
		const char *ns = kr_resid_effective_ns(&o->cur, 0);
		if (!first)
			first = ns;
		else if (strcmp(first, ns))
			many = 1;
	}
	for (size_t i = 0; i < n; i++) {
		const kr_resource *r = b->result.items[i];
		const kr_resid *id = &r->cur;
		kr_buf name = KR_BUF_INIT;
		if (many && !r->cluster_scoped) {
			kr_buf_puts(&name, kr_resid_effective_ns(id, 0));
			kr_buf_putc(&name, '_');
		}
		const char *parts[3] = { id->group, id->version, id->kind };
		int sep = 0;
		for (int p = 0; p < 3; p++) {
			if (!parts[p][0])
				continue;
			if (sep)
				kr_buf_putc(&name, '_');
			kr_buf_puts(&name, parts[p]);
			sep = 1;
		}
		kr_buf_putc(&name, '_');
		kr_buf_puts(&name, id->name);
		kr_buf_puts(&name, ".yaml");
		if (name.failed) {
			kr_buf_free(&name);
			return KR_ENOMEM;
		}
		for (size_t c = 0; c < name.len; c++)
			name.data[c] = (char)tolower((unsigned char)name.data[c]);
		b->file_names[i] = kr_arena_strndup(a, name.data, name.len);
		kr_buf_free(&name);
		if (!b->file_names[i])
			return KR_ENOMEM;
	}
	return 0;
}

int kr_build_resource(const kr_build *b, size_t i, const char **yaml,
                      size_t *len, const char **file_name)
{
	if (!b || i >= kr_build_resource_count(b))
		return KR_EUSAGE;
	if (yaml)
		*yaml = b->out.data + b->offsets[i];
	if (len) {
		size_t end = b->offsets[i + 1];
		if (i + 1 < b->result.len)
			end -= 4; /* the "---\n" separator */
		*len = end - b->offsets[i];
	}
	if (file_name) {
		kr_build *mb = (kr_build *)b; /* names are made lazily */
		if (!mb->file_names) {
			int rc = make_file_names(mb);
			if (rc < 0)
				return rc;
		}
		*file_name = b->file_names[i];
	}
	return 0;
}

int kr_build_resource_id(const kr_build *b, size_t i, kr_resource_id *id)
{
	if (!b || !id || i >= kr_build_resource_count(b))
		return KR_EUSAGE;
	const kr_resid *r = &b->result.items[i]->cur;
	id->group = r->group;
	id->version = r->version;
	id->kind = r->kind;
	id->ns = r->ns;
	id->name = r->name;
	return 0;
}

int kr_build_set_stream(kr_build *b, const char *name, const char *data,
                        size_t len)
{
	if (!b || !name || (!data && len) || b->ran || !name[0] ||
	    strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return KR_EUSAGE;
	kr_ctx *ctx = &b->ctx;
	char *copy = kr_arena_alloc(&ctx->arena, len + 1);
	const char *n = kr_arena_strdup(&ctx->arena, name);
	if (!copy || !n)
		return KR_ENOMEM;
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	ctx->stream_name = n;
	ctx->stream_data = copy;
	ctx->stream_len = len;
	return 0;
}

int kr_build_set_cache(kr_build *b, kr_cache *cache)
{
	if (!b || b->ran)
		return KR_EUSAGE;
	b->ctx.cache = cache;
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sort and deduplicate the recorded inputs once, on first request. */
static void settle_inputs(const kr_build *cb)
{
	kr_build *b = (kr_build *)cb;
	kr_ctx *ctx = &b->ctx;
	if (b->inputs_settled)
		return;
	b->inputs_settled = 1;
	if (ctx->ninputs < 2)
		return;
	qsort(ctx->inputs, ctx->ninputs, sizeof(*ctx->inputs), cmp_str);
	size_t w = 1;
	for (size_t i = 1; i < ctx->ninputs; i++)
		if (strcmp(ctx->inputs[i], ctx->inputs[w - 1]))
			ctx->inputs[w++] = ctx->inputs[i];
	ctx->ninputs = w;
}

size_t kr_build_input_count(const kr_build *b)
{
	if (!b || !b->ran)
		return 0;
	settle_inputs(b);
	return b->ctx.ninputs;
}

const char *kr_build_input(const kr_build *b, size_t i)
{
	if (i >= kr_build_input_count(b))
		return NULL;
	return b->ctx.inputs[i];
}

const char *kr_build_error(const kr_build *b)
{
	if (!b || !b->ctx.err_code)
		return NULL;
	return b->ctx.err.data ? b->ctx.err.data : "unknown error";
}

int kr_build_error_code(const kr_build *b)
{
	return b ? b->ctx.err_code : 0;
}

void kr_build_free(kr_build *b)
{
	if (!b)
		return;
	kr_buf_free(&b->out);
	if (b->ctx.cache)
		kr_cache_put_chunk(b->ctx.cache, kr_arena_free_keep(&b->ctx.arena));
	kr_ctx_free(&b->ctx);
	free(b);
}
