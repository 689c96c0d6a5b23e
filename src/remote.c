/*
 * remote.c - remote kustomization roots (see remote.h).
 *
 * Parsing follows kustomize v5.5.0's api/internal/git/repospec.go: the
 * query is cut off first (ref/version, timeout, submodules, all falling
 * back to their defaults when the query does not parse as Go's
 * url.ParseQuery would), then scheme, user name and host, then the path
 * is split into the repository and the kustomization root at the first
 * explicit marker (`_git/`, `//`, `.git`), else after two segments
 * (everything for file://).
 *
 * Fetching follows its ClonerUsingGitExec: git init, remote add origin,
 * fetch --depth=1 URL REF, checkout FETCH_HEAD, submodule update --init
 * --recursive; each command under the timeout, in its own process group
 * so that a timeout kills git's helpers too.  The checkout lands in a
 * temporary directory next to the cache entry and is renamed into place
 * only when complete, so parallel builds never see a partial one (the
 * loser of a race throws its copy away).
 *
 * Cache policy (--remote-cache): `on` reuses a checkout without network
 * when the ref is a full commit id or was a tag when first fetched, and
 * re-resolves anything else (branches, HEAD) with git ls-remote, reusing
 * the checkout of the commit it names; `refresh` re-resolves every ref;
 * `off` fetches into a temporary directory removed with the build.
 */
#define _GNU_SOURCE
#include "remote.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "build.h"
#include "fsutil.h"
#include "kustomization.h"

extern char **environ;

/* kustomize's defaultTimeout */
#define DEFAULT_TIMEOUT_MS 27000L

/* ---- Go's url.ParseQuery, strconv and time.ParseDuration, as far as
 * kustomize's parseQuery needs them ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* QueryUnescape: '+' is a blank, %XX a byte; NULL on a bad escape. */
static char *query_unescape(kr_arena *a, const char *s, size_t n, int *bad)
{
	char *out = kr_arena_alloc(a, n + 1);
	size_t w = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;
			if (i + 2 >= n ||
			    (h = hexval((unsigned char)s[i + 1])) < 0 ||
			    (l = hexval((unsigned char)s[i + 2])) < 0) {
				*bad = 1;
				return out;
			}
			out[w++] = (char)(h * 16 + l);
			i += 2;
		} else
			out[w++] = s[i] == '+' ? ' ' : s[i];
	}
	out[w] = '\0';
	return out;
}

typedef struct query_vals {
	const char *ref, *version, *timeout, *submodules;
} query_vals;

/* url.ParseQuery keeping the first value of the keys kustomize reads;
 * 0, -1 when the query has an error (kustomize then takes every default),
 * -2 when out of memory. */
static int parse_query(kr_arena *a, const char *q, query_vals *v)
{
	memset(v, 0, sizeof(*v));
	int err = 0;
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t n = amp ? (size_t)(amp - q) : strlen(q);
		const char *seg = q;
		q = amp ? amp + 1 : q + n;
		if (memchr(seg, ';', n)) {
			err = 1;
			continue;
		}
		if (n == 0)
			continue;
		const char *eq = memchr(seg, '=', n);
		size_t kn = eq ? (size_t)(eq - seg) : n;
		int bad = 0;
		char *key = query_unescape(a, seg, kn, &bad);
		if (!key)
			return -2;
		if (bad) {
			err = 1;
			continue;
		}
		char *val = eq ? query_unescape(a, eq + 1, n - kn - 1, &bad)
		               : kr_arena_strdup(a, "");
		if (!val)
			return -2;
		if (bad) {
			err = 1;
			continue;
		}
		const char **slot = !strcmp(key, "ref") ? &v->ref
		                    : !strcmp(key, "version") ? &v->version
		                    : !strcmp(key, "timeout") ? &v->timeout
		                    : !strcmp(key, "submodules") ? &v->submodules : NULL;
		if (slot && !*slot)
			*slot = val;
	}
	return err ? -1 : 0;
}

/* strconv.Atoi for a positive result; -1 when it does not parse. */
static long go_atoi_pos(const char *s)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return -1;
	long v = 0;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return neg ? -1 : v;
}

/* time.ParseDuration, in milliseconds (a positive sub-millisecond
 * duration becomes 1 ms); -1 when it does not parse or is not positive. */
