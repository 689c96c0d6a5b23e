#!/bin/sh
# krender as GitOps tools call it (docs/argocd.md, docs/helm.md,
# docs/pre-commit.md): Argo CD's native kustomize integration through a
# `kustomize` link, the Argo CD config management plugin, the Helm
# post-renderer, `check` as pre-commit and CI run it, `diff`, and the help.
# Expected outputs of builds were written by kubectl
# (fixtures/gitops/regen.sh, testdata/); this script never runs kubectl.
#
# usage: sh tests/gitops.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

fx=$src/fixtures/gitops
unset KRENDER_BUILD_OPTIONS ARGOCD_ENV_KRENDER_BUILD_OPTIONS

# ---- Argo CD, native kustomize: argocd-cm kustomize.path.v5.5.0 names a
# `kustomize` link to krender; Argo CD runs it from the repository root.
mkdir "$tmp/bin"
ln -s "$bin" "$tmp/bin/kustomize"
kz=$tmp/bin/kustomize

# `kustomize version --short`, parsed as Argo CD's versionWithBinaryPath and
# getSemver do: trim, drop the braces, collapse double blanks, drop the
# "kustomize/" prefix, take the first semver.
out=$("$kz" version --short) && rc=0 || rc=$?
ver=$(printf '%s' "$out" | sed -e 's/^ *//; s/ *$//; s/^{//; s/}$//; s/^ *//; s/ *$//' \
	-e 's/  / /g; s/^kustomize\///' | grep -oE 'v?[0-9]+(\.[0-9]+)?(\.[0-9]+)?' | head -n 1)
[ $rc -eq 0 ] && [ "$ver" = "v5.5.0" ] && [ "$out" = "{kustomize/v5.5.0  unknown   }" ] &&
	pass "argocd: kustomize version --short -> $ver" ||
	fail "argocd: kustomize version --short: '$out' parsed as '$ver'"

case_dir=$src/testdata/load_restrictor_none
"$kz" build "$case_dir/input/app" --load-restrictor LoadRestrictionsNone >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$case_dir/expected.yaml" &&
	pass "argocd: kustomize build /abs/path [buildOptions]" ||
	fail "argocd: kustomize build /abs/path: $(cat "$tmp/err")"
# with a global --enable-helm Argo CD >= 2.x adds the helm flags itself
"$kz" build "$case_dir/input/app" --load-restrictor LoadRestrictionsNone --enable-helm \
	--helm-kube-version 1.30 --helm-api-versions monitoring.coreos.com/v1 >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$case_dir/expected.yaml" &&
	pass "argocd: kustomize build with --enable-helm --helm-kube-version --helm-api-versions" ||
	fail "argocd: helm flags: $(cat "$tmp/err")"
"$kz" build "$src/testdata/sort_legacy_namespaces/input" >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$src/testdata/sort_legacy_namespaces/expected.yaml" &&
	pass "argocd: kustomize build /abs/path" || fail "argocd: kustomize build: $(cat "$tmp/err")"
"$kz" build "$src/testdata/err_missing_resource/input" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "argocd: failing build" 1 "Error: " "kustomization.yaml"
"$kz" build "$case_dir/input/app" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "argocd: load restrictor refusal" 1 "security" "kustomization.yaml"

# ---- Argo CD config management plugin: the sidecar runs the plugin's
# discover and generate commands in the application's directory, with the
# Application's plugin env as ARGOCD_ENV_* (and ARGOCD_APP_* set).
plugin=$src/contrib/argocd/plugin.yaml
grep -q '^kind: ConfigManagementPlugin$' "$plugin" &&
	awk '/^  generate:/{g=1} g' "$plugin" | tr -d ' \n' | grep -qF 'command:-krender-build-.' &&
	pass "cmp: plugin.yaml generates with 'krender build .'" || fail "cmp: plugin.yaml"
disc() { (cd "$1" && find . -maxdepth 1 -type f \( -name kustomization.yaml -o \
	-name kustomization.yml -o -name Kustomization \)); }
[ -n "$(disc "$case_dir/input/app")" ] && [ -z "$(disc "$case_dir/input")" ] &&
	pass "cmp: discovery by kustomization file" || fail "cmp: discovery"
