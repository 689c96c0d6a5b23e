#!/bin/sh
# Regenerate the expected output of golden cases with the reference
# implementation: `kubectl kustomize` (kubectl embeds Kustomize v5.5.0).
#
#   sh testdata/regen.sh            # every case
#   sh testdata/regen.sh CASE...    # only these (names or paths)
#
# For each case: cd into it, run `kubectl kustomize $(cat cmd)`; on exit 0 keep
# stdout as expected.yaml, otherwise keep stderr as expected.err with the
# absolute case path replaced by `$CASE_DIR` and klog's line header (time,
# pid) removed. expected.msg is hand-written (krender's wording) and never
# touched. Never edit expected.yaml/expected.err by hand.
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v kubectl >/dev/null 2>&1 || { echo "regen: kubectl not found" >&2; exit 2; }
kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v5.5.0' ||
    echo "regen: warning: kubectl does not embed Kustomize v5.5.0" >&2

if [ $# -eq 0 ]; then
    set -- "$here"/*/
fi
for c in "$@"; do
    case $c in
        */*) d=$c ;;
        *) d=$here/$c ;;
    esac
    [ -f "$d/cmd" ] || { echo "regen: skip $d (no cmd)" >&2; continue; }
    (
        cd "$d" || exit 1
        abs=$(pwd)
        set -f
        # shellcheck disable=SC2046
        kubectl kustomize $(cat cmd) >expected.yaml.new 2>expected.err.new
        rc=$?
        set +f
        if [ $rc -eq 0 ]; then
            mv expected.yaml.new expected.yaml
            rm -f expected.err.new expected.err
            echo "ok   $(basename "$abs")"
        else
            rm -f expected.yaml.new expected.yaml
            # Replace the absolute case path; drop klog's line header (date,
            # time, pid, source line) so that regenerating is reproducible.
            sed -e "s|$abs|\$CASE_DIR|g" \
                -e 's/^[IWEF][0-9]\{4\} [0-9:.]* *[0-9]* [a-zA-Z0-9_.-]*:[0-9]*\] //' \
                expected.err.new >expected.err
            rm -f expected.err.new
            echo "err  $(basename "$abs"): $(head -n 1 expected.err | cut -c1-150)"
        fi
    )
done
