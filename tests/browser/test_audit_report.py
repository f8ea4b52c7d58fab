"""The audit's report.html in Chromium: a row per fence, a summary per page, sources on demand, and axe-clean."""

from __future__ import annotations

from audit import report
from audit.run import Finding, Row
from harness.browser.a11y import scan
from harness.browser.serve import Site

ROWS = [
    Row("docs/storage.md", 5, "fresh", "failed", 'import fsspec\n\nfs = fsspec.fs("gs")\n',
        findings=[Finding("no-such-function", "raised AttributeError: module 'fsspec' has no attribute 'fs'",
                          "Traceback ...\nAttributeError: module 'fsspec' has no attribute 'fs'")]),
    Row("docs/storage.md", 13, "fresh", "not reached", 'fs.ls("leap-scratch")\n', reason="depends on line 5"),
    Row("docs/storage.md", 42, "fresh", "passed", 'gcs.ls("leap-persistent-ro/data-library")\n'),
    Row("docs/index.md", 15, "fresh", "not run", "jane-doe gs://leap-scratch/jane-doe\n",
        reason="output or plain text, shown, not run"),
    Row("docs/index.md", 0, "again", "failed",
        findings=[Finding("second-run-differs", "the second run left ./notes.txt, the first did not")]),
]


def test_the_report_shows_every_row_and_passes_axe(chromium, tmp_path):
    """Rows, summary and a source behind its toggle are there; axe finds nothing at any impact."""
    report.write(ROWS, tmp_path)
    page = chromium.new_page()
    try:
        with Site(tmp_path) as site:
            page.goto(f"{site.url}report.html", wait_until="load")
            cells = page.locator("#cells tbody tr")
            assert cells.count() == len(ROWS)
            assert page.locator("#summary tbody tr").count() == 3  # storage fresh, index fresh, index again
            first = cells.nth(0)
            assert first.locator("td.verdict").inner_text() == "failed"
            assert "no-such-function" in first.inner_text() and "docs/storage.md:5" in first.inner_text()
            source = first.locator("details").first
            assert not source.locator("pre").is_visible()
            source.locator("summary").click()
            assert 'fsspec.fs("gs")' in source.locator("pre").inner_text()
            assert "depends on line 5" in cells.nth(1).inner_text()
            assert "docs/index.md:page" in cells.nth(4).inner_text()
            _, findings = scan(page, {"minor", "moderate", "serious", "critical"})
    finally:
        page.close()
    assert [str(f) for f in findings] == []


def test_the_axe_check_can_go_red(chromium, tmp_path):
    """The same scan finds a report page whose language is not declared (proof the check above can fail)."""
    report.write(ROWS, tmp_path)
    html = tmp_path / "report.html"
    html.write_text(html.read_text().replace('<html lang="en">', "<html>"))
    page = chromium.new_page()
    try:
        with Site(tmp_path) as site:
            page.goto(f"{site.url}report.html", wait_until="load")
            _, findings = scan(page, {"minor", "moderate", "serious", "critical"})
    finally:
        page.close()
    assert "html-has-lang" in {f.rule for f in findings}
