/*
 * execplugin.c - plugins that are programs (see execplugin.h).
 */
#define _GNU_SOURCE
#include "execplugin.h"
#include "transformers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "generators.h"
#include "kdecode.h"
#include "plugins.h"
#include "resfactory.h"

extern char **environ;

#define FN_ANNOTATION "config.kubernetes.io/function"
#define FN_ANNOTATION_OLD "config.k8s.io/function"
#define CONTAINER_ANNOTATION "config.kubernetes.io/container"
#define LOCAL_CONFIG "config.kubernetes.io/local-config"
#define KUST_ID "kustomize.config.k8s.io/id"
#define NEEDS_HASH "kustomize.config.k8s.io/needs-hash"
#define BEHAVIOR "kustomize.config.k8s.io/behavior"
#define DEFAULT_TIMEOUT 300u

enum { EXT_LEGACY, EXT_FN_EXEC, EXT_FN_SKIPPED };

struct kr_extplugin {
	int kind;
	const char *path;     /* legacy: absolute; function: as given */
	const char **args;    /* legacy: argsOneLiner then argsFromFile */
	size_t nargs;
};

/* ---- processes ------------------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Go's exec.LookPath for a name without '/': the first executable file
 * of that name in $PATH. */
static const char *look_path(kr_ctx *ctx, const char *name)
{
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char *cand = n ? kr_arena_printf(&ctx->arena, "%.*s/%s", (int)n, path, name)
		               : kr_arena_printf(&ctx->arena, "./%s", name);
		struct stat st;
		if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		path += n + (end ? 1 : 0);
	}
	return NULL;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Read what is there from fd into b; 0 at end of file (fd closed). */
static int drain(int *fd, kr_buf *b)
{
	char tmp[65536];
	ssize_t n = read(*fd, tmp, sizeof tmp);
	if (n > 0) {
		kr_buf_put(b, tmp, (size_t)n);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	close_fd(fd);
	return 0;
}

int kr_extplugin_spawn(kr_ctx *ctx, char *const argv[], char *const envp[],
                       const char *dir, const char *in, size_t inlen,
                       unsigned timeout_ms, char **out, size_t *outlen,
                       char **err, size_t *errlen, int *status)
{
	const char *prog = look_path(ctx, argv[0]);
	if (!prog)
		return kr_fail(ctx, KR_ENOTFOUND, "cannot run %s: no such executable in "
		               "$PATH", argv[0]);
	/* stdin is a socket: send() with MSG_NOSIGNAL gets EPIPE, not a
	 * SIGPIPE that would kill the caller, when the child does not read. */
	int sin[2] = { -1, -1 }, sout[2] = { -1, -1 }, serr[2] = { -1, -1 };
	int sexec[2] = { -1, -1 };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sin) < 0 ||
	    pipe2(sout, O_CLOEXEC) < 0 || pipe2(serr, O_CLOEXEC) < 0 ||
	    pipe2(sexec, O_CLOEXEC) < 0) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			close_fd(&sin[i]);
			close_fd(&sout[i]);
			close_fd(&serr[i]);
			close_fd(&sexec[i]);
		}
		return kr_fail(ctx, KR_EIO, "cannot run %s: %s", argv[0], strerror(e));
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* the child: only async-signal-safe calls until exec */
		int e;
		if (dup2(sin[1], 0) < 0 || dup2(sout[1], 1) < 0 || dup2(serr[1], 2) < 0)
			goto child_fail;
		if (dir && chdir(dir) < 0)
			goto child_fail;
		signal(SIGPIPE, SIG_DFL);
		execve(prog, argv, envp ? envp : environ);
