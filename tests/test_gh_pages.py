"""The gh-pages script keeps the site at the root and each pull request's preview under _preview/<number>/."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / ".github" / "scripts" / "gh-pages.sh"


@pytest.fixture
def remote(tmp_path) -> Path:
    """An empty bare repository standing in for GitHub."""
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


def site(tmp_path: Path, name: str, text: str) -> Path:
    """A built site of one page."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "index.html").write_text(text)
    (folder / "_static").mkdir()
    (folder / "_static" / "x.css").write_text("a{}")
    return folder


def pages(remote: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the script against the bare repository."""
    environ = os.environ | {"GH_PAGES_REMOTE": remote.as_uri(), "GH_TOKEN": "unused", "GH_REPO": "o/r"}
    return subprocess.run(["bash", str(SCRIPT), *args], env=environ, capture_output=True, text=True)


def files(remote: Path) -> dict[str, str]:
    """The gh-pages branch's files and their text."""
    listing = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages"],
                             check=True, capture_output=True, text=True).stdout.split()
    return {name: subprocess.run(["git", "--git-dir", str(remote), "show", f"gh-pages:{name}"], check=True,
                                 capture_output=True, text=True).stdout for name in listing}


def test_site_and_previews_live_side_by_side(remote, tmp_path):
    """A new site replaces the root but keeps the previews; removing a preview leaves the rest."""
    assert pages(remote, "put", str(site(tmp_path, "v1", "one")), ".").returncode == 0
    assert pages(remote, "put", str(site(tmp_path, "pr", "preview")), "_preview/12").returncode == 0
    assert pages(remote, "put", str(site(tmp_path, "v2", "two")), ".").returncode == 0
    assert files(remote) == {".nojekyll": "", "index.html": "two", "_static/x.css": "a{}",
                             "_preview/12/index.html": "preview", "_preview/12/_static/x.css": "a{}"}
    assert pages(remote, "remove", "_preview/12").returncode == 0
    assert files(remote) == {".nojekyll": "", "index.html": "two", "_static/x.css": "a{}"}


def test_the_branch_never_grows(remote, tmp_path):
    """Each push is one parentless commit."""
    for text in ("one", "two"):
        pages(remote, "put", str(site(tmp_path, text, text)), ".")
    count = subprocess.run(["git", "--git-dir", str(remote), "rev-list", "--count", "gh-pages"], check=True,
                           capture_output=True, text=True).stdout.strip()
    assert count == "1"


@pytest.mark.parametrize("folder", ["_preview", "_preview/0", "_preview/1/..", "../x", "book", "_preview/1x"])
def test_other_folders_are_refused(remote, tmp_path, folder):
    """Only the root and _preview/<number>: a bad folder is an error and nothing is pushed."""
    result = pages(remote, "put", str(site(tmp_path, "s", "s")), folder)
    assert result.returncode == 2 and "refusing folder" in result.stderr
    assert subprocess.run(["git", "--git-dir", str(remote), "rev-parse", "--verify", "-q", "gh-pages"]).returncode
