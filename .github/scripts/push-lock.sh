#!/usr/bin/env bash
# lock-push.yml's step: the "lock" run's artifact (locks/*.txt) as one commit on top of the
# Dependabot branch's head, pushed only if that head is still the one the run locked.
# Needs GH_TOKEN, GH_REPO, RUN_ID, BRANCH (dependabot/...), HEAD_SHA.
set -euo pipefail
[[ "$BRANCH" =~ ^dependabot/[A-Za-z0-9._/-]+$ ]] || { echo "push-lock.sh: not a Dependabot branch: $BRANCH" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! gh run download "$RUN_ID" --name locks --dir "$work/locks"; then
    echo "The lock run left no artifact: the lock was already current."
    exit 0
fi
for path in "$work"/locks/*; do
    [[ "$(basename "$path")" =~ ^(pins|hub|server|lint|twins)\.txt$ && -f "$path" && ! -L "$path" ]] || {
        echo "push-lock.sh: unexpected file in the artifact: $(basename "$path")" >&2
        exit 2
    }
done
url=${LOCK_REMOTE:-"https://github.com/${GH_REPO:?}.git"} # LOCK_REMOTE: another remote, for a test
auth="AUTHORIZATION: basic $(printf 'x-access-token:%s' "${GH_TOKEN:?}" | base64 -w0)"
g() { git -c "http.https://github.com/.extraheader=$auth" "$@"; }
g init --quiet "$work/tree"
g -C "$work/tree" fetch --quiet --depth 1 "$url" "$HEAD_SHA"
git -C "$work/tree" checkout --quiet --detach FETCH_HEAD
cp "$work"/locks/*.txt "$work/tree/locks/"
git -C "$work/tree" add locks
if git -C "$work/tree" diff --cached --quiet; then
    echo "The branch already has this lock."
    exit 0
fi
git -C "$work/tree" -c user.name="github-actions[bot]" \
    -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
    commit --quiet -m "Regenerate the lock (nox -s lock) for this pin change"
g -C "$work/tree" push --quiet --force-with-lease="refs/heads/$BRANCH:$HEAD_SHA" "$url" "HEAD:refs/heads/$BRANCH"
echo "Pushed the regenerated lock to $BRANCH."
