"""Compare an audit's rows with a file of known bugs (as tests/audit-corpus/known-bugs.yml): what a corpus test asks."""

from __future__ import annotations

import collections
from pathlib import Path

import yaml


def load(path: Path) -> dict:
    """The known bugs, not-reached and not-run fences, and clean pages of a corpus."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def problems(known: dict, rows, page_of) -> list[str]:
    """Each way the rows differ from what is known; page_of maps a row's page to its name in the file."""
    found = collections.Counter((page_of(row.page), row.line, finding.rule, row.way)
                                for row in rows if row.verdict == "failed" for finding in row.findings)
    audited = {(page_of(row.page), row.way) for row in rows}
    wanted = {(bug["page"], bug["line"], bug["rule"], way) for bug in known["bugs"]
              for page, way in audited if page == bug["page"] and way in bug.get("ways", [way])}
    said = [f"{page}:{line} {rule} [{way}]: reported {found[(page, line, rule, way)]} times, not once"
            for page, line, rule, way in sorted(wanted) if found[(page, line, rule, way)] != 1]
    said += [f"{page}:{line} {rule} [{way}]: reported, but not a known bug"
             for page, line, rule, way in sorted(set(found) - wanted)]
    for entry in known["not_reached"]:
        expected = ("not reached", f"depends on line {entry['depends_on']}")
        said += [f"{entry['page']}:{entry['line']} [{way}]: expected not reached, {expected[1]}; got {got}"
                 for way, got in _at(rows, page_of, entry, lambda row: (row.verdict, row.reason)) if got != expected]
    for entry in known["not_run"]:
        said += [f"{entry['page']}:{entry['line']} [{way}]: expected not run with a reason, got {got}"
                 for way, got in _at(rows, page_of, entry, lambda row: (row.verdict, row.reason))
                 if got[0] != "not run" or not got[1]]
    for page in known["clean"]:
        bad = [row for row in rows if page_of(row.page) == page and row.verdict not in ("passed", "not run")]
        said += [f"{page}:{row.line}: a clean page's fence got {row.verdict} ({row.rules or row.reason})"
                 for row in bad]
        if not any(page_of(row.page) == page for row in rows):
            said.append(f"{page}: a clean page was not audited")
    return said


def _at(rows, page_of, entry: dict, what) -> list[tuple[str, object]]:
    """(way, what(row)) for each way the entry's page was audited in; (way, "no row") where that way has none."""
    ways = sorted({row.way for row in rows if page_of(row.page) == entry["page"]})  # none: the page was not audited
    found = {row.way: what(row) for row in rows if (page_of(row.page), row.line) == (entry["page"], entry["line"])}
    return [(way, found.get(way, "no row")) for way in ways]
