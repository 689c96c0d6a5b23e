/*
 * check.c - `krender check`: build every kustomization under some paths,
 * for CI and pre-commit.
 *
 *   krender check [-j N] [-v] [--rendered DIR] [PATH...]
 *   krender check [-j N] [-v] [--rendered DIR] [--root DIR] --affected FILE...
 *
 * Every directory holding a kustomization file is built, bases included
 * (kr_find_kustomizations); components only through the kustomizations
 * that use them.  Failures are reported on stderr with the
 * library's message (file:line:col), and the exit status is 1 if any
 * failed.  With --affected, the tree under --root (default: the current
 * directory) is searched and only the kustomizations whose inputs
 * (kr_build_input: every file a build read, through its bases and
 * components) include one of the FILEs are reported, so a change to a base
 * checks every overlay above it.  A build that fails has read only part of
 * its inputs; it counts as affected when a FILE lies in a directory it read
 * from.
 *
 * The builds run in -j worker processes (fork: the library keeps no
 * global state, but a crash in one build must not take the report with
 * it).  Worker w builds the kustomizations w, w+N, ... and sends each
 * result through a pipe; the parent reports in the order of the walk, so
 * the output does not depend on timing.
 *
 * --rendered DIR (the rendered-manifests pattern): a successful build must
 * equal the committed file DIR/<kustomization directory>/manifests.yaml,
 * the directory taken relative to the current directory (the top one is
 * DIR/manifests.yaml).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define RENDERED_NAME "manifests.yaml"

void usage_check(FILE *f)
{
	fprintf(f,
	        "Build every kustomization (a directory holding kustomization.yaml,\n"
	        "kustomization.yml or Kustomization) under the PATHs (default: the\n"
	        "current directory; .git is skipped; bases are checked too, components\n"
	        "through the kustomizations that use them), report each failure with\n"
	        "its file, line and column, and exit 1 if any failed.\n"
	        "\n"
	        "Usage:\n"
	        "  %s check [flags] [PATH...]   (a PATH may also name a kustomization file)\n"
	        "  %s check [flags] --affected FILE...\n"
	        "\n"
	        "Flags:\n"
	        "      --affected FILE...         check only the kustomizations whose inputs\n"
	        "                                 (transitively: resources, bases, components,\n"
	        "                                 patches, generator files, configurations)\n"
	        "                                 include one of the FILEs; the rest of the\n"
	        "                                 arguments are FILEs (pre-commit passes them)\n"
	        "      --root DIR                 where --affected looks for kustomizations\n"
	        "                                 (default: the current directory)\n"
	        "  -j, --jobs N                   parallel builds (default: the number of CPUs)\n"
	        "      --rendered DIR             also fail when DIR/<kustomization dir>/%s\n"
	        "                                 differs from a fresh build (the top\n"
	        "                                 directory: DIR/%s)\n"
	        "  -v, --verbose                  print \"ok DIR\" for each kustomization that\n"
	        "                                 passed\n"
	        "      --load-restrictor string   as for build\n"
	        "  -h, --help                     help for check\n"
	        "\n"
	        "Environment: KRENDER_BUILD_OPTIONS as for build.\n",
	        cli_prog, cli_prog, RENDERED_NAME, RENDERED_NAME);
}

/* ---- a growable byte buffer for the worker protocol ---- */

static void put_u64(cli_bytes *b, uint64_t v)
{
	cli_bytes_put(b, &v, sizeof(v));
}

static void put_str(cli_bytes *b, const char *s, size_t n)
{
	put_u64(b, n);
	cli_bytes_put(b, s, n);
}

/* ---- the kustomizations and their results ---- */

typedef struct item {
	char *dir;        /* as found (PATH joined with sub-directories) */
	char *real;       /* its realpath, to drop duplicates */
	int done;
	int ok;
	char *error;      /* the library's message when !ok */
	char **inputs;    /* sorted absolute paths */
	size_t ninputs;
	char *warnings;   /* the build's warning lines */
	char *output;     /* the build (only with --rendered) */
	size_t outlen;
} item;

typedef struct list {
	item *v;
	size_t n, cap;
} list;

