/*
 * generators.h - configMapGenerator, secretGenerator and generatorOptions
 * (kustomize's ConfigMapGenerator / SecretGenerator builtins, api/kv and
 * api/internal/generators), and the top-level hash suffixes
 * (kustomize's addHashesToNames).
 *
 * kr_generators_run() runs in each kustomization after its resources are
 * accumulated and before its transformers: every ConfigMap generator, then
 * every Secret generator, in order.  Each generated object is added to the
 * layer's map the way kustomize's AbsorbAll adds it: `create` (or no
 * behavior) appends it and fails when an object of the same id (current or
 * previous) exists; `merge` and `replace` need exactly one such object and
 * take its place (metadata merged; `merge` also merges data and
 * binaryData).  Generated objects are marked as needing a hash suffix
 * unless disableNameSuffixHash is set.
 *
 * kr_generators_add_hashes() runs once at the top, after all transformers
 * and before name references: each marked object gets `<name>-<hash>` and
 * its previous id is recorded, so name references follow.
 */
#ifndef KR_GENERATORS_H
#define KR_GENERATORS_H

#include <stddef.h>

#include "ctx.h"
#include "kustomization.h"
#include "resource.h"

typedef struct kr_gen_kv {
	const char *key, *val;
	size_t klen, vlen;
} kr_gen_kv;

typedef struct kr_gen_kvlist {
	kr_gen_kv *items;
	size_t len, cap;
} kr_gen_kvlist;

/* A literal source `KEY=VALUE` (api/kv parseLiteralSource): split at the
 * first '='; a value wrapped in matching '"' or '\'' loses them.  No '='
 * or a leading '=' is an error. */
int kr_gen_parse_literal(kr_ctx *ctx, const char *src, kr_gen_kv *out);

/* A file source `path` (key: the path's last element) or `key=path`
 * (api/internal/generators ParseFileSource). */
int kr_gen_parse_file_source(kr_ctx *ctx, const char *src, const char **key,
                             const char **path);

/* The pairs of an env file (api/kv keyValuesFromLines): lines split at
 * '\n' (a '\r' before it dropped), a UTF-8 BOM dropped from the first
 * line, leading Unicode white space trimmed, empty lines and '#' comments
 * skipped; key up to the first '=' (kept as written, trailing spaces
 * included), value after it as written (no quote handling), "" when there
 * is no '='; a line whose key is empty is skipped.  A line that is not
 * valid UTF-8 is an error.  `display` names the file in messages. */
int kr_gen_parse_env(kr_ctx *ctx, const char *display, const char *data, size_t len,
                     kr_gen_kvlist *out);

int kr_generators_run(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m);
/* The same with the origin annotation of a generator plugin config
 * (buildmeta.h) instead of the builtin generators' one. */
int kr_generators_run_origin(kr_ctx *ctx, const kr_kustomization *k, kr_resmap *m,
                             const char *origin);

int kr_generators_add_hashes(kr_ctx *ctx, kr_resmap *m);
/* Add a generated object to m as kustomize's appendReplaceOrMerge does,
 * with `behavior` ("", "create", "merge" or "replace"); needs_hash marks
 * it for a hash suffix (exec plugins: execplugin.c). */
int kr_generators_absorb(kr_ctx *ctx, kr_resmap *m, kr_node *doc, const char *behavior,
                         int needs_hash, const char *origin);

#endif
