#!/bin/sh
# Allocation-failure torture: fail the k-th arena allocation of a build
# (KR_FAIL_ALLOC_AT=k) and check that every such build ends cleanly with
# "Error: out of memory" and exit status 1 -- no crash, no other error, no
# output, and under the ASan build (scripts/test) no leak or invalid access
# (ASAN_OPTIONS=abort_on_error=1 turns those into an abort) -- and that once
# k is past the build's allocation count (KR_COUNT_ALLOCS=1 prints it) the
# build succeeds with kubectl's bytes.
#
# k runs over 1..N with a stride so that each case takes at most
# KR_TORTURE_RUNS builds (default 12: some 270 builds, under a minute of CPU in the ASan build; 0:
# every k), the first 4 and the
# last allocation always included.
#
# usage: sh tests/alloc_torture.sh KRENDER SOURCE_DIR [CASE...]
set -u
. "$(dirname "$0")/lib.sh"
shift 2
runs=0
budget=${KR_TORTURE_RUNS:-12}


# representative cases: strategic merge, components, vars, replacements,
# builtin plugin configs, generators, images, buildMetadata, the README's
# overlay
cases=${*:-"smp_patches_strategic_merge smp_patches_target comp_nested
	comp_generator_merge vars_from_base vars_namespace_objref repl_cert_manager
	repl_wildcard_lists plugin_patches plugin_generators plugin_replacement
	gen_files gen_behavior_merge tr_images_workloads meta_all_options
	example_gitops_production"}

for c in $cases; do
	d=testdata/$c
	read -r args < "$d/cmd"
	cd "$d" || exit 1
	# shellcheck disable=SC2086
	n=$(KR_COUNT_ALLOCS=1 "$bin" build $args 2>&1 >/dev/null |
		sed -n 's/^krender: \([0-9]*\) arena allocations$/\1/p' | tail -1)
	if [ -z "$n" ] || [ "$n" -lt 1 ]; then
		fail "$c: no allocation count"
		cd "$src" || exit 1
		continue
	fi
	stride=1
	[ "$budget" -gt 0 ] && [ "$n" -gt "$budget" ] && stride=$((n / budget))
	bad=0
	k=1
	tried=0
	while [ $k -le $((n + 1)) ]; do
		# shellcheck disable=SC2086
		KR_FAIL_ALLOC_AT=$k "$bin" build $args > "$tmp/out" 2> "$tmp/err"
		rc=$?
		tried=$((tried + 1))
		if [ $k -le "$n" ]; then
			if [ $rc -ne 1 ] || [ -s "$tmp/out" ] ||
			   ! grep -q '^Error: .*out of memory$' "$tmp/err" ||
			   grep -q 'Sanitizer\|runtime error' "$tmp/err"; then
				fail "$c: allocation $k of $n: rc=$rc, $(grep -v Warning "$tmp/err" | head -5)"
				bad=1
				break
			fi
		elif [ $rc -ne 0 ] || ! cmp -s "$tmp/out" expected.yaml; then
			fail "$c: with $n allocations allowed: rc=$rc $(head -3 "$tmp/err")"
			bad=1
		fi
		# the first allocations one by one, then the stride, then the
		# last one and one past it
		if [ $k -lt 4 ]; then
			k=$((k + 1))
		elif [ $k -lt "$n" ] && [ $((k + stride)) -gt "$n" ]; then
			k=$n
		else
			k=$((k + stride))
		fi
	done
	runs=$((runs + tried))
	[ $bad -eq 0 ] && pass "$c: $tried of $n allocations failed in turn, each cleanly"
	cd "$src" || exit 1
done

echo "$passes passed, $fails failed ($runs builds)"
[ $fails -eq 0 ]
