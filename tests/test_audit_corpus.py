"""The audit on the local hub: the planted corpus's every bug once, the book's pages as the harness sees them.

Costs: the corpus's eight pages run once, fresh (about 60 s), three lived-in and again, one crowded; a page that
times out (3 s); three of the book's pages, fresh; two command-line runs, one with a hub of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from audit import rules
from audit.collect import collect
from audit.hub import running
from audit.known import load, problems
from audit.pages import audit_pages, find_pages
from harness import ways
from harness.page import SKIP, read_page

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "audit-corpus"
DOCS = CORPUS / "docs"
# Book pages with raises-exception and skip-execution cells and a text fence; the harness passes them all.
BOOK_PAGES = ["book/guide/buckets.md", "book/guide/deleting.md", "book/guide/troubleshooting.md"]
TIMEOUT = 120


@pytest.fixture(scope="module")
def audit_rules(local_hub):
    """The audit's rules for the hub's member."""
    return rules.load(local_hub.config.member)


@pytest.fixture(scope="module")
def corpus_rows(local_hub, audit_rules):
    """The planted corpus, audited once in the fresh way on the process's hub."""
    return audit_pages(find_pages([DOCS]), ways.select("fresh"), lambda: running(local_hub), TIMEOUT, audit_rules)


def corpus_name(shown: str) -> str:
    """A row's page as known-bugs.yml names it: relative to docs/."""
    return Path(shown).resolve().relative_to(DOCS).as_posix()


def test_every_planted_bug_is_reported_once_on_its_line_and_clean_pages_report_none(corpus_rows):
    assert problems(load(CORPUS / "known-bugs.yml"), corpus_rows, corpus_name) == []


def test_bugs_only_one_way_shows_and_bugs_every_way_shows_are_reported_once_in_each(local_hub, audit_rules):
    pages = [DOCS / "rerun.md", DOCS / "cleanup.md", DOCS / "storage.md"]
    chosen = ways.select("lived-in,week-later,again")
    rows = audit_pages(pages, chosen, lambda: running(local_hub), TIMEOUT, audit_rules)
    known = load(CORPUS / "known-bugs.yml")
    known["clean"] = []
    assert problems(known, rows, corpus_name) == []


def test_a_bug_only_a_crowded_home_shows_is_reported_once(local_hub, audit_rules):
    rows = audit_pages([DOCS / "results.md"], ways.select("crowded"), lambda: running(local_hub), TIMEOUT,
                       audit_rules)
    known = load(CORPUS / "known-bugs.yml")
    known["clean"] = []
    assert problems(known, rows, corpus_name) == []


def test_a_page_with_three_independent_bugs_gets_three_reports_in_one_run(corpus_rows):
    failed = [row.line for row in corpus_rows if corpus_name(row.page) == "storage.md" and row.verdict == "failed"]
    assert failed == [5, 19, 28]


def test_every_failure_carries_its_source_and_one_line_error(corpus_rows):
    for row in (row for row in corpus_rows if row.verdict == "failed"):
        assert row.source.strip() and all(f.error and "\n" not in f.error for f in row.findings), row


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_a_book_page_audited_gives_the_harness_verdicts(page, local_hub, audit_rules):
    expected = {cell.line: "not run" if SKIP in cell.tags else "passed" for cell in read_page(ROOT, page).cells}
    rows = audit_pages([ROOT / page], ways.select("fresh"), lambda: running(local_hub), TIMEOUT, audit_rules)
    verdicts = {row.line: row.verdict for row in rows}
    others = {f.line for f in collect((ROOT / page).read_text(), audit_rules) if f.line not in expected}
    assert verdicts == expected | dict.fromkeys(others, "not run"), [(r.line, r.rules, r.error) for r in rows]


def test_a_cell_that_times_out_stops_the_page_and_the_rest_is_not_reached(tmp_path, local_hub, audit_rules):
    page = tmp_path / "slow.md"
    page.write_text("# Slow\n\n```python\nimport time\n```\n\n```python\ntime.sleep(60)\n```\n\n```python\n1\n```\n")
    rows = audit_pages([page], ways.select("fresh"), lambda: running(local_hub), 3, audit_rules)
    assert [(row.line, row.verdict, row.rules or row.reason) for row in rows] == [
        (3, "passed", ""), (7, "failed", "timeout"), (11, "not reached", "the page's kernel stopped at line 7")]


def run_audit(tmp_path: Path, *paths: str) -> subprocess.CompletedProcess:
    """Run `python -m audit` as nox -s audit runs it (already inside the loopback namespace here)."""
    return subprocess.run([sys.executable, "-m", "audit", *paths, "--ways", "fresh", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_the_command_fails_when_a_fence_fails_and_writes_both_reports(tmp_path, run_tmp):
    done = run_audit(tmp_path, "tests/audit-corpus/docs/storage.md")
    assert done.returncode == 1, done.stderr
    assert "FAILED tests/audit-corpus/docs/storage.md:5 [fresh] no-such-function" in done.stdout
    assert (tmp_path / "report.md").is_file() and (tmp_path / "report.html").is_file()


def test_the_command_passes_a_page_with_nothing_to_run_and_refuses_a_missing_path(tmp_path, run_tmp):
    page = tmp_path / "shown.md"
    page.write_text("# Output only\n\n```text\nhello\n```\n")
    assert run_audit(tmp_path, str(page)).returncode == 0
    missing = run_audit(tmp_path, str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
