"""The harness catches each kind of failure: scenario pages (tests/scenarios/) run through a fresh pytest."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from minibook import UNLOADED

from fakehub import FakeHub, config

# The pins session only: each scenario proves a harness rule goes red, and the harness is the same
# code in both sessions; how the hub's library versions behave on the book's own pages (a 403 as
# gcsfs raises it, say) is what the hub session checks, by running those pages.
pytestmark = pytest.mark.once

TESTS = Path(__file__).parent
# The harness and the fake hub (both at the repository root), for a pytest run in another folder.
PYTHONPATH = str(TESTS.parent)
SCENARIOS = TESTS / "scenarios"
SPECS = yaml.safe_load((SCENARIOS / "scenarios.yml").read_text())
INDEX = "# A scenario book\n\nText only.\n"
INI = f"[pytest]\ntestpaths = _toc.yml\naddopts = -p harness.plugin {UNLOADED} -p no:cacheprovider -rfEs\n"


def one_page_book(root: Path, name: str, in_toc: bool) -> None:
    """A book whose root page is text only, with the scenario page under book/ (listed or not)."""
    (root / "book").mkdir()
    (root / "book" / "index.md").write_text(INDEX)
    (root / "book" / f"{name}.md").write_text((SCENARIOS / f"{name}.md").read_text())
    chapters = f"chapters:\n  - file: book/{name}\n" if in_toc else ""
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: book/index\n{chapters}")
    (root / "_config.yml").write_text("execute:\n  timeout: 60\n")
    (root / "pytest.ini").write_text(INI)


def hub_variant(root: Path, buckets: dict) -> Path:
    """fakehub/hub.yml with these bucket entries replacing or added to its own, written under root; its path."""
    data = yaml.safe_load(config.HUB_YML.read_text())
    data["buckets"].update(buckets)
    data["seed"] = str(config.HUB_YML.parent / data["seed"])  # the real hub's seeds, from the variant's folder
    path = root / "hub-variant.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def run_scenario(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, local_hub: FakeHub):
    """Run the harness on one scenario in a subprocess (offline if it says so), on the shared hub or its own."""
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("PYTHONPATH", PYTHONPATH)

    def run(name: str) -> pytest.RunResult:
        spec = SPECS[name]
        if spec.get("buckets"):  # a hub of its own, defined by the variant
            monkeypatch.setenv(config.HUB_YML_VARIABLE, str(hub_variant(pytester.path, spec["buckets"])))
        if spec.get("own_hub") or spec.get("offline") or spec.get("buckets"):
            monkeypatch.delenv("FAKEHUB_STACK", raising=False)
            (pytester.path / "tmp").mkdir()
            monkeypatch.setenv("TMPDIR", str(pytester.path / "tmp"))  # logs kept after a failure stay in here
        else:
            monkeypatch.setenv("FAKEHUB_STACK", str(local_hub.stack_file))  # a start per scenario costs seconds
        one_page_book(pytester.path, name, spec.get("in_toc", True))
        ways = f"--ways={spec.get('ways', 'fresh')}"
        if spec.get("offline"):
            return pytester.run(sys.executable, "-m", "fakehub.offline", "--", sys.executable, "-m", "pytest",
                                f"--basetemp={pytester.path / 'basetemp'}", ways, *spec.get("args", []), timeout=240)
        return pytester.runpytest_subprocess(ways, *spec.get("args", []), timeout=240)

    return run


def test_every_scenario_page_has_a_spec():
    assert sorted(p.stem for p in SCENARIOS.glob("*.md")) == sorted(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_scenario(name: str, run_scenario):
    spec = SPECS[name]
    result = run_scenario(name)
    output = result.stdout.str()
    assert re.search(spec["message"], output), f"{name}: message {spec['message']!r} not in:\n{output}"
    outcomes = result.parseoutcomes()
    fails = spec["fails"]
    if fails == "none":
        assert result.ret == 0, output
    elif fails == "collection":
        assert result.ret == pytest.ExitCode.INTERRUPTED and outcomes.get("errors") == 1, output
    else:
        assert result.ret == pytest.ExitCode.TESTS_FAILED, output
        assert outcomes.get("failed") == 1 and f"FAILED {fails} " in output, output
    assert outcomes.get("skipped", 0) == spec.get("skipped", 0), output


@pytest.mark.parametrize(
    ("value", "message"),
    [("http://127.0.0.1:9", "no fake GCS server answers at http://127.0.0.1:9"),
     ("http://10.1.2.3:4443", "is not a loopback address; refusing to run pages against it")],
)
def test_a_bad_emulator_stops_before_the_first_cell(value, message, pytester, monkeypatch):
    monkeypatch.delenv("FAKEHUB_STACK", raising=False)
    monkeypatch.setenv("PYTHONPATH", PYTHONPATH)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", value)
    one_page_book(pytester.path, "good", in_toc=True)
    result = pytester.runpytest_subprocess(timeout=60)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: fake hub: " in result.stderr.str() and message in result.stderr.str()
    assert "collected" not in result.stdout.str()  # stopped before collecting, let alone running, a cell
