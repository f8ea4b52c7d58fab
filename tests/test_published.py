"""The branch the deploy publishes is read from its workflow, and a launch link naming another branch is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from booksite.book import Book, launch_url
from booksite.published import DEPLOY_WORKFLOW, PublishedBranchError, check_links, link_branches, published_branch

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
BOOK = Book.load(ROOT)


def plant_workflow(root: Path, on: str) -> None:
    """A deploy workflow under root whose `on:` block is the given YAML."""
    path = root / DEPLOY_WORKFLOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"name: publish\non:\n{on}\njobs: {{}}\n")


def plant_page(html: Path, name: str, branch: str) -> None:
    """A built page whose launch button names a branch, as booksite renders it."""
    link = launch_url(BOOK.hub, BOOK.repository, branch, "notebooks/x.ipynb").replace("&", "&amp;")
    (html / name).parent.mkdir(parents=True, exist_ok=True)
    (html / name).write_text(f'<html><body><a class="btn" href="{link}">LEAP hub</a></body></html>')


def test_the_repository_publishes_its_deploy_workflows_branch():
    """The real workflow names one branch, and the book's links name that same branch."""
    assert published_branch(ROOT) == BOOK.branch


def test_the_branch_is_read_from_the_workflow(tmp_path):
    """Whatever branch the workflow pushes from is the published one."""
    plant_workflow(tmp_path, "  push:\n    branches: [trunk]\n  workflow_dispatch:")
    assert published_branch(tmp_path) == "trunk"


@pytest.mark.parametrize("on", ["  push:\n    branches: [main, master]", "  push:\n    branches: ['release/*']",
                                "  push:", "  workflow_dispatch:"])
def test_a_workflow_naming_no_single_branch_is_a_clear_error(tmp_path, on):
    """Two branches, a pattern or none: the error names the file and what it found."""
    plant_workflow(tmp_path, on)
    with pytest.raises(PublishedBranchError, match=r"publish\.yml: on\.push\.branches must name exactly one branch"):
        published_branch(tmp_path)


def test_a_missing_workflow_is_a_clear_error(tmp_path):
    """No deploy workflow: the error says which file names the branch."""
    with pytest.raises(PublishedBranchError, match=r"publish\.yml is missing"):
        published_branch(tmp_path)


def test_links_naming_the_published_branch_pass(tmp_path):
    """Every launch link names the published branch: the check counts the pages that link to the hub."""
    plant_page(tmp_path, "book/a.html", "main")
    plant_page(tmp_path, "book/b.html", "main")
    (tmp_path / "index.html").write_text('<a href="https://example.org/?branch=x">elsewhere</a>')
    assert link_branches(tmp_path) == {"book/a.html": {"main"}, "book/b.html": {"main"}}
    assert check_links(tmp_path, "main") == 2


def test_a_site_whose_links_name_another_branch_fails_naming_both(tmp_path):
    """A site built from a _config.yml naming master, while the deploy publishes main: the message names both."""
    plant_workflow(tmp_path / "repo", "  push:\n    branches: [main]")
    plant_page(tmp_path / "html", "book/a.html", "main")
    plant_page(tmp_path / "html", "book/b.html", "master")
    with pytest.raises(PublishedBranchError) as raised:
        check_links(tmp_path / "html", published_branch(tmp_path / "repo"))
    message = str(raised.value)
    assert "launch links name branch 'master'" in message
    assert "publishes branch 'main'" in message
    assert "book/b.html: branch=master" in message and "book/a.html" not in message
