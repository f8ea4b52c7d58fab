"""The book build's contract: it fails closed, fails on a cell error, and caches per environment."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from minibook import JUPYTER_BOOK, ROOT, make_book

from fakehub import load
from fakehub.envhash import environment_key

# The pins session only: the book is built with the pins (nox -s docs) and the server's lock (nox -s browser),
# never with the hub session's libraries.
pytestmark = pytest.mark.once


def build(root: Path, **environ: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("STORAGE_EMULATOR_HOST", "FAKEHUB_STACK")} | environ
    command = [str(JUPYTER_BOOK), "build", str(root), "--builder", "html", "-n", "-W", "--keep-going"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "emulator, message",
    [("http://192.0.2.1:80", "is not a loopback address"), ("http://127.0.0.1:1", "no fake GCS server answers")],
)
def test_build_stops_before_the_first_cell(tmp_path, emulator, message):
    marker = make_book(tmp_path)
    result = build(tmp_path, STORAGE_EMULATOR_HOST=emulator)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not marker.exists(), "a cell ran although the fake hub was refused"


@pytest.fixture
def hub(local_hub):
    """The test process's shared local hub (tests/conftest.py): builds use it through FAKEHUB_STACK."""
    return local_hub


def test_a_failing_cell_fails_the_build(tmp_path, hub):
    marker = make_book(tmp_path, extra="1 / 0")
    result = build(tmp_path, FAKEHUB_STACK=str(hub.stack_file))
    assert result.returncode != 0 and marker.exists()
    assert "ZeroDivisionError" in result.stdout + result.stderr


def test_stderr_output_fails_the_build(tmp_path, hub):
    make_book(tmp_path, extra="import warnings; warnings.warn('a library complains')")
    result = build(tmp_path, FAKEHUB_STACK=str(hub.stack_file))
    assert result.returncode != 0
    assert "stderr was found in the cell outputs" in result.stdout + result.stderr


def test_an_unchanged_page_is_not_executed_again(tmp_path, hub):
    marker = make_book(tmp_path)
    first = build(tmp_path, FAKEHUB_STACK=str(hub.stack_file))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Executed notebook" in first.stdout
    marker.unlink()
    (tmp_path / "_build" / "html").joinpath("page.html").unlink()  # force a re-read, not a re-run
    second = build(tmp_path, FAKEHUB_STACK=str(hub.stack_file))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Executed notebook" not in second.stdout and not marker.exists()
    caches = list((tmp_path / "_build" / ".jupyter_cache").iterdir())
    assert [c.name for c in caches] == [environment_key(load())]


def test_the_cache_key_follows_the_environment(tmp_path):
    config = load()
    base = ["gcsfs==2026.10.1", "xarray==2026.9.0"]
    assert environment_key(config, base) == environment_key(config, list(base))
    assert environment_key(config, base) != environment_key(config, ["gcsfs==2026.1.0", "xarray==2026.9.0"])
    moved = tmp_path / "hub"
    import shutil

    shutil.copytree(config.seed, moved / "seed")
    changed = dataclasses.replace(config, seed=moved / "seed")
    assert environment_key(changed, base) == environment_key(config, base)
    next(p for p in (moved / "seed").rglob("*.csv")).write_text("station\nZ\n")
    assert environment_key(changed, base) != environment_key(config, base)


def test_the_key_command_prints_the_builds_cache_key():
    printed = subprocess.run([sys.executable, "-m", "fakehub.envhash"], cwd=ROOT, capture_output=True, text=True)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == environment_key(load()) + "\n"


STRAY = """
```{code-cell} ipython3
import gcsfs
gcsfs.GCSFileSystem().pipe("leap-scratch/stray.txt", b"not in my folder")
```
"""


def test_the_build_runs_the_page_check_on_each_page_it_executes(tmp_path, hub):
    make_book(tmp_path)
    config = (tmp_path / "_config.yml").read_text()
    (tmp_path / "_config.yml").write_text(config + f"    harness.sphinxext: {ROOT}\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "page.md").rename(tmp_path / "book" / "page.md")
    with (tmp_path / "book" / "page.md").open("a") as page:
        page.write(STRAY)
    page = tmp_path / "book" / "page.md"  # its front matter: the page must leave a result in persistent
    expects = 'expect:\n  exist: ["{PERSISTENT_BUCKET}/result.txt"]\n'
    page.write_text(page.read_text().replace("---\n#", f"{expects}---\n#", 1))
    first = build(tmp_path, FAKEHUB_STACK=str(hub.stack_file))
    output = first.stdout + first.stderr
    assert first.returncode != 0, output
    assert "book/page.md after its last cell: created gs://leap-scratch/stray.txt: outside" in output
    assert f"expected an object matching 'leap-persistent/{load().member}/result.txt'" in output
    (tmp_path / "_build" / "html" / "book" / "page.html").unlink()  # read again, taken from the cache: not re-checked
    second = build(tmp_path, FAKEHUB_STACK=str(hub.stack_file))
    assert second.returncode == 0 and "Executed notebook" not in second.stdout, second.stdout + second.stderr
