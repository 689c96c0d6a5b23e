/*
 * main.c - the krender command-line tool.  It uses only the public API
 * (krender.h).
 *
 *   krender build [DIR] [-o PATH] [--load-restrictor MODE]
 *   krender post-render [DIR]          (postrender.c)
 *   krender check [-j N] [--rendered DIR] [PATH...|--affected FILE...]
 *                                      (check.c)
 *   krender diff A B                   (diff.c)
 *   krender version [--short]
 *
 * Invoked through a link named "kustomize", it answers kustomize's own
 * command names, so that tools that run `kustomize build` can use it.
 * On success the rendered stream goes to stdout and the exit status is 0.
 * On any error nothing is written to stdout, "Error: ..." goes to stderr and
 * the exit status is 1.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "edit.h"

const char *cli_prog = "krender";
#define prog cli_prog
static int as_kustomize;

static void warn_line(void *payload, const char *line)
{
	(void)payload;
	fprintf(stderr, "%s\n", line);
}

#define fail cli_fail

/* Set while cli_build_flag_skip asks cli_build_flag about a word. */
static int quiet;

int cli_fail(const char *fmt, ...)
{
	if (quiet)
		return 1;
	va_list ap;
	va_start(ap, fmt);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static void usage_build(FILE *f)
{
	fprintf(f,
	        "Build a set of KRM resources using a 'kustomization.yaml' file.\n"
	        "The DIR argument must be a path to a directory containing\n"
	        "'kustomization.yaml', or a directory with one of the other\n"
	        "recognised kustomization file names. Default: the current directory.\n"
	        "\n"
	        "Usage:\n"
	        "  %s build [DIR] [flags]\n"
	        "\n"
	        "Flags:\n"
	        "  -h, --help                     help for build\n"
	        "      --load-restrictor string   if set to 'LoadRestrictionsNone', local\n"
	        "                                 kustomizations may load files from outside\n"
	        "                                 their root (default \"LoadRestrictionsRootOnly\")\n"
	        "      --remote-cache string      remote bases: 'on' reuses cached checkouts\n"
	        "                                 (branches re-resolved with git ls-remote),\n"
	        "                                 'refresh' re-resolves every ref, 'off' keeps\n"
	        "                                 nothing (default \"on\"; cache in\n"
	        "                                 $XDG_CACHE_HOME/krender/git)\n"
	        "      --remote-timeout duration  timeout of each git command fetching a\n"
	        "                                 remote base, unless its URL has ?timeout=,\n"
	        "                                 and of the GET of an http(s) file\n"
	        "                                 (default 27s)\n"
	        "      --max-file-size bytes      limits (k, m, g: times 1024); a build that\n"
	        "                                 hits one fails naming the file, the limit\n"
	        "                                 and its flag. Bytes of one file (default 64m)\n"
	        "      --max-documents n          YAML documents in one file (100000)\n"
	        "      --max-resources n          resources read by one build (250000)\n"
	        "      --max-alias-nodes n        nodes made by YAML aliases in a file (1000000)\n"
	        "      --max-depth n              nesting of a YAML document (1000)\n"
	        "      --max-kustomization-depth n  nesting of kustomizations (100)\n"
	        "  -o, --output string            if specified, write output to this path:\n"
	        "                                 an existing directory gets one file per\n"
	        "                                 resource, anything else one file\n"
	        "      --enable-alpha-plugins     run exec plugins and KRM functions named by\n"
	        "                                 generators/transformers/validators configs\n"
	        "                                 (never for untrusted kustomizations)\n"
	        "      --enable-exec              with --enable-alpha-plugins, also run KRM\n"
	        "                                 functions declared exec: {path: ...}\n"
	        "      --plugin-timeout seconds   kill a plugin that runs longer (default 300)\n"
	        "      --enable-helm              inflate helmCharts by running helm 3 (never\n"
	        "                                 for untrusted kustomizations)\n"
	        "      --helm-command string      helm command (path to executable) (default\n"
	        "                                 \"helm\")\n"
	        "      --helm-api-versions string Kubernetes api versions used by Helm for\n"
	        "                                 Capabilities.APIVersions (repeatable)\n"
	        "      --helm-kube-version string Kubernetes version used by Helm for\n"
	        "                                 Capabilities.KubeVersion\n"
	        "      --helm-debug               pass --debug to helm template\n"
	        "\n"
	        "Environment:\n"
	        "  KRENDER_BUILD_OPTIONS, ARGOCD_ENV_KRENDER_BUILD_OPTIONS\n"
	        "                                 more build flags, separated by blanks, read\n"
	        "                                 before those of the command line (an Argo CD\n"
	        "                                 plugin's env entry KRENDER_BUILD_OPTIONS)\n",
	        prog);
	usage_build_multi(f);
}

static void usage_main(FILE *f)
{
	fprintf(f,
	        "%s renders Kubernetes manifests from kustomization trees,\n"
	        "byte-for-byte as kustomize %s does.\n"
	        "\n"
	        "Usage:\n"
	        "  %s [command]\n"
	        "\n"
	        "Available Commands:\n"
	        "  build        Build a kustomization target from a directory\n"
	        "               [DIR] [-o|--output PATH] [--load-restrictor MODE]\n"
	        "               [--enable-alpha-plugins] [--enable-exec] [--plugin-timeout S]\n"
	        "               [--enable-helm] [--helm-debug]\n"
	        "               [--helm-command X] [--helm-kube-version X] [--helm-api-versions X]\n"
	        "  post-render  Helm post-renderer: stdin becomes DIR/all.yaml, build DIR\n"
	        "               [DIR] [--load-restrictor MODE]\n"
	        "  check        Build every kustomization under the paths, report failures\n"
	        "               [-j|--jobs N] [-v|--verbose] [--rendered DIR] [--load-restrictor MODE]\n"
	        "               [PATH...] | [--root DIR] --affected FILE...\n"
	        "  diff         Per-resource unified diff of two kustomization builds\n"
	        "               [-U|--unified N] [--load-restrictor MODE] A B\n"
	        "  serve        Serve builds on a Unix socket, caches kept between them\n"
	        "               [--idle-timeout S] [-v] SOCKET (clients: KRENDER_SERVER=SOCKET)\n"
	        "  edit         Edit the kustomization file in the current directory\n"
	        "               set image|replicas|nameprefix|namesuffix|namespace, add label|annotation|resource|component|patch\n"
	        "  help         Help about any command\n"
	        "  version      Print the version\n"
	        "               [--short]\n"
	        "\n"
	        "Flags:\n"
	        "  -h, --help   help for %s\n"
	        "      --version\n"
	        "               print the version\n"
	        "\n"
	        "Invoked through a link named \"kustomize\", %s answers as kustomize\n"
	        "(\"kustomize version --short\", \"kustomize build DIR\").\n"
	        "See %s(1) and the documents in docs/ for the Argo CD, Helm and\n"
	        "pre-commit integrations.\n"
	        "\n"
	        "Use \"%s [command] --help\" for more information about a command.\n",
	        prog, kr_kustomize_version(), prog, prog, prog, "krender", prog);
}

#define write_all cli_write_all

int cli_write_all(FILE *f, const char *data, size_t len)
{
	if (len && fwrite(data, 1, len, f) != len)
		return -1;
	return 0;
}

#define opt_value cli_opt_value

int cli_opt_value(int argc, char **argv, int *i, const char *name,
                  const char **value)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0') {
		/* a short flag takes its value attached, as with cobra: -j4 */
		if (n == 2 && name[0] == '-' && name[1] != '-') {
			*value = a + n;
			return 1;
		}
		return 0;
	}
	if (*i + 1 >= argc) {
		*value = NULL;
		return 1;
	}
	*value = argv[++*i];
	return 1;
}

