"""The benchmark's peers (tests/bench/peers.py): kept out of the suite, and given the pages as the build runs them."""

from __future__ import annotations

import json

import pytest
import yaml
from bench import peers

PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# A page

```{code-cell} ipython3
1 + 1
```

```{code-cell} ipython3
:tags: [skip-execution]
# needs gcloud, which the hub has and the build does not
!gcloud storage ls
```
"""


@pytest.mark.parametrize("plugin", ["nbmake", "nbval"])
def test_peers_stay_out_of_the_suite(pytestconfig, plugin):
    """The peers are installed for the benchmark, but the suite never loads them (pyproject's -p no:)."""
    assert not pytestconfig.pluginmanager.has_plugin(plugin)


def test_peer_notebooks_skip_what_the_build_skips(tmp_path):
    """Each code page becomes a notebook in a folder of its own; skip-execution cells are skipped by nbval too."""
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.md").write_text("# Text only\n")
    (tmp_path / "book" / "page.md").write_text(PAGE)
    toc = {"format": "jb-book", "root": "book/index", "chapters": [{"file": "book/page"}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))

    assert peers.write_notebooks(tmp_path) == 1
    notebook = json.loads((tmp_path / peers.FOLDER / "book" / "page" / "page.ipynb").read_text())
    tags = [cell["metadata"].get("tags", []) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert tags == [[], [peers.SKIP, peers.NBVAL_SKIP]]
    assert "--nbmake" in peers.command(tmp_path, "nbmake")
