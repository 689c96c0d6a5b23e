/*
 * discover.c - finding the kustomizations of a tree (kr_find_kustomizations
 * in krender.h), for `krender check` and CI scripts.
 *
 * A directory is a kustomization when it holds one of kustomize's file
 * names as a regular file (or a link to one).  The walk visits entries in
 * byte order so that the result does not depend on the file system, skips
 * `.git`, and does not follow symbolic links to directories (a link
 * pointing up the tree would never end; kustomize's own loader follows
 * them, so a kustomization reached only that way is still built as a base
 * of whatever lists it).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "fsutil.h"
#include "node.h"
#include "parse.h"

static const char *const kust_names[] = {
	"kustomization.yaml", "kustomization.yml", "Kustomization"
};

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir), m = strlen(name);
	char *p = malloc(n + m + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, n);
	size_t w = n;
	if (n == 0 || dir[n - 1] != '/')
		p[w++] = '/';
	memcpy(p + w, name, m + 1);
	return p;
}

/* The `kind` of a kustomization file: "Component" or "Kustomization"
 * (also when the file cannot be read or parsed: building it reports
 * that). */
static const char *file_kind(const char *path)
{
	kr_ctx ctx;
	kr_ctx_init(&ctx, NULL);
	const char *kind = "Kustomization";
	char *data;
	size_t len;
	kr_doclist docs = { 0 };
	if (kr_read_file(&ctx, path, path, &data, &len) == 0 &&
	    kr_yaml_parse(&ctx, path, data, len, KR_YAML_DUP_LAST_WINS, &docs) == 0 &&
	    docs.len > 0 && kr_scalar_is(kr_map_get(docs.docs[0], "kind"), "Component"))
		kind = "Component";
	kr_ctx_free(&ctx);
	return kind;
}

/* 1 and *kind when dir holds a kustomization file, else 0. */
static int is_kustomization_dir(const char *dir, const char **kind)
{
	for (size_t i = 0; i < sizeof(kust_names) / sizeof(kust_names[0]); i++) {
		char *p = join(dir, kust_names[i]);
		if (!p)
			return KR_ENOMEM;
		struct stat st;
		int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
		if (ok)
			*kind = file_kind(p);
		free(p);
		if (ok)
			return 1;
	}
	return 0;
}

/* The sub-directories of `dir` (not links, not .git), sorted. */
static int list_subdirs(const char *dir, char ***out, size_t *count)
{
	DIR *d = opendir(dir);
	*out = NULL;
	*count = 0;
	if (!d)
		return errno == ENOMEM ? KR_ENOMEM : KR_EIO;
	size_t n = 0, cap = 0;
	char **v = NULL;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".git"))
			continue;
		char *p = join(dir, name);
		if (!p) {
			rc = KR_ENOMEM;
			break;
		}
		struct stat st;
		if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
			free(p);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*nv));
			if (!nv) {
				free(p);
				rc = KR_ENOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = p;
	}
	closedir(d);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*out = v;
	*count = n;
	return 0;
}

static int walk(const char *dir,
                int (*fn)(void *, const char *, const char *), void *payload)
{
	const char *kind = NULL;
	int rc = is_kustomization_dir(dir, &kind);
	if (rc < 0)
		return rc;
	if (rc == 1 && (rc = fn(payload, dir, kind)) != 0)
		return rc;
	char **subs;
	size_t n;
	if ((rc = list_subdirs(dir, &subs, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = walk(subs[i], fn, payload);
		free(subs[i]);
	}
	free(subs);
	return rc;
}

int kr_find_kustomizations(const char *path,
                           int (*fn)(void *payload, const char *dir,
                                     const char *kind),
                           void *payload)
{
	if (!path || !fn)
		return KR_EUSAGE;
	struct stat st;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? KR_ENOTFOUND : KR_EIO;
	if (!S_ISDIR(st.st_mode))
		return KR_EUSAGE;
	return walk(path, fn, payload);
}
