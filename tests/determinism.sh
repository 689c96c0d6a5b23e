#!/bin/sh
# Determinism: the same bytes for the same input whatever the locale, the
# time zone and the number of parallel builds.
#
#  1. every fourth golden case (testdata/*/cmd, accepted and rejected; 80
#     of them) is built
#     with `krender build` under LC_ALL=C TZ=UTC (the reference) and again
#     under other locales (C.UTF-8, de_DE.UTF-8 and tr_TR.UTF-8 when
#     installed: German collation, Turkish dotless i) and time zones; stdout,
#     stderr and the exit status must be identical;
#  2. `krender check -v` over testdata/ with -j1, -j2 and -j4 (and in each
#     locale) must print the same report, and `--rendered` proves that
#     every kustomization's parallel build has the reference's bytes.
#
# usage: sh tests/determinism.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"


# the environments: "LC_ALL-or-LANG setting;TZ"
envs="LC_ALL=C.UTF-8;Asia/Kolkata LANG=C;America/St_Johns"
for loc in de_DE.UTF-8 tr_TR.UTF-8 ja_JP.UTF-8; do
	# locale -a spells them de_DE.utf8
	want=$(echo "$loc" | sed 's/UTF-8/utf8/')
	if locale -a 2>/dev/null | grep -qix "$want"; then
		envs="$envs LANG=$loc;Pacific/Chatham LC_ALL=$loc;Europe/Berlin"
	fi
done

# render every case in one environment into $tmp/$1/<case>
render() {
	out=$tmp/$1
	mkdir -p "$out"
	for cmd in $sample; do
		d=${cmd%/cmd}
		n=${d##*/}
		read -r args < "$cmd"
		cd "$d" || exit 1
		# shellcheck disable=SC2086
		env "$2" TZ="$3" "$bin" build $args > "$out/$n.out" 2> "$out/$n.err"
		echo $? > "$out/$n.rc"
		cd "$src" || exit 1
	done
}

# every fourth case (with `check` below covering all kustomizations in
# every environment, this keeps the test quick under ASan)
sample=$(ls testdata/*/cmd | awk 'NR % 4 == 1')
render ref LC_ALL=C UTC
ncases=$(ls "$tmp/ref" | grep -c '\.rc$')
i=0
for e in $envs; do
	i=$((i + 1))
	render "env$i" "${e%;*}" "${e#*;}"
	if diff -r "$tmp/ref" "$tmp/env$i" > "$tmp/diff"; then
		pass "build, $ncases cases: $e same as LC_ALL=C;UTC"
	else
		fail "build, $e differs from LC_ALL=C;UTC"
		head -40 "$tmp/diff"
	fi
done

# The reference of every kustomization check finds (bases and overlays
# alike), for --rendered.
(cd testdata && LC_ALL=C TZ=UTC "$bin" check -j1 -v . > "$tmp/check.ref" 2> "$tmp/check.ref.err")
mkdir -p "$tmp/rendered"
nk=0
for d in $(sed -n 's/^ok //p' "$tmp/check.ref"); do
	mkdir -p "$tmp/rendered/$d"
	(cd testdata && LC_ALL=C TZ=UTC "$bin" build "$d" > "$tmp/rendered/$d/manifests.yaml" 2> /dev/null)
	nk=$((nk + 1))
done
[ "$nk" -gt 100 ] && pass "$nk kustomizations rendered" || fail "only $nk kustomizations rendered"

for j in 1 2 4; do
	for e in "LC_ALL=C;UTC" $envs; do
		(cd testdata && env "${e%;*}" TZ="${e#*;}" "$bin" check -j$j -v . \
			> "$tmp/check.out" 2> "$tmp/check.err")
		if cmp -s "$tmp/check.ref" "$tmp/check.out" && cmp -s "$tmp/check.ref.err" "$tmp/check.err"; then
			pass "check -j$j ($e): same report"
		else
			fail "check -j$j ($e): report differs"
			diff "$tmp/check.ref" "$tmp/check.out" | head -10
			diff "$tmp/check.ref.err" "$tmp/check.err" | head -10
		fi
	done
	# only the builds that passed: --rendered compares their bytes
	(cd testdata && "$bin" check -j$j --rendered "$tmp/rendered" $(sed -n 's/^ok //p' "$tmp/check.ref") \
		> "$tmp/r.out" 2> "$tmp/r.err")
	rc=$?
	[ $rc -eq 0 ] && pass "check -j$j --rendered: every build has the reference bytes" ||
		{ fail "check -j$j --rendered: rc=$rc"; head -10 "$tmp/r.err"; }
done

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
