/*
 * krender.h - public API of libkrender, a Kustomize-compatible manifest
 * renderer.
 *
 * One build is one opaque handle.  A caller creates it with options, runs it
 * on a kustomization directory, reads the rendered YAML stream (or the
 * rendered resources one by one) and frees it.  Every function that can fail
 * returns 0 on success or a negative KR_E* code; the handle then holds an
 * error message that names the file and, for YAML problems, the line and
 * column.  All memory of a build (the parsed trees, the output) belongs to
 * the handle and is released by kr_build_free().
 */
#ifndef KRENDER_H
#define KRENDER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KR_BUILDING_LIBRARY) && defined(__GNUC__)
#define KR_API __attribute__((visibility("default")))
#else
#define KR_API
#endif

/* Error codes returned by fallible functions (always negative). */
enum kr_error_code {
	KR_OK = 0,
	KR_ERROR = -1,     /* generic failure */
	KR_ENOMEM = -2,    /* out of memory */
	KR_EIO = -3,       /* a file could not be read or written */
	KR_EYAML = -4,     /* malformed YAML */
	KR_EINVALID = -5,  /* well-formed input that kustomize rejects */
	KR_ENOTFOUND = -6, /* a referenced file or directory does not exist */
	KR_ERESTRICT = -7, /* refused by the load restrictor */
	KR_ELIMIT = -8,    /* a configured limit was exceeded */
	KR_EUSAGE = -9     /* the caller passed bad arguments */
};

/* Which files a kustomization may read (kustomize's --load-restrictor). */
enum kr_load_restrictor {
	KR_LOAD_ROOT_ONLY = 0, /* LoadRestrictionsRootOnly (the default) */
	KR_LOAD_NONE = 1       /* LoadRestrictionsNone */
};

/* What a build does with its cache of remote bases (--remote-cache). */
enum kr_remote_cache {
	KR_REMOTE_CACHE_ON = 0,      /* reuse; re-resolve branches (default) */
	KR_REMOTE_CACHE_REFRESH = 1, /* re-resolve every ref with the remote */
	KR_REMOTE_CACHE_OFF = 2      /* fetch afresh, keep nothing */
};

#define KR_BUILD_OPTIONS_VERSION 6

/* Options of one build.  Initialise with KR_BUILD_OPTIONS_INIT, then set
 * what differs from the defaults. */
typedef struct kr_build_options {
	unsigned int version;          /* KR_BUILD_OPTIONS_VERSION */
	int load_restrictor;           /* enum kr_load_restrictor */
	/* Limits; 0 means the default. */
	size_t max_alias_nodes;        /* nodes created by alias expansion per file */
	unsigned int max_depth;        /* nesting depth of a YAML document */
	unsigned int max_kustomization_depth; /* nesting of kustomizations */
	/* Where deprecation warnings go: called once per warning line (without
	 * the newline).  NULL: warnings are dropped. */
	void (*warn)(void *payload, const char *line);
	void *warn_payload;
	/* Since version 2 (a version 1 struct ends before these; it gets the
	 * defaults).  Plugins other than kustomize's builtin ones, as
	 * kustomize's --enable-alpha-plugins and --enable-exec allow them:
	 * with enable_alpha_plugins, a `generators`/`transformers`/
	 * `validators` config of another apiVersion runs as a legacy exec
	 * plugin (an executable under $KUSTOMIZE_PLUGIN_HOME) or, when it is
	 * annotated config.kubernetes.io/function, as a KRM function; an
	 * `exec` function runs only with enable_exec too (without it
	 * kustomize skips it, and krender warns).  Container functions are
	 * refused.  These run programs named by the input: never enable them
	 * for untrusted kustomizations. */
	int enable_alpha_plugins;      /* 0 or 1 */
	int enable_exec;               /* 0 or 1 */
	/* Seconds a plugin process may run before it is killed and the build
	 * fails; 0 means the default (300). */
	unsigned int plugin_timeout;
	/* Since version 3 (older structs end before these; they get the
	 * defaults).  Remote bases: the timeout of each git command in
	 * milliseconds (0: kustomize's 27 s; a URL's ?timeout= wins) and the
	 * cache policy (enum kr_remote_cache). */
	long remote_timeout_ms;
	int remote_cache;
	/* Since version 4 (older structs end before these; they get the
	 * defaults).  Helm charts (`helmCharts`, `helmGlobals`,
	 * `helmChartInflationGenerator`), as kustomize's --enable-helm and
	 * --helm-* flags allow them: without enable_helm (or
	 * enable_alpha_plugins, which kustomize lets enable helm too) a
	 * kustomization with charts fails.  helm_command is the helm 3
	 * executable (NULL or "": "helm", looked up in $PATH); it runs with
	 * the plugin timeout.  helm_api_versions (a NULL-terminated array, or
	 * NULL) and helm_kube_version (NULL or "": none) replace every chart's
	 * apiVersions and kubeVersion when given; helm_debug passes --debug.
	 * The strings are copied by kr_build_new().  Charts run a program and
	 * may pull from the network: never enable them for untrusted
	 * kustomizations. */
	int enable_helm;               /* 0 or 1 */
	const char *helm_command;
	const char *const *helm_api_versions;
	const char *helm_kube_version;
	int helm_debug;                /* 0 or 1 */
	/* Since version 5: limits */
	/* More limits (0 means the default; see also max_alias_nodes,
	 * max_depth and max_kustomization_depth above).  Hitting one is a
	 * KR_ELIMIT error that names the file, the limit and the krender flag
	 * that raises it. */
	size_t max_file_size;          /* bytes of one input file (64 MiB) */
	size_t max_documents;          /* YAML documents in one file (100,000) */
	size_t max_resources;          /* resources read by one build (250,000) */
	/* Since version 6.  Threads one build may use to parse a big
	 * kustomization's files and to write a big output: 0 means as many
	 * as processors are online (at most 8), 1 keeps the build on the
	 * caller's thread.  Small builds never start a thread.  The output is
	 * the same bytes whatever the number. */
	unsigned int threads;
} kr_build_options;

