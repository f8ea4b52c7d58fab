"""Under xdist, a page's items in one way share a worker; everything else spreads out one by one."""

import os
from types import SimpleNamespace

import pytest

from harness import plugin
from harness.schedule import PageScheduling

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)



def scheduling(modules: tuple[str, ...] = ()) -> PageScheduling:
    """The scheduler's scope rule alone, without an xdist run; modules as the ini option one_worker_modules."""
    made = PageScheduling.__new__(PageScheduling)
    made.modules = frozenset(modules)
    return made


split = scheduling()._split_scope


def test_a_page_in_one_way_is_one_scope():
    page = "book/guide/buckets.md"
    assert split(f"{page}:42") == split(f"{page}:expect") == page
    assert split(f"{page}:42[lived-in]") == split(f"{page}:expect[lived-in]") == f"{page}[lived-in]"
    assert split(f"{page}:42[again]") == split(f"{page}:expect[again]") == page  # continues fresh
    assert split("book/index.md:expect") != split("book/first-steps.md:26")


def test_the_ways_of_a_page_are_separate_scopes():
    page = "book/first-steps.md"
    assert len({split(f"{page}:26{way}") for way in ("", "[lived-in]")}) == 2


def test_other_tests_are_their_own_scope():
    assert split("tests/test_fakehub.py::test_start_and_stop") == "tests/test_fakehub.py::test_start_and_stop"
    assert split("_toc.yml::every-page-listed") == "_toc.yml::every-page-listed"
    assert split("tests/test_harness.py::test_scenario[good]") == "tests/test_harness.py::test_scenario[good]"


def test_a_way_that_continues_another_shares_its_scope():
    page = "book/first-steps.md"
    assert split(f"{page}:26[week-later]") == split(f"{page}:26[lived-in]") == f"{page}[lived-in]"
    assert split(f"{page}:26[again]") == split(f"{page}:26") == page
    assert split(f"{page}:expect[crowded]") == split(f"{page}:26") == page


TWICE = 2 * (os.cpu_count() or 1)


@pytest.mark.parametrize(("dist", "env", "workers"),
                         [("no", "", TWICE), ("load", "", TWICE), ("loadfile", "", None), ("no", "3", None)])
def test_auto_is_two_workers_per_core_unless_a_distribution_or_a_number_is_asked_for(dist, env, workers, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", env)
    config = SimpleNamespace(getoption=lambda name, default=None: dist)
    assert plugin.pytest_xdist_auto_num_workers(config) == workers


def test_the_tests_of_a_file_named_one_worker_module_share_a_scope():
    split_by = scheduling(("tests/browser/test_launch.py",))._split_scope
    launch = "tests/browser/test_launch.py::test_tutorial_runs_from_its_launch_button[book/first-steps]"
    module = "tests/browser/test_launch.py"
    assert split_by(launch) == split_by(f"{module}::test_the_versions") == module
    assert split_by("tests/browser/test_pages.py::test_x[a]") == "tests/browser/test_pages.py::test_x[a]"
    assert split_by("book/first-steps.md:26[again]") == "book/first-steps.md"
