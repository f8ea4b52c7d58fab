"""The pages' own code for reading an image reference, run on a table of real references."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.page import read_page

ROOT = Path(__file__).parents[1]
TABLE = yaml.safe_load((ROOT / "tests" / "image-references.yml").read_text())
PAGES = ["book/guide/software.md", "book/tutorials/reproducibility.md"]  # each defines the two functions
FIELDS = ("registry", "repository", "image_name", "tag", "digest")


def functions(page: str) -> dict:
    """Run the page's cell that defines parse_image (exactly as the page has it) and return what it defined."""
    cells = [c for c in read_page(ROOT, page).cells if "def parse_image(" in c.source]
    assert len(cells) == 1, f"{page}: expected one cell that defines parse_image, found {len(cells)}"
    namespace: dict = {}
    exec(compile(cells[0].source, cells[0].where, "exec"), namespace)
    return namespace


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("row", TABLE, ids=[row["reference"] for row in TABLE])
def test_a_reference_splits_as_docker_reads_it(page, row):
    found = functions(page)
    assert found["parse_image"](row["reference"]) == {field: row[field] for field in FIELDS}
    assert found["package_list"](row["reference"]) == row["package_list"]


def test_the_table_has_every_form():
    forms = {
        "no registry": lambda row: not row["reference"].startswith(row["registry"]),
        "a digest alone": lambda row: row["digest"] and not row["tag"],
        "a tag and a digest": lambda row: row["digest"] and row["tag"],
        "a registry with a port": lambda row: ":" in row["registry"],
        "a custom image": lambda row: row["reference"].startswith("quay.io/2i2c/"),
    }
    assert not [form for form, has in forms.items() if not any(has(row) for row in TABLE)]
