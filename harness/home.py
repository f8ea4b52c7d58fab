"""The home rule: a page deletes or changes no local file it did not create; and the crowded way's planted paths."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Collection
from pathlib import Path

from .files import Files

# What the kernel itself makes in the home on its first start (IPython's profile): not the page's paths.
KERNEL_ROOTS = {"~/.ipython"}
MEMBER_FILE = "mine.txt"  # what the crowded way puts in a folder the page created
MEMBER_TEXT = "The member's own {name}, there before the page ran: a page must leave it byte for byte.\n"


def resolve(name: str, home: Path, folder: Path) -> Path:
    """The path a "~/x" or "./x" name stands for."""
    prefix, _, rest = name.partition("/")
    return (home if prefix == "~" else folder) / rest


def names(home: Path, folder: Path) -> dict[str, bool]:
    """Every file and folder under home (as ~/...) and folder (as ./...), with whether it is a folder."""
    found = {}
    for prefix, root in (("~", home), (".", folder)):
        found |= {f"{prefix}/{path.relative_to(root).as_posix()}": path.is_dir() for path in root.rglob("*")}
    return found


def broken(protected: Files, home: Path, folder: Path) -> list[str]:
    """Each protected file (the member's, there before the page ran) that is gone or holds other bytes now."""
    found = []
    for name, digest in sorted(protected.items()):
        path = resolve(name, home, folder)
        if not path.is_file():
            found.append(f"deleted {name}: the member's own file")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            found.append(f"changed {name}: the member's own file")
    return found


def created_roots(before: Collection[str], seen: dict[str, bool]) -> dict[str, str]:
    """The top paths a run created, name -> "folder" or "file": of each new path seen, its first part not there before.

    seen holds what was there after any cell, so a path the page made and deleted again counts too.
    """
    roots: dict[str, str] = {}
    for name in sorted(seen.keys() - set(before)):
        parts = name.split("/")
        tops = ("/".join(parts[:depth]) for depth in range(2, len(parts) + 1))
        top = next(top for top in tops if top not in before)
        if top not in KERNEL_ROOTS:
            roots[top] = "folder" if seen[top] else "file"
    return roots


def crowd(seed: Path, roots: dict[str, str], home: Path, folder: Path) -> None:
    """The crowded way's folder: what a member keeps there (the seed, if any), then their content at each root."""
    if seed.is_dir():
        shutil.copytree(seed, folder, dirs_exist_ok=True)
    plant(roots, home, folder)


def plant(roots: dict[str, str], home: Path, folder: Path) -> None:
    """Put the member's own content at each root: a file of that name, or a folder holding MEMBER_FILE."""
    for name, kind in roots.items():
        path = resolve(name, home, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "folder":
            path.mkdir(exist_ok=True)  # the seed may hold a folder of that name already
            (path / MEMBER_FILE).write_text(MEMBER_TEXT.format(name=f"{name}/{MEMBER_FILE}"))
        else:
            path.write_text(MEMBER_TEXT.format(name=name))
