/*
 * test_remote.c - parsing remote base URLs (remote.c) as kustomize
 * v5.5.0's NewRepoSpecFromURL does.  The expectations are the facts of
 * kustomize's own tables (api/internal/git/repospec_test.go): host
 * normalisation, the repository/sub-directory split at `_git/`, `//`,
 * `.git` or after org/repo, the query (ref, version, timeout,
 * submodules), and the URLs it rejects with its reasons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ctx.h"
#include "remote.h"

static const struct {
	const char *url, *host, *repo, *subdir, *ref;
} good[] = {
	{ "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir",
	  "https://git-codecommit.us-east-2.amazonaws.com/", "someorg/somerepo",
	  "somedir", "" },
	{ "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir?ref=testbranch",
	  "https://git-codecommit.us-east-2.amazonaws.com/", "someorg/somerepo",
	  "somedir", "testbranch" },
	{ "https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
	  "https://fabrikops2.visualstudio.com/", "someorg/somerepo", "", "master" },
	{ "http://github.com/someorg/somerepo/somedir", "https://github.com/",
	  "someorg/somerepo", "somedir", "" },
	{ "git@github.com:someorg/somerepo/somedir", "git@github.com:",
	  "someorg/somerepo", "somedir", "" },
	{ "http://github.com/someorg/somerepo.git/somedir", "https://github.com/",
	  "someorg/somerepo.git", "somedir", "" },
	{ "git@github.com:someorg/somerepo.git/somedir", "git@github.com:",
	  "someorg/somerepo.git", "somedir", "" },
	{ "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git?ref=v0.1.0",
	  "git@gitlab2.sqtools.ru:", "infra/kubernetes/thanos-base.git", "", "v0.1.0" },
	{ "git@bitbucket.org:company/project.git//path?ref=branch",
	  "git@bitbucket.org:", "company/project.git", "path", "branch" },
	{ "git@bitbucket.org/company/project.git//path?ref=branch",
	  "git@bitbucket.org/", "company/project.git", "path", "branch" },
	{ "ssh://git@bitbucket.org/company/project.git//path?ref=branch",
	  "ssh://git@bitbucket.org/", "company/project.git", "path", "branch" },
	{ "https://itfs.mycompany.com/collection/project/_git/somerepos",
	  "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "", "" },
	{ "https://itfs.mycompany.com/collection/project/_git/somerepos?version=v1.0.0",
	  "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "",
	  "v1.0.0" },
	{ "https://itfs.mycompany.com/collection/project/_git/somerepos/somedir?version=v1.0.0",
	  "https://itfs.mycompany.com/", "collection/project/_git/somerepos",
	  "somedir", "v1.0.0" },
	{ "git::https://itfs.mycompany.com/collection/project/_git/somerepos",
	  "https://itfs.mycompany.com/", "collection/project/_git/somerepos", "", "" },
	{ "https://bitbucket.example.com/scm/project/repository.git",
	  "https://bitbucket.example.com/", "scm/project/repository.git", "", "" },
	{ "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somepath",
	  "ssh://git-codecommit.us-east-2.amazonaws.com/", "someorg/somerepo",
	  "somepath", "" },
	{ "git@github.com/someorg/somerepo/somepath", "git@github.com:",
	  "someorg/somerepo", "somepath", "" },
	{ "https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/?ref=v1.0.6",
	  "https://github.com/", "kubernetes-sigs/kustomize",
	  "examples/multibases/dev/", "v1.0.6" },
	{ "file://a/b/c/someRepo.git/somepath?ref=someBranch", "file://",
	  "a/b/c/someRepo.git", "somepath", "someBranch" },
	{ "file://a/b/c/someRepo//somepath?ref=someBranch", "file://",
	  "a/b/c/someRepo", "somepath", "someBranch" },
	{ "file://a/b/c/someRepo?ref=someBranch", "file://", "a/b/c/someRepo", "",
	  "someBranch" },
	{ "file:///a/b/c/someRepo?ref=someBranch", "file://", "/a/b/c/someRepo", "",
	  "someBranch" },
	{ "ssh://git@github.com/kubernetes-sigs/kustomize//examples/multibases/dev?ref=v1.0.6",
	  "git@github.com:", "kubernetes-sigs/kustomize", "examples/multibases/dev",
	  "v1.0.6" },
	{ "file:///a/b/c/someRepo", "file://", "/a/b/c/someRepo", "", "" },
	{ "file:///", "file://", "/", "", "" },
	{ "https://example.org/path/to/repo//examples/multibases/dev",
	  "https://example.org/", "path/to/repo", "examples/multibases/dev", "" },
	{ "https://example.org/path/to/repo.git/examples/multibases/dev",
	  "https://example.org/", "path/to/repo.git", "examples/multibases/dev", "" },
	{ "ssh://alice@example.com/path/to/repo//examples/multibases/dev",
	  "ssh://alice@example.com/", "path/to/repo", "examples/multibases/dev", "" },
	{ "https://authority/org/repo?ref=group/version", "https://authority/",
	  "org/repo", "", "group/version" },
	{ "https://authority/org/repo/?ref=includes_git/for_some_reason",
	  "https://authority/", "org/repo", "", "includes_git/for_some_reason" },
	{ "https://authority/org/repo/?ref=includes.git/for_some_reason",
	  "https://authority/", "org/repo", "", "includes.git/for_some_reason" },
	{ "https://authority/org/repo/%-invalid-uri-so-not-parsable-by-net/url.Parse",
	  "https://authority/", "org/repo",
	  "%-invalid-uri-so-not-parsable-by-net/url.Parse", "" },
	{ "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git//path?ref=branch",
	  "ssh://myusername@bitbucket.org/", "ourteamname/ourrepositoryname.git",
	  "path", "branch" },
	{ "file://git@home/path/to/repository.git//path?ref=branch", "file://",
	  "git@home/path/to/repository.git", "path", "branch" },
	{ "http://git@home.com/path/to/repository.git//path?ref=branch",
	  "http://git@home.com/", "path/to/repository.git", "path", "branch" },
	{ "https://git@home.com/path/to/repository.git//path?ref=branch",
	  "https://git@home.com/", "path/to/repository.git", "path", "branch" },
	{ "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
	  "ssh://git@ssh.github.com:443/", "YOUR-USERNAME/YOUR-REPOSITORY.git", "", "" },
};

static void test_remote__kustomize_table(void **state)
{
	(void)state;
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		kr_repospec rs;
		const char *err = NULL;
		int rc = kr_repospec_parse(&ctx.arena, good[i].url, &rs, &err);
		if (rc != 0)
			fail_msg("%s: %s", good[i].url, err ? err : "?");
		assert_string_equal(rs.host, good[i].host);
		assert_string_equal(rs.repo_path, good[i].repo);
		assert_string_equal(rs.subdir, good[i].subdir);
		assert_string_equal(rs.ref, good[i].ref);
		char clone[512];
		snprintf(clone, sizeof(clone), "%s%s", good[i].host, good[i].repo);
		assert_string_equal(rs.clone_url, clone);
		assert_int_equal(rs.timeout_ms, 0);
		assert_int_equal(rs.submodules, 1);
	}
	kr_ctx_free(&ctx);
}

/* kustomize's permutation test: every host spelling with every repo,
 * path and ref gives the normalised host and the parts back. */
