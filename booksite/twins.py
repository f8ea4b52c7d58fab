"""Output-free .ipynb twins of the tutorials: the files the hub's launch links open.

The hub has no jupytext, so a MyST .md page would open there as text, not as a notebook.
Usage: python -m booksite.twins write|check   (from the repository root)
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

from .book import Book

TWIN_METADATA = ("kernelspec",)  # the rest of a page's front matter (jupytext's, the tests' expect:) is the build's


def render(source: Path) -> str:
    """The twin's text: the page's cells as an .ipynb, without outputs, its metadata the kernelspec alone."""
    notebook = jupytext.read(source)
    notebook.metadata = nbformat.from_dict({k: v for k, v in notebook.metadata.items() if k in TWIN_METADATA})
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # stable ids, so an unchanged page renders an unchanged twin
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return jupytext.writes(notebook, fmt="ipynb")


def stale(source: Path, twin: Path) -> str | None:
    """Why a twin is out of date with its page, or None when it is current."""
    if not twin.exists():
        return f"{twin} is missing"
    if twin.read_text() != render(source):
        return f"{twin} differs from {source}"
    return None


def problems(book: Book) -> list[str]:
    """Every missing or stale twin, and every twin that belongs to no tutorial."""
    found = [why for page in book.tutorial_pages() if (why := stale(book.source(page), book.twin(page)))]
    wanted = {book.twin(page) for page in book.tutorial_pages()}
    found += [f"{path} belongs to no tutorial in _toc.yml" for path in (book.root / book.notebooks).rglob("*.ipynb")
              if path not in wanted]
    return found


def write(book: Book) -> list[Path]:
    """Regenerate every tutorial's twin and delete twins of pages that are gone."""
    written = []
    for page in book.tutorial_pages():
        twin = book.twin(page)
        twin.parent.mkdir(parents=True, exist_ok=True)
        twin.write_text(render(book.source(page)))
        written.append(twin)
    for path in (book.root / book.notebooks).rglob("*.ipynb"):
        if path not in written:
            path.unlink()
    return written


def main(argv: list[str]) -> int:
    """Write or check the twins; exit 1 on a stale one."""
    book = Book.load()
    if argv == ["write"]:
        for path in write(book):
            print(f"wrote {path.relative_to(book.root)}")
        return 0
    if argv == ["check"]:
        found = problems(book)
        for problem in found:
            print(f"{problem}: run `nox -s twins`", file=sys.stderr)
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
