/*
 * cli.h - helpers the krender sub-commands share (main.c).  The tool uses
 * only the public API (krender.h).
 */
#ifndef KR_CLI_H
#define KR_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "krender.h"

/* The name the tool was invoked by ("krender" or "kustomize"). */
extern const char *cli_prog;

/* "Error: <message>" on stderr; returns 1 (the error exit status). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Match "--name value" or "--name=value" (and for a short flag "-n
 * value", "-n=value", "-nvalue") at argv[*i]; advances *i past a separate
 * value.  *value is NULL when the value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name,
                  const char **value);

/* Parse one `kustomize build` flag at argv[*i] into opts: 1 handled, 0
 * not a build flag, -1 error (reported). */
int cli_build_flag(int argc, char **argv, int *i, kr_build_options *opts,
                   const char *where);
/* Is argv[*i] a build flag?  1 (with *i moved past its value, if it
 * takes one as the next word) or 0; nothing is reported. */
int cli_build_flag_skip(int argc, char **argv, int *i);

/* Options for builds: warnings to stderr, then the flags of the
 * KRENDER_BUILD_OPTIONS and ARGOCD_ENV_KRENDER_BUILD_OPTIONS environment
 * variables.  Returns 0 or 1 (error reported). */
int cli_build_options(kr_build_options *opts);

/* A growing byte buffer (check.c's records, serve.c's requests):
 * `failed` once an allocation failed, after which nothing is added. */
typedef struct cli_bytes {
	char *p;
	size_t n, cap;
	int failed;
} cli_bytes;
void cli_bytes_put(cli_bytes *b, const void *s, size_t n);

/* Write all n bytes to descriptor fd (EINTR retried); 0 or -1. */
int cli_write_fd(int fd, const void *buf, size_t n);
/* Write all bytes; 0 or -1. */
int cli_write_all(FILE *f, const char *data, size_t len);

/* Safe output (output.c): -o FILE through a temporary and rename (or
 * directly to an existing device/FIFO), -o DIR with every file written
 * before any is moved into place, stdout flushed and checked.  Each returns
 * 0 or 1 (error reported). */
int cli_output_file(const char *path, const char *data, size_t len);
int cli_output_dir(kr_build *b, const char *dir);
/* Write n files dir/names[i] holding data[i]: each as a temporary in dir,
 * all renamed into place only once every one was written; on an error
 * (reported, 1) the temporaries are removed and dir is as it was. */
int cli_output_files(const char *dir, size_t n, const char *const *names,
                     const char *const *data, const size_t *lens);
int cli_output_stdout(const char *data, size_t len);
/* Occupy closed descriptors 0-2 (read-only /dev/null) so files the build
 * opens never take their place and writes to them still fail. */
void cli_guard_std_fds(void);
/* The final check of stdout for every command: rc, or 1 if buffered
 * output could not be written (reported). */
int cli_finish_stdout(int rc);

/* Read all of a stream into a malloc'd buffer; 0 or -1 (errno set). */
int cli_read_all(FILE *f, char **data, size_t *len);

/* Sub-commands: argc/argv after the command name; return the exit status. */
int cmd_post_render(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* A whole command line, as main runs it (flags and globals as for a new
 * process, stdout checked at the end); the build server runs requests
 * with it. */
int cli_run(int argc, char **argv);
/* The client of `krender serve` (serve.c): when KRENDER_SERVER names a
 * server of this same binary and the command is `build`, the server runs
 * it on this process's streams and directory: 1 with *status set.  0:
 * build locally. */
int cli_forward(int argc, char **argv, int *status);
/* The build server's cache, shared by the builds it runs, or NULL. */
extern kr_cache *cli_server_cache;

/* `build` of several overlays (multi.c): whether the arguments ask for it
 * (several paths, --all or -j), and the command itself. */
int cli_build_is_multi(int argc, char **argv);
int cmd_build_multi(int argc, char **argv);
void usage_build_multi(FILE *f);

void usage_post_render(FILE *f);
void usage_check(FILE *f);
void usage_diff(FILE *f);
void usage_serve(FILE *f);

#endif