static int add_item(void *payload, const char *dir, const char *kind)
{
	list *l = payload;
	/* a component is no build of its own (its patches need the objects
	 * of whatever includes it): it is checked through its users, whose
	 * inputs it is */
	if (!strcmp(kind, "Component"))
		return 0;
	char *real = realpath(dir, NULL);
	if (!real)
		return KR_EIO;
	/* a PATH inside another one finds the same kustomizations again */
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].real, real)) {
			free(real);
			return 0;
		}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		item *nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv) {
			free(real);
			return KR_ENOMEM;
		}
		l->v = nv;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(item));
	l->v[l->n].real = real;
	if (!(l->v[l->n].dir = strdup(dir)))
		return KR_ENOMEM;
	l->n++;
	return 0;
}

/* A PATH naming a kustomization file stands for its directory: 1 when
 * added, 0 when PATH is something else, or a KR_E* code. */
static int named_file(const char *path, list *l)
{
	static const char *const names[] = {
		"kustomization.yaml", "kustomization.yml", "Kustomization"
	};
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(base, names[i]))
			continue;
		char *dir = slash ? strndup(path, (size_t)(slash - path + (slash == path)))
		                  : strdup(".");
		if (!dir)
			return KR_ENOMEM;
		int rc = add_item(l, dir, "Kustomization");
		free(dir);
		return rc < 0 ? rc : 1;
	}
	return 0;
}

/* ---- workers ---- */

/* Warnings are collected with the result: printed by the parent in
 * order, they cannot interleave. */
static void collect_warning(void *payload, const char *line)
{
	cli_bytes_put(payload, line, strlen(line));
	cli_bytes_put(payload, "\n", 1);
}

/* Build item i and send its record: index, ok, error, inputs, warnings,
 * output. */
static int build_one(int fd, size_t i, const char *dir,
                     const kr_build_options *opts, int want_output)
{
	cli_bytes r = { 0 }, warnings = { 0 };
	kr_build *b = NULL;
	int ok = 0;
	kr_build_options o = *opts;
	o.warn = collect_warning;
	o.warn_payload = &warnings;
	if (kr_build_new(&b, &o) == 0)
		ok = kr_build_run(b, dir) == 0;
	put_u64(&r, i);
	put_u64(&r, (uint64_t)ok);
	const char *err = b ? kr_build_error(b) : "out of memory";
	put_str(&r, ok ? "" : err ? err : "build failed",
	        ok ? 0 : strlen(err ? err : "build failed"));
	size_t n = kr_build_input_count(b);
	put_u64(&r, n);
	for (size_t k = 0; k < n; k++) {
		const char *p = kr_build_input(b, k);
		put_str(&r, p, strlen(p));
	}
	put_str(&r, warnings.p ? warnings.p : "", warnings.n);
	free(warnings.p);
	const char *data = "";
	size_t len = 0;
	if (ok && want_output)
		kr_build_output(b, &data, &len);
	put_str(&r, data, len);
	kr_build_free(b);
	if (r.failed) {
		free(r.p);
		return -1;
	}
	/* the record's size first, so the parent can split the stream */
	uint64_t total = r.n;
	int rc = cli_write_fd(fd, (const char *)&total, sizeof(total));
	if (rc == 0)
		rc = cli_write_fd(fd, r.p, r.n);
	free(r.p);
	return rc;
}

static uint64_t get_u64(const char **p)
{
	uint64_t v;
	memcpy(&v, *p, sizeof(v));
	*p += sizeof(v);
	return v;
}

static char *get_str(const char **p, size_t *len)
{
	size_t n = (size_t)get_u64(p);
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n;
	if (len)
		*len = n;
	return s;
}

/* Parse the records a worker sent.  A worker that died mid-record leaves
 * a truncated one: it is dropped, and its items, never done, are reported
 * as such. */
static int take_records(list *l, const cli_bytes *in)
{
	size_t off = 0;
	while (off + 8 <= in->n) {
		uint64_t total;
		memcpy(&total, in->p + off, 8);
		if (total > in->n - off - 8)
			return 0;
		const char *p = in->p + off + 8;
		size_t i = (size_t)get_u64(&p);
		if (i >= l->n)
			return -1;
		item *it = &l->v[i];
		it->done = 1;
		it->ok = (int)get_u64(&p);
		it->error = get_str(&p, NULL);
		it->ninputs = (size_t)get_u64(&p);
		it->inputs = calloc(it->ninputs + 1, sizeof(char *));
		if (!it->error || !it->inputs)
			return -1;
		for (size_t k = 0; k < it->ninputs; k++)
			if (!(it->inputs[k] = get_str(&p, NULL)))
				return -1;
		if (!(it->warnings = get_str(&p, NULL)))
			return -1;
		if (!(it->output = get_str(&p, &it->outlen)))
			return -1;
		off += 8 + (size_t)total;
	}
	return 0;
}

