/*
 * httpfile.c - plain http(s) files in `resources` (see httpfile.h).
 */
#include "httpfile.h"

#ifndef KR_HTTP_COMMAND
#include <dlfcn.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "execplugin.h"

/* This file is compiled twice (CMakeLists.txt).  The libraries load
 * libcurl with dlopen.  The statically linked krender command is built
 * with KR_HTTP_COMMAND: dlopen there would need the very glibc it was
 * linked with at run time and would bring a second libc into the process,
 * so it runs the curl command instead, with the same options (the status
 * code read back with --write-out). */

#define DEFAULT_TIMEOUT_MS 27000L
#define MAX_BODY (256L * 1024 * 1024)   /* far above any manifest */
#define MAX_REDIRECTS 10L               /* Go's http.Client default */

#ifndef KR_HTTP_COMMAND
/* libcurl, loaded on first use: linking it would make every process load
 * it and its TLS library at start (the cost docs/design.md avoids for
 * libcrypto), for a feature few builds use. */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	const char *error;   /* why it could not be loaded, else NULL */
} cu;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* Once per process (builds may run on threads, cli/multi.c): curl_global_init
 * is not thread-safe in every libcurl. */
static void load_curl(void)
{
	static const char *const names[] = {
		"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL
	};
	void *h = NULL;
	for (int i = 0; names[i] && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		cu.error = "libcurl (libcurl.so.4) is not installed";
		return;
	}
	/* a function pointer from dlsym's void *, without type punning */
#define LOAD(field, name) do { \
		void *sym = dlsym(h, name); \
		memcpy(&cu.field, &sym, sizeof sym); \
	} while (0)
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
#undef LOAD
	if (!cu.global_init || !cu.easy_init || !cu.easy_setopt || !cu.easy_perform ||
	    !cu.easy_getinfo || !cu.easy_cleanup || !cu.easy_strerror) {
		cu.error = "libcurl lacks a function krender needs";
		return;
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		cu.error = "curl_global_init failed";
}

#endif

#ifndef KR_HTTP_COMMAND
typedef struct body {
	kr_buf b;
	int too_big;
} body;

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	body *bd = ud;
	size_t len = size * n;
	if (bd->b.len + len > (size_t)MAX_BODY) {
		bd->too_big = 1;
		return 0;  /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	kr_buf_put(&bd->b, p, len);
	return bd->b.failed ? 0 : len;
}

#endif

