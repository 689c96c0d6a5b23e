/*
 * fuzz_kustomization.c - libFuzzer target: a whole build (kustomization
 * loading, resources, bases, components, generators, every transformer)
 * from a small file tree.
 *
 * The input is the root's kustomization.yaml, then any number of files,
 * each introduced by a line "=== NAME" (NAME: up to three path parts of
 * [A-Za-z0-9._-], no "..", e.g. "base/kustomization.yaml",
 * "deploy.yaml", "config.env").  The tree is written to a fresh directory
 * under a temporary one and built with the public API, as `krender build`
 * does, under the default load restrictor.  git is kept off PATH so a
 * remote base cannot reach the network.  Errors are fine; crashes, leaks,
 * hangs and sanitizer reports are not.
 *
 * Build: cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKR_FUZZ=ON
 *        cmake --build build-fuzz --target fuzz_kustomization
 * Run:   ./build-fuzz/tests/fuzz/fuzz_kustomization fixtures/fuzz/kustomization -max_total_time=60
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krender.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_root[256];

static void rm_tree(int dirfd);

static void cleanup(void)
{
	int fd = open(g_root, O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		rm_tree(fd);
	rmdir(g_root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(g_root, sizeof g_root, "%s/krfuzzXXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(g_root))
		abort();
	char path[300];
	snprintf(path, sizeof path, "%s/cache", g_root);
	mkdir(path, 0700);
	setenv("KRENDER_CACHE_DIR", path, 1);
	snprintf(path, sizeof path, "%s/nobin", g_root);
	mkdir(path, 0700);
	setenv("PATH", path, 1);
	atexit(cleanup);
	return 0;
}

static void rm_tree(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd, e->d_name, 0) == 0)
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0)
			rm_tree(sub);
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* A file name the tree may hold: parts of [A-Za-z0-9._-], not "." or "..",
 * at most three of them. */
static int safe_name(const char *s)
{
	int parts = 1;
	const char *start = s;
	if (!*s || strlen(s) > 100)
		return 0;
	for (const char *p = s;; p++) {
		if (*p == '/' || !*p) {
			size_t n = (size_t)(p - start);
			if (!n || (n == 1 && start[0] == '.') ||
			    (n == 2 && start[0] == '.' && start[1] == '.'))
				return 0;
			if (!*p)
				return 1;
			if (++parts > 3)
				return 0;
			start = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	}
}

static void put(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0700);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

/* Write the files of the input into dir. */
static void write_tree(const char *dir, const uint8_t *data, size_t size)
{
	char name[128] = "kustomization.yaml";
	const uint8_t *start = data, *end = data + size, *p = data;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *eol = nl ? nl : end;
		if (eol - p > 4 && !memcmp(p, "=== ", 4) && eol - p - 4 < (long)sizeof name) {
			put(dir, name, start, (size_t)(p - start));
			memcpy(name, p + 4, (size_t)(eol - p - 4));
			name[eol - p - 4] = 0;
			if (!safe_name(name))
				strcpy(name, "ignored.txt");
			start = nl ? nl + 1 : end;
		}
		p = nl ? nl + 1 : end;
	}
	put(dir, name, start, (size_t)(end - start));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long n;
	char dir[300];
	snprintf(dir, sizeof dir, "%s/t%lu", g_root, n++);
	if (mkdir(dir, 0700) < 0)
		return 0;
	write_tree(dir, data, size);
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	opts.max_alias_nodes = 10000;
	opts.max_depth = 100;
	opts.max_kustomization_depth = 20;
	opts.remote_timeout_ms = 1000;
	kr_build *b = NULL;
	if (kr_build_new(&b, &opts) == 0) {
		if (kr_build_run(b, dir) == 0) {
			const char *out;
			size_t len;
			(void)kr_build_output(b, &out, &len);
			for (size_t i = 0; i < kr_build_resource_count(b); i++) {
				const char *y, *fn;
				(void)kr_build_resource(b, i, &y, &len, &fn);
			}
		}
		kr_build_free(b);
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0)
		rm_tree(fd);
	rmdir(dir);
	return 0;
}