static int run_builds(list *l, unsigned jobs, const kr_build_options *opts,
                      int want_output)
{
	/* -j N is the threads of the whole run: what the workers leave
	 * over goes to each build's own threads (kr_build_options.threads) */
	unsigned all = jobs;
	if (jobs > l->n)
		jobs = (unsigned)l->n;
	if (jobs == 0)
		return 0;
	kr_build_options per_build = *opts;
	per_build.threads = all / jobs;
	opts = &per_build;
	pid_t *pids = calloc(jobs, sizeof(pid_t));
	int *fds = calloc(jobs, sizeof(int));
	cli_bytes *bufs = calloc(jobs, sizeof(cli_bytes));
	struct pollfd *pf = calloc(jobs, sizeof(struct pollfd));
	int rc = 0;
	if (!pids || !fds || !bufs || !pf) {
		rc = cli_fail("%s", "out of memory");
		goto out;
	}
	fflush(NULL);
	for (unsigned w = 0; w < jobs; w++) {
		int p[2];
		if (pipe(p) != 0) {
			rc = cli_fail("pipe: %s", strerror(errno));
			jobs = w;
			goto reap;
		}
		pid_t pid = fork();
		if (pid < 0) {
			close(p[0]);
			close(p[1]);
			rc = cli_fail("fork: %s", strerror(errno));
			jobs = w;
			goto reap;
		}
		if (pid == 0) {
			close(p[0]);
			for (unsigned k = 0; k < w; k++)
				close(fds[k]);
			int bad = 0;
			for (size_t i = w; i < l->n && !bad; i += jobs)
				bad = build_one(p[1], i, l->v[i].dir, opts, want_output) < 0;
			close(p[1]);
			_exit(bad ? 3 : 0);
		}
		close(p[1]);
		pids[w] = pid;
		fds[w] = p[0];
	}
	/* read every pipe until EOF; a worker blocks when its pipe is full */
	for (;;) {
		nfds_t n = 0;
		for (unsigned w = 0; w < jobs; w++)
			if (fds[w] >= 0)
				pf[n++] = (struct pollfd){ fds[w], POLLIN, 0 };
		if (n == 0)
			break;
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = cli_fail("poll: %s", strerror(errno));
			break;
		}
		for (nfds_t k = 0; k < n; k++) {
			if (!pf[k].revents)
				continue;
			unsigned w = 0;
			while (fds[w] != pf[k].fd)
				w++;
			char chunk[65536];
			ssize_t got = read(fds[w], chunk, sizeof(chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(fds[w]);
				fds[w] = -1;
			} else {
				cli_bytes_put(&bufs[w], chunk, (size_t)got);
			}
		}
	}
reap:
	for (unsigned w = 0; w < jobs; w++) {
		if (fds[w] >= 0 && pids[w])
			close(fds[w]);
		int st;
		if (pids[w] && waitpid(pids[w], &st, 0) > 0 && rc == 0 &&
		    bufs[w].failed)
			rc = cli_fail("%s", "out of memory");
		if (rc == 0 && take_records(l, &bufs[w]) < 0)
			rc = cli_fail("%s", "a worker sent a malformed result");
	}
out:
	if (bufs)
		for (unsigned w = 0; w < jobs; w++)
			free(bufs[w].p);
	free(pids);
	free(fds);
	free(bufs);
	free(pf);
	return rc;
}

/* ---- selection (--affected) ---- */

static int cmp_strp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Absolute form of a changed file: symlink-free when it exists (inputs
 * are), else its directory resolved (a deleted file). */
static char *abs_changed(const char *f)
{
	char *r = realpath(f, NULL);
	if (r)
		return r;
	const char *slash = strrchr(f, '/');
	char *dir = slash ? strndup(f, (size_t)(slash - f + (slash == f))) : strdup(".");
	if (!dir)
		return NULL;
	char *rd = realpath(dir, NULL);
	free(dir);
	if (!rd)
		return NULL;
	const char *base = slash ? slash + 1 : f;
	size_t n = strlen(rd) + strlen(base) + 2;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", strcmp(rd, "/") ? rd : "", base);
	free(rd);
	return out;
}

