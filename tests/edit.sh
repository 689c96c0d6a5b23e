#!/bin/sh
# `krender edit` (and the same binary called as `kustomize edit`, with the
# argument lists Argo CD passes).  For each fixtures/edit/<case>/:
#   input/         the tree (copied to a temporary directory)
#   cmd            one command per line, `krender edit ...` or
#                  `kustomize edit ...` (shell words), run in that copy
#   expected.yaml  what `kubectl kustomize` printed for the tree edited by
#                  kustomize v5.5.0 (kustomize.yaml; fixtures/edit/regen.sh):
#                  `krender build` of the tree krender edited must print it
#   expected-file.yaml (optional) the exact text krender writes
#   expected.msg   (error cases) every command must fail: exit 1, a message
#                  with this text naming the kustomization file, the file
#                  left byte for byte as it was
#
# usage: sh tests/edit.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
mkdir "$tmp/bin"
ln -s "$bin" "$tmp/bin/kustomize"
ln -s "$bin" "$tmp/bin/krender"

for d in "$src"/fixtures/edit/*/; do
	d=${d%/}
	name=$(basename "$d")
	[ -f "$d/cmd" ] || continue
	work=$tmp/$name
	mkdir "$work"
	cp -R "$d/input/." "$work/"
	cp "$work/kustomization.yaml" "$tmp/$name.orig"
	ok=1
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		(cd "$work" && PATH="$tmp/bin:$PATH" && eval "$line") > "$tmp/out" 2> "$tmp/err"
		rc=$?
		if [ -f "$d/expected.msg" ]; then
			if [ $rc -ne 1 ] || ! grep -qF "$(cat "$d/expected.msg")" "$tmp/err" ||
			   ! grep -q '^Error: kustomization.yaml' "$tmp/err" ||
			   ! cmp -s "$work/kustomization.yaml" "$tmp/$name.orig"; then
				fail "$name: '$line': rc=$rc: $(cat "$tmp/err")"
				ok=0
			fi
		elif [ $rc -ne 0 ]; then
			fail "$name: '$line': rc=$rc: $(cat "$tmp/err")"
			ok=0
		fi
	done < "$d/cmd"
	[ $ok -eq 1 ] || continue
	if [ -f "$d/expected-file.yaml" ] && ! cmp -s "$d/expected-file.yaml" "$work/kustomization.yaml"; then
		fail "$name: kustomization text differs"
		diff "$d/expected-file.yaml" "$work/kustomization.yaml"
		continue
	fi
	if [ -f "$d/expected.yaml" ]; then
		if ! "$bin" build "$work" > "$tmp/build.yaml" 2> "$tmp/build.err"; then
			fail "$name: build: $(cat "$tmp/build.err")"
			continue
		fi
		if ! cmp -s "$tmp/build.yaml" "$d/expected.yaml"; then
			fail "$name: build output differs"
			diff "$d/expected.yaml" "$tmp/build.yaml" | head -20
			continue
		fi
	fi
	pass "$name"
done

# Usage errors of the command itself.
(cd "$tmp/add_patch" && "$bin" edit add patch --kind X) 2> "$tmp/err"
[ $? -eq 1 ] && grep -q 'must provide either patch or path' "$tmp/err" && pass "add patch needs a patch" || fail "add patch needs a patch"
(cd "$tmp/add_patch" && "$bin" edit set nameprefix -x) 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "unknown shorthand flag: 'x' in -x" "$tmp/err" && pass "set nameprefix -x" || fail "set nameprefix -x"
(cd "$tmp/add_patch" && "$bin" edit set nameprefix a b) 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "must specify exactly one prefix value" "$tmp/err" && pass "set nameprefix a b" || fail "set nameprefix a b"
(cd "$tmp/add_patch" && "$bin" edit add label --include-templates a:b) 2> "$tmp/err"
[ $? -eq 1 ] && grep -q -- "--without-selector flag must be specified" "$tmp/err" && pass "--include-templates alone" || fail "--include-templates alone"
(cd "$tmp/add_patch" && "$bin" edit remove resource x) 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "not supported by this version of krender yet" "$tmp/err" && pass "edit remove refused" || fail "edit remove refused"
(cd "$tmp" && "$bin" edit set namespace x) 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "Missing kustomization file" "$tmp/err" && pass "no kustomization" || fail "no kustomization"
"$bin" edit --help | grep -q 'set image' && pass "edit --help" || fail "edit --help"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
