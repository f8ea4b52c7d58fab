#!/usr/bin/env bash
# The gh-pages branch that GitHub Pages serves: the published site at its root, each open
# pull request's preview under _preview/<number>/. This puts a built site at a folder of it,
# or removes a folder, as one new parentless commit (the branch never grows), pushed with a
# lease: when another workflow pushed first, it starts again from the new tip.
#
#   gh-pages.sh put SITE_DIR FOLDER   FOLDER "." is the root: all but _preview/ is replaced
#   gh-pages.sh remove FOLDER
#
# Needs GH_TOKEN (contents: write) and GH_REPO (owner/name). It copies files and runs none of them.
set -euo pipefail

action=${1:?usage: gh-pages.sh put SITE_DIR FOLDER | remove FOLDER}
case "$action" in
    put) site=$(cd "${2:?SITE_DIR}" && pwd); folder=${3:?FOLDER} ;;
    remove) site=""; folder=${2:?FOLDER} ;;
    *) echo "gh-pages.sh: unknown action $action" >&2; exit 2 ;;
esac
[[ "$folder" =~ ^(\.|_preview/[1-9][0-9]*)$ ]] || {
    echo "gh-pages.sh: refusing folder $folder (the root, or _preview/<pull request number>)" >&2
    exit 2
}

# GH_PAGES_REMOTE: another remote, for the script's own test (tests/test_gh_pages.py).
url=${GH_PAGES_REMOTE:-"https://github.com/${GH_REPO:?}.git"}
auth="AUTHORIZATION: basic $(printf 'x-access-token:%s' "${GH_TOKEN:?}" | base64 -w0)"
g() { git -c "http.https://github.com/.extraheader=$auth" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for attempt in 1 2 3 4 5; do
    rm -rf "$work/tree" && mkdir "$work/tree"
    tip=$(g ls-remote "$url" refs/heads/gh-pages | cut -f1)
    if [ -n "$tip" ]; then
        g -C "$work/tree" init --quiet
        g -C "$work/tree" fetch --quiet --depth 1 "$url" "$tip"
        git -C "$work/tree" checkout --quiet --detach FETCH_HEAD
    else
        git -C "$work/tree" init --quiet
    fi
    if [ "$folder" = . ]; then
        find "$work/tree" -mindepth 1 -maxdepth 1 ! -name .git ! -name _preview -exec rm -rf {} +
    else
        rm -rf "${work:?}/tree/$folder"
    fi
    if [ -n "$site" ]; then
        mkdir -p "$work/tree/$folder"
        cp -R "$site/." "$work/tree/$folder/"
    fi
    touch "$work/tree/.nojekyll" # serve _static/ and _preview/ as they are
    git -C "$work/tree" add --all
    tree=$(git -C "$work/tree" write-tree)
    commit=$(git -C "$work/tree" -c user.name="github-actions[bot]" \
        -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
        commit-tree "$tree" -m "$action $folder (${GITHUB_WORKFLOW:-by hand} ${GITHUB_RUN_ID:-})")
    if g -C "$work/tree" push --quiet --force-with-lease="refs/heads/gh-pages:$tip" "$url" "$commit:refs/heads/gh-pages"; then
        echo "gh-pages: $action $folder as $commit"
        exit 0
    fi
    echo "gh-pages: another push came first (attempt $attempt); starting again from the new tip" >&2
    sleep $((attempt * 5))
done
echo "gh-pages: could not push after 5 attempts" >&2
exit 1
