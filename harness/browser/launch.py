"""A tutorial launched as a member launches it: the rendered link, the hub's login form, nbgitpuller, JupyterLab.

The link is the one the built page shows, with only its scheme and host replaced by the local
hub's. Chromium follows it: JupyterHub's login form, the spawn of the member's server, nbgitpuller's
clone into the member's home, JupyterLab opening the twin. Then JupyterLab's own "Run All Cells",
the notebook saved from JupyterLab's menu, and its cells judged from the saved file. The buckets,
the page's expectations and the gateway are judged with the harness's own modules.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import nbformat
import psutil
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from booksite.book import Book, twin_path
from booksite.links import scan
from booksite.twins import stale
from fakehub import FakeHub, HubError, api, hubapi, imageversions
from fakehub.seed import seed_objects
from harness import buckets, check, expect, gateway, reads
from harness.page import RAISES, read_page

HUB_PATH = "/hub/user-redirect/git-pull"
OPEN_TIMEOUT_S = 90.0  # link to a notebook with an idle kernel: login, spawn, clone, JupyterLab's load
RUN_TIMEOUT_S = 240.0  # Run All Cells to an idle kernel (the build allows 120 s per cell)
SAVE_TIMEOUT_S = 30.0
VIEWPORT = {"width": 1280, "height": 900}
# Jupyter configuration for the member's server (JUPYTER_CONFIG_PATH): the hub's image has no jupytext, so
# its server extension and JupyterLab extension are off, and a page's twin opens as on the hub.
HUB_IMAGE_JUPYTER = Path(__file__).with_name("hub-image-jupyter")
# The member's server's own packages, in the hub image's versions (noted `server` in fakehub/hub-image-versions.txt).
SERVER_PACKAGES = tuple(pin.name for pin in imageversions.read().server())

# JupyterLab, read from its page: the notebook shown in the current tab, the kernel's state, the prompts.
CURRENT_PATH = """() => {
  const tab = document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const title = tab ? (tab.getAttribute('title') || '') : '';
  const match = title.match(/^Path: (.*)$/m);
  return panel && match ? match[1] : null;
}"""
DIALOG = "() => [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.trim()).join(' | ')"
KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
  .some(e => /\\| Idle$/.test(e.textContent.trim()) && !e.textContent.includes('No Kernel'))"""
RUN_STATE = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.textContent.trim());
  const indicator = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
  return {prompts, status: indicator ? indicator.dataset.status : null};
}"""
# Every cell has run and nothing is queued: the first prompt is numbered, none shows "*", the
# notebook's indicator is idle, and that held at two polls in a row (a queued cell starts between them).
SETTLED = """() => {
  const state = (RUN_STATE)();
  const done = /^\\[\\d+\\]:$/.test(state.prompts[0] || '') && !state.prompts.some(p => p.includes('*'))
    && state.status === 'idle';
  window.__launchSettled = done ? (window.__launchSettled || 0) + 1 : 0;
  return window.__launchSettled >= 2;
}""".replace("RUN_STATE", RUN_STATE)
DIRTY = "() => !!document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')"
APP_VERSION = "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).appVersion"


class LaunchError(AssertionError):
    """A launch went wrong; the message names the link and what happened."""


def rendered_links(context: BrowserContext, url: str) -> set[str]:
    """The hub launch links a built page shows."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")  # the theme writes the buttons into the HTML
        return {a for a in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)") if HUB_PATH in a}
    finally:
        page.close()


def served_links(url: str) -> set[str]:
    """The hub launch links in a built page's HTML as served, made absolute: what rendered_links() finds, no browser."""
    with urllib.request.urlopen(url, timeout=10) as response:
        html = response.read().decode()
    return {link for link in (urljoin(url, found) for found in scan(html).urls) if HUB_PATH in link}


def on_hub(link: str, hub_url: str) -> str:
    """The link with only its scheme and host replaced by the local hub's."""
    hub = urlsplit(hub_url)
    return urlunsplit(urlsplit(link)._replace(scheme=hub.scheme, netloc=hub.netloc))


@dataclasses.dataclass
class Outcome:
    """One tutorial's launch: where it went, how long each part took, and every problem found."""

    docname: str
    link: str  # as the page renders it
    local: str  # the same link on the local hub
    screenshot: Path | None = None
    app_version: str = ""  # the JupyterLab version the page loaded
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    problems: list[str] = dataclasses.field(default_factory=list)

    def report(self) -> str:
        """The failure message: the link, then what went wrong."""
        lines = "\n".join(f"  {p}" for p in self.problems)
        return f"launching {self.docname} from {self.link}\n(on the local hub: {self.local})\n{lines}"


