#!/bin/sh
# Plain http(s) files in `resources` (src/httpfile.c), fetched from a
# python3 http.server on 127.0.0.1 (fixtures/http/serve.sh) that this
# script starts and stops: the output is compared with
# fixtures/http/expected.yaml, which kubectl wrote from the same files
# (fixtures/http/regen.sh; this script never runs kubectl).  Then the
# origin annotation, and the failures: 404, a refused connection, a
# server that never answers (--remote-timeout), bad YAML - exit 1,
# nothing on stdout, an error naming the URL.
#
# usage: sh tests/http.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
fx=$src/fixtures/http
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
unset KRENDER_BUILD_OPTIONS ARGOCD_ENV_KRENDER_BUILD_OPTIONS
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 0; }
build() { "$bin" build "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# k NAME RESOURCE...: a kustomization listing the resources
k() {
	mkdir -p "$tmp/$1"
	d=$1
	shift
	{ echo "resources:"; for r in "$@"; do echo "- $r"; done; } >"$tmp/$d/kustomization.yaml"
}

cp -R "$fx/site" "$tmp/site"
set -- $(sh "$fx/serve.sh" "$tmp/server.log" "$tmp/site") ||
	{ echo "FAIL: cannot start the server"; exit 1; }
port=$1
pids="$pids $2"
base=http://127.0.0.1:$port

# ---- kubectl's output for the same files
cp -R "$fx/k" "$tmp/main"
sed "s/PORT/$port/g" "$fx/k/kustomization.yaml.in" >"$tmp/main/kustomization.yaml"
build "$tmp/main"
if [ $rc -eq 0 ] && cmp -s "$fx/expected.yaml" "$tmp/out"; then
	pass "resources over http, as kubectl builds them"
else
	fail "http resources: rc=$rc $(cat "$tmp/err")"
	diff "$fx/expected.yaml" "$tmp/out" | head -20
fi

# ---- origin annotation: kustomize's filepath.Join of the URL
k meta "$base/deploy.yaml"
printf 'buildMetadata: [originAnnotations]\n' >>"$tmp/meta/kustomization.yaml"
build "$tmp/meta"
grep -qF "path: http:/127.0.0.1:$port/deploy.yaml" "$tmp/out" &&
	pass "origin annotation" || fail "origin: rc=$rc $(cat "$tmp/out" "$tmp/err")"

# ---- a helm chart's valuesFile over http (kustomize's loader GETs it)
mkdir -p "$tmp/chart/charts/c"
printf 'apiVersion: v2\nname: c\nversion: 0.1.0\n' >"$tmp/chart/charts/c/Chart.yaml"
printf 'fromurl: 1\n' >"$tmp/site/values.yaml"
printf 'helmCharts:\n- name: c\n  skipTests: true\n  valuesFile: %s/values.yaml\n  valuesInline: {b: 2}\n' \
	"$base" >"$tmp/chart/kustomization.yaml"
build "$tmp/chart" --enable-helm --helm-command "$src/fixtures/helm/helm"
if [ $rc -eq 0 ] && grep -q '^    fromurl: 1$' "$tmp/out" && grep -q '^    b: 2$' "$tmp/out"; then
	pass "helm valuesFile over http"
else
	fail "helm valuesFile over http: rc=$rc $(cat "$tmp/out" "$tmp/err")"
fi
sed -i 's|/values.yaml|/novalues.yaml|' "$tmp/chart/kustomization.yaml"
build "$tmp/chart" --enable-helm --helm-command "$src/fixtures/helm/helm"
failed_cleanly "helm valuesFile 404" "helm chart 'c'" "$base/novalues.yaml" "404"

# ---- failures
k missing "$base/missing.yaml"
build "$tmp/missing"
failed_cleanly "404" "$tmp/missing/kustomization.yaml:2:3" "$base/missing.yaml" \
	"HTTP Error: status code 404 (Not Found)"
printf 'x: [unclosed\n' >"$tmp/site/bad.yaml"
k bad "$base/bad.yaml"
build "$tmp/bad"
failed_cleanly "bad YAML" "$base/bad.yaml:2:1"
# a port nothing listens on: the server's, once stopped
set -- $(sh "$fx/serve.sh" "$tmp/server2.log" "$tmp/site") ||
	{ echo "FAIL: cannot start the server"; exit 1; }
kill "$2"
wait "$2" 2>/dev/null
sleep 0.2
k refused "http://127.0.0.1:$1/deploy.yaml"
build "$tmp/refused"
failed_cleanly "connection refused" "http://127.0.0.1:$1/deploy.yaml" "onnect"
# a server that accepts connections and never answers
python3 -u -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' >"$tmp/silent.log" 2>&1 &
pids="$pids $!"
i=0
while [ ! -s "$tmp/silent.log" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
k silent "http://127.0.0.1:$(head -n 1 "$tmp/silent.log")/deploy.yaml"
start=$(date +%s)
build "$tmp/silent" --remote-timeout 1
took=$(($(date +%s) - start))
failed_cleanly "silent server, --remote-timeout 1" "/deploy.yaml" "no complete answer within 1000 ms"
[ $took -le 5 ] && pass "timeout honoured (${took}s)" || fail "timeout took ${took}s"

echo "$((count - fails))/$count passed"
[ $fails -eq 0 ]
