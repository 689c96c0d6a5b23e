#!/usr/bin/env python3
"""Generate src/smp_schema_data.c: the strategic-merge facts of the
Kubernetes OpenAPI schema that kustomize v5.5.0 embeds (v1.21.2).

kustomize's merge walker (kyaml walk/merge2) asks the schema three things
while it descends a resource: the schema of a field (a property, else
additionalProperties, following $ref), the schema of a list's elements
(only when the type is exactly "array"), and a list's
x-kubernetes-patch-strategy with its merge keys
(x-kubernetes-list-map-keys, else x-kubernetes-patch-merge-key).  A list is
merged by key when the strategy contains "merge"; every other list is
replaced.  The root schema of a resource is found by
x-kubernetes-group-version-kind.

This script keeps only those facts.  A schema node below which no list
merges ("boring") collapses into one shared node, so the table stays small.

usage: scripts/gen-smp-schema.py SWAGGER.pb > src/smp_schema_data.c

SWAGGER.pb is kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb of a kustomize
v5.5.0 checkout (a protobuf-encoded gnostic openapi_v2.Document); e.g.
  git -C KUSTOMIZE show kustomize/v5.5.0:kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb > /tmp/swagger.pb
The protobuf is decoded by hand below (wire format, field numbers of
gnostic's OpenAPIv2.proto), so no protobuf package is needed.
"""
import sys

# --- protobuf wire format -------------------------------------------------

def _varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i

def _fields(b):
    i, n = 0, len(b)
    while i < n:
        k, i = _varint(b, i)
        f, t = k >> 3, k & 7
        if t == 0:
            v, i = _varint(b, i)
        elif t == 1:
            v, i = b[i:i + 8], i + 8
        elif t == 5:
            v, i = b[i:i + 4], i + 4
        elif t == 2:
            ln, i = _varint(b, i)
            v, i = b[i:i + ln], i + ln
        else:
            raise ValueError("unsupported wire type %d" % t)
        yield f, v

def _group(b):
    d = {}
    for f, v in _fields(b):
        d.setdefault(f, []).append(v)
    return d

# --- the few shapes of YAML found in vendor extensions --------------------

def _ext_value(text):
    """x-kubernetes-* values: a scalar, a list of scalars, or a list of
    flat maps (group-version-kind)."""
    lines = [l for l in text.split("\n") if l.strip()]
    if not lines or not lines[0].startswith("- "):
        return text.strip()
    out = []
    for l in lines:
        if l.startswith("- "):
            body = l[2:]
            if ":" in body and not body.startswith('"'):
                out.append({})
                k, v = body.split(":", 1)
                out[-1][k.strip()] = _unquote(v.strip())
            else:
                out.append(_unquote(body.strip()))
        else:
            k, v = l.strip().split(":", 1)
            out[-1][k.strip()] = _unquote(v.strip())
    return out

def _unquote(s):
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s

# --- gnostic Schema message -------------------------------------------------

class Schema:
    __slots__ = ("ref", "types", "items", "addl", "props", "ext")

def _schema(b):
    g = _group(b)
    s = Schema()
    s.ref = g[1][0].decode() if 1 in g else ""
    s.types = [v.decode() for v in _group(g[22][0]).get(1, [])] if 22 in g else []
    s.items = None
    if 23 in g:
        its = _group(g[23][0]).get(1, [])
        if len(its) == 1:
            s.items = _schema(its[0])
    s.addl = None
    if 21 in g:
        a = _group(g[21][0])
        if 1 in a:
            s.addl = _schema(a[1][0])
    s.props = {}
    if 25 in g:
        for ns in _group(g[25][0]).get(1, []):
            n = _group(ns)
            s.props[n[1][0].decode()] = _schema(n[2][0]) if 2 in n else Schema()
    s.ext = {}
    for na in g.get(31, []):
        n = _group(na)
        name = n[1][0].decode()
        anyv = _group(n[2][0]) if 2 in n else {}
        s.ext[name] = _ext_value(anyv[2][0].decode()) if 2 in anyv else ""
    return s

