#!/bin/sh
# Hostile and broken inputs: malformed YAML in every kind of file krender
# reads, alias bombs, deep nesting, binary garbage, invalid UTF-8, huge
# scalars, many documents, self-including kustomizations, special files.
# Each must end within a time limit and under a memory limit with either a
# clear error (exit 1, "Error: " naming the file) or a result (exit 0),
# never a crash (exit status >= 128: a signal), a hang or a memory blow-up.
# Small fixed inputs are in fixtures/hostile/, the big ones are generated.
#
# usage: sh tests/hostile.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

fx=$src/fixtures/hostile

# Limits: 2 GB of address space and 10 s, unless the binary is built with
# AddressSanitizer (it reserves terabytes of address space and runs slower).
limit_vm="ulimit -v 2000000;"
secs=10
if ! (ulimit -v 2000000; "$bin" version) > /dev/null 2>&1; then
	limit_vm=""
	secs=60
fi

CM='apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
'

# put CASE FILE TEXT: a file of a case's tree (printf %b: \n, \0NNN)
put() {
	mkdir -p "$(dirname "$tmp/$1/$2")"
	printf '%b' "$3" > "$tmp/$1/$2"
}

# run CASE EXPECT [FLAGS...]: build $tmp/CASE; EXPECT is "ok" (exit 0) or
# "err:TEXT" (exit 1 and TEXT in stderr, usually the file's name) or "any"
# (either, but no crash).
run() {
	c=$1
	want=$2
	shift 2
	start=$(date +%s)
	(eval "$limit_vm" cd "$tmp/$c" && exec timeout "$secs" "$bin" build . "$@") \
		> "$tmp/out" 2> "$tmp/err"
	rc=$?
	t=$(( $(date +%s) - start ))
	if [ $rc -ge 124 ]; then
		fail "$c: exit $rc after ${t}s (timeout, crash or signal): $(head -c 300 "$tmp/err")"
		return
	fi
	case $want in
	ok)
		[ $rc -eq 0 ] && pass "$c: result (${t}s)" ||
			fail "$c: rc=$rc: $(head -c 300 "$tmp/err")" ;;
	any)
		[ $rc -le 1 ] && pass "$c: rc=$rc (${t}s)" ||
			fail "$c: rc=$rc: $(head -c 300 "$tmp/err")" ;;
	err:*)
		text=${want#err:}
		if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q '^Error: ' "$tmp/err" &&
		   grep -qF -- "$text" "$tmp/err"; then
			pass "$c: error naming '$text' (${t}s)"
		else
			fail "$c: rc=$rc, want an error naming '$text': $(head -c 300 "$tmp/err")"
		fi ;;
	esac
}

