"""The checks can fail: temporary copies of the site with broken links, images, accessibility and stamps are caught."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from booksite.links import check_site
from harness.browser.a11y import Exclusion, check, exclusions
from harness.browser.pages import Fetcher, visit_page
from harness.browser.serve import Site
from harness.browser.stamps import Records, contrast_problems, problems
from harness.browser.theme import SCHEMES, use_scheme

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


def altered_copy(built, tmp_path, docname: str, edit) -> Path:
    """A copy of the site in which one page's HTML went through `edit`."""
    copy = tmp_path / "altered"
    shutil.copytree(built, copy)
    page = copy / f"{docname}.html"
    page.write_text(edit(page.read_text()))
    return copy


def test_accessibility_check_reports_a_broken_page(built, book, at_viewport, expect, tmp_path):
    """An image without alt text and faint text fail in both themes; an exclusion lets only its rule pass."""
    docname = book.pages[0]
    image = next((built / "_images").iterdir())
    source = os.path.relpath(image, (built / docname).parent)
    faint = f'<p><img src="{source}"> <span style="color:#777;background-color:#888">faint text</span></p>'
    copy = altered_copy(built, tmp_path, docname, lambda html: html.replace("</article>", f"{faint}</article>", 1))
    axe_core = expect["accessibility"]["axe_core"]
    with Site(copy) as served:
        page = at_viewport("desktop").new_page()
        page.goto(served.page(docname), wait_until="load")
        found = check(page, {"serious", "critical"}, [], axe_core)
        excused = check(page, {"serious", "critical"}, [Exclusion("color-contrast", "self-test")], axe_core)
        page.close()
    for scheme in SCHEMES:
        assert any(p.startswith(f"{scheme}: image-alt (critical)") for p in found), found
        assert any(p.startswith(f"{scheme}: color-contrast (serious)") for p in found), found
    assert excused and all("image-alt" in p for p in excused)


def test_an_exclusion_without_a_reason_is_refused():
    """site.yml cannot let a violation through without saying why."""
    with pytest.raises(ValueError, match="gives no reason"):
        exclusions({"exclude": [{"rule": "color-contrast"}]})


def test_stamp_check_reports_a_false_stamp(built, book, context, tmp_path):
    """A stamp with another run time and version, and a stamp on a page without code, are caught."""
    records = Records(book)
    executed = next(d for d in book.pages if records.expected(d))
    text_page = next(d for d in book.pages if not records.expected(d))

    def falsify(html: str) -> str:
        html = re.sub(r'<time datetime="[^"]*">', '<time datetime="2001-01-01T00:00:00+00:00">', html, count=1)
        return re.sub(r'data-version="[^"]*"', 'data-version="0.0"', html, count=1)

    copy = altered_copy(built, tmp_path, executed, falsify)
    stamped = (copy / f"{executed}.html").read_text()
    stamp = stamped[stamped.index('<div class="booksite-stamp">'):]
    stamp = stamp[:stamp.index("</div>") + len("</div>")]
    extra = copy / f"{text_page}.html"
    extra.write_text(extra.read_text().replace("</h1>", f"</h1>{stamp}", 1))
    with Site(copy) as served:
        page = context.new_page()
        page.goto(served.page(executed), wait_until="load")
        wrong = "\n".join(problems(page, records.expected(executed)))
        page.goto(served.page(text_page), wait_until="load")
        misplaced = problems(page, records.expected(text_page))
    assert "ran at 2001-01-01" in wrong and "0.0" in wrong
    assert misplaced == ["a page without code that ran shows 1 stamp(s)"]


def test_stamp_check_reports_an_image_called_the_hubs(built, book, context, tmp_path):
    """A stamp that calls the verified image the hub's, names the wrong one as the hub's and links no package list."""
    records = Records(book)
    executed = next(d for d in book.pages if records.expected(d))
    expected = records.expected(executed)

    def conflate(html: str) -> str:
        html = html.replace("library versions of <code", "library versions of the hub's image <code", 1)
        html = html.replace("/blob/" + expected.verified_image.rsplit(":", 1)[1] + "/", "/blob/main/", 1)
        return html.replace(f">{expected.hub_image}</code>", f">{expected.verified_image}</code>", 1)

    copy = altered_copy(built, tmp_path, executed, conflate)
    with Site(copy) as served:
        page = context.new_page()
        page.goto(served.page(executed), wait_until="load")
        found = problems(page, expected)
    assert any(p.startswith("the stamp's package list") for p in found), found
    assert any(p.startswith("the stamp says the hub runs") for p in found), found
    assert any("'the hub's image'" in p for p in found), found
    assert len(found) == 3, found


NOT_RUN = re.compile(r', <span class="booksite-stamp-not-run"[^>]*>[^<]*</span>')


def test_stamp_check_reports_cells_not_run_misstated(built, book, context, tmp_path):
    """A stamp that leaves out the cells not run, and one that claims cells not run where all ran, are caught."""
    records = Records(book)
    partial = next(d for d in book.pages if (e := records.expected(d)) and e.not_run)
    whole = next(d for d in book.pages if (e := records.expected(d)) and not e.not_run)
    assert NOT_RUN.search((built / f"{partial}.html").read_text()), f"{partial}'s stamp names no cells not run"
    copy = altered_copy(built, tmp_path, partial, lambda html: NOT_RUN.sub("", html, count=1))
    claimed = copy / f"{whole}.html"
    claimed.write_text(claimed.read_text().replace(
        " UTC</time>", ' UTC</time>, <span class="booksite-stamp-not-run" data-not-run="1">'
        "except 1 cell marked as not run</span>", 1))
    with Site(copy) as served:
        page = context.new_page()
        page.goto(served.page(partial), wait_until="load")
        hidden = problems(page, records.expected(partial))
        page.goto(served.page(whole), wait_until="load")
        invented = problems(page, records.expected(whole))
    assert len(hidden) == 1 and hidden[0].startswith("the stamp does not record that"), hidden
    assert len(invented) == 1 and invented[0].startswith("the stamp says cells were not run"), invented


def test_stamp_contrast_check_reports_faint_text(built, book, context, tmp_path):
    """Stamp text barely darker than its background is reported."""
    executed = next(d for d in book.pages if Records(book).expected(d))
    faint = "<style>.booksite-stamp, .booksite-stamp * {color: #ddd !important}</style></head>"
    copy = altered_copy(built, tmp_path, executed, lambda html: html.replace("</head>", faint, 1))
    with Site(copy) as served:
        page = context.new_page()
        page.emulate_media(color_scheme="light")
        page.goto(served.page(executed), wait_until="load")
        use_scheme(page, "light")
        assert contrast_problems(page)
