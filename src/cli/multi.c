/*
 * multi.c - `krender build` of several overlays in one run:
 *
 *   krender build DIR DIR... [-j N] [-o OUTDIR]
 *   krender build --all [ROOT...] [-j N] [-o OUTDIR]
 *
 * --all builds every kustomization under each ROOT (default ".") and keeps
 * the "leaves": those whose kustomization file no other build under the
 * ROOT read, i.e. that are not a base (or generator/transformer source) of
 * another one.  Components are not built on their own.  The leaves are
 * found from the builds' inputs (kr_build_input), so every way one
 * kustomization can use another counts, without a second parser of
 * kustomization files.
 *
 * The builds run on -j threads (default: the number of CPUs) and share one
 * cache (kr_cache), so a base read by twenty overlays is parsed once, and
 * built once when its result can be shared (src/basecache.h).  Results are written only when all builds are done, in argument
 * (or walk) order, so the output does not depend on -j:
 *  - without -o, each overlay's stream goes to stdout after a comment line
 *    "# Source: DIR", overlays separated by "---";
 *  - with -o OUTDIR (created when missing), each overlay goes to
 *    OUTDIR/NAME.yaml, NAME being the overlay's path (relative to ROOT for
 *    --all) with its "/" turned into "_" (leading "./" and "../" dropped; a
 *    path with nothing left is named after the directory itself).  Two
 *    overlays that would get the same NAME are an error.
 * KRENDER_NO_CACHE=1 in the environment turns the cache off (to measure
 * what it brings: bench/multi); KRENDER_CACHE_STATS=1 prints the parse
 * cache's counts on stderr.
 * When any overlay fails, every failure is reported ("Error: DIR: ...")
 * and nothing is written.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct job {
	char *dir;          /* as shown and as built */
	char *rel;          /* for the -o name: relative to ROOT, or dir */
	char *kfile_real;   /* --all: realpath of the dir, "/" appended */
	int is_component;
	/* results */
	char *out;
	size_t outlen;
	char *err;
	char **inputs;      /* --all only */
	size_t ninputs;
} job;

typedef struct jobs {
	job *v;
	size_t n, cap;
} jobs;

typedef struct pool {
	jobs *l;
	const kr_build_options *opts;
	kr_cache *cache;
	int keep_inputs;
	size_t next;
	pthread_mutex_t mu;
} pool;

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		fputs("Error: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static job *push(jobs *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		job *nv = realloc(l->v, l->cap * sizeof(*nv));
		if (!nv) {
			fputs("Error: out of memory\n", stderr);
			exit(1);
		}
		l->v = nv;
	}
	job *j = &l->v[l->n++];
	memset(j, 0, sizeof(*j));
	return j;
}

static void run_one(pool *p, job *j)
{
	kr_build *b = NULL;
	if (kr_build_new(&b, p->opts) < 0 || kr_build_set_cache(b, p->cache) < 0) {
		j->err = xstrdup("out of memory");
		kr_build_free(b);
		return;
	}
	if (kr_build_run(b, j->dir) < 0) {
		j->err = xstrdup(kr_build_error(b));
	} else {
		const char *data;
		size_t len;
		kr_build_output(b, &data, &len);
		j->out = malloc(len + 1);
		if (!j->out) {
			j->err = xstrdup("out of memory");
		} else {
			memcpy(j->out, data, len);
			j->outlen = len;
		}
	}
	if (p->keep_inputs) {
		size_t n = kr_build_input_count(b);
		j->inputs = calloc(n ? n : 1, sizeof(char *));
		if (!j->inputs)
			j->err = xstrdup("out of memory");
		else
			for (size_t i = 0; i < n; i++)
				j->inputs[j->ninputs++] = xstrdup(kr_build_input(b, i));
	}
	kr_build_free(b);
}

static void *worker(void *arg)
{
	pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next;
		while (i < p->l->n && p->l->v[i].is_component)
			i++;
		p->next = i + 1;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->l->n)
			return NULL;
		run_one(p, &p->l->v[i]);
	}
}

