"""The launch origin is made from a depth-1 clone with a detached HEAD, as actions/checkout leaves one (issue 27)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from booksite.book import Book
from booksite.published import published_branch
from harness.browser.origin import Origin

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]


def git(*args: str, cwd: Path) -> str:
    """Run git and return its stdout, stripped."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def shallow(tmp_path_factory) -> Path:
    """A depth-1 clone of this repository's HEAD, detached: what CI's checkout step leaves."""
    clone = tmp_path_factory.mktemp("shallow") / "checkout"
    git("clone", "--quiet", "--depth", "1", ROOT.as_uri(), str(clone), cwd=ROOT)
    git("checkout", "--quiet", "--detach", cwd=clone)
    assert git("rev-parse", "--is-shallow-repository", cwd=clone) == "true"
    return clone


def test_the_origin_is_made_from_a_shallow_detached_checkout(shallow, tmp_path):
    """A member's clone of the origin's published branch has the checkout's HEAD tree, with no history needed."""
    origin = Origin(Book.load(shallow), tmp_path).create()
    assert origin.head == git("rev-parse", "HEAD", cwd=shallow)
    assert origin.branch == published_branch(shallow)
    member = tmp_path / "member"
    git("clone", "--quiet", "--branch", origin.branch, origin.path.as_uri(), str(member), cwd=tmp_path)
    assert git("rev-parse", "HEAD^{tree}", cwd=member) == git("rev-parse", "HEAD^{tree}", cwd=shallow)


def test_a_variant_commit_is_served_and_then_put_back(shallow, tmp_path):
    """commit_with and serving work on the history-less origin: the branch moves, then returns to HEAD's tree."""
    origin = Origin(Book.load(shallow), tmp_path).create()
    variant = origin.commit_with(remove=("README.md",))
    ref = f"refs/heads/{origin.branch}"
    with origin.serving(variant):
        assert git("rev-parse", ref, cwd=origin.path) == variant
        assert "README.md" not in git("ls-tree", "--name-only", variant, cwd=origin.path).split()
    assert git("rev-parse", ref, cwd=origin.path) == origin.tip


def test_the_origin_names_the_deploys_branch_not_the_links(shallow, tmp_path):
    """With _config.yml naming another branch, the origin still holds the branch the deploy publishes."""
    config = shallow / "_config.yml"
    text = config.read_text()
    try:
        config.write_text(text.replace("branch: main", "branch: master"))
        assert Book.load(shallow).branch == "master"
        origin = Origin(Book.load(shallow), tmp_path).create()
    finally:
        config.write_text(text)
    assert origin.branch == published_branch(shallow) != "master"
    assert git("for-each-ref", "--format=%(refname)", cwd=origin.path) == f"refs/heads/{origin.branch}"