cmp_run() {
	(cd "$1" && env ARGOCD_APP_NAME=shop ARGOCD_APP_NAMESPACE=shop \
		ARGOCD_APP_REVISION=0123456789abcdef ARGOCD_APP_SOURCE_PATH=apps/shop \
		ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/shop.git \
		ARGOCD_ENV_KRENDER_BUILD_OPTIONS="$2" "$bin" build .) >"$tmp/out" 2>"$tmp/err"
}
cmp_run "$case_dir/input/app" "--load-restrictor LoadRestrictionsNone" && rc=0 || rc=$?
[ $rc -eq 0 ] && cmp -s "$tmp/out" "$case_dir/expected.yaml" &&
	pass "cmp: generate with ARGOCD_ENV_KRENDER_BUILD_OPTIONS" ||
	fail "cmp: generate: rc=$rc $(cat "$tmp/err")"
cmp_run "$case_dir/input/app" "" && rc=0 || rc=$?
failed_with "cmp: without the build options" 1 "security" "kustomization.yaml"
cmp_run "$case_dir/input/app" "--load-restrictor LoadRestrictionsNone --reorder none" && rc=0 || rc=$?
failed_with "cmp: unsupported build option" 1 "ARGOCD_ENV_KRENDER_BUILD_OPTIONS" "--reorder"
cmp_run "$case_dir/input/app" "../elsewhere" && rc=0 || rc=$?
failed_with "cmp: a path in the build options" 1 "ARGOCD_ENV_KRENDER_BUILD_OPTIONS" "../elsewhere"
# an Application may not make krender run programs
for f in --enable-exec --enable-alpha-plugins --enable-helm "--helm-command /bin/sh" \
	--enable-exec=true; do
	cmp_run "$case_dir/input/app" "--load-restrictor LoadRestrictionsNone $f" && rc=0 || rc=$?
	flag=${f%% *}
	failed_with "cmp: $f refused from an Application" 1 \
		"ARGOCD_ENV_KRENDER_BUILD_OPTIONS" "'${flag%%=*}'" "KRENDER_BUILD_OPTIONS of the sidecar"
done
cmp_run "$src/testdata/err_missing_resource/input" "" && rc=0 || rc=$?
failed_with "cmp: failing build" 1 "Error: " "kustomization.yaml"

# ---- Helm post-renderer: stdin shaped like `helm template` (# Source:
# comments, Helm 4's postrender-filename annotations).
pr=$fx/postrender
"$bin" post-render "$pr/overlay" <"$pr/chart.yaml" >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$pr/expected-overlay.yaml" &&
	grep -q 'postrenderer.helm.sh/postrender-filename: myapp/templates/deployment.yaml' "$tmp/out" &&
	pass "post-render: all.yaml prepended, ../base, patches, annotation kept" ||
	fail "post-render overlay: $(cat "$tmp/err")"
[ ! -e "$pr/overlay/all.yaml" ] && [ ! -e "$pr/listed/all.yaml" ] &&
	pass "post-render: nothing written to the kustomization's directory" ||
	fail "post-render: all.yaml left on disk"
"$bin" post-render "$pr/listed" <"$pr/chart.yaml" >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$pr/expected-listed.yaml" &&
	pass "post-render: all.yaml listed by the kustomization" ||
	fail "post-render listed: $(cat "$tmp/err")"
(cd "$pr/overlay" && "$bin" post-render) <"$pr/chart.yaml" >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$pr/expected-overlay.yaml" &&
	pass "post-render: the current directory by default" || fail "post-render default dir"
# Helm 3 runs the post-renderer executable with no arguments
(cd "$pr" && KRENDER=$bin sh "$src/contrib/helm/post-render.sh") <"$pr/chart.yaml" >"$tmp/out" 2>"$tmp/err" &&
	cmp -s "$tmp/out" "$pr/expected-overlay.yaml" &&
	pass "post-render: contrib/helm/post-render.sh (Helm 3)" || fail "post-render.sh: $(cat "$tmp/err")"
# Helm 4 runs the plugin's command with its args, then --post-renderer-args
hp=$src/contrib/helm/krender-postrenderer/plugin.yaml
grep -q '^type: postrenderer/v1$' "$hp" && grep -q '^runtime: subprocess$' "$hp" &&
	grep -q -- '- command: krender$' "$hp" && grep -q -- '- post-render$' "$hp" &&
	pass "post-render: Helm 4 postrenderer/v1 plugin manifest" || fail "helm 4 plugin.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n' |
	"$bin" post-render "$pr/overlay" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "post-render: malformed stream" 1 "all.yaml:5:" "post-render"
"$bin" post-render "$fx/broken/missing" <"$pr/chart.yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "post-render: failing kustomization" 1 "broken/missing/kustomization.yaml:3:3" "gone.yaml"
"$bin" post-render "$tmp/nowhere" <"$pr/chart.yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "post-render: missing directory" 1 "nowhere"