static void run_all(jobs *l, unsigned nthreads, const kr_build_options *opts,
                    int keep_inputs)
{
	kr_cache *cache = NULL;
	/* without one (no memory, or KRENDER_NO_CACHE set for measurements
	 * in bench/multi), builds just parse */
	const char *nc = getenv("KRENDER_NO_CACHE");
	if ((!nc || !*nc) && l->n > 1)    /* one build has nothing to share */
		kr_cache_new(&cache);
	/* -j N is the threads of the whole run: N builds at once, or fewer
	 * builds each with threads of its own for its big inputs (a single
	 * overlay with -j 1 stays on one thread) */
	unsigned all = nthreads;
	if (nthreads > l->n)
		nthreads = (unsigned)(l->n ? l->n : 1);
	kr_build_options per_build = *opts;
	per_build.threads = all / nthreads;
	pool p = { l, &per_build, cache, keep_inputs, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t *th = calloc(nthreads, sizeof(*th));
	unsigned started = 0;
	/* A thread that cannot start leaves its share to the others (and to
	 * this thread). */
	/* each with the stack a build may need (musl's default is 128 KiB;
	 * a build recurses as deep as its documents nest) */
	pthread_attr_t attr;
	int attr_ok = pthread_attr_init(&attr) == 0;
	if (attr_ok)
		pthread_attr_setstacksize(&attr, (size_t)8 << 20);
	for (unsigned t = 1; th && t < nthreads; t++)
		if (pthread_create(&th[started], attr_ok ? &attr : NULL, worker, &p) == 0)
			started++;
	if (attr_ok)
		pthread_attr_destroy(&attr);
	worker(&p);
	for (unsigned t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	free(th);
	if (getenv("KRENDER_CACHE_STATS") && cache) {
		size_t e, h, m;
		kr_cache_stats(cache, &e, &h, &m);
		fprintf(stderr, "cache: %zu entries, %zu hits, %zu misses\n", e, h, m);
	}
	kr_cache_free(cache);
}

/* --all: record every kustomization of the walk. */
struct walk_ctx {
	jobs *l;
	const char *root;
};

static int on_kustomization(void *payload, const char *dir, const char *kind)
{
	struct walk_ctx *w = payload;
	job *j = push(w->l);
	j->dir = xstrdup(dir);
	size_t rn = strlen(w->root);
	const char *rel = dir + rn;
	while (*rel == '/')
		rel++;
	j->rel = xstrdup(*rel ? rel : ".");
	j->is_component = !strcmp(kind, "Component");
	char real[PATH_MAX];
	if (realpath(dir, real)) {
		size_t n = strlen(real);
		j->kfile_real = malloc(n + 2);
		if (j->kfile_real) {
			memcpy(j->kfile_real, real, n);
			memcpy(j->kfile_real + n, "/", 2);
		}
	}
	return 0;
}

/* Whether a build other than `self` read the kustomization file of job
 * `k` (its directory's "kustomization.yaml", ".yml" or "Kustomization":
 * a path in that directory with no further "/"). */
static int used_by_other(const jobs *l, size_t k)
{
	const char *pre = l->v[k].kfile_real;
	if (!pre)
		return 0;
	size_t pn = strlen(pre);
	static const char *const names[] = {
		"kustomization.yaml", "kustomization.yml", "Kustomization"
	};
	for (size_t o = 0; o < l->n; o++) {
		const job *j = &l->v[o];
		if (o == k || j->is_component)
			continue;
		for (size_t i = 0; i < j->ninputs; i++) {
			const char *in = j->inputs[i];
			if (strncmp(in, pre, pn))
				continue;
			for (size_t m = 0; m < 3; m++)
				if (!strcmp(in + pn, names[m]))
					return 1;
		}
	}
	return 0;
}

/* The -o file name of an overlay (see the top of the file). */
static char *out_name(const job *j)
{
	const char *p = j->rel;
	char buf[PATH_MAX + 8];
	size_t w = 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int skip = n == 0 || (n == 1 && p[0] == '.') ||
		           (n == 2 && p[0] == '.' && p[1] == '.' && w == 0);
		if (!skip && w + n + 2 < PATH_MAX) {
			if (w)
				buf[w++] = '_';
			memcpy(buf + w, p, n);
			w += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	buf[w] = '\0';
	if (w == 0) {
		char real[PATH_MAX];
		const char *base = "root";
		if (realpath(j->dir, real)) {
			const char *s = strrchr(real, '/');
			if (s && s[1])
				base = s + 1;
		}
		snprintf(buf, sizeof(buf), "%s", base);
	}
	size_t n = strlen(buf);
	char *r = malloc(n + 6);
	if (!r) {
		fputs("Error: out of memory\n", stderr);
		exit(1);
	}
	memcpy(r, buf, n);
	memcpy(r + n, ".yaml", 6);
	return r;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_results(jobs *l, const char *outdir)
{
	if (!outdir) {
		int first = 1;
		for (size_t i = 0; i < l->n; i++) {
			job *j = &l->v[i];
			if (j->is_component)
				continue;
			if (!first)
				fputs("---\n", stdout);
			first = 0;
			printf("# Source: %s\n", j->dir);
			cli_write_all(stdout, j->out, j->outlen);
		}
		if (fflush(stdout) != 0 || ferror(stdout))
			return cli_fail("writing output: %s", strerror(errno));
		return 0;
	}
	/* Names first, so that a clash writes nothing. */
	char **names = calloc(l->n ? l->n : 1, sizeof(char *));
	char **sorted = calloc(l->n ? l->n : 1, sizeof(char *));
	size_t k = 0;
	int rc = 0;
	if (!names || !sorted)
		rc = cli_fail("%s", "out of memory");
	for (size_t i = 0; !rc && i < l->n; i++)
		if (!l->v[i].is_component)
			sorted[k++] = names[i] = out_name(&l->v[i]);
	if (!rc && k > 1) {
		qsort(sorted, k, sizeof(char *), cmp_strp);
		for (size_t i = 1; i < k; i++)
			if (!strcmp(sorted[i], sorted[i - 1])) {
				rc = cli_fail("two overlays would be written to %s/%s; build "
				              "them in separate runs", outdir, sorted[i]);
				break;
			}
	}
	if (!rc) {
		struct stat st;
		if (stat(outdir, &st) != 0) {
			if (mkdir(outdir, 0777) != 0)
				rc = cli_fail("%s: %s", outdir, strerror(errno));
		} else if (!S_ISDIR(st.st_mode)) {
			rc = cli_fail("%s: -o must name a directory when building "
			              "several overlays", outdir);
		}
	}
	/* Every file as a temporary first, renamed into place only when all
	 * were written (output.c): a failure leaves OUTDIR as it was. */
	const char **data = NULL;
	size_t *lens = NULL;
	if (!rc && (!(data = calloc(k ? k : 1, sizeof(*data))) ||
	            !(lens = calloc(k ? k : 1, sizeof(*lens)))))
		rc = cli_fail("%s", "out of memory");
	size_t m = 0;
	for (size_t i = 0; !rc && i < l->n; i++) {
		if (l->v[i].is_component)
			continue;
		sorted[m] = names[i];
		data[m] = l->v[i].out;
		lens[m++] = l->v[i].outlen;
	}
	if (!rc)
		rc = cli_output_files(outdir, m, (const char *const *)sorted, data, lens);
	free(data);
	free(lens);
	for (size_t i = 0; names && i < l->n; i++)
		free(names[i]);
	free(names);
	free(sorted);
	return rc;
}

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)(n > 1024 ? 1024 : n) : 1;
}

/* Skip a flag at argv[*i] (and its value): -o/-j here, the build flags
 * as cli_build_flag knows them.  1 when argv[*i] was a flag. */
static int skip_flag(int argc, char **argv, int *i)
{
	const char *v;
	if (cli_opt_value(argc, argv, i, "-o", &v) ||
	    cli_opt_value(argc, argv, i, "--output", &v) ||
	    cli_opt_value(argc, argv, i, "--jobs", &v))
		return 1;
	return cli_build_flag_skip(argc, argv, i);
}

int cli_build_is_multi(int argc, char **argv)
{
	int pos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 0; /* the help of build */
		if (!strcmp(a, "--all") || !strncmp(a, "-j", 2) ||
		    !strncmp(a, "--jobs", 6))
			return 1;
		if (!skip_flag(argc, argv, &i) && (a[0] != '-' || a[1] == '\0'))
			pos++;
	}
	return pos > 1;
}

void usage_build_multi(FILE *f)
{
	fprintf(f,
	        "\n"
	        "Several overlays in one run:\n"
	        "  %s build DIR DIR... [-j N] [-o OUTDIR] [flags]\n"
	        "  %s build --all [ROOT...] [-j N] [-o OUTDIR] [flags]\n"
	        "      --all                      build every kustomization under ROOT\n"
	        "                                 (default .) that no other one there uses\n"
	        "                                 as a base; components are skipped\n"
	        "  -j, --jobs N                   use at most N threads (default: the\n"
	        "                                 number of CPUs): builds run in parallel,\n"
	        "                                 and a big build parses its files and\n"
	        "                                 writes its output on its share of them;\n"
	        "                                 the output does not depend on N; parsed\n"
	        "                                 files are shared\n"
	        "  -o, --output OUTDIR            one file per overlay, OUTDIR/NAME.yaml:\n"
	        "                                 NAME is the overlay's path (relative to\n"
	        "                                 ROOT with --all) with '/' turned into '_';\n"
	        "                                 without -o each overlay's stream goes to\n"
	        "                                 stdout after a line \"# Source: DIR\",\n"
	        "                                 overlays separated by \"---\"\n"
	        "  When an overlay fails, all failures are reported and nothing is written.\n",
	        cli_prog, cli_prog);
}

static void free_jobs(jobs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		job *j = &l->v[i];
		free(j->dir);
		free(j->rel);
		free(j->kfile_real);
		free(j->out);
		free(j->err);
		for (size_t k = 0; k < j->ninputs; k++)
			free(j->inputs[k]);
		free(j->inputs);
	}
	free(l->v);
}

