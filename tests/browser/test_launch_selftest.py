"""The launch check can fail: a wrong branch in _config.yml, a twin missing or stale in the commit, each named."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from booksite.book import Book, twin_path
from booksite.published import PublishedBranchError, check_links
from harness.browser.launch import rendered_links
from harness.browser.serve import Site

BOOK = Book.load()
TUTORIAL = BOOK.tutorial_pages()[0]
TWIN = twin_path(TUTORIAL, BOOK.notebooks)
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
NOT_COPIED = shutil.ignore_patterns(".git", ".nox", "_build", "__pycache__", ".pytest_cache", ".ipynb_checkpoints")


def built_with(book: Book, folder: Path, branch: str) -> Path:
    """The site of a copy of the book whose _config.yml names another branch (built without executing)."""
    copy = folder / "book"
    shutil.copytree(book.root, copy, ignore=NOT_COPIED)
    config = yaml.safe_load((copy / "_config.yml").read_text())
    config["repository"]["branch"] = branch
    config["execute"]["execute_notebooks"] = "off"
    (copy / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    result = subprocess.run([str(JUPYTER_BOOK), "build", str(copy), "--builder", "html"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return copy / "_build" / "html"


@pytest.fixture(scope="module")
def link(site, chromium) -> str:
    """The first tutorial's launch link, as the real site renders it."""
    context = chromium.new_context()
    [found] = rendered_links(context, site.page(TUTORIAL))
    context.close()
    return found


def test_a_site_built_with_a_wrong_branch_fails_to_launch(book, launcher, origin, chromium, tmp_path):
    """The link asks nbgitpuller for a branch the repository does not have: its error is the message."""
    html = built_with(book, tmp_path, "no-such-branch")
    context = chromium.new_context()
    with Site(html) as served:
        [link] = rendered_links(context, served.page(TUTORIAL))
    context.close()
    assert "branch=no-such-branch" in link
    with pytest.raises(PublishedBranchError, match=r"name branch 'no-such-branch' .* publishes branch 'main'"):
        check_links(html, origin.branch)  # what the origin fixture checks first, before any browser
    report = launcher.launch(TUTORIAL, link, tmp_path).report()
    assert report.startswith(f"launching {TUTORIAL} from {link}\n")
    assert f"nbgitpuller failed: Error: Branch: no-such-branch -- not found in repo: {book.repository}" in report


def test_a_twin_missing_from_the_commit_fails_to_launch(launcher, origin, link, tmp_path):
    """The clone has no notebook at the link's path: JupyterLab opens none."""
    with origin.serving(origin.commit_with(remove=(TWIN,))):
        report = launcher.launch(TUTORIAL, link, tmp_path).report()
    assert report.startswith(f"launching {TUTORIAL} from {link}\n")
    assert f"JupyterLab opened no notebook at {launcher.folder}/{TWIN}" in report


def test_a_stale_twin_in_the_commit_fails_to_launch(launcher, origin, link, tmp_path, book):
    """The twin in the commit runs other code than its page: named before any cell runs."""
    twin = json.loads((book.root / TWIN).read_text())
    first = next(cell for cell in twin["cells"] if cell["cell_type"] == "code")
    first["source"] = ["print('not what the page shows')\n", *first["source"]]
    with origin.serving(origin.commit_with(edit={TWIN: json.dumps(twin, indent=1) + "\n"})):
        report = launcher.launch(TUTORIAL, link, tmp_path).report()
    page = book.source(TUTORIAL).relative_to(book.root)
    assert report.startswith(f"launching {TUTORIAL} from {link}\n")
    assert (f"the notebook JupyterLab opened is stale in the commit under test: ~/{launcher.folder}/{TWIN} differs "
            f"from ~/{launcher.folder}/{page}") in report
