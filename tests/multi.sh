#!/bin/sh
# `krender build` of several overlays in one run (src/cli/multi.c): the
# output of `build DIR...` and `build --all ROOT`, whatever -j, is byte for
# byte the output of building each overlay alone; --all keeps only the
# overlays no other kustomization uses; failures write nothing.
#
# usage: sh tests/multi.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

# --all on the GitOps fixture: base and the component are not outputs.
tree=fixtures/gitops/tree
for j in 1 2 3 4 5 6 7 8; do
	rm -rf "$tmp/all"
	if ! "$bin" build --all "$tree" -j "$j" -o "$tmp/all" 2>"$tmp/err"; then
		fail "--all -j $j: $(cat "$tmp/err")"
		continue
	fi
	names=$(cd "$tmp/all" && ls | tr '\n' ' ')
	[ "$names" = "other.yaml overlays_prod.yaml overlays_staging.yaml " ] ||
		{ fail "--all -j $j: files $names"; continue; }
	ok=1
	for o in other overlays/prod overlays/staging; do
		"$bin" build "$tree/$o" > "$tmp/one.yaml" &&
			cmp -s "$tmp/one.yaml" "$tmp/all/$(echo "$o" | tr / _).yaml" || ok=0
	done
	[ $ok = 1 ] && pass "--all -j $j: same bytes as one by one" ||
		fail "--all -j $j: differs from one by one"
done

# --all to stdout: "# Source:" headers, in walk order, "---" between.
{
	for o in other overlays/prod overlays/staging; do
		[ "$o" = other ] || echo "---"
		echo "# Source: $tree/$o"
		"$bin" build "$tree/$o"
	done
} > "$tmp/want.yaml"
for j in 1 3 8; do
	"$bin" build --all "$tree" -j "$j" > "$tmp/got.yaml" 2>"$tmp/err" &&
		cmp -s "$tmp/want.yaml" "$tmp/got.yaml" && pass "--all stdout -j $j" ||
		fail "--all stdout -j $j: $(cat "$tmp/err")"
done

