#!/bin/sh
# Golden-case driver: run one testdata case against a krender binary.
#
#   sh tests/golden.sh /path/to/krender /path/to/testdata/<case>
#
# A case folder holds:
#   cmd            one line: the words passed after `krender build`, with paths
#                  relative to the case folder (e.g. `input/overlays/prod` or
#                  `input --load-restrictor LoadRestrictionsNone`)
#   input/         the file tree the build reads (optional: cmd may point
#                  elsewhere, e.g. ../../docs/examples/...)
#   expected.yaml  exact stdout of `kubectl kustomize` for a successful build
#   expected.err   or: kubectl's stderr when it rejects the input (information
#                  only: krender's wording differs; `$CASE_DIR` stands for the
#                  absolute case path)
#   expected.msg   optional, with expected.err: every non-empty line must occur
#                  as a fixed substring of krender's stderr
#
# With expected.yaml the case passes iff the exit status is 0 and stdout is
# byte-identical. With expected.err it passes iff the exit status is non-zero
# and below 128 (no signal/crash), stdout is empty, stderr starts with
# `Error: ` (after any `# Warning: ` lines, as kubectl prints them) and
# (unless GOLDEN_SKIP_MSG=1) every line of expected.msg occurs in stderr.
#
# Exit status: 0 pass, 1 fail, 2 usage/setup problem.

if [ $# -ne 2 ]; then
    echo "usage: sh golden.sh KRENDER_BINARY CASE_DIR" >&2
    exit 2
fi

BIN=$1
CASE=$2

case $BIN in
    /*) ;;
    */*) BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") ;;
esac

if [ ! -d "$CASE" ]; then
    echo "golden: no such case directory: $CASE" >&2
    exit 2
fi
if [ ! -f "$CASE/cmd" ]; then
    echo "golden: $CASE has no cmd file" >&2
    exit 2
fi

NAME=$(basename "$CASE")

if [ -f "$CASE/expected.yaml" ] && [ -f "$CASE/expected.err" ]; then
    echo "golden[$NAME]: FAIL: case has both expected.yaml and expected.err" >&2
    exit 2
fi
if [ -f "$CASE/expected.yaml" ]; then
    MODE=yaml
elif [ -f "$CASE/expected.err" ]; then
    MODE=err
else
    echo "golden[$NAME]: case has neither expected.yaml nor expected.err" >&2
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || {
    echo "golden[$NAME]: mktemp failed" >&2
    exit 2
}
trap 'rm -rf "$TMP"' EXIT
trap 'rm -rf "$TMP"; exit 2' HUP INT PIPE TERM

cd "$CASE" || exit 2
CASE_ABS=$(pwd)

# The words of cmd, split on blanks like the shell does (no globbing).
ARGS=$(cat cmd)
set -f
# shellcheck disable=SC2086
"$BIN" build $ARGS >"$TMP/stdout" 2>"$TMP/stderr"
STATUS=$?
set +f

# fail MESSAGE [FILE]: report the failure (then FILE, e.g. a diff) and exit 1.
fail() {
    echo "golden[$NAME]: FAIL: $1"
    echo "  case:    $CASE_ABS"
    echo "  command: $BIN build $ARGS"
    echo "  exit:    $STATUS"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then
        cat "$2"
    fi
    if [ -s "$TMP/stderr" ]; then
        echo "--- stderr ---"
        cat "$TMP/stderr"
    fi
    exit 1
}

# show_stdout: the first lines of what the binary printed, for a failure.
show_stdout() {
    {
        echo "--- stdout (first 40 lines) ---"
        head -n 40 "$TMP/stdout"
    } >"$TMP/extra"
}

if [ "$MODE" = yaml ]; then
    if [ "$STATUS" -ne 0 ]; then
        fail "expected exit status 0"
    fi
    if ! cmp -s expected.yaml "$TMP/stdout"; then
        {
            echo "--- diff -u expected.yaml (stdout) ---"
            diff -u expected.yaml "$TMP/stdout" | sed -e "2s|$TMP/stdout|(stdout)|"
        } >"$TMP/extra"
        fail "stdout differs from expected.yaml" "$TMP/extra"
    fi
    echo "golden[$NAME]: ok"
    exit 0
fi

# MODE=err
if [ "$STATUS" -eq 0 ]; then
    show_stdout
    fail "expected a non-zero exit status (kubectl rejects this input, see expected.err)" "$TMP/extra"
fi
if [ "$STATUS" -ge 128 ]; then
    fail "exit status $STATUS >= 128: killed by a signal or crashed"
fi
if [ -s "$TMP/stdout" ]; then
    show_stdout
    fail "stdout must be empty on error" "$TMP/extra"
fi
# kustomize's deprecation warnings ("# Warning: 'vars' is deprecated...")
# come before the error, as kubectl prints them.
first=$(grep -v '^# Warning: ' "$TMP/stderr" | head -n 1)
case $first in
    "Error: "*) ;;
    *) fail "stderr must start with 'Error: '" ;;
esac
if [ -f expected.msg ] && [ "${GOLDEN_SKIP_MSG:-0}" != 1 ]; then
    : >"$TMP/extra"
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        if ! grep -qF -e "$line" "$TMP/stderr"; then
            echo "  stderr lacks this line of expected.msg: $line" >>"$TMP/extra"
        fi
    done <expected.msg
    if [ -s "$TMP/extra" ]; then
        fail "stderr does not contain every line of expected.msg" "$TMP/extra"
    fi
fi
echo "golden[$NAME]: ok"
exit 0
