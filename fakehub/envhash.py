"""A key for "the environment the pages ran in": installed packages and the fake hub's data.

`python -m fakehub.envhash` prints it (CI keys its execution cache with it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from pathlib import Path

from .config import HubConfig, load


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


def environment_key(config: HubConfig, distributions: list[str] | None = None) -> str:
    """Short hash of Python, every installed distribution, and the fake hub's code and seeds."""
    digest = hashlib.sha256(sys.version.encode())
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
