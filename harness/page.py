"""Read a page with myst-nb's own reader: its code cells, their tags and their lines in the .md."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook

SKIP = "skip-execution"
RAISES = "raises-exception"


class PageError(ValueError):
    """A page cannot be read as a MyST notebook."""


@dataclasses.dataclass(frozen=True)
class Cell:
    """One code cell: where it is in the notebook and in the .md file."""

    page: str  # "book/x.md"
    index: int  # position in the notebook's cell list
    line: int  # 1-based line of the ```{code-cell} fence
    code_line: int  # 1-based line of the cell's first line of code
    source: str
    tags: tuple[str, ...]

    @property
    def where(self) -> str:
        """The cell's name in reports: book/x.md:LINE."""
        return f"{self.page}:{self.line}"

    def skip_reason(self) -> str | None:
        """The reason a skip-execution cell states on its first line (a # comment), or None."""
        first = self.source.lstrip().splitlines()[0] if self.source.strip() else ""
        reason = first.lstrip("#").strip() if first.startswith("#") else ""
        return reason or None


@dataclasses.dataclass
class Page:
    """A page as the build executes it."""

    name: str  # "book/x.md"
    notebook: nbformat.NotebookNode
    cells: list[Cell]


def read_page(root: Path, name: str) -> Page:
    """Parse root/name into a notebook plus its code cells, with the line each starts on."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    try:
        notebook = read_myst_markdown_notebook(text, add_source_map=True, path=path)
    except Exception as exc:  # myst-nb raises several kinds for a malformed page
        raise PageError(f"{name}: myst-nb cannot read the page: {exc}") from None
    lines = text.splitlines()
    starts = notebook.metadata.pop("source_map")
    cells = [
        Cell(name, i, starts[i], _code_line(lines, starts[i], cell.source), cell.source,
             tuple(cell.metadata.get("tags", ())))
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
    if cells and "kernelspec" not in notebook.metadata:
        raise PageError(f"{name}: has code cells but no jupytext/kernelspec front matter: the build would not run them")
    return Page(name, notebook, cells)


def _code_line(lines: list[str], fence: int, source: str) -> int:
    """The 1-based line where the cell's code starts (after any :tags: or --- options block)."""
    first = source.splitlines()[0] if source else ""
    for number in range(fence + 1, len(lines) + 1):
        if lines[number - 1] == first:
            return number
    return fence + 1
