"""The first-day path, in clicks: the checklist one click from the first page, each item one more."""

from __future__ import annotations

import pytest
import yaml

from harness.browser.clicks import click_to

from .conftest import HERE

PATH = yaml.safe_load((HERE / "site.yml").read_text())["first_day"]


def test_the_checklist_is_one_click_from_the_first_page(context, site):
    """The site's address lands on the first page, and a link in its text leads to the checklist."""
    page = context.new_page()
    page.goto(site.url, wait_until="load")
    page.wait_for_url(site.page(PATH["start"]))  # the root's redirect
    assert click_to(page, site.url, PATH["checklist"])


@pytest.mark.parametrize("item", PATH["items"])
def test_each_checklist_item_is_one_more_click(item, context, site):
    """A link in the checklist's text leads to the item's page."""
    page = context.new_page()
    page.goto(site.page(PATH["checklist"]), wait_until="load")
    assert click_to(page, site.url, item)


def test_the_click_count_goes_red_for_a_page_that_does_not_link_the_checklist(context, site):
    """Self-test: from a page whose text does not link the checklist, one click does not reach it."""
    page = context.new_page()
    page.goto(site.page(PATH["not_linking"]), wait_until="load")
    assert page.locator("nav a[href*='first-day']").count() > 0, "the sidebar links it: only the text counts"
    assert not click_to(page, site.url, PATH["checklist"])