/* A boolean flag as cobra reads it: --name, --name=true|false. */
static int bool_flag(const char *a, const char *name, int *dst)
{
	size_t n = strlen(name);
	if (strncmp(a, name, n))
		return 0;
	if (!a[n])
		*dst = 1;
	else if (!strcmp(a + n, "=true") || !strcmp(a + n, "=1"))
		*dst = 1;
	else if (!strcmp(a + n, "=false") || !strcmp(a + n, "=0"))
		*dst = 0;
	else
		return 0;
	return 1;
}
/* Flag values kept for the whole run: values from the environment are
 * parsed from a copy that is freed.  The blocks stay reachable from this
 * table until the process exits (the flags are few). */
static void *kept[128];
static size_t nkept;

static void *keep_block(void *p)
{
	if (!p || nkept == sizeof kept / sizeof kept[0]) {
		free(p);
		return NULL;
	}
	return kept[nkept++] = p;
}

static const char *keep(const char *v)
{
	return keep_block(strdup(v));
}

/* --helm-api-versions may be given many times (cobra's StringArray). */
static int add_api_version(kr_build_options *opts, const char *v)
{
	size_t n = 0;
	while (opts->helm_api_versions && opts->helm_api_versions[n])
		n++;
	const char **a = keep_block(malloc((n + 2) * sizeof(*a)));
	const char *copy = keep(v);
	if (!a || !copy)
		return -1;
	for (size_t i = 0; i < n; i++)
		a[i] = opts->helm_api_versions[i];
	a[n] = copy;
	a[n + 1] = NULL;
	opts->helm_api_versions = a;
	return 0;
}

