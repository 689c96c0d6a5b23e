#!/bin/sh
# `krender serve` and `krender build` with KRENDER_SERVER (src/cli/serve.c):
# every golden case gives the same stdout, stderr and exit status through
# the server as locally; files changed between two requests are seen; the
# client's directory, umask and environment are the build's; a closed
# stdout leaves nothing for the next request; the client builds locally
# when the server is missing or another binary's; the server refuses a
# second server on its socket, replaces a stale socket, and leaves on
# SIGTERM or when idle, removing its socket.
#
# usage: sh tests/serve.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"

sock=$tmp/s.sock
wait_socket() { # PATH: up to 5 s for a server to listen
	i=0
	while [ ! -S "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$1" ]
}
served() { grep -c '^krender serve: ' "$tmp/serve.log"; }

"$bin" serve -v --idle-timeout 300 "$sock" 2>"$tmp/serve.log" &
spid=$!
wait_socket "$sock" && pass "server listens" || fail "server did not start: $(cat "$tmp/serve.log")"
[ "$(stat -c %a "$sock")" = 600 ] && pass "socket for its user only" ||
	fail "socket mode $(stat -c %a "$sock")"

# Every golden case, locally and twice through the server (the second
# time from the results it keeps, where the build is pure).
n=0 same=0 before=$(served)
for c in testdata/*/cmd; do
	d=${c%/cmd}
	args=$(cat "$c")
	# shellcheck disable=SC2086
	(cd "$d" && KRENDER_SERVER= "$bin" build $args >"$tmp/l.out" 2>"$tmp/l.err"; echo $? >"$tmp/l.rc")
	n=$((n + 1))
	ok=1
	for round in 1 2; do
		# shellcheck disable=SC2086
		(cd "$d" && KRENDER_SERVER=$sock "$bin" build $args >"$tmp/s.out" 2>"$tmp/s.err"; echo $? >"$tmp/s.rc")
		if ! cmp -s "$tmp/l.out" "$tmp/s.out" || ! cmp -s "$tmp/l.err" "$tmp/s.err" ||
			! cmp -s "$tmp/l.rc" "$tmp/s.rc"; then
			ok=0
			echo "  differs: $d, round $round (rc $(cat "$tmp/l.rc") / $(cat "$tmp/s.rc"))"
			diff "$tmp/l.err" "$tmp/s.err" | head -5
		fi
	done
	[ $ok = 1 ] && same=$((same + 1))
done
[ "$same" -eq "$n" ] && [ "$n" -gt 300 ] && pass "$n golden cases: same output, messages and status, twice" ||
	fail "golden cases: $same of $n the same"
[ $(($(served) - before)) -eq $((2 * n)) ] && pass "each of them was served" ||
	fail "served $(($(served) - before)) of $((2 * n))"

# A file changed between two requests (same size, same second).
mkdir -p "$tmp/t"
printf 'resources:\n- cm.yaml\n' >"$tmp/t/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: one\n' >"$tmp/t/cm.yaml"
KRENDER_SERVER=$sock "$bin" build "$tmp/t" >"$tmp/1.yaml" 2>"$tmp/err"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: two\n' >"$tmp/t/cm.yaml"
KRENDER_SERVER=$sock "$bin" build "$tmp/t" >"$tmp/2.yaml" 2>>"$tmp/err"
grep -q 'k: one' "$tmp/1.yaml" && grep -q 'k: two' "$tmp/2.yaml" &&
	pass "a changed file is read again" || fail "changed file: $(cat "$tmp/1.yaml" "$tmp/2.yaml" "$tmp/err")"

# -o relative to the client's directory, created with the client's umask.
(cd "$tmp" && umask 077 && KRENDER_SERVER=$sock "$bin" build t -o o.yaml) 2>"$tmp/err" &&
	[ "$(stat -c %a "$tmp/o.yaml")" = 600 ] && cmp -s "$tmp/o.yaml" "$tmp/2.yaml" &&
	pass "-o in the client's directory, with its umask" ||
	fail "-o: $(ls -l "$tmp/o.yaml" 2>&1) $(cat "$tmp/err")"

# The client's environment: a base outside the root needs
# LoadRestrictionsNone, given only in the client's KRENDER_BUILD_OPTIONS.
mkdir -p "$tmp/r/o"
printf 'resources:\n- ../cm.yaml\n' >"$tmp/r/o/kustomization.yaml"
cp "$tmp/t/cm.yaml" "$tmp/r/cm.yaml"
KRENDER_SERVER=$sock "$bin" build "$tmp/r/o" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_cleanly "restricted without the option" "$tmp/r/cm.yaml"
KRENDER_SERVER=$sock KRENDER_BUILD_OPTIONS="--load-restrictor LoadRestrictionsNone" \
	"$bin" build "$tmp/r/o" >"$tmp/out" 2>"$tmp/err" && grep -q 'k: two' "$tmp/out" &&
	pass "the client's KRENDER_BUILD_OPTIONS" || fail "client env: $(cat "$tmp/err")"

# A client whose stdout is closed fails; the next one gets only its own bytes.
KRENDER_SERVER=$sock "$bin" build "$tmp/t" >&- 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q '^Error: writing output' "$tmp/err" &&
	pass "closed stdout: an error" || fail "closed stdout: rc=$rc $(cat "$tmp/err")"
KRENDER_SERVER=$sock "$bin" build "$tmp/t" >"$tmp/3.yaml" 2>"$tmp/err" &&
	cmp -s "$tmp/3.yaml" "$tmp/2.yaml" && pass "the next request's output is its own" ||
	fail "after a closed stdout: $(cat "$tmp/3.yaml" "$tmp/err")"

# Built locally: no server there, another binary, a command other than build.
before=$(served)
KRENDER_SERVER=$tmp/none.sock "$bin" build "$tmp/t" >"$tmp/4.yaml" 2>"$tmp/err" &&
	cmp -s "$tmp/4.yaml" "$tmp/2.yaml" && pass "no server: built locally" ||
	fail "no server: $(cat "$tmp/err")"
cp "$bin" "$tmp/krender-copy"
KRENDER_SERVER=$sock "$tmp/krender-copy" build "$tmp/t" >"$tmp/5.yaml" 2>"$tmp/err" &&
	cmp -s "$tmp/5.yaml" "$tmp/2.yaml" && [ "$(served)" -eq "$before" ] &&
	pass "another binary: refused, built locally" ||
	fail "another binary: served $(($(served) - before)), $(cat "$tmp/err")"
KRENDER_SERVER=$sock "$bin" version >/dev/null 2>&1 && [ "$(served)" -eq "$before" ] &&
	pass "only build is forwarded" || fail "version was forwarded"

# One server per socket.
"$bin" serve "$sock" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_cleanly "second server on the socket" "already listens on $sock"
"$bin" serve >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_cleanly "serve without a socket" "needs the path of its socket"
"$bin" serve --idle-timeout x "$sock" >"$tmp/out" 2>"$tmp/err"; rc=$?
failed_cleanly "bad --idle-timeout" "invalid --idle-timeout 'x'"

# SIGTERM: it leaves and removes its socket.
kill -TERM "$spid"
wait "$spid"; rc=$?
[ $rc -eq 0 ] && [ ! -e "$sock" ] && pass "SIGTERM: exit 0, socket removed" ||
	fail "SIGTERM: rc=$rc, socket $(ls -l "$sock" 2>&1)"

# A stale socket (its server killed) is replaced; an idle server leaves.
"$bin" serve "$sock" 2>/dev/null &
kpid=$!
wait_socket "$sock"
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
[ -S "$sock" ] || fail "the killed server's socket is gone"
"$bin" serve -v --idle-timeout 2 "$sock" 2>"$tmp/serve2.log" &
ipid=$!
# until the new server answers (before, the client builds locally)
i=0
while [ $i -lt 50 ]; do
	KRENDER_SERVER=$sock "$bin" build "$tmp/t" >"$tmp/6.yaml" 2>"$tmp/err"
	grep -q '^krender serve: ' "$tmp/serve2.log" && break
	sleep 0.1
	i=$((i + 1))
done
grep -q '^krender serve: ' "$tmp/serve2.log" && cmp -s "$tmp/6.yaml" "$tmp/2.yaml" &&
	pass "a stale socket is replaced" ||
	fail "stale socket: $(cat "$tmp/err" "$tmp/serve2.log")"
i=0
while kill -0 "$ipid" 2>/dev/null && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$ipid" 2>/dev/null; then
	kill "$ipid"
	fail "idle server still running 8 s after its last request"
else
	[ ! -e "$sock" ] && pass "idle: exits, socket removed" || fail "idle: socket left"
fi

echo "serve: $passes passed, $fails failure(s)"
[ "$fails" -eq 0 ]