child_fail:
		e = errno;
		if (write(sexec[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	int fork_errno = errno;
	close_fd(&sin[1]);
	close_fd(&sout[1]);
	close_fd(&serr[1]);
	close_fd(&sexec[1]);
	if (pid < 0) {
		close_fd(&sin[0]);
		close_fd(&sout[0]);
		close_fd(&serr[0]);
		close_fd(&sexec[0]);
		return kr_fail(ctx, KR_EIO, "cannot run %s: %s", argv[0], strerror(fork_errno));
	}
	int child_errno = 0;
	ssize_t got;
	do
		got = read(sexec[0], &child_errno, sizeof child_errno);
	while (got < 0 && errno == EINTR);
	close_fd(&sexec[0]);
	if (got == (ssize_t)sizeof child_errno) {
		close_fd(&sin[0]);
		close_fd(&sout[0]);
		close_fd(&serr[0]);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return kr_fail(ctx, KR_EIO, "cannot run %s%s%s: %s", prog,
		               dir ? " in " : "", dir ? dir : "", strerror(child_errno));
	}

	set_nonblock(sin[0]);
	set_nonblock(sout[0]);
	set_nonblock(serr[0]);
	kr_buf ob = KR_BUF_INIT, eb = KR_BUF_INIT;
	size_t off = 0;
	if (!inlen)
		close_fd(&sin[0]);
	long long deadline = now_ms() + (timeout_ms ? timeout_ms : DEFAULT_TIMEOUT * 1000u);
	int timed_out = 0;
	while (sout[0] >= 0 || serr[0] >= 0) {
		struct pollfd pf[3];
		int n = 0, iin = -1, iout = -1, ierr = -1;
		if (sin[0] >= 0) {
			pf[n] = (struct pollfd){ sin[0], POLLOUT, 0 };
			iin = n++;
		}
		if (sout[0] >= 0) {
			pf[n] = (struct pollfd){ sout[0], POLLIN, 0 };
			iout = n++;
		}
		if (serr[0] >= 0) {
			pf[n] = (struct pollfd){ serr[0], POLLIN, 0 };
			ierr = n++;
		}
		long long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		int r = poll(pf, (nfds_t)n, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (iin >= 0 && pf[iin].revents) {
			ssize_t w = send(sin[0], in + off, inlen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == inlen)
				close_fd(&sin[0]);  /* done, or the child stopped reading */
		}
		if (iout >= 0 && pf[iout].revents)
			drain(&sout[0], &ob);
		if (ierr >= 0 && pf[ierr].revents)
			drain(&serr[0], &eb);
	}
	close_fd(&sin[0]);
	close_fd(&sout[0]);
	close_fd(&serr[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	*status = timed_out ? -1 : WIFEXITED(ws) ? WEXITSTATUS(ws)
	          : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 1;
	int failed = ob.failed || eb.failed;
	*out = kr_arena_strndup(&ctx->arena, ob.data ? ob.data : "", ob.len);
	*outlen = ob.len;
	*err = kr_arena_strndup(&ctx->arena, eb.data ? eb.data : "", eb.len);
	*errlen = eb.len;
	kr_buf_free(&ob);
	kr_buf_free(&eb);
	if (failed || !*out || !*err)
		return kr_nomem(ctx);
	return 0;
}

/* ---- argsOneLiner --------------------------------------------------- */

int kr_extplugin_split_args(kr_ctx *ctx, const char *s, const char ***out)
{
	size_t cap = 8, n = 0;
	const char **words = kr_arena_alloc(&ctx->arena, cap * sizeof(*words));
	kr_buf w = KR_BUF_INIT;
	if (!words)
		return kr_nomem(ctx);
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s)
			break;
		if (*s == '#') {  /* a comment runs to the end of the line */
			while (*s && *s != '\n')
				s++;
			continue;
		}
		kr_buf_clear(&w);
		kr_buf_put(&w, "", 0);
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (*s == '\\' && s[1]) {
				kr_buf_putc(&w, s[1]);
				s += 2;
			} else if (*s == '\'') {
				for (s++; *s && *s != '\''; s++)
					kr_buf_putc(&w, *s);
				if (!*s) {
					kr_buf_free(&w);
					return kr_fail(ctx, KR_EINVALID, "argsOneLiner: unclosed "
					               "single quote");
				}
				s++;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\' || s[1] == '$' ||
					                   s[1] == '`' || s[1] == '\n'))
						s++;
					kr_buf_putc(&w, *s);
				}
				if (!*s) {
					kr_buf_free(&w);
					return kr_fail(ctx, KR_EINVALID, "argsOneLiner: unclosed "
					               "double quote");
				}
				s++;
			} else {
				kr_buf_putc(&w, *s++);
			}
		}
		if (n + 1 >= cap) {
			const char **bigger = kr_arena_alloc(&ctx->arena, 2 * cap * sizeof(*words));
			if (!bigger) {
				kr_buf_free(&w);
				return kr_nomem(ctx);
			}
			memcpy(bigger, words, n * sizeof(*words));
			words = bigger;
			cap *= 2;
		}
		words[n] = kr_arena_strndup(&ctx->arena, w.data ? w.data : "", w.len);
		if (w.failed || !words[n]) {
			kr_buf_free(&w);
			return kr_nomem(ctx);
		}
		n++;
	}
	kr_buf_free(&w);
	words[n] = NULL;
	*out = words;
	return (int)n;
}

/* ---- loading -------------------------------------------------------- */

/* The program is an input of the build too (kr_build_input): what it
 * reads besides is beyond krender's sight. */
static int note_program(kr_ctx *ctx, const kr_kustomization *k, const char *path)
{
	const char *p = strchr(path, '/') ? path : look_path(ctx, path);
	char *full = !p ? NULL : p[0] == '/' ? (char *)p
	             : kr_arena_printf(&ctx->arena, "%s/%s", k->root, p);
	char *real = full ? realpath(full, NULL) : NULL;
	int rc = real ? kr_ctx_note_input(ctx, real) : 0;
	free(real);
	return rc;
}

static const char *cfg_file(const kr_kustomization *k, const kr_resource *cfg)
{
	return cfg->doc->file ? cfg->doc->file : k->file;
}

static int cfg_error(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                     const kr_node *at, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int cfg_error(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                     const kr_node *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!at)
		at = cfg->doc;
	return kr_fail_at(ctx, KR_EINVALID, cfg_file(k, cfg), at->line, at->col, "%s", msg);
}

static const kr_node *annotation(const kr_node *doc, const char *name)
{
	const kr_node *v = kr_map_get(kr_map_get(kr_map_get(doc, "metadata"), "annotations"),
	                              name);
	return v && v->type == KR_SCALAR && v->tag != KR_TAG_NULL ? v : NULL;
}

/* runtimeutil.GetFunctionSpec: the spec node (or NULL for none) and where
 * it came from. */