# ---- malformed YAML in every kind of file ----
put kust_malformed kustomization.yaml 'resources: [a.yaml\n'
run kust_malformed "err:kustomization.yaml:"
put resource_malformed kustomization.yaml 'resources: [r.yaml]\n'
put resource_malformed r.yaml 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n'
run resource_malformed "err:r.yaml:"
put patch_malformed kustomization.yaml 'resources: [r.yaml]\npatches:\n- path: p.yaml\n'
put patch_malformed r.yaml "$CM"
put patch_malformed p.yaml 'metadata:\n  name: cm\n  - bad\n'
run patch_malformed "err:p.yaml"
put psm_malformed kustomization.yaml 'resources: [r.yaml]\npatchesStrategicMerge: [p.yaml]\n'
put psm_malformed r.yaml "$CM"
put psm_malformed p.yaml 'kind: ConfigMap\nmetadata: [name: cm\n'
run psm_malformed "err:p.yaml"
put json6902_malformed kustomization.yaml 'resources: [r.yaml]\npatchesJson6902:\n- target: {version: v1, kind: ConfigMap, name: cm}\n  path: ops.yaml\n'
put json6902_malformed r.yaml "$CM"
put json6902_malformed ops.yaml '- op: add\n  path: "/data\n'
run json6902_malformed "err:ops.yaml"
put env_malformed kustomization.yaml 'configMapGenerator:\n- name: g\n  envs: [app.env]\n'
put env_malformed app.env 'GOOD=1\n=novalue\na b=1\nx\n\0377\0376=\n'
run env_malformed any
put configurations_malformed kustomization.yaml 'resources: [r.yaml]\nconfigurations: [c.yaml]\n'
put configurations_malformed r.yaml "$CM"
put configurations_malformed c.yaml 'nameReference:\n- kind: ConfigMap\n  fieldSpecs: [path: x\n'
run configurations_malformed "err:c.yaml"
put openapi_malformed kustomization.yaml 'resources: [r.yaml]\nopenapi:\n  path: schema.json\n'
put openapi_malformed r.yaml "$CM"
put openapi_malformed schema.json '{"definitions": {"x": \n'
run openapi_malformed "err:schema.json"
put replacement_malformed kustomization.yaml 'resources: [r.yaml]\nreplacements:\n- path: r1.yaml\n'
put replacement_malformed r.yaml "$CM"
put replacement_malformed r1.yaml 'source: {kind: ConfigMap\n'
run replacement_malformed "err:r1.yaml"
put plugin_config_malformed kustomization.yaml 'resources: [r.yaml]\ntransformers: [t.yaml]\n'
put plugin_config_malformed r.yaml "$CM"
put plugin_config_malformed t.yaml 'apiVersion: builtin\nkind: LabelTransformer\nlabels: {a: b\n'
run plugin_config_malformed "err:t.yaml"
put generator_config_malformed kustomization.yaml 'generators: [g.yaml]\n'
put generator_config_malformed g.yaml 'apiVersion: builtin\n  kind: ConfigMapGenerator\n'
run generator_config_malformed "err:g.yaml"
put crds_malformed kustomization.yaml 'resources: [r.yaml]\ncrds: [crd.json]\n'
put crds_malformed r.yaml "$CM"
put crds_malformed crd.json '{"x": {"Schema": \n'
run crds_malformed "err:crd.json"
put component_malformed kustomization.yaml 'resources: [r.yaml]\ncomponents: [comp]\n'
put component_malformed r.yaml "$CM"
put component_malformed comp/kustomization.yaml 'kind: Component\napiVersion: kustomize.config.k8s.io/v1alpha1\nnamePrefix: [\n'
run component_malformed "err:comp/kustomization.yaml"
put base_malformed kustomization.yaml 'resources: [base]\n'
put base_malformed base/kustomization.yaml 'resources:\n- a\n b\n'
run base_malformed "err:base/kustomization.yaml"
put tab_indent kustomization.yaml 'resources:\n\t- r.yaml\n'
run tab_indent "err:kustomization.yaml"

# ---- bombs and nesting ----
put alias_bomb_resource kustomization.yaml 'resources: [lol.yaml]\n'
cp "$fx/billion-laughs.yaml" "$tmp/alias_bomb_resource/lol.yaml"
run alias_bomb_resource "err:lol.yaml"
put alias_bomb_kustomization kustomization.yaml \
	"$(sed -n '6,14p' "$fx/billion-laughs.yaml" | sed 's/^  /x/')\n"
run alias_bomb_kustomization "err:kustomization.yaml"
put alias_bomb_patch kustomization.yaml 'resources: [r.yaml]\npatches:\n- path: p.yaml\n'
put alias_bomb_patch r.yaml "$CM"
cp "$fx/billion-laughs.yaml" "$tmp/alias_bomb_patch/p.yaml"
run alias_bomb_patch "err:p.yaml"
put alias_linear kustomization.yaml 'resources: [r.yaml]\n'
awk 'BEGIN { print "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:";
	print "  k0: &a0 v"; for (i = 1; i < 20000; i++) printf "  k%d: *a0\n", i }' \
	> "$tmp/alias_linear/r.yaml"
