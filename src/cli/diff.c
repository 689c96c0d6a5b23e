/*
 * diff.c - `krender diff A B`: build two kustomization directories and
 * print a unified diff per resource, resources matched by id
 * (group/version/kind/namespace/name).  A resource only in A is shown as
 * removed (+++ /dev/null), one only in B as added (--- /dev/null); A's
 * resources come first in A's output order, then B's new ones in B's.
 * Exit status as diff(1): 0 identical, 1 different, 2 trouble (then
 * nothing on stdout).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void usage_diff(FILE *f)
{
	fprintf(f,
	        "Build the kustomizations in directories A and B and print a unified\n"
	        "diff of each resource that differs, resources matched by\n"
	        "group/version/kind/namespace/name; resources on one side only show as\n"
	        "added or removed.  Exit status: 0 same output, 1 different, 2 error.\n"
	        "\n"
	        "Usage:\n"
	        "  %s diff [flags] A B\n"
	        "\n"
	        "Flags:\n"
	        "  -h, --help                     help for diff\n"
	        "  -U, --unified int              lines of context (default 3)\n"
	        "      --load-restrictor string   as for build (both sides)\n"
	        "\n"
	        "Environment: KRENDER_BUILD_OPTIONS as for build.\n",
	        cli_prog);
}

typedef struct side {
	kr_build *b;
	size_t n;
	char **keys;     /* match keys, fields joined by \x1f */
	char **labels;   /* shown in the diff headers */
	size_t *order;   /* indexes sorted by key */
} side;

static const char *const *sort_keys; /* for cmp_index */

static int cmp_index(const void *x, const void *y)
{
	return strcmp(sort_keys[*(const size_t *)x], sort_keys[*(const size_t *)y]);
}

static char *fmt_id(const kr_resource_id *id, int key)
{
	const char *sep = key ? "\x1f" : "/";
	size_t n = strlen(id->group) + strlen(id->version) + strlen(id->kind) +
	           strlen(id->ns) + strlen(id->name) + 8;
	char *s = malloc(n);
	if (!s)
		return NULL;
	if (key)
		snprintf(s, n, "%s%s%s%s%s%s%s%s%s", id->group, sep, id->version, sep,
		         id->kind, sep, id->ns, sep, id->name);
	else /* apps/v1/Deployment/prod/web; v1/Namespace/web */
		snprintf(s, n, "%s%s%s/%s/%s%s%s", id->group, id->group[0] ? "/" : "",
		         id->version, id->kind, id->ns, id->ns[0] ? "/" : "", id->name);
	return s;
}

static int load_side(side *s, const char *dir, const kr_build_options *opts)
{
	memset(s, 0, sizeof(*s));
	if (kr_build_new(&s->b, opts) < 0)
		return cli_fail("%s", "out of memory");
	if (kr_build_run(s->b, dir) < 0)
		return cli_fail("%s: %s", dir, kr_build_error(s->b));
	s->n = kr_build_resource_count(s->b);
	s->keys = calloc(s->n + 1, sizeof(char *));
	s->labels = calloc(s->n + 1, sizeof(char *));
	s->order = calloc(s->n + 1, sizeof(size_t));
	if (!s->keys || !s->labels || !s->order)
		return cli_fail("%s", "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		kr_resource_id id;
		kr_build_resource_id(s->b, i, &id);
		s->keys[i] = fmt_id(&id, 1);
		s->labels[i] = fmt_id(&id, 0);
		if (!s->keys[i] || !s->labels[i])
			return cli_fail("%s", "out of memory");
		s->order[i] = i;
	}
	sort_keys = (const char *const *)s->keys;
	qsort(s->order, s->n, sizeof(size_t), cmp_index);
	return 0;
}

static void free_side(side *s)
{
	for (size_t i = 0; s->keys && i < s->n; i++) {
		free(s->keys[i]);
		free(s->labels[i]);
	}
	free(s->keys);
	free(s->labels);
	free(s->order);
	kr_build_free(s->b);
}

/* Index of `key` in s, or (size_t)-1. */
static size_t find(const side *s, const char *key)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->keys[s->order[mid]], key);
		if (c == 0)
			return s->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