/* --remote-timeout: whole seconds, or one number with a unit (ms, s, m,
 * h) as in a URL's ?timeout=; -1 when it does not parse. */
static long remote_timeout_ms(const char *v)
{
	char *end;
	double n = strtod(v, &end);
	if (end == v || n <= 0)
		return -1;
	double scale = !strcmp(end, "") || !strcmp(end, "s") ? 1000
	               : !strcmp(end, "ms") ? 1 : !strcmp(end, "m") ? 60000
	               : !strcmp(end, "h") ? 3600000 : -1;
	if (scale < 0 || n * scale > 1e12)
		return -1;
	return n * scale < 1 ? 1 : (long)(n * scale);
}

/* A limit's value: a positive whole number, optionally with a binary
 * suffix (k, m, g: 1024, 1024^2, 1024^3); 0 when it does not parse or is
 * above `max`. */
static unsigned long long limit_value(const char *v, unsigned long long max)
{
	if (!v || *v < '0' || *v > '9')
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	unsigned shift = 0;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	if (shift)
		end++;
	if (errno || *end || n > (max >> shift))
		return 0;
	return n << shift;
}

/* The limit flags (kr_build_options; README, docs/testing.md): each
 * names its field and whether it is an unsigned int (else a size_t). */
static int limit_flag(int argc, char **argv, int *i, kr_build_options *opts,
                      const char *where)
{
	static const struct {
		const char *flag;
		size_t off;
		int is_uint;
	} lim[] = {
		{ "--max-file-size", offsetof(kr_build_options, max_file_size), 0 },
		{ "--max-documents", offsetof(kr_build_options, max_documents), 0 },
		{ "--max-resources", offsetof(kr_build_options, max_resources), 0 },
		{ "--max-alias-nodes", offsetof(kr_build_options, max_alias_nodes), 0 },
		{ "--max-depth", offsetof(kr_build_options, max_depth), 1 },
		{ "--max-kustomization-depth",
		  offsetof(kr_build_options, max_kustomization_depth), 1 },
	};
	for (size_t k = 0; k < sizeof lim / sizeof lim[0]; k++) {
		const char *v;
		if (!opt_value(argc, argv, i, lim[k].flag, &v))
			continue;
		unsigned long long max = lim[k].is_uint ? UINT_MAX : SIZE_MAX;
		unsigned long long n = limit_value(v, max);
		if (!n) {
			fail("%sillegal flag value %s %s; expected a positive number "
			     "(suffixes k, m, g multiply by 1024)", where, lim[k].flag,
			     v ? v : "");
			return -1;
		}
		char *dst = (char *)opts + lim[k].off;
		if (lim[k].is_uint) {
			unsigned u = (unsigned)n;
			memcpy(dst, &u, sizeof u);
		} else {
			size_t z = (size_t)n;
			memcpy(dst, &z, sizeof z);
		}
		return 1;
	}
	return 0;
}