static void test_remote__permutations(void **state)
{
	(void)state;
	static const struct { const char *raw, *norm; } hosts[] = {
		{ "gitHub.com/", "https://github.com/" },
		{ "github.com:", "https://github.com/" },
		{ "http://github.com/", "https://github.com/" },
		{ "https://github.com/", "https://github.com/" },
		{ "hTTps://github.com/", "https://github.com/" },
		{ "https://git-codecommit.us-east-2.amazonaws.com/",
		  "https://git-codecommit.us-east-2.amazonaws.com/" },
		{ "https://fabrikops2.visualstudio.com/",
		  "https://fabrikops2.visualstudio.com/" },
		{ "ssh://git.example.com:7999/", "ssh://git.example.com:7999/" },
		{ "git::https://gitlab.com/", "https://gitlab.com/" },
		{ "git::http://git.example.com/", "http://git.example.com/" },
		{ "git::https://git.example.com/", "https://git.example.com/" },
		{ "git@github.com:", "git@github.com:" },
		{ "git@github.com/", "git@github.com:" },
		{ "git::git@github.com:", "git@github.com:" },
		{ "org-12345@github.com:", "org-12345@github.com:" },
		{ "org-12345@github.com/", "org-12345@github.com:" },
	};
	static const char *const repos[] = { "someOrg/someRepo", "kubernetes/website" };
	static const char *const paths[] = { "README.md", "foo/krusty.txt", "" };
	static const char *const refs[] = { "group/version", "someBranch", "master",
	                                    "v0.1.0", "" };
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++)
		for (size_t r = 0; r < 2; r++)
			for (size_t p = 0; p < 3; p++)
				for (size_t f = 0; f < 5; f++) {
					char url[512];
					snprintf(url, sizeof(url), "%s%s%s%s%s%s", hosts[h].raw,
					         repos[r], *paths[p] ? "/" : "", paths[p],
					         *refs[f] ? "?ref=" : "", refs[f]);
					kr_repospec rs;
					const char *err = NULL;
					if (kr_repospec_parse(&ctx.arena, url, &rs, &err))
						fail_msg("%s: %s", url, err ? err : "?");
					assert_string_equal(rs.host, hosts[h].norm);
					assert_string_equal(rs.repo_path, repos[r]);
					assert_string_equal(rs.subdir, paths[p]);
					assert_string_equal(rs.ref, refs[f]);
				}
	kr_ctx_free(&ctx);
}