run alias_linear ok
put deep_flow_seq kustomization.yaml 'resources: [deep.yaml]\n'
awk 'BEGIN { s = "x: "; for (i = 0; i < 100000; i++) s = s "["; print s }' > "$tmp/deep_flow_seq/deep.yaml"
run deep_flow_seq "err:deep.yaml"
put deep_flow_map kustomization.yaml ''
awk 'BEGIN { s = "namePrefix: "; for (i = 0; i < 100000; i++) s = s "{a: "; print s }' > "$tmp/deep_flow_map/kustomization.yaml"
run deep_flow_map "err:kustomization.yaml"
put deep_block kustomization.yaml 'resources: [deep.yaml]\n'
awk 'BEGIN { print "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:";
	ind = "  "; for (i = 0; i < 5000; i++) { print ind "a:"; ind = ind " " } print ind "b: c" }' \
	> "$tmp/deep_block/deep.yaml"
run deep_block "err:deep.yaml"
put deep_patch kustomization.yaml 'resources: [r.yaml]\npatches:\n- path: p.yaml\n'
put deep_patch r.yaml "$CM"
awk 'BEGIN { s = "kind: ConfigMap\nmetadata: {name: cm}\ndata: "; for (i = 0; i < 100000; i++) s = s "["; print s }' > "$tmp/deep_patch/p.yaml"
run deep_patch "err:p.yaml"

# ---- garbage and encodings ----
put garbage_resource kustomization.yaml 'resources: [g.yaml]\n'
cp "$fx/garbage.bin" "$tmp/garbage_resource/g.yaml"
run garbage_resource "err:g.yaml"
mkdir -p "$tmp/garbage_kustomization"
cp "$fx/garbage.bin" "$tmp/garbage_kustomization/kustomization.yaml"
run garbage_kustomization "err:kustomization.yaml"
put garbage_env kustomization.yaml 'configMapGenerator:\n- name: g\n  envs: [g.env]\n'
cp "$fx/garbage.bin" "$tmp/garbage_env/g.env"
run garbage_env "err:g.env"
put nul_bytes kustomization.yaml 'resources: [n.yaml]\n'
put nul_bytes n.yaml 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\0b\n'
run nul_bytes "err:n.yaml"
put invalid_utf8 kustomization.yaml 'resources: [u.yaml]\n'
cp "$fx/invalid-utf8.yaml" "$tmp/invalid_utf8/u.yaml"
run invalid_utf8 "err:u.yaml"
put invalid_utf8_kustomization kustomization.yaml 'namePrefix: "a\0377\0376"\n'
run invalid_utf8_kustomization "err:kustomization.yaml"
put utf8_bom kustomization.yaml 'resources: [b.yaml]\n'
cp "$fx/utf8-bom.yaml" "$tmp/utf8_bom/b.yaml"
run utf8_bom any
put utf16 kustomization.yaml 'resources: [u.yaml]\n'
cp "$fx/utf16.yaml" "$tmp/utf16/u.yaml"
run utf16 "err:u.yaml"

# ---- size ----
put huge_scalar kustomization.yaml 'resources: [big.yaml]\n'
{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: '
  head -c 50000000 /dev/zero | tr '\0' 'x'; echo; } > "$tmp/huge_scalar/big.yaml"
run huge_scalar any
rm -f "$tmp/huge_scalar/big.yaml"
put many_docs kustomization.yaml 'resources: [many.yaml]\n'
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  k: v\n", i }' \
	> "$tmp/many_docs/many.yaml"
run many_docs any
put many_lines kustomization.yaml 'resources: [lines.yaml]\n'
{ printf '%s' "$CM"; awk 'BEGIN { for (i = 0; i < 2000000; i++) print "# comment" }'; } \
	> "$tmp/many_lines/lines.yaml"