# Every golden case that builds with plain `input`, all in one run: the
# shared parse cache must not change a byte.
dirs=
for c in testdata/*/; do
	c=${c%/}
	[ -f "$c/expected.yaml" ] && [ "$(cat "$c/cmd")" = input ] || continue
	dirs="$dirs $c/input"
done
for j in 1 2 5 8; do
	rm -rf "$tmp/many"
	# shellcheck disable=SC2086
	if ! "$bin" build $dirs -j "$j" -o "$tmp/many" 2>"$tmp/err"; then
		fail "golden dirs -j $j: $(head -5 "$tmp/err")"
		continue
	fi
	bad=
	for d in $dirs; do
		cmp -s "${d%/input}/expected.yaml" "$tmp/many/$(echo "$d" | tr / _).yaml" ||
			bad="$bad $d"
	done
	[ -z "$bad" ] && pass "golden dirs -j $j: every file as kubectl's" ||
		fail "golden dirs -j $j:$bad"
done

# A base shared by several overlays (namePrefix, namespace, patches, at
# several depths, through a nested base, a generator and a component): the
# base cache (src/basecache.h) builds it once per run; every -j gives the
# bytes of the overlays built one by one, and of a run without the cache.
sh_=$tmp/shared
mkdir -p "$sh_/common" "$sh_/comp" "$sh_/base" "$sh_/base2"
printf 'resources:\n- cm.yaml\n' > "$sh_/common/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: common}\ndata: {k: v}\n' > "$sh_/common/cm.yaml"
printf 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs: {team: a}\n' \
	> "$sh_/comp/kustomization.yaml"
printf 'resources:\n- ../common\n- deploy.yaml\n- svc.yaml\nconfigMapGenerator:\n- name: gen\n  literals: [a=b]\ncomponents:\n- ../comp\nimages:\n- name: nginx\n  newTag: "1.25"\n' \
	> "$sh_/base/kustomization.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        envFrom:\n        - configMapRef: {name: gen}\n' \
	> "$sh_/base/deploy.yaml"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n' > "$sh_/base/svc.yaml"
printf 'resources:\n- ../common\nnameSuffix: -two\n' > "$sh_/base2/kustomization.yaml"
ovs=
for i in 1 2 3 4 5 6; do
	d=o$i
	[ $i = 5 ] && d=deep/er/o$i
	mkdir -p "$sh_/$d"
	up=..; [ $i = 5 ] && up=../../..
	{
		printf 'resources:\n- %s/base\n' "$up"
		[ $i = 6 ] && printf -- '- %s/base2\n' "$up"
		[ $((i % 2)) = 1 ] && printf 'namePrefix: p%s-\n' "$i"
		[ $i != 4 ] && printf 'namespace: ns%s\n' "$i"
		[ $i = 2 ] && printf 'patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec: {replicas: 2}\n'
		[ $i = 3 ] && printf 'patches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n'
		[ $i = 4 ] && printf 'labels:\n- pairs: {env: four}\n  includeSelectors: true\n'
	} > "$sh_/$d/kustomization.yaml"
	ovs="$ovs $d"
done
(cd "$sh_" && for d in $ovs; do "$bin" build "$d" > "$tmp/$(echo "$d" | tr / _).one" || echo "$d"; done) \
	> "$tmp/err" 2>&1
[ -s "$tmp/err" ] && fail "shared base, one by one: $(cat "$tmp/err")"
for nc in "" 1; do
	for j in 1 2 3 4 5 6 7 8; do
		rm -rf "$tmp/sho"
		# shellcheck disable=SC2086
		if ! (cd "$sh_" && KRENDER_NO_CACHE=$nc "$bin" build $ovs -j "$j" -o "$tmp/sho") 2>"$tmp/err"; then
			fail "shared base -j $j${nc:+ (no cache)}: $(head -5 "$tmp/err")"
			continue
		fi
		bad=
		for d in $ovs; do
			f=$(echo "$d" | tr / _)
			cmp -s "$tmp/$f.one" "$tmp/sho/$f.yaml" || bad="$bad $d"
		done
		[ -z "$bad" ] && pass "shared base -j $j${nc:+ (no cache)}: same bytes as one by one" ||
			fail "shared base -j $j${nc:+ (no cache)}:$bad"
	done
done
grep -q 'name: p3-web' "$tmp/o3.one" && grep -q 'replicas: 3' "$tmp/o3.one" &&
	grep -q 'name: common-two' "$tmp/o6.one" && pass "shared base: overlays applied" ||
	fail "shared base: overlays not applied"

# A failure: every failing overlay named, nothing written, exit 1.
bad_case=testdata/smp_err_no_target/input
if "$bin" build "$tree/other" "$bad_case" -o "$tmp/f" > "$tmp/out" 2>"$tmp/err"; then
	fail "failure: exit 0"
else
	[ ! -e "$tmp/f" ] && [ ! -s "$tmp/out" ] &&
		grep -q "^Error: $bad_case: " "$tmp/err" && pass "failure: nothing written" ||
		fail "failure: $(cat "$tmp/err")"
fi
# Two overlays that would get the same file name.
mkdir -p "$tmp/x/a_b" "$tmp/x/a/b"
cp "$tree/other/"* "$tmp/x/a_b/" && cp "$tree/other/"* "$tmp/x/a/b/"
if (cd "$tmp/x" && "$bin" build a_b a/b -o out 2>"$tmp/err"); then
	fail "name clash: exit 0"
else
	grep -q "two overlays would be written to out/a_b.yaml" "$tmp/err" &&
		[ ! -e "$tmp/x/out" ] && pass "name clash refused" || fail "name clash: $(cat "$tmp/err")"
fi
# -o naming: "./" and "../" dropped, "." named after the directory.
(cd "$tmp/x/a" && "$bin" build ./b ../a_b -o "$tmp/n" 2>"$tmp/err") &&
	[ -f "$tmp/n/b.yaml" ] && [ -f "$tmp/n/a_b.yaml" ] && pass "-o names" ||
	fail "-o names: $(ls "$tmp/n" 2>&1) $(cat "$tmp/err")"
(cd "$tmp/x/a/b" && "$bin" build . ../../a_b -o "$tmp/n2" 2>"$tmp/err") &&
	[ -f "$tmp/n2/b.yaml" ] && [ -f "$tmp/n2/a_b.yaml" ] &&
	pass "-o name of ." || fail "-o name of .: $(ls "$tmp/n2" 2>&1) $(cat "$tmp/err")"
# -o naming an existing file.
: > "$tmp/afile"
"$bin" build --all "$tree" -o "$tmp/afile" 2>"$tmp/err" && fail "-o FILE accepted" ||
	{ grep -q -- "-o must name a directory" "$tmp/err" && [ ! -s "$tmp/afile" ] &&
		pass "-o FILE refused" || fail "-o FILE: $(cat "$tmp/err")"; }
# --all where ROOT is itself the only leaf: named after the directory.
(cd "$tree/overlays/prod" && "$bin" build --all -o "$tmp/self" 2>"$tmp/err") &&
	[ "$(ls "$tmp/self")" = prod.yaml ] && pass "--all . named after the directory" ||
	fail "--all .: $(ls "$tmp/self" 2>&1) $(cat "$tmp/err")"
# Bad flags.
"$bin" build a b -j 0 2>"$tmp/err" && fail "-j 0 accepted" ||
	{ grep -q -- "--jobs needs a number" "$tmp/err" && pass "-j 0 refused" || fail "-j 0: $(cat "$tmp/err")"; }
"$bin" build --all "$tmp/none" 2>"$tmp/err" && fail "--all missing root" ||
	{ grep -q "no such directory" "$tmp/err" && pass "--all missing root" || fail "--all missing: $(cat "$tmp/err")"; }
# One directory with -j is the plain build.
"$bin" build -j 2 "$tree/other" > "$tmp/j1.yaml" && "$bin" build "$tree/other" > "$tmp/p.yaml"
grep -q '^# Source: ' "$tmp/j1.yaml" && pass "one dir with -j has a header" || fail "one dir with -j"

# Every build flag that takes a value as the next word is a flag, not a
# second directory (multi.c asks cli_build_flag): one DIR stays one build.
for f in "--load-restrictor LoadRestrictionsNone" "--plugin-timeout 5" \
         "--remote-cache off" "--remote-timeout 5" "--helm-command helm" \
         "--max-file-size 1m" "--max-documents 10" "--max-resources 100" \
         "--max-alias-nodes 100" "--max-depth 50" "--max-kustomization-depth 5"; do
	# shellcheck disable=SC2086
	"$bin" build "$tree/other" $f > "$tmp/flag.yaml" 2>"$tmp/err" &&
		cmp -s "$tmp/flag.yaml" "$tmp/p.yaml" && pass "one dir with $f" ||
		fail "one dir with $f: $(head -c 300 "$tmp/err")"
done
# With several directories, a limit applies to each build.
"$bin" build "$tree/other" "$tree/overlays/prod" --max-resources 1 > "$tmp/out" 2>"$tmp/err" &&
	fail "--max-resources 1 with two dirs accepted" ||
	{ grep -q -- "--max-resources" "$tmp/err" && [ ! -s "$tmp/out" ] &&
		pass "--max-resources with two dirs" || fail "--max-resources with two dirs: $(cat "$tmp/err")"; }

# -o OUTDIR: every file goes through a temporary and is renamed into place
# only when all were written; a write that fails (file size limit, SIGXFSZ
# ignored so that write returns EFBIG) leaves OUTDIR as it was.
mkdir -p "$tmp/fs/small" "$tmp/fs/big" "$tmp/fsout"
printf 'resources: [cm.yaml]\n' > "$tmp/fs/small/kustomization.yaml"
printf 'resources: [cm.yaml]\n' > "$tmp/fs/big/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n' > "$tmp/fs/small/cm.yaml"
big=$(head -c 4000 /dev/zero | tr '\0' x)
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: "%s"}\n' "$big" > "$tmp/fs/big/cm.yaml"
echo old > "$tmp/fsout/small.yaml"
(cd "$tmp/fs" && trap '' XFSZ && ulimit -f 1 && "$bin" build small big -o "$tmp/fsout") 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing ' "$tmp/err" && [ "$(ls -A "$tmp/fsout")" = small.yaml ] &&
	[ "$(cat "$tmp/fsout/small.yaml")" = old ] &&
	pass "-o OUTDIR, failed write leaves OUTDIR as it was" ||
	fail "-o OUTDIR, failed write: rc=$rc $(ls -A "$tmp/fsout") $(cat "$tmp/err")"
(cd "$tmp/fs" && "$bin" build small big -o "$tmp/fsout") 2>"$tmp/err" &&
	[ "$(ls -A "$tmp/fsout" | tr '\n' ' ')" = "big.yaml small.yaml " ] &&
	"$bin" build "$tmp/fs/small" | cmp -s - "$tmp/fsout/small.yaml" &&
	pass "-o OUTDIR replaces its files" || fail "-o OUTDIR: $(ls -A "$tmp/fsout") $(cat "$tmp/err")"
# stdout full or closed: an error, exit 1
"$bin" build "$tmp/fs/small" "$tmp/fs/big" > /dev/full 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing output: No space left' "$tmp/err" &&
	pass "several overlays, stdout full" || fail "stdout full: rc=$rc $(cat "$tmp/err")"
"$bin" build "$tmp/fs/small" "$tmp/fs/big" >&- 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing output: ' "$tmp/err" &&
	pass "several overlays, stdout closed" || fail "stdout closed: rc=$rc $(cat "$tmp/err")"

# Documents nested 900 levels deep, built on worker threads: a build
# recurses as deep as its documents nest, and the workers' stacks are set
# to 8 MiB (musl's default, 128 KiB, crashed here).
mkdir -p "$tmp/deep/a" "$tmp/deep/b"
nest=$(awk 'BEGIN { s = ""; e = ""; for (i = 0; i < 900; i++) { s = s "{a: "; e = e "}" } print s "1" e }')
for d in a b; do
	printf 'resources: [deep.yaml]\nnamePrefix: %s-\n' "$d" > "$tmp/deep/$d/kustomization.yaml"
	printf 'apiVersion: example.com/v1\nkind: Deep\nmetadata: {name: d}\nspec: %s\n' "$nest" \
		> "$tmp/deep/$d/deep.yaml"
done
(cd "$tmp/deep" && "$bin" build a b -j 2 -o "$tmp/deepout") 2>"$tmp/err" &&
	"$bin" build "$tmp/deep/b" | cmp -s - "$tmp/deepout/b.yaml" &&
	[ "$(grep -c '^ *a:' "$tmp/deepout/a.yaml")" -eq 900 ] &&
	pass "900-deep documents on worker threads" ||
	fail "900-deep documents on worker threads: $(head -c 300 "$tmp/err")"

echo "multi: $fails failure(s)"
[ "$fails" -eq 0 ]
