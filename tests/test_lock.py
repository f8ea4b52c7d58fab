"""The lock (locks/): every package of each environment with hashes, made from environment.yml; its check can fail."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.check_environment import pip_block
from tools.lockfile import header, problems

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
LOCKS = ROOT / "locks"
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?: ; (?P<marker>.+?))?(?: \\)?$")


def entries(text: str) -> dict[str, list[str]]:
    """Each `name==version` entry of a compiled lock (with its marker), and its hashes."""
    found, current = {}, None
    for line in text.splitlines():
        match = ENTRY.match(line)
        if match:
            current = line.rstrip(" \\")
            found[current] = []
        elif current and line.strip().startswith("--hash=sha256:"):
            found[current].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        elif not line.startswith(" "):
            current = None
    return found


def name(requirement: str) -> str:
    """A requirement's normalised name."""
    return re.sub(r"[-_.]+", "-", requirement.split("==", 1)[0]).lower()


@pytest.mark.parametrize("lock", sorted(LOCKS.glob("*.txt")), ids=lambda p: p.name)
def test_every_package_is_pinned_with_hashes(lock):
    """Each entry is name==version with at least one sha256, and each input appears at its pinned version."""
    text = lock.read_text()
    found = entries(text)
    assert len(found) >= 5
    assert [entry for entry, hashes in found.items() if not hashes] == []
    assert all(len(h) == 64 for hashes in found.values() for h in hashes)
    pinned = {name(entry.split(" ;")[0]): entry.split(" ;")[0].split("==")[1] for entry in found}
    inputs = [line.removeprefix("# lock-input: ") for line in text.splitlines() if line.startswith("# lock-input: ")]
    assert inputs, "the header records the inputs"
    assert {name(r): r.split("==")[1] for r in inputs} == {name(r): pinned[name(r)] for r in inputs}


def test_the_pins_lock_is_made_from_environment_yml():
    """locks/pins.txt records exactly environment.yml's pip block, in order (read here with YAML, not the noxfile)."""
    inputs = [line.removeprefix("# lock-input: ") for line in (LOCKS / "pins.txt").read_text().splitlines()
              if line.startswith("# lock-input: ")]
    assert inputs == [str(entry) for entry in pip_block(ROOT / "environment.yml")]


def test_every_environment_has_a_lock():
    """The lock session writes one file per nox environment it installs."""
    assert {p.stem for p in LOCKS.glob("*.txt")} == {"pins", "hub", "server", "lint", "twins"}


def lock_file(tmp_path: Path, requirements: list[str], python: str = "3.11") -> Path:
    """A lock whose header records these inputs (the body does not matter to the check)."""
    path = tmp_path / "pins.txt"
    path.write_text(header("pins", python, requirements, ["docs"]) + "a==1 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    return path


def test_a_current_lock_passes(tmp_path):
    """Same Python, same inputs: no problems."""
    assert problems(lock_file(tmp_path, ["a==1", "b==2"]), "3.11", ["a==1", "b==2"]) == []


def test_a_pin_changed_without_relocking_fails(tmp_path):
    """environment.yml moved b to 3: the check names both lines."""
    path = lock_file(tmp_path, ["a==1", "b==2"])
    assert problems(path, "3.11", ["a==1", "b==3"]) == [f"{path}: not in the lock: b==3",
                                                       f"{path}: no longer asked for: b==2"]


def test_another_python_or_order_or_a_hand_edit_fails(tmp_path):
    """The Python, the order and the header's digest all count."""
    path = lock_file(tmp_path, ["a==1", "b==2"])
    assert problems(path, "3.12", ["a==1", "b==2"]) == [f"{path}: made for Python 3.11, the noxfile asks for 3.12"]
    assert problems(path, "3.11", ["b==2", "a==1"]) == [f"{path}: the same inputs in another order"]
    path.write_text(path.read_text().replace("# lock-input: b==2", "# lock-input: b==3"))
    assert problems(path, "3.11", ["a==1", "b==3"]) == [
        f"{path}: its header was edited by hand (the digest does not match its inputs)"]


def test_a_missing_lock_fails(tmp_path):
    """No file: run nox -s lock."""
    assert problems(tmp_path / "hub.txt", "3.12", ["a==1"]) == [f"{tmp_path / 'hub.txt'} is missing: run `nox -s lock`"]


def test_the_command_line_exits_1_on_a_stale_lock(tmp_path):
    """As the lint session runs it: status 1 and the advice; 0 when current."""
    lock_file(tmp_path, ["a==1"])
    sets = tmp_path / "sets.json"
    command = [sys.executable, str(ROOT / "tools" / "lockfile.py"), str(tmp_path), str(sets)]
    sets.write_text(json.dumps({"pins": {"python": "3.11", "requirements": ["a==1"], "sessions": ["docs"]}}))
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    sets.write_text(json.dumps({"pins": {"python": "3.11", "requirements": ["a==2"], "sessions": ["docs"]}}))
    stale = subprocess.run(command, capture_output=True, text=True)
    assert stale.returncode == 1 and "run `nox -s lock`" in stale.stderr
