"""The peer baseline: execute each page whole, notebook by notebook, as nbmake does."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import jupytext
import nbclient
from sphinx_external_toc.parsing import parse_toc_yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the fakehub package
from fakehub import FakeHub  # noqa: E402


def toc_pages(root: Path) -> list[Path]:
    """Pages of the book's _toc.yml that hold code, in reading order."""
    pages = [root / f"{docname}.md" for docname in parse_toc_yaml(root / "_toc.yml")]
    return [page for page in pages if "```{code-cell}" in page.read_text()]


def execute_all(root: Path, timeout: int = 120) -> int:
    """Execute every code page of the book at root in a fresh kernel each, inside one fake hub."""
    pages = toc_pages(root)
    with FakeHub() as hub:
        for page in pages:
            hub.reset()
            notebook = jupytext.read(page)
            with tempfile.TemporaryDirectory() as cwd:
                nbclient.NotebookClient(notebook, timeout=timeout, resources={"metadata": {"path": cwd}}).execute()
    return len(pages)


if __name__ == "__main__":
    print(f"executed {execute_all(Path(sys.argv[1]))} notebooks")
