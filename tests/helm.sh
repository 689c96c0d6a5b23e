#!/bin/sh
# helmCharts (src/helm.c) against the stand-in helm of fixtures/helm/:
#  - the arguments and environment krender gives helm for every chart
#    field are kustomize's (fixtures/helm/args/expected-args.txt, recorded
#    from kubectl's run of the same stand-in by fixtures/helm/regen.sh; a
#    pull differs only in going to a fresh directory renamed into place);
#  - pulled charts are reused, a version bump pulls again, parallel builds
#    that pull the same chart all succeed and leave no staging directory;
#  - the private temporary directory is removed, helmGlobals.configHome
#    is passed as HELM_CONFIG_HOME;
#  - failures (no --enable-helm, helm missing, helm failing, helm 2, a
#    failed pull) exit 1 with nothing on stdout and an error naming the
#    kustomization and the chart.
# This script never runs kubectl.
#
# usage: sh tests/helm.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
fx=$src/fixtures/helm
helm=$fx/helm
tmp=$(cd "$tmp" && pwd -P)
unset KRENDER_BUILD_OPTIONS ARGOCD_ENV_KRENDER_BUILD_OPTIONS HELM_FAKE_FAIL \
	HELM_FAKE_VERSION HELM_FAKE_PREAMBLE HELM_ARGS_LOG
