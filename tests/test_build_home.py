"""The book's build runs every page in the member's lived-in home, rebuilt for each page (fakehub/sphinxext.py)."""

from __future__ import annotations

import pytest
from minibook import make_book
from test_build import build

# The pins session only: the book is built with the pins (nox -s docs) and the server's lock (nox -s browser),
# never with the hub session's libraries.
pytestmark = pytest.mark.once

# A page that finds the member's own files, then damages the home; the next page must find them again.
CHECK_AND_DAMAGE = """
import shutil, subprocess
home = Path.home()
assert (home / "data" / "stations-2024.csv").is_file(), sorted(p.name for p in home.iterdir())
origin = subprocess.run(["git", "-C", str(home / "enso-index"), "remote", "get-url", "origin"],
                        capture_output=True, text=True).stdout
assert origin.startswith("https://github.com/"), origin
shutil.rmtree(home / "data")
"""


def test_each_page_of_the_build_starts_in_the_lived_in_home(tmp_path, local_hub):
    for book in ("first", "second"):  # two books, so that the second page is executed, not taken from a cache
        (tmp_path / book).mkdir()
        make_book(tmp_path / book, extra=CHECK_AND_DAMAGE)
        result = build(tmp_path / book, FAKEHUB_STACK=str(local_hub.stack_file))
        assert result.returncode == 0, result.stdout + result.stderr