static long go_duration_ms(const char *s)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!strcmp(p, "0") || !*p)
		return -1;
	double total_ns = 0;
	while (*p) {
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		char *end;
		double num = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		static const struct { const char *u; double ns; } units[] = {
			{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 },
			{ "\xce\xbcs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
			{ "m", 60e9 }, { "h", 3600e9 },
		};
		size_t best = 0, bl = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(p, units[i].u, l) && l > bl) {
				best = i;
				bl = l;
			}
		}
		if (!bl)
			return -1;
		total_ns += num * units[best].ns;
		p += bl;
	}
	if (neg || total_ns <= 0)
		return -1;
	double ms = total_ns / 1e6;
	return ms < 1 ? 1 : ms > 1e12 ? (long)1e12 : (long)ms;
}

/* strconv.ParseBool; -1 when it does not parse. */
static int go_parse_bool(const char *s)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
	for (int i = 0; t[i]; i++)
		if (!strcmp(s, t[i]))
			return 1;
	for (int i = 0; f[i]; i++)
		if (!strcmp(s, f[i]))
			return 0;
	return -1;
}

/* ---- repospec.go ---- */

static int prefix_nocase(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

/* ^[a-zA-Z][a-zA-Z0-9-]*@ : the length with the '@', else 0 */
static size_t username_len(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return 0;
	size_t i = 1;
	while (isalnum((unsigned char)s[i]) || s[i] == '-')
		i++;
	return s[i] == '@' ? i + 1 : 0;
}

static int extract_host(kr_arena *a, const char *n, const char **host,
                        const char **rest, const char **err)
{
	static const char *const schemes[] = { "ssh://", "https://", "http://",
	                                        "file://", NULL };
	/* go-getter's forced protocol, silently dropped as kustomize does */
	if (prefix_nocase(n, "git::"))
		n += 5;
	const char *scheme = "";
	for (int i = 0; schemes[i]; i++)
		if (prefix_nocase(n, schemes[i])) {
			scheme = schemes[i];
			n += strlen(schemes[i]);
			break;
		}
	size_t ul = username_len(n);
	char *user = kr_arena_strndup(a, n, ul);
	if (!user)
		return -2;
	n += ul;
	int github = prefix_nocase(n, "github.com/") || prefix_nocase(n, "github.com:");
	int scp = !*scheme && (ul || github);
	if (!*scheme && !scp) {
		*err = "failed to parse scheme";
		return -1;
	}
	if (!strcmp(scheme, "file://")) {
		*host = scheme;
		*rest = kr_arena_printf(a, "%s%s", user, n);
		return *rest ? 0 : -2;
	}
	const char *h = n, *r = "";
	size_t hl = strlen(n);
	const char *slash = strchr(n, '/');
	long sep = slash ? slash - n : -1;
	if (scp) {
		const char *colon = strchr(n, ':');
		long ci = colon ? colon - n : -1;
		if (sep == -1 || (ci > 0 && ci < sep))
			sep = ci;
	}
	if (sep >= 0) {
		hl = (size_t)sep + 1;
		r = n + sep + 1;
	}
	/* GitHub URLs are normalised: https, or scp style for ssh/users */
	if (github) {
		if (!strcmp(scheme, "ssh://") || ul) {
			scheme = "";
			h = "github.com:";
		} else {
			scheme = "https://";
			user[0] = '\0';
			h = "github.com/";
		}
		hl = strlen(h);
	}
	if (hl == 0) {
		*err = "failed to parse host segment";
		return -1;
	}
	*host = kr_arena_printf(a, "%s%s%.*s", scheme, user, (int)hl, h);
	*rest = r;
	return *host ? 0 : -2;
}

/* Split n at its first explicit marker; 0 when it has none. */
static int marker_split(kr_arena *a, const char *n, const char **repo,
                        const char **sub)
{
	const char *g = strstr(n, "_git/");
	if (g) {
		const char *seg = g + 5;
		const char *sl = strchr(seg, '/');
		size_t rl = sl ? (size_t)(sl - n) : strlen(n);
		*repo = kr_arena_strndup(a, n, rl);
		*sub = sl ? sl + 1 : "";
		return 1;
	}
	const char *dd = strstr(n, "//");
	if (dd) {
		*repo = kr_arena_strndup(a, n, (size_t)(dd - n));
		*sub = dd + 2;
		return 1;
	}
	const char *dg = strstr(n, ".git");
	if (dg) {
		*repo = kr_arena_strndup(a, n, (size_t)(dg + 4 - n));
		*sub = dg + 4;
		return 1;
	}
	return 0;
}

static int split_path(kr_arena *a, const char *n, int all, const char **repo,
                      const char **sub, const char **err)
{
	int ok = marker_split(a, n, repo, sub);
	if (ok && !*repo)
		return -2;
	if (!ok && all) {
		*repo = n;
		*sub = "";
		ok = 1;
	} else if (!ok) {
		/* the historical default: org/repo */
		const char *s1 = strchr(n, '/');
		if (s1) {
			const char *s2 = strchr(s1 + 1, '/');
			*repo = s2 ? kr_arena_strndup(a, n, (size_t)(s2 - n)) : n;
			*sub = s2 ? s2 + 1 : "";
			if (!*repo)
				return -2;
			ok = 1;
		}
	}
	if (!ok || !**repo) {
		*err = "failed to parse repo path segment";
		return -1;
	}
	const char *s = *sub;
	while (*s == '/')
		s++;
	char *clean = kr_path_clean(a, s);
	if (!clean)
		return -2;
	if (!strcmp(clean, "..") || !strncmp(clean, "../", 3)) {
		*err = "url path exits repo";
		return -1;
	}
	if (**sub == '/')
		(*sub)++;
	return 0;
}

int kr_repospec_parse(kr_arena *a, const char *url, kr_repospec *rs,
                      const char **err)
{
	memset(rs, 0, sizeof(*rs));
	rs->ref = "";
	rs->subdir = "";
	rs->submodules = 1;
	*err = NULL;
	if (url[0] == '/') {
		*err = "uri looks like abs path";
		return -1;
	}
	const char *q = strchr(url, '?');
	char *n = kr_arena_strndup(a, url, q ? (size_t)(q - url) : strlen(url));
	if (!n)
		return -2;
	if (q) {
		query_vals v;
		int rc = parse_query(a, q + 1, &v);
		if (rc == -2)
			return -2;
		if (rc == 0) {
			if (v.version)
				rs->ref = v.version;
			if (v.ref && *v.ref)
				rs->ref = v.ref;
			if (v.timeout && *v.timeout) {
				long t = go_atoi_pos(v.timeout);
				if (t > 0)
					rs->timeout_ms = t > 1000000000L ? 1000000000L * 1000
					                 : t * 1000;
				else if ((t = go_duration_ms(v.timeout)) > 0)
					rs->timeout_ms = t;
			}
			if (v.submodules && *v.submodules) {
				int b = go_parse_bool(v.submodules);
				if (b >= 0)
					rs->submodules = b;
			}
		}
	}
	const char *rest;
	int rc = extract_host(a, n, &rs->host, &rest, err);
	if (rc < 0)
		return rc;
	rc = split_path(a, rest, !strncmp(rs->host, "file://", 7), &rs->repo_path,
	                &rs->subdir, err);
	if (rc < 0)
		return rc;
	rs->clone_url = kr_arena_printf(a, "%s%s", rs->host, rs->repo_path);
	return rs->clone_url ? 0 : -2;
}

int kr_remote_is_plain_file(const char *url)
{
	if (!prefix_nocase(url, "http://") && !prefix_nocase(url, "https://"))
		return 0;
	size_t n = strcspn(url, "?#");
	static const char *const exts[] = { ".yaml", ".yml", ".json", NULL };
	for (int i = 0; exts[i]; i++) {
		size_t l = strlen(exts[i]);
		if (n >= l && !strncasecmp(url + n - l, exts[i], l))
			return 1;
	}
	return 0;
}

/* ---- running git ---- */

typedef struct git_out {
	char *text;  /* combined stdout and stderr, NUL-terminated (arena) */
	int status;  /* exit status; -1 killed by the timeout or a signal */
	int timed_out;
} git_out;

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The environment git runs in: ours, with prompts for credentials off
 * (a build must fail, not wait for a password nobody types). */
static char **git_env(kr_arena *a)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = kr_arena_alloc(a, (n + 2) * sizeof(*env));
	if (!env)
		return NULL;
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20))
			env[w++] = environ[i];
	env[w++] = "GIT_TERMINAL_PROMPT=0";
	env[w] = NULL;
	return env;
}

