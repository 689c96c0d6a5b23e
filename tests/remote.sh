#!/bin/sh
# Remote bases (src/remote.c) against local git repositories served
# through file:// URLs (fixtures/remote/make-repos.sh): tags, branches,
# commits, sub-directories, the .git form, submodules, a remote component.
# Outputs are compared with fixtures/remote/cases/*.yaml, which kubectl
# wrote from the same repositories (fixtures/remote/regen.sh); this script
# never runs kubectl.  Then the cache: a second build runs no git for a
# tag or a commit (a failing `git` first on PATH), a branch is re-resolved,
# --remote-cache refresh/off; and the failures: unreachable repository,
# bad ref, missing sub-directory, unreachable plain http file.
#
# usage: sh tests/remote.sh KRENDER SOURCE_DIR
set -u
. "$(dirname "$0")/lib.sh"
fx=$src/fixtures/remote
unset KRENDER_BUILD_OPTIONS ARGOCD_ENV_KRENDER_BUILD_OPTIONS
export KRENDER_CACHE_DIR="$tmp/cache"
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=protocol.file.allow GIT_CONFIG_VALUE_0=always

sh "$fx/make-repos.sh" "$tmp/repos" || { echo "FAIL: make-repos.sh"; exit 1; }
sh "$fx/instantiate.sh" "$fx/cases.txt" "$tmp/repos" "$tmp/k" ||
	{ echo "FAIL: instantiate.sh"; exit 1; }
