"""The "verified" stamp: on every executed page and no other, true to the build's records, readable."""

from __future__ import annotations

import pytest

from booksite.book import Book
from harness.browser.stamps import Records, contrast_problems, problems
from harness.browser.theme import SCHEMES, use_scheme

PAGES = Book.load().pages


@pytest.fixture(scope="session")
def records(book) -> Records:
    """What the build's own records say each page's stamp must show."""
    return Records(book)


@pytest.mark.parametrize("docname", PAGES)
def test_stamp_matches_the_builds_records(docname, context, site, records):
    """An executed page shows one stamp under its title, with its run time, versions and hub image."""
    expected = records.expected(docname)
    page = context.new_page()
    page.goto(site.page(docname), wait_until="load")
    assert problems(page, expected) == []


def test_the_book_has_every_kind_of_stamp(records, book):
    """Pages without a stamp, stamps of pages whose every cell ran, and of pages with cells not run: all checked."""
    kinds = set()
    for docname in book.pages:
        expected = records.expected(docname)
        kinds.add("none" if expected is None else "cells not run" if expected.not_run else "every cell ran")
    assert kinds == {"none", "every cell ran", "cells not run"}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_stamp_is_readable(scheme, context, site, records, book):
    """The stamp's text has WCAG AA contrast in the light and in the dark theme."""
    executed = next(d for d in book.pages if records.expected(d))
    page = context.new_page()
    page.emulate_media(color_scheme="light")
    page.goto(site.page(executed), wait_until="load")
    use_scheme(page, scheme)
    assert page.locator(".booksite-stamp").is_visible()
    assert contrast_problems(page) == []
