"""The benchmark's peers (bench/peers.py) and its choice of the stack's items (bench/stackitems.py)."""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from bench import peers, stackitems

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
SUITE = yaml.safe_load((ROOT / "bench" / "bench.yml").read_text())["suite"]

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


def test_the_stack_items_the_suite_measure_deselects_are_items_of_the_suite():
    """Each of bench.yml's stack-item patterns selects collected items, and the Gateway section's cells in every way."""
    settings = SUITE
    ids = stackitems.collected(ROOT, Path(sys.executable).parent / "pytest")
    stale = [pattern for pattern in settings["stack_items"] if not any(re.search(pattern, nodeid) for nodeid in ids)]
    assert not stale, f"bench.yml's suite.stack_items select nothing the suite collects: {stale}"
    page, first = settings["gateway_section"]["page"], stackitems.gateway_line(settings, ROOT)
    stack = [nodeid for nodeid in ids if stackitems.is_stack_item(nodeid, settings, first)]  # as stack_items() picks
    cells = {nodeid.split("[")[0] for nodeid in stack if nodeid.startswith(f"{page}:")}
    assert cells and all(int(cell.rsplit(":", 1)[1]) > first for cell in cells), cells
    for way in ("", "[lived-in]", "[again]"):
        assert {f"{cell}{way}" for cell in cells} <= set(stack), f"the Gateway cells of the way {way or 'fresh'}"
    assert f"{page}:expect" not in stack and len(stack) < len(ids) / 5, "the page checks and the rest stay in"


def test_the_suite_measure_runs_the_sessions_of_nox_s_tests_as_nox_does():
    """bench.yml's suite.sessions name nox's venvs of the tests sessions, and the hub session's selection (ONCE)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    once = next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ONCE")
    sessions = SUITE["sessions"]
    assert set(sessions) == {"tests(deps='pins')", "tests(deps='hub')"}
    for name, session in sessions.items():
        assert session["venv"] == ".nox/" + re.sub(r"\W+", "-", name).strip("-"), "nox's venv for the session"
    assert sessions["tests(deps='pins')"]["args"] == ["-n", "auto"]
    assert sessions["tests(deps='hub')"]["args"] == ["-n", "auto", *once]


def test_the_record_keeps_the_newest_runs_first(tmp_path, monkeypatch):
    import datetime

    from bench import results

    path, meta = tmp_path / "results.md", {"cpus": 2, "python": "3.12", "repetitions": 3, "load": [1.0], "total_s": 9}
    monkeypatch.setattr(results, "KEEP", 2)
    for day in (1, 2, 3):
        when = datetime.datetime(2026, 12, day, 5, 0, tzinfo=datetime.UTC)
        results.record([("hub_start_s", f"{day}.00 s | x")], meta, ["hub"], path, when)
    text = path.read_text()
    assert text.startswith(results.HEADER)
    assert text.index("2026-12-03 05:00") < text.index("2026-12-02 05:00") and "2026-12-01" not in text
    assert "| hub_start_s | 3.00 s / x |" in text


def test_a_runs_title_names_its_failed_measures_too():
    """A run whose only measure failed is titled with that measure's name, not left blank."""
    from bench import run

    assert run.ran({"ratios": {}, "failed": {"ci": "x"}}, {"ci": "x"}) == ["ci"]
    assert run.ran({"hub": {}, "ratios": {}}, {"ci": "x"}) == ["hub", "ci"]


def test_the_ways_measure_runs_the_pins_session_without_the_newer_ways():
    """bench.yml's ways.new names ways; the run without them names every other way, in the harness's order."""
    from bench import ways as bench_ways
    from harness.ways import WAYS

    new = yaml.safe_load((ROOT / "bench" / "bench.yml").read_text())["ways"]["new"]
    assert set(new) <= set(WAYS) and new
    assert bench_ways.without(new) == "--ways=" + ",".join(w for w in WAYS if w not in new)
    assert bench_ways.without(["week-later", "crowded"]) == "--ways=fresh,again,lived-in"
    with pytest.raises(SystemExit, match="names no way"):
        bench_ways.without(["next-month"])


def test_the_ci_measure_runs_ci_run_outside_the_bench_sessions_venv(monkeypatch):
    """.ci/run starts as CI starts it: the bench session's venv is off PATH (its python3 has no pip)."""
    from bench import ci

    monkeypatch.setenv("VIRTUAL_ENV", "/x/.nox/bench")
    monkeypatch.setenv("PATH", os.pathsep.join(["/x/.nox/bench/bin", "/usr/local/bin", "/usr/bin"]))
    assert ci.outside_nox() == {"PATH": os.pathsep.join(["/usr/local/bin", "/usr/bin"]), "CI": "true",
                                "UV_OFFLINE": "1"}
    assert yaml.safe_load((ROOT / "bench" / "bench.yml").read_text())["ci"]["repetitions"] >= 1


def test_a_failed_measured_command_names_its_failed_tests_and_keeps_its_whole_output(tmp_path, monkeypatch):
    from bench import timing

    monkeypatch.chdir(tmp_path)
    script = "print('x' * 5000); print('FAILED book/a.md:12 - AssertionError'); print('y' * 5000); raise SystemExit(1)"
    with pytest.raises(SystemExit) as ended:
        timing.measured([sys.executable, "-c", script], tmp_path)
    message = str(ended.value.code)
    assert "\nFAILED book/a.md:12 - AssertionError\n" in message  # though the output's end, kept below, lacks it
    log = Path(message.split("its whole output: ")[1].split("\n")[0])
    assert log.parent == tmp_path / "_build" / "bench-failures"
    assert "x" * 5000 in log.read_text() and "y" * 5000 in log.read_text()
