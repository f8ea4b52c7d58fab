"""lock-push.yml's script: the lock run's files, checked by name, as one commit on the Dependabot branch."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / ".github" / "scripts" / "push-lock.sh"
BRANCH = "dependabot/conda/python-pins-1"


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git; its stdout, stripped."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def remote(tmp_path) -> tuple[Path, str]:
    """A bare repository with the bot's branch holding locks/pins.txt; and that branch's head."""
    work = tmp_path / "work"
    git("init", "--quiet", "-b", BRANCH, str(work))
    (work / "locks").mkdir()
    (work / "locks" / "pins.txt").write_text("old\n")
    git("add", ".", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet", "-m", "pins", cwd=work)
    bare = tmp_path / "remote.git"
    git("clone", "--quiet", "--bare", str(work), str(bare))
    return bare, git("rev-parse", "HEAD", cwd=work)


def run(tmp_path: Path, remote: Path, head: str, files: dict[str, str], branch: str = BRANCH):
    """The script with a `gh` that 'downloads' the given files, pushing to the bare repository."""
    artifact = tmp_path / "artifact"
    artifact.mkdir(exist_ok=True)
    for name, text in files.items():
        (artifact / name).write_text(text)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"  # stands in for `gh run download RUN --name locks --dir DIR`
    gh.write_text(f'#!/bin/sh\nmkdir -p "$7" && cp {artifact}/* "$7"/\n')
    gh.chmod(0o755)
    environ = os.environ | {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GH_TOKEN": "unused", "GH_REPO": "o/r",
                            "RUN_ID": "1", "BRANCH": branch, "HEAD_SHA": head, "LOCK_REMOTE": remote.as_uri()}
    return subprocess.run(["bash", str(SCRIPT)], env=environ, capture_output=True, text=True)


def test_the_lock_lands_on_the_bots_branch(tmp_path, remote):
    """One commit on top of the locked head, with the new file."""
    bare, head = remote
    result = run(tmp_path, bare, head, {"pins.txt": "new\n"})
    assert result.returncode == 0, result.stderr
    assert git("--git-dir", str(bare), "show", f"{BRANCH}:locks/pins.txt") == "new"
    assert git("--git-dir", str(bare), "rev-parse", f"{BRANCH}^") == head


@pytest.mark.parametrize("files, branch, message", [
    ({"pins.txt": "x", "evil.sh": "x"}, BRANCH, "unexpected file in the artifact: evil.sh"),
    ({"pins.txt": "x"}, "main", "not a Dependabot branch: main"),
])
def test_anything_else_is_refused(tmp_path, remote, files, branch, message):
    """Another file than a lock, or another branch than the bot's: nothing is pushed."""
    bare, head = remote
    result = run(tmp_path, bare, head, files, branch)
    assert result.returncode == 2 and message in result.stderr
    assert git("--git-dir", str(bare), "rev-parse", BRANCH) == head
