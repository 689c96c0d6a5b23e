#!/bin/sh
# Command-line behaviour of krender: version, the `kustomize` name, -o FILE
# and -o DIR (names and contents as kubectl kustomize -o wrote them, kept in
# fixtures/cli/), errors (exit 1, nothing on stdout, "Error: " on stderr),
# flags and help.
#
# usage: sh tests/cli.sh KRENDER SOURCE_DIR
set -u
bin=$1
src=$2
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }

cd "$src" || exit 1
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

echo "$(( 16 - fails )) passed, $fails failed"
[ $fails -eq 0 ]
