"""Check environment.yml: its pip block has only exact, unique pins, as nox reads them.

Usage: python tools/check_environment.py environment.yml [PIN ...]
(the PINs, when given, are what noxfile.pins() read; they must match what YAML reads).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

EXACT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9_,.-]+\])?==(?P<version>[A-Za-z0-9.+!_-]+)$")


def pip_block(path: Path) -> list:
    """The pip: list of a conda environment file."""
    data = yaml.safe_load(path.read_text()) or {}
    blocks = [d["pip"] for d in data.get("dependencies", []) if isinstance(d, dict) and "pip" in d]
    if len(blocks) != 1:
        raise ValueError(f"{path}: expected exactly one 'pip:' block under dependencies, found {len(blocks)}")
    return blocks[0]


def problems(entries: list) -> list[str]:
    """Each entry that is not an exact pin, or names a package a second time."""
    found, seen = [], {}
    for entry in entries:
        match = EXACT.match(str(entry))
        if not match:
            found.append(f"{entry!r} is not an exact pin (name==version)")
            continue
        name = re.sub(r"[-_.]+", "-", match["name"]).lower()
        if name in seen:
            found.append(f"{entry!r} duplicates {seen[name]!r}")
        seen[name] = entry
    return found


def main(argv: list[str]) -> int:
    """Print every problem; exit 1 if there is any."""
    path, nox_read = Path(argv[0]), argv[1:]
    entries = pip_block(path)
    found = problems(entries)
    if nox_read and nox_read != [str(e) for e in entries]:
        found.append("noxfile.pins() and YAML read different pip blocks")
    for problem in found:
        print(f"{path}: {problem}", file=sys.stderr)
    if not found:
        print(f"{path}: {len(entries)} exact pins, no duplicates")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
