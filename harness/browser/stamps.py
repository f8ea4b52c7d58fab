"""The "verified" stamp: what the build's records say it must show, and what a page shows."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import read_myst_markdown_notebook
from playwright.sync_api import Locator, Page

from booksite.book import Book
from fakehub import imageversions, load
from fakehub.envhash import environment_key

from .colors import text_contrast

MIN_CONTRAST = 4.5  # WCAG AA for normal-size text
TEXT = ".booksite-stamp p, .booksite-stamp strong, .booksite-stamp time, .booksite-stamp span, .booksite-stamp code"


@dataclass(frozen=True)
class Expected:
    """What a page's stamp must say, taken from the records, not from the page."""

    ran: datetime
    versions: dict[str, str]
    verified_image: str  # fakehub/hub-image-versions.txt's first line
    hub_image: str  # fakehub/hub.yml's hub_image: what the real hub runs
    not_run: int  # code cells that jupyter-cache's executed notebook shows without an execution count


def notebook(source: Path) -> nbformat.NotebookNode:
    """A page as myst-nb reads it (the notebook jupyter-cache hashed)."""
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".ipynb":
        return nbformat.reads(text, as_version=4)
    return read_myst_markdown_notebook(text, path=source)


class Records:
    """The build's records: jupyter-cache's entries, installed versions, the versions file, the hub's definition."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.cache = book.root / "_build" / ".jupyter_cache" / environment_key(load())
        self.versions = {name: importlib.metadata.version(name) for name in book.stamp_packages}
        self.verified_image = imageversions.read(book.hub_versions).image
        self.hub_image = load().hub_image.reference

    def expected(self, docname: str) -> Expected | None:
        """The stamp a page must show, or None for a page without code, or none of whose code ran."""
        page = notebook(self.book.source(docname))
        if not any(cell.cell_type == "code" for cell in page.cells):
            return None
        cache = get_cache(str(self.cache))
        try:
            record = cache.match_cache_notebook(page)
        except KeyError:
            raise AssertionError(f"{docname} has code, but jupyter-cache ({self.cache}) holds no run of it") from None
        # What ran is read from the executed notebook the cache stored, not from the page's tags.
        code = [cell for cell in cache.get_cache_bundle(record.pk).nb.cells if cell.cell_type == "code"]
        not_run = sum(cell.get("execution_count") is None for cell in code)
        if not_run == len(code):
            return None
        return Expected(record.created.replace(tzinfo=UTC), self.versions, self.verified_image, self.hub_image, not_run)


def problems(page: Page, expected: Expected | None) -> list[str]:
    """Everything wrong with a loaded page's stamp, given what the records say."""
    stamps = page.locator(".booksite-stamp")
    if expected is None:
        return [f"a page without code that ran shows {stamps.count()} stamp(s)"] if stamps.count() else []
    if stamps.count() != 1:
        return [f"an executed page shows {stamps.count()} stamps, not 1"]
    stamp, found = stamps.first, []
    if not stamp.is_visible():
        found.append("the stamp is not visible")
    if stamp.evaluate("s => s.previousElementSibling && s.previousElementSibling.tagName") != "H1":
        found.append("the stamp is not right under the page's title")
    shown = stamp.inner_text()
    ran = datetime.fromisoformat(stamp.locator("time").get_attribute("datetime"))
    if ran != expected.ran:
        found.append(f"the stamp says the cells ran at {ran}, jupyter-cache says {expected.ran}")
    if f"{expected.ran:%Y-%m-%d %H:%M} UTC" not in shown:
        found.append(f"the stamp does not show {expected.ran:%Y-%m-%d %H:%M} UTC: {shown!r}")
    packages = stamp.locator("[data-package]").all()
    listed = {e.get_attribute("data-package"): e.get_attribute("data-version") for e in packages}
    if listed != expected.versions:
        found.append(f"the stamp lists {listed}, the build's environment has {expected.versions}")
    found += [f"the stamp does not show '{name} {version}'" for name, version in expected.versions.items()
              if f"{name} {version}" not in shown]
    found += not_run_problems(stamp, shown, expected.not_run)
    return found + image_problems(stamp, expected)


def image_problems(stamp: Locator, expected: Expected) -> list[str]:
    """What a stamp gets wrong about the verified library versions and, apart from them, the hub's own image."""
    found = []
    image = stamp.locator("code.booksite-stamp-image").inner_text()
    if image != expected.verified_image:
        found.append(f"the stamp names the verified image {image!r}, "
                     f"fakehub/hub-image-versions.txt {expected.verified_image!r}")
    listing = stamp.locator("a.booksite-stamp-package-list").get_attribute("href") or ""
    if f"/blob/{expected.verified_image.rsplit(':', 1)[1]}/" not in listing:
        found.append(f"the stamp's package list {listing!r} is not that of {expected.verified_image}")
    hub = stamp.locator("code.booksite-stamp-hub-image").inner_text()
    if hub != expected.hub_image:
        found.append(f"the stamp says the hub runs {hub!r}, fakehub/hub.yml {expected.hub_image!r}")
    if "hub's image" in stamp.inner_text():
        found.append("the stamp calls an image 'the hub's image': it must say which the hub runs")
    return found


def not_run_problems(stamp: Locator, shown: str, not_run: int) -> list[str]:
    """What a stamp gets wrong about the cells the build did not run (it names them only when there are some)."""
    marked = stamp.locator("[data-not-run]")
    if not not_run:
        return [f"the stamp says cells were not run, but every cell ran: {shown!r}"] if marked.count() else []
    cells = "1 cell" if not_run == 1 else f"{not_run} cells"
    if marked.count() != 1 or marked.first.get_attribute("data-not-run") != str(not_run):
        return [f"the stamp does not record that {cells} did not run (jupyter-cache's executed notebook): {shown!r}"]
    if f"except {cells} marked as not run" not in shown:
        return [f"the stamp does not say 'except {cells} marked as not run': {shown!r}"]
    return []


def contrast_problems(page: Page) -> list[str]:
    """Every piece of the stamp's text whose contrast with its background is below WCAG AA."""
    found = []
    for element in page.locator(TEXT).all():
        ratio, colours = text_contrast(element)
        if ratio < MIN_CONTRAST:
            found.append(f"{element.evaluate('e => e.outerHTML')[:60]}: contrast {ratio:.2f} "
                         f"({colours['text']} on {colours['background']})")
    return found