static int function_spec(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                         const kr_node **spec, const kr_node **at, const char **what)
{
	static const char *const keys[] = { FN_ANNOTATION, FN_ANNOTATION_OLD };
	*spec = NULL;
	for (int i = 0; i < 2; i++) {
		const kr_node *a = annotation(cfg->doc, keys[i]);
		if (!a || !a->u.s.len)
			continue;
		char *display = kr_arena_printf(&ctx->arena, "%s (annotation %s)",
		                                cfg_file(k, cfg), keys[i]);
		kr_doclist docs = { 0 };
		if (!display)
			return kr_nomem(ctx);
		if (kr_yaml_parse(ctx, display, a->u.s.str, a->u.s.len, KR_YAML_FIRST_DOC_ONLY, &docs) < 0)
			return kr_wrap(ctx, "%s unmarshal error", keys[i]);
		*spec = docs.len ? docs.docs[0] : NULL;
		*at = a;
		*what = keys[i];
		if (!*spec || (*spec)->type != KR_MAP)
			return cfg_error(ctx, k, cfg, a, "%s unmarshal error: the function "
			                 "spec must be a mapping (exec: {path: ...} or "
			                 "container: {image: ...})", keys[i]);
		return 0;
	}
	const kr_node *fn = kr_map_get(kr_map_get(cfg->doc, "metadata"), "configFn");
	if (fn && !kr_y11_is_null(fn)) {
		if (fn->type != KR_MAP)
			return cfg_error(ctx, k, cfg, fn, "configFn unmarshal error: "
			                 "metadata.configFn must be a mapping");
		*spec = fn;
		*at = fn;
		*what = "configFn";
		return 0;
	}
	return 0;
}

/* UnmarshalStrict into FunctionSpec: only the fields kustomize v5.5.0
 * knows; `exec` has nothing but `path`.  Errors point at `pos`, the
 * annotation in the config's file. */
static int check_members(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                         const kr_node *pos, const kr_node *m, const char *what,
                         const char *where, const char *const *known)
{
	if (m->type != KR_MAP)
		return cfg_error(ctx, k, cfg, pos, "%s unmarshal error: %s must be a mapping, "
		                 "not %s", what, where, kr_y11_json_kind(m));
	for (uint32_t i = 0; i < m->u.m.len; i++) {
		const char *key = m->u.m.items[i].key->u.s.str;
		int ok = 0;
		char list[256] = "";
		for (int j = 0; known[j]; j++) {
			ok |= !strcmp(key, known[j]);
			size_t l = strlen(list);
			snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", known[j]);
		}
		if (!ok)
			return cfg_error(ctx, k, cfg, pos, "%s unmarshal error: unknown field "
			                 "\"%s\" in %s (kustomize v5.5.0 reads only: %s)", what,
			                 key, where, list);
	}
	return 0;
}

static int string_member(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                         const kr_node *pos, const kr_node *m, const char *name,
                         const char *what, const char **out)
{
	const kr_node *v = kr_map_get(m, name);
	*out = "";
	if (!v || kr_y11_is_null(v))
		return 0;
	if (v->type != KR_SCALAR)
		return cfg_error(ctx, k, cfg, pos, "%s unmarshal error: %s must be a string, "
		                 "not %s", what, name, kr_y11_json_kind(v));
	*out = kr_y11_as_string(&ctx->arena, v);
	return *out ? 0 : kr_nomem(ctx);
}

