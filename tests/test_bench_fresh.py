"""The bench's fresh-clone measure reports both figures and whether the issue's two targets are met."""

from __future__ import annotations

import pytest

from bench import fresh

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)


def figures(fresh_s: float, rebuild_s: float) -> dict:
    """What measure() returns for one run."""
    return {"fresh_docs_s": fresh_s, "rebuild_docs_s": rebuild_s, "fresh_over_rebuild": round(fresh_s / rebuild_s, 3)}


def test_both_targets_met():
    lines = dict(fresh.rows(figures(70.0, 50.0)))
    assert [value.endswith(": met)") for name, value in lines.items() if "target" in value] == [True, True]


def test_a_slow_install_misses_both():
    lines = fresh.rows(figures(160.0, 50.0))
    assert lines[0][1] == "160.0 s  (target <= 150 s: MISSED)"
    assert lines[2][1] == "3.20  (target <= 1.5: MISSED)"
