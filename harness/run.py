"""Running one page in one way: reset the hub, one kernel in a fresh folder, each cell checked as it runs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from fakehub import FakeHub, HubError, api

from . import buckets, files, gateway
from .expect import Expectations
from .kernel import PageKernel
from .page import RAISES, SKIP, Cell, Page
from .ways import WAYS, Way


class CellFailure(Exception):
    """A cell (or the page's final check) failed; the message is the whole report."""


class PageRun:
    """The state of one page in one way while its items run: kernel, snapshots, whether it already failed."""

    def __init__(self, page: Page, expectations: Expectations, hub_factory, timeout: int, way: Way = WAYS["fresh"]):
        self.page = page
        self.expectations = expectations
        self.hub_factory = hub_factory  # () -> (FakeHub, environ, seeded names, earlier work); starts the hub once
        self.timeout = timeout
        self.way = way
        self.failed_at: str | None = None
        self.done: set[int] = set()
        self.hub: FakeHub | None = None
        self.kernel: PageKernel | None = None
        self.folder: str | None = None
        self.before: buckets.Snapshot = {}
        self.last: buckets.Snapshot = {}
        self.clusters: gateway.ClusterWatch | None = None
        self.earlier: set[str] = set()  # the lived-in member's objects from before the page
        self.first: tuple[buckets.Snapshot, files.Files] | None = None  # after the first of two runs
        self.which = ""  # " (first run)" while the again way's unreported first run is under way

    def where(self, cell: Cell) -> str:
        """The cell's item id in this way: book/x.md:LINE, book/x.md:LINE[lived-in], ..."""
        return f"{cell.where}{self.way.suffix}"

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self) -> None:
        if self.hub is not None:
            return
        self.hub, self.environ, self.seeded, earlier = self.hub_factory()
        self.earlier = set(earlier) if self.way.lived_in else set()
        try:
            self.hub.reset(lived_in=self.way.lived_in)  # every page starts from the seeded buckets, as in the build
        except HubError as exc:
            self.failed_at = self.page.name
            raise CellFailure(f"{self.page.name}{self.way.suffix}: the fake hub is not usable: {exc}") from None
        self.before = self.last = self._snapshot()
        self.clusters = gateway.ClusterWatch(self.hub)
        self.folder = tempfile.mkdtemp(prefix="leap-page-")  # the build's run_in_temp
        if self.way.again:
            self._first_run()

    def _first_run(self) -> None:
        """Run the whole page once, unreported; the reported cells then run it again in a new kernel."""
        self.which = " (first run)"
        for cell in self.page.cells:
            self._execute(cell, reported=False)
        self._stop_kernel()  # as "Restart and run all" does; the folder and the home stay
        self.which, self.done = "", set()
        self.first = (self.last, self._files())

    def _files(self) -> files.Files:
        return files.snapshot(Path(self.environ["HOME"]), Path(self.folder))

    def _kernel(self) -> PageKernel:
        if self.kernel is None:
            self.kernel = PageKernel(self.page.notebook, self.folder, self.timeout, self.environ)
            self.kernel.start()
        return self.kernel

    def _stop_kernel(self) -> None:
        if self.kernel is not None:
            self.kernel.stop()
            self.kernel = None

    def close(self) -> None:
        """Stop the kernel and the member's clusters, and delete the page's folder; safe to call twice."""
        self._stop_kernel()
        if self.clusters is not None:
            try:
                self.clusters.stop_all()
            except HubError:
                pass  # the hub is gone: the next page's reset reports it
            self.clusters = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _snapshot(self) -> buckets.Snapshot:
        return api.snapshot(self.hub.url, self.hub.config.buckets)

    # -- cells -----------------------------------------------------------------------------

    def run_cell(self, cell: Cell) -> None:
        """Run one cell (and any earlier cell that was deselected); raise CellFailure or skip."""
        self._skip_if_failed()
        self._start()
        for earlier in self.page.cells:
            if earlier.index < cell.index and earlier.index not in self.done:
                self._execute(earlier, reported=False)
        self._execute(cell, reported=True)

    def _skip_if_failed(self) -> None:
        if self.failed_at:
            reason = f"an earlier cell failed ({self.failed_at}), so the rest of the page did not run"
            raise pytest.skip.Exception(reason, _use_item_location=True)  # reported at the page's line

    def _execute(self, cell: Cell, reported: bool) -> None:
        self.done.add(cell.index)
        if SKIP in cell.tags:
            reason = cell.skip_reason()
            if not reason:
                self._fail(cell, "is tagged skip-execution but states no reason: make its first line a "
                                 "comment saying why the build does not run it (tests/expect/README.md)")
            if reported:
                raise pytest.skip.Exception(f"skip-execution: {reason}", _use_item_location=True)
            return
        self._check_hub(cell, "before the cell ran")
        result = self._kernel().run(cell)
        if result.timed_out:
            self._check_hub(cell, "while the cell ran")
            self._fail(cell, f"did not finish within the cell timeout of {self.timeout} s")
        if result.kernel_died:
            self._fail(cell, "killed the kernel")
        if result.error and RAISES not in cell.tags:
            self._check_hub(cell, "while the cell ran")
            name, value, traceback = result.error
            self._fail(cell, f"raised {name}: {value}", f"Traceback (from the kernel):\n{traceback}")
        if not result.error and RAISES in cell.tags:
            self._fail(cell, "is tagged raises-exception but raised nothing")
        if result.stderr:
            self._fail(cell, "wrote to stderr, which fails the book's build too: fix the code, do not hide it",
                       f"stderr:\n{result.stderr}")
        for owner, text in result.late:
            self._fail(cell, f"ran while a thread or task that {self.where(owner)} started wrote to stderr after that "
                             "cell had finished (JupyterLab shows it under that cell): fix the code, do not hide it",
                       f"stderr:\n{text}")
        self._check_hub(cell, "after the cell ran")
        try:
            self.clusters.after_cell(self.where(cell))
        except HubError as exc:
            self._fail(cell, f"stopped: the fake hub's gateway did not answer after the cell ran: {exc}")
        after = self._snapshot()
        broken = buckets.violations(buckets.changes(self.last, after), self.hub.config.member, self.seeded,
                                    self.earlier)
        self.last = after
        if broken:
            self._fail(cell, "broke the bucket rules:", "\n".join(f"  {line}" for line in broken))

    def _check_hub(self, cell: Cell, when: str) -> None:
        try:
            self.hub.check()
        except HubError as exc:
            self._fail(cell, f"stopped: the fake hub died {when}: {exc}")

    def _fail(self, cell: Cell, what: str, detail: str = "") -> None:
        self.failed_at = self.where(cell)
        self.close()
        numbered = "\n".join(f"{cell.code_line + i:>5} | {line}" for i, line in enumerate(cell.source.splitlines()))
        headline = f"{self.where(cell)}{self.which} {what}"
        raise CellFailure("\n\n".join(part for part in (headline, numbered, detail) if part))

    # -- after the page --------------------------------------------------------------------

    def finish(self) -> None:
        """Check the page as a whole: bucket rules since it started, and its expectations file."""
        self._skip_if_failed()
        self._start()
        for cell in self.page.cells:
            if cell.index not in self.done:
                self._execute(cell, reported=False)
        name = f"{self.page.name}{self.way.suffix}"
        try:
            self.hub.check()
            after = self._snapshot()
            left_running = self.clusters.left_running()  # while the kernel that made them still runs
            self._stop_kernel()
            left = self._files() if self.first else {}
        except HubError as exc:
            raise CellFailure(f"{name}: the fake hub died after the last cell: {exc}") from None
        finally:
            self.close()
        member = self.hub.config.member
        problems = buckets.violations(buckets.changes(self.before, after), member, self.seeded, self.earlier)
        problems += self.expectations.problems(set(after) - self.earlier)  # what the page itself left
        if self.first:
            problems += buckets.differences(self.first[0], after) + files.differences(self.first[1], left)
        problems += left_running
        if problems:
            raise CellFailure(f"{name} after its last cell:\n" + "\n".join(f"  {p}" for p in problems))