class Launcher:
    """Launches tutorials on one local hub, one after another, as one member in one browser profile.

    The profile is kept on disk, as a member's browser keeps its cache: JupyterLab's scripts, compiled
    once, are not compiled again for every launch (an in-memory profile would). The member follows
    each link in the same tab, so the tab's renderer keeps what it compiled in memory too.

    The first launch logs in through the hub's form and spawns the member's server; later ones find
    both, as for a member who opens one tutorial after another. Before each launch the member is
    back to a new member's state (the fresh way): no clone, no JupyterLab workspace, the seeded
    buckets and no gateway cluster. The last launch's kernels, idle, shut down while the next
    link opens, as when a member moves on to the next tutorial; each launch waits for them
    before it judges the buckets, so none of theirs is running then.
    """

    def __init__(self, hub: FakeHub, book: Book, open_profile: Callable[[], BrowserContext]):
        self.hub = hub
        self.book = book
        self.open_profile = open_profile
        self.folder = book.repository.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")  # nbgitpuller's target
        self.seeded = {f"{bucket}/{name}" for bucket, name in seed_objects(hub.config)}
        self.context: BrowserContext | None = None
        self.tab: Page | None = None  # the member's one tab, reused by every launch
        # A launch's kernels shut down while the next launch opens its link, which waits for them before its checks.
        self.closer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-shutdown")
        self.closing: Future | None = None
        member = hub.config.member  # the local hub's own token to reach the member's server (its kernels)
        self.server_token = hubapi.create_token(hub.addresses.hub_api_url, hub.admin_token, member,
                                                [f"access:servers!user={member}"], "the launch tests (fakehub)")

    @property
    def home(self) -> Path:
        """The member's home, where nbgitpuller clones."""
        return self.hub.sandbox / "home"

    def server_versions(self) -> dict[str, str]:
        """The versions of SERVER_PACKAGES that the member's server imports (spawned for the question if need be)."""
        self.hub.start_member_server()
        return server_versions(self.hub)

    def close(self) -> None:
        """Close the browser profile; the last launch's kernels go down with the hub, whose stop follows."""
        self.closer.shutdown(wait=False, cancel_futures=True)  # a running shutdown ends with the member's server
        self.closing = None
        if self.context is not None:
            self.context.close()
            self.context = self.tab = None

    def reset(self) -> None:
        """A new member's state: no clone, no JupyterLab workspace, the seeded buckets, no cluster; kernels going."""
        if self.closing is None:  # no shutdown under way (the first launch): any kernel goes now
            self._shut_down_kernels()
        shutil.rmtree(self.home / self.folder, ignore_errors=True)
        shutil.rmtree(self.home / ".jupyter" / "lab" / "workspaces", ignore_errors=True)
        self.hub.reset()

    def launch(self, docname: str, link: str, screenshots: Path) -> Outcome:
        """Follow the link, run every cell in JupyterLab, check what it did; problems land in the outcome."""
        outcome = Outcome(docname, link, on_hub(link, self.hub.addresses.hub_url))
        self.reset()
        before = api.snapshot(self.hub.url, self.hub.config.buckets)
        read_mark, _ = self.hub.served("end")  # the storage front's log: what the launch reads from here on
        clusters = gateway.ClusterWatch(self.hub)
        page = self._tab()
        began = time.monotonic()
        try:
            path = self._open(page, outcome)
            outcome.timings["open_s"] = time.monotonic() - began
            self._check_twin(docname, path)
            self._wait_for_idle_kernel(page, OPEN_TIMEOUT_S)
            outcome.timings["kernel_s"] = time.monotonic() - began - outcome.timings["open_s"]
            self._decline_news(page)  # asked as JupyterLab first opens; the member answers before running
            ran = time.monotonic()
            self._run_all(page)
            outcome.timings["run_s"] = time.monotonic() - ran
            self._wait_for_shutdown()  # the last launch's kernels are gone before this one is judged
            notebook = self._save(page, path)
            outcome.problems += self._cell_problems(docname, notebook)
            outcome.problems += self._page_problems(docname, before, clusters, read_mark)
            outcome.app_version = page.evaluate(APP_VERSION)
        except LaunchError as exc:
            outcome.problems.append(str(exc))
        finally:
            outcome.screenshot = self._screenshot(page, screenshots, docname)
            try:
                self._wait_for_shutdown()  # done above, unless the launch failed before its run ended
            except HubError as exc:
                outcome.problems.append(str(exc))
            self.closing = self.closer.submit(self._shut_down_kernels)
            outcome.timings["total_s"] = time.monotonic() - began
        return outcome

    # -- the launch, step by step ----------------------------------------------------------

    def _tab(self) -> Page:
        """The member's tab in their browser profile, opened with the profile at the first launch."""
        if self.context is None:
            self.context = self.open_profile()
            self.tab = None
        if self.tab is None or self.tab.is_closed():
            self.tab = self.context.pages[0] if self.context.pages else self.context.new_page()
            # Leaving a JupyterLab with unsaved changes (after a failed launch) asks first; the member leaves.
            self.tab.on("dialog", lambda dialog: dialog.accept())
        return self.tab

    def _open(self, page: Page, outcome: Outcome) -> str:
        """Follow the link through the login form and nbgitpuller; the path JupyterLab opened."""
        expected = self._expected_path(outcome.link)
        deadline = time.monotonic() + OPEN_TIMEOUT_S
        page.goto(outcome.local, wait_until="commit")
        logged_in = False
        began = time.monotonic()
        while time.monotonic() < deadline:
            url = urlsplit(page.url)
            for mark in ("/hub/login", "/spawn-pending", "/git-pull", "/lab"):
                if mark in url.path:
                    outcome.timings.setdefault(f"reached {mark} after", time.monotonic() - began)
            try:
                if url.path.endswith("/hub/login") and not logged_in:
                    self._log_in(page)
                    logged_in = True
                elif "/git-pull" in url.path and page.locator("#status-panel-title.progress-bar-danger").count():
                    text = page.locator("#status-panel-title").inner_text().strip()
                    raise LaunchError(f"nbgitpuller failed: {text}")
                elif "/lab" in url.path:
                    opened = page.evaluate(CURRENT_PATH)
                    if opened == expected:
                        return expected
                    if opened is None and (dialog := page.evaluate(DIALOG)):
                        raise LaunchError(f"JupyterLab opened no notebook at {expected}: it says {dialog!r}")
            except PlaywrightError:
                pass  # the page navigated while it was read: look again
            page.wait_for_timeout(100)
        where = urlsplit(page.url).path
        opened = self._safe(page, CURRENT_PATH)
        if "/lab" in where:
            raise LaunchError(f"JupyterLab opened no notebook at {expected} within {OPEN_TIMEOUT_S:.0f} s"
                              + (f" (its current notebook is {opened})" if opened else ""))
        raise LaunchError(f"the link did not reach JupyterLab within {OPEN_TIMEOUT_S:.0f} s; it stopped at {where}: "
                          f"{self._safe(page, '() => document.body.innerText')!r:.300}")

    @staticmethod
    def _expected_path(link: str) -> str:
        """The file the link asks JupyterLab to open, relative to the member's home."""
        [urlpath] = parse_qs(urlsplit(link).query).get("urlpath", [""])
        return urlpath.removeprefix("lab/tree/")

    def _log_in(self, page: Page) -> None:
        """JupyterHub's own login form: the member's name, any password (the dummy authenticator)."""
        page.fill("input[name=username]", self.hub.config.login)  # as typed on GitHub: mixed case
        page.fill("input[name=password]", "a member's password")
        page.click("[type=submit]")

    def _check_twin(self, docname: str, path: str) -> None:
        """The notebook opened is the page's current twin, in the commit the member cloned."""
        clone = self.home / self.folder
        page = clone / self.book.source(docname).relative_to(self.book.root)
        if not page.is_file():
            raise LaunchError(f"the clone has no {page.relative_to(clone)}: the page is not in the commit under test")
        twin = clone / twin_path(docname, self.book.notebooks)
        if (self.home / path).resolve() != twin.resolve():
            raise LaunchError(f"JupyterLab opened {path}, not the page's twin {twin.relative_to(self.home)}")
        why = stale(page, twin)
        if why:
            raise LaunchError(f"the notebook JupyterLab opened is stale in the commit under test: "
                              f"{why.replace(str(self.home) + '/', '~/')}")

    def _wait_for_idle_kernel(self, page: Page, timeout: float) -> None:
        try:
            page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)
        except PlaywrightError:
            status = self._safe(page, "() => document.querySelector('.jp-StatusBar-TextItem')?.innerText")
            raise LaunchError(f"the notebook's kernel was not idle within {timeout:.0f} s "
                              f"(status: {status!r})") from None

    def _menu(self, page: Page, menu: str, item: re.Pattern) -> None:
        """Click a menu of JupyterLab's menu bar, then one of its items, as a member does."""
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=item).first.click()

    def _run_all(self, page: Page) -> None:
        """Run > Run All Cells, then wait until every cell has run and the kernel is idle."""
        self._menu(page, "Run", re.compile("^Run All Cells$"))
        try:
            page.wait_for_function(SETTLED, polling=100, timeout=RUN_TIMEOUT_S * 1000)
        except PlaywrightError:
            prompts = (self._safe(page, RUN_STATE) or {}).get("prompts", [])
            raise LaunchError(f"cells were still running {RUN_TIMEOUT_S:.0f} s after Run All Cells "
                              f"(prompts: {' '.join(prompts)})") from None

    def _save(self, page: Page, path: str) -> nbformat.NotebookNode:
        """File > Save Notebook; the notebook as saved, outputs and all."""
        self._menu(page, "File", re.compile("^Save Notebook$"))
        try:
            page.wait_for_function(f"() => !({DIRTY})()", timeout=SAVE_TIMEOUT_S * 1000)
        except PlaywrightError:
            raise LaunchError(f"JupyterLab did not save {path} within {SAVE_TIMEOUT_S:.0f} s") from None
        return nbformat.read(self.home / path, as_version=4)

    def _cell_problems(self, docname: str, notebook: nbformat.NotebookNode) -> list[str]:
        """Every code cell ran; none shows an error, except that a raises-exception cell must."""
        clone = self.home / self.folder
        cells = read_page(clone, self.book.source(docname).relative_to(self.book.root).as_posix()).cells
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        found = []
        for place, cell in zip(cells, code, strict=True):
            if problem := check.source_problem(place):
                found.append(f"{place.where} {problem}")
            errors = [o for o in cell.outputs if o.output_type == "error"]
            stderr = "".join(o.get("text", "") for o in cell.outputs
                             if o.output_type == "stream" and o.name == "stderr")
            if cell.execution_count is None:
                found.append(f"{place.where} did not run")
            elif RAISES in cell.metadata.get("tags", []):
                if not errors:
                    found.append(f"{place.where} is tagged raises-exception but shows no error")
            elif errors:
                found.append(f"{place.where} shows an error: {errors[0].ename}: {errors[0].evalue}")
            if stderr:
                found.append(f"{place.where} wrote to stderr: {stderr.strip()[:300]}")
        return found

    def _page_problems(self, docname: str, before: buckets.Snapshot, clusters: gateway.ClusterWatch,
                       read_mark: int) -> list[str]:
        """The bucket and build-only rules over the whole run, the page's expectations, and no gateway cluster left."""
        try:
            self.hub.check()
            after = api.snapshot(self.hub.url, self.hub.config.buckets)
            _, served = self.hub.served(read_mark)
            left = clusters.left_running()
        except HubError as exc:
            return [f"the local hub failed during the launch: {exc}"]
        read = [f"the launch broke the build-only rule: {line}" for line in
                reads.build_only(self.hub.config).violations(served)]
        page = self.book.source(docname).relative_to(self.book.root).as_posix()
        expectations = expect.load(read_page(self.book.root, page), self.hub.config.member, self.hub.config)
        return read + check.page_problems(self.hub.config, before, after, self.seeded, expectations, left_running=left)

    def _screenshot(self, page: Page, folder: Path, docname: str) -> Path | None:
        """JupyterLab as the member sees it after the run, once they have answered its news question."""
        target = folder / f"launch-{docname.replace('/', '-')}.png"
        self._decline_news(page, settle=True)
        try:
            page.screenshot(path=target)
        except PlaywrightError:
            return None
        return target

    @staticmethod
    def _decline_news(page: Page, settle: bool = False) -> None:
        """Answer JupyterLab's question about Jupyter news with No, if it is asked; with settle, until it is gone."""
        try:
            decline = page.locator(".jp-toast-button", has_text=re.compile("^No$"))
            if decline.count() and not page.evaluate(DIALOG):  # a dialog would take the click
                decline.first.click(timeout=5000)
                if settle:
                    decline.first.wait_for(state="detached", timeout=5000)
        except PlaywrightError:
            pass  # the question stays, in the picture too

    def _wait_for_shutdown(self) -> None:
        """Wait until the last launch's kernels are shut down; its failure is raised here."""
        closing, self.closing = self.closing, None
        if closing is not None:
            closing.result()

    def _shut_down_kernels(self) -> None:
        """Shut down the member's kernels (and so their gateway clusters), if the server runs."""
        member = self.hub.config.member
        base = f"{self.hub.addresses.hub_url}/user/{member}/api/kernels"
        try:
            if "" not in hubapi.call(f"{self.hub.addresses.hub_api_url}/users/{member}", self.hub.admin_token).get(
                    "servers", {}):
                return
            for kernel in hubapi.call(base, self.server_token):
                hubapi.call(f"{base}/{kernel['id']}", self.server_token, "DELETE")
        except OSError as exc:
            raise HubError(f"the member's server did not shut its kernels down: {exc}") from None

    @staticmethod
    def _safe(page: Page, script: str):
        try:
            return page.evaluate(script)
        except PlaywrightError:
            return None


def server_versions(hub: FakeHub) -> dict[str, str]:
    """The versions the member's running server imports, asked of its own interpreter."""
    model = hubapi.call(f"{hub.addresses.hub_api_url}/users/{hub.config.member}", hub.admin_token)
    pid = model["servers"][""]["state"]["pid"]
    python = psutil.Process(pid).cmdline()[0]
    code = ("import importlib.metadata as m, json, sys\n"
            f"print(json.dumps({{p: m.version(p) for p in {list(SERVER_PACKAGES)!r}}}))")
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)