int cli_build_flag(int argc, char **argv, int *i, kr_build_options *opts,
                   const char *where)
{
	const char *v;
	const char *a = argv[*i];
	int r = limit_flag(argc, argv, i, opts, where);
	if (r)
		return r;
	if (opt_value(argc, argv, i, "--load-restrictor", &v)) {
		if (!v) {
			fail("%sflag needs an argument: --load-restrictor", where);
			return -1;
		}
		if (!strcmp(v, "LoadRestrictionsNone") || !strcmp(v, "none"))
			opts->load_restrictor = KR_LOAD_NONE;
		else if (!strcmp(v, "LoadRestrictionsRootOnly") || !strcmp(v, "rootOnly"))
			opts->load_restrictor = KR_LOAD_ROOT_ONLY;
		else {
			fail("%sillegal flag value --load-restrictor %s; legal values: "
			     "LoadRestrictionsRootOnly, LoadRestrictionsNone", where, v);
			return -1;
		}
		return 1;
	}
	if (bool_flag(a, "--enable-alpha-plugins", &opts->enable_alpha_plugins) ||
	    bool_flag(a, "--enable-exec", &opts->enable_exec))
		return 1;
	if (opt_value(argc, argv, i, "--plugin-timeout", &v)) {
		char *end;
		unsigned long t = v ? strtoul(v, &end, 10) : 0;
		if (!v || !*v || *end || t == 0 || t > 86400) {
			fail("%s--plugin-timeout needs a number of seconds (1 to 86400)", where);
			return -1;
		}
		opts->plugin_timeout = (unsigned int)t;
		return 1;
	}
	if (opt_value(argc, argv, i, "--remote-timeout", &v)) {
		long ms = v ? remote_timeout_ms(v) : -1;
		if (ms <= 0) {
			fail("%sillegal flag value --remote-timeout %s; expected seconds "
			     "(27) or a duration (27s, 500ms, 2m)", where, v ? v : "");
			return -1;
		}
		opts->remote_timeout_ms = ms;
		return 1;
	}
	if (opt_value(argc, argv, i, "--remote-cache", &v)) {
		if (v && !strcmp(v, "on"))
			opts->remote_cache = KR_REMOTE_CACHE_ON;
		else if (v && !strcmp(v, "refresh"))
			opts->remote_cache = KR_REMOTE_CACHE_REFRESH;
		else if (v && !strcmp(v, "off"))
			opts->remote_cache = KR_REMOTE_CACHE_OFF;
		else {
			fail("%sillegal flag value --remote-cache %s; legal values: on, "
			     "refresh, off", where, v ? v : "");
			return -1;
		}
		return 1;
	}
	if (bool_flag(a, "--enable-helm", &opts->enable_helm) ||
	    bool_flag(a, "--helm-debug", &opts->helm_debug))
		return 1;
	static const char *const helm_flags[] = {
		"--helm-command", "--helm-kube-version", "--helm-api-versions", NULL
	};
	for (int k = 0; helm_flags[k]; k++)
		if (opt_value(argc, argv, i, helm_flags[k], &v)) {
			if (!v) {
				fail("%sflag needs an argument: %s", where, helm_flags[k]);
				return -1;
			}
			int bad = k == 2 ? add_api_version(opts, v)
			          : !(*(k ? &opts->helm_kube_version : &opts->helm_command) = keep(v));
			if (bad) {
				fail("%s", "out of memory (or too many helm flags)");
				return -1;
			}
			return 1;
		}
	return 0;
}

int cli_build_flag_skip(int argc, char **argv, int *i)
{
	kr_build_options scratch = KR_BUILD_OPTIONS_INIT;
	quiet = 1;
	int r = cli_build_flag(argc, argv, i, &scratch, "");
	quiet = 0;
	return r != 0;
}

/* The flags of one environment variable, split at blanks (no quoting:
 * none of the accepted values holds a blank). */
static int env_build_flags(const char *var, kr_build_options *opts)
{
	const char *val = getenv(var);
	if (!val || !*val)
		return 0;
	char *copy = strdup(val);
	char *words[64];
	int n = 0;
	if (!copy)
		return fail("%s", "out of memory");
	for (char *t = strtok(copy, " \t\n"); t; t = strtok(NULL, " \t\n")) {
		if (n == 64) {
			free(copy);
			return fail("%s: too many words", var);
		}
		words[n++] = t;
	}
	char where[128];
	snprintf(where, sizeof(where), "%s: ", var);
	int rc = 0;
	/* Argo CD fills ARGOCD_ENV_* from the Application, which its authors
	 * write: the flags that make krender run programs named by the
	 * repository are for the plugin's own environment (the sidecar's
	 * KRENDER_BUILD_OPTIONS, set by whoever runs Argo CD), as Argo CD keeps
	 * --enable-helm in argocd-cm rather than in Applications. */
	static const char *const runs_programs[] = {
		"--enable-alpha-plugins", "--enable-exec", "--enable-helm", "--helm-command", NULL
	};
	int from_app = !strcmp(var, "ARGOCD_ENV_KRENDER_BUILD_OPTIONS");
	for (int i = 0; from_app && i < n && !rc; i++)
		for (int j = 0; runs_programs[j]; j++) {
			size_t l = strlen(runs_programs[j]);
			if (!strncmp(words[i], runs_programs[j], l) &&
			    (words[i][l] == '\0' || words[i][l] == '='))
				rc = fail("%s: '%s' makes krender run programs the repository "
				          "names, which an Application may not enable; set it "
				          "in the plugin's own environment (KRENDER_BUILD_OPTIONS "
				          "of the sidecar)", var, runs_programs[j]);
		}
	for (int i = 0; i < n && !rc; i++) {
		int r = cli_build_flag(n, words, &i, opts, where);
		if (r < 0)
			rc = 1;
		else if (r == 0)
			rc = fail("%s: unsupported build option '%s' (accepted: "
			          "--load-restrictor, --remote-cache, --remote-timeout, the "
			          "--max-* limits, the "
			          "plugin flags and the helm flags; "
			          "no paths, no -o)", var, words[i]);
	}
	free(copy);
	return rc;
}

