/*
 * smp.h - strategic merge of one patch into one object, as kustomize
 * v5.5.0 does it (kyaml's merge2.Merge driven by the walk package, with
 * the list direction "prepend"; api/filters/patchstrategicmerge).
 *
 * The walk goes over the union of the two trees, fields in sorted order:
 *  - a mapping merges field by field; `$patch: delete` removes it,
 *    `$patch: replace` takes the patch's mapping; a null in the patch
 *    deletes the field;
 *  - a scalar, and a list the schema gives no merge strategy, is replaced
 *    by the patch's;
 *  - a list whose schema strategy contains "merge" merges element by
 *    element on the schema's merge keys: the patch's elements first, in
 *    patch order, then the object's other elements; an element with
 *    `$patch: delete` is removed, a list holding `{$patch: replace}`
 *    replaces the object's list.  Lists of scalars merge as sets.
 * kustomize's quirks are kept on purpose (each is commented in smp.c):
 * an element's `$patch: replace` does not replace it, a replaced scalar
 * takes the style (so the quoting, hence the type) of the value it
 * replaces, an empty `key:` in the object disappears while `key: null`
 * stays, and `$setElementOrder`, `$retainKeys` and
 * `$deleteFromPrimitiveList` are not directives (kyaml does not know
 * them) but ordinary fields.
 */
#ifndef KR_SMP_H
#define KR_SMP_H

#include "ctx.h"
#include "node.h"
#include "smp_schema.h"

/* Merge `patch` into `dest` (both mappings; both may be changed).  *out is
 * the merged object (usually `dest`, the patch itself after a top-level
 * `$patch: replace`), or NULL when the patch deleted it.  `src` names the
 * patch in messages. */
int kr_smp_merge(kr_ctx *ctx, const kr_schema_set *schemas, const char *src,
                 kr_node *patch, kr_node *dest, kr_node **out);

/* Set a scalar field as kyaml's FieldSetter does with a new untyped
 * scalar (SetName, SetKind, SetNamespace...): an existing value keeps its
 * style, and the text is typed as that style makes go-yaml type it.
 * Creates the field when missing. */
int kr_smp_set_string_field(kr_ctx *ctx, kr_node *map, const char *key,
                            const char *text);

#endif
