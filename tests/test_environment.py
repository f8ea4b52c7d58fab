"""environment.yml's lint: exact, unique pins, read the same by nox and by YAML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools.check_environment import pip_block, problems

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
CHECK = str(ROOT / "tools" / "check_environment.py")


def test_the_real_file_is_clean():
    assert problems(pip_block(ROOT / "environment.yml")) == []


@pytest.mark.parametrize(
    "entry, message",
    [("gcsfs", "not an exact pin"), ("gcsfs>=2026.1", "not an exact pin"), ("gcsfs==", "not an exact pin")],
)
def test_an_unpinned_entry_is_refused(entry, message):
    assert any(message in p for p in problems(["xarray==2026.9.0", entry]))


def test_a_duplicate_is_refused_whatever_its_spelling():
    found = problems(["PyYAML==6.0.4", "pyyaml==6.0.3"])
    assert found == ["'pyyaml==6.0.3' duplicates 'PyYAML==6.0.4'"]


def test_the_command_fails_on_a_bad_file(tmp_path):
    bad = tmp_path / "environment.yml"
    bad.write_text("dependencies:\n  - pip\n  - pip:\n      - gcsfs\n      - zarr==3.1.6\n      - zarr==3.1.5\n")
    result = subprocess.run([sys.executable, CHECK, str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "'gcsfs' is not an exact pin" in result.stderr and "duplicates" in result.stderr


def test_the_command_fails_when_nox_reads_the_file_differently(tmp_path):
    good = tmp_path / "environment.yml"
    good.write_text("dependencies:\n  - pip:\n      - zarr==3.1.6\n")
    assert subprocess.run([sys.executable, CHECK, str(good), "zarr==3.1.6"], capture_output=True).returncode == 0
    result = subprocess.run([sys.executable, CHECK, str(good), "zarr==3.1.5"], capture_output=True, text=True)
    assert result.returncode == 1 and "read different pip blocks" in result.stderr
