"""The ways pages run in, and how a second run's leftovers are compared with the first's."""

from __future__ import annotations

import pytest

from harness import buckets, files, ways

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)


def test_ways_are_chosen_by_name_in_a_fixed_order():
    assert [w.name for w in ways.select("again, fresh")] == ["fresh", "again"]
    assert [w.suffix for w in ways.select(ways.DEFAULT)] == ["", "[again]", "[lived-in]"]


@pytest.mark.parametrize("value", ["", "fresh,twice", "Fresh"])
def test_an_unknown_way_is_refused(value):
    with pytest.raises(ValueError, match="--ways: unknown way"):
        ways.select(value)


def test_earlier_work_must_stay_byte_identical():
    diff = {"leap-scratch/me/old.txt": "changed", "leap-scratch/me/new.txt": "created"}
    broken = buckets.violations(diff, "me", seeded=set(), earlier={"leap-scratch/me/old.txt"})
    assert broken == ["changed gs://leap-scratch/me/old.txt: the member's earlier work must stay byte-identical"]


def test_a_second_run_must_leave_what_the_first_left():
    first = {"leap-scratch/me/a": (1, "x"), "leap-scratch/me/b": (1, "y")}
    second = {"leap-scratch/me/a": (1, "z"), "leap-scratch/me/a/a": (1, "x")}
    assert buckets.differences(first, second) == [
        "the second run left different bytes in gs://leap-scratch/me/a",
        "the second run left gs://leap-scratch/me/a/a, the first did not",
        "the first run left gs://leap-scratch/me/b, the second did not",
    ]
    assert buckets.differences(first, dict(first)) == []


def test_a_week_later_the_expired_earlier_work_is_not_compared_but_what_the_page_left_is():
    first = {"leap-scratch/me/notes.txt": (1, "x"), "leap-scratch/me/cache.txt": (1, "y")}
    gone = {"leap-scratch/me/notes.txt"}  # earlier work, deleted by scratch's rule between the runs
    assert buckets.differences(first, {"leap-scratch/me/cache.txt": (1, "y")}, gone) == []
    assert buckets.differences(first, {}, gone) == [
        "the first run left gs://leap-scratch/me/cache.txt, the second did not"]
    assert buckets.differences(first, dict(first), gone) == [
        "the second run left gs://leap-scratch/me/notes.txt, the first did not"]  # the page wrote that name itself


def test_week_later_continues_the_lived_in_run_right_after_it():
    way = ways.WAYS["week-later"]
    assert (way.lived_in, way.again, way.expire, way.after) == (True, True, True, "lived-in")
    names = list(ways.WAYS)
    assert names.index("week-later") == names.index("lived-in") + 1  # collected next, so no other run comes between


def test_files_are_compared_by_name_and_content(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "folder"
    (home / ".ipython" / "profile_default").mkdir(parents=True)
    folder.mkdir()
    (folder / "out.txt").write_text("1")
    (home / ".ipython" / "profile_default" / "history.sqlite").write_text("run 1")
    first = files.snapshot(home, folder)
    assert set(first) == {"./out.txt"}  # the kernel's history database is not the page's
    (folder / "out.txt").write_text("2")
    (folder / "nested").mkdir()
    (folder / "nested" / "out.txt").write_text("1")
    assert files.differences(first, files.snapshot(home, folder)) == [
        "the second run left ./nested/out.txt, the first did not",
        "the second run left different bytes in ./out.txt",
    ]
