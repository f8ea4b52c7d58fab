"""The member's home as a member leaves it: seeds/home/ plus git repositories (seeds/repos.yml) with a remote."""

from __future__ import annotations

import filecmp
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
        _repository(target / entry["path"], config.seed / entry["files"], entry, config.login)


def _repository(where: Path, files: Path, entry: dict[str, str], login: str) -> None:
    """A repository at where holding files in one commit, its origin the entry's remote."""
    shutil.copytree(files, where)
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"],
                 ["commit", "--quiet", "-m", entry["message"]],
                 ["remote", "add", "origin", entry["remote"].replace("{login}", login)]):
        done = subprocess.run(["git", "-C", str(where), *args], env=env, capture_output=True, text=True)
        if done.returncode:
            raise HubError(f"could not make the member's repository {where}: git {args[0]}: {done.stderr.strip()}")


def reset(template: Path, home: Path) -> None:
    """Make home hold exactly the template's files again: what a page added goes, what it changed comes back.

    Only what differs is touched: a page that left the home alone costs a walk and a compare, not a copy.
    """
    home.mkdir(exist_ok=True)
    _sync(template, home)


def _sync(source: Path, target: Path) -> None:
    """Make the folder target a copy of the folder source, copying and deleting only what differs."""
    wanted = {child.name: child for child in source.iterdir()}
    for child in list(target.iterdir()):
        twin = wanted.get(child.name)
        if twin is None or child.is_symlink() or twin.is_dir() != child.is_dir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for name, twin in wanted.items():
        child = target / name
        if twin.is_dir():
            child.mkdir(exist_ok=True)
            _sync(twin, child)
        elif not child.exists() or not filecmp.cmp(twin, child, shallow=False):
            shutil.copy2(twin, child)
