/*
 * output.c - where `krender build` writes its result, safely.
 *
 * A build's output must never be left half written: GitOps tools read the
 * file or directory krender wrote, and a truncated YAML stream is still
 * valid YAML with fewer resources in it.  So
 *
 *   -o FILE  writes FILE.krender-XXXXXX in the same directory and renames
 *            it over FILE once every byte is on disk (the rename is atomic);
 *            a path that exists and is not a regular file (a device such as
 *            /dev/full, a FIFO) cannot be renamed over and is written
 *            directly, every error reported;
 *   -o DIR   writes each resource's file as a temporary in DIR and renames
 *            them into place only after all of them were written; on any
 *            error the temporaries are removed and DIR is as it was (the
 *            -o OUTDIR of several overlays, multi.c, writes its files the
 *            same way);
 *   stdout   is flushed and checked: a closed stdout, a broken pipe or a
 *            full disk is "Error: writing output: ..." and exit status 1,
 *            never silent truncation (main.c ignores SIGPIPE so that a
 *            broken pipe is reported rather than killing the process).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Write all of data to fd; 0 or -1 with errno set. */
static int write_fd(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The permissions a new file gets from open(..., 0666): 0666 minus the
 * umask (mkstemp makes 0600, kubectl's files are 0666 &~ umask). */
static mode_t new_file_mode(void)
{
	mode_t m = umask(0);
	umask(m);
	return 0666 & ~m;
}

/* Write data to a new temporary next to path (path.krender-XXXXXX) with the
 * given mode, fsync'd if sync (so that the rename never exposes an empty
 * file after a power loss); returns the malloc'd temporary name or NULL (error reported,
 * nothing left behind). */
static char *write_temp(const char *path, const char *data, size_t len,
                        mode_t mode, int sync)
{
	size_t n = strlen(path) + sizeof(".krender-XXXXXX");
	char *tmp = malloc(n);
	if (!tmp) {
		cli_fail("%s", "out of memory");
		return NULL;
	}
	snprintf(tmp, n, "%s.krender-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		cli_fail("writing %s: %s", path, strerror(errno));
		free(tmp);
		return NULL;
	}
	int bad = fchmod(fd, mode) != 0 || write_fd(fd, data, len) != 0 ||
	          (sync && fsync(fd) != 0);
	int err = errno;
	if (close(fd) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad) {
		cli_fail("writing %s: %s", path, strerror(err));
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* Write directly to an existing non-regular file (a device, a FIFO). */
static int write_direct(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return cli_fail("%s: %s", path, strerror(errno));
	int bad = write_fd(fd, data, len) != 0;
	int err = errno;
	if (close(fd) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad)
		return cli_fail("writing %s: %s", path, strerror(err));
	return 0;
}

int cli_output_file(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *real = NULL;
	mode_t mode = new_file_mode();
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return write_direct(path, data, len);
		mode = st.st_mode & 07777;
		/* a link to a regular file: replace the file, keep the link */
		real = realpath(path, NULL);
		if (real)
			path = real;
	}
	char *tmp = write_temp(path, data, len, mode, 1);
	if (!tmp) {
		free(real);
		return 1;
	}
	int rc = 0;
	if (rename(tmp, path) != 0) {
		rc = cli_fail("writing %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(real);
	return rc;
}

int cli_output_dir(kr_build *b, const char *dir)
{
	size_t n = kr_build_resource_count(b);
	const char **names = calloc(n ? n : 1, sizeof(*names));
	const char **data = calloc(n ? n : 1, sizeof(*data));
	size_t *lens = calloc(n ? n : 1, sizeof(*lens));
	int rc = 0;
	if (!names || !data || !lens)
		rc = cli_fail("%s", "out of memory");
	for (size_t i = 0; !rc && i < n; i++)
		if (kr_build_resource(b, i, &data[i], &lens[i], &names[i]) < 0)
			rc = cli_fail("%s", "out of memory");
	if (!rc)
		rc = cli_output_files(dir, n, names, data, lens);
	free(names);
	free(data);
	free(lens);
	return rc;
}

int cli_output_files(const char *dir, size_t n, const char *const *names,
                     const char *const *data, const size_t *lens)
{
	char **tmps = calloc(n ? n : 1, sizeof(*tmps));
	char **paths = calloc(n ? n : 1, sizeof(*paths));
	mode_t mode = new_file_mode();
	int rc = 0;
	if (!tmps || !paths) {
		rc = cli_fail("%s", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		paths[i] = malloc(plen);
		if (!paths[i]) {
			rc = cli_fail("%s", "out of memory");
			break;
		}
		snprintf(paths[i], plen, "%s/%s", dir, names[i]);
		tmps[i] = write_temp(paths[i], data[i], lens[i], mode, 0);
		if (!tmps[i]) {
			rc = 1;
			break;
		}
	}
	/* every file is written: check that none of the names is taken by
	 * something a rename cannot replace, then move them into place */
	for (size_t i = 0; !rc && i < n; i++) {
		struct stat st;
		if (lstat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = cli_fail("writing %s: %s", paths[i], strerror(EISDIR));
	}
	for (size_t i = 0; !rc && i < n; i++)
		if (rename(tmps[i], paths[i]) != 0)
			rc = cli_fail("writing %s: %s", paths[i], strerror(errno));
out:
	for (size_t i = 0; tmps && i < n; i++) {
		if (tmps[i]) {
			if (rc)
				unlink(tmps[i]); /* fails harmlessly once renamed */
			free(tmps[i]);
		}
		if (paths)
			free(paths[i]);
	}
	free(tmps);
	free(paths);
	return rc;
}

int cli_output_stdout(const char *data, size_t len)
{
	if (cli_write_all(stdout, data, len) < 0 || fflush(stdout) != 0) {
		int err = errno;
		clearerr(stdout);
		return cli_fail("writing output: %s", strerror(err));
	}
	return 0;
}

/* A closed descriptor 0, 1 or 2 would be reused by the first file the build
 * opens, and the output or an error message would land in it.  Occupy each
 * with /dev/null opened read-only, so that writes to it still fail (EBADF)
 * and are reported. */
void cli_guard_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", O_RDONLY);
		if (nfd >= 0 && nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
}

int cli_finish_stdout(int rc)
{
	if (rc != 0)
		return rc;
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail("writing output: %s", strerror(errno ? errno : EIO));
	return 0;
}

void cli_bytes_put(cli_bytes *b, const void *s, size_t n)
{
	if (b->failed)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

int cli_write_fd(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