/* Append a diff of x (or nothing) against y (or nothing) to out. */
static int add_diff(FILE *out, const char *xl, const char *x, size_t xn,
                    const char *yl, const char *y, size_t yn, unsigned ctx,
                    int *differ)
{
	char *d = NULL;
	size_t dn = 0;
	int rc = kr_diff_unified(x, xn, y, yn, xl, yl, ctx, &d, &dn);
	if (rc < 0)
		return cli_fail("%s", "out of memory");
	if (rc == 1) {
		*differ = 1;
		if (cli_write_all(out, d, dn) < 0) {
			kr_free(d);
			return cli_fail("%s", "out of memory");
		}
	}
	kr_free(d);
	return 0;
}

static int run_diff(side *a, side *b, unsigned ctx, FILE *out, int *differ)
{
	char *used = calloc(b->n + 1, 1);
	if (!used)
		return cli_fail("%s", "out of memory");
	int rc = 0;
	char la[4096], lb[4096];
	for (size_t i = 0; i < a->n && !rc; i++) {
		const char *ya, *yb;
		size_t na, nb;
		kr_build_resource(a->b, i, &ya, &na, NULL);
		size_t j = find(b, a->keys[i]);
		snprintf(la, sizeof(la), "a/%s", a->labels[i]);
		if (j == (size_t)-1) {
			rc = add_diff(out, la, ya, na, "/dev/null", "", 0, ctx, differ);
			continue;
		}
		used[j] = 1;
		kr_build_resource(b->b, j, &yb, &nb, NULL);
		snprintf(lb, sizeof(lb), "b/%s", b->labels[j]);
		rc = add_diff(out, la, ya, na, lb, yb, nb, ctx, differ);
	}
	for (size_t j = 0; j < b->n && !rc; j++) {
		if (used[j])
			continue;
		const char *yb;
		size_t nb;
		kr_build_resource(b->b, j, &yb, &nb, NULL);
		snprintf(lb, sizeof(lb), "b/%s", b->labels[j]);
		rc = add_diff(out, "/dev/null", "", 0, lb, yb, nb, ctx, differ);
	}
	free(used);
	return rc;
}

int cmd_diff(int argc, char **argv)
{
	const char *dirs[2] = { NULL, NULL }, *v;
	int ndirs = 0;
	unsigned ctx = 3;
	kr_build_options opts;
	if (cli_build_options(&opts))
		return 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_diff(stdout);
			return 0;
		} else if (cli_opt_value(argc, argv, &i, "--unified", &v) ||
		           cli_opt_value(argc, argv, &i, "-U", &v)) {
			char *end;
			long n = v ? strtol(v, &end, 10) : -1;
			if (!v || *end || n < 0 || n > 100000) {
				cli_fail("%s", "--unified needs a number of lines");
				return 2;
			}
			ctx = (unsigned)n;
		} else if ((r = cli_build_flag(argc, argv, &i, &opts, "")) != 0) {
			if (r < 0)
				return 2;
		} else if (a[0] == '-' && a[1] != '\0') {
			cli_fail("unknown flag: %s", a);
			return 2;
		} else if (ndirs < 2) {
			dirs[ndirs++] = a;
		} else {
			cli_fail("%s", "diff takes two kustomization directories");
			return 2;
		}
	}
	if (ndirs != 2) {
		cli_fail("%s", "diff takes two kustomization directories: A B");
		return 2;
	}
	side a = { 0 }, b = { 0 };
	int rc = 2, differ = 0;
	/* the diff goes to memory first: on error nothing reaches stdout */
	char *text = NULL;
	size_t len = 0;
	FILE *mem = NULL;
	if (load_side(&a, dirs[0], &opts) || load_side(&b, dirs[1], &opts))
		goto out;
	if (!(mem = open_memstream(&text, &len))) {
		cli_fail("%s", strerror(errno));
		goto out;
	}
	if (run_diff(&a, &b, ctx, mem, &differ))
		goto out;
	if (fclose(mem) != 0) {
		mem = NULL;
		cli_fail("%s", "out of memory");
		goto out;
	}
	mem = NULL;
	if (cli_write_all(stdout, text, len) < 0 || fflush(stdout) != 0) {
		cli_fail("writing output: %s", strerror(errno));
		goto out;
	}
	rc = differ ? 1 : 0;
out:
	if (mem)
		fclose(mem);
	free(text);
	free_side(&a);
	if (b.b || b.keys)
		free_side(&b);
	return rc;
}
