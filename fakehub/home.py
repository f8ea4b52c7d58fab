"""The member's home as a member leaves it: seeds/home/ plus git repositories (seeds/repos.yml) with a remote."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from .config import HubConfig
from .errors import HubError

REPO_KEYS = {"path", "files", "remote", "message"}
# git that reads no configuration of the machine's, with a fixed author and date: the same repository every start.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "A LEAP member", "GIT_AUTHOR_EMAIL": "member@example.org",
    "GIT_COMMITTER_NAME": "A LEAP member", "GIT_COMMITTER_EMAIL": "member@example.org",
    "GIT_AUTHOR_DATE": "2026-05-04T10:00:00Z", "GIT_COMMITTER_DATE": "2026-05-04T10:00:00Z",
}


def repositories(config: HubConfig) -> list[dict[str, str]]:
    """The entries of seeds/repos.yml, checked; none if the file is absent."""
    if not config.seed_repos.is_file():
        return []
    entries = yaml.safe_load(config.seed_repos.read_text()) or []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != REPO_KEYS:
            raise ValueError(f"{config.seed_repos}: each entry needs exactly the keys {sorted(REPO_KEYS)}: {entry!r}")
    return entries


def build(config: HubConfig, target: Path) -> None:
    """Make a lived-in home at target (which must not exist): the seeded files, then each repository."""
    if config.seed_home.is_dir():
        shutil.copytree(config.seed_home, target)
    else:
        target.mkdir()
    for entry in repositories(config):
        _repository(target / entry["path"], config.seed / entry["files"], entry, config.member)


def _repository(where: Path, files: Path, entry: dict[str, str], member: str) -> None:
    """A repository at where holding files in one commit, its origin the entry's remote."""
    shutil.copytree(files, where)
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"],
                 ["commit", "--quiet", "-m", entry["message"]],
                 ["remote", "add", "origin", entry["remote"].replace("{user}", member)]):
        done = subprocess.run(["git", "-C", str(where), *args], env=env, capture_output=True, text=True)
        if done.returncode:
            raise HubError(f"could not make the member's repository {where}: git {args[0]}: {done.stderr.strip()}")


def reset(template: Path, home: Path) -> None:
    """Put home back to the template's files: everything else in it goes, what a page changed comes back."""
    home.mkdir(exist_ok=True)
    for child in home.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    shutil.copytree(template, home, dirs_exist_ok=True, symlinks=True)