/* konfig.DefaultAbsPluginHome: the first of these that is a directory. */
static int plugin_home(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                       const char **out)
{
	const char *kph = getenv("KUSTOMIZE_PLUGIN_HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *cands[4];
	cands[0] = kph && *kph ? kph : NULL;
	cands[1] = xdg && *xdg ? kr_arena_printf(&ctx->arena, "%s/kustomize/plugin", xdg)
	                       : NULL;
	cands[2] = kr_arena_printf(&ctx->arena, "%s/.config/kustomize/plugin",
	                           home ? home : "");
	cands[3] = kr_arena_printf(&ctx->arena, "%s/kustomize/plugin", home ? home : "");
	for (int i = 0; i < 4; i++) {
		struct stat st;
		if (cands[i] && stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			/* absolute (the plugin runs elsewhere), cleaned as
			 * filepath.Join does */
			char cwd[4096];
			char *h = cands[i][0] == '/' ? kr_arena_strndup(&ctx->arena, cands[i],
			                                                strlen(cands[i]))
			          : getcwd(cwd, sizeof cwd) ? kr_arena_printf(&ctx->arena, "%s/%s",
			                                                      cwd, cands[i])
			          : NULL;
			if (!h)
				return kr_nomem(ctx);
			for (size_t n = strlen(h); n > 1 && h[n - 1] == '/'; n--)
				h[n - 1] = '\0';
			*out = h;
			return 0;
		}
	}
	return cfg_error(ctx, k, cfg, NULL,
	                 "unable to find plugin root for the exec plugin %s - tried: "
	                 "('%s'; homed in $KUSTOMIZE_PLUGIN_HOME), ('%s'; homed in "
	                 "$XDG_CONFIG_HOME), ('%s'; homed in default value of "
	                 "$XDG_CONFIG_HOME), ('%s'; homed in home directory)",
	                 cfg->orig.kind, cands[0] ? cands[0] : "<no value>",
	                 cands[1] ? cands[1] : "<no value>", cands[2] ? cands[2] : "?",
	                 cands[3] ? cands[3] : "?");
}

static int add_arg(kr_ctx *ctx, kr_extplugin *p, const char *a, size_t *cap)
{
	if (p->nargs + 1 >= *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		const char **b = kr_arena_alloc(&ctx->arena, nc * sizeof(*b));
		if (!b)
			return kr_nomem(ctx);
		if (p->nargs)
			memcpy(b, p->args, p->nargs * sizeof(*b));
		p->args = b;
		*cap = nc;
	}
	p->args[p->nargs++] = a;
	p->args[p->nargs] = NULL;
	return 0;
}

/* execplugin.processOptionalArgsFields */
static int legacy_args(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                       kr_extplugin *p)
{
	static const char *const names[] = { "argsOneLiner", "argsFromFile" };
	const char *val[2] = { "", "" };
	size_t cap = 0;
	int rc;
	for (int i = 0; i < 2; i++) {
		const kr_node *v = kr_plugin_member(cfg->doc, names[i]);
		if (!v || kr_y11_is_null(v))
			continue;
		if (v->type != KR_SCALAR)
			return cfg_error(ctx, k, cfg, v, "invalid plugin config: %s must be a "
			                 "string, not %s", names[i], kr_y11_json_kind(v));
		if (!(val[i] = kr_y11_as_string(&ctx->arena, v)))
			return kr_nomem(ctx);
	}
	if (val[0][0]) {
		const char **words;
		int n = kr_extplugin_split_args(ctx, val[0], &words);
		if (n < 0)
			return kr_fail_at(ctx, KR_EINVALID, cfg_file(k, cfg), cfg->doc->line,
			                  cfg->doc->col, "invalid argsOneLiner: %s",
			                  ctx->err.data ? ctx->err.data : "");
		for (int i = 0; i < n; i++)
			if ((rc = add_arg(ctx, p, words[i], &cap)) < 0)
				return rc;
	}
	if (val[1][0]) {
		char *data;
		size_t len;
		if ((rc = kr_kust_read_file(ctx, k, NULL, val[1], &data, &len, NULL)) < 0)
			return kr_wrap(ctx, "argsFromFile of %s", cfg->orig.kind);
		for (char *line = data; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			while (*line == ' ')
				line++;
			if (*line && (rc = add_arg(ctx, p, line, &cap)) < 0)
				return rc;
			line = nl ? nl + 1 : NULL;
		}
	}
	return 0;
}

static int load_legacy(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                       kr_extplugin *p)
{
	const char *home = "";
	int rc;
	if ((rc = plugin_home(ctx, k, cfg, &home)) < 0)
		return rc;
	char *lower = kr_arena_strndup(&ctx->arena, cfg->orig.kind, strlen(cfg->orig.kind));
	if (!lower)
		return kr_nomem(ctx);
	for (char *c = lower; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	/* filepath.Join drops the empty group of a core-group apiVersion */
	const char *g = cfg->orig.group;
	char *path = kr_arena_printf(&ctx->arena, "%s/%s%s%s/%s/%s", home, g, g[0] ? "/" : "",
	                             cfg->orig.version, lower, cfg->orig.kind);
	if (!path)
		return kr_nomem(ctx);
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return cfg_error(ctx, k, cfg, NULL,
			                 "no exec plugin for %s: expected an executable at %s "
			                 "(kustomize would then look for a Go plugin %s.so, "
			                 "which krender does not load)", cfg->orig.kind, path,
			                 path);
		return cfg_error(ctx, k, cfg, NULL, "exec plugin %s: %s", path, strerror(errno));
	}
	if (!(st.st_mode & 0111))
		return cfg_error(ctx, k, cfg, NULL, "unexecutable plugin at: %s (the exec "
		                 "plugin for %s must have an execute permission bit)", path,
		                 cfg->orig.kind);
	p->kind = EXT_LEGACY;
	p->path = path;
	if ((rc = note_program(ctx, k, path)) < 0)
		return rc;
	return legacy_args(ctx, k, cfg, p);
}

int kr_extplugin_load(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                      const kr_extplugin **out)
{
	kr_extplugin *p = kr_arena_zalloc(&ctx->arena, sizeof(*p));
	const kr_node *spec, *at = NULL;
	const char *what = "";
	int rc;
	if (!p)
		return kr_nomem(ctx);
	*out = p;
	if ((rc = function_spec(ctx, k, cfg, &spec, &at, &what)) < 0)
		return rc;
	const char *image = "", *path = "";
	if (spec) {
		static const char *const top[] = { "container", "exec", "deferFailure", NULL };
		static const char *const exec[] = { "path", NULL };
		static const char *const cont[] = { "image", "network", "mounts", "envs", NULL };
		const kr_node *c = kr_map_get(spec, "container"), *e = kr_map_get(spec, "exec");
		if ((rc = check_members(ctx, k, cfg, at, spec, what, "the function spec",
		                        top)) < 0 ||
		    (c && !kr_y11_is_null(c) &&
		     ((rc = check_members(ctx, k, cfg, at, c, what, "container", cont)) < 0 ||
		      (rc = string_member(ctx, k, cfg, at, c, "image", what, &image)) < 0)) ||
		    (e && !kr_y11_is_null(e) &&
		     ((rc = check_members(ctx, k, cfg, at, e, what, "exec", exec)) < 0 ||
		      (rc = string_member(ctx, k, cfg, at, e, "path", what, &path)) < 0)))
			return rc;
	} else {
		const kr_node *a = annotation(cfg->doc, CONTAINER_ANNOTATION);
		if (!a || !a->u.s.len)
			return load_legacy(ctx, k, cfg, p);
		image = a->u.s.str;
		at = a;
	}
	if (image[0])
		return cfg_error(ctx, k, cfg, at, "%s is a container function (image %s): "
		                 "container functions are not supported by krender, which "
		                 "runs no container engine; use an exec function "
		                 "(exec: {path: ...}) with --enable-exec, or kustomize",
		                 cfg->orig.kind, image);
	p->path = path;
	p->kind = path[0] && ctx->opts.enable_exec ? EXT_FN_EXEC : EXT_FN_SKIPPED;
	return p->kind == EXT_FN_EXEC ? note_program(ctx, k, path) : 0;
}

/* ---- running -------------------------------------------------------- */


/* Remove annotations, and the annotations mapping when that empties it
 * (kyaml's ClearAnnotation, Resource.SetAnnotations). */
static void clear_annotations(kr_node *doc, const char *const *keys)
{
	kr_node *md = kr_map_get(doc, "metadata");
	kr_node *ann = kr_map_get(md, "annotations");
	if (!ann || ann->type != KR_MAP)
		return;
	for (int i = 0; keys[i]; i++)
		kr_map_remove(ann, keys[i]);
	if (ann->u.m.len == 0)
		kr_map_remove(md, "annotations");
}

/* yaml.Marshal(r.CurId()): the set members of the id, keys sorted. */
static char *id_text(kr_ctx *ctx, const kr_resid *id)
{
	kr_buf b = KR_BUF_INIT;
	if (id->group[0])
		kr_buf_printf(&b, "group: %s\n", id->group);
	if (id->kind[0])
		kr_buf_printf(&b, "kind: %s\n", id->kind);
	if (id->name[0])
		kr_buf_printf(&b, "name: %s\n", id->name);
	if (id->ns[0])
		kr_buf_printf(&b, "namespace: %s\n", id->ns);
	if (id->version[0])
		kr_buf_printf(&b, "version: %s\n", id->version);
	char *s = b.failed ? NULL : kr_arena_strndup(&ctx->arena, b.data ? b.data : "", b.len);
	kr_buf_free(&b);
	return s;
}

static int emit(kr_ctx *ctx, kr_buf *b, const kr_node *doc)
{
	const char *err = NULL;
	if (kr_emit_document(b, doc, &err) < 0)
		return kr_fail(ctx, KR_EINVALID, "cannot serialise the plugin input: %s",
		               err ? err : "unrepresentable value");
	return 0;
}

/* The objects as the plugin sees them: copies with the id annotation
 * (GetResMapWithIDAnnotation); a function's also get the index and id
 * annotations kyaml's ByteReader and FunctionFilter add. */
static int input_items(kr_ctx *ctx, const kr_resmap *m, int function, kr_node ***out)
{
	kr_node **items = kr_arena_alloc(&ctx->arena, (m->len + 1) * sizeof(*items));
	if (!items)
		return kr_nomem(ctx);
	for (size_t i = 0; i < m->len; i++) {
		kr_node *d = kr_node_copy(&ctx->arena, m->items[i]->doc);
		char *idt = id_text(ctx, &m->items[i]->cur);
		char *idx = kr_arena_printf(&ctx->arena, "%zu", i);
		char *seq = kr_arena_printf(&ctx->arena, "%zu", i + 1);
		int rc;
		if (!d || !idt || !idx || !seq)
			return kr_nomem(ctx);
		if ((rc = kr_doc_set_annotation(ctx, d, KUST_ID, idt)) < 0)
			return rc;
		if (function &&
		    ((rc = kr_doc_set_annotation(ctx, d, "config.kubernetes.io/index", idx)) < 0 ||
		     (rc = kr_doc_set_annotation(ctx, d, "internal.config.kubernetes.io/index", idx)) < 0 ||
		     (rc = kr_doc_set_annotation(ctx, d, "config.kubernetes.io/id", seq)) < 0 ||
		     (rc = kr_doc_set_annotation(ctx, d, "internal.config.kubernetes.io/id", seq)) < 0))
			return rc;
		items[i] = d;
	}
	*out = items;
	return 0;
}

static kr_node *map_with(kr_ctx *ctx, kr_node *map, const char *key, kr_node *value)
{
	kr_node *k = kr_node_str(&ctx->arena, key);
	if (!map || !k || !value || kr_map_append(&ctx->arena, map, k, value) < 0)
		return NULL;
	return map;
}

/* A failure's message: the plugin, how it ended, its stderr. */
static int run_failed(kr_ctx *ctx, const char *who, int status, const char *err,
                      const char *results, unsigned timeout)
{
	size_t n = strlen(err);
	while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
		n--;
	char how[64];
	if (status < 0)
		snprintf(how, sizeof how, "did not finish within %u s and was killed", timeout);
	else if (status > 128)
		snprintf(how, sizeof how, "was killed by signal %d", status - 128);
	else
		snprintf(how, sizeof how, "exited with status %d", status);
	size_t rn = strlen(results);
	while (rn && results[rn - 1] == '\n')
		rn--;
	return kr_fail(ctx, status < 0 ? KR_ELIMIT : KR_EINVALID, "%s %s%s%.*s%s%.*s", who,
	               how, n ? "; its stderr:\n" : " (nothing on stderr)", (int)n, err,
	               rn ? "\nits results:\n" : "", (int)rn, results);
}

/* The `results` of a ResourceList, one line each. */
static char *results_text(kr_ctx *ctx, const kr_node *rl)
{
	const kr_node *res = kr_map_get(rl, "results");
	kr_buf b = KR_BUF_INIT;
	for (uint32_t i = 0; res && res->type == KR_SEQ && i < res->u.q.len; i++) {
		const kr_node *r = res->u.q.items[i];
		const kr_node *sev = kr_map_get(r, "severity"), *msg = kr_map_get(r, "message");
		kr_buf_printf(&b, "  [%s] %s\n",
		              sev && sev->type == KR_SCALAR ? sev->u.s.str : "info",
		              msg && msg->type == KR_SCALAR ? msg->u.s.str : "");
	}
	char *s = b.failed ? NULL : kr_arena_strndup(&ctx->arena, b.data ? b.data : "", b.len);
	kr_buf_free(&b);
	return s;
}

/* Forward a successful plugin's stderr as warnings (kustomize lets it
 * through to its own stderr). */
static void forward_stderr(kr_ctx *ctx, const char *err)
{
	while (*err) {
		const char *nl = strchr(err, '\n');
		int n = nl ? (int)(nl - err) : (int)strlen(err);
		kr_warn(ctx, "%.*s", n, err);
		err += n + (nl ? 1 : 0);
	}
}

typedef struct run_io {
	const char *who;      /* "exec plugin X" / "function Y" for messages */
	char *out;
	size_t outlen;
} run_io;

char **kr_spawn_env(kr_ctx *ctx, const char *const *set, size_t nset)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = kr_arena_alloc(&ctx->arena, (n + nset + 1) * sizeof(*env));
	if (!env)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		int replaced = 0;
		for (size_t k = 0; k < nset && !replaced; k++) {
			const char *eq = strchr(set[k], '=');
			size_t l = eq ? (size_t)(eq - set[k]) + 1 : strlen(set[k]);
			replaced = !strncmp(environ[i], set[k], l);
		}
		if (!replaced)
			env[j++] = environ[i];
	}
	for (size_t k = 0; k < nset; k++)
		env[j++] = (char *)set[k];
	env[j] = NULL;
	return env;
}

