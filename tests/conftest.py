"""Shared pytest setup: pytester for the harness's self-tests, and one local hub per test process.

The harness itself is loaded by pyproject.toml.
"""

import tempfile

import pytest

from fakehub import FakeHub

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def local_hub():
    """One local hub for the tests that only use it, or put it back as they found it (a start costs seconds)."""
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
