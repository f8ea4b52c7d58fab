"""Compare an audit's rows with a corpus's known bugs (tests/audit-corpus/known-bugs.yml)."""

from __future__ import annotations

import collections
from pathlib import Path

import yaml


def load(path: Path) -> dict:
    """The known bugs, not-reached and not-run fences, and clean pages of a corpus."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def problems(known: dict, rows, page_of) -> list[str]:
    """Each way the rows differ from what is known; page_of maps a row's page to its name in the file."""
    found = collections.Counter((page_of(row.page), row.line, finding.rule)
                                for row in rows if row.verdict == "failed" for finding in row.findings)
    wanted = {(bug["page"], bug["line"], bug["rule"]) for bug in known["bugs"]}
    said = [f"{page}:{line} {rule}: reported {found[(page, line, rule)]} times, not once"
            for page, line, rule in sorted(wanted) if found[(page, line, rule)] != 1]
    said += [f"{page}:{line} {rule}: reported, but not a known bug" for page, line, rule in sorted(set(found) - wanted)]
    verdicts = {(page_of(row.page), row.line): row for row in rows}
    for entry in known["not_reached"]:
        row = verdicts.get((entry["page"], entry["line"]))
        reason = f"depends on line {entry['depends_on']}"
        if row is None or (row.verdict, row.reason) != ("not reached", reason):
            said.append(f"{entry['page']}:{entry['line']}: expected not reached, {reason}; got "
                        f"{(row.verdict, row.reason) if row else 'no row'}")
    for entry in known["not_run"]:
        row = verdicts.get((entry["page"], entry["line"]))
        if row is None or row.verdict != "not run" or not row.reason:
            said.append(f"{entry['page']}:{entry['line']}: expected not run with a reason; got "
                        f"{(row.verdict, row.reason) if row else 'no row'}")
    for page in known["clean"]:
        bad = [row for row in rows if page_of(row.page) == page and row.verdict not in ("passed", "not run")]
        said += [f"{page}:{row.line}: a clean page's fence got {row.verdict} ({row.rules or row.reason})"
                 for row in bad]
        if not any(page_of(row.page) == page for row in rows):
            said.append(f"{page}: a clean page was not audited")
    return said