mkdir "$tmp/t"
export TMPDIR="$tmp/t"
build() { "$bin" build "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# no_temp NAME: nothing left in TMPDIR
no_temp() {
	if [ -z "$(ls -A "$TMPDIR")" ]; then pass "$1: temporary directory removed"; else
		fail "$1: left in TMPDIR: $(ls -A "$TMPDIR")"; rm -rf "${TMPDIR:?}"/*
	fi
}

# ---- the arguments of every chart field, as kustomize passes them
cp -R "$fx/args" "$tmp/args"
rm -f "$tmp/args/expected-args.txt"
HELM_ARGS_LOG=$tmp/log build "$tmp/args" --enable-helm --helm-command "$helm"
sed -e "s|$tmp/args|\$ROOT|g" -e "s|$TMPDIR/krender-helm-[A-Za-z0-9]*|\$TMP|g" \
	-e 's|/\.krender-pull-[A-Za-z0-9]*||' "$tmp/log" >"$tmp/args.txt"
if [ $rc -eq 0 ] && cmp -s "$fx/args/expected-args.txt" "$tmp/args.txt"; then
	pass "helm arguments and environment are kustomize's"
else
	fail "helm arguments: rc=$rc $(cat "$tmp/err")"
	diff "$fx/args/expected-args.txt" "$tmp/args.txt"
fi
# a pull goes to a fresh directory beside its final place
if grep -q "^ARGS: pull --untar --untardir $tmp/args/charts/pulled-1.0.0/\.krender-pull-" "$tmp/log" &&
	[ -d "$tmp/args/charts/pulled-1.0.0/pulled" ] &&
	[ -z "$(find "$tmp/args/charts" -name '.krender-pull-*')" ]; then
	pass "pull staged and renamed into place"
else
	fail "pull staging: $(grep pull "$tmp/log")"
fi
no_temp "args"
# the same build again: the pulled charts are used, nothing pulled
rm -f "$tmp/log"
HELM_ARGS_LOG=$tmp/log build "$tmp/args" --enable-helm --helm-command "$helm"
if [ $rc -eq 0 ] && ! grep -q "ARGS: pull" "$tmp/log"; then
	pass "pulled charts reused"
else
	fail "second build pulled again or failed: rc=$rc $(grep pull "$tmp/log")"
fi

# ---- a version bump is a new pull
mkdir "$tmp/bump"
cat >"$tmp/bump/kustomization.yaml" <<'K'
helmCharts:
- name: app
  releaseName: r
  repo: https://charts.example.com/stable
  version: 1.0.0
  skipTests: true
K
rm -f "$tmp/log"
HELM_ARGS_LOG=$tmp/log build "$tmp/bump" --enable-helm --helm-command "$helm"
grep -q 'chart: app-1.0.0' "$tmp/out" && [ "$(grep -c 'ARGS: pull' "$tmp/log")" -eq 1 ] &&
	pass "version 1.0.0 pulled" || fail "version 1.0.0: rc=$rc $(cat "$tmp/err")"
sed -i 's/1\.0\.0/1.1.0/' "$tmp/bump/kustomization.yaml"
rm -f "$tmp/log"
HELM_ARGS_LOG=$tmp/log build "$tmp/bump" --enable-helm --helm-command "$helm"
if [ $rc -eq 0 ] && grep -q 'chart: app-1.1.0' "$tmp/out" &&
	grep -q 'ARGS: pull .* app --version 1.1.0$' "$tmp/log"; then
	pass "version bump pulls 1.1.0"
else
	fail "version bump: rc=$rc $(cat "$tmp/log" "$tmp/err")"
fi

# ---- parallel builds pulling the same chart
mkdir "$tmp/par"
sed 's/1\.1\.0/2.0.0/' "$tmp/bump/kustomization.yaml" >"$tmp/par/kustomization.yaml"
pids=
for i in 1 2 3 4; do
	"$bin" build "$tmp/par" --enable-helm --helm-command "$helm" >"$tmp/par$i.out" 2>"$tmp/par$i.err" &
	pids="$pids $!"
done
ok=1
for p in $pids; do wait "$p" || ok=0; done
for i in 2 3 4; do cmp -s "$tmp/par1.out" "$tmp/par$i.out" || ok=0; done
grep -q 'chart: app-2.0.0' "$tmp/par1.out" || ok=0
[ -z "$(find "$tmp/par" -name '.krender-pull-*')" ] || ok=0
[ $ok -eq 1 ] && pass "4 parallel builds pulling one chart" ||
	fail "parallel builds: $(cat "$tmp"/par*.err)"
no_temp "parallel"

# ---- helmGlobals.configHome is HELM_CONFIG_HOME
mkdir -p "$tmp/cfg/charts/c"
printf 'apiVersion: v2\nname: c\nversion: 0.1.0\n' >"$tmp/cfg/charts/c/Chart.yaml"
printf 'x: 1\n' >"$tmp/cfg/charts/c/values.yaml"
printf 'helmGlobals:\n  configHome: %s/helmcfg\nhelmCharts:\n- name: c\n  skipTests: true\n' \
	"$tmp" >"$tmp/cfg/kustomization.yaml"
rm -f "$tmp/log"
HELM_ARGS_LOG=$tmp/log build "$tmp/cfg" --enable-helm --helm-command "$helm"
grep -q "ENV: HELM_CONFIG_HOME=$tmp/helmcfg HELM_CACHE_HOME=$tmp/helmcfg/.cache HELM_DATA_HOME=$tmp/helmcfg/.data" "$tmp/log" &&
	pass "configHome" || fail "configHome: rc=$rc $(cat "$tmp/log" "$tmp/err")"

# ---- the chart's files are inputs of the build (check --affected)
mkdir -p "$tmp/cfg/charts/c/templates" "$tmp/other"
echo '# a template' >"$tmp/cfg/charts/c/templates/cm.yaml"
printf 'namePrefix: x-\n' >"$tmp/other/kustomization.yaml"
"$bin" check -v --enable-helm --helm-command "$helm" --root "$tmp" \
	--affected "$tmp/cfg/charts/c/templates/cm.yaml" >"$tmp/out" 2>&1
if grep -q "cfg" "$tmp/out" && ! grep -q "other" "$tmp/out"; then
	pass "check --affected: a chart template selects its kustomization"
else
	fail "check --affected: $(cat "$tmp/out")"
fi

# ---- failures
build "$tmp/cfg"
failed_cleanly "no --enable-helm" "$tmp/cfg/kustomization.yaml" "--enable-helm"
build "$tmp/cfg" --enable-helm --helm-command "$tmp/no/such/helm"
failed_cleanly "helm missing" "$tmp/cfg/kustomization.yaml" "helm chart 'c'" \
	"cannot run '$tmp/no/such/helm version -c --short'"
PATH=/nonexistent build "$tmp/cfg" --enable-helm
failed_cleanly "no helm in PATH" "helm chart 'c'" "is helm 3 installed?"
HELM_FAKE_FAIL=template build "$tmp/cfg" --enable-helm --helm-command "$helm"
failed_cleanly "helm template fails" "$tmp/cfg/kustomization.yaml" "helm chart 'c'" \
	"template --generate-name $tmp/cfg/charts/c" "exited with status 3" \
	"stand-in helm: template failed on purpose"
HELM_FAKE_VERSION=v2.17.0 build "$tmp/cfg" --enable-helm --helm-command "$helm"
failed_cleanly "helm 2" "helm chart 'c'" "requires helm V3 but got v2.17.0"
HELM_FAKE_PREAMBLE="not yaml: [" build "$tmp/cfg" --enable-helm --helm-command "$helm"
failed_cleanly "helm prints bad YAML" "$tmp/cfg/kustomization.yaml: helm template of chart 'c'"
sed -i 's/2\.0\.0/3.0.0/' "$tmp/par/kustomization.yaml"
HELM_FAKE_FAIL=pull build "$tmp/par" --enable-helm --helm-command "$helm"
failed_cleanly "helm pull fails" "helm chart 'app'" "pull --untar" "exited with status 3"
if [ ! -e "$tmp/par/charts/app-3.0.0/app" ] &&
	[ -z "$(find "$tmp/par" -name '.krender-pull-*')" ]; then
	pass "failed pull leaves no chart"
else
	fail "failed pull left: $(find "$tmp/par/charts")"
fi
no_temp "failures"

echo "$((count - fails))/$count passed"
[ $fails -eq 0 ]
