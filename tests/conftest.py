"""Shared pytest setup: pytester for the harness's self-tests, and one local hub per test process.

The harness itself is loaded by pyproject.toml.
"""

import os
import tempfile

import pytest

from fakehub import FakeHub
from harness.plugin import HARNESS

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def local_hub(pytestconfig):
    """The process's one local hub, the one its pages run on (a start costs seconds); tests leave it as found."""
    if not (os.environ.get("FAKEHUB_STACK") or os.environ.get("STORAGE_EMULATOR_HOST")):
        yield pytestconfig.stash[HARNESS].start_hub()[0]  # stopped with the harness, after the last page
        return
    # The pages use a hub or storage the caller runs (a serial run): these tests want a whole stack of their own.
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("STORAGE_EMULATOR_HOST", raising=False)
        patch.delenv("FAKEHUB_STACK", raising=False)
        hub = FakeHub().start(export=False)
    yield hub
    hub.stop()


@pytest.fixture
def run_tmp(tmp_path, monkeypatch):
    """The runs of a test work under tmp_path/run (TMPDIR), which marks their processes."""
    folder = tmp_path / "run"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("FAKEHUB_STACK", raising=False)
    return folder
