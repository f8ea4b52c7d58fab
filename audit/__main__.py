"""python -m audit PATH...: audit Markdown docs against the local LEAP hub; exit 1 when a fence fails."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from fakehub import HubError, offline
from harness import ways

from . import ROOT, report, rules
from .hub import LocalHub
from .pages import audit_pages, find_pages
from .run import FAILED

DEFAULT_TIMEOUT = 120


def book_timeout() -> int:
    """The book's cell timeout (_config.yml execute.timeout), which audited pages get too."""
    path = ROOT / "_config.yml"
    data = yaml.safe_load(path.read_text()) if path.is_file() else {}
    return int(((data or {}).get("execute") or {}).get("timeout") or DEFAULT_TIMEOUT)


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m audit", description=__doc__)
    parser.add_argument("paths", nargs="+", help="Markdown files, or folders to search for .md files")
    parser.add_argument("--ways", default=ways.EVERY, help=f"comma-separated ways (default: {ways.EVERY})")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "audit", help="where the reports go")
    parser.add_argument("--cell-timeout", type=int, default=None, help="seconds a fence may run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Audit the pages, write the reports; 0 when nothing failed, 1 when a fence failed, 2 on bad input or hub."""
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        chosen = ways.select(args.ways)
        pages = find_pages(args.paths)
        hub = LocalHub()
        loaded = rules.load(hub.config.member)
    except (ValueError, OSError) as exc:  # PathsError, RulesError and an unknown way are ValueErrors
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    if not offline.isolated():  # audited docs are someone else's code: fail closed
        print(f"audit: {offline.describe()}", file=sys.stderr)
        return 2
    print(offline.describe())
    try:
        rows = audit_pages(pages, chosen, hub, args.cell_timeout or book_timeout(), loaded, progress=print)
    except HubError as exc:
        print(f"audit: the local hub: {exc}", file=sys.stderr)
        return 2
    finally:
        hub.stop()
    written = report.write(rows, args.out)
    for row in rows:
        if row.verdict == FAILED:
            print(f"FAILED {row.page}:{row.line or 'page'} [{row.way}] {row.rules}: {row.error.splitlines()[0]}")
    count = report.counts(rows)
    print(", ".join(f"{count[v]} {v}" for v in ("passed", "failed", "not reached", "not run")))
    print("report: " + ", ".join(map(str, written)))
    return 1 if count[FAILED] else 0


if __name__ == "__main__":
    sys.exit(main())