int cmd_build_multi(int argc, char **argv)
{
	const char *outdir = NULL, *v;
	unsigned nthreads = default_jobs();
	int all = 0;
	kr_build_options opts;
	if (cli_build_options(&opts))
		return 1;
	char **paths = calloc((size_t)argc + 1, sizeof(char *));
	size_t npaths = 0;
	if (!paths)
		return cli_fail("%s", "out of memory");
	int rc = 0;
	for (int i = 0; i < argc && !rc; i++) {
		const char *a = argv[i];
		int r;
		if (!strcmp(a, "--all")) {
			all = 1;
		} else if ((r = cli_build_flag(argc, argv, &i, &opts, "")) != 0) {
			if (r < 0)
				rc = 1;
		} else if (cli_opt_value(argc, argv, &i, "--output", &v) ||
		           cli_opt_value(argc, argv, &i, "-o", &v)) {
			if (!v)
				rc = cli_fail("%s", "flag needs an argument: --output");
			outdir = v;
		} else if (cli_opt_value(argc, argv, &i, "--jobs", &v) ||
		           cli_opt_value(argc, argv, &i, "-j", &v)) {
			char *end;
			long n = v ? strtol(v, &end, 10) : 0;
			if (!v || *end || n < 1 || n > 1024)
				rc = cli_fail("%s", "--jobs needs a number from 1 to 1024");
			nthreads = (unsigned)n;
		} else if (a[0] == '-' && a[1] != '\0') {
			rc = cli_fail("unknown flag: %s", a);
		} else {
			paths[npaths++] = argv[i];
		}
	}
	if (!rc && npaths == 0 && !all)
		rc = cli_fail("%s", "specify a kustomization directory");
	if (rc) {
		free(paths);
		return rc;
	}
	if (all && npaths == 0)
		paths[npaths++] = ".";

	jobs l = { 0 };
	for (size_t p = 0; p < npaths && !rc; p++) {
		if (all) {
			struct walk_ctx w = { &l, paths[p] };
			int r = kr_find_kustomizations(paths[p], on_kustomization, &w);
			if (r == KR_ENOTFOUND)
				rc = cli_fail("%s: no such directory", paths[p]);
			else if (r == KR_EUSAGE)
				rc = cli_fail("%s: not a directory", paths[p]);
			else if (r < 0)
				rc = cli_fail("%s: cannot walk the tree", paths[p]);
		} else {
			job *j = push(&l);
			j->dir = xstrdup(paths[p]);
			j->rel = xstrdup(paths[p]);
		}
	}
	free(paths);
	if (!rc) {
		run_all(&l, nthreads, &opts, all);
		if (all) {
			/* Bases and the like are not outputs (nor their errors). */
			char *used = calloc(l.n ? l.n : 1, 1);
			if (!used)
				rc = cli_fail("%s", "out of memory");
			for (size_t i = 0; !rc && i < l.n; i++)
				used[i] = !l.v[i].is_component && used_by_other(&l, i);
			for (size_t i = 0; !rc && i < l.n; i++)
				if (used[i])
					l.v[i].is_component = 1; /* i.e. skipped from here on */
			free(used);
		}
	}
	for (size_t i = 0; !rc && i < l.n; i++)
		if (!l.v[i].is_component && l.v[i].err) {
			for (size_t k = i; k < l.n; k++)
				if (!l.v[k].is_component && l.v[k].err)
					fprintf(stderr, "Error: %s: %s\n", l.v[k].dir, l.v[k].err);
			rc = 1;
		}
	if (!rc)
		rc = write_results(&l, outdir);
	free_jobs(&l);
	return rc;
}
