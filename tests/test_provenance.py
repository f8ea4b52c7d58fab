"""Every seeded object says where it comes from, and every page that reads a build-only one says so."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from minibook import FRONT_MATTER

from fakehub import load
from fakehub import provenance as prov
from harness import toc
from harness.page import read_page

ROOT = Path(__file__).parents[1]
CONFIG = load()
ENTRIES = prov.load(CONFIG)
CATALOG = "https://catalog.leap.columbia.edu/"


def missing_notes(root: Path, page: str, names: list[str]) -> list[str]:
    """A problem per code cell that names a build-only path with no catalog link in the text just above it."""
    read = read_page(root, page)
    code = {cell.index: cell for cell in read.cells}
    problems, text = [], ""
    for index, cell in enumerate(read.notebook.cells):
        if cell.cell_type == "markdown":
            text = cell.source  # the text a reader sees right above the code cells that follow it
            continue
        for name in (n for n in names if n in cell.source):
            if CATALOG not in text:
                problems.append(f"{code[index].where}: this cell reads {name} (exists only in this build) and needs "
                                f"a note just before it that says so and links the LEAP Data Catalog ({CATALOG})")
    return problems


def test_every_seed_file_has_a_provenance():
    assert prov.seed_files(CONFIG), "no seeds found"
    assert prov.uncovered(CONFIG, ENTRIES) == []


def test_a_seed_without_provenance_is_found(tmp_path):
    seed = tmp_path / "seeds"
    (seed / "buckets" / "leap-scratch" / "someone").mkdir(parents=True)
    (seed / "buckets" / "leap-scratch" / "someone" / "new.txt").write_text("x")
    (seed / "provenance.yml").write_text("home/:\n  build-only: examples\n")
    config = dataclasses.replace(CONFIG, seed=seed)
    assert prov.uncovered(config, prov.load(config)) == ["buckets/leap-scratch/someone/new.txt"]


@pytest.mark.parametrize(("text", "message"), [
    ("home/: {}\n", "needs exactly one of 'build-only' or 'documented'"),
    ("home/:\n  build-only: ''\n", "must say what the object stands for"),
    ("buckets/leap-persistent-ro/x/:\n  documented: {path: gs://leap-persistent-ro/y/, source: https://a.b/}\n",
     "a documented seed must sit at that very path"),
    ("buckets/leap-persistent-ro/x/:\n  documented: {path: gs://leap-persistent-ro/x/, source: somewhere}\n",
     "must be the https address"),
])
def test_a_malformed_entry_is_refused(tmp_path, text, message):
    (tmp_path / "provenance.yml").write_text(text)
    with pytest.raises(prov.ProvenanceError, match=message):
        prov.load(dataclasses.replace(CONFIG, seed=tmp_path))


def test_a_documented_entry_is_read(tmp_path):
    (tmp_path / "provenance.yml").write_text(
        "buckets/leap-persistent-ro/x.zarr/:\n  documented: {path: gs://leap-persistent-ro/x.zarr/, source: https://a.b/c}\n")
    [entry] = prov.load(dataclasses.replace(CONFIG, seed=tmp_path))
    assert entry.bucket_path == "leap-persistent-ro/x.zarr" and not entry.build_only


BUILD_ONLY = prov.build_only_paths(ENTRIES) + prov.home_folders(CONFIG, ENTRIES)


def test_the_build_only_names_are_the_seeds():
    assert "leap-persistent-ro/data-library/sst-monthly-demo.zarr" in BUILD_ONLY
    assert "leap-persistent/yet-another-member" in BUILD_ONLY and "~/data" in BUILD_ONLY


@pytest.mark.parametrize("page", toc.toc_pages(ROOT))
def test_a_page_that_reads_build_only_data_says_so(page):
    assert missing_notes(ROOT, page, BUILD_ONLY) == []


def test_a_page_without_the_note_fails(tmp_path):
    text = (ROOT / "book" / "tutorials" / "getting-started.md").read_text().replace(CATALOG, "https://example.org/")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.md").write_text(text)
    [problem] = missing_notes(tmp_path, "book/page.md", BUILD_ONLY)
    assert "leap-persistent-ro/data-library/sst-monthly-demo.zarr" in problem


LATER_READ = FRONT_MATTER + f"""\
# Page

Only in this build: see the [LEAP Data Catalog]({CATALOG}).

```{{code-cell}} ipython3
fs.info("leap-persistent/yet-another-member/stations.csv")
```

A later section, with no note.

```{{code-cell}} ipython3
pd.read_csv("gs://leap-persistent/yet-another-member/stations.csv")
```
"""


def test_a_later_cell_without_a_note_of_its_own_fails(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.md").write_text(LATER_READ)
    [problem] = missing_notes(tmp_path, "book/page.md", BUILD_ONLY)
    assert problem.startswith("book/page.md:20: this cell reads leap-persistent/yet-another-member")
