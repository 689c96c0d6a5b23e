/*
 * kdecode.h - decoding kustomization values the way kustomize's go-yaml v2
 * + encoding/json pipeline does.
 *
 * kustomize reads a kustomization file with sigs.k8s.io/yaml: go-yaml v2
 * turns the YAML into JSON, typing plain scalars by YAML 1.1 (`yes`, `on`,
 * `y` are bools, `0x1F`, `017`, `0o17`, `1_000` ints, `.5` and `08`
 * floats), and Go's encoding/json decodes that JSON into typed structs:
 * field names match case-insensitively, an unknown field is an error, a
 * value of the wrong JSON type is an error ("cannot unmarshal bool into Go
 * struct field Kustomization.namePrefix of type string"), null leaves a
 * field as it was.  This module holds that pipeline for krender:
 *  - the one YAML 1.1 resolver (kr_y11_resolve) and the type and value it
 *    gives a node (kr_y11_type_of, kr_y11_value_of), unlike the go-yaml v3
 *    typing of resources (node.h);
 *  - the text Go sees when sigs.k8s.io/yaml converts a scalar to a string
 *    (kr_y11_as_string: map keys, and string fields of configuration files);
 *  - decoders for the shapes the transformers read from a kustomization:
 *    string, bool, int64, list, struct (members one by one, in the order
 *    encoding/json meets them) and map[string]string.  Their errors are at the
 *    value's line:col in the kustomization file and read
 *      invalid Kustomization: '<what>' must be <expected>, not <got>
 *      (kubectl: json: cannot unmarshal <json type> into Go struct field
 *      <gofield> of type <gotype>)
 *    `what` is krender's name for the value ("images[0].newTag"), `gofield`
 *    encoding/json's (the innermost struct's type name, then the JSON field
 *    names from the top without indices: "Image.images.newTag").
 */
#ifndef KR_KDECODE_H
#define KR_KDECODE_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "kustomization.h"
#include "node.h"

/* What go-yaml v2 makes of a node, as sigs.k8s.io/yaml sees it. */
typedef enum kr_y11_type {
	KR_Y11_STR = 0,
	KR_Y11_NULL,
	KR_Y11_BOOL,
	KR_Y11_INT,
	KR_Y11_FLOAT,
	KR_Y11_MAP,
	KR_Y11_SEQ
} kr_y11_type;

/* The Go value of a scalar. */
typedef struct kr_y11_value {
	int b;              /* KR_Y11_BOOL */
	int is_unsigned;    /* KR_Y11_INT above INT64_MAX: the value is in u */
	int64_t i;          /* KR_Y11_INT */
	uint64_t u;
	double f;           /* KR_Y11_FLOAT (also +-Inf and NaN) */
} kr_y11_value;

/* go-yaml v2's resolve() of an untagged plain scalar's text: null, bool,
 * int, float (strconv's syntax and ranges; underscores are dropped before
 * the number parses) or string (timestamps included).  *v gets the value. */
kr_y11_type kr_y11_resolve(const char *s, size_t len, kr_y11_value *v);

/* The type of node `n`: MAP, SEQ, a quoted scalar STR, a plain one as
 * resolved, an explicitly tagged one as its tag says (!!float 1 is the
 * float 1).  `v` may be NULL. */
kr_y11_type kr_y11_value_of(const kr_node *n, kr_y11_value *v);
kr_y11_type kr_y11_type_of(const kr_node *n);

/* n is absent (NULL) or a YAML 1.1 null. */
int kr_y11_is_null(const kr_node *n);

/* encoding/json's word for what `n` decodes to, for messages: "string",
 * "null", "bool", "number", "object" or "array". */
const char *kr_y11_json_kind(const kr_node *n);

/* The text sigs.k8s.io/yaml gives a scalar converted to a Go string (a
 * mapping key, or a string field of a configuration file): strings as they
 * are, null as "", bools as "true"/"false", ints in decimal, floats by
 * strconv.FormatFloat(f, 'g', -1, 32).  NULL when out of memory. */
const char *kr_y11_as_string(kr_arena *a, const kr_node *n);

/* ---- decoding a kustomization's fields ------------------------------- */

/* A Go string field.  Absent or null leaves *out as it is; otherwise *out
 * is the node's text (only a YAML 1.1 string is accepted). */
int kr_kust_decode_string(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char *what, const char *gofield, const char **out);

/* A Go bool field (true/false/yes/no/on/off/y/n...); absent or null leaves
 * *out as it is. */
int kr_kust_decode_bool(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                        const char *what, const char *gofield, int *out);

/* A Go int64 field; absent or null leaves *out as it is.  A float
 * converts when its JSON form parses as an int64 (3.0 and 1e3 do, 3.5 and
 * 1e19 do not). */
int kr_kust_decode_int64(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                         const char *what, const char *gofield, int64_t *out);

/* A Go slice field: *out is the sequence, or NULL when absent or null.
 * `expected` describes it in the message (NULL: "a list"); `gotype` is
 * the Go type ("[]types.Image"). */
int kr_kust_decode_list(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                        const char *what, const char *expected, const char *gofield,
                        const char *gotype, const kr_node **out);

/* The members of a mapping in the order encoding/json decodes them:
 * sigs.k8s.io/yaml writes a JSON object with its keys sorted (by bytes,
 * each as go-yaml v2 texts it: `yes:` is "true"), so of two keys that
 * differ only in case (`Name:`, `name:`) the one sorting last wins, and
 * the first error is that of the first key in this order (kubectl reports
 * `bogus:` before `newTag: 1`, but `newTag: 1` before `zzz:`). */
typedef struct kr_kmember {
	const char *name;            /* the JSON key */
	const kr_node *key, *value;
	uint32_t index;              /* position in the mapping */
} kr_kmember;

typedef struct kr_kmembers {
	kr_kmember *items;
	uint32_t len;
} kr_kmembers;

/* The members of a Go struct value, sorted as above; none when absent or
 * null.  Each is then decoded with kr_kust_decode_member (NULL `expected`:
 * "a mapping"). */
int kr_kust_decode_struct(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                          const char *what, const char *expected, const char *gofield,
                          const char *gotype, kr_kmembers *out);

/* The field a member of struct `what` sets: the index in `fields` of its
 * name, matched case-insensitively, or an "unknown field" error (a
 * negative code; DisallowUnknownFields). */
int kr_kust_decode_member(kr_ctx *ctx, const kr_kustomization *k, const kr_kmember *m,
                          const char *what, const char *const *fields, size_t nfields);

/* A map[string]string, as pairs of texts. */
typedef struct kr_strpair {
	const char *key, *val;
	size_t klen, vlen;
} kr_strpair;

typedef struct kr_strmap {
	kr_strpair *items;
	size_t len, cap;
} kr_strmap;

/* A Go map[string]string field, added to `m` (encoding/json reuses a map:
 * a key given again is replaced); null empties it, absent leaves it.  A
 * null value is "", any other value must be a YAML 1.1 string; a key that
 * go-yaml v2 reads as something else (`1:`, `true:`, `yes:`) or as null
 * is refused (kustomize could not print it back as a key). */
int kr_kust_decode_string_map(kr_ctx *ctx, const kr_kustomization *k, const kr_node *n,
                              const char *what, const char *gofield, kr_strmap *m);

#endif
