"""Every page of _toc.yml, as a reader's browser loads it."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml

from booksite.book import Book
from harness.browser.launch import HUB_PATH, rendered_links, served_links
from harness.browser.notebooks import code_cells, is_notebook, shown_code_cells
from harness.browser.pages import is_loopback, visit_page

from .conftest import HERE

PAGES = Book.load().pages
TUTORIALS = Book.load().tutorial_pages()
SEARCHES = sorted(yaml.safe_load((HERE / "site.yml").read_text())["search"])


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_cleanly_and_its_links_resolve(docname, context, site, fetcher, expect):
    """No console error, failed or external request; links, anchors and images resolve."""
    visit = visit_page(context, site.page(docname), fetcher, set(expect["external_requests"]))
    assert visit.problems == []
    assert visit.links, "a page of the book links at least to the others"


@pytest.mark.parametrize("docname", [p for p in PAGES if is_notebook(Book.load().source(p))])
def test_copy_button_gives_the_exact_cell_source(docname, context, site, book):
    """Each code cell's copy button puts exactly that cell's source on the clipboard."""
    page = context.new_page()
    page.goto(site.page(docname), wait_until="networkidle")
    buttons = page.locator("div.cell_input button.copybtn")
    cells = shown_code_cells(book.source(docname))
    assert buttons.count() == len(cells) > 0
    for index, cell in enumerate(cells):
        page.evaluate("navigator.clipboard.writeText('')")
        buttons.nth(index).evaluate("button => button.click()")
        assert page.evaluate("navigator.clipboard.readText()") == cell
    assert page.locator("div.cell_output button.copybtn").count() == 0, "outputs are not offered for copying"


def tracked_files(book: Book) -> set[str]:
    """The files git tracks in the repository."""
    listing = subprocess.run(["git", "ls-files"], cwd=book.root, capture_output=True, text=True, check=True)
    return set(listing.stdout.splitlines())


@pytest.mark.parametrize("docname", TUTORIALS)
def test_launch_link_opens_the_tutorial_notebook_on_the_hub(docname, context, site, book):
    """The hub button is an nbgitpuller link to the tutorial's tracked notebook twin."""
    links = rendered_links(context, site.page(docname))
    assert len(links) == 1
    assert served_links(site.page(docname)) == links, "the launch tests read the link the browser shows"
    url = urlsplit(links.pop())
    assert (url.scheme, url.netloc, url.path) == ("https", urlsplit(book.hub).netloc, HUB_PATH)
    query = parse_qs(url.query, strict_parsing=True)
    assert set(query) == {"repo", "branch", "urlpath"}
    assert query["repo"] == [book.repository] and query["branch"] == [book.branch]
    prefix = f"lab/tree/{book.repository.rstrip('/').rsplit('/', 1)[-1]}/"
    [urlpath] = query["urlpath"]
    assert urlpath.startswith(prefix)
    path = urlpath.removeprefix(prefix)
    assert path in tracked_files(book), f"{path} is not a file in the repository (git ls-files)"
    assert path.endswith(".ipynb"), "the hub has no jupytext: it must open a notebook"
    assert code_cells(book.root / path) == code_cells(book.source(docname))


@pytest.mark.parametrize("docname", [p for p in PAGES if p not in TUTORIALS])
def test_other_pages_have_no_launch_link(docname, context, site):
    """Only tutorials offer to open on the hub."""
    assert rendered_links(context, site.page(docname)) == set()


@pytest.mark.parametrize("docname", TUTORIALS)
def test_tutorial_downloads_as_its_notebook(docname, context, site, book):
    """The download button gives an .ipynb with the page's code cells."""
    page = context.new_page()
    page.goto(site.page(docname), wait_until="networkidle")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    downloads = {a for a in hrefs if a.endswith(".ipynb") and is_loopback(a)}
    assert len(downloads) == 1
    with urllib.request.urlopen(downloads.pop()) as response:
        notebook = json.load(response)
    assert notebook["nbformat"] == 4
    assert ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"] == code_cells(
        book.source(docname))


def result_pages(page, site) -> set[str]:
    """The docnames the search page lists."""
    page.wait_for_selector("#search-results .search-summary", state="attached", timeout=15_000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
    return {urlsplit(h).path.lstrip("/").removesuffix(".html") for h in hrefs}


@pytest.fixture(scope="session")
def titles(chromium, site, book) -> dict[str, str]:
    """Each page's title as the browser shows it (loaded once for all queries)."""
    context = chromium.new_context()
    page = context.new_page()
    found = {}
    for docname in book.pages:
        page.goto(site.page(docname))
        found[docname] = page.title()
    context.close()
    return found


@pytest.mark.parametrize("query", SEARCHES)
def test_search_finds_the_pages_about_the_query(query, context, site, expect, titles):
    """The search page lists the expected pages and every page titled with the query."""
    page = context.new_page()
    page.goto(f"{site.url}search.html?q={quote(query)}", wait_until="networkidle")
    found = result_pages(page, site)
    titled = {docname for docname, title in titles.items() if query.lower() in title.lower()}
    assert set(expect["search"][query]) | titled <= found


def test_reader_can_switch_to_dark_mode(context, site, book):
    """The theme switch turns the page dark."""
    page = context.new_page()
    page.goto(site.page(book.pages[0]), wait_until="networkidle")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    for _ in range(3):
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        page.locator(".theme-switch-button").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
