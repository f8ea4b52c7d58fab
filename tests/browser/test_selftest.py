"""The checks can fail: a temporary copy of the site with broken links and images is caught."""

from __future__ import annotations

import shutil

from booksite.links import check_site

from .pages import Fetcher, visit_page
from .serve import Site

BREAKAGE = ('<a href="no-such-page.html">gone</a> <a href="#no-such-anchor">nowhere</a>'
            ' <img src="no-such-image.png" alt="missing">')


def broken_copy(built, book, tmp_path):
    """A copy of the site whose first tutorial links to a missing page, anchor and image."""
    copy = tmp_path / "html"
    shutil.copytree(built, copy)
    docname = book.tutorial_pages()[0]
    page = copy / f"{docname}.html"
    page.write_text(page.read_text().replace("</article>", f"{BREAKAGE}</article>", 1))
    return copy, docname


def test_browser_reports_a_broken_page(built, book, context, tmp_path):
    """The browser check names the missing page, anchor and image."""
    copy, docname = broken_copy(built, book, tmp_path)
    with Site(copy) as served:
        problems = "\n".join(visit_page(context, served.page(docname), Fetcher()).problems)
    assert "no-such-page.html (HTTP 404)" in problems
    assert "no anchor #no-such-anchor" in problems
    assert "image did not load" in problems and "no-such-image.png" in problems


def test_linkcheck_reports_a_broken_page(built, book, tmp_path):
    """The offline link checker passes the real site and names the breakage in the copy."""
    copy, docname = broken_copy(built, book, tmp_path)
    assert check_site(built).broken == []
    broken = "\n".join(check_site(copy).broken)
    assert "no-such-page.html: no such file" in broken
    assert "#no-such-anchor: no anchor" in broken
