"""Fixtures for the browser tests: the built site, a loopback server, the system's Chromium (booksite.chromium).

These tests need a built book and Chromium, so plain `pytest` (as in `nox -s tests`) does
not collect them; `nox -s browser` builds the book and sets BOOKSITE_BROWSER=1.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from playwright.sync_api import sync_playwright

from booksite.book import Book
from booksite.chromium import ChromiumMissing, chromium_path
from booksite.published import PublishedBranchError, check_links
from fakehub import FakeHub
from harness.browser.launch import HUB_IMAGE_JUPYTER, VIEWPORT, Launcher
from harness.browser.origin import Origin
from harness.browser.pages import Fetcher
from harness.browser.serve import Site

if os.environ.get("BOOKSITE_BROWSER") != "1":
    collect_ignore_glob = ["test_*.py"]

# Without the background-networking flags Chromium dials Google services at start-up.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def book() -> Book:
    """The book's settings and pages."""
    return Book.load()


@pytest.fixture(scope="session")
def expect() -> dict:
    """What the site must offer (tests/browser/site.yml)."""
    return yaml.safe_load((HERE / "site.yml").read_text())


@pytest.fixture(scope="session")
def built(book: Book) -> Path:
    """The built HTML book; it must exist (nox -s browser builds it first)."""
    html = book.root / "_build" / "html"
    if not (html / "index.html").exists():
        pytest.fail(f"no built book in {html}: run `nox -s browser`, which builds it first")
    return html


@pytest.fixture(scope="session")
def site(built: Path):
    """The built book, served on 127.0.0.1."""
    with Site(built) as served:
        yield served


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The system's Chromium: $CHROMIUM, else the PATH's (never a downloaded browser)."""
    try:
        return str(chromium_path())
    except ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def playwright(chromium_executable):
    """Playwright, for the system's Chromium."""
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def chromium(playwright, chromium_executable):
    """The system's Chromium, for reading the site in profiles made for one test."""
    browser = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def at_viewport(chromium, expect):
    """A browser profile per viewport of site.yml (desktop, phone), made once and shared."""
    made = {}

    def context(name: str):
        if name not in made:
            width, height = expect["viewports"][name]
            made[name] = chromium.new_context(viewport={"width": width, "height": height})
        return made[name]

    yield context
    for context in made.values():
        context.close()


@pytest.fixture
def context(chromium):
    """A fresh browser profile that may use the clipboard."""
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    yield context
    context.close()


@pytest.fixture(scope="session")
def fetcher() -> Fetcher:
    """Fetches each served URL once, for link and anchor checks."""
    return Fetcher()


@pytest.fixture(scope="session")
def screenshots(book: Book) -> Path:
    """Where screenshots go: a build artifact."""
    folder = book.root / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


LAUNCHES = pytest.StashKey[list]()  # the tutorials' launch outcomes, for the summary
LAUNCHED = pytest.StashKey[dict]()  # what the launches ran: the commit, the member's server's versions


@pytest.fixture(scope="session")
def origin(book: Book, built: Path, tmp_path_factory) -> Origin:
    """The commit under test, where the member's server's git finds the repository's GitHub address.

    Before any browser starts, the built pages' launch links must name the branch the deploy publishes.
    """
    made = Origin(book, tmp_path_factory.mktemp("origin"))
    try:
        check_links(built, made.branch)
    except PublishedBranchError as exc:
        pytest.fail(str(exc), pytrace=False)
    return made.create()


@pytest.fixture(scope="session")
def launcher(book: Book, origin: Origin, playwright, chromium_executable, tmp_path_factory):
    """One local hub for every launch: the member's server gets git's configuration and no jupytext."""
    server = origin.git_environ() | {"JUPYTER_CONFIG_PATH": str(HUB_IMAGE_JUPYTER)}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("STORAGE_EMULATOR_HOST", raising=False)
        patch.delenv("FAKEHUB_STACK", raising=False)  # a hub of its own: another's server lacks git's configuration
        hub = FakeHub(server_environ=server).start(export=False)
    try:
        profile = tmp_path_factory.mktemp("member-browser")
        launcher = Launcher(hub, book, lambda: playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium_executable, args=CHROMIUM_ARGS, viewport=VIEWPORT))
        yield launcher
        launcher.close()
    finally:
        hub.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker: hand the launches' notes to the controller, which writes the summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["launched"] = session.config.stash.get(LAUNCHED, {})
        workeroutput["launches"] = [{"docname": o.docname, "problems": list(o.problems), "timings": dict(o.timings)}
                                    for o in session.config.stash.get(LAUNCHES, [])]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """On the pytest-xdist controller: gather what a worker's launches noted."""
    output = getattr(node, "workeroutput", {})
    node.config.stash.setdefault(LAUNCHED, {}).update(output.get("launched", {}))
    node.config.stash.setdefault(LAUNCHES, []).extend(SimpleNamespace(**o) for o in output.get("launches", []))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """After the launches: which commit they ran, the member's server's versions, and each launch's times."""
    launched, outcomes = config.stash.get(LAUNCHED, {}), config.stash.get(LAUNCHES, [])
    if not outcomes:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "tutorials launched from their buttons", bold=True)
    write(f"commit under test: {launched.get('commit', '?')}")
    if launched.get("uncommitted"):
        write(f"  not part of it (uncommitted): {', '.join(launched['uncommitted'])}")
    versions = launched.get("versions") or {}
    write("the member's server ran: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    for outcome in outcomes:
        times = outcome.timings
        parts = [f"{name.removesuffix('_s')} {times[name]:.1f} s" for name in ("open_s", "kernel_s", "run_s", "total_s")
                 if name in times]
        write(f"  {outcome.docname:<34} {'passed' if not outcome.problems else 'FAILED':<7} {'  '.join(parts)}")
    total = sum(outcome.timings.get("total_s", 0.0) for outcome in outcomes)
    write(f"  {len(outcomes)} launches in {total:.1f} s (open: link to notebook, with login and spawn the first time)")
