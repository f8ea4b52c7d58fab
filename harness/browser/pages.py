"""What a reader's browser meets on one page: errors, failed or external requests, links, images."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import unquote, urldefrag, urlsplit

from playwright.sync_api import BrowserContext, Page, Request, Route

from booksite.links import anchors

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
IGNORED_SCHEMES = {"mailto", "javascript", "data", "tel", "blob"}


def is_loopback(url: str) -> bool:
    """Whether a URL points at this machine."""
    return urlsplit(url).hostname in LOOPBACK


class Fetcher:
    """Fetches served URLs once each: their HTTP status and the anchors they offer."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, frozenset[str]]] = {}

    def get(self, url: str) -> tuple[int, frozenset[str]]:
        """Status and anchors of a loopback URL (no fragment)."""
        if url not in self._seen:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read().decode("utf-8", errors="replace")
                    ids = anchors(body) if "html" in response.headers.get("Content-Type", "") else set()
                    self._seen[url] = (response.status, frozenset(ids))
            except urllib.error.HTTPError as error:
                self._seen[url] = (error.code, frozenset())
        return self._seen[url]

    def why_broken(self, url: str) -> str | None:
        """Why an internal link does not resolve, or None."""
        target, fragment = urldefrag(url)
        status, ids = self.get(target)
        if status != 200:
            return f"HTTP {status}"
        if fragment and ids and unquote(fragment) not in ids:
            return f"no anchor #{fragment}"
        return None


@dataclass
class Visit:
    """One page as loaded in the browser."""

    url: str
    problems: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def _block_external(visit: Visit, allowed: set[str]):
    def route(route: Route, request: Request) -> None:
        if is_loopback(request.url) or urlsplit(request.url).scheme in IGNORED_SCHEMES:
            route.continue_()
            return
        visit.external.append(request.url)
        if urlsplit(request.url).hostname in allowed:
            route.fulfill(status=204)
        else:
            visit.problems.append(f"external request (the book must render offline): {request.url}")
            route.abort("blockedbyclient")
    return route


def _listen(page: Page, visit: Visit) -> None:
    page.on("console", lambda m: m.type == "error" and visit.problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: visit.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: is_loopback(r.url) and visit.problems.append(
        f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and visit.problems.append(f"HTTP {r.status}: {r.url}"))


IMAGES = """els => els.map(e => ({src: e.currentSrc || e.src, alt: e.getAttribute('alt'),
                                 loaded: e.complete && e.naturalWidth > 0}))"""


def _check_images(page: Page, visit: Visit) -> None:
    for image in page.eval_on_selector_all("img", IMAGES):
        if not image["loaded"]:
            visit.problems.append(f"image did not load: {image['src']}")
        if not (image["alt"] or "").strip():
            visit.problems.append(f"image without alt text: {image['src']}")


def _check_links(page: Page, visit: Visit, fetcher: Fetcher) -> None:
    visit.links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for link in sorted(set(visit.links)):
        if urlsplit(link).scheme in IGNORED_SCHEMES or not is_loopback(link):
            continue
        if why := fetcher.why_broken(link):
            visit.problems.append(f"broken link: {link} ({why})")


def visit_page(context: BrowserContext, url: str, fetcher: Fetcher, allowed: set[str] = frozenset()) -> Visit:
    """Load a page as a reader would and collect everything wrong with it."""
    visit = Visit(url)
    page = context.new_page()
    try:
        page.route("**/*", _block_external(visit, set(allowed)))
        _listen(page, visit)
        response = page.goto(url, wait_until="networkidle")
        if response is None or response.status != 200:
            visit.problems.append(f"page did not load: {url}")
        _check_images(page, visit)
        _check_links(page, visit, fetcher)
    finally:
        page.close()
    return visit