run many_lines ok
put empty_docs kustomization.yaml 'resources: [e.yaml]\n'
awk 'BEGIN { for (i = 0; i < 100000; i++) print "---" }' > "$tmp/empty_docs/e.yaml"
run empty_docs any
put long_key kustomization.yaml 'resources: [k.yaml]\n'
{ printf '%sdata:\n  ' "$CM"; head -c 2000000 /dev/zero | tr '\0' 'k'; printf ': v\n'; } > "$tmp/long_key/k.yaml"
run long_key any
put many_resources kustomization.yaml ''
{ echo 'resources:'; awk 'BEGIN { for (i = 0; i < 2000; i++) printf "- r%d.yaml\n", i }'; } \
	> "$tmp/many_resources/kustomization.yaml"
i=0
while [ $i -lt 2000 ]; do
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r%d\n' $i > "$tmp/many_resources/r$i.yaml"
	i=$((i + 1))
done
run many_resources ok

# ---- structure: cycles, depth, special files ----
put self_include kustomization.yaml 'resources: [.]\n'
run self_include "err:kustomization.yaml"
put mutual_include kustomization.yaml 'resources: [a]\n'
put mutual_include a/kustomization.yaml 'resources: [../b]\n'
put mutual_include b/kustomization.yaml 'resources: [../a]\n'
run mutual_include "err:"
mkdir -p "$tmp/deep_bases"
d=$tmp/deep_bases
i=0
while [ $i -lt 300 ]; do
	printf 'resources: [b]\n' > "$d/kustomization.yaml"
	d=$d/b
	mkdir -p "$d"
	i=$((i + 1))
done
printf 'resources: [r.yaml]\n' > "$d/kustomization.yaml"
printf '%s' "$CM" > "$d/r.yaml"
run deep_bases any
put symlink_loop kustomization.yaml 'resources: [loop.yaml]\n'
ln -s loop.yaml "$tmp/symlink_loop/loop.yaml"
run symlink_loop "err:loop.yaml"
put dir_symlink_loop kustomization.yaml 'resources: [up]\n'
ln -s . "$tmp/dir_symlink_loop/up"
run dir_symlink_loop "err:"
put fifo_resource kustomization.yaml 'resources: [fifo.yaml]\n'
mkfifo "$tmp/fifo_resource/fifo.yaml"
run fifo_resource "err:fifo.yaml"
put dev_zero kustomization.yaml 'resources: [/dev/zero]\n'
run dev_zero "err:/dev/zero" --load-restrictor LoadRestrictionsNone
put dev_zero_env kustomization.yaml 'configMapGenerator:\n- name: z\n  envs: [/dev/zero]\n'
run dev_zero_env "err:/dev/zero" --load-restrictor LoadRestrictionsNone
put huge_replicas kustomization.yaml 'resources: [r.yaml]\nreplicas:\n- name: d\n  count: 1e400\n'
put huge_replicas r.yaml 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n'
run huge_replicas "err:kustomization.yaml"

# ---- limits: each names the file, the limit and the flag that raises it ----
# limit CASE FILE FLAG [BUILD FLAGS...]: an error naming FILE and FLAG
limit() {
	c=$1
	file=$2
	flag=$3
	shift 3
	before=$fails
	run "$c" "err:$file" "$@"
	[ $fails -eq $before ] || return
	grep -qF -- "$flag" "$tmp/err" && grep -q 'limit' "$tmp/err" &&
		pass "$c: names the limit and $flag" ||
		fail "$c: the error does not name the limit and $flag: $(head -c 300 "$tmp/err")"
}
# a sparse 70 MB file is refused before it is read (default 64 MiB)
put limit_file_size kustomization.yaml 'resources: [big.yaml]\n'
truncate -s 70M "$tmp/limit_file_size/big.yaml"
limit limit_file_size big.yaml --max-file-size
put limit_file_size_kust kustomization.yaml 'resources: [r.yaml]\n'
put limit_file_size_kust r.yaml "$CM"
limit limit_file_size_kust kustomization.yaml --max-file-size --max-file-size 16
# raised, the same file is read (and rejected as YAML: it is all NULs)
run limit_file_size "err:big.yaml" --max-file-size 80m
grep -q -- --max-file-size "$tmp/err" && fail "limit_file_size: still the limit at 80m" ||
	pass "limit_file_size: --max-file-size 80m raises it"