int cli_build_options(kr_build_options *opts)
{
	kr_build_options init = KR_BUILD_OPTIONS_INIT;
	*opts = init;
	opts->warn = warn_line;
	if (env_build_flags("KRENDER_BUILD_OPTIONS", opts) ||
	    env_build_flags("ARGOCD_ENV_KRENDER_BUILD_OPTIONS", opts))
		return 1;
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *v;
	kr_build_options opts;
	if (cli_build_is_multi(argc, argv))
		return cmd_build_multi(argc, argv);
	if (cli_build_options(&opts))
		return 1;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int r;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_build(stdout);
			return 0;
		} else if ((r = cli_build_flag(argc, argv, &i, &opts, "")) != 0) {
			if (r < 0)
				return 1;
		} else if (opt_value(argc, argv, &i, "--output", &v) ||
		           opt_value(argc, argv, &i, "-o", &v)) {
			if (!v)
				return fail("%s", "flag needs an argument: --output");
			out = v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return fail("unknown flag: %s", a);
		} else if (!dir) {
			dir = a;
		} else {
			return fail("%s", "specify one path to a kustomization directory");
		}
	}
	if (!dir)
		dir = ".";

	kr_build *b = NULL;
	if (kr_build_new(&b, &opts) < 0)
		return fail("%s", "out of memory");
	if (cli_server_cache)
		kr_build_set_cache(b, cli_server_cache);
	if (kr_build_run(b, dir) < 0) {
		int rc = fail("%s", kr_build_error(b));
		kr_build_free(b);
		return rc;
	}
	int rc = 0;
	struct stat st;
	if (out && stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = cli_output_dir(b, out);
	} else {
		const char *data;
		size_t len;
		kr_build_output(b, &data, &len);
		rc = out ? cli_output_file(out, data, len) : cli_output_stdout(data, len);
	}
	kr_build_free(b);
	return rc;
}

static int cmd_version(int argc, char **argv)
{
	int short_form = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--short"))
			short_form = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Print the version.\n\nUsage:\n  %s version [--short]\n", prog);
			return 0;
		} else
			return fail("unknown flag: %s", argv[i]);
	}
	if (as_kustomize && short_form)
		/* kustomize v5.5.0's Provenance.Short(): "{Version  BuildDate   }"
		 * with an unset build date; Argo CD takes the first semver in it */
		printf("{kustomize/%s  unknown   }\n", kr_kustomize_version());
	else if (as_kustomize || short_form)
		printf("%s\n", kr_kustomize_version());
	else
		printf("krender %s (renders as kustomize %s)\n", kr_version(),
		       kr_kustomize_version());
	return 0;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	/* a closed stdout or broken pipe is reported, not a silent death */
	cli_guard_std_fds();
	signal(SIGPIPE, SIG_IGN);
	int status;
	if (cli_forward(argc, argv, &status)) /* KRENDER_SERVER (serve.c) */
		return status;
	return cli_run(argc, argv);
}

int cli_run(int argc, char **argv)
{
	/* as for a new process (the build server runs one command after
	 * another) */
	as_kustomize = 0;
	quiet = 0;
	prog = "krender";
	return cli_finish_stdout(run(argc, argv));
}

static int run(int argc, char **argv)
{
	const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argv[0] ? argv[0] : "krender");
	if (!strcmp(base, "kustomize")) {
		as_kustomize = 1;
		prog = "kustomize";
	}
	if (argc < 2) {
		usage_main(stdout);
		return 0;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "build"))
		return cmd_build(argc - 2, argv + 2);
	if (!strcmp(cmd, "version"))
		return cmd_version(argc - 2, argv + 2);
	if (!strcmp(cmd, "edit"))
		return kr_cli_edit(argc - 2, argv + 2, prog);
	if (!strcmp(cmd, "post-render"))
		return cmd_post_render(argc - 2, argv + 2);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc - 2, argv + 2);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc - 2, argv + 2);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		const char *topic = argc > 2 ? argv[2] : "";
		if (!strcmp(topic, "build"))
			usage_build(stdout);
		else if (!strcmp(topic, "post-render"))
			usage_post_render(stdout);
		else if (!strcmp(topic, "check"))
			usage_check(stdout);
		else if (!strcmp(topic, "serve"))
			usage_serve(stdout);
		else if (!strcmp(topic, "diff"))
			usage_diff(stdout);
		else
			usage_main(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		return cmd_version(0, argv);
	}
	fprintf(stderr, "Error: unknown command \"%s\" for \"%s\"\n", cmd, prog);
	fprintf(stderr, "Run '%s --help' for usage.\n", prog);
	return 1;
}
