"""A pull request's build, in a fresh clone with main's execution cache restored, executes only the pages it changed.

CI-like: two checkouts in different folders (main's runner and the pull request's), the same lock
named in FAKEHUB_LOCK (as nox sets it), and main's `_build/.jupyter_cache/<key>` copied into the
pull request's checkout, as actions/cache restores it. The key must come out the same in both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from minibook import CONFIG, FRONT_MATTER, JUPYTER_BOOK, ROOT

from fakehub import load
from fakehub.envhash import LOCK_VARIABLE, _distributions, environment_key

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

PAGE = FRONT_MATTER + """\
# {name}

```{{code-cell}} ipython3
from pathlib import Path
Path({marker!r}).write_text("ran")
print({text!r})
```
"""


def checkout(folder: Path, markers: Path, texts: dict[str, str]) -> Path:
    """A book of one page per name, each leaving markers/<name> when it executes; its root."""
    folder.mkdir(parents=True)
    (folder / "_config.yml").write_text(CONFIG.format(root=ROOT, timeout=60))
    names = list(texts)
    toc = f"format: jb-book\nroot: {names[0]}\n" + "chapters:\n" + "".join(f"  - file: {n}\n" for n in names[1:])
    (folder / "_toc.yml").write_text(toc)
    for name, text in texts.items():
        (folder / f"{name}.md").write_text(PAGE.format(name=name, marker=str(markers / name), text=text))
    return folder


def build(root: Path, environ: dict[str, str]) -> subprocess.CompletedProcess:
    """The book's build, as the docs session runs it."""
    command = [str(JUPYTER_BOOK), "build", str(root), "--builder", "html", "-n", "-W", "--keep-going"]
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=300, cwd=root)


def executed(markers: Path) -> list[str]:
    """The pages that executed since the markers were cleared."""
    found = sorted(p.name for p in markers.iterdir())
    for path in markers.iterdir():
        path.unlink()
    return found


@pytest.fixture
def environ(local_hub, tmp_path) -> dict[str, str]:
    """The build's environment: the shared local hub, and a lock named as nox names it."""
    lock = tmp_path / "pins.txt"
    shutil.copy(ROOT / "locks" / "pins.txt", lock)
    base = {k: v for k, v in os.environ.items() if k not in ("STORAGE_EMULATOR_HOST", "FAKEHUB_STACK")}
    return base | {"FAKEHUB_STACK": str(local_hub.stack_file), LOCK_VARIABLE: str(lock)}


def test_a_pull_requests_build_executes_only_its_changed_page(tmp_path, environ):
    """Main builds three pages; the pull request changes one; with main's cache restored, one page executes."""
    markers = tmp_path / "markers"
    markers.mkdir()
    pages = {"intro": "one", "data": "two", "plots": "three"}
    main = checkout(tmp_path / "main", markers, pages)
    first = build(main, environ)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert executed(markers) == ["data", "intro", "plots"]

    key = environment_key(load(), lock=Path(environ[LOCK_VARIABLE]))
    [cache] = (main / "_build" / ".jupyter_cache").iterdir()
    assert cache.name == key, "the build's cache folder is the lock's key"

    pull_request = checkout(tmp_path / "pr", markers, pages | {"data": "two, edited"})
    shutil.copytree(cache, pull_request / "_build" / ".jupyter_cache" / key)  # actions/cache/restore
    second = build(pull_request, environ)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert executed(markers) == ["data"]
    assert second.stdout.count("Executed notebook") == 1


def test_without_the_cache_every_page_executes(tmp_path, environ):
    """The control: the same pull request without main's cache executes all three pages."""
    markers = tmp_path / "markers"
    markers.mkdir()
    pull_request = checkout(tmp_path / "pr", markers, {"intro": "one", "data": "two, edited", "plots": "three"})
    result = build(pull_request, environ)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert executed(markers) == ["data", "intro", "plots"]


def test_the_key_is_the_lock_not_the_installed_set(tmp_path, monkeypatch):
    """Same lock: same key whatever is installed; another lock: another key; no lock: the installed set."""
    config = load()
    lock = tmp_path / "a.txt"
    lock.write_text("a==1\n")
    monkeypatch.setenv(LOCK_VARIABLE, str(lock))
    assert environment_key(config) == environment_key(config, lock=lock)
    other = tmp_path / "b.txt"
    other.write_text("a==2\n")
    assert environment_key(config, lock=other) != environment_key(config, lock=lock)
    monkeypatch.delenv(LOCK_VARIABLE)
    assert environment_key(config) == environment_key(config, distributions=_distributions())
    assert environment_key(config) != environment_key(config, lock=lock)
    monkeypatch.setenv(LOCK_VARIABLE, str(tmp_path / "missing.txt"))
    with pytest.raises(FileNotFoundError, match=f"{LOCK_VARIABLE}=.*missing.txt: no such lock file"):
        environment_key(config)
