/*
 * emit.h - print one resource exactly as `kustomize build` does.
 *
 * kustomize (v5.5.0) prints a resource by decoding its go-yaml v3 node into
 * Go values, json.Marshal-ing them, and passing the JSON through
 * sigs.k8s.io/yaml.JSONToYAML, i.e. a go-yaml v2 Unmarshal + Marshal.  The
 * emitter reproduces the bytes of that pipeline directly from a kr_node tree:
 * number re-typing and formatting, timestamp normalisation, key order
 * (go-yaml v2's keyList.Less), quoting, folding at 80 columns and block
 * layout.  See emit.c for the rules and the Go functions they mirror.
 */
#ifndef KR_EMIT_H
#define KR_EMIT_H

#include "buf.h"
#include "node.h"

/* Append to `out` the YAML text kustomize build prints for one resource
 * `doc` (normally a mapping), WITHOUT the "---\n" separator.  Returns 0, or
 * -1 with *err set to a static message when the value cannot be represented
 * (e.g. a NaN/Inf float, which Go's json.Marshal rejects).  On error, `out`
 * may hold a partial document: the caller discards it.  An allocation
 * failure of `out` is reported through out->failed, as for every kr_buf. */
int kr_emit_document(kr_buf *out, const kr_node *doc, const char **err);

/* go-yaml v2's ordering of two string mapping keys (sorter.go keyList.Less):
 * nonzero when key a sorts before key b.  Exposed for tests and for code
 * that needs kustomize's output order. */
int kr_emit_key_less(const char *a, size_t alen, const char *b, size_t blen);

/* Is `n` a scalar go-yaml v3 reads as !!timestamp (a plain date read
 * from a file; see emit.c)?  Such a value is not a string to kustomize. */
int kr_emit_is_timestamp(const kr_node *n);
/* Does go-yaml v3 read the plain scalar text s[0..n) as a !!timestamp? */
int kr_emit_text_is_timestamp(const char *s, size_t n);

#endif
