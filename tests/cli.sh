#!/bin/sh
# Command-line behaviour of krender: version, the `kustomize` name, -o FILE
# and -o DIR (names and contents as kubectl kustomize -o wrote them, kept in
# fixtures/cli/), errors (exit 1, nothing on stdout, "Error: " on stderr),
# flags and help.
#
# usage: sh tests/cli.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

case_dir=testdata/sort_legacy_namespaces

# version
out=$("$bin" version) && echo "$out" | grep -q 'v5.5.0' && pass "version" || fail "version: $out"
out=$("$bin" version --short) && [ "$out" = "v5.5.0" ] && pass "version --short" || fail "version --short: $out"

# invoked as kustomize
ln -s "$bin" "$tmp/kustomize"
out=$("$tmp/kustomize" version) && [ "$out" = "v5.5.0" ] && pass "kustomize version" || fail "kustomize version: $out"
"$tmp/kustomize" build "$case_dir/input" > "$tmp/k.yaml" 2>"$tmp/k.err" &&
	cmp -s "$tmp/k.yaml" "$case_dir/expected.yaml" && pass "kustomize build" ||
	fail "kustomize build: $(cat "$tmp/k.err")"

# -o FILE
"$bin" build "$case_dir/input" -o "$tmp/out.yaml" > "$tmp/stdout" &&
	[ ! -s "$tmp/stdout" ] && cmp -s "$tmp/out.yaml" "$case_dir/expected.yaml" &&
	pass "-o FILE" || fail "-o FILE"
"$bin" build --output="$tmp/out2.yaml" "$case_dir/input" &&
	cmp -s "$tmp/out2.yaml" "$case_dir/expected.yaml" && pass "--output=FILE" || fail "--output=FILE"

# -o DIR: one file per resource, named and written as kubectl kustomize -o
mkdir "$tmp/dir"
"$bin" build "$case_dir/input" -o "$tmp/dir" && diff -r fixtures/cli/odir_sort_legacy_namespaces "$tmp/dir" >"$tmp/diff" &&
	pass "-o DIR" || { fail "-o DIR"; cat "$tmp/diff"; }

# errors: exit 1, nothing on stdout, "Error: " on stderr
"$bin" build testdata/err_missing_resource/input > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/stdout" ] && grep -q '^Error: ' "$tmp/stderr" &&
	pass "error exit" || fail "error exit: rc=$rc"
"$bin" build "$tmp/does-not-exist" > "$tmp/stdout" 2>&1; rc=$?
[ $rc -eq 1 ] && pass "missing dir" || fail "missing dir: rc=$rc"
"$bin" build --no-such-flag "$case_dir/input" > "$tmp/stdout" 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/stdout" ] && grep -q 'unknown flag' "$tmp/stderr" &&
	pass "unknown flag" || fail "unknown flag: rc=$rc"
"$bin" build --load-restrictor bogus "$case_dir/input" > "$tmp/stdout" 2>&1; rc=$?
[ $rc -eq 1 ] && pass "bad restrictor value" || fail "bad restrictor value: rc=$rc"
"$bin" frobnicate > "$tmp/stdout" 2>&1; rc=$?
[ $rc -eq 1 ] && pass "unknown command" || fail "unknown command: rc=$rc"

# Safe output: a write error is "Error: writing ..." and exit 1, and never
# leaves a truncated file or a partly written directory behind.
"$bin" build "$case_dir/input" -o /dev/full 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing /dev/full: No space left' "$tmp/stderr" &&
	pass "-o /dev/full" || fail "-o /dev/full: rc=$rc $(cat "$tmp/stderr")"
"$bin" build "$case_dir/input" > /dev/full 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing output: No space left' "$tmp/stderr" &&
	pass "stdout full" || fail "stdout full: rc=$rc $(cat "$tmp/stderr")"
"$bin" build "$case_dir/input" >&- 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing output: ' "$tmp/stderr" &&
	pass "stdout closed" || fail "stdout closed: rc=$rc $(cat "$tmp/stderr")"
"$bin" version >&- 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing output: ' "$tmp/stderr" &&
	pass "version, stdout closed" || fail "version, stdout closed: rc=$rc"
