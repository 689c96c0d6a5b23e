/*
 * test_execplugin.c - the pieces of execplugin.c below the end-to-end
 * tests of tests/execplugin.sh: argsOneLiner splitting as shlex splits,
 * and the process runner (stdin, stdout, stderr, status, a child that does
 * not read its input, a timeout, a program that cannot start), and the
 * build options of version 1 callers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "execplugin.h"
#include "krender.h"

static void test_execplugin__split_args(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const char **w;
	int n = kr_extplugin_split_args(&ctx, "  one \"two three\" 'f\"our' a\\ b # rest\nsix",
	                                &w);
	assert_int_equal(n, 5);
	assert_string_equal(w[0], "one");
	assert_string_equal(w[1], "two three");
	assert_string_equal(w[2], "f\"our");
	assert_string_equal(w[3], "a b");
	assert_string_equal(w[4], "six");
	assert_null(w[5]);
	assert_int_equal(kr_extplugin_split_args(&ctx, "", &w), 0);
	assert_true(kr_extplugin_split_args(&ctx, "'open", &w) < 0);
	assert_non_null(strstr(ctx.err.data, "unclosed single quote"));
	kr_ctx_free(&ctx);
}

static void test_execplugin__spawn(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	char *out, *err;
	size_t olen, elen;
	int status;
	/* input through, stderr apart, the exit status */
	char *argv[] = { "sh", "-c", "tr a-z A-Z; echo oops >&2; exit 4", NULL };
	assert_int_equal(kr_extplugin_spawn(&ctx, argv, NULL, "/", "hello\n", 6, 5000,
	                                    &out, &olen, &err, &elen, &status), 0);
	assert_string_equal(out, "HELLO\n");
	assert_string_equal(err, "oops\n");
	assert_int_equal(status, 4);
	/* a large input the child never reads: no SIGPIPE, status 0 */
	size_t big = 4u << 20;
	char *in = malloc(big);
	assert_non_null(in);
	memset(in, 'x', big);
	char *argv2[] = { "sh", "-c", "echo done", NULL };
	assert_int_equal(kr_extplugin_spawn(&ctx, argv2, NULL, NULL, in, big, 5000,
	                                    &out, &olen, &err, &elen, &status), 0);
	free(in);
	assert_string_equal(out, "done\n");
	assert_int_equal(status, 0);
	/* the working directory */
	char *argv3[] = { "sh", "-c", "pwd", NULL };
	assert_int_equal(kr_extplugin_spawn(&ctx, argv3, NULL, "/", NULL, 0, 5000,
	                                    &out, &olen, &err, &elen, &status), 0);
	assert_string_equal(out, "/\n");
	/* killed at the deadline */
	char *argv4[] = { "sh", "-c", "exec sleep 20", NULL };
	assert_int_equal(kr_extplugin_spawn(&ctx, argv4, NULL, NULL, NULL, 0, 200,
	                                    &out, &olen, &err, &elen, &status), 0);
	assert_int_equal(status, -1);
	/* cannot start */
	char *argv5[] = { "/nonexistent/plugin", NULL };
	assert_true(kr_extplugin_spawn(&ctx, argv5, NULL, NULL, NULL, 0, 5000,
	                               &out, &olen, &err, &elen, &status) < 0);
	assert_non_null(strstr(ctx.err.data, "/nonexistent/plugin"));
	kr_ctx_free(&ctx);
}

/* A version 1 options struct (without the plugin fields) is accepted and
 * gets the defaults for what it lacks. */
static void test_execplugin__options_v1(void **state)
{
	(void)state;
	kr_build_options o = KR_BUILD_OPTIONS_INIT;
	o.version = 1;
	o.enable_alpha_plugins = 1;  /* not part of a v1 struct: ignored */
	kr_build *b = NULL;
	assert_int_equal(kr_build_new(&b, &o), 0);
	kr_build_free(b);
	o.version = 99;
	assert_int_equal(kr_build_new(&b, &o), KR_EUSAGE);
}

/* kr_spawn_env: the caller's environment, with the given variables set
 * (an inherited one of the same name replaced, not shadowed). */
static void test_execplugin__spawn_env(void **state)
{
	(void)state;
	setenv("KR_TEST_SPAWN_A", "old", 1);
	setenv("KR_TEST_SPAWN_KEEP", "kept", 1);
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const char *set[] = { "KR_TEST_SPAWN_A=new", "KR_TEST_SPAWN_B=b" };
	char **env = kr_spawn_env(&ctx, set, 2);
	assert_non_null(env);
	int a = 0, b = 0, keep = 0, prefix = 0;
	for (char **e = env; *e; e++) {
		if (!strncmp(*e, "KR_TEST_SPAWN_A=", 16)) {
			a++;
			assert_string_equal(*e, "KR_TEST_SPAWN_A=new");
		}
		b += !strcmp(*e, "KR_TEST_SPAWN_B=b");
		keep += !strcmp(*e, "KR_TEST_SPAWN_KEEP=kept");
		prefix += !strncmp(*e, "KR_TEST_SPAWN_AA", 16);
	}
	assert_int_equal(a, 1);
	assert_int_equal(b, 1);
	assert_int_equal(keep, 1);
	assert_int_equal(prefix, 0);
	kr_ctx_free(&ctx);
	unsetenv("KR_TEST_SPAWN_A");
	unsetenv("KR_TEST_SPAWN_KEEP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_execplugin__split_args),
		cmocka_unit_test(test_execplugin__spawn),
		cmocka_unit_test(test_execplugin__spawn_env),
		cmocka_unit_test(test_execplugin__options_v1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
