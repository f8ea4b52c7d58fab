"""The peer baseline: the book's pages as notebooks, run by nbmake (an item per notebook) and nbval (an item per cell).

Both run under `python -m fakehub --`, so their kernels get the member's environment from the
same local hub the harness uses. The notebooks are written into the throw-away copy of the
book, each in a folder of its own (which becomes its kernel's working folder, as a page gets an
empty one in the build), with jupytext: the hub has no jupytext, neither tool reads MyST.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext

from booksite.book import toc_docnames

BIN = Path(sys.executable).parent
FOLDER = "_peers"  # in the book's copy: the notebooks, and a pytest.ini that keeps the harness out
SKIP, NBVAL_SKIP = "skip-execution", "nbval-skip"  # nbclient (nbmake) skips the first; nbval knows only its own
TOOLS = {
    "nbmake": ["--nbmake", "--nbmake-timeout={timeout}"],
    "nbval": ["--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout={timeout}"],
}


def code_pages(root: Path) -> list[Path]:
    """Pages of the book's _toc.yml that hold code, in reading order."""
    pages = [root / f"{docname}.md" for docname in toc_docnames(root)]
    return [page for page in pages if "```{code-cell}" in page.read_text()]


def write_notebooks(root: Path) -> int:
    """Write each code page of the book at root as root/_peers/<page>/<name>.ipynb; return how many."""
    folder = root / FOLDER
    pages = code_pages(root)
    for page in pages:
        notebook = jupytext.read(page)
        for cell in notebook.cells:
            tags = cell.metadata.get("tags", [])
            if SKIP in tags:  # the cells the build and the harness skip, each with its reason
                cell.metadata["tags"] = [*tags, NBVAL_SKIP]
        relative = page.relative_to(root).with_suffix("")
        (folder / relative).mkdir(parents=True)
        jupytext.write(notebook, folder / relative / f"{relative.name}.ipynb")
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    return len(pages)


def command(root: Path, tool: str, timeout: int = 120) -> list[str]:
    """The command that runs every notebook under root/_peers with tool, inside a local hub it starts."""
    folder = root / FOLDER
    options = [option.format(timeout=timeout) for option in TOOLS[tool]]
    return [sys.executable, "-m", "fakehub", "--", str(BIN / "pytest"), "-c", str(folder / "pytest.ini"),
            "--rootdir", str(folder), "-q", *options, str(folder)]