#define KR_BUILD_OPTIONS_INIT { KR_BUILD_OPTIONS_VERSION, KR_LOAD_ROOT_ONLY, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, KR_REMOTE_CACHE_ON, 0, NULL, NULL, NULL, 0, 0, 0, 0, 0 }

typedef struct kr_build kr_build;

/* The version of the library, e.g. "0.1.0". */
KR_API const char *kr_version(void);

/* The Kustomize version whose output krender reproduces, e.g. "v5.5.0". */
KR_API const char *kr_kustomize_version(void);

/* Create a build handle.  `opts` may be NULL for the defaults.  On success
 * *out owns a handle to release with kr_build_free(). */
KR_API int kr_build_new(kr_build **out, const kr_build_options *opts);

/* Render the kustomization in directory `dir`.  A handle runs once. */
KR_API int kr_build_run(kr_build *b, const char *dir);

/* The rendered YAML stream of a successful run (documents joined by
 * "---\n"), as kustomize build prints it.  The bytes belong to the handle. */
KR_API int kr_build_output(const kr_build *b, const char **data, size_t *len);

/* Number of rendered resources, and resource `i` of them (in output order):
 * its YAML and the file name kustomize build -o DIR gives it. */
KR_API size_t kr_build_resource_count(const kr_build *b);
KR_API int kr_build_resource(const kr_build *b, size_t i,
                             const char **yaml, size_t *len,
                             const char **file_name);

/* The id of rendered resource `i` (in output order): the strings belong to
 * the handle; `group` is "" for the core group, `ns` "" when unset. */
typedef struct kr_resource_id {
	const char *group;
	const char *version;
	const char *kind;
	const char *ns;
	const char *name;
} kr_resource_id;
KR_API int kr_build_resource_id(const kr_build *b, size_t i, kr_resource_id *id);

/* Supply a YAML stream as the file `name` (a plain file name, no '/') of
 * the root kustomization's directory, without writing it to disk: a
 * `resources` entry that resolves to that path reads the stream instead of
 * the disk (a real file of that name is shadowed; patches and generators
 * naming it still read the disk), and when the root kustomization's
 * `resources` do not list `name`, it is prepended to them.
 * Relative paths of the kustomization (`../base`) resolve as usual, since
 * the build still runs in the real directory.  This is how `krender
 * post-render` hands Helm's output to a kustomization as `all.yaml`.  The
 * bytes are copied; call before kr_build_run(). */
KR_API int kr_build_set_stream(kr_build *b, const char *name,
                               const char *data, size_t len);

