"""The reader's colour scheme: the theme follows it (`default_mode: auto`), light or dark."""

from __future__ import annotations

from playwright.sync_api import Page

from .colors import luminance

SCHEMES = ("light", "dark")
SETTLED = "document.getAnimations().every(a => a.playState !== 'running')"


def use_scheme(page: Page, scheme: str) -> None:
    """Switch the reader's scheme, wait until the page has repainted, and check it did."""
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function(f"document.documentElement.dataset.theme === '{scheme}'")
    page.wait_for_function(SETTLED)  # mid-transition colours would be checked otherwise
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if (luminance(background) > 0.5) != (scheme == "light"):
        raise AssertionError(f"the page's background is {background} although the theme is {scheme}")
