/*
 * fsutil.h - paths and files: lexical path cleaning (Go's filepath.Clean),
 * joining, symlink resolution, and reading a whole file into the arena.
 */
#ifndef KR_FSUTIL_H
#define KR_FSUTIL_H

#include <stddef.h>

#include "ctx.h"

/* Join `dir` and `rel` (rel may be absolute) and clean the result
 * lexically; allocated in the arena.  NULL when out of memory. */
char *kr_path_join(kr_arena *a, const char *dir, const char *rel);
/* Clean a path lexically: remove "." and "x/.." elements and duplicate
 * slashes; "" becomes ".". */
char *kr_path_clean(kr_arena *a, const char *path);
/* Does directory `root` contain `path` (or equal it)?  Both absolute and
 * clean. */
int kr_path_has_prefix(const char *path, const char *root);

/* Does a path look like a remote URL kustomize would fetch (scheme://,
 * git@host:, or a github.com/gitlab.com/bitbucket.org shorthand)? */
int kr_path_looks_remote(const char *s);

/* Absolute, symlink-free form of an existing path (realpath), in the
 * arena; NULL with errno set when it does not resolve. */
char *kr_realpath(kr_arena *a, const char *path);

/* kr_realpath for a build: the real path of the directory part is
 * remembered in ctx, so a file costs one lstat (a symbolic link, or a
 * name that ends in "." or "..", still goes through realpath).  The
 * files and directories of a build are assumed not to change under it. */
char *kr_realpath_ctx(kr_ctx *ctx, const char *path);

/* kr_path_type that also tells whether `path` itself is a symbolic link
 * (one lstat, and a stat only for a link), and kr_realpath_ctx for a path
 * known not to be one (it skips the lstat): a file costs one system call
 * to classify and resolve. */
int kr_path_type_link(const char *path, int *is_link);
char *kr_realpath_ctx_nolink(kr_ctx *ctx, const char *path);

/* kr_realpath_ctx for a directory: remembered itself, so the files in it
 * cost no more than their own lstat; a relative path below the working
 * directory (no "." or ".." names) starts from getcwd's answer, which is
 * real already. */
char *kr_realpath_dir_ctx(kr_ctx *ctx, const char *path);

/* File type of `path` after following symlinks: 'f' regular file, 'd'
 * directory, 'o' other, 0 when it does not exist (errno set). */
int kr_path_type(const char *path);

/* Read the whole file into the arena (NUL-terminated).  Fails with an error
 * naming `display` (the path as the user wrote or reached it). */
int kr_read_file(kr_ctx *ctx, const char *path, const char *display,
                 char **data, size_t *len);

/* What kr_read_file records of a file it read (its path as an input of
 * the build, its bytes for the base cache), for a file read elsewhere (a
 * prefetch worker, prefetch.h). */
int kr_note_read(kr_ctx *ctx, const char *path, const char *data, size_t len);

#endif