# ---- check: pre-commit passes the changed files to `check --affected`
tree=$fx/tree
affected() { (cd "$tree" && "$bin" check -v --affected "$@") >"$tmp/out" 2>"$tmp/err"; }
expect_selected() {
	name=$1 want=$2
	shift 2
	affected "$@" && rc=0 || rc=$?
	got=$(tr '\n' ' ' <"$tmp/out")
	[ $rc -eq 0 ] && [ "$got" = "$want" ] && pass "check --affected $name" ||
		fail "check --affected $name: rc=$rc got '$got' want '$want' $(cat "$tmp/err")"
}
expect_selected "base resource -> base and its overlays" \
	"ok ./base ok ./overlays/prod ok ./overlays/staging " base/deploy.yaml
expect_selected "generator file -> base and its overlays" \
	"ok ./base ok ./overlays/prod ok ./overlays/staging " base/config.env
expect_selected "component patch -> the overlay using it" \
	"ok ./overlays/prod " components/metrics/sidecar.yaml
expect_selected "overlay patch -> that overlay" \
	"ok ./overlays/staging " overlays/staging/log-level.yaml
expect_selected "kustomization file" "ok ./other " other/kustomization.yaml
expect_selected "unrelated file -> nothing" "" README.md
expect_selected "several files" "ok ./other ok ./overlays/prod " other/job.yaml ./components/metrics/sidecar.yaml
expect_selected "no files" ""
# the hooks as pre-commit runs them: entry + args + file names
entry=$(awk '/^- id: krender-check$/{h=1} h && /^  entry:/{sub(/^  entry: /, ""); print; exit}' "$src/.pre-commit-hooks.yaml")
(cd "$tree" && PATH="$(dirname "$bin"):$PATH" $entry base/service.yaml README.md) >"$tmp/out" 2>"$tmp/err" &&
	[ "$entry" = "krender check --affected" ] && [ ! -s "$tmp/out" ] &&
	pass "pre-commit: krender-check hook entry" || fail "pre-commit hook: '$entry' $(cat "$tmp/err")"
grep -A8 '^- id: krender-check$' "$src/.pre-commit-hooks.yaml" | grep -q 'pass_filenames: true' &&
	grep -q '^- id: krender-build$' "$src/.pre-commit-hooks.yaml" &&
	pass "pre-commit: hooks krender-check and krender-build" || fail "pre-commit hooks file"

# a broken base: exactly its overlays fail, with the file, line and column
cp -R "$tree" "$tmp/tree"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n   broken: indent\n' >"$tmp/tree/base/service.yaml"
(cd "$tmp/tree" && "$bin" check --affected base/service.yaml) >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "check --affected: a broken base fails its overlays" 1 \
	"Error: ./base:" "Error: ./overlays/prod:" "Error: ./overlays/staging:" \
	"base/service.yaml:5:" "3 of 3 kustomizations failed"
grep -q 'other' "$tmp/err" && fail "check --affected: unrelated kustomization reported" ||
	pass "check --affected: unrelated kustomization not reported"
# a deleted input: the kustomization that read from its directory fails
rm "$tmp/tree/components/metrics/sidecar.yaml"
cp "$tree/base/service.yaml" "$tmp/tree/base/service.yaml"
(cd "$tmp/tree" && "$bin" check --affected components/metrics/sidecar.yaml) >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "check --affected: a deleted file" 1 "Error: ./overlays/prod:" "sidecar.yaml"

# all of a tree; .git skipped; components only through their users
mkdir -p "$tmp/tree/.git/x"
printf 'resources: [missing.yaml]\n' >"$tmp/tree/.git/x/kustomization.yaml"
cp "$tree/components/metrics/sidecar.yaml" "$tmp/tree/components/metrics/"
(cd "$tmp/tree" && "$bin" check -v) >"$tmp/out" 2>"$tmp/err" &&
	[ "$(tr '\n' ' ' <"$tmp/out")" = "ok ./base ok ./other ok ./overlays/prod ok ./overlays/staging " ] &&
	pass "check: every kustomization, .git skipped" || fail "check tree: $(cat "$tmp/out" "$tmp/err")"
(cd "$tree" && "$bin" check -v overlays/prod/kustomization.yaml other) >"$tmp/out" 2>"$tmp/err" &&
	[ "$(tr '\n' ' ' <"$tmp/out")" = "ok overlays/prod ok other " ] &&
	pass "check: named directories and kustomization files" || fail "check named: $(cat "$tmp/out" "$tmp/err")"