/* Does directory d (absolute) contain file f? */
static int under(const char *f, const char *d, size_t dn)
{
	return strncmp(f, d, dn) == 0 && f[dn] == '/';
}

static int is_affected(const item *it, char **changed, size_t nchanged)
{
	for (size_t c = 0; c < nchanged; c++)
		if (bsearch(&changed[c], it->inputs, it->ninputs, sizeof(char *),
		            cmp_strp))
			return 1;
	if (it->ok)
		return 0;
	/* a failed build read only part of its inputs: a change next to any
	 * of them (or in its own directory) may be what broke it */
	for (size_t c = 0; c < nchanged; c++) {
		if (under(changed[c], it->real, strlen(it->real)))
			return 1;
		for (size_t k = 0; k < it->ninputs; k++) {
			const char *slash = strrchr(it->inputs[k], '/');
			if (slash && under(changed[c], it->inputs[k],
			                   (size_t)(slash - it->inputs[k])))
				return 1;
		}
	}
	return 0;
}

/* ---- --rendered ---- */

/* DIR/<dir relative to the current directory>/manifests.yaml */
static char *rendered_path(const char *rendered, const char *dir)
{
	char *cwd = realpath(".", NULL);
	char *real = realpath(dir, NULL);
	char *out = NULL;
	if (cwd && real) {
		size_t cn = strlen(cwd);
		const char *rel = NULL;
		if (!strcmp(real, cwd))
			rel = "";
		else if (!strcmp(cwd, "/"))
			rel = real + 1;
		else if (under(real, cwd, cn))
			rel = real + cn + 1;
		if (rel) {
			size_t n = strlen(rendered) + strlen(rel) + sizeof(RENDERED_NAME) + 3;
			if ((out = malloc(n)))
				snprintf(out, n, "%s/%s%s%s", rendered, rel, rel[0] ? "/" : "",
				         RENDERED_NAME);
		}
	}
	free(cwd);
	free(real);
	return out;
}

static int check_rendered(const char *rendered, const item *it)
{
	char *path = rendered_path(rendered, it->dir);
	if (!path) {
		fprintf(stderr, "Error: %s: --rendered needs kustomizations below the "
		        "current directory\n", it->dir);
		return 1;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "Error: %s: no rendered manifests at %s (%s); write them "
		        "with: krender build %s > %s\n", it->dir, path, strerror(errno),
		        it->dir, path);
		free(path);
		return 1;
	}
	char *data;
	size_t len;
	int rc = cli_read_all(f, &data, &len);
	fclose(f);
	if (rc < 0) {
		fprintf(stderr, "Error: %s: %s\n", path, strerror(errno));
		free(path);
		return 1;
	}
	char *d = NULL;
	size_t dn = 0;
	rc = kr_diff_unified(data, len, it->output, it->outlen, path, "krender build",
	                     3, &d, &dn);
	free(data);
	if (rc < 0) {
		free(path);
		return cli_fail("%s", "out of memory");
	}
	if (rc == 1) {
		fprintf(stderr, "Error: %s: the rendered manifests in %s are stale; "
		        "update them with: krender build %s > %s\n", it->dir, path,
		        it->dir, path);
		cli_write_all(stderr, d, dn);
		kr_free(d);
	}
	free(path);
	return rc;
}

/* ---- the command ---- */

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