build() { "$bin" build "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

# ---- every case as kubectl rendered it, fetched with git
for d in "$tmp"/k/*/; do
	name=$(basename "$d")
	build "$d"
	if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$fx/cases/$name.yaml"; then
		pass "$name"
	else
		fail "$name: rc=$rc $(cat "$tmp/err")"
		diff "$fx/cases/$name.yaml" "$tmp/out" | head -20
	fi
done

# ---- the cache: no git for a tag or a commit id the second time
mkdir -p "$tmp/nogit"
printf '#!/bin/sh\necho "git must not run" >&2\nexit 42\n' >"$tmp/nogit/git"
chmod +x "$tmp/nogit/git"
for name in tag light_tag commit dotgit overlay_in_repo component; do
	PATH="$tmp/nogit:$PATH" build "$tmp/k/$name"
	if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$fx/cases/$name.yaml"; then
		pass "cached $name without git"
	else
		fail "cached $name without git: rc=$rc $(cat "$tmp/err")"
	fi
done
# a branch (and HEAD) is re-resolved with git ls-remote
PATH="$tmp/nogit:$PATH" build "$tmp/k/branch"
failed_cleanly "branch needs git ls-remote" "$tmp/repos/main" "ls-remote" \
	"git must not run"
(cd "$tmp/repos/main" && git checkout -q feature 2>/dev/null &&
	sed -i 's/version: feature/version: three/' base/cm.yaml &&
	git -c user.name=t -c user.email=t@t commit -qam three && git checkout -q main 2>/dev/null)
build "$tmp/k/branch"
if [ $rc -eq 0 ] && grep -q 'version: three' "$tmp/out"; then
	pass "a new commit on the branch is fetched"
else
	fail "a new commit on the branch is fetched: rc=$rc $(cat "$tmp/err")"
fi
# one build resolves a repository and ref once, however many entries name it
real_git=$(command -v git)
mkdir -p "$tmp/countgit" "$tmp/twice"
printf '#!/bin/sh\necho "$*" >>"%s"\nexec "%s" "$@"\n' "$tmp/gitlog" "$real_git" \
	>"$tmp/countgit/git"
chmod +x "$tmp/countgit/git"
printf 'resources:\n- file://%s/main//base?ref=feature\ncomponents:\n- file://%s/main//components/label?ref=feature\n' \
	"$tmp/repos" "$tmp/repos" >"$tmp/twice/kustomization.yaml"
PATH="$tmp/countgit:$PATH" build "$tmp/twice"
n=$(grep -c ls-remote "$tmp/gitlog")
if [ $rc -eq 0 ] && [ "$n" -eq 1 ] && grep -q 'team: blue' "$tmp/out"; then
	pass "one ls-remote per repository and ref in a build"
else
	fail "one ls-remote per build: rc=$rc, $n ls-remote, $(cat "$tmp/err")"
fi
# --remote-cache refresh re-resolves a tag too
PATH="$tmp/nogit:$PATH" build --remote-cache refresh "$tmp/k/tag"
failed_cleanly "--remote-cache refresh asks the remote" "ls-remote"
build --remote-cache refresh "$tmp/k/tag"
if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$fx/cases/tag.yaml"; then
	pass "--remote-cache refresh"
else
	fail "--remote-cache refresh: rc=$rc $(cat "$tmp/err")"
fi
# --remote-cache off: always fetched, nothing kept
before=$(find "$tmp/cache" | wc -l)
PATH="$tmp/nogit:$PATH" build --remote-cache off "$tmp/k/tag"
failed_cleanly "--remote-cache off fetches" "git must not run"
build --remote-cache off "$tmp/k/tag"
after=$(find "$tmp/cache" | wc -l)
if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$fx/cases/tag.yaml" && [ "$before" -eq "$after" ]; then
	pass "--remote-cache off keeps nothing"
else
	fail "--remote-cache off: rc=$rc files $before -> $after $(cat "$tmp/err")"
fi
# builds in parallel on an empty cache agree
rm -rf "$tmp/cache"
for i in 1 2 3 4; do
	"$bin" build "$tmp/k/tag" >"$tmp/par$i" 2>&1 &
done
wait
ok=1
for i in 1 2 3 4; do cmp -s "$tmp/par$i" "$fx/cases/tag.yaml" || ok=0; done
leftover=$(find "$tmp/cache" -maxdepth 2 -name 'tmp-*' | wc -l)
if [ $ok -eq 1 ] && [ "$leftover" -eq 0 ]; then pass "parallel builds share the cache"
else fail "parallel builds: $(cat "$tmp"/par*) leftover $leftover"; fi

# ---- failures: exit 1, nothing on stdout, the URL and git's words
mk() { mkdir -p "$tmp/e/$1"; printf 'resources:\n- %s\n' "$2" >"$tmp/e/$1/kustomization.yaml"; }
mk unreachable "file://$tmp/repos/nope//base?ref=v1"
build "$tmp/e/unreachable"
failed_cleanly "unreachable repository" "file://$tmp/repos/nope//base?ref=v1" \
	"kustomization.yaml" "does not appear to be a git repository"
mk badref "file://$tmp/repos/main//base?ref=nosuchref"
build "$tmp/e/badref"
failed_cleanly "bad ref" "file://$tmp/repos/main//base?ref=nosuchref" "nosuchref"
mk nodir "file://$tmp/repos/main//nosuchdir?ref=v1"
build "$tmp/e/nodir"
failed_cleanly "missing sub-directory" "file://$tmp/repos/main//nosuchdir?ref=v1" \
	"no directory 'nosuchdir'"
mk symlink_out "file://$tmp/repos/main//escape"
build "$tmp/e/symlink_out"
failed_cleanly "a root leading out of the repository" "escape" \
	"outside of the repository"
mk fileout "file://$tmp/repos/main//fileout"
build --load-restrictor LoadRestrictionsNone "$tmp/e/fileout"
failed_cleanly "the load restrictor holds inside a checkout" "cm.yaml" \
	"LoadRestrictionsRootOnly"
mk meta "file://$tmp/repos/main//base?ref=v1"
printf 'buildMetadata: [originAnnotations]\n' >>"$tmp/e/meta/kustomization.yaml"
build "$tmp/e/meta"
failed_cleanly "remote bases with buildMetadata refused" "buildMetadata" \
	"not supported by this version of krender yet"
# a plain http file is fetched with a GET (tests/http.sh); port 1 refuses
mk http "http://127.0.0.1:1/deploy.yaml"
build "$tmp/e/http"
failed_cleanly "plain http file unreachable" "http://127.0.0.1:1/deploy.yaml"
mk timeout "file://$tmp/repos/main//base?ref=v1"
mkdir -p "$tmp/slowgit"
printf '#!/bin/sh\nsleep 5\n' >"$tmp/slowgit/git"
chmod +x "$tmp/slowgit/git"
PATH="$tmp/slowgit:$PATH" build --remote-cache off --remote-timeout 200ms "$tmp/e/timeout"
failed_cleanly "--remote-timeout" "timed out after 200 ms"
build --remote-timeout soon "$tmp/e/timeout"
failed_cleanly "bad --remote-timeout" "--remote-timeout soon"

echo "$count checks, $fails failed"
[ "$fails" -eq 0 ]
