"""The tutorials' notebook twins (notebooks/) match their pages, and tutorials are declared sanely."""

from __future__ import annotations

import pytest

from booksite import twins
from booksite.book import Book, is_tutorial, launch_url, twin_path

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)


def test_every_twin_matches_its_page():
    assert twins.problems(Book.load()) == []


def test_a_changed_page_makes_its_twin_stale(tmp_path):
    book = Book.load()
    page = book.tutorial_pages()[0]
    source = tmp_path / "page.md"
    source.write_text(book.source(page).read_text() + "\n```{code-cell} ipython3\n1 + 1\n```\n")
    assert "differs" in twins.stale(source, book.twin(page))


def test_tutorials_are_matched_by_docname():
    patterns = ["book/tutorials/**", "book/first-steps"]
    assert is_tutorial("book/tutorials/dask/cluster", patterns)
    assert is_tutorial("book/first-steps", patterns)
    assert not is_tutorial("book/guide/buckets", patterns)
    assert twin_path("book/tutorials/dask/cluster", "notebooks") == "notebooks/tutorials/dask/cluster.ipynb"


def test_launch_url_opens_the_path_in_jupyterlab():
    url = launch_url("https://hub.example/", "https://github.com/org/repo", "main", "notebooks/a.ipynb")
    assert url == ("https://hub.example/hub/user-redirect/git-pull?repo=https%3A//github.com/org/repo"
                   "&branch=main&urlpath=lab/tree/repo/notebooks/a.ipynb")


def test_twins_cli_reports_nothing_when_current(capsys):
    assert twins.main(["check"]) == 0
    assert twins.main(["nonsense"]) == 2
    assert "Usage" in capsys.readouterr().err
