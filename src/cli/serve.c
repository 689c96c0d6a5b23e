/*
 * serve.c - `krender serve SOCKET`: a build server for tools that run
 * `krender build` once per overlay, and the client side of `krender build`
 * when the environment variable KRENDER_SERVER names the server's socket.
 *
 * A process of its own costs a build 1-2 ms on a virtual machine before
 * main (docs/performance.md) and a fresh parse of every base.  With a
 * server, `krender build` still starts as a process, but hands its
 * arguments, environment, umask, working directory and standard streams
 * (passed as descriptors over the Unix socket) to the server, which runs
 * the same command on them with a parse cache and a cache of built bases
 * shared between requests, and answers the exit status.  The output bytes,
 * messages and status are those of the same command run locally (the
 * caches check every file's content: docs/design.md).
 *
 * Only `build` is forwarded.  The client builds locally instead when the
 * socket cannot be reached, or when the server was started from another
 * krender binary (device, inode, size and time of /proc/self/exe must
 * match), so an upgrade never talks to an old server.  The server serves
 * one request at a time, accepts only its own user (SO_PEERCRED), creates
 * the socket readable by its user only, and exits after --idle-timeout
 * seconds without a request (default 600; 0: never) or on SIGINT/SIGTERM,
 * removing the socket.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

#define MAGIC "krender-serve-1"
#define MAX_REQUEST (4u << 20)      /* arguments and environment */
#define MAX_CACHE_ENTRIES 200000    /* then the cache starts anew */

kr_cache *cli_server_cache;

/* Which binary this is: the server answers only clients of the same one. */
static int binary_identity(char *buf, size_t n)
{
	struct stat st;
	if (stat("/proc/self/exe", &st) != 0)
		return -1;
	int w = snprintf(buf, n, "%s %llu:%llu:%lld:%lld.%09ld", MAGIC,
	                 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	                 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	                 st.st_mtim.tv_nsec);
	return w > 0 && (size_t)w < n ? 0 : -1;
}

static int unix_address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	return 0;
}

static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* ---- the request ---------------------------------------------------------
 *
 * A request is a 32-bit length, then that many bytes: the identity string,
 * the umask (decimal), argc, the arguments, the number of environment
 * entries and the entries, each NUL-terminated.  Four descriptors travel
 * with its first byte: standard input, output, error, working directory.
 * The server answers 'A' (accepted) or 'R' (refused: build locally), and
 * after an accepted request the exit status as a 32-bit number. */

static void put(cli_bytes *b, const char *s)
{
	cli_bytes_put(b, s, strlen(s) + 1);
}

static void put_number(cli_bytes *b, long v)
{
	char num[32];
	snprintf(num, sizeof num, "%ld", v);
	put(b, num);
}

/* The next NUL-terminated string of the request, or NULL past its end. */
static const char *take(const char **p, const char *end)
{
	const char *s = *p;
	const char *z = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;
	if (!z)
		return NULL;
	*p = z + 1;
	return s;
}

static int take_number(const char **p, const char *end, long max, long *v)
{
	const char *s = take(p, end);
	char *e;
	if (!s)
		return -1;
	errno = 0;
	*v = strtol(s, &e, 10);
	return errno || e == s || *e || *v < 0 || *v > max ? -1 : 0;
}

/* ---- the client ------------------------------------------------------- */

