"""Clicks a reader makes: follow a link in a page's text (not the sidebar) to another page of the book."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page

TEXT_LINKS = "article.bd-article a[href]"  # the page's own text, without the navigation around it


def docname(url: str, site_url: str) -> str:
    """The page of the book a URL shows (its anchor and query left out)."""
    path = urlsplit(url).path.removeprefix(urlsplit(site_url).path)
    return (path or "index.html").removesuffix(".html")


def click_to(page: Page, site_url: str, target: str) -> bool:
    """Click the first link in the page's text that leads to target; whether the browser arrived there."""
    links = page.locator(TEXT_LINKS)
    for index in range(links.count()):
        link = links.nth(index)
        href = link.evaluate("a => a.href")
        if urlsplit(href).netloc == urlsplit(site_url).netloc and docname(href, site_url) == target:
            link.click()
            page.wait_for_load_state("load")
            return docname(page.url, site_url) == target
    return False
