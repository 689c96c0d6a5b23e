/*
 * test_fsutil.c - kr_realpath_ctx (the per-build memo of resolved
 * directories) gives what realpath(3) gives: through symbolic links to
 * files and directories, "..", "." and trailing slashes, and fails alike
 * for names that do not exist.  The load restrictor depends on it.
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

/* kr_realpath_ctx(rel under tmpdir) equals realpath(3), both failing or
 * both giving the same path; asked twice (the second from the memo). */
static void check_same(kr_ctx *ctx, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (int round = 0; round < 2; round++) {
		char *want = realpath(path, NULL);
		int want_errno = errno;
		errno = 0;
		char *got = kr_realpath_ctx(ctx, path);
		if (!want) {
			assert_null(got);
			assert_int_equal(errno, want_errno);
		} else {
			assert_non_null(got);
			assert_string_equal(got, want);
		}
		free(want);
	}
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fsutil__realpath_memo, tu_tree_setup,
		                                tu_tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