/* Run `git -C dir args...` (dir may be NULL) with no shell, reading its
 * combined output until it exits or `timeout_ms` passes.  -1 (with
 * errno) when git could not be started. */
static int run_git(kr_ctx *ctx, const char *dir, long timeout_ms,
                   const char *const *args, git_out *out)
{
	kr_arena *a = &ctx->arena;
	const char *argv[32];
	size_t n = 0;
	argv[n++] = "git";
	if (dir) {
		argv[n++] = "-C";
		argv[n++] = dir;
	}
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	char **env = git_env(a);
	if (!env)
		return errno = ENOMEM, -1;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	/* its own process group: a timeout kills git's helpers too */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	pid_t pid;
	int err = posix_spawnp(&pid, "git", &fa, &attr, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		errno = err;
		return -1;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	long deadline = now_ms() + timeout_ms;
	out->timed_out = 0;
	for (;;) {
		long left = deadline - now_ms();
		if (left <= 0) {
			out->timed_out = 1;
			break;
		}
		struct pollfd p = { fds[0], POLLIN, 0 };
		int r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		if (buf && len + 1024 > cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb) {
				buf = nb;
				cap *= 2;
			}
		}
		char sink[1024];
		int keep = buf && len + 1024 <= cap && len < (1 << 20);
		ssize_t got = read(fds[0], keep ? buf + len : sink,
		                   keep ? cap - len - 1 : sizeof(sink));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (keep)
			len += (size_t)got;
	}
	close(fds[0]);
	if (out->timed_out)
		kill(-pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	out->status = !out->timed_out && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	/* trailing blank lines say nothing */
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	out->text = kr_arena_strndup(a, buf ? buf : "", buf ? len : 0);
	free(buf);
	if (!out->text)
		return errno = ENOMEM, -1;
	return 0;
}

static const char *join_args(kr_arena *a, const char *const *args)
{
	const char *s = "git";
	for (size_t i = 0; s && args[i]; i++)
		s = kr_arena_printf(a, "%s %s", s, args[i]);
	return s;
}

/* Run git and fail with an error naming the URL, the command and what git
 * printed unless it exits 0. */
static int git_ok(kr_ctx *ctx, const char *url, const char *dir,
                  long timeout_ms, const char *const *args, git_out *out)
{
	if (run_git(ctx, dir, timeout_ms, args, out) < 0) {
		if (errno == ENOMEM)
			return kr_nomem(ctx);
		return kr_fail(ctx, KR_EIO, "remote '%s': cannot run git: %s%s", url,
		               strerror(errno), errno == ENOENT
		               ? " (krender fetches remote bases with the 'git' "
		                 "command, which is not on PATH)" : "");
	}
	if (out->timed_out)
		return kr_fail(ctx, KR_EIO, "remote '%s': '%s' timed out after %ld ms "
		               "(see --remote-timeout or the URL's ?timeout=)%s%s",
		               url, join_args(&ctx->arena, args), timeout_ms,
		               *out->text ? ": " : "", out->text);
	if (out->status != 0)
		return kr_fail(ctx, KR_EIO, "remote '%s': '%s' failed (exit status "
		               "%d): %s", url, join_args(&ctx->arena, args),
		               out->status, *out->text ? out->text : "(no output)");
	return 0;
}

/* ---- the cache ---- */

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			int r = mkdir(path, 0755);
			*p = '/';
			if (r < 0 && errno != EEXIST)
				return -1;
		}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static const char *cache_base(kr_arena *a)
{
	const char *d = getenv("KRENDER_CACHE_DIR");
	if (d && *d)
		return kr_arena_printf(a, "%s/git", d);
	d = getenv("XDG_CACHE_HOME");
	if (d && d[0] == '/')
		return kr_arena_printf(a, "%s/krender/git", d);
	d = getenv("HOME");
	if (d && *d)
		return kr_arena_printf(a, "%s/.cache/krender/git", d);
	return NULL;
}

