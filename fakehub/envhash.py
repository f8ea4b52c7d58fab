"""A key for "the environment the pages ran in": the lock it was installed from, and the fake hub's code and seeds.

nox installs each session from a lock (locks/<name>.txt) and names it in FAKEHUB_LOCK; the key
hashes that file, so the same lock gives the same key on any machine or runner, and a main
build's execution cache serves a pull request's build of the same lock (only changed pages
execute). Without FAKEHUB_LOCK (a build outside nox, or the unlocked latest-releases session)
the key hashes every installed distribution instead. `python -m fakehub.envhash` prints it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
from pathlib import Path

from .config import HubConfig, load

LOCK_VARIABLE = "FAKEHUB_LOCK"


def _distributions() -> list[str]:
    found = {(d.metadata["Name"] or "").lower(): d.version for d in importlib.metadata.distributions()}
    return [f"{name}=={version}" for name, version in sorted(found.items())]


def _hub_files(config: HubConfig) -> list[tuple[str, Path]]:
    """(name, path) of the fake hub's code and seeds; names are relative, so clones agree."""
    package = Path(__file__).parent
    code = [p for p in package.rglob("*") if p.suffix in {".py", ".yml"} and package / "seeds" not in p.parents]
    seeds = [p for p in config.seed.rglob("*") if p.is_file()]
    named = [(f"fakehub/{p.relative_to(package).as_posix()}", p) for p in code]
    named += [(f"seed/{p.relative_to(config.seed).as_posix()}", p) for p in seeds]
    return sorted(named)


def installed_lock() -> Path | None:
    """The lock this environment was installed from ($FAKEHUB_LOCK), if any; a clear error if it is missing."""
    named = os.environ.get(LOCK_VARIABLE, "").strip()
    if not named:
        return None
    path = Path(named)
    if not path.is_file():
        raise FileNotFoundError(f"{LOCK_VARIABLE}={named}: no such lock file")
    return path


def environment_key(config: HubConfig, distributions: list[str] | None = None, lock: Path | None = None) -> str:
    """Short hash of Python's version, the lock (else every installed distribution), and the fake hub's files."""
    lock = installed_lock() if lock is None and distributions is None else lock
    digest = hashlib.sha256(f"{sys.implementation.name} {sys.version_info[0]}.{sys.version_info[1]}".encode())
    if lock is not None:
        digest.update(b"lock\0" + lock.read_bytes())
    else:
        for line in _distributions() if distributions is None else distributions:
            digest.update(line.encode() + b"\n")
    for name, path in _hub_files(config):
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def main() -> None:
    """Print the key of the running environment: the jupyter-cache folder's name under _build/.jupyter_cache."""
    print(environment_key(load()))


if __name__ == "__main__":
    main()
