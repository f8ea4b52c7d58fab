"""Running one page in one way: reset the hub and the home, a kernel in a fresh folder, each cell checked as it runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fakehub import FakeHub, HubError, api

from . import buckets, check, files, gateway, home, reads
from .expect import Expectations
from .kernel import PageKernel
from .page import RAISES, SKIP, Cell, Page
from .ways import WAYS, Way


class CellFailure(Exception):
    """A cell (or the page's final check) failed; the message is the whole report."""


# What a run hands on to the way that continues it (again after fresh, week-later after lived-in).
HANDED_ON = ("folder", "buckets", "files", "protected", "before")


class PageRun:
    """The state of one page in one way while its items run: kernel, snapshots, whether it already failed."""

    def __init__(self, page: Page, expectations: Expectations, hub_factory, timeout: int, way: Way = WAYS["fresh"],
                 chain: dict | None = None):
        self.page = page
        self.chain = {} if chain is None else chain  # the page's ways in this process: what one leaves the next
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
        self.expired: set[str] = set()  # a week later: the earlier objects scratch's rule deleted, never the page's
        self.first: tuple[buckets.Snapshot, files.Files] | None = None  # after the first of two runs
        self.which = ""  # " (first run)" while the again way's unreported first run is under way
        self.read_mark = 0  # the storage front's served log: where the reads of the next cell start
        self.protected: files.Files = {}  # the member's local files: there before the page first ran (the home rule)
        self.start_names: dict[str, bool] = {}  # every local path before the page first ran (crowded's roots)
        self.seen: dict[str, bool] = {}  # every local path there after any cell of the run, made and deleted ones too

    def where(self, cell: Cell) -> str:
        """The cell's item id in this way: book/x.md:LINE, book/x.md:LINE[lived-in], ..."""
        return f"{cell.where}{self.way.suffix}"

    # -- lifecycle -------------------------------------------------------------------------

    def _start(self) -> None:
        if self.hub is not None:
            return
        self.hub, self.environ, self.seeded, earlier = self.hub_factory()
        self.earlier = set(earlier) if self.way.lived_in else set()
        self.clusters = gateway.ClusterWatch(self.hub)
        if self._continue():
            return
        roots = self._crowded_roots() if self.way.crowded else {}
        self._fresh_start()
        if self.way.crowded:  # the member's own things in the folder, and at each path the page creates
            home.crowd(self.hub.config.seed_folder, roots, Path(self.environ["HOME"]), Path(self.folder))
            self.protected = self._files()  # the planted paths are the member's too
        if self.way.again:
            self._first_run()
        if self.way.expire:
            self._expire()

    def _fresh_start(self) -> None:
        """Seeded buckets (as in the build), the lived-in home, a new empty folder (the build's run_in_temp)."""
        try:
            self.hub.reset(lived_in=self.way.lived_in)  # every page starts from the seeded buckets, as in the build
            self.hub.reset_home()
            self.read_mark, _ = self.hub.served("end")
        except (HubError, OSError) as exc:
            self.failed_at = self.page.name
            raise CellFailure(f"{self.page.name}{self.way.suffix}: the fake hub is not usable: {exc}") from None
        self.before = self.last = self._snapshot()
        self.folder = str(self.hub.page_folder())
        self.protected = self._files()
        self.start_names = self.seen = home.names(Path(self.environ["HOME"]), Path(self.folder))

    def _continue(self) -> bool:
        """Take over the folder and home the way this one continues left (fresh's, lived-in's), if nothing ran since."""
        kept = self.chain.get(self.way.after) if self.way.again else None
        if kept is None or "folder" not in kept:
            return False
        left = {key: kept.pop(key) for key in HANDED_ON}  # once; the roots stay there for crowded
        if not self._as_left(left):
            shutil.rmtree(left["folder"], ignore_errors=True)
            return False
        self.folder, self.protected, self.first = left["folder"], left["protected"], (left["buckets"], left["files"])
        self.before, self.last = left["before"], left["buckets"]  # the page check spans both runs, as again's does
        try:
            self.read_mark, _ = self.hub.served("end")  # this run's reads only, not those of pages run before
        except HubError as exc:
            self._fail_page(f"the fake hub did not say what was read: {exc}")
        if self.way.expire:
            self._expire()
        return True

    def _as_left(self, left: dict) -> bool:
        """Whether the folder, the home and the buckets are as the run before left them (nothing ran in between)."""
        folder = Path(left["folder"])
        return (folder.is_dir() and self._snapshot() == left["buckets"]
                and files.snapshot(Path(self.environ["HOME"]), folder) == left["files"])

    def _expire(self) -> None:
        """A week later: the member's scratch objects are gone; folder and home are as the last run left them."""
        try:
            gone = set(self.hub.expire_scratch())
            self.read_mark, _ = self.hub.served("end")  # the build-only rule reads this run's reads only
        except HubError as exc:
            self._fail_page(f"the fake hub did not delete the member's scratch objects: {exc}")
        # Earlier work that expired is not the member's to keep any more: a page may now write that name.
        self.expired = self.earlier & gone
        self.earlier = self.earlier - gone
        self.before = self.last = self._snapshot()

    def _crowded_roots(self) -> dict[str, str]:
        """The top local paths the page's fresh run created; without that run here, an unreported run of its own."""
        if self.way.after in self.chain:
            return self.chain[self.way.after]["roots"]
        self._fresh_start()
        self.which = " (first run, to find the local paths the page creates)"
        for cell in self.page.cells:
            self._execute(cell, reported=False)
        self._stop_kernel()
        roots = home.created_roots(self.start_names, self.seen)
        self.close()
        self.which, self.done = "", set()
        self.clusters = gateway.ClusterWatch(self.hub)
        return roots

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

    def _kernel(self, cell: Cell) -> PageKernel:
        if self.kernel is None:
            kernel = PageKernel(self.page.notebook, self.folder, self.timeout, self.environ)
            try:
                kernel.start()
            except Exception as exc:  # jupyter_client and nbclient raise several kinds (a timeout, a dead kernel)
                self._fail(cell, f"stopped: the page's kernel did not start: {type(exc).__name__}: {exc}")
            self.kernel = kernel
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
        try:
            self._start()
            for earlier in self.page.cells:
                if earlier.index < cell.index and earlier.index not in self.done:
                    self._execute(earlier, reported=False)
            self._execute(cell, reported=True)
        except Exception:  # the harness's own error: the rest of the page is skipped, not run on a broken kernel
            self.failed_at = self.failed_at or self.where(cell)
            self.close()
            raise

    def _skip_if_failed(self) -> None:
        if self.failed_at:
            reason = f"an earlier cell failed ({self.failed_at}), so the rest of the page did not run"
            raise pytest.skip.Exception(reason, _use_item_location=True)  # reported at the page's line

    def _execute(self, cell: Cell, reported: bool) -> None:
        self.done.add(cell.index)
        if SKIP in cell.tags:
            problem = check.source_problem(cell)
            if problem:
                self._fail(cell, problem)
            if reported:
                raise pytest.skip.Exception(f"skip-execution: {cell.skip_reason()}", _use_item_location=True)
            return
        self._check_hub(cell, "before the cell ran")
        result = self._kernel(cell).run(cell)
        if result.timed_out:
            self._check_hub(cell, "while the cell ran")
            self._fail(cell, f"did not finish within the cell timeout of {self.timeout} s")
        if result.kernel_died:
            self._fail(cell, "killed the kernel")
        self._check_reads(cell)
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
        harmed = home.broken(self.protected, Path(self.environ["HOME"]), Path(self.folder))
        if self.start_names:
            self.seen = self.seen | home.names(Path(self.environ["HOME"]), Path(self.folder))
        if harmed:
            self._fail(cell, "broke the home rule (a page may delete or change only the local files it created):",
                       "\n".join(f"  {line}" for line in harmed))
        try:
            self.clusters.after_cell(self.where(cell))
        except HubError as exc:
            self._fail(cell, f"stopped: the fake hub's gateway did not answer after the cell ran: {exc}")
        after = self._snapshot()
        broken = buckets.violations(buckets.changes(self.last, after), self.hub.config.member, self.seeded,
                                    self.earlier, self.hub.config)
        self.last = after
        if broken:
            self._fail(cell, "broke the bucket rules:", "\n".join(f"  {line}" for line in broken))

    def _check_reads(self, cell: Cell) -> None:
        """The build-only rule, on the objects the storage front served since the last cell."""
        try:
            self.read_mark, served = self.hub.served(self.read_mark)
        except HubError as exc:
            self._fail(cell, f"stopped: the fake hub died while the cell ran: {exc}")
        broken = reads.build_only(self.hub.config).violations(served)
        if broken:
            self._fail(cell, "broke the build-only rule:", "\n".join(f"  {line}" for line in broken))

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
        raise CellFailure("\n\n".join(part for part in (headline, numbered, detail, self.way.meaning) if part))

    def _fail_page(self, what: str) -> None:
        self.failed_at = self.page.name
        self.close()
        raise CellFailure(f"{self.page.name}{self.way.suffix}: {what}")

    # -- after the page --------------------------------------------------------------------

    def _hand_on(self, folder: str, after: buckets.Snapshot, left: files.Files, passed: bool) -> None:
        """Leave what a way that continues this one needs: the paths it created; its folder, if it passed."""
        kept = {"roots": home.created_roots(self.start_names, self.seen)}
        continued = any(way.after == self.way.name and way.again for way in WAYS.values())
        if continued and passed:
            kept |= {"folder": folder, "buckets": after, "files": left, "protected": self.protected,
                     "before": self.before}
            folder = None  # the continuing way deletes it (or the harness, at its end)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        self.chain[self.way.name] = kept

    def finish(self) -> None:
        """Check the page as a whole: bucket rules since it started, and its expectations."""
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
            left = self._files()
            harmed = home.broken(self.protected, Path(self.environ["HOME"]), Path(self.folder))
            folder, self.folder = self.folder, None  # kept for a way that continues this one, if it passes
        except HubError as exc:
            raise CellFailure(f"{name}: the fake hub died after the last cell: {exc}") from None
        finally:
            self.close()
        problems = check.page_problems(self.hub.config, self.before, after, self.seeded, self.expectations,
                                       self.earlier)
        if self.first:
            problems += buckets.differences(self.first[0], after, self.expired) + files.differences(self.first[1], left)
        problems += left_running + [f"{line} (the home rule: a page may delete or change only the local files it "
                                    "created)" for line in harmed]
        self._hand_on(folder, after, left, passed=not problems)
        if problems:
            raise CellFailure(f"{name} after its last cell:\n" + "\n".join(f"  {p}" for p in problems))