static char **env_with(kr_ctx *ctx, const char *a, const char *b)
{
	const char *set[2];
	size_t n = 0;
	if (a)
		set[n++] = a;
	if (b)
		set[n++] = b;
	return kr_spawn_env(ctx, set, n);
}

static int run_legacy(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                      const kr_extplugin *p, const char *in, size_t inlen, run_io *io)
{
	kr_buf cb = KR_BUF_INIT;
	int rc = emit(ctx, &cb, cfg->doc);
	if (rc < 0 || cb.failed) {
		kr_buf_free(&cb);
		return rc < 0 ? rc : kr_nomem(ctx);
	}
	const char *tmpdir = getenv("TMPDIR");
	char *tmp = kr_arena_printf(&ctx->arena, "%s/kust-plugin-config-XXXXXX",
	                            tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = tmp ? mkstemp(tmp) : -1;
	if (fd < 0) {
		kr_buf_free(&cb);
		return tmp ? kr_fail(ctx, KR_EIO, "creating tmp plugin config file: %s",
		                     strerror(errno)) : kr_nomem(ctx);
	}
	int bad = cb.len && write(fd, cb.data, cb.len) != (ssize_t)cb.len;
	bad |= close(fd) != 0;
	if (bad) {
		unlink(tmp);
		kr_buf_free(&cb);
		return kr_fail(ctx, KR_EIO, "writing plugin config to %s: %s", tmp,
		               strerror(errno));
	}
	/* KUSTOMIZE_PLUGIN_CONFIG_STRING and _ROOT, each only under Go's
	 * argument length limit */
	char *cs = cb.len <= 131071 - 31 ? kr_arena_printf(&ctx->arena,
	               "KUSTOMIZE_PLUGIN_CONFIG_STRING=%.*s", (int)cb.len, cb.data) : NULL;
	kr_buf_free(&cb);
	char *cr = kr_arena_printf(&ctx->arena, "KUSTOMIZE_PLUGIN_CONFIG_ROOT=%s", k->root);
	char **env = env_with(ctx, cs, cr);
	const char **argv = kr_arena_alloc(&ctx->arena, (p->nargs + 3) * sizeof(*argv));
	if (!env || !argv || !cr) {
		unlink(tmp);
		return kr_nomem(ctx);
	}
	argv[0] = p->path;
	argv[1] = tmp;
	for (size_t i = 0; i < p->nargs; i++)
		argv[i + 2] = p->args[i];
	argv[p->nargs + 2] = NULL;
	char *err;
	size_t errlen;
	int status;
	unsigned t = ctx->opts.plugin_timeout ? ctx->opts.plugin_timeout : DEFAULT_TIMEOUT;
	rc = kr_extplugin_spawn(ctx, (char *const *)argv, env, k->root, in, inlen, t * 1000u,
	                        &io->out, &io->outlen, &err, &errlen, &status);
	unlink(tmp);
	if (rc < 0)
		return kr_wrap(ctx, "exec plugin %s", p->path);
	if (status != 0)
		return run_failed(ctx, io->who, status, err, "", t);
	/* kustomize keeps an exec plugin's stderr for its error only */
	return 0;
}

static int run_function(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                        const kr_extplugin *p, kr_node **items, size_t nitems, run_io *io,
                        kr_node **fnconfig)
{
	kr_arena *a = &ctx->arena;
	kr_node *list = kr_node_seq(a, (uint32_t)nitems + 1);
	if (!list)
		return kr_nomem(ctx);
	for (size_t i = 0; i < nitems; i++)
		if (kr_seq_append(a, list, items[i]) < 0)
			return kr_nomem(ctx);
	kr_node *rl = kr_node_map(a, 4);
	rl = map_with(ctx, rl, "apiVersion", kr_node_str(a, "config.kubernetes.io/v1"));
	rl = map_with(ctx, rl, "kind", kr_node_str(a, "ResourceList"));
	rl = map_with(ctx, rl, "items", list);
	rl = map_with(ctx, rl, "functionConfig", *fnconfig);
	if (!rl)
		return kr_nomem(ctx);
	kr_buf in = KR_BUF_INIT;
	int rc = emit(ctx, &in, rl);
	if (rc < 0 || in.failed) {
		kr_buf_free(&in);
		return rc < 0 ? rc : kr_nomem(ctx);
	}
	char *argv[2] = { (char *)p->path, NULL };
	char *err;
	size_t errlen;
	int status;
	unsigned t = ctx->opts.plugin_timeout ? ctx->opts.plugin_timeout : DEFAULT_TIMEOUT;
	rc = kr_extplugin_spawn(ctx, argv, NULL, k->root, in.data, in.len, t * 1000u,
	                        &io->out, &io->outlen, &err, &errlen, &status);
	kr_buf_free(&in);
	if (rc < 0)
		return kr_wrap(ctx, "function %s (exec: {path: %s})", cfg->orig.kind, p->path);
	if (status != 0) {
		/* the results it wrote, if its stdout is a ResourceList */
		kr_doclist docs = { 0 };
		const char *results = "";
		if (kr_yaml_parse(ctx, "function output", io->out, io->outlen, KR_YAML_FIRST_DOC_ONLY, &docs) == 0 &&
		    docs.len && !(results = results_text(ctx, docs.docs[0])))
			return kr_nomem(ctx);
		ctx->err_code = 0;
		kr_buf_clear(&ctx->err);
		return run_failed(ctx, io->who, status, err, results, t);
	}
	forward_stderr(ctx, err);
	return 0;
}

/* kio.ByteReader: a ResourceList's items, or every document. */
static int output_docs(kr_ctx *ctx, const char *who, run_io *io, int function,
                       kr_doclist *docs)
{
	char *display = kr_arena_printf(&ctx->arena, "output of %s", who);
	if (!display)
		return kr_nomem(ctx);
	if (function) {
		kr_doclist raw = { 0 };
		if (kr_yaml_parse(ctx, display, io->out, io->outlen, KR_YAML_FIRST_DOC_ONLY, &raw) < 0)
			return kr_wrap(ctx, "%s wrote malformed YAML", who);
		const kr_node *rl = raw.len ? raw.docs[0] : NULL;
		if (rl && kr_scalar_is(kr_map_get(rl, "kind"), "ResourceList")) {
			const kr_node *items = kr_map_get(rl, "items");
			char *res = results_text(ctx, rl);
			if (!res)
				return kr_nomem(ctx);
			if (res[0])
				kr_warn(ctx, "%s reported:\n%.*s", who, (int)(strlen(res) - 1), res);
			kr_buf b = KR_BUF_INIT;
			for (uint32_t i = 0; items && items->type == KR_SEQ && i < items->u.q.len; i++) {
				if (i)
					kr_buf_puts(&b, "---\n");
				const char *e = NULL;
				if (kr_emit_document(&b, items->u.q.items[i], &e) < 0) {
					kr_buf_free(&b);
					return kr_fail(ctx, KR_EINVALID, "%s: an item of its ResourceList "
					               "cannot be read: %s", who, e ? e : "?");
				}
			}
			if (b.failed) {
				kr_buf_free(&b);
				return kr_nomem(ctx);
			}
			io->out = kr_arena_strndup(&ctx->arena, b.data ? b.data : "", b.len);
			io->outlen = b.len;
			kr_buf_free(&b);
			if (!io->out)
				return kr_nomem(ctx);
		}
	}
	if (kr_resource_docs_from_bytes(ctx, display, io->out, io->outlen, docs) < 0)
		return kr_wrap(ctx, "%s wrote objects krender cannot use", who);
	return 0;
}

static const char *const reader_annotations[] = {
	KUST_ID, "config.kubernetes.io/index", "internal.config.kubernetes.io/index",
	"config.kubernetes.io/id", "internal.config.kubernetes.io/id",
	"config.k8s.io/id", NULL
};

/* utils.UpdateResourceOptions and AbsorbAll */
static int absorb_generated(kr_ctx *ctx, const char *who, kr_doclist *docs,
                            const char *origin, kr_resmap *m)
{
	static const char *const opts[] = { NEEDS_HASH, BEHAVIOR, NULL };
	int rc;
	for (size_t i = 0; i < docs->len; i++) {
		kr_node *d = docs->docs[i];
		const kr_node *h = annotation(d, NEEDS_HASH), *b = annotation(d, BEHAVIOR);
		int hash = 0;
		if (h) {
			static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
			static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
			int known = 0;
			for (int j = 0; yes[j]; j++) {
				if (!strcmp(h->u.s.str, yes[j]))
					hash = known = 1;
				if (!strcmp(h->u.s.str, no[j]))
					known = 1;
			}
			if (!known)
				return kr_fail_at(ctx, KR_EINVALID, d->file ? d->file : who, h->line,
				                  h->col, "the annotation \"%s\" contains an invalid "
				                  "value (\"%s\"): it must be true or false", NEEDS_HASH,
				                  h->u.s.str);
		}
		const char *behavior = b ? b->u.s.str : "";
		if (strcmp(behavior, "create") && strcmp(behavior, "merge") &&
		    strcmp(behavior, "replace"))
			behavior = "";
		clear_annotations(d, opts);
		if ((rc = kr_generators_absorb(ctx, m, d, behavior, hash, origin)) < 0)
			return kr_wrap(ctx, "AbsorbAll (objects of %s)", who);
	}
	return 0;
}

/* utils.UpdateResMapValues: objects of the same id replaced in place, new
 * ones appended, missing ones dropped. */
static int update_resmap(kr_ctx *ctx, const char *who, kr_doclist *docs, kr_resmap *m)
{
	kr_resmap neu = { 0 };
	int rc;
	for (size_t i = 0; i < docs->len; i++) {
		clear_annotations(docs->docs[i], reader_annotations);
		kr_resource *r = kr_resource_new(&ctx->arena, docs->docs[i]);
		if (!r)
			return kr_nomem(ctx);
		if (kr_resmap_get(&neu, &r->cur, r->cluster_scoped)) {
			char *id = kr_resid_string(&ctx->arena, &r->cur);
			return kr_fail(ctx, KR_EINVALID, "plugin %s generated duplicate resource: "
			               "%s", who, id ? id : r->cur.name);
		}
		if ((rc = kr_resmap_append(ctx, &neu, r)) < 0)
			return rc;
		kr_resource *old = kr_resmap_get(m, &r->cur, r->cluster_scoped);
		if (old) {
			old->doc = r->doc;  /* ResetRNode: the object's own data stay */
			if ((rc = kr_resource_refresh_id(&ctx->arena, old)) < 0)
				return kr_nomem(ctx);
		} else if ((rc = kr_resmap_append(ctx, m, r)) < 0) {
			return rc;
		}
	}
	size_t j = 0;
	for (size_t i = 0; i < m->len; i++)
		if (kr_resmap_get(&neu, &m->items[i]->cur, m->items[i]->cluster_scoped))
			m->items[j++] = m->items[i];
	m->len = j;
	return kr_resmap_reindex(ctx, m);
}

int kr_extplugin_run(kr_ctx *ctx, const kr_kustomization *k, const kr_resource *cfg,
                     const kr_extplugin *p, int generate, const char *origin,
                     kr_resmap *m)
{
	kr_arena *a = &ctx->arena;
	run_io io = { NULL, NULL, 0 };
	int function = p->kind != EXT_LEGACY, rc;
	io.who = function ? kr_arena_printf(a, "function %s (exec: {path: %s}, in %s)",
	                                    cfg->orig.kind, p->path, k->root)
	                  : kr_arena_printf(a, "exec plugin %s", p->path);
	if (!io.who)
		return kr_nomem(ctx);
	kr_node **items = NULL;
	size_t nitems = 0;
	kr_node *fncfg = NULL;
	if (function) {
		/* the config, marked local-config, is the functionConfig, and a
		 * generator's only input */
		if (!(fncfg = kr_node_copy(a, cfg->doc)))
			return kr_nomem(ctx);
		if ((rc = kr_doc_set_annotation(ctx, fncfg, LOCAL_CONFIG, "true")) < 0)
			return rc;
	}
	if (!generate && (rc = input_items(ctx, m, function, &items)) < 0)
		return rc;
	if (!generate)
		nitems = m->len;
	if (p->kind == EXT_FN_SKIPPED) {
		if (p->path[0])
			kr_warn(ctx, "warning: %s: the function %s was not run: exec "
			        "functions run only with --enable-exec (kustomize skips it "
			        "silently)", cfg_file(k, cfg), cfg->orig.kind);
		else
			kr_warn(ctx, "warning: %s: the function %s was not run: its spec "
			        "names neither exec.path nor container.image (kustomize "
			        "skips it silently)", cfg_file(k, cfg), cfg->orig.kind);
		if (!generate) {
			/* kustomize's pipeline passes the objects through: they come
			 * back re-read (a validator sees them changed) */
			kr_buf b = KR_BUF_INIT;
			rc = 0;
			for (size_t i = 0; i < nitems && rc >= 0; i++) {
				if (i)
					kr_buf_puts(&b, "---\n");
				rc = emit(ctx, &b, items[i]);
			}
			if (rc >= 0 && b.failed)
				rc = kr_nomem(ctx);
			if (rc >= 0 && !(io.out = kr_arena_strndup(a, b.data ? b.data : "", b.len)))
				rc = kr_nomem(ctx);
			io.outlen = b.len;
			kr_buf_free(&b);
			kr_doclist docs = { 0 };
			if (rc < 0 || (rc = output_docs(ctx, io.who, &io, 0, &docs)) < 0)
				return rc;
			return update_resmap(ctx, io.who, &docs, m);
		}
		/* kustomize's pipeline passes its input through: the config */
		kr_doclist docs = { 0 };
		kr_node *d = kr_node_copy(a, fncfg);
		if (!d || !(docs.docs = kr_arena_alloc(a, sizeof(*docs.docs))))
			return kr_nomem(ctx);
		docs.docs[0] = d;
		docs.len = 1;
		return absorb_generated(ctx, io.who, &docs, origin, m);
	}
	if (function && generate) {
		kr_node *d = kr_node_copy(a, fncfg);
		if (!d || !(items = kr_arena_alloc(a, sizeof(*items))))
			return kr_nomem(ctx);
		items[0] = d;
		nitems = 1;
		if ((rc = kr_doc_set_annotation(ctx, d, "config.kubernetes.io/index", "0")) < 0 ||
		    (rc = kr_doc_set_annotation(ctx, d, "internal.config.kubernetes.io/index", "0")) < 0 ||
		    (rc = kr_doc_set_annotation(ctx, d, "config.kubernetes.io/id", "1")) < 0 ||
		    (rc = kr_doc_set_annotation(ctx, d, "internal.config.kubernetes.io/id", "1")) < 0)
			return rc;
	}
	if (function) {
		rc = run_function(ctx, k, cfg, p, items, nitems, &io, &fncfg);
	} else {
		kr_buf in = KR_BUF_INIT;
		rc = 0;
		for (size_t i = 0; i < nitems && rc >= 0; i++) {
			if (i)
				kr_buf_puts(&in, "---\n");
			rc = emit(ctx, &in, items[i]);
		}
		rc = rc < 0 ? rc : in.failed ? kr_nomem(ctx)
		     : run_legacy(ctx, k, cfg, p, in.data, in.len, &io);
		kr_buf_free(&in);
	}
	if (rc < 0)
		return rc;
	kr_doclist docs = { 0 };
	if ((rc = output_docs(ctx, io.who, &io, function, &docs)) < 0)
		return rc;
	if (generate) {
		for (size_t i = 0; i < docs.len; i++)
			clear_annotations(docs.docs[i], reader_annotations + 1);
		return absorb_generated(ctx, io.who, &docs, origin, m);
	}
	return update_resmap(ctx, io.who, &docs, m);
}
