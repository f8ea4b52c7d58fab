"""Running one page: reset the hub, one kernel in a fresh folder, each cell checked as it runs."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from fakehub import FakeHub, HubError, api

from . import buckets, gateway
from .expect import Expectations
from .kernel import PageKernel
from .page import RAISES, SKIP, Cell, Page


class CellFailure(Exception):
    """A cell (or the page's final check) failed; the message is the whole report."""


class PageRun:
    """The state of one page while its items run: kernel, snapshots, and whether it already failed."""

    def __init__(self, page: Page, expectations: Expectations, hub_factory, timeout: int):
        self.page = page
        self.expectations = expectations
        self.hub_factory = hub_factory  # () -> (FakeHub, environ, seeded names); starts the hub once
        self.timeout = timeout
        self.failed_at: str | None = None
        self.done: set[int] = set()
        self.hub: FakeHub | None = None
        self.kernel: PageKernel | None = None
        self.folder: str | None = None
        self.before: buckets.Snapshot = {}
        self.last: buckets.Snapshot = {}
        self.clusters: gateway.ClusterWatch | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self) -> None:
        if self.hub is not None:
            return
        self.hub, self.environ, self.seeded = self.hub_factory()
        try:
            self.hub.reset()  # every page starts from the seeded buckets, as in the build
        except HubError as exc:
            self.failed_at = self.page.name
            raise CellFailure(f"{self.page.name}: the fake hub is not usable: {exc}") from None
        self.before = self.last = self._snapshot()
        self.clusters = gateway.ClusterWatch(self.hub)
        self.folder = tempfile.mkdtemp(prefix="leap-page-")  # the build's run_in_temp

    def _kernel(self) -> PageKernel:
        if self.kernel is None:
            self.kernel = PageKernel(self.page.notebook, self.folder, self.timeout, self.environ)
            self.kernel.start()
        return self.kernel

    def close(self) -> None:
        """Stop the kernel and delete the page's folder; safe to call twice."""
        if self.kernel is not None:
            self.kernel.stop()
            self.kernel = None
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
        self._check_hub(cell, "after the cell ran")
        try:
            self.clusters.after_cell(cell)
        except HubError as exc:
            self._fail(cell, f"stopped: the fake hub's gateway did not answer after the cell ran: {exc}")
        after = self._snapshot()
        broken = buckets.violations(buckets.changes(self.last, after), self.hub.config.member, self.seeded)
        self.last = after
        if broken:
            self._fail(cell, "broke the bucket rules:", "\n".join(f"  {line}" for line in broken))

    def _check_hub(self, cell: Cell, when: str) -> None:
        try:
            self.hub.check()
        except HubError as exc:
            self._fail(cell, f"stopped: the fake hub died {when}: {exc}")

    def _fail(self, cell: Cell, what: str, detail: str = "") -> None:
        self.failed_at = cell.where
        self.close()
        numbered = "\n".join(f"{cell.code_line + i:>5} | {line}" for i, line in enumerate(cell.source.splitlines()))
        raise CellFailure("\n\n".join(part for part in (f"{cell.where} {what}", numbered, detail) if part))

    # -- after the page --------------------------------------------------------------------

    def finish(self) -> None:
        """Check the page as a whole: bucket rules since it started, and its expectations file."""
        self._skip_if_failed()
        self._start()
        for cell in self.page.cells:
            if cell.index not in self.done:
                self._execute(cell, reported=False)
        try:
            self.hub.check()
            after = self._snapshot()
            left_running = self.clusters.left_running()
        except HubError as exc:
            raise CellFailure(f"{self.page.name}: the fake hub died after the last cell: {exc}") from None
        finally:
            self.close()
        member = self.hub.config.member
        problems = buckets.violations(buckets.changes(self.before, after), member, self.seeded)
        problems += self.expectations.problems(set(after))
        problems += left_running
        if problems:
            raise CellFailure(f"{self.page.name} after its last cell:\n" + "\n".join(f"  {p}" for p in problems))