/* Two FNV-1a 64 hashes with different bases: a file name for the clone
 * URL (and whether submodules are wanted). */
static const char *url_key(kr_arena *a, const kr_repospec *rs)
{
	uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
	const char *s = rs->clone_url;
	for (size_t i = 0;; i++) {
		unsigned char c = i < strlen(s) ? (unsigned char)s[i]
		                  : (unsigned char)(rs->submodules ? '1' : '0');
		h1 = (h1 ^ c) * 0x100000001b3ULL;
		h2 = (h2 ^ c) * 0x100000001b3ULL;
		if (i == strlen(s))
			break;
	}
	return kr_arena_printf(a, "%016llx%016llx", (unsigned long long)h1,
	                       (unsigned long long)h2);
}

static int is_full_sha(const char *s)
{
	size_t n = strlen(s);
	if (n != 40 && n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The file recording what a ref resolved to: "tag SHA" or "branch SHA". */
static const char *ref_file(kr_arena *a, const char *keydir, const char *ref)
{
	const char *r = *ref ? ref : "HEAD";
	size_t n = strlen(r);
	char *hex = kr_arena_alloc(a, 2 * n + 1);
	if (!hex)
		return NULL;
	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)r[i]);
	hex[2 * n] = '\0';
	return kr_arena_printf(a, "%s/ref-%s", keydir, hex);
}