/* A cache shared between builds (optional): when many builds read the
 * same files (overlays of common bases), each distinct file content is
 * parsed once.  Entries are keyed by the content itself (an XXH3-128 hash
 * of the bytes, confirmed by comparing them), the kind of parse and the
 * parse limits; never by a file's name or modification time, so a file
 * that changed between two builds is parsed again and a stale result
 * cannot be returned.  Files are still read by every build (their inputs
 * and errors are those of a build without the cache); builds get deep
 * copies of the cached trees, and the output is byte-identical with or
 * without a cache.  Only successful parses are kept.
 *
 * The cache also keeps the built result of bases (a kustomization listed
 * in `resources`: its objects after its own generators, components and
 * transformers), so that a base several overlays include is built once.
 * Only bases whose whole effect on the including build is known are kept
 * (no plugins, helm charts, remote or http sources, vars, openapi,
 * configurations or crds anywhere below them, no buildMetadata, no
 * stream, no symbolic links); any other base is built as without a cache.
 * An entry is keyed by the base's real and displayed paths and the build
 * options, and records every file the base's build read (length and
 * XXH3-128 hash of its bytes) and which kustomization file each of its
 * directories had: a build re-reads and compares them all before it uses
 * the entry, and builds the base afresh on any difference.  Errors are
 * never kept.
 *
 * A cache may be used by builds on several threads at once (one mutex
 * guards its table; parsing and copying run outside it).  It keeps every
 * distinct content it saw until kr_cache_free(): a long-running host
 * should replace it from time to time.  Builds share text with the cache,
 * so free the cache only after every build that used it (kr_build_free).
 */
typedef struct kr_cache kr_cache;
KR_API int kr_cache_new(kr_cache **out);
KR_API void kr_cache_free(kr_cache *cache);
/* Statistics of the parse cache: distinct contents held, lookups answered
 * from the cache and lookups that parsed.  Any pointer may be NULL. */
KR_API int kr_cache_stats(kr_cache *cache, size_t *entries, size_t *hits,
                          size_t *misses);
/* Also keep the result of each build's own kustomization (not only of the
 * bases it includes), under the same rules and checks as a base's, so that
 * building the same overlay again with unchanged files skips to writing
 * the output: for a host that builds the same overlays again and again
 * (`krender serve`).  Off by default: a run that builds each overlay once
 * would only pay for the copies.  Set it before the cache is used. */
KR_API int kr_cache_keep_results(kr_cache *cache, int on);
/* Use `cache` (NULL: none) for build `b`; call before kr_build_run(). */
KR_API int kr_build_set_cache(kr_build *b, kr_cache *cache);

/* The files a run read, successful or not: absolute, symlink-free paths,
 * sorted, each once.  They are every input of the build (kustomization
 * files, resources, patches, generator sources, configurations, schemas,
 * transitively through bases and components), so a change to any other
 * file cannot change the output.  A stream from kr_build_set_stream() is
 * not a file and is not listed.  For a failed run, the files read before
 * the error. */
KR_API size_t kr_build_input_count(const kr_build *b);
KR_API const char *kr_build_input(const kr_build *b, size_t i);

/* The message of the last error, or NULL if none. */
KR_API const char *kr_build_error(const kr_build *b);

/* The code of the last error (0 if none). */
KR_API int kr_build_error_code(const kr_build *b);

/* Release the handle and everything it owns.  NULL is allowed. */
KR_API void kr_build_free(kr_build *b);

/* Call fn(payload, dir, kind) for every directory at or below `path` that
 * holds a kustomization file (kustomization.yaml, kustomization.yml or
 * Kustomization), depth first with entries in byte order; `.git` is
 * skipped and symbolic links to directories are not followed.  `dir` is
 * `path` joined with the sub-directory names; `kind` is "Component" for a
 * file of that kind, else "Kustomization" (also for a file that does not
 * parse).  A non-zero return from fn stops the walk and is returned.
 * Returns 0, KR_ENOTFOUND when `path` does not exist, KR_EUSAGE when it is
 * not a directory, or another KR_E* code. */
KR_API int kr_find_kustomizations(const char *path,
                                  int (*fn)(void *payload, const char *dir,
                                            const char *kind),
                                  void *payload);

/* A unified diff (GNU diff -u format) of texts a and b, compared by lines,
 * with `context` lines around each change and the header lines
 * "--- a_label" and "+++ b_label".  Returns 0 when the texts are equal
 * (*out NULL), 1 when they differ (*out: the diff, NUL-terminated, to
 * release with kr_free()), or a negative KR_E* code. */
KR_API int kr_diff_unified(const char *a, size_t alen, const char *b,
                           size_t blen, const char *a_label,
                           const char *b_label, unsigned context,
                           char **out, size_t *outlen);

/* Release memory the library handed out (kr_diff_unified). */
KR_API void kr_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* KRENDER_H */
