"""Write the audit's report: report.md and report.html, a row per fence and a summary per page and way."""

from __future__ import annotations

import collections
import dataclasses
from pathlib import Path

import jinja2

from .run import FAILED, NOT_REACHED, NOT_RUN, PASSED, Row

TEMPLATE = Path(__file__).with_name("report.html.j2")


@dataclasses.dataclass
class Summary:
    """How many fences of one page in one way got each verdict."""

    page: str
    way: str
    passed: int = 0
    failed: int = 0
    not_reached: int = 0
    not_run: int = 0

    @property
    def cells(self) -> int:
        """Every fence counted."""
        return self.passed + self.failed + self.not_reached + self.not_run


FIELD = {PASSED: "passed", FAILED: "failed", NOT_REACHED: "not_reached", NOT_RUN: "not_run"}


def summarise(rows: list[Row]) -> list[Summary]:
    """A summary per page and way, in the rows' order; a page row that failed counts as one failure."""
    found: dict[tuple[str, str], Summary] = {}
    for row in rows:
        summary = found.setdefault((row.page, row.way), Summary(row.page, row.way))
        setattr(summary, FIELD[row.verdict], getattr(summary, FIELD[row.verdict]) + 1)
    return list(found.values())


def totals(summaries: list[Summary]) -> Summary:
    """The summaries added up."""
    total = Summary("", "")
    for summary in summaries:
        for field in FIELD.values():
            setattr(total, field, getattr(total, field) + getattr(summary, field))
    return total


def write(rows: list[Row], folder: Path) -> tuple[Path, Path]:
    """Write folder/report.md and folder/report.html; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    summaries = summarise(rows)
    ways = list(dict.fromkeys(row.way for row in rows))
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    html = environment.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        rows=rows, summary=summaries, totals=_totals(summaries), ways=ways)
    (folder / "report.html").write_text(html, encoding="utf-8")
    (folder / "report.md").write_text(markdown(rows, summaries, ways), encoding="utf-8")
    return folder / "report.md", folder / "report.html"


def _totals(summaries: list[Summary]) -> dict[str, int]:
    total = totals(summaries)
    return dataclasses.asdict(total) | {"cells": total.cells}


def markdown(rows: list[Row], summaries: list[Summary], ways: list[str]) -> str:
    """The report as Markdown: the summary table, the table of fences, then each failure with its source."""
    total = _totals(summaries)
    lines = ["# Audit against the local LEAP hub", "",
             f"{total['cells']} fences in {len(summaries)} page runs: {total['passed']} passed, {total['failed']} "
             f"failed, {total['not_reached']} not reached, {total['not_run']} not run. Ways: {', '.join(ways)}.", "",
             "| page | way | passed | failed | not reached | not run |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {s.page} | {s.way} | {s.passed} | {s.failed} | {s.not_reached} | {s.not_run} |" for s in summaries]
    lines += ["", "| where | way | verdict | rule | error or reason |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {_where(r)} | {r.way} | {r.verdict} | {r.rules} | {_cell(r.error)} |" for r in rows]
    failures = [row for row in rows if row.verdict == FAILED]
    if failures:
        lines += ["", "## Failures"]
    for row in failures:
        lines += ["", f"### {_where(row)} [{row.way}]: {row.rules}", ""]
        lines += [f"- {finding.rule}: {finding.error}" for finding in row.findings]
        if row.source:
            lines += ["", "````", row.source.rstrip("\n"), "````"]
    return "\n".join(lines) + "\n"


def _where(row: Row) -> str:
    return f"{row.page}:{row.line if row.line else 'page'}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def counts(rows: list[Row]) -> collections.Counter:
    """How many rows got each verdict."""
    return collections.Counter(row.verdict for row in rows)
