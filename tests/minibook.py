"""A one-page book for a test to build: its settings, its page, and the jupyter-book that builds it."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]  # where the fakehub package lives
# The plugins the repository's pytest runs leave unloaded (pyproject.toml's addopts), for a run in another folder.
UNLOADED = " ".join(f"-p {name}" for name in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
                    ["ini_options"]["addopts"] if name.startswith("no:"))
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

CONFIG = """\
title: mini
only_build_toc_files: true
execute:
  execute_notebooks: cache
  allow_errors: false
  stderr_output: warn
  show_tb: true
  timeout: {timeout}
sphinx:
  local_extensions:
    fakehub.sphinxext: {root}
"""
# A MyST notebook's front matter, as the book's pages carry it.
FRONT_MATTER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
PAGE = FRONT_MATTER + """\
# Mini

```{{code-cell}} ipython3
from pathlib import Path
Path({marker!r}).write_text("ran")
{extra}
```
"""


def make_book(root: Path, extra: str = "", timeout: int = 30) -> Path:
    """Write a one-page book whose only cell leaves a marker file (cell timeout: timeout s); the marker's path."""
    marker = root / "marker"
    (root / "_config.yml").write_text(CONFIG.format(root=ROOT, timeout=timeout))
    (root / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    (root / "page.md").write_text(PAGE.format(marker=str(marker), extra=extra))
    return marker