static void test_remote__rejected(void **state)
{
	(void)state;
	static const struct { const char *url, *err; } bad[] = {
		{ "/tmp", "uri looks like abs path" },
		{ "../../tmp", "failed to parse scheme" },
		{ "src/github.com/org/repo/path", "failed to parse scheme" },
		{ "iauhsdiuashduas", "failed to parse scheme" },
		{ "htxxxtp://github.com/", "failed to parse scheme" },
		{ "ssh://git.example.com", "failed to parse repo path segment" },
		{ "git::___", "failed to parse scheme" },
		{ "https://host?ref=group/version/minor_version",
		  "failed to parse repo path segment" },
		{ "https://github.com/org/repo.git//path/../../exits/repo",
		  "url path exits repo" },
		{ "github.com!org/repo.git//path", "failed to parse scheme" },
		{ "gh:org/repo", "failed to parse scheme" },
		{ "https://github.com/thisisa404.yaml", "failed to parse repo path segment" },
		{ "file:////tmp//path/to/whatever", "failed to parse repo path segment" },
		{ "git@scp://github.com/org/repo.git//path",
		  "failed to parse repo path segment" },
		{ "git@ssh://github.com/org/repo.git//path",
		  "failed to parse repo path segment" },
		/* local paths krender must keep treating as local */
		{ "base", "failed to parse scheme" },
		{ "../overlays/prod", "failed to parse scheme" },
		{ "deployment.yaml", "failed to parse scheme" },
	};
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kr_repospec rs;
		const char *err = NULL;
		if (kr_repospec_parse(&ctx.arena, bad[i].url, &rs, &err) != -1)
			fail_msg("%s parsed", bad[i].url);
		assert_non_null(err);
		if (!strstr(err, bad[i].err))
			fail_msg("%s: '%s', expected '%s'", bad[i].url, err, bad[i].err);
	}
	kr_ctx_free(&ctx);
}

/* kustomize's TestParseQuery, through a URL; 0 ms is the default. */
static void test_remote__query(void **state)
{
	(void)state;
	static const struct {
		const char *query, *ref;
		int submodules;
		long timeout_ms;
	} cases[] = {
		{ "", "", 1, 0 },
		{ "ref=v1.0.0", "v1.0.0", 1, 0 },
		{ "ref=kustomize/v4.5.7", "kustomize/v4.5.7", 1, 0 },
		{ "version=master", "master", 1, 0 },
		{ "version=master&ref=v1.0.0", "v1.0.0", 1, 0 },
		{ "version=master&submodules=", "master", 1, 0 },
		{ "version=master&submodules=maybe", "master", 1, 0 },
		{ "version=master&submodules=true", "master", 1, 0 },
		{ "version=master&submodules=false", "master", 0, 0 },
		{ "version=master&timeout=", "master", 1, 0 },
		{ "version=master&timeout=jiffy", "master", 1, 0 },
		{ "version=master&timeout=0", "master", 1, 0 },
		{ "version=master&timeout=0s", "master", 1, 0 },
		{ "version=master&timeout=61", "master", 1, 61000 },
		{ "version=master&timeout=1m1s", "master", 1, 61000 },
		{ "version=master&submodules=false&timeout=1m1s", "master", 0, 61000 },
		/* Go's url.ParseQuery: escapes decoded; a semicolon or a bad
		 * escape anywhere and kustomize takes every default */
		{ "ref=a%2Fb+c", "a/b c", 1, 0 },
		{ "ref=v1;x=y", "", 1, 0 },
		{ "ref=v1&timeout=5&x=%zz", "", 1, 0 },
		{ "timeout=1.5s&ref=", "", 1, 1500 },
		{ "ref=&version=v2", "v2", 1, 0 },
	};
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char url[256];
		snprintf(url, sizeof(url), "https://github.com/org/repo?%s", cases[i].query);
		kr_repospec rs;
		const char *err = NULL;
		if (kr_repospec_parse(&ctx.arena, url, &rs, &err))
			fail_msg("%s: %s", url, err ? err : "?");
		if (strcmp(rs.ref, cases[i].ref) || rs.submodules != cases[i].submodules ||
		    rs.timeout_ms != cases[i].timeout_ms)
			fail_msg("%s: ref '%s' submodules %d timeout %ld", cases[i].query,
			         rs.ref, rs.submodules, rs.timeout_ms);
	}
	kr_ctx_free(&ctx);
}

static void test_remote__plain_files(void **state)
{
	(void)state;
	assert_true(kr_remote_is_plain_file("https://raw.githubusercontent.com/o/r/main/x.yaml"));
	assert_true(kr_remote_is_plain_file("http://example.com/a.yml?x=1"));
	assert_false(kr_remote_is_plain_file("https://github.com/org/repo//dir?ref=v1"));
	assert_false(kr_remote_is_plain_file("file:///tmp/x.yaml"));
	assert_false(kr_remote_is_plain_file("deploy.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remote__kustomize_table),
		cmocka_unit_test(test_remote__permutations),
		cmocka_unit_test(test_remote__rejected),
		cmocka_unit_test(test_remote__query),
		cmocka_unit_test(test_remote__plain_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
