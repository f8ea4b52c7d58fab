"""Audit one page in one way: the harness's page run, with every cell run and every failure kept."""

from __future__ import annotations

import dataclasses
import re

import nbformat
import pytest

from fakehub import HubError
from harness import buckets
from harness.expect import Expectations
from harness.page import Cell, Page
from harness.run import CellFailure, PageRun
from harness.ways import Way

from . import names
from .collect import Fence
from .rules import FailureRule, Rules

BASH = "%%bash\nset -e\n"  # a shell fence runs as a terminal would, and fails at its first failing command
EXIT = re.compile(r"non-zero exit status (\d+)")
OBJECT = re.compile(r"^(?:created|changed|deleted) (gs://\S+?):")  # a bucket breach names its object first
CREATOR = re.compile(r"created by \S+?:(?P<line>\d+)")
PASSED, FAILED, NOT_RUN, NOT_REACHED = "passed", "failed", "not run", "not reached"


@dataclasses.dataclass(frozen=True)
class Finding:
    """One broken rule: its name, the error in one line, and the harness's full words."""

    rule: str
    error: str
    detail: str = ""


@dataclasses.dataclass
class Row:
    """What happened to one fence of a page in one way (line 0: the page as a whole)."""

    page: str
    line: int
    way: str
    verdict: str
    source: str = ""
    reason: str = ""  # why it was not run or not reached
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def rules(self) -> str:
        """The rules this fence broke, comma-separated."""
        return ", ".join(dict.fromkeys(f.rule for f in self.findings))

    @property
    def error(self) -> str:
        """Its errors in one line each, or why it did not run."""
        return "\n".join(f.error for f in self.findings) or self.reason


class Found(Exception):
    """The harness found a cell breaking a rule; unlike the harness's failure, the page goes on."""

    def __init__(self, what: str, detail: str):
        super().__init__(what)
        self.what, self.detail = what, detail


