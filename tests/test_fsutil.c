/*
 * test_fsutil.c - kr_realpath_ctx and kr_realpath_dir_ctx (the per-build
 * memo of resolved directories, every parent remembered too) give what
 * realpath(3) gives: through symbolic links to files and directories,
 * "..", "." and trailing slashes, for absolute paths and paths relative to
 * the working directory, and fail alike for names that do not exist.  The
 * load restrictor depends on it.  kr_path_type_link tells links apart.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "tutil.h"

static void link_at(const char *target, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	assert_int_equal(symlink(target, path), 0);
}

typedef char *(*resolver)(kr_ctx *, const char *);

/* fn(path) equals realpath(3), both failing or both giving the same path;
 * asked twice (the second from the memo). */
static void check_path(kr_ctx *ctx, const char *path, resolver fn)
{
	for (int round = 0; round < 2; round++) {
		char *want = realpath(path, NULL);
		int want_errno = errno;
		errno = 0;
		char *got = fn(ctx, path);
		if (!want) {
			assert_null(got);
			assert_int_equal(errno, want_errno);
		} else {
			if (!got)
				fail_msg("%s: NULL, want %s", path, want);
			assert_string_equal(got, want);
		}
		free(want);
	}
}

/* The same for `rel` under tmpdir, with both resolvers. */
static void check_same(kr_ctx *ctx, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	check_path(ctx, path, kr_realpath_ctx);
	check_path(ctx, path, kr_realpath_dir_ctx);
}

static void test_fsutil__realpath_memo(void **state)
{
	(void)state;
	tu_put("a/b/file.yaml", "x: 1\n");
	tu_put("a/c/other.yaml", "y: 2\n");
	tu_put("outside/secret.yaml", "z: 3\n");
	link_at("../outside", "a/linkdir");
	link_at("../../outside/secret.yaml", "a/b/linkfile.yaml");
	link_at("b", "a/c/up");

	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const char *cases[] = {
		"a/b/file.yaml",
		"a/c/other.yaml",
		"a/b/../c/other.yaml",
		"a/./b/file.yaml",
		"a/b/linkfile.yaml",          /* a link to a file outside */
		"a/linkdir/secret.yaml",      /* through a linked directory */
		"a/linkdir",
		"a/c/up/file.yaml",
		"a/c/up/../other.yaml",       /* ".." after a link: physical parent */
		"a/b/.",
		"a/b/..",
		"a/b/",
		"a/b",
		"a//b/file.yaml",
		"a/b/missing.yaml",
		"a/missing/file.yaml",
		"a/b/file.yaml/x",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_same(&ctx, cases[i]);
	kr_ctx_free(&ctx);

	/* the same paths relative to the working directory, on a fresh memo
	 * (the working directory is remembered as getcwd gives it) */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	kr_ctx_init(&ctx, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_path(&ctx, cases[i], kr_realpath_dir_ctx);
		check_path(&ctx, cases[i], kr_realpath_ctx);
	}
	kr_ctx_free(&ctx);
	/* and from a working directory reached through a link */
	assert_int_equal(chdir("a/linkdir"), 0);
	kr_ctx_init(&ctx, NULL);
	check_path(&ctx, "secret.yaml", kr_realpath_ctx);
	check_path(&ctx, "../a/b", kr_realpath_dir_ctx);
	check_path(&ctx, "../a/linkdir", kr_realpath_dir_ctx);
	kr_ctx_free(&ctx);
	assert_int_equal(chdir(cwd), 0);
}

/* Types after links, and whether the name itself is a link; a name known
 * not to be a link resolves without looking at it again. */
static void test_fsutil__type_link(void **state)
{
	(void)state;
	tu_put("d/file.yaml", "x: 1\n");
	link_at("file.yaml", "d/lf");
	link_at("../d", "d/ld");
	link_at("nowhere", "d/dangling");
	static const struct { const char *rel; int type, link; } cases[] = {
		{ "d/file.yaml", 'f', 0 }, { "d/lf", 'f', 1 }, { "d", 'd', 0 },
		{ "d/ld", 'd', 1 }, { "d/dangling", 0, 1 }, { "d/missing", 0, 0 },
	};
	char path[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, cases[i].rel);
		int is_link = -1;
		assert_int_equal(kr_path_type_link(path, &is_link), cases[i].type);
		assert_int_equal(is_link, cases[i].link);
		assert_int_equal(kr_path_type(path), cases[i].type);
	}
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	snprintf(path, sizeof(path), "%s/d/file.yaml", tmpdir);
	check_path(&ctx, path, kr_realpath_ctx_nolink);
	kr_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsutil__realpath_memo, tu_tree_setup,
		                                tu_tree_teardown),
		cmocka_unit_test_setup_teardown(test_fsutil__type_link, tu_tree_setup,
		                                tu_tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
