"""The one page check (harness/check.py) that the per-cell harness and the launches both call."""

from __future__ import annotations

import pytest

from fakehub import load
from harness import check
from harness.expect import Expectations
from harness.page import Cell

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

HUB = load()


def cell(source: str, tags: tuple[str, ...]) -> Cell:
    """A code cell of a made-up page."""
    return Cell("book/x.md", 0, 10, 11, source, tags)


def test_a_skipped_cell_must_say_why():
    assert check.source_problem(cell("# Needs a Google login\n!gcloud auth login", ("skip-execution",))) is None
    assert check.source_problem(cell("!gcloud auth login", ("skip-execution",))) == check.NO_REASON
    assert check.source_problem(cell("print(1)", ())) is None


def test_the_page_check_names_each_problem():
    member = HUB.member
    before = {"leap-persistent/another-member/README.txt": (1, "a")}
    after = {f"leap-scratch/{member}/kept.txt": (1, "b"), "leap-scratch/stray.txt": (1, "c")}
    wanted = Expectations("book/x.md", exist=(f"leap-persistent/{member}/out.zarr/**",))
    found = check.page_problems(HUB, before, after, set(before), wanted, left_running=["cluster c is running"])
    assert found == [
        "deleted gs://leap-persistent/another-member/README.txt: another member's object must stay byte-identical",
        f"created gs://leap-scratch/stray.txt: outside the member's folder gs://leap-scratch/{member}/",
        f"expected an object matching 'leap-persistent/{member}/out.zarr/**' (book/x.md: expect.exist), found none",
        "cluster c is running",
    ]
    assert check.page_problems(HUB, after, after, set(), Expectations("book/x.md")) == []
