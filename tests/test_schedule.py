"""Under xdist, a page's items in one way share a worker; everything else spreads out one by one."""

import os
from types import SimpleNamespace

import pytest

from harness import plugin
from harness.schedule import PageScheduling

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

split = PageScheduling._split_scope


def test_a_page_in_one_way_is_one_scope():
    page = "book/guide/buckets.md"
    assert split(None, f"{page}:42") == split(None, f"{page}:expect") == page
    assert split(None, f"{page}:42[lived-in]") == split(None, f"{page}:expect[lived-in]") == f"{page}[lived-in]"
    assert split(None, f"{page}:42[again]") == split(None, f"{page}:expect[again]") == page  # continues fresh
    assert split(None, "book/index.md:expect") != split(None, "book/first-steps.md:26")


def test_the_ways_of_a_page_are_separate_scopes():
    page = "book/first-steps.md"
    assert len({split(None, f"{page}:26{way}") for way in ("", "[lived-in]")}) == 2


def test_other_tests_are_their_own_scope():
    assert split(None, "tests/test_fakehub.py::test_start_and_stop") == "tests/test_fakehub.py::test_start_and_stop"
    assert split(None, "_toc.yml::every-page-listed") == "_toc.yml::every-page-listed"
    assert split(None, "tests/test_harness.py::test_scenario[good]") == "tests/test_harness.py::test_scenario[good]"


def test_a_way_that_continues_another_shares_its_scope():
    page = "book/first-steps.md"
    assert split(None, f"{page}:26[week-later]") == split(None, f"{page}:26[lived-in]") == f"{page}[lived-in]"
    assert split(None, f"{page}:26[again]") == split(None, f"{page}:26") == page
    assert split(None, f"{page}:expect[crowded]") == split(None, f"{page}:26") == page


TWICE = 2 * (os.cpu_count() or 1)


@pytest.mark.parametrize(("dist", "env", "workers"),
                         [("no", "", TWICE), ("load", "", TWICE), ("loadfile", "", None), ("no", "3", None)])
def test_auto_is_two_workers_per_core_unless_a_distribution_or_a_number_is_asked_for(dist, env, workers, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", env)
    config = SimpleNamespace(getoption=lambda name, default=None: dist)
    assert plugin.pytest_xdist_auto_num_workers(config) == workers