/* net/http's StatusText for the usual codes. */
static const char *status_text(long code)
{
	switch (code) {
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* The errors both fetchers give (kustomize's wording for a bad status). */
static int fail_timeout(kr_ctx *ctx, const char *url, long t)
{
	return kr_fail(ctx, KR_ELIMIT, "GET %s: no complete answer within %ld ms "
	               "(--remote-timeout)", url, t);
}

static int fail_too_big(kr_ctx *ctx, const char *url)
{
	return kr_fail(ctx, KR_ELIMIT, "GET %s: the file is larger than %ld MiB", url,
	               MAX_BODY >> 20);
}

static int fail_status(kr_ctx *ctx, const char *url, long code)
{
	const char *txt = status_text(code);
	return kr_fail(ctx, KR_ENOTFOUND, "GET %s: HTTP Error: status code %ld%s%s%s",
	               url, code, *txt ? " (" : "", txt, *txt ? ")" : "");
}

#ifdef KR_HTTP_COMMAND
/* curl's stderr holds the status code (--write-out, after a marker) and,
 * when curl failed, its message ("curl: (7) Failed to connect ..."), in
 * an order that depends on the error.  Returns the code (0: none); *msg
 * is the message without "curl: (N) ", or "". */
#define CODE_MARK "krender-http-code:"
static long split_status(char *err, const char **msg)
{
	long code = 0;
	char *m = strstr(err, CODE_MARK);
	if (m) {
		code = strtol(m + strlen(CODE_MARK), NULL, 10);
		*m = '\0';
	}
	*msg = "";
	char *c = strstr(err, "curl: (");
	if (c) {
		char *p = strchr(c, ')');
		*msg = p && p[1] == ' ' ? p + 2 : c;
		char *nl = strchr(*msg, '\n');
		if (nl)
			*nl = '\0';
	}
	return code;
}

static int http_get_command(kr_ctx *ctx, const char *url, long t, char **data,
                            size_t *len)
{
	char secs[32], maxsize[32];
	snprintf(secs, sizeof secs, "%ld.%03ld", t / 1000, t % 1000);
	snprintf(maxsize, sizeof maxsize, "%ld", MAX_BODY);
	char *argv[] = {
		"curl", "--silent", "--show-error", "--location", "--max-redirs", "10",
		"--proto", "=http,https", "--proto-redir", "=http,https", "--compressed",
		"--max-time", secs, "--max-filesize", maxsize,
		"--user-agent", "Go-http-client/1.1", "--write-out", "%{stderr}" CODE_MARK "%{http_code}\n",
		"--url", (char *)url, NULL
	};
	char *out = NULL, *err = NULL;
	size_t outlen = 0, errlen = 0;
	int status = 0;
	/* curl keeps its own time; the spawn limit only catches a hung curl */
	if (kr_extplugin_spawn(ctx, argv, NULL, NULL, NULL, 0, (unsigned)t + 10000,
	                       &out, &outlen, &err, &errlen, &status) < 0)
		return kr_wrap(ctx, "GET %s: this krender is statically linked and "
		               "fetches http(s) files with the curl command", url);
	const char *msg = "";
	long code = err ? split_status(err, &msg) : 0;
	if (status == 28 || status == -1)
		return fail_timeout(ctx, url, t);
	if (status == 63)
		return fail_too_big(ctx, url);
	if (status != 0)
		return kr_fail(ctx, KR_EIO, "GET %s: %s", url,
		               *msg ? msg : "curl failed");
	if (code < 200 || code > 299)
		return fail_status(ctx, url, code);
	*data = out ? out : (char *)"";
	*len = outlen;
	return 0;
}
#endif

#ifdef KR_HTTP_COMMAND
int kr_http_get(kr_ctx *ctx, const char *url, long timeout_ms, char **data,
                size_t *len)
{
	return http_get_command(ctx, url, timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS,
	                        data, len);
}
#else
int kr_http_get(kr_ctx *ctx, const char *url, long timeout_ms, char **data,
                size_t *len)
{
	pthread_once(&curl_once, load_curl);
	if (cu.error)
		return kr_fail(ctx, KR_EIO, "GET %s: %s", url, cu.error);
	CURL *c = cu.easy_init();
	if (!c)
		return kr_fail(ctx, KR_EIO, "%s: cannot initialise libcurl", url);
	body bd = { KR_BUF_INIT, 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	long t = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	cu.easy_setopt(c, CURLOPT_URL, url);
	cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	cu.easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, t);
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  /* threads: no SIGALRM */
	cu.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  /* as Go: gzip */
	cu.easy_setopt(c, CURLOPT_USERAGENT, "Go-http-client/1.1");
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	cu.easy_setopt(c, CURLOPT_WRITEDATA, &bd);
	CURLcode rc = cu.easy_perform(c);
	long code = 0;
	cu.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	cu.easy_cleanup(c);
	int ret = 0;
	if (bd.b.failed)
		ret = kr_nomem(ctx);
	else if (bd.too_big)
		ret = fail_too_big(ctx, url);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		ret = fail_timeout(ctx, url, t);
	else if (rc != CURLE_OK)
		ret = kr_fail(ctx, KR_EIO, "GET %s: %s", url,
		              errbuf[0] ? errbuf : cu.easy_strerror(rc));
	else if (code < 200 || code > 299)
		ret = fail_status(ctx, url, code);
	else {
		*data = kr_arena_strndup(&ctx->arena, bd.b.data ? bd.b.data : "", bd.b.len);
		*len = bd.b.len;
		if (!*data)
			ret = kr_nomem(ctx);
	}
	kr_buf_free(&bd.b);
	return ret;
}
#endif
