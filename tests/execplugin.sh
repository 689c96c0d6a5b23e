#!/bin/sh
# Exec plugins and KRM exec functions (src/execplugin.c) on the trees of
# fixtures/execplugin/, compared with what `kubectl kustomize
# --enable-alpha-plugins` gave on the same trees (fixtures/execplugin/
# expected/, made once by fixtures/execplugin/regen.sh; kubectl is never
# run here).  kubectl has no --enable-exec, so a KRM exec function that
# runs is checked against its legacy-plugin twin: fn/ makes with functions
# exactly what legacy/ makes with exec plugins.
#
# usage: sh tests/execplugin.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

fx=$src/fixtures/execplugin
exp=$fx/expected
export KUSTOMIZE_PLUGIN_HOME="$fx/plugins"
unset KRENDER_BUILD_OPTIONS ARGOCD_ENV_KRENDER_BUILD_OPTIONS

# build CASE FLAGS...: krender build in the case directory (as kustomize
# runs plugins from the kustomization root, paths stay relative)
build() {
	c=$1
	shift
	(cd "$fx/$c" && "$bin" build "$@" .) >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# same NAME EXPECTED: a success with exactly that output
same() {
	if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$1"; then
		pass "$2"
	else
		fail "$2 (rc=$rc)"
		diff "$1" "$tmp/out" | head -20
		head -5 "$tmp/err"
	fi
}

# refused NAME SUBSTRING...: exit 1, nothing on stdout, "Error: " with
# every substring on stderr
refused() {
	name=$1
	shift
	ok=1
	[ $rc -eq 1 ] || ok=0
	[ -s "$tmp/out" ] && ok=0
	grep -q '^Error: ' "$tmp/err" || ok=0
	for s in "$@"; do
		grep -qF -e "$s" "$tmp/err" || { ok=0; echo "  missing: $s"; }
	done
	if [ $ok -eq 1 ]; then
		pass "$name"
	else
		fail "$name (rc=$rc)"
		head -8 "$tmp/err"
	fi
}

# ---- legacy exec plugins: generator (argsOneLiner, the config file as
# first argument, needs-hash, behavior: merge) and transformer
build legacy --enable-alpha-plugins
same "$exp/legacy.yaml" "legacy exec generator and transformer"
grep -q 'LegacyGen ran' "$tmp/err" && fail "a legacy plugin's stderr is not shown on success" ||
	pass "a legacy plugin's stderr is not shown on success"
build legacy --enable-alpha-plugins=true --enable-exec=false
same "$exp/legacy.yaml" "--flag=true/false spellings"
KRENDER_BUILD_OPTIONS=--enable-alpha-plugins build legacy
same "$exp/legacy.yaml" "--enable-alpha-plugins from KRENDER_BUILD_OPTIONS"

# ---- without --enable-alpha-plugins (kubectl: expected/legacy_disabled.err)
[ -f "$exp/legacy_disabled.err" ] || fail "expected/legacy_disabled.err missing"
build legacy
refused "external plugins need --enable-alpha-plugins" \
	"external plugins disabled; unable to load external plugin 'LegacyGen'" \
	"--enable-alpha-plugins" "generator.yaml"
build fn --enable-exec
refused "--enable-exec alone does not enable functions" \
	"unable to load external plugin 'FnGen'" "--enable-alpha-plugins"

# ---- KRM exec functions: skipped without --enable-exec, as kustomize does
build fn --enable-alpha-plugins
same "$exp/fn.yaml" "exec functions skipped without --enable-exec"
grep -q 'FnGen was not run.*--enable-exec' "$tmp/err" && pass "skipped function warned about" ||
	fail "skipped function warned about"
build fn --enable-alpha-plugins --enable-exec
same "$exp/legacy.yaml" "exec function generator and transformer (= legacy twin)"
grep -q 'FnGen ran' "$tmp/err" && grep -q 'generated 2 objects' "$tmp/err" &&
	pass "a function's stderr and results are reported" ||
	fail "a function's stderr and results are reported"

# ---- validators
[ -f "$exp/reject_legacy.err" ] || fail "expected/reject_legacy.err missing"
build reject_legacy --enable-alpha-plugins
refused "legacy validator that rejects" "plugins/example.com/v1/legacyreject/LegacyReject" \
	"exited with status 3" "policy violation: ConfigMap base has no owner label"
build reject_fn --enable-alpha-plugins --enable-exec
refused "function validator that rejects" "function FnReject" "./reject.sh" \
	"exited with status 1" "validation failed: 1 error" \
	"[error] ConfigMap base must set an owner label"
[ -f "$exp/reject_fn.err" ] || fail "expected/reject_fn.err missing"
build reject_fn --enable-alpha-plugins
refused "skipped function validator: objects re-read, as kubectl" \
	"validator shouldn't modify the resource map"
[ -f "$exp/passthrough_validator.err" ] || fail "expected/passthrough_validator.err missing"
build passthrough_validator --enable-alpha-plugins
refused "validator echoing its input, as kubectl" "validator shouldn't modify the resource map"

# ---- failures
[ -f "$exp/fail_transformer.err" ] || fail "expected/fail_transformer.err missing"
build fail_transformer --enable-alpha-plugins
refused "transformer exiting non-zero" "plugin LegacyReject" "exited with status 3" \
	"policy violation"
[ -f "$exp/bad_spec.err" ] || fail "expected/bad_spec.err missing"
build bad_spec --enable-alpha-plugins --enable-exec
refused "exec spec with a field kustomize v5.5.0 lacks" \
	'unknown field "args"' "transformer.yaml"
build container --enable-alpha-plugins --enable-exec
refused "container functions refused" "registry.example/set-labels:v1" \
	"container functions are not supported by krender"
start=$(date +%s)
build timeout --enable-alpha-plugins --enable-exec --plugin-timeout 1
end=$(date +%s)
refused "a function that runs too long is killed" "did not finish within 1 s"
[ $((end - start)) -lt 10 ] && pass "timeout is prompt" || fail "timeout took $((end - start)) s"
build legacy --enable-alpha-plugins --plugin-timeout 0
refused "--plugin-timeout 0 refused" "--plugin-timeout"
KUSTOMIZE_PLUGIN_HOME=$tmp/nowhere XDG_CONFIG_HOME=$tmp/nowhere HOME=$tmp/nowhere \
	build legacy --enable-alpha-plugins
refused "no plugin home" "unable to find plugin root" "$tmp/nowhere"
mkdir -p "$tmp/home/example.com/v1"
KUSTOMIZE_PLUGIN_HOME=$tmp/home build legacy --enable-alpha-plugins
refused "no plugin executable" "$tmp/home/example.com/v1/legacygen/LegacyGen"
mkdir -p "$tmp/home/example.com/v1/legacygen"
printf '#!/bin/sh\n' >"$tmp/home/example.com/v1/legacygen/LegacyGen"
KUSTOMIZE_PLUGIN_HOME=$tmp/home build legacy --enable-alpha-plugins
refused "plugin not executable" "unexecutable plugin at"
printf '#!/bin/sh\necho "kind: [" \n' >"$tmp/home/example.com/v1/legacygen/LegacyGen"
chmod +x "$tmp/home/example.com/v1/legacygen/LegacyGen"
KUSTOMIZE_PLUGIN_HOME=$tmp/home build legacy --enable-alpha-plugins
refused "plugin writing malformed YAML" "exec plugin $tmp/home/example.com/v1/legacygen/LegacyGen"

echo "$fails failure(s)"
[ $fails -eq 0 ]