int cli_forward(int argc, char **argv, int *status)
{
	const char *path = getenv("KRENDER_SERVER");
	struct sockaddr_un sa;
	if (!path || !*path || argc < 2 || strcmp(argv[1], "build") ||
	    unix_address(path, &sa) < 0)
		return 0;
	char id[256];
	if (binary_identity(id, sizeof id) < 0)
		return 0;
	cli_bytes b = { 0 };
	mode_t mask = umask(0);
	umask(mask);
	put(&b, id);
	put_number(&b, (long)mask);
	put_number(&b, argc);
	for (int i = 0; i < argc; i++)
		put(&b, argv[i]);
	long envc = 0;
	for (char **e = environ; *e; e++)
		envc++;
	put_number(&b, envc);
	for (char **e = environ; *e; e++)
		put(&b, *e);
	int s = -1, cwd = -1, forwarded = 0;
	if (b.failed || b.n > MAX_REQUEST)
		goto out;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0 || cwd < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0)
		goto out;
	uint32_t len = (uint32_t)b.n;
	struct iovec iov = { &len, sizeof len };
	int fds[4] = { 0, 1, 2, cwd };
	union {
		char buf[CMSG_SPACE(sizeof fds)];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	                    .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(c), fds, sizeof fds);
	ssize_t w;
	while ((w = sendmsg(s, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	char ack;
	if (w != (ssize_t)sizeof len || cli_write_fd(s, b.p, b.n) < 0 ||
	    read_full(s, &ack, 1) < 0 || ack != 'A')
		goto out;
	/* accepted: from here on the server's answer is the build's */
	forwarded = 1;
	uint32_t st;
	if (read_full(s, &st, sizeof st) < 0) {
		fprintf(stderr, "Error: the krender server (%s) ended during the build\n", path);
		*status = 1;
	} else {
		*status = (int)st;
	}
out:
	if (s >= 0)
		close(s);
	if (cwd >= 0)
		close(cwd);
	free(b.p);
	return forwarded;
}

/* ---- the server ------------------------------------------------------- */

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Read a request: its bytes (malloc'd) and the four descriptors. */
static int receive(int conn, char **data, uint32_t *len, int fds[4])
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { len, sizeof *len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	                    .msg_controllen = sizeof ctl.buf };
	ssize_t r;
	while ((r = recvmsg(conn, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	int got = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(4 * sizeof(int))) {
			memcpy(fds, CMSG_DATA(c), 4 * sizeof(int));
			got = 1;
		}
	if (r != (ssize_t)sizeof *len || !got || (m.msg_flags & MSG_CTRUNC) ||
	    *len == 0 || *len > MAX_REQUEST) {
		if (got)
			for (int i = 0; i < 4; i++)
				close(fds[i]);
		return -1;
	}
	*data = malloc(*len);
	if (!*data || read_full(conn, *data, *len) < 0) {
		free(*data);
		for (int i = 0; i < 4; i++)
			close(fds[i]);
		return -1;
	}
	return 0;
}

/* Run the request's command on its streams, directory, environment and
 * umask; everything of the server's own is put back afterwards. */
static int run_request(int argc, char **argv, char **env, mode_t mask, const int fds[4])
{
	int saved[3], here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 3; i++)
		saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
	if (here < 0 || saved[0] < 0 || saved[1] < 0 || saved[2] < 0 ||
	    fchdir(fds[3]) != 0) {
		for (int i = 0; i < 3; i++)
			if (saved[i] >= 0)
				close(saved[i]);
		if (here >= 0)
			close(here);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 3; i++)
		dup2(fds[i], i);
	char **own_env = environ;
	environ = env;
	mode_t own_mask = umask(mask);

	int status = cli_run(argc, argv);

	/* output a closed or full stream could not take is dropped, never
	 * left for the next request */
	fflush(stdout);
	fflush(stderr);
	__fpurge(stdin);
	__fpurge(stdout);
	__fpurge(stderr);
	clearerr(stdin);
	clearerr(stdout);
	clearerr(stderr);
	umask(own_mask);
	environ = own_env;
	for (int i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	if (fchdir(here) != 0)
		status = status ? status : 1;
	close(here);
	return status;
}

static void serve_one(int conn, const char *id, int verbose)
{
	struct ucred cred;
	socklen_t cl = sizeof cred;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 ||
	    cred.uid != getuid())
		return;
	char *data = NULL;
	uint32_t len;
	int fds[4];
	if (receive(conn, &data, &len, fds) < 0)
		return;
	const char *p = data, *end = data + len;
	const char *their = take(&p, end);
	long mask = 0, argc = 0, envc = 0;
	char **argv = NULL, **env = NULL;
	int ok = their && !strcmp(their, id) && take_number(&p, end, 0777, &mask) == 0 &&
	         take_number(&p, end, 100000, &argc) == 0 && argc >= 2;
	if (ok && (argv = calloc((size_t)argc + 1, sizeof *argv)))
		for (long i = 0; i < argc && ok; i++)
			ok = (argv[i] = (char *)take(&p, end)) != NULL;
	ok = ok && argv && take_number(&p, end, 1000000, &envc) == 0;
	if (ok && (env = calloc((size_t)envc + 1, sizeof *env)))
		for (long i = 0; i < envc && ok; i++)
			ok = (env[i] = (char *)take(&p, end)) != NULL;
	ok = ok && env && p == end && !strcmp(argv[1], "build");
	if (cli_write_fd(conn, ok ? "A" : "R", 1) == 0 && ok) {
		int status = run_request((int)argc, argv, env, (mode_t)mask, fds);
		if (status < 0) {
			dprintf(fds[2], "Error: the krender server could not take the "
			                "request's working directory or streams\n");
			status = 1;
		}
		uint32_t st = (uint32_t)status;
		(void)cli_write_fd(conn, &st, sizeof st);
		if (verbose)
			fprintf(stderr, "krender serve: %s -> %d\n",
			        argc > 2 ? argv[argc - 1] : ".", status);
	}
	free(argv);
	free(env);
	free(data);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

void usage_serve(FILE *f)
{
	fprintf(f,
	        "Serve `%s build` requests on a Unix socket, with parsed files and\n"
	        "built bases kept between builds.  A `%s build` whose environment\n"
	        "has KRENDER_SERVER=SOCKET hands its arguments, environment,\n"
	        "working directory and standard streams to the server and exits\n"
	        "with the build's status; output and messages are those of the\n"
	        "same build run locally.  Without a reachable server (or one\n"
	        "started from another %s binary) it builds locally.\n"
	        "\n"
	        "Usage:\n"
	        "  %s serve [flags] SOCKET\n"
	        "\n"
	        "Flags:\n"
	        "  -h, --help                 help for serve\n"
	        "      --idle-timeout SECONDS exit after this long without a request\n"
	        "                             (default 600; 0: never)\n"
	        "  -v, --verbose              one line per request on stderr\n",
	        cli_prog, cli_prog, cli_prog, cli_prog);
}

int cmd_serve(int argc, char **argv)
{
	const char *path = NULL, *v;
	long idle = 600;
	int verbose = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_serve(stdout);
			return 0;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbose = 1;
		} else if (cli_opt_value(argc, argv, &i, "--idle-timeout", &v)) {
			char *e;
			if (!v)
				return cli_fail("%s", "flag needs an argument: --idle-timeout");
			idle = strtol(v, &e, 10);
			if (e == v || *e || idle < 0 || idle > 2000000)
				return cli_fail("invalid --idle-timeout '%s': a number of seconds", v);
		} else if (a[0] == '-' && a[1]) {
			return cli_fail("unknown flag: %s", a);
		} else if (!path) {
			path = a;
		} else {
			return cli_fail("%s", "serve takes one socket path");
		}
	}
	if (!path)
		return cli_fail("%s", "serve needs the path of its socket");
	struct sockaddr_un sa;
	if (unix_address(path, &sa) < 0)
		return cli_fail("socket path too long: %s", path);
	char id[256];
	if (binary_identity(id, sizeof id) < 0)
		return cli_fail("%s", "cannot stat /proc/self/exe");
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return cli_fail("socket: %s", strerror(errno));
	mode_t old = umask(0177); /* the socket: its user only */
	int b = bind(s, (struct sockaddr *)&sa, sizeof sa);
	if (b != 0 && errno == EADDRINUSE) {
		/* a socket file: in use, or left by a server that died */
		int t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int live = t >= 0 && connect(t, (struct sockaddr *)&sa, sizeof sa) == 0;
		if (t >= 0)
			close(t);
		if (live) {
			umask(old);
			close(s);
			return cli_fail("a server already listens on %s", path);
		}
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(path);
		b = bind(s, (struct sockaddr *)&sa, sizeof sa);
	}
	umask(old);
	if (b != 0 || listen(s, 64) != 0) {
		int e = errno;
		close(s);
		return cli_fail("cannot listen on %s: %s", path, strerror(e));
	}
	if (kr_cache_new(&cli_server_cache) < 0) {
		close(s);
		unlink(path);
		return cli_fail("%s", "out of memory");
	}
	kr_cache_keep_results(cli_server_cache, 1);
	struct sigaction act;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_signal; /* no SA_RESTART: poll returns */
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	while (!stopping) {
		struct pollfd pfd = { s, POLLIN, 0 };
		int n = poll(&pfd, 1, idle ? (int)idle * 1000 : -1);
		if (n == 0)
			break; /* idle */
		if (n < 0)
			continue; /* a signal */
		int conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			/* out of descriptors, say: the connection stays queued,
			 * so wait a little rather than spin */
			if (errno != EINTR && errno != ECONNABORTED)
				poll(NULL, 0, 10);
			continue;
		}
		serve_one(conn, id, verbose);
		close(conn);
		size_t entries = 0;
		kr_cache_stats(cli_server_cache, &entries, NULL, NULL);
		if (entries > MAX_CACHE_ENTRIES) {
			kr_cache_free(cli_server_cache);
			if (kr_cache_new(&cli_server_cache) < 0)
				cli_server_cache = NULL;
			else
				kr_cache_keep_results(cli_server_cache, 1);
		}
	}
	close(s);
	unlink(path);
	kr_cache_free(cli_server_cache);
	cli_server_cache = NULL;
	return 0;
}