int cmd_check(int argc, char **argv)
{
	kr_build_options opts;
	if (cli_build_options(&opts))
		return 1;
	const char *rendered = NULL, *root = ".", *v;
	unsigned jobs = default_jobs();
	int affected = 0, verbose = 0;
	const char **args = calloc((size_t)argc + 1, sizeof(char *));
	size_t nargs = 0;
	if (!args)
		return cli_fail("%s", "out of memory");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_check(stdout);
			free(args);
			return 0;
		} else if (!strcmp(a, "--affected")) {
			affected = 1;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbose = 1;
		} else if (cli_opt_value(argc, argv, &i, "--jobs", &v) ||
		           cli_opt_value(argc, argv, &i, "-j", &v)) {
			char *end;
			long n = v ? strtol(v, &end, 10) : 0;
			if (!v || *end || n < 1 || n > 1024) {
				free(args);
				return cli_fail("%s", "--jobs needs a number from 1 to 1024");
			}
			jobs = (unsigned)n;
		} else if (cli_opt_value(argc, argv, &i, "--rendered", &v)) {
			if (!v) {
				free(args);
				return cli_fail("%s", "flag needs an argument: --rendered");
			}
			rendered = v;
		} else if (cli_opt_value(argc, argv, &i, "--root", &v)) {
			if (!v) {
				free(args);
				return cli_fail("%s", "flag needs an argument: --root");
			}
			root = v;
		} else if ((r = cli_build_flag(argc, argv, &i, &opts, "")) != 0) {
			if (r < 0) {
				free(args);
				return 1;
			}
		} else if (a[0] == '-' && a[1] != '\0' && strcmp(a, "--")) {
			free(args);
			return cli_fail("unknown flag: %s", a);
		} else if (strcmp(a, "--")) {
			args[nargs++] = a;
		}
	}

	list l = { 0 };
	int rc = 0;
	char **changed = NULL;
	size_t nchanged = 0;
	if (affected) {
		if (nargs == 0) /* pre-commit ran us with no matching files */
			goto done;
		changed = calloc(nargs, sizeof(char *));
		if (!changed) {
			rc = cli_fail("%s", "out of memory");
			goto done;
		}
		for (size_t i = 0; i < nargs; i++)
			if ((changed[nchanged] = abs_changed(args[i])))
				nchanged++;
		qsort(changed, nchanged, sizeof(char *), cmp_strp);
		int r = kr_find_kustomizations(root, add_item, &l);
		if (r < 0) {
			rc = cli_fail("%s: %s", root, r == KR_ENOTFOUND ? "no such directory"
			              : r == KR_EUSAGE ? "not a directory"
			              : "cannot read the directory tree");
			goto done;
		}
	} else {
		if (nargs == 0)
			args[nargs++] = ".";
		for (size_t i = 0; i < nargs; i++) {
			int r = named_file(args[i], &l);
			if (r == 0)
				r = kr_find_kustomizations(args[i], add_item, &l);
			else if (r == 1)
				r = 0;
			if (r < 0) {
				rc = cli_fail("%s: %s", args[i], r == KR_ENOTFOUND
				              ? "no such file or directory"
				              : r == KR_EUSAGE ? "not a directory"
				              : "cannot read the directory tree");
				goto done;
			}
		}
		if (l.n == 0) {
			rc = cli_fail("no kustomization found under %s%s", args[0],
			              nargs > 1 ? " and the other paths" : "");
			goto done;
		}
	}

	if ((rc = run_builds(&l, jobs, &opts, rendered != NULL)) != 0)
		goto done;
	size_t checked = 0, failed = 0;
	for (size_t i = 0; i < l.n; i++) {
		item *it = &l.v[i];
		if (!it->done) {
			fprintf(stderr, "Error: %s: the build process died\n", it->dir);
			failed++;
			continue;
		}
		if (affected && !is_affected(it, changed, nchanged))
			continue;
		checked++;
		int bad = 0;
		fputs(it->warnings, stderr);
		if (!it->ok) {
			fprintf(stderr, "Error: %s: %s\n", it->dir, it->error);
			bad = 1;
		} else if (rendered && check_rendered(rendered, it)) {
			bad = 1;
		}
		failed += (size_t)bad;
		if (!bad && verbose)
			printf("ok %s\n", it->dir);
	}
	if (failed) {
		fprintf(stderr, "%s check: %zu of %zu kustomizations failed\n",
		        cli_prog, failed, checked);
		rc = 1;
	}
done:
	for (size_t i = 0; i < l.n; i++) {
		item *it = &l.v[i];
		free(it->dir);
		free(it->real);
		free(it->error);
		free(it->warnings);
		for (size_t k = 0; k < it->ninputs && it->inputs; k++)
			free(it->inputs[k]);
		free(it->inputs);
		free(it->output);
	}
	free(l.v);
	for (size_t i = 0; i < nchanged; i++)
		free(changed[i]);
	free(changed);
	free(args);
	return rc;
}
