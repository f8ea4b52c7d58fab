"""Every page passes axe-core with no serious or critical violation: light and dark, desktop and phone."""

from __future__ import annotations

import pytest
import yaml

from booksite.book import Book
from harness.browser.a11y import check, exclusions

from .conftest import HERE

SITE = yaml.safe_load((HERE / "site.yml").read_text())
CONFIG = SITE["accessibility"]


@pytest.mark.parametrize("docname", Book.load().pages)
@pytest.mark.parametrize("viewport", sorted(SITE["viewports"]))
def test_no_serious_accessibility_violation(viewport, docname, at_viewport, site):
    """axe-core finds nothing serious or critical on the page, in the light and in the dark theme."""
    page = at_viewport(viewport).new_page()
    try:
        page.emulate_media(color_scheme="light")
        page.goto(site.page(docname), wait_until="load")
        problems = check(page, set(CONFIG["fail_on"]), exclusions(CONFIG), CONFIG["axe_core"])
    finally:
        page.close()
    assert problems == []
