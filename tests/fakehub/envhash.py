"""A key for "the environment the pages ran in": installed packages and the fake hub's data."""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from pathlib import Path

from .config import HubConfig


def _distributions() -> list[str]:
    found = {(d.metadata["Name"] or "").lower(): d.version for d in importlib.metadata.distributions()}
    return [f"{name}=={version}" for name, version in sorted(found.items())]


def _hub_files(config: HubConfig) -> list[Path]:
    package = Path(__file__).parent
    return sorted([*package.glob("*.py"), *package.glob("*.yml"), *(p for p in config.seed.rglob("*") if p.is_file())])


def environment_key(config: HubConfig, distributions: list[str] | None = None) -> str:
    """Short hash of Python, every installed distribution, and the fake hub's code and seeds."""
    digest = hashlib.sha256(sys.version.encode())
    for line in _distributions() if distributions is None else distributions:
        digest.update(line.encode() + b"\n")
    for path in _hub_files(config):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
