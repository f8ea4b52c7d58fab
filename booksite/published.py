"""What the repository publishes: the branch the deploy workflow builds from, and whether launch links name it.

The deploy workflow (.github/workflows/publish.yml, `on.push.branches`) is the one place that branch is set.
A launch link names a branch for nbgitpuller to clone on the hub; any other branch than the published one
fails there ("Branch not found") or serves something never published, so the links are checked against it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from .links import scan

DEPLOY_WORKFLOW = Path(".github") / "workflows" / "publish.yml"
HUB_PATH = "/hub/user-redirect/git-pull"  # nbgitpuller's launch path (booksite.book.launch_url)


class PublishedBranchError(ValueError):
    """The deploy workflow names no single branch, or a launch link names another branch."""


def published_branch(root: Path) -> str:
    """The one branch whose pushes the deploy workflow publishes (`on.push.branches`)."""
    path = root / DEPLOY_WORKFLOW
    if not path.exists():
        raise PublishedBranchError(f"{path} is missing: it names the branch the site is published from")
    workflow = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # BaseLoader: `on` stays a string key
    branches = ((workflow.get("on") or {}).get("push") or {}).get("branches") if isinstance(workflow, dict) else None
    if not isinstance(branches, list) or len(branches) != 1 or any(c in branches[0] for c in "*?[!"):
        raise PublishedBranchError(f"{path}: on.push.branches must name exactly one branch (no pattern), "
                                   f"found {branches!r}")
    return branches[0]


def link_branches(html_dir: Path) -> dict[str, set[str]]:
    """Each built page's launch links' branches, by the page's path under html_dir."""
    found: dict[str, set[str]] = {}
    for page in sorted(html_dir.rglob("*.html")):
        for url in scan(page.read_text(encoding="utf-8", errors="replace")).urls:
            parts = urlsplit(url)
            if parts.path.endswith(HUB_PATH):
                branches = parse_qs(parts.query).get("branch", [""])
                found.setdefault(str(page.relative_to(html_dir)), set()).update(branches)
    return found


def check_links(html_dir: Path, branch: str) -> int:
    """How many pages link to the hub; PublishedBranchError naming both branches if a link names another."""
    pages = link_branches(html_dir)
    wrong = {page: sorted(found - {branch}) for page, found in pages.items() if found - {branch}}
    if wrong:
        named = sorted({name for names in wrong.values() for name in names})
        listing = "\n".join(f"  {page}: branch={', '.join(names)}" for page, names in sorted(wrong.items()))
        raise PublishedBranchError(
            f"launch links name branch {', '.join(map(repr, named))} but the deploy workflow ({DEPLOY_WORKFLOW}) "
            f"publishes branch {branch!r}: on the hub those buttons fail or open what was never published. "
            f"Set repository.branch in _config.yml to {branch!r}.\n{listing}")
    return len(pages)
