/*
 * hash.h - kustomize's name-suffix hasher (api/hasher/hasher.go) and the
 * helpers generated ConfigMaps and Secrets need (UTF-8 check, base64 as
 * kyaml encodes data values).
 */
#ifndef KR_HASH_H
#define KR_HASH_H

#include <stddef.h>

#include "arena.h"
#include "node.h"

/* The 10-character suffix kustomize appends to a generated object's name:
 * SHA-256 over the Go JSON encoding of {kind, name, data, binaryData}
 * (ConfigMap) or {kind, name, type, data, stringData} (Secret), with the
 * name always "" (the hasher looks `metadata/name` up as one field name,
 * which never exists), first 10 hex digits with 0->g 1->h 3->k a->m e->t.
 * Other kinds: the JSON of the whole object, which krender does not
 * produce (returns -2).  `out` gets 10 characters and a NUL.  -1 when out
 * of memory. */
int kr_hash_suffix(kr_arena *a, const kr_node *doc, char out[11]);

/* Go's utf8.Valid. */
int kr_utf8_valid(const char *s, size_t len);

/* kyaml's encodeBase64: standard base64; when the encoding is 70
 * characters or longer it is cut in lines of 70, each ending in '\n'.
 * NUL-terminated, in the arena; *outlen gets the length.  NULL when out
 * of memory. */
char *kr_base64_lines(kr_arena *a, const char *s, size_t len, size_t *outlen);

#endif
