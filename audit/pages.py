"""Which pages an audit reads, and auditing them: every page in every way, in order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

from fakehub import offline
from harness.ways import Way

from .collect import Fence, collect
from .rules import Rules
from .run import AuditRun, Row

OUTSIDE = "a shell command, not run outside the loopback-only namespace (python -m fakehub.offline -- ...)"
SKIPPED_FOLDERS = {"_build", ".nox", ".git", "node_modules", "site", ".venv"}


class PathsError(ValueError):
    """A path to audit does not exist or holds no Markdown page."""


def find_pages(paths: Iterable[str | Path]) -> list[Path]:
    """The .md files the paths name: files as given, folders searched (build and tool folders left out)."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_file():
            found.append(given)
        elif given.is_dir():
            found += sorted(p for p in given.rglob("*.md")
                            if not SKIPPED_FOLDERS & set(p.relative_to(given).parts[:-1]))
        else:
            raise PathsError(f"{given}: no such file or folder")
    if not found:
        raise PathsError("no Markdown page (.md) under " + ", ".join(map(str, paths)))
    return list(dict.fromkeys(found))


def shown_name(path: Path) -> str:
    """A page's name in the report: relative to the working folder when it is under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def audit_page(path: Path, way: Way, hub_factory: Callable, timeout: int, rules: Rules,
               chain: dict | None = None) -> list[Row]:
    """One page in one way: its rows. chain: what the page's earlier ways left the ways that continue them."""
    fences = [_guarded(fence) for fence in collect(path.read_text(encoding="utf-8"), rules)]
    run = AuditRun(shown_name(path), fences, hub_factory, timeout, way, rules, chain)
    try:
        return run.audit()
    finally:
        run.close()


def _guarded(fence: Fence) -> Fence:
    """A shell fence runs any program: only inside the loopback-only namespace, where nothing reaches Google."""
    if fence.kind != "shell" or offline.isolated():
        return fence
    return dataclasses.replace(fence, kind=None, not_run=OUTSIDE)


def audit_pages(pages: list[Path], ways: list[Way], hub_factory: Callable, timeout: int, rules: Rules,
                progress: Callable[[str], None] = lambda line: None) -> list[Row]:
    """Every page in every way (in the harness's order, so a way can continue an earlier one): all their rows."""
    rows: list[Row] = []
    for path in pages:
        chain: dict = {}
        for way in ways:
            found = audit_page(path, way, hub_factory, timeout, rules, chain)
            failed = sum(row.verdict == "failed" for row in found)
            progress(f"{shown_name(path)} [{way.name}]: {len(found)} rows, {failed} failed")
            rows += found
    return rows
