/*
 * fsutil.c - path and file helpers (see fsutil.h).
 */
#include "fsutil.h"

#include "basecache.h"

#include <errno.h>
#include <stdint.h>
#include <xxhash.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *kr_path_clean(kr_arena *a, const char *path)
{
	size_t n = strlen(path);
	char *out = kr_arena_alloc(a, n + 2);
	if (!out)
		return NULL;
	int rooted = path[0] == '/';
	size_t w = 0, r = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' &&
		           (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				out[w++] = path[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *kr_path_join(kr_arena *a, const char *dir, const char *rel)
{
	if (rel[0] == '/' || dir[0] == '\0')
		return kr_path_clean(a, rel);
	char *tmp = kr_arena_printf(a, "%s/%s", dir, rel);
	if (!tmp)
		return NULL;
	return kr_path_clean(a, tmp);
}

int kr_path_has_prefix(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return 1;
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

char *kr_realpath(kr_arena *a, const char *path)
{
	char *r = realpath(path, NULL);
	if (!r)
		return NULL;
	char *copy = kr_arena_strdup(a, r);
	free(r);
	if (!copy)
		errno = ENOMEM;
	return copy;
}

typedef struct dirmemo_slot {
	const char *dir;   /* as asked (NULL: empty slot) */
	const char *real;  /* its realpath */
	size_t len;
	uint64_t hash;
} dirmemo_slot;

struct kr_dirmemo {
	dirmemo_slot *slots;
	size_t cap, used;  /* cap: a power of two */
};

static dirmemo_slot *dirmemo_find(struct kr_dirmemo *m, const char *dir, size_t len,
                                  uint64_t h)
{
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		dirmemo_slot *s = &m->slots[i];
		if (!s->dir || (s->hash == h && s->len == len && !memcmp(s->dir, dir, len)))
			return s;
	}
}

static const char *real_dir(kr_ctx *ctx, const char *dir, size_t len);

/* The real path of absolute directory `d` (len bytes, NUL-terminated), not
 * yet remembered: its parent's (remembered too, so the directories of a
 * tree are resolved once each) joined with its name when it is no
 * symbolic link (one lstat), else realpath(3).  NULL with errno set. */
static char *resolve_dir(kr_ctx *ctx, const char *d, size_t len)
{
	const char *slash = strrchr(d, '/');
	const char *base = slash ? slash + 1 : NULL;
	size_t blen = base ? len - (size_t)(base - d) : 0;
	struct stat st;
	if (d[0] != '/' || !base || blen == 0 ||
	    (blen == 1 && base[0] == '.') || (blen == 2 && !memcmp(base, "..", 2)) ||
	    lstat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return kr_realpath(&ctx->arena, d);
	const char *parent = slash == d ? "/" : d;
	size_t plen = slash == d ? 1 : (size_t)(slash - d);
	const char *rp = plen == 1 && parent[0] == '/' ? "/" : real_dir(ctx, parent, plen);
	if (!rp)
		return NULL;
	char *out = kr_arena_printf(&ctx->arena, "%s%s%s", rp,
	                            rp[0] == '/' && rp[1] == '\0' ? "" : "/", base);
	if (!out)
		errno = ENOMEM;
	return out;
}

static struct kr_dirmemo *dirmemo_get(kr_ctx *ctx)
{
	struct kr_dirmemo *m = ctx->dirmemo;
	if (!m) {
		m = kr_arena_zalloc(&ctx->arena, sizeof(*m));
		if (!m || !(m->slots = kr_arena_zalloc(&ctx->arena, 64 * sizeof(*m->slots)))) {
			errno = ENOMEM;
			return NULL;
		}
		m->cap = 64;
		ctx->dirmemo = m;
	}
	return m;
}

/* Remember that directory d (len bytes, an arena copy) is `real`; 0, or
 * -1 with errno set. */
static int dirmemo_put(kr_ctx *ctx, struct kr_dirmemo *m, const char *d, size_t len,
                       uint64_t h, const char *real)
{
	if ((m->used + 1) * 2 > m->cap) {
		dirmemo_slot *old = m->slots;
		size_t oldcap = m->cap;
		m->slots = kr_arena_zalloc(&ctx->arena, oldcap * 2 * sizeof(*m->slots));
		if (!m->slots) {
			m->slots = old;
			errno = ENOMEM;
			return -1;
		}
		m->cap = oldcap * 2;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].dir)
				*dirmemo_find(m, old[i].dir, old[i].len, old[i].hash) = old[i];
	}
	dirmemo_slot *s = dirmemo_find(m, d, len, h);
	if (!s->dir)
		m->used++;
	s->dir = d;
	s->real = real;
	s->len = len;
	s->hash = h;
	return 0;
}

/* The real path of directory `dir` (len bytes, not NUL-terminated),
 * remembered in ctx; NULL with errno set. */
static const char *real_dir(kr_ctx *ctx, const char *dir, size_t len)
{
	struct kr_dirmemo *m = dirmemo_get(ctx);
	if (!m)
		return NULL;
	uint64_t h = XXH3_64bits(dir, len);
	dirmemo_slot *s = dirmemo_find(m, dir, len, h);
	if (s->dir)
		return s->real;
	char *d = kr_arena_strndup(&ctx->arena, dir, len);
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	/* (resolving the parents adds slots of their own) */
	char *real = resolve_dir(ctx, d, len);
	if (!real || dirmemo_put(ctx, m, d, len, h, real) < 0)
		return NULL;
	return real;
}

static char *realpath_ctx(kr_ctx *ctx, const char *path, int check_link)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : NULL;
	struct stat st;
	if (path[0] != '/' || !base || !*base || !strcmp(base, ".") || !strcmp(base, "..") ||
	    (check_link && (lstat(path, &st) != 0 || S_ISLNK(st.st_mode)))) {
		char *r = kr_realpath(&ctx->arena, path);
		if (r && strcmp(r, path))
			ctx->nsymlinks++;  /* (or an unclean path: counted alike) */
		return r;
	}
	const char *dir = slash == path ? "/" : path;
	size_t dlen = slash == path ? 1 : (size_t)(slash - path);
	const char *real = real_dir(ctx, dir, dlen);
	if (!real)
		return NULL;
	if (strlen(real) != dlen || memcmp(real, dir, dlen))
		ctx->nsymlinks++;
	char *out = kr_arena_printf(&ctx->arena, "%s%s%s", real,
	                            real[0] == '/' && real[1] == '\0' ? "" : "/", base);
	if (!out)
		errno = ENOMEM;
	return out;
}

char *kr_realpath_ctx(kr_ctx *ctx, const char *path)
{
	return realpath_ctx(ctx, path, 1);
}

/* Is relative `path` free of "." and ".." names (so that joining it to
 * the working directory names the same place without resolving)? */
static int plain_relative(const char *path)
{
	for (const char *p = path; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n + (e ? 1 : 0);
	}
	return path[0] != '\0';
}

char *kr_realpath_dir_ctx(kr_ctx *ctx, const char *path)
{
	char cwd[PATH_MAX];
	if (path[0] != '/') {
		/* the working directory is real already (getcwd gives the
		 * kernel's path of it): only the names below it need a look */
		if (!plain_relative(path) || !getcwd(cwd, sizeof(cwd)) || cwd[0] != '/') {
			ctx->nsymlinks++;  /* (unknown: counted as one) */
			return kr_realpath(&ctx->arena, path);
		}
		size_t clen = strlen(cwd);
		struct kr_dirmemo *m = dirmemo_get(ctx);
		char *c = kr_arena_strndup(&ctx->arena, cwd, clen);
		char *abs = kr_arena_printf(&ctx->arena, "%s%s%s", cwd,
		                            clen == 1 ? "" : "/", path);
		if (!m || !c || !abs) {
			errno = ENOMEM;
			return NULL;
		}
		if (dirmemo_put(ctx, m, c, clen, XXH3_64bits(c, clen), c) < 0)
			return NULL;
		path = abs;
	}
	const char *real = real_dir(ctx, path, strlen(path));
	if (real && strcmp(real, path))
		ctx->nsymlinks++;  /* a link on the way (the base cache's rule) */
	return real ? (char *)real : NULL;
}

char *kr_realpath_ctx_nolink(kr_ctx *ctx, const char *path)
{
	return realpath_ctx(ctx, path, 0);
}

int kr_path_type_link(const char *path, int *is_link)
{
	struct stat st;
	*is_link = 0;
	if (lstat(path, &st) != 0)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		*is_link = 1;
		return kr_path_type(path);
	}
	if (S_ISREG(st.st_mode))
		return 'f';
	if (S_ISDIR(st.st_mode))
		return 'd';
	return 'o';
}

