/*
 * remote.h - remote kustomization roots (kustomize's git RepoSpec and
 * ClonerUsingGitExec), fetched with the `git` command into a cache
 * outside the source tree.
 *
 * A resource or component entry that parses as a repository URL becomes
 * a new kustomization root: the checkout of its ref, plus its
 * sub-directory.  kustomize clones afresh on every build; krender keeps
 * each checkout under $KRENDER_CACHE_DIR/git (else
 * $XDG_CACHE_HOME/krender/git, else ~/.cache/krender/git), keyed by the
 * clone URL and the resolved commit.
 */
#ifndef KR_REMOTE_H
#define KR_REMOTE_H

#include "ctx.h"

/* kustomize's RepoSpec, as NewRepoSpecFromURL fills it. */
typedef struct kr_repospec {
	const char *host;      /* "https://github.com/", "git@host:", "file://" */
	const char *repo_path; /* "org/repo", "/abs/path/repo.git" */
	const char *clone_url; /* host + repo_path: what git fetches */
	const char *subdir;    /* the kustomization root in the repo; "" top */
	const char *ref;       /* ?ref= (or ?version=); "" means HEAD */
	long timeout_ms;       /* ?timeout=; 0 when the URL does not say */
	int submodules;        /* ?submodules=; default 1 */
} kr_repospec;

/* Parse `url` as kustomize's NewRepoSpecFromURL does.  0 on success; -1
 * when it is not a repository URL (*err gets kustomize's reason, e.g.
 * "failed to parse scheme"); -2 when out of memory. */
int kr_repospec_parse(kr_arena *a, const char *url, kr_repospec *rs,
                      const char **err);

/* Is `url` an http(s) URL of a plain file (.yaml, .yml or .json), which
 * kustomize fetches with an HTTP GET (httpfile.h)? */
int kr_remote_is_plain_file(const char *url);

/* Fetch (or find in the cache) the repository `rs` names and give the
 * absolute, symlink-free path of its kustomization root (*root) and of
 * the checkout (*top).  Errors name `url` and what git printed. */
int kr_remote_root(kr_ctx *ctx, const char *url, const kr_repospec *rs,
                   const char **root, const char **top);

struct kr_kustomization;
struct kr_root_chain;
struct kr_node;

/* Does `entry` of k's resources or components name a remote root?  1
 * (rs filled), 0 (a local path), <0 an error: a plain http(s) file (the
 * caller reads those of `resources` first: httpfile.h), or out of
 * memory. */
int kr_remote_match(kr_ctx *ctx, const struct kr_kustomization *k,
                    const struct kr_node *entry, kr_repospec *rs);

/* What a remote root changes while it is built: kustomize's loader of a
 * clone is always LoadRestrictionsRootOnly, and the bases of its
 * kustomizations must stay inside the clone (ctx->remote_top). */
typedef struct kr_remote_scope {
	int load_restrictor;
	const char *top;
} kr_remote_scope;

/* Fetch the remote root `rs` names (entry of k), check it against the
 * chain of roots being built (cycles, nesting limit), and enter its
 * scope: *real is its kustomization root.  Leave with kr_remote_leave. */
int kr_remote_open(kr_ctx *ctx, const struct kr_kustomization *k,
                   const struct kr_root_chain *chain,
                   const struct kr_node *entry, const kr_repospec *rs,
                   const char **real, kr_remote_scope *saved);
void kr_remote_leave(kr_ctx *ctx, const kr_remote_scope *saved);

/* Remove the checkouts a build made with --remote-cache off. */
void kr_remote_cleanup(kr_ctx *ctx);

/* Remove a directory tree (errors ignored); mkdir -p of a writable path
 * (0, or -1 with errno set). */
void kr_remove_tree(const char *path);
int kr_mkdir_p(char *path);

#endif
