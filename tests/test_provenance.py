"""Every seeded object says where it comes from, and no page's code names a build-only one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from minibook import FRONT_MATTER

from booksite.book import toc_pages
from fakehub import load
from fakehub import provenance as prov
from harness.page import read_page

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
CONFIG = load()
ENTRIES = prov.load(CONFIG)
CATALOG = "https://catalog.leap.columbia.edu/"


def build_only_reads(root: Path, page: str, names: list[str]) -> list[str]:
    """A problem per code cell that names a build-only path: a member's Run All on the hub would fail there."""
    read = read_page(root, page)
    return [f"{cell.where}: this cell names {name}, which exists only in this build; the page must make its "
            f"own input (or read a dataset the hub documents, see {CATALOG})"
            for cell in read.cells for name in names if name in cell.source]


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


@pytest.mark.parametrize("page", toc_pages(ROOT))
def test_no_page_names_build_only_data(page):
    assert build_only_reads(ROOT, page, BUILD_ONLY) == []


BUILD_ONLY_READ = FRONT_MATTER + f"""\
# Page

Only in this build: see the [LEAP Data Catalog]({CATALOG}).

```{{code-cell}} ipython3
fs.info("leap-persistent/yet-another-member/stations.csv")
```

A later section.

```{{code-cell}} ipython3
xr.open_dataset("gs://leap-persistent-ro/data-library/sst-monthly-demo.zarr", engine="zarr")
```
"""


def test_a_page_that_names_build_only_data_fails_even_with_a_note(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.md").write_text(BUILD_ONLY_READ)
    first, second = build_only_reads(tmp_path, "book/page.md", BUILD_ONLY)
    assert first.startswith("book/page.md:14: this cell names leap-persistent/yet-another-member")
    assert second.startswith("book/page.md:20: this cell names leap-persistent-ro/data-library/sst-monthly-demo.zarr")
