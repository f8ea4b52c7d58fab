"""The code cells a page shows, read from its source the way myst-nb reads them."""

from __future__ import annotations

from pathlib import Path

import jupytext

HIDDEN_INPUT = {"remove-input", "remove-cell"}


def code_cells(source: Path) -> list[str]:
    """The source of every code cell of a MyST or ipynb notebook."""
    return [cell.source for cell in jupytext.read(source).cells if cell.cell_type == "code"]


def shown_code_cells(source: Path) -> list[str]:
    """The code cells whose input the page shows (and so offers to copy)."""
    cells = jupytext.read(source).cells
    return [c.source for c in cells if c.cell_type == "code" and not HIDDEN_INPUT & set(c.metadata.get("tags", []))]


def is_notebook(source: Path) -> bool:
    """Whether a page is executed as a notebook (an .ipynb, or MyST with a kernelspec)."""
    return source.suffix == ".ipynb" or "kernelspec" in jupytext.read(source).metadata
