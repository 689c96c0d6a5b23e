/*
 * postrender.c - `krender post-render [DIR]`, a Helm post-renderer.
 *
 * Helm writes the rendered chart to our stdin and reads the manifests to
 * install from our stdout.  The stream becomes the file `all.yaml` of the
 * kustomization in DIR - in memory only (kr_build_set_stream): the user's
 * tree is never written to, two helm runs can share it, and relative
 * paths such as `../base` work because the build runs in the real
 * directory.  When the kustomization does not list all.yaml in its
 * resources, it comes first.  Helm 4 marks every object with the
 * annotation postrenderer.helm.sh/postrender-filename to map it back to
 * its template; like every annotation, it passes through unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void usage_post_render(FILE *f)
{
	fprintf(f,
	        "Helm post-renderer: read the manifests Helm rendered from stdin, make\n"
	        "them the file 'all.yaml' of the kustomization in DIR (in memory: nothing\n"
	        "is written to DIR; prepended to its resources unless it lists\n"
	        "all.yaml), build, and write the result to stdout.\n"
	        "\n"
	        "Usage:\n"
	        "  %s post-render [DIR] [flags]\n"
	        "\n"
	        "DIR defaults to the current directory.\n"
	        "\n"
	        "Flags:\n"
	        "  -h, --help                     help for post-render\n"
	        "      --load-restrictor string   as for build\n"
	        "\n"
	        "Environment: KRENDER_BUILD_OPTIONS as for build.\n"
	        "\n"
	        "Helm 3:  helm install NAME CHART --post-renderer krender \\\n"
	        "             --post-renderer-args post-render --post-renderer-args DIR\n"
	        "Helm 4:  the postrenderer/v1 plugin in contrib/helm/ (docs/helm.md)\n",
	        cli_prog);
}

int cli_read_all(FILE *f, char **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return -1;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				int e = errno;
				free(buf);
				errno = e ? e : EIO;
				return -1;
			}
			break;
		}
	}
	*data = buf;
	*len = n;
	return 0;
}

int cmd_post_render(int argc, char **argv)
{
	const char *dir = NULL;
	kr_build_options opts;
	if (cli_build_options(&opts))
		return 1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_post_render(stdout);
			return 0;
		} else if ((r = cli_build_flag(argc, argv, &i, &opts, "")) != 0) {
			if (r < 0)
				return 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_fail("unknown flag: %s", a);
		} else if (!dir) {
			dir = a;
		} else {
			return cli_fail("%s", "specify one path to a kustomization directory");
		}
	}
	if (!dir)
		dir = ".";

	char *in;
	size_t inlen;
	if (cli_read_all(stdin, &in, &inlen) < 0)
		return cli_fail("reading the manifests from stdin: %s", strerror(errno));
	kr_build *b = NULL;
	int rc = 1;
	if (kr_build_new(&b, &opts) < 0 ||
	    kr_build_set_stream(b, "all.yaml", in, inlen) < 0) {
		cli_fail("%s", "out of memory");
		goto out;
	}
	free(in);
	in = NULL;
	if (kr_build_run(b, dir) < 0) {
		cli_fail("post-render of %s: %s", dir, kr_build_error(b));
		goto out;
	}
	const char *data;
	size_t len;
	kr_build_output(b, &data, &len);
	if (cli_write_all(stdout, data, len) < 0 || fflush(stdout) != 0) {
		cli_fail("writing output: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(in);
	kr_build_free(b);
	return rc;
}
