"""The ways pages run in, and how a second run's leftovers are compared with the first's."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from harness import buckets, files, ways

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)


def test_ways_are_chosen_by_name_in_a_fixed_order():
    assert [w.name for w in ways.select("again, fresh")] == ["fresh", "again"]
    assert [w.suffix for w in ways.select("fresh,again,lived-in")] == ["", "[again]", "[lived-in]"]


@pytest.mark.parametrize("value", ["", "fresh,twice", "Fresh"])
def test_an_unknown_way_is_refused(value):
    with pytest.raises(ValueError, match="--ways: unknown way"):
        ways.select(value)


def test_earlier_work_must_stay_byte_identical():
    diff = {"leap-scratch/me/old.txt": "changed", "leap-scratch/me/new.txt": "created"}
    broken = buckets.violations(diff, "me", seeded=set(), earlier={"leap-scratch/me/old.txt"})
    assert broken == ["changed gs://leap-scratch/me/old.txt: the member's earlier work must stay byte-identical"]


def test_a_second_run_must_leave_what_the_first_left():
    first = {"leap-scratch/me/a": (1, "x"), "leap-scratch/me/b": (1, "y")}
    second = {"leap-scratch/me/a": (1, "z"), "leap-scratch/me/a/a": (1, "x")}
    assert buckets.differences(first, second) == [
        "the second run left different bytes in gs://leap-scratch/me/a",
        "the second run left gs://leap-scratch/me/a/a, the first did not",
        "the first run left gs://leap-scratch/me/b, the second did not",
    ]
    assert buckets.differences(first, dict(first)) == []


def test_a_week_later_the_expired_earlier_work_is_not_compared_but_what_the_page_left_is():
    first = {"leap-scratch/me/notes.txt": (1, "x"), "leap-scratch/me/cache.txt": (1, "y")}
    gone = {"leap-scratch/me/notes.txt"}  # earlier work, deleted by scratch's rule between the runs
    assert buckets.differences(first, {"leap-scratch/me/cache.txt": (1, "y")}, gone) == []
    assert buckets.differences(first, {}, gone) == [
        "the first run left gs://leap-scratch/me/cache.txt, the second did not"]
    assert buckets.differences(first, dict(first), gone) == [
        "the second run left gs://leap-scratch/me/notes.txt, the first did not"]  # the page wrote that name itself


def test_week_later_continues_the_lived_in_run_right_after_it():
    way = ways.WAYS["week-later"]
    assert (way.lived_in, way.again, way.expire, way.after) == (True, True, True, "lived-in")
    names = list(ways.WAYS)
    assert names.index("week-later") == names.index("lived-in") + 1  # collected next, so no other run comes between


def test_files_are_compared_by_name_and_content(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "folder"
    (home / ".ipython" / "profile_default").mkdir(parents=True)
    folder.mkdir()
    (folder / "out.txt").write_text("1")
    (home / ".ipython" / "profile_default" / "history.sqlite").write_text("run 1")
    (home / ".ipython" / "profile_default" / "history.sqlite-journal").write_text("mid-write, when a kernel was killed")
    (home / ".ipython" / "profile_default" / "startup").mkdir()
    (home / ".ipython" / "profile_default" / "startup" / "README").write_text("made by the kernel")
    first = files.snapshot(home, folder)
    assert set(first) == {"./out.txt", "~/.ipython/profile_default/startup/README"}  # not the history database
    (folder / "out.txt").write_text("2")
    (folder / "nested").mkdir()
    (folder / "nested" / "out.txt").write_text("1")
    assert files.differences(first, files.snapshot(home, folder)) == [
        "the second run left ./nested/out.txt, the first did not",
        "the second run left different bytes in ./out.txt",
    ]


def test_a_file_deleted_while_the_snapshot_reads_is_not_there(tmp_path, monkeypatch):
    home, folder = tmp_path / "home", tmp_path / "folder"
    home.mkdir(), folder.mkdir()
    (folder / "going.txt").write_text("a worker's temporary file")
    (folder / "kept.txt").write_text("kept")
    read_bytes = Path.read_bytes

    def vanishing(path):
        if path.name == "going.txt":
            path.unlink()  # gone between the listing and the read, as a process the page started may do
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", vanishing)
    assert set(files.snapshot(home, folder)) == {"./kept.txt"}

def test_a_harness_error_names_its_place_and_keeps_only_the_frames_below_pytest(pytester, monkeypatch):
    """An exception that is not a rule's report (a library's assert, say) says where, and that it is the harness's."""
    monkeypatch.setenv("PYTHONPATH", ROOT)
    pytester.makeconftest(BROKEN_RUN)
    pytester.makefile(".md", **{"book/index": "# Index\n", "book/p": PAGE})
    pytester.makefile(".yml", _toc="format: jb-book\nroot: book/index\nchapters:\n  - file: book/p\n")
    pytester.makefile(".yml", _config="execute:\n  timeout: 60\n")
    result = pytester.runpytest_subprocess("-p", "harness.plugin", "-p", "no:cacheprovider", "_toc.yml", "--ways=fresh")
    output = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    headline = "book/p.md:11: the harness itself failed here (not a rule the page broke): AssertionError: deep inside"
    report = output.split("(code cell) ___")[1].split("=== pages ===")[0].strip("_ \n=").splitlines()
    assert report[0] == report[-1] == headline, output  # first and last, so a log cut short keeps one of them
    assert "conftest.py:" in output and "_pytest/runner.py" not in output and "pluggy/" not in output, output


ROOT = str(Path(__file__).parent.parent)
# A harness whose cell run fails the way a library's own assert would, before any hub is needed.
BROKEN_RUN = """
from harness import run

def broken(self, cell):
    raise AssertionError("deep inside")

run.PageRun.run_cell = broken
run.PageRun.finish = lambda self: None
"""
PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst, format_version: 0.13}
kernelspec: {display_name: Python 3 (ipykernel), language: python, name: python3}
---

# A page

Text.

```{code-cell} ipython3
print("never run")
```
"""


def test_a_kernel_that_dies_starting_is_started_again_and_the_last_failure_is_kept(monkeypatch):
    from harness import kernel

    tries = []

    def dies_twice(self):
        tries.append(1)
        if len(tries) < kernel.START_ATTEMPTS:
            raise RuntimeError("Kernel died before replying to kernel_info")  # its port was taken

    monkeypatch.setattr(kernel.PageKernel, "_start_once", dies_twice)
    pages = kernel.PageKernel(nbformat.v4.new_notebook(), ".", 60, {})
    pages.start()
    assert len(tries) == kernel.START_ATTEMPTS

    monkeypatch.setattr(kernel.PageKernel, "_start_once", lambda self: tries.append(1) or 1 / 0)
    with pytest.raises(ZeroDivisionError):
        pages.start()
    assert len(tries) == 2 * kernel.START_ATTEMPTS