# a pipe whose reader is gone: reported (EPIPE), not a silent SIGPIPE death
{ sleep 0.5; "$bin" build "$case_dir/input" 2> "$tmp/stderr"; echo $? > "$tmp/rc"; } | :
rc=$(cat "$tmp/rc")
[ "$rc" = 1 ] && grep -q '^Error: writing output: Broken pipe' "$tmp/stderr" &&
	pass "broken pipe" || fail "broken pipe: rc=$rc $(cat "$tmp/stderr")"
# -o FILE over an existing file: a write that fails half way (file size
# limit, SIGXFSZ ignored so that write returns EFBIG) keeps the old file
echo old > "$tmp/keep.yaml"
(trap '' XFSZ; ulimit -f 1; "$bin" build "$case_dir/input" -o "$tmp/keep.yaml") 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && [ "$(cat "$tmp/keep.yaml")" = old ] && grep -q '^Error: writing ' "$tmp/stderr" &&
	[ -z "$(ls "$tmp" | grep krender-)" ] &&
	pass "-o FILE, failed write keeps the old file" ||
	fail "-o FILE, failed write keeps the old file: rc=$rc $(cat "$tmp/stderr")"
# -o FILE through a symbolic link: the file it points to is replaced, the
# link stays; the file's permissions are kept
echo old > "$tmp/target.yaml"; chmod 640 "$tmp/target.yaml"; ln -s target.yaml "$tmp/link.yaml"
"$bin" build "$case_dir/input" -o "$tmp/link.yaml" && [ -L "$tmp/link.yaml" ] &&
	cmp -s "$tmp/target.yaml" "$case_dir/expected.yaml" &&
	[ "$(stat -c %a "$tmp/target.yaml")" = 640 ] &&
	pass "-o LINK" || fail "-o LINK"
# -o DIR where one resource's file name is taken by a directory: nothing is
# written (before, the files sorted before it were)
mkdir -p "$tmp/odir/zeta_v1_configmap_app.yaml"
"$bin" build "$case_dir/input" -o "$tmp/odir" 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && [ "$(ls -A "$tmp/odir")" = zeta_v1_configmap_app.yaml ] &&
	grep -q '^Error: writing .*zeta_v1_configmap_app.yaml' "$tmp/stderr" &&
	pass "-o DIR, failed write leaves nothing" ||
	fail "-o DIR, failed write leaves nothing: rc=$rc $(ls -A "$tmp/odir") $(cat "$tmp/stderr")"
# -o DIR, a write failing half way (file size limit): nothing is written
mkdir -p "$tmp/odir2" "$tmp/big"
big=$(printf '%02000d' 0)
printf 'resources: [cm.yaml]\n' > "$tmp/big/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: "%s"}\n' "$big" > "$tmp/big/cm.yaml"
(trap '' XFSZ; ulimit -f 1; "$bin" build "$tmp/big" -o "$tmp/odir2") 2> "$tmp/stderr"; rc=$?
[ $rc -eq 1 ] && [ -z "$(ls -A "$tmp/odir2")" ] &&
	pass "-o DIR, file size limit leaves nothing" ||
	fail "-o DIR, file size limit leaves nothing: rc=$rc $(ls -A "$tmp/odir2") $(cat "$tmp/stderr")"

# help
"$bin" build --help | grep -q 'load-restrictor' && pass "build --help" || fail "build --help"
"$bin" --help | grep -q 'build' && pass "--help" || fail "--help"

# the current directory is the default
(cd "$case_dir/input" && "$bin" build > "$tmp/cwd.yaml") &&
	cmp -s "$tmp/cwd.yaml" "$case_dir/expected.yaml" && pass "default DIR" || fail "default DIR"

# warnings go to stderr, not into the output
"$bin" build testdata/load_bases_deprecated/input/overlay > "$tmp/b.yaml" 2> "$tmp/b.err" &&
	grep -q "Warning: 'bases' is deprecated" "$tmp/b.err" &&
	cmp -s "$tmp/b.yaml" testdata/load_bases_deprecated/expected.yaml &&
	pass "deprecation warning" || fail "deprecation warning"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