static int read_ref(kr_arena *a, const char *path, int *is_tag, const char **sha)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char kind[16], id[80];
	int n = fscanf(f, "%15s %79s", kind, id);
	fclose(f);
	if (n != 2 || !is_full_sha(id))
		return -1;
	*is_tag = !strcmp(kind, "tag");
	*sha = kr_arena_strdup(a, id);
	return *sha ? 0 : -1;
}

/* Written to a temporary file and renamed: readers see all or nothing. */
static void write_ref(kr_arena *a, const char *path, int is_tag, const char *sha)
{
	const char *tmp = kr_arena_printf(a, "%s.%ld.tmp", path, (long)getpid());
	if (!tmp)
		return;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%s %s\n", is_tag ? "tag" : "branch", sha);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/* git ls-remote URL REF: the commit the ref names, as git fetch would
 * pick it (the ref itself, then refs/, refs/tags/, refs/heads/...), the
 * peeled commit of an annotated tag.  *sha NULL when nothing matched
 * (e.g. an abbreviated commit id, which only a fetch can resolve). */
static int ls_remote(kr_ctx *ctx, const char *url, const kr_repospec *rs,
                     long timeout_ms, const char **sha, int *is_tag)
{
	kr_arena *a = &ctx->arena;
	const char *ref = *rs->ref ? rs->ref : "HEAD";
	/* the peeled pattern lists an annotated tag's commit too */
	const char *deref = kr_arena_printf(a, "%s^{}", ref);
	if (!deref)
		return kr_nomem(ctx);
	const char *args[] = { "ls-remote", "--", rs->clone_url, ref, deref, NULL };
	git_out o;
	int rc = git_ok(ctx, url, NULL, timeout_ms, args, &o);
	if (rc < 0)
		return rc;
	static const char *const pre[] = { "", "refs/", "refs/tags/", "refs/heads/",
	                                   "refs/remotes/", "refs/remotes/", NULL };
	static const char *const post[] = { "", "", "", "", "", "/HEAD" };
	*sha = NULL;
	*is_tag = 0;
	for (int f = 0; pre[f] && !*sha; f++) {
		const char *want = kr_arena_printf(a, "%s%s%s", pre[f], ref, post[f]);
		const char *peeled = kr_arena_printf(a, "%s^{}", want ? want : "");
		if (!want || !peeled)
			return kr_nomem(ctx);
		const char *found = NULL;
		for (const char *line = o.text; *line;) {
			const char *nl = strchr(line, '\n');
			size_t ll = nl ? (size_t)(nl - line) : strlen(line);
			const char *tab = memchr(line, '\t', ll);
			if (tab && tab - line >= 40) {
				size_t nl2 = ll - (size_t)(tab + 1 - line);
				const char *name = tab + 1;
				char *id = kr_arena_strndup(a, line, (size_t)(tab - line));
				if (!id)
					return kr_nomem(ctx);
				if (nl2 == strlen(peeled) && !strncmp(name, peeled, nl2))
					found = id;  /* the commit beats the tag object */
				else if (!found && nl2 == strlen(want) &&
				         !strncmp(name, want, nl2))
					found = id;
			}
			line = nl ? nl + 1 : line + ll;
		}
		if (found) {
			*sha = found;
			*is_tag = f == 2 || !strncmp(ref, "refs/tags/", 10);
		}
	}
	return 0;
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			size_t n = strlen(path) + strlen(e->d_name) + 2;
			char *p = malloc(n);
			if (!p)
				continue;
			snprintf(p, n, "%s/%s", path, e->d_name);
			struct stat st;
			if (!lstat(p, &st) && S_ISDIR(st.st_mode))
				remove_tree(p);
			else
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* kustomize's ClonerUsingGitExec into `dir` (an empty directory); *sha
 * gets the commit checked out. */
static int clone_into(kr_ctx *ctx, const char *url, const kr_repospec *rs,
                      const char *dir, long timeout_ms, const char **sha)
{
	const char *ref = *rs->ref ? rs->ref : "HEAD";
	const char *init[] = { "init", "--quiet", NULL };
	const char *remote[] = { "remote", "add", "origin", rs->clone_url, NULL };
	const char *fetch[] = { "fetch", "--depth=1", rs->clone_url, ref, NULL };
	const char *checkout[] = { "checkout", "--quiet", "FETCH_HEAD", NULL };
	const char *subm[] = { "submodule", "update", "--init", "--recursive", NULL };
	const char *revparse[] = { "rev-parse", "HEAD", NULL };
	git_out o;
	int rc;
	if ((rc = git_ok(ctx, url, dir, timeout_ms, init, &o)) < 0 ||
	    (rc = git_ok(ctx, url, dir, timeout_ms, remote, &o)) < 0 ||
	    (rc = git_ok(ctx, url, dir, timeout_ms, fetch, &o)) < 0 ||
	    (rc = git_ok(ctx, url, dir, timeout_ms, checkout, &o)) < 0)
		return rc;
	if (rs->submodules && (rc = git_ok(ctx, url, dir, timeout_ms, subm, &o)) < 0)
		return rc;
	if ((rc = git_ok(ctx, url, dir, timeout_ms, revparse, &o)) < 0)
		return rc;
	if (!is_full_sha(o.text))
		return kr_fail(ctx, KR_EIO, "remote '%s': git rev-parse HEAD printed "
		               "'%s', not a commit id", url, o.text);
	*sha = o.text;
	return 0;
}

/* The checkouts this build uses, so that a repository and ref named by
 * several entries is resolved once and gives one commit throughout. */
typedef struct kr_remote_seen {
	const char *key;   /* clone URL, ref and submodules flag */
	const char *path;  /* the checkout */
	int tmp;           /* made for this build only (--remote-cache off) */
	struct kr_remote_seen *next;
} kr_remote_seen;

/* A fresh empty directory next to the cache entries (same file system,
 * so that rename() can move it into place). */
static char *make_tmp(kr_ctx *ctx, const char *parent)
{
	char *t = kr_arena_printf(&ctx->arena, "%s/tmp-XXXXXX", parent);
	if (!t)
		return NULL;
	return mkdtemp(t);
}

static int fetch_dir(kr_ctx *ctx, const char *url, const kr_repospec *rs,
                     const char **top, int *tmp_made)
{
	kr_arena *a = &ctx->arena;
	long timeout = rs->timeout_ms ? rs->timeout_ms
	               : ctx->opts.remote_timeout_ms ? ctx->opts.remote_timeout_ms
	               : DEFAULT_TIMEOUT_MS;
	int policy = ctx->opts.remote_cache;
	const char *base = cache_base(a);
	if (!base)
		return kr_fail(ctx, KR_EIO, "remote '%s': no cache directory (set "
		               "KRENDER_CACHE_DIR, XDG_CACHE_HOME or HOME)", url);
	char *keydir = kr_arena_printf(a, "%s/%s", base, url_key(a, rs));
	if (!keydir)
		return kr_nomem(ctx);
	if (mkdir_p(keydir) < 0)
		return kr_fail(ctx, KR_EIO, "remote '%s': cannot create the cache "
		               "directory %s: %s", url, keydir, strerror(errno));
	int rc;
	if (policy == KR_REMOTE_CACHE_OFF) {
		char *tmp = make_tmp(ctx, keydir);
		if (!tmp)
			return kr_fail(ctx, KR_EIO, "remote '%s': cannot create a "
			               "directory in %s: %s", url, keydir, strerror(errno));
		const char *sha;
		if ((rc = clone_into(ctx, url, rs, tmp, timeout, &sha)) < 0) {
			remove_tree(tmp);
			return rc;
		}
		*top = tmp;
		*tmp_made = 1;
		return 0;
	}
	/* What the ref names, without network when that is settled. */
	const char *sha = NULL;
	int is_tag = 0;
	const char *rf = ref_file(a, keydir, rs->ref);
	if (!rf)
		return kr_nomem(ctx);
	if (is_full_sha(rs->ref))
		sha = rs->ref;
	else if (policy == KR_REMOTE_CACHE_ON && !read_ref(a, rf, &is_tag, &sha) &&
	         !is_tag)
		sha = NULL;
	if (sha) {
		char *d = kr_arena_printf(a, "%s/%s", keydir, sha);
		if (!d)
			return kr_nomem(ctx);
		if (kr_path_type(d) == 'd') {
			*top = d;
			return 0;
		}
		if (!is_full_sha(rs->ref))
			sha = NULL;
	}
	if (!sha) {
		if ((rc = ls_remote(ctx, url, rs, timeout, &sha, &is_tag)) < 0)
			return rc;
		if (sha) {
			write_ref(a, rf, is_tag, sha);
			char *d = kr_arena_printf(a, "%s/%s", keydir, sha);
			if (!d)
				return kr_nomem(ctx);
			if (kr_path_type(d) == 'd') {
				*top = d;
				return 0;
			}
		}
	}
	char *tmp = make_tmp(ctx, keydir);
	if (!tmp)
		return kr_fail(ctx, KR_EIO, "remote '%s': cannot create a directory in "
		               "%s: %s", url, keydir, strerror(errno));
	const char *got;
	if ((rc = clone_into(ctx, url, rs, tmp, timeout, &got)) < 0) {
		remove_tree(tmp);
		return rc;
	}
	char *d = kr_arena_printf(a, "%s/%s", keydir, got);
	if (!d) {
		remove_tree(tmp);
		return kr_nomem(ctx);
	}
	/* Another build may have put the same commit in place meanwhile:
	 * then its copy serves, ours goes. */
	if (rename(tmp, d) < 0) {
		int e = errno;
		remove_tree(tmp);
		if (kr_path_type(d) != 'd')
			return kr_fail(ctx, KR_EIO, "remote '%s': cannot move the checkout "
			               "to %s: %s", url, d, strerror(e));
	}
	*top = d;
	return 0;
}

static int checkout_dir(kr_ctx *ctx, const char *url, const kr_repospec *rs,
                        const char **top)
{
	const char *key = kr_arena_printf(&ctx->arena, "%s\n%s\n%d", rs->clone_url,
	                                  rs->ref, rs->submodules);
	if (!key)
		return kr_nomem(ctx);
	for (const kr_remote_seen *s = ctx->remote_seen; s; s = s->next)
		if (!strcmp(s->key, key)) {
			*top = s->path;
			return 0;
		}
	int tmp = 0;
	int rc = fetch_dir(ctx, url, rs, top, &tmp);
	if (rc < 0)
		return rc;
	kr_remote_seen *s = kr_arena_alloc(&ctx->arena, sizeof(*s));
	if (!s) {
		if (tmp)
			remove_tree(*top);
		return kr_nomem(ctx);
	}
	s->key = key;
	s->path = *top;
	s->tmp = tmp;
	s->next = ctx->remote_seen;
	ctx->remote_seen = s;
	return 0;
}

int kr_remote_root(kr_ctx *ctx, const char *url, const kr_repospec *rs,
                   const char **root, const char **top)
{
	const char *dir = NULL;
	int rc = checkout_dir(ctx, url, rs, &dir);
	if (rc < 0)
		return rc;
	char *topreal = kr_realpath(&ctx->arena, dir);
	if (!topreal)
		return kr_fail(ctx, KR_EIO, "remote '%s': %s: %s", url, dir,
		               strerror(errno));
	char *abs = kr_path_join(&ctx->arena, topreal, rs->subdir);
	if (!abs)
		return kr_nomem(ctx);
	int type = kr_path_type(abs);
	if (type == 0)
		return kr_fail(ctx, KR_ENOTFOUND, "remote '%s': the repository %s has "
		               "no directory '%s'", url, rs->clone_url, rs->subdir);
	if (type != 'd')
		return kr_fail(ctx, KR_EINVALID, "remote '%s': '%s' in %s is a file; "
		               "expecting a directory", url, rs->subdir, rs->clone_url);
	char *real = kr_realpath(&ctx->arena, abs);
	if (!real)
		return kr_fail(ctx, KR_EIO, "remote '%s': %s: %s", url, abs,
		               strerror(errno));
	/* a symlink in the repository may lead out of it */
	if (!kr_path_has_prefix(real, topreal))
		return kr_fail(ctx, KR_ERESTRICT, "remote '%s': '%s' refers to a "
		               "directory outside of the repository", url, rs->subdir);
	*root = real;
	*top = topreal;
	return 0;
}

void kr_remote_cleanup(kr_ctx *ctx)
{
	for (kr_remote_seen *s = ctx->remote_seen; s; s = s->next)
		if (s->tmp)
			remove_tree(s->path);
	ctx->remote_seen = NULL;
}

/* ---- the loader's side ---- */

int kr_remote_match(kr_ctx *ctx, const kr_kustomization *k,
                    const kr_node *entry, kr_repospec *rs)
{
	const char *url = entry->u.s.str;
	const char *why;
	/* resources take plain files before asking (build.c): this is a
	 * component, which must be a directory */
	if (kr_remote_is_plain_file(url))
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "remote file '%s' is a file, not a kustomization "
		                  "directory or repository (kustomize: must build at "
		                  "directory)", url);
	int rc = kr_repospec_parse(&ctx->arena, url, rs, &why);
	if (rc == -2)
		return kr_nomem(ctx);
	return rc == 0;
}

int kr_remote_open(kr_ctx *ctx, const kr_kustomization *k,
                   const kr_root_chain *chain, const kr_node *entry,
                   const kr_repospec *rs, const char **real,
                   kr_remote_scope *saved)
{
	const char *url = entry->u.s.str;
	int rc;
	/* kustomize's origin of a remote object names the repository and
	 * ref, which buildmeta.c does not do yet */
	if (ctx->origin_path)
		return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
		                  "remote '%s' in a build with buildMetadata is not "
		                  "supported by this version of krender yet", url);
	if (chain->depth + 1 > ctx->opts.max_kustomization_depth)
		return kr_fail_at(ctx, KR_ELIMIT, k->file, entry->line, entry->col,
		                  "kustomizations nested deeper than the limit of %u",
		                  ctx->opts.max_kustomization_depth);
	const char *root, *top;
	if ((rc = kr_remote_root(ctx, url, rs, &root, &top)) < 0)
		return kr_wrap(ctx, "%s:%u:%u", k->file, entry->line, entry->col);
	for (const kr_root_chain *c = chain; c; c = c->parent)
		if (kr_path_has_prefix(c->root, root))
			return kr_fail_at(ctx, KR_EINVALID, k->file, entry->line, entry->col,
			                  "cycle detected: remote '%s' contains the "
			                  "kustomization root '%s' that is being built",
			                  url, c->root);
	saved->load_restrictor = ctx->opts.load_restrictor;
	saved->top = ctx->remote_top;
	ctx->opts.load_restrictor = KR_LOAD_ROOT_ONLY;
	ctx->remote_top = top;
	*real = root;
	return 0;
}

void kr_remote_leave(kr_ctx *ctx, const kr_remote_scope *saved)
{
	ctx->opts.load_restrictor = saved->load_restrictor;
	ctx->remote_top = saved->top;
}

/* For helm.c, which pulls charts into place the same way. */
void kr_remove_tree(const char *path)
{
	remove_tree(path);
}

int kr_mkdir_p(char *path)
{
	return mkdir_p(path);
}