int kr_path_type(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return 'f';
	if (S_ISDIR(st.st_mode))
		return 'd';
	return 'o';
}

/* Every file a build reads is one of its inputs (kr_build_input): what
 * `krender check --affected` matches changed files against.  Callers pass
 * symlink-free absolute paths; anything else is resolved here. */
static int note_input(kr_ctx *ctx, const char *path)
{
	if (path[0] == '/')
		return kr_ctx_note_input(ctx, path);
	char *r = realpath(path, NULL);
	if (!r)
		return kr_ctx_note_input(ctx, path);
	int rc = kr_ctx_note_input(ctx, r);
	free(r);
	return rc;
}

int kr_read_file(kr_ctx *ctx, const char *path, const char *display,
                 char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kr_fail(ctx, errno == ENOENT ? KR_ENOTFOUND : KR_EIO,
		               "%s: %s", display, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kr_fail(ctx, KR_EIO, "%s: not a regular file", display);
	}
	if ((uint64_t)st.st_size > ctx->opts.max_file_size) {
		close(fd);
		return kr_fail(ctx, KR_ELIMIT, "%s: the file has %llu bytes, more than "
		               "the limit of %zu bytes per file (raise it with "
		               "--max-file-size)", display, (unsigned long long)st.st_size,
		               ctx->opts.max_file_size);
	}
	size_t cap = (size_t)st.st_size;
	char *buf = kr_arena_alloc(&ctx->arena, cap + 1);
	if (!buf) {
		close(fd);
		return kr_nomem(ctx);
	}
	size_t got = 0;
	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return kr_fail(ctx, KR_EIO, "%s: %s", display, strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return kr_note_read(ctx, path, buf, got);
}

int kr_note_read(kr_ctx *ctx, const char *path, const char *data, size_t len)
{
	int rc = note_input(ctx, path);
	/* the base cache keeps what the bytes were (basecache.h) */
	if (rc == 0 && ctx->basecache)
		rc = kr_basecache_saw_read(ctx, data, len);
	return rc;
}

int kr_path_looks_remote(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) ||
	       !strncmp(s, "github.com/", 11) || !strncmp(s, "gitlab.com/", 11) ||
	       !strncmp(s, "bitbucket.org/", 14);
}
