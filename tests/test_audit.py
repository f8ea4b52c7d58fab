"""The audit's reading of pages, its rules and its report, without a hub (tests/test_audit_corpus.py runs pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit import __main__ as command
from audit import names, pages, report
from audit.collect import collect
from audit.known import problems
from audit.pages import PathsError, find_pages
from audit.rules import RULES, RulesError, load
from audit.run import AuditRun, Finding, Found, Row
from harness.page import read_page
from harness.ways import WAYS

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

RULES_NOW = load("your-username")

MKDOCS = '''# A page

!!! note "Nested"

    Text first.

    ```python
    a = 1
    ```

=== "Tab"

    ```bash
    echo $SCRATCH_BUCKET
    ```

<!-- audit: skip pseudo-code -->
```py
run(everything)
```

```text
output
```

```python
>>> 1 + 1
```

:::{note}
```ipython3
b = 2
```
:::

````{tab-set}
```{code-cell} ipython3
:tags: [raises-exception]

1 / 0
```
````
'''


def test_every_fence_is_found_on_its_line_in_nested_markup():
    fences = collect(MKDOCS, RULES_NOW)
    assert [(f.line, f.code_line, f.language, f.kind) for f in fences] == [
        (7, 8, "python", "python"), (13, 14, "bash", "shell"), (18, 19, "py", None), (22, 23, "text", None),
        (26, 27, "python", None), (31, 32, "ipython3", "python"), (37, 40, "ipython3", "python")]
    assert fences[-1].tags == ("raises-exception",) and fences[-1].source == "1 / 0\n"


def test_a_fence_not_meant_to_run_says_why():
    reasons = {f.line: f.not_run for f in collect(MKDOCS, RULES_NOW) if f.not_run}
    assert reasons == {18: "pseudo-code", 22: "output or plain text, shown, not run",
                       26: "a console session: its lines start with a prompt (>>> or $)"}


@pytest.mark.parametrize(("fence", "reason"), [
    ("```bash\ngcloud auth login\n```\n", "gcloud"),
    ("```python\n%pip install xesmf\n```\n", "installs packages"),
    ("```yaml\na: 1\n```\n", "a yaml fence"),
    ("```\nplain\n```\n", "without a language"),
    ("```{code-cell} ipython3\n:tags: [skip-execution]\n# Needs a login.\nx\n```\n", "skip-execution: Needs a login."),
])
def test_each_not_run_rule_applies(fence, reason):
    [found] = collect(fence, RULES_NOW)
    assert found.kind is None and reason in found.not_run


@pytest.mark.parametrize("info", ['python title="a.py" linenums="1"', "{ .python }", "{.py title='a.py'}",
                                  "python{ title=a }"])
def test_a_fence_s_attributes_do_not_hide_its_language(info):
    [found] = collect(f"```{info}\nx = 1\n```\n", RULES_NOW)
    assert found.kind == "python"


def test_a_skip_marker_applies_only_to_the_next_fence():
    text = "<!-- audit: skip why -->\n\nSome words.\n\n```python\nx = 1\n```\n"
    assert collect(text, RULES_NOW)[0].kind == "python"


@pytest.mark.parametrize(("text", "rule"), [
    ("raised AttributeError: module 'fsspec' has no attribute 'fs'", "no-such-function"),
    ("created gs://leap-scratch/jdoe/x.txt: outside the member's folder gs://leap-scratch/your-username/",
     "other-member-folder"),
    ("created gs://leap-scratch/x.txt: outside the member's folder gs://leap-scratch/your-username/",
     "outside-member-folder"),
    ("raised FileNotFoundError: b/leap-persistent/o/some-lab", "other-member-folder"),
    ("raised FileNotFoundError: http://h/b/leap-persistent/o/your-username%2Ft.csv", "data-not-on-hub"),
    ("raised FileNotFoundError: leap-scratch/your-username/t.csv", "data-not-on-hub"),
    ("created gs://leap-persistent-ro/a: leap-persistent-ro is read-only and must stay unchanged",
     "read-only-bucket"),
    ("raised CalledProcessError: exit status 2: ls: cannot access", "command-failed"),
    ("raised OSError: Forbidden: http://h/upload/storage/v1/b/leap-persistent-ro/o", "read-only-bucket"),
    ("broke the build-only rule: read gs://leap-persistent/x/y.csv, which exists only here", "data-not-on-hub"),
    ("broke the home rule (a page may delete or change only the local files it created): deleted ~/a", "home-rule"),
    ("did not finish within the cell timeout of 5 s", "timeout"),
    ("raised ValueError: no", "python-error"),
    ("a rule the harness gains later", "harness-rule"),
])
def test_each_failure_gets_its_rule(text, rule):
    assert RULES_NOW.classify(text).rule == rule


def test_rules_without_a_catch_all_are_refused(tmp_path):
    broken = tmp_path / "rules.yml"
    broken.write_text(RULES.read_text().replace('pattern: ""', 'pattern: "x"'))
    with pytest.raises(RulesError, match="empty pattern"):
        load("me", broken)


def test_names_a_cell_binds_and_the_name_an_error_misses():
    source = "import numpy as np, os.path\nfrom x import y as z\nfs = f(a)\nfor i, (j, k) in p: pass\n!ls\nq = 1\n"
    assert names.bound(source) == {"np", "os", "z", "fs", "i", "j", "k", "q"}
    assert names.bound("this is not python") == set()
    assert names.undefined("raised NameError: name 'fs' is not defined") == "fs"


def test_folders_are_searched_for_pages_and_bad_paths_refused(tmp_path):
    (tmp_path / "docs" / "_build").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text("# a\n")
    (tmp_path / "docs" / "_build" / "b.md").write_text("# b\n")
    assert find_pages([tmp_path / "docs"]) == [tmp_path / "docs" / "a.md"]
    with pytest.raises(PathsError, match="no such file"):
        find_pages([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(PathsError, match="no Markdown page"):
        find_pages([tmp_path / "empty"])


def rows_of_a_corpus() -> list[Row]:
    """Rows as a right audit of a tiny known corpus gives them."""
    return [Row("p.md", 3, "fresh", "failed", "x", findings=[Finding("python-error", "raised E")]),
            Row("p.md", 7, "fresh", "not reached", "y", reason="depends on line 3"),
            Row("p.md", 9, "fresh", "not run", "z", reason="output"),
            Row("c.md", 1, "fresh", "passed", "w")]


KNOWN = {"bugs": [{"page": "p.md", "line": 3, "rule": "python-error"}],
         "not_reached": [{"page": "p.md", "line": 7, "depends_on": 3}],
         "not_run": [{"page": "p.md", "line": 9}], "clean": ["c.md"]}


def test_the_corpus_check_passes_a_right_audit():
    assert problems(KNOWN, rows_of_a_corpus(), str) == []


@pytest.mark.parametrize(("change", "said"), [
    (lambda rows: rows[0].findings.clear(), "reported 0 times"),
    (lambda rows: rows[0].findings.append(rows[0].findings[0]), "reported 2 times"),
    (lambda rows: rows[0].findings.append(Finding("stderr", "x")), "not a known bug"),
    (lambda rows: setattr(rows[1], "verdict", "failed"), "expected not reached"),
    (lambda rows: setattr(rows[2], "verdict", "passed"), "expected not run"),
    (lambda rows: rows.pop(1), "got no row"),
    (lambda rows: rows.append(Row("p.md", 3, "again", "passed", "x")), "[again]: reported 0 times"),
    (lambda rows: setattr(rows[3], "verdict", "failed"), "a clean page's fence got failed"),
    (lambda rows: rows.pop(), "a clean page was not audited"),
])
def test_the_corpus_check_can_go_red(change, said):
    rows = rows_of_a_corpus()
    change(rows)
    assert any(said in line for line in problems(KNOWN, rows, str))


def test_the_report_has_a_row_per_fence_and_a_summary_per_page(tmp_path):
    markdown, html = report.write(rows_of_a_corpus(), tmp_path)
    text = markdown.read_text()
    assert "| p.md:3 | fresh | failed | python-error | raised E |" in text
    assert "| p.md | fresh | 0 | 1 | 1 | 1 |" in text and "| c.md | fresh | 1 | 0 | 0 | 0 |" in text
    assert html.read_text().count('<tr class="') == 4 and "<script" not in html.read_text()


def test_the_report_escapes_what_a_page_holds(tmp_path):
    rows = [Row("p.md", 1, "fresh", "failed", "<script>alert(1)</script>", findings=[Finding("r", "a | b")])]
    markdown, html = report.write(rows, tmp_path)
    assert "<script>" not in html.read_text() and "a \\| b" in markdown.read_text()


def test_the_rules_file_is_the_one_the_audit_reads():
    assert RULES == Path(__file__).parent.parent / "audit" / "rules.yml"


def test_outside_the_loopback_namespace_shell_fences_do_not_run_and_the_command_refuses(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(pages.offline, "isolated", lambda: False)
    [shell] = collect("```bash\necho hi\n```\n", RULES_NOW)
    assert pages._guarded(shell).kind is None and "loopback" in pages._guarded(shell).not_run
    page = tmp_path / "p.md"
    page.write_text("```python\n1\n```\n")
    assert command.main([str(page), "--out", str(tmp_path)]) == 2
    assert "AUDIT HOOK ONLY" in capsys.readouterr().err and not (tmp_path / "report.md").exists()


def _run_that_starts_with(monkeypatch, error: BaseException):
    """An AuditRun of a two-fence page whose start (the harness's) raises the given error; no hub is touched."""
    def start(self):
        raise error

    monkeypatch.setattr(AuditRun, "_start", start)
    fences = collect("```python\nx = 1\n```\n\n```text\nout\n```\n", RULES_NOW)
    return AuditRun("p.md", fences, lambda: None, 5, WAYS["fresh"], RULES_NOW, chain={}).audit()


def test_a_way_the_harness_skips_for_a_page_is_not_run_with_its_reason(monkeypatch):
    rows = _run_that_starts_with(monkeypatch, pytest.skip.Exception("it would repeat the fresh run"))
    assert [(r.line, r.verdict, r.reason) for r in rows] == [
        (1, "not run", "the harness skips this way here: it would repeat the fresh run"),
        (5, "not run", "output or plain text, shown, not run")]


def test_a_failure_before_the_reported_run_fails_the_page(monkeypatch):
    rows = _run_that_starts_with(monkeypatch, Found("raised ValueError: no", "Traceback"))
    assert (rows[-1].line, rows[-1].verdict, rows[-1].rules) == (0, "failed", "python-error")
    assert rows[-1].error == "before the reported run: raised ValueError: no"


BOOK = Path(__file__).parent.parent / "book"


@pytest.mark.parametrize("page", sorted(p.relative_to(BOOK.parent).as_posix() for p in BOOK.rglob("*.md")))
def test_the_audit_reads_a_book_page_s_cells_as_the_build_does(page):
    cells = read_page(BOOK.parent, page).cells
    fences = [f for f in collect((BOOK.parent / page).read_text(), RULES_NOW) if f.language == "ipython3"]
    assert [(f.line, f.code_line, f.source.strip(), f.tags) for f in fences] == [
        (c.line, c.code_line, c.source.strip(), c.tags) for c in cells]