(cd "$tree" && "$bin" check) >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
	pass "check: quiet when everything builds" || fail "check quiet"
# failures: every one reported, in the same order whatever -j
"$bin" check -j 1 "$fx/broken" >"$tmp/out" 2>"$tmp/err1"; rc=$?
"$bin" check -j 3 "$fx/broken" >"$tmp/out" 2>"$tmp/err"; rc3=$?
failed_with "check: failures with file:line:col" 1 \
	"broken/bad-yaml/deploy.yaml:5:10" "broken/missing/kustomization.yaml:3:3" "2 of 3 kustomizations failed"
[ $rc3 -eq 1 ] && cmp -s "$tmp/err1" "$tmp/err" && pass "check: same report with -j 1 and -j 3" ||
	fail "check: -j report differs"
"$bin" check "$tmp/nowhere" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "check: missing path" 1 "nowhere"
"$bin" check "$src/include" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "check: no kustomization found" 1 "no kustomization found"
"$bin" check -j 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "check: bad -j" 1 "--jobs"

# --rendered: committed manifests (written by kubectl) against a fresh build
(cd "$tree" && "$bin" check --rendered ../rendered) >"$tmp/out" 2>"$tmp/err" &&
	pass "check --rendered: up to date" || fail "check --rendered: $(cat "$tmp/err")"
cp -R "$fx/rendered" "$tmp/rendered"
sed -i 's/replicas: 3/replicas: 2/' "$tmp/rendered/overlays/prod/manifests.yaml"
rm "$tmp/rendered/other/manifests.yaml"
(cd "$tree" && "$bin" check --rendered "$tmp/rendered") >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "check --rendered: stale and missing" 1 \
	"rendered/overlays/prod/manifests.yaml are stale" "-  replicas: 2" "+  replicas: 3" \
	"no rendered manifests at $tmp/rendered/other/manifests.yaml"

# ---- diff
d=$fx/diff
"$bin" diff "$d/a" "$d/b" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && cmp -s "$tmp/out" "$d/expected.diff" && pass "diff: changed, removed and added resources" ||
	{ fail "diff: rc=$rc $(cat "$tmp/err")"; diff "$d/expected.diff" "$tmp/out"; }
"$bin" diff "$d/a" "$d/a" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/out" ] && pass "diff: identical" || fail "diff identical: rc=$rc"
"$bin" diff -U 0 "$d/a" "$d/b" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q '^@@ -9 +9 @@$' "$tmp/out" && pass "diff -U 0" || fail "diff -U 0: $(cat "$tmp/out")"
"$bin" diff "$d/a" "$fx/broken/bad-yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "diff: a side fails" 2 "broken/bad-yaml/deploy.yaml:5:10"
"$bin" diff "$d/a" "$tmp/nowhere" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "diff: missing directory" 2 "nowhere"
"$bin" diff "$d/a" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_with "diff: one directory" 2 "two kustomization directories"

# ---- help and the man page: every command and flag
"$bin" --help >"$tmp/help"
ok=1
for w in build post-render check diff version help --version --short --output \
	--load-restrictor --enable-helm --enable-alpha-plugins --enable-exec --helm-command \
	--helm-kube-version --helm-api-versions --jobs --verbose --rendered --root \
	--affected --unified; do
	grep -qe "$w" "$tmp/help" || { ok=0; echo "missing from --help: $w"; }
done
[ $ok -eq 1 ] && pass "--help lists every command and flag" || fail "--help"
ok=1
for c in "build:--load-restrictor --output --enable-helm KRENDER_BUILD_OPTIONS" \
	"post-render:--load-restrictor DIR" \
	"check:--affected --root --jobs --rendered --verbose --load-restrictor" \
	"diff:--unified --load-restrictor"; do
	cmd=${c%%:*}
	"$bin" "$cmd" --help >"$tmp/h" || ok=0
	"$bin" help "$cmd" | cmp -s - "$tmp/h" || { ok=0; echo "help $cmd differs"; }
	for w in ${c#*:}; do
		grep -qe "$w" "$tmp/h" || { ok=0; echo "missing from $cmd --help: $w"; }
		grep -qe "$(printf '%s' "$w" | sed 's/-/\\\\-/g')" "$src/docs/krender.1" ||
			{ ok=0; echo "missing from krender.1: $w"; }
	done
done
[ $ok -eq 1 ] && pass "each command's --help and the man page list its flags" || fail "command help"

echo "$((count - fails)) passed, $fails failed"
[ $fails -eq 0 ]
