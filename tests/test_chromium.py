"""The one Chromium lookup: CHROMIUM first, then the PATH's usual names; a missing browser names the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booksite.chromium import NAMES, VARIABLE, ChromiumMissing, chromium_path

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]


def executable(folder: Path, name: str) -> Path:
    """An executable file named like a browser."""
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def only_in(folder: Path):
    """A `which` that looks in one folder only."""
    return lambda name: str(folder / name) if (folder / name).exists() else None


def test_the_variable_wins_over_the_path(tmp_path):
    """CHROMIUM names the browser even when one is on the PATH."""
    chosen = executable(tmp_path, "my-chrome")
    executable(tmp_path, "chromium")
    assert chromium_path({VARIABLE: str(chosen)}, only_in(tmp_path)) == chosen


@pytest.mark.parametrize("name", NAMES)
def test_each_usual_name_on_the_path_is_found(tmp_path, name):
    """Debian's chromium, Ubuntu's chromium-browser, Google's google-chrome."""
    found = executable(tmp_path, name)
    assert chromium_path({}, only_in(tmp_path)) == found


def test_the_first_name_in_order_is_taken(tmp_path):
    """With several on the PATH, chromium comes before google-chrome."""
    executable(tmp_path, "google-chrome")
    first = executable(tmp_path, "chromium")
    assert chromium_path({}, only_in(tmp_path)) == first


def test_no_browser_is_an_error_naming_the_variable(tmp_path):
    """Nothing on the PATH and no variable: the message says to set CHROMIUM."""
    with pytest.raises(ChromiumMissing, match=rf"{VARIABLE} is not set.*set {VARIABLE}=/path/to/chromium"):
        chromium_path({}, only_in(tmp_path))


@pytest.mark.parametrize("kind", ["missing", "not executable", "a folder"])
def test_a_variable_naming_no_executable_is_an_error(tmp_path, kind):
    """CHROMIUM set to something that cannot run: an error naming the variable and its value, no fallback."""
    target = {"missing": tmp_path / "nope", "not executable": tmp_path / "plain", "a folder": tmp_path}[kind]
    if kind == "not executable":
        target.write_text("")
    executable(tmp_path, "chromium")
    with pytest.raises(ChromiumMissing, match=rf"^{VARIABLE}={target} is not an executable file"):
        chromium_path({VARIABLE: str(target)}, only_in(tmp_path))


def test_the_command_line_prints_the_path_or_fails(tmp_path):
    """`python -m booksite.chromium`, as .ci/run calls it: the path with status 0, or the error with status 1."""
    chosen = executable(tmp_path, "chrome")
    command = [sys.executable, "-m", "booksite.chromium"]
    environ = {"PATH": str(tmp_path), "PYTHONPATH": str(ROOT), "HOME": os.environ.get("HOME", "/")}
    found = subprocess.run(command, env=environ | {VARIABLE: str(chosen)}, capture_output=True, text=True, cwd=ROOT)
    assert (found.returncode, found.stdout.strip()) == (0, str(chosen))
    missing = subprocess.run(command, env=environ, capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 1 and f"set {VARIABLE}=" in missing.stderr
