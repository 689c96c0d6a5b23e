# tests/lib.sh - what the shell suites share; sourced by each of them
# after `set -u`:
#
#   . "$(dirname "$0")/lib.sh"
#
# with the script's arguments KRENDER SOURCE_DIR: sets $bin (the krender
# binary) and $src (the source tree) as absolute paths and changes into
# $src; gives a temporary directory $tmp (removed at exit), the counters
# $passes, $fails and $count (checks run), pass NAME / fail NAME, and
# failed_cleanly NAME WORD... for error paths: the last command (its exit
# status in $rc, stdout in $tmp/out, stderr in $tmp/err) exited 1, wrote
# nothing to stdout, and its stderr holds every WORD (failed_with NAME RC
# WORD... for another status).

bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
src=$(cd "$2" && pwd) || exit 1
cd "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
passes=0
count=0
pass() { count=$((count + 1)); passes=$((passes + 1)); echo "ok: $1"; }
fail() { count=$((count + 1)); fails=$((fails + 1)); echo "FAIL: $1"; }
# failed_with NAME RC WORD...: the same with exit status RC.
failed_with() {
	name=$1 want=$2
	shift 2
	ok=1
	[ "$rc" -eq "$want" ] || ok=0
	[ -s "$tmp/out" ] && ok=0
	for w in "$@"; do grep -qF -- "$w" "$tmp/err" || ok=0; done
	if [ $ok -eq 1 ]; then pass "$name"; else
		fail "$name: rc=$rc (want $want), stdout $(wc -c <"$tmp/out") bytes, stderr: $(cat "$tmp/err")"
	fi
}
failed_cleanly() {
	name=$1
	shift
	failed_with "$name" 1 "$@"
}
