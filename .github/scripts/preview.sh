#!/usr/bin/env bash
# preview.yml's step: the pull request of a finished "pull request" run gets its preview and
# one comment with the link; a closed one loses both. Trusts only the API and the environment:
# GH_TOKEN, GH_REPO, OWNER, RUN_ID, HEAD_SHA, CONCLUSION.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
marker="<!-- leap-hub-guide preview -->"

# The same-repository pull request whose head is the run's commit (closed ones included).
pr=$(gh api "repos/$GH_REPO/commits/$HEAD_SHA/pulls" \
    --jq "[.[] | select(.head.sha == \"$HEAD_SHA\" and .head.repo.full_name == \"$GH_REPO\")][0].number // empty")
if ! [[ "$pr" =~ ^[1-9][0-9]*$ ]]; then
    echo "No pull request of this repository has head $HEAD_SHA: nothing to preview."
    exit 0
fi
read -r state head < <(gh pr view "$pr" --json state,headRefOid --jq '.state + " " + .headRefOid')
comment=$(gh api --paginate "repos/$GH_REPO/issues/$pr/comments" \
    --jq "[.[] | select(.user.login == \"github-actions[bot]\" and (.body | contains(\"$marker\")))][0].id // empty" | head -n 1)

if [ "$state" != OPEN ]; then
    "$here/gh-pages.sh" remove "_preview/$pr"
    if [ -n "$comment" ]; then
        gh api --method DELETE "repos/$GH_REPO/issues/comments/$comment"
    fi
    echo "Pull request #$pr is $state: its preview and comment are removed."
    exit 0
fi
if [ "$head" != "$HEAD_SHA" ]; then
    echo "Pull request #$pr has moved on to $head: that run publishes its preview."
    exit 0
fi
if ! gh run download "$RUN_ID" --name "site-pr-$pr" --dir "$RUNNER_TEMP/site"; then
    echo "The run ($CONCLUSION) left no site artifact: the preview stays as it was."
    exit 0
fi
"$here/gh-pages.sh" put "$RUNNER_TEMP/site" "_preview/$pr"

site=$(gh api "repos/$GH_REPO/pages" --jq .html_url 2>/dev/null || echo "https://$OWNER.github.io/${GH_REPO#*/}/")
url="${site%/}/_preview/$pr/"
body=$(printf '%s\n**Preview** of this pull request: %s\n\nBuilt from %s; updated on every push (GitHub Pages may take a minute); removed when the pull request closes.' \
    "$marker" "$url" "$HEAD_SHA")
if [ -n "$comment" ]; then
    gh api --method PATCH "repos/$GH_REPO/issues/comments/$comment" -f body="$body" >/dev/null
else
    gh pr comment "$pr" --body "$body"
fi
echo "Preview of #$pr: $url"
