"""pytest plugin: _toc.yml's pages in each way, an item per code cell plus a page check, a fake hub per process."""

from __future__ import annotations

import collections
import os
import shutil
from pathlib import Path

import pytest

from booksite.book import TocError, execute_timeout, pages_on_disk, toc_pages
from fakehub import FakeHub, HubError, guard, offline
from fakehub import load as load_hub_config
from fakehub.config import HUB_YML_VARIABLE
from fakehub.seed import earlier_work, seed_objects

from . import expect, ways
from .page import PageError, read_page
from .run import CellFailure, PageRun

HARNESS = pytest.StashKey["Harness"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """--cell-timeout: seconds per cell (default: _config.yml's execute.timeout); --ways: how pages run."""
    parser.addoption("--cell-timeout", type=int, default=None, help="seconds a page's cell may run")
    parser.addoption("--ways", default=ways.EVERY,
                     help=f"comma-separated ways each page runs in (default: {ways.EVERY}); see docs/ways.md")
    parser.addini("one_worker_modules", type="linelist", default=[],
                  help="test files whose tests run on one xdist worker, in order (they share a costly fixture)")


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a preset emulator that is not a live loopback server, before anything runs."""
    preset = os.environ.get("STORAGE_EMULATOR_HOST")
    if preset:
        try:
            guard.answering(guard.loopback_url(preset))
        except HubError as exc:
            raise pytest.UsageError(f"fake hub: {exc}") from None
        if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
            raise pytest.UsageError("fake hub: with -n every worker starts its own server; "
                                    "unset STORAGE_EMULATOR_HOST, which would make them share one")
    parallel = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if parallel and os.environ.get("FAKEHUB_STACK"):
        raise pytest.UsageError("fake hub: with -n every worker starts its own hub; "
                                "unset FAKEHUB_STACK, which would make them share one")
    try:
        config.stash[HARNESS] = Harness(config)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Which guard keeps the member's code off the network; which hub definition, when not fakehub/hub.yml."""
    variant = os.environ.get(HUB_YML_VARIABLE)
    return [offline.describe()] + ([f"fake hub defined by {variant} ({HUB_YML_VARIABLE})"] if variant else [])


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop every kernel and the fake hub."""
    if HARNESS in config.stash:
        config.stash[HARNESS].stop()


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """_toc.yml at the root is where the book's pages are collected from."""
    if file_path == parent.config.rootpath / "_toc.yml":
        return TocFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto`: two workers per core, as the suite's items wait on hubs, kernels and builds more than they compute."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.getoption("dist", "no") not in ("no", "load"):
        return None  # a distribution asked for by name, or a number: xdist's own
    return 2 * (os.cpu_count() or 1)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under pytest-xdist, send all items of a page to one worker: they share its kernel."""
    from .schedule import PageScheduling

    if config.getoption("dist", "load") != "load":  # asked for by name (the browser tests: loadfile): xdist's own
        return None
    return PageScheduling(config, log)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the pages' items for the summary (on the controller too, under xdist)."""
    properties = dict(report.user_properties)
    if "page" in properties and (report.when == "call" or report.outcome != "passed"):
        Harness.tally.append((properties["page"], properties["way"], properties["kind"], report.outcome,
                              _reason(report)))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """A line per way: how many cells of how many pages ran, passed, failed, were skipped; then why skipped."""
    if not Harness.tally:
        return
    terminalreporter.write_sep("=", "pages", bold=True)
    for way in ways.WAYS:
        tally = [t for t in Harness.tally if t[1] == way]
        if not tally:
            continue
        count = collections.Counter(outcome for _, _, kind, outcome, _ in tally if kind == "cell")
        checks = collections.Counter(outcome for _, _, kind, outcome, _ in tally if kind == "page")
        terminalreporter.write_line(
            f"{way}: {sum(count.values())} cells of {len({t[0] for t in tally})} pages: "
            f"{count['passed'] + count['failed']} ran, {count['passed']} passed, {count['failed']} failed, "
            f"{count['skipped']} skipped; page checks: {checks['passed']} passed, {checks['failed']} failed, "
            f"{checks['skipped']} skipped"
        )
    reasons = collections.Counter(reason for _, _, kind, outcome, reason in Harness.tally
                                  if kind == "cell" and outcome == "skipped")
    for reason, n in sorted(reasons.items()):
        terminalreporter.write_line(f"  skipped {n}: {reason}")


def _reason(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    return ""


class Harness:
    """Per process: the fake hub (started on first use) and the runs of the pages collected."""

    tally: list[tuple[str, str, str, str, str]] = []  # (page, way, kind, outcome, skip reason), from reports

    def __init__(self, config: pytest.Config):
        self.root = config.rootpath
        self.ways = ways.select(config.getoption("--ways"))
        self.timeout = config.getoption("--cell-timeout") or execute_timeout(self.root)
        self.hub_config = load_hub_config()
        self.hub: FakeHub | None = None
        self.runs: list[PageRun] = []
        self.chains: dict[str, dict] = collections.defaultdict(dict)  # page -> what each of its ways left the next

    def start_hub(self) -> tuple[FakeHub, dict[str, str], set[str], set[str]]:
        """The process's fake hub (environment for kernels only), seeded names, a lived-in member's earlier work."""
        if self.hub is None:
            try:
                self.hub = FakeHub(self.hub_config).start(export=False)
            except HubError as exc:
                pytest.exit(f"fake hub: {exc}", returncode=3)
            self.environ = self.hub.process_environ
            self.seeded = {f"{bucket}/{name}" for bucket, name in seed_objects(self.hub_config)}
            self.earlier = {f"{bucket}/{name}" for bucket, name in earlier_work(self.hub_config)}
        return self.hub, self.environ, self.seeded, self.earlier

    def stop(self) -> None:
        """Stop kernels, then the hub."""
        for run in self.runs:
            run.close()
        for chain in self.chains.values():  # folders kept for a way that did not run (deselected, or failed first)
            for kept in chain.values():
                if kept.get("folder"):
                    shutil.rmtree(kept["folder"], ignore_errors=True)
        if self.hub is not None:
            self.hub.stop()
            self.hub = None


class TocFile(pytest.File):
    """_toc.yml: one collector per page it lists, plus the check that it lists every page."""

    def collect(self):
        """The TOC check, then the pages in reading order."""
        try:
            pages = toc_pages(self.config.rootpath)
        except TocError as exc:
            raise self.CollectError(str(exc)) from None
        yield TocItem.from_parent(self, name="every-page-listed", pages=pages)
        for page in pages:
            for way in self.config.stash[HARNESS].ways:
                yield PageCollector.from_parent(self, name=f"{page}{way.suffix}", nodeid=f"{page}{way.suffix}",
                                                page=page, way=way)


class TocItem(pytest.Item):
    """Every page under book/ is in _toc.yml."""

    def __init__(self, *, pages: list[str], **kwargs):
        super().__init__(**kwargs)
        self.pages = pages

    def runtest(self) -> None:
        """Compare _toc.yml with the pages on disk."""
        problems = [f"{p} is under book/ but not in _toc.yml: list it, or delete it"
                    for p in pages_on_disk(self.config.rootpath) if p not in self.pages]
        if problems:
            raise CellFailure("\n".join(problems))

    def repr_failure(self, excinfo, style=None):
        """The problems, without a traceback."""
        return str(excinfo.value) if excinfo.errisinstance(CellFailure) else super().repr_failure(excinfo, style)

    def reportinfo(self):
        """Reported as _toc.yml."""
        return self.path, None, "_toc.yml"


class PageCollector(pytest.Collector):
    """One page in one way: an item per code cell, in order, then the page check."""

    def __init__(self, *, page: str, way: ways.Way, **kwargs):
        super().__init__(**kwargs)
        self.page, self.way = page, way

    def collect(self):
        """Read the page and its expectations (its front matter); a malformed page or key fails collection."""
        harness = self.config.stash[HARNESS]
        try:
            page = read_page(self.config.rootpath, self.page)
            expectations = expect.load(page, harness.hub_config.member, harness.hub_config)
        except (PageError, expect.ExpectError, OSError) as exc:
            raise self.CollectError(str(exc)) from None
        self.run = PageRun(page, expectations, harness.start_hub, harness.timeout, self.way, harness.chains[self.page])
        harness.runs.append(self.run)
        suffix = self.way.suffix
        for cell in page.cells:
            yield CellItem.from_parent(self, name=f"{cell.line}{suffix}", nodeid=self.run.where(cell), cell=cell)
        yield PageItem.from_parent(self, name=f"expect{suffix}", nodeid=f"{self.page}:expect{suffix}")


class PageItemBase(pytest.Item):
    """Shared by the cells and the page check: grouping for xdist, reports without harness traceback."""

    kind = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user_properties += [("page", self.parent.page), ("way", self.parent.way.name), ("kind", self.kind)]

    def repr_failure(self, excinfo, style=None):
        """The harness's own report; anything else is a harness bug: said so, with its traceback from the harness on."""
        if excinfo.errisinstance(CellFailure):
            return str(excinfo.value)
        headline = (f"{self.nodeid}: the harness itself failed here (not a rule the page broke): "
                    f"{excinfo.typename}: {excinfo.value}")
        return f"{headline}\n\n{super().repr_failure(excinfo, style='short')}\n\n{headline}"

    def _traceback_filter(self, excinfo):
        """Only the frames below pytest's and pluggy's: the harness and the libraries it called."""
        return excinfo.traceback.filter(lambda entry: not any(part in str(entry.path) for part in PYTEST_FRAMES))


# Where pytest's own frames come from; a harness error's report leaves them out.
PYTEST_FRAMES = (f"{os.sep}_pytest{os.sep}", f"{os.sep}pluggy{os.sep}")


class CellItem(PageItemBase):
    """One code cell of a page."""

    kind = "cell"

    def __init__(self, *, cell, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell

    def runtest(self) -> None:
        """Run the cell in the page's kernel and check what it did."""
        self.parent.run.run_cell(self.cell)

    def reportinfo(self):
        """Reported as book/<page>.md:<line>[way] (code cell); not a suffix of the nodeid, which pytest would mangle."""
        return self.config.rootpath / self.cell.page, self.cell.line - 1, f"{self.nodeid} (code cell)"


class PageItem(PageItemBase):
    """After the page's last cell: the bucket rules over the whole page, and its expectations."""

    kind = "page"

    def runtest(self) -> None:
        """Check the buckets after the page."""
        self.parent.run.finish()

    def reportinfo(self):
        """Reported as book/<page>.md:expect[way] (page check)."""
        return self.config.rootpath / self.parent.page, 0, f"{self.nodeid} (page check)"
