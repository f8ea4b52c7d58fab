"""Sessions for building and verifying the LEAP-Pangeo Hub Guide."""

from __future__ import annotations

import re
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent
ENVIRONMENT = ROOT / "environment.yml"
# A pip-block entry: "      - name==version", optionally with a trailing comment.
PIN_LINE = re.compile(r"^\s+-\s+(?P<requirement>[^\s#]+)\s*(#.*)?$")


def pins(path: Path = ENVIRONMENT) -> list[str]:
    """The entries of environment.yml's pip block (read without PyYAML, which nox lacks)."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    entries = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        match = PIN_LINE.match(line)
        if not match:
            raise ValueError(f"{path}: cannot read pip entry {line.strip()!r}")
        entries.append(match["requirement"])
    return entries


def install(session: nox.Session) -> None:
    """Install environment.yml's exact pins into the session."""
    session.install(*pins())


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML book into _build/html, executing every page against the fake hub."""
    install(session)
    session.run("jupyter-book", "build", ".", "--builder", "html", "-n", "-W", "--keep-going", *session.posargs)


HUB_VERSIONS = ROOT / "tests" / "hub-image-versions.txt"


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("==", 1)[0]).lower()


def hub_pins() -> list[str]:
    """environment.yml's pins, with the hub image's versions (tests/hub-image-versions.txt) in their place."""
    lines = [line.split("#", 1)[0].strip() for line in HUB_VERSIONS.read_text().splitlines()]
    image = {_name(line): line for line in lines if line}
    return [image.pop(_name(pin), pin) for pin in pins()] + sorted(image.values())


@nox.session
@nox.parametrize("deps", ["pins", "hub"])
def tests(session: nox.Session, deps: str) -> None:
    """Run the pytest suite (fake hub, harness, every cell of every page) on environment.yml's pins or the hub's."""
    session.install(*(pins() if deps == "pins" else hub_pins()))
    session.run("pip", "check")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check environment.yml's pins and run ruff."""
    session.install(*(p for p in pins() if p.lower().startswith(("pyyaml==", "ruff=="))))
    session.run("python", "tests/check_environment.py", str(ENVIRONMENT), *pins())
    session.run("ruff", "check", ".", *session.posargs)