limit many_docs many.yaml --max-documents --max-documents 1000
# 2,000,000 small documents (29 MB): the default limit stops the parse early
put limit_documents_default kustomization.yaml 'resources: [docs.yaml]\n'
awk 'BEGIN { for (i = 0; i < 2000000; i++) printf "---\na: %d\n", i }' \
	> "$tmp/limit_documents_default/docs.yaml"
limit limit_documents_default docs.yaml:200001:1 --max-documents
rm -f "$tmp/limit_documents_default/docs.yaml"
run many_docs ok --max-documents 20000
limit many_resources r1000.yaml --max-resources --max-resources 1000
limit alias_linear r.yaml --max-alias-nodes --max-alias-nodes 100
limit deep_block deep.yaml --max-depth --max-depth 50
limit deep_bases kustomization.yaml --max-kustomization-depth --max-kustomization-depth 10
run deep_bases "err:--max-kustomization-depth" --max-kustomization-depth=10
put limit_bad_value kustomization.yaml 'resources: [r.yaml]\n'
put limit_bad_value r.yaml "$CM"
run limit_bad_value "err:--max-documents" --max-documents 0
run limit_bad_value "err:--max-depth" --max-depth=5x
run limit_bad_value "err:--max-resources" --max-resources -1

# ---- no Secret generator value in any error message ----
# each tree has a Secret generator holding the value, and an error
secret=hunter2-S3cr3t-value
put secret_bad_literal kustomization.yaml "secretGenerator:\n- name: s\n  literals: [\"k=$secret\", x]\n"
put secret_dup_key kustomization.yaml "secretGenerator:\n- name: s\n  literals: [k=$secret, k=$secret]\n"
put secret_env_dup kustomization.yaml "secretGenerator:\n- name: s\n  envs: [s.env]\n  literals: [K=$secret]\n"
put secret_env_dup s.env "K=$secret\n"
put secret_outside app/kustomization.yaml 'secretGenerator:\n- name: s\n  files: [../pw.txt]\n'
put secret_outside pw.txt "$secret\n"
put secret_merge_missing kustomization.yaml "secretGenerator:\n- name: s\n  behavior: merge\n  literals: [k=$secret]\n"
put secret_then_error kustomization.yaml "secretGenerator:\n- name: s\n  literals: [k=$secret]\nresources: [missing.yaml]\n"
put secret_env_utf8 kustomization.yaml 'secretGenerator:\n- name: s\n  envs: [s.env]\n'
put secret_env_utf8 s.env "K=$secret\0377\n"
put secret_patch_error kustomization.yaml "secretGenerator:\n- name: s\n  literals: [k=$secret]\npatches:\n- patch: |-\n    - op: replace\n      path: /data/nope/x\n      value: 1\n  target: {kind: Secret}\n"
for c in secret_bad_literal secret_dup_key secret_env_dup secret_outside secret_merge_missing \
         secret_then_error secret_env_utf8 secret_patch_error; do
	dir=$tmp/$c
	[ -d "$dir/app" ] && dir=$dir/app
	(cd "$dir" && timeout "$secs" "$bin" build .) > "$tmp/out" 2> "$tmp/err"
	rc=$?
	# the value and its base64 form
	b64=$(printf '%s' "$secret" | base64)
	if [ $rc -eq 1 ] && ! grep -qF -e "$secret" -e "$b64" "$tmp/err"; then
		pass "$c: error without the secret value"
	else
		fail "$c: rc=$rc, stderr: $(head -c 300 "$tmp/err")"
	fi
done

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