class AuditRun(PageRun):
    """The harness's PageRun for one page and way, which records each failure and runs the next cell."""

    def __init__(self, name: str, fences: list[Fence], hub_factory, timeout: int, way: Way, rules: Rules,
                 chain: dict | None = None):
        runnable = [fence for fence in fences if fence.kind]
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_code(f)) for f in runnable])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        cells = [Cell(name, i, f.line, f.code_line, f.source, f.tags) for i, f in enumerate(runnable)]
        super().__init__(Page(name, notebook, cells), Expectations(name), hub_factory, timeout, way)
        self.fences, self.rules = fences, rules
        if chain is not None:
            self.chain = chain  # the page's earlier ways: what one leaves a way that continues it
        self.cells = {fence.line: cell for fence, cell in zip(runnable, cells, strict=True)}
        self.first_found: dict[int, list[_Found]] = {}  # the again way's first run, by fence line

    def _fail(self, cell: Cell, what: str, detail: str = "") -> None:
        raise Found(what, detail)

    def _first_run(self) -> None:
        """The again way's unreported first run: every cell, whatever fails."""
        self.which = " (first run)"
        for cell in self.page.cells:
            found = self._attempt(cell)
            self.first_found[cell.line] = found
            if any(item.rule.stops for item in found):
                break
        self._stop_kernel()
        self.which, self.done = "", set()
        self.first = (self.last, self._files())

    def audit(self) -> list[Row]:
        """Run every fence in order and check the page after its last; a row per fence (and the page's, if it broke)."""
        rows = [Row(self.page.name, fence.line, self.way.name, NOT_RUN, fence.source, fence.not_run or "")
                for fence in self.fences]
        if not self.page.cells:
            return rows  # nothing runs: no hub needed
        try:
            self._start()
        except pytest.skip.Exception as skipped:  # the harness skips this way for this page, and says why
            self.close()
            for fence, row in zip(self.fences, rows, strict=True):
                if fence.kind:
                    row.reason = f"the harness skips this way here: {skipped.msg}"
            return rows
        except (CellFailure, Found) as exc:  # the hub is not usable, or a run before the reported one failed
            self.close()
            words = f"{exc.what}\n{exc.detail}" if isinstance(exc, Found) else str(exc)
            rule = self.rules.classify(words)
            return [*rows, Row(self.page.name, 0, self.way.name, FAILED,
                               findings=[Finding(rule.rule, "before the reported run: " + words.splitlines()[0],
                                                 words)])]
        pending: dict[str, int] = {}  # name -> line of the last fence that should have bound it but did not finish
        stopped: int | None = None
        for fence, row in zip(self.fences, rows, strict=True):
            if fence.kind and stopped is not None:
                row.verdict, row.reason = NOT_REACHED, f"the page's kernel stopped at line {stopped}"
                self.done.add(self.cells[fence.line].index)  # so the harness's page check does not run it
            elif fence.kind:
                found = self._attempt(self.cells[fence.line])
                self._judge(row, found, pending)
                if any(item.rule.stops for item in found):
                    stopped = fence.line
                    self._stop_kernel()  # stuck or dead: nothing more runs in it
            for name in names.bound(fence.source) if fence.language in self.rules.python else ():
                if row.verdict == PASSED:
                    pending.pop(name, None)
                else:
                    pending[name] = fence.line
        return rows + self._after(rows)

    def _judge(self, row: Row, found: list[_Found], pending: dict[str, int]) -> None:
        """A fence's verdict; a NameError for a name an unfinished earlier fence binds is not a bug of its own."""
        row.findings = [item.finding for item in found]
        row.verdict = FAILED if found else PASSED
        missing = names.undefined(found[0].finding.detail) if len(found) == 1 else None
        if missing in pending:
            row.verdict, row.reason, row.findings = NOT_REACHED, f"depends on line {pending[missing]}", []
            return
        said = {finding.rule for finding in row.findings}  # the first run's other failures count, as in the harness
        row.findings += [dataclasses.replace(item.finding, error=f"(first run) {item.finding.error}")
                         for item in self.first_found.get(row.line, ()) if item.finding.rule not in said]
        row.verdict = FAILED if row.findings else PASSED

    def _attempt(self, cell: Cell) -> list[_Found]:
        """Run one cell with the harness's checks; what it broke (nothing when it passed)."""
        try:
            self._execute(cell, reported=True)
            return []
        except Found as found:
            results = self._findings(_with_stderr(found.what, self.page.notebook.cells[cell.index]), found.detail)
        if not any(item.rule.stops for item in results):
            results += self._settle(cell)
        return results

    def _settle(self, cell: Cell) -> list[_Found]:
        """After a cell that raised: the bucket changes it made before it raised, which the harness skips then."""
        try:
            self.clusters.after_cell(self.where(cell))
            after = self._snapshot()
        except HubError as exc:
            return self._findings(f"stopped: the fake hub did not answer after the cell ran: {exc}", "")
        broken = buckets.violations(buckets.changes(self.last, after), self.hub.config.member, self.seeded,
                                    self.earlier)
        self.last = after
        return self._findings("broke the bucket rules:", "\n".join(f"  {line}" for line in broken)) if broken else []

    def _findings(self, what: str, detail: str) -> list[_Found]:
        """The harness's words as findings: a rule's list of breaches ("broke the ... rule:") grouped by rule name."""
        listed = what.startswith("broke the ") and what.endswith(":")
        lines = [line.strip() for line in detail.splitlines() if line.strip()] if listed else []
        if not lines:
            text = f"{what}\n{detail}"
            rule = self.rules.classify(text)
            return [_Found(rule, Finding(rule.rule, _one_line(what, detail), text))]
        grouped: dict[str, list[str]] = {}
        for line in lines:  # each line is classified with the rule's headline, which names the harness's rule
            grouped.setdefault(self.rules.classify(f"{what} {line}").rule, []).append(line)
        return [_Found(self.rules.classify(f"{what} {group[0]}"), Finding(rule, _summary(group), "\n".join(group)))
                for rule, group in grouped.items()]

    def _after(self, rows: list[Row]) -> list[Row]:
        """The harness's own check after the last cell, its problems put on the cells they name.

        What it repeats of the cells' reports (whole-page bucket and home breaches) is left out.
        """
        try:
            self.finish()
            return []
        except CellFailure as failure:
            lines = str(failure).splitlines()
        finally:
            self.close()
        problems = [line.strip() for line in lines[1:] if line.strip()] or lines[:1]
        said = "\n".join(finding.detail for row in rows for finding in row.findings)
        lines = [line.strip() for line in said.splitlines() if line.strip()]
        page = Row(self.page.name, 0, self.way.name, FAILED, reason="after the last cell")
        by_line = {row.line: row for row in rows}
        for problem in problems:
            target = OBJECT.search(problem)
            if (target and target[1] in said) or any(problem.startswith(line) for line in lines):
                continue  # a cell reported it already
            creator = CREATOR.search(problem)
            row = (by_line.get(int(creator["line"])) if creator else None) or page
            row.findings.append(Finding(self.rules.classify(problem).rule, problem, problem))
            row.verdict = FAILED
        return [page] if page.findings else []


@dataclasses.dataclass(frozen=True)
class _Found:
    """A finding and the failure rule it came from (whose `stops` ends the page)."""

    rule: FailureRule
    finding: Finding


def _code(fence: Fence) -> str:
    """What the kernel runs for a fence: Python as shown; a shell fence under %%bash."""
    return BASH + fence.source if fence.kind == "shell" else fence.source


def _with_stderr(what: str, node) -> str:
    """A failed command's words: its exit status and the last line it wrote to stderr, not bash's long repr."""
    status = EXIT.search(what)
    if not what.startswith("raised CalledProcessError") or not status:
        return what
    stderr = "".join(o.get("text", "") for o in node.outputs if o.output_type == "stream" and o.name == "stderr")
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "(nothing on stderr)"
    return f"raised CalledProcessError: exit status {status[1]}: {last}"


def _one_line(what: str, detail: str) -> str:
    """The harness's headline in one line; for stderr, with the first line that was written."""
    first = what.split("\n")[0]
    if detail.startswith("stderr:"):
        written = [line.strip() for line in detail.splitlines()[1:] if line.strip()]
        first = f"{first.split(',')[0]}: {written[0]}" if written else first
    return first


def _summary(lines: list[str]) -> str:
    """One line for a cell's breaches of one rule: the first, and how many more."""
    more = f" (and {len(lines) - 1} more objects)" if len(lines) > 1 else ""
    return lines[0] + more