def main():
    doc = _group(open(sys.argv[1], "rb").read())
    defs = {}
    for ns in _group(doc[9][0]).get(1, []):
        n = _group(ns)
        defs[n[1][0].decode()] = _schema(n[2][0])

    def resolve(s):
        seen = 0
        while s is not None and s.ref:
            name = s.ref.split("/")[-1]
            s = defs.get(name)
            seen += 1
            if seen > 64:
                return None
        return s

    def field_schemas(s):
        """(name, resolved schema) for every property; '*' stands for
        additionalProperties."""
        out = [(k, resolve(v)) for k, v in sorted(s.props.items())]
        if s.addl is not None:
            out.append(("*", resolve(s.addl)))
        return out

    def elements(s):
        if s.types != ["array"] or s.items is None:
            return None
        return resolve(s.items)

    def merges(s):
        return "merge" in str(s.ext.get("x-kubernetes-patch-strategy", "")).split(",")

    # Interesting: some list at or below merges.  Fixpoint over the graph
    # (the schema has cycles, e.g. JSONSchemaProps).
    allnodes = {}
    def collect(s):
        if s is None or id(s) in allnodes:
            return
        allnodes[id(s)] = s
        for _, c in field_schemas(s):
            collect(c)
        collect(elements(s))
    for d in defs.values():
        collect(d)
    interesting = {i for i, s in allnodes.items() if merges(s)}
    changed = True
    while changed:
        changed = False
        for i, s in allnodes.items():
            if i in interesting:
                continue
            kids = [c for _, c in field_schemas(s)] + [elements(s)]
            if any(c is not None and id(c) in interesting for c in kids):
                interesting.add(i)
                changed = True

    # Number the interesting nodes (definitions first, by name, then
    # inline ones in discovery order) so the output is stable.
    order, index = [], {}
    def number(s):
        if id(s) in index or id(s) not in interesting:
            return
        index[id(s)] = len(order) + 1     # 0 is the boring node
        order.append(s)
        for _, c in field_schemas(s):
            if c is not None:
                number(c)
        e = elements(s)
        if e is not None:
            number(e)
    for name in sorted(defs):
        number(defs[name])

    def ref(s):
        if s is None:
            return "NULL"
        return "&S[%d]" % index.get(id(s), 0)

    def cstr(x):
        return '"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"'

    o = sys.stdout
    o.write("/* Generated by scripts/gen-smp-schema.py from kustomize v5.5.0's\n"
            " * kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb; DO NOT EDIT.\n"
            " * See smp_schema.h and docs/design.md (strategic merge). */\n"
            "#include \"smp_schema.h\"\n\n")
    o.write("#define P(n, s) { n, s }\n")
    o.write("static const kr_schema S[%d];\n\n" % (len(order) + 1))
    o.write("const kr_schema *const kr_smp_opaque = &S[0];\n\n")
    keys_out, props_out = [], []
    for k, s in enumerate(order, 1):
        st = s.ext.get("x-kubernetes-patch-strategy")
        keys = None
        if st is not None:
            mk = s.ext.get("x-kubernetes-list-map-keys")
            if isinstance(mk, list):
                keys = mk
            elif "x-kubernetes-patch-merge-key" in s.ext:
                keys = [s.ext["x-kubernetes-patch-merge-key"]]
            else:
                keys = []
        if keys:
            keys_out.append("static const char *const K%d[] = { %s, NULL };\n"
                            % (k, ", ".join(cstr(x) for x in keys)))
        fs = [(n, c) for n, c in field_schemas(s) if n != "*"]
        if fs:
            props_out.append("static const kr_schema_prop P%d[] = {\n%s};\n"
                             % (k, "".join("\tP(%s, %s),\n" % (cstr(n), ref(c))
                                           for n, c in fs)))
    o.write("".join(keys_out) + "\n" + "".join(props_out) + "\n")
    o.write("static const kr_schema S[%d] = {\n" % (len(order) + 1))
    o.write("\t{ 1, NULL, NULL, NULL, NULL, NULL, 0 }, /* opaque: nothing below merges */\n")
    for k, s in enumerate(order, 1):
        st = s.ext.get("x-kubernetes-patch-strategy")
        keysref = "K%d" % k if any(l.startswith("static const char *const K%d[]" % k)
                                   for l in keys_out) else "NULL"
        fs = [(n, c) for n, c in field_schemas(s) if n != "*"]
        addl = s.addl is not None and ref(resolve(s.addl)) or "NULL"
        el = elements(s)
        o.write("\t{ 0, %s, %s, %s, %s, %s, %d },\n" % (
            cstr(st) if st is not None else "NULL", keysref,
            ref(el) if el is not None else "NULL", addl,
            "P%d" % k if fs else "NULL", len(fs)))
    o.write("};\n\n")
    roots = []
    for name in sorted(defs):
        d = defs[name]
        for gvk in d.ext.get("x-kubernetes-group-version-kind", []) or []:
            if not isinstance(gvk, dict):
                continue
            av = gvk.get("version", "")
            if gvk.get("group"):
                av = gvk["group"] + "/" + av
            roots.append((av, gvk.get("kind", ""), ref(d)))
    roots.sort()
    o.write("const kr_schema_root kr_smp_builtin_roots[] = {\n")
    for av, kind, r in roots:
        o.write("\t{ %s, %s, %s },\n" % (cstr(av), cstr(kind), r))
    o.write("};\n")
    o.write("const size_t kr_smp_builtin_nroots = %d;\n\n" % len(roots))
    # every definition by name, for $refs of custom schemas that kustomize
    # resolves against the builtin definitions (smp_schema.h)
    o.write("const kr_schema_def kr_smp_builtin_defs[] = {\n")
    for name in sorted(defs):
        o.write("\t{ %s, %s },\n" % (cstr(name), ref(defs[name])))
    o.write("};\n")
    o.write("const size_t kr_smp_builtin_ndefs = %d;\n" % len(defs))

if __name__ == "__main__":
    main()
