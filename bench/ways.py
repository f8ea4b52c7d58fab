"""What the pages' newer ways (bench.yml: ways.new) add to `nox -s tests`: its runs with and without them."""

from __future__ import annotations

import os
from pathlib import Path

from harness.ways import WAYS

from .timing import measured


def command(settings: dict, name: str, root: Path) -> tuple[list[str], dict[str, str]]:
    """A session's pytest run as nox makes it (bench.yml: suite.sessions), and its environment."""
    session = settings["suite"]["sessions"][name]
    venv = root / session["venv"]
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    return [str(venv / "bin" / "pytest"), *session["args"]], env


def without(new: list[str]) -> str:
    """--ways naming every way but the new ones."""
    unknown = sorted(set(new) - set(WAYS))
    if unknown:
        raise SystemExit(f"bench: bench.yml's ways.new names no way: {unknown}; the ways: {list(WAYS)}")
    return "--ways=" + ",".join(name for name in WAYS if name not in new)


def measure(settings: dict, root: Path, reps: int, median) -> dict:
    """The sessions' wall times; the pins session also without the new ways (the hub session runs none of them)."""
    new = settings["ways"]["new"]
    walls: dict[str, list[float]] = {"pins with": [], "pins without": [], "hub": []}
    pins, pins_env = command(settings, "tests(deps='pins')", root)
    hub, hub_env = command(settings, "tests(deps='hub')", root)
    if any(arg.startswith("--ways") for arg in pins) or not any(arg.startswith("--ways") for arg in hub):
        raise SystemExit("bench: ways expects the pins session to run every way and the hub session to choose some")
    for _ in range(reps):  # alternated, so that a change in the machine's load falls on each
        walls["pins with"].append(measured(pins, root, pins_env)[0])
        walls["pins without"].append(measured([*pins, without(new)], root, pins_env)[0])
        walls["hub"].append(measured(hub, root, hub_env)[0])
    figures = {f"{name}_s": median(samples, f"ways: {name}") for name, samples in walls.items()}
    with_s, without_s = figures["pins with_s"] + figures["hub_s"], figures["pins without_s"] + figures["hub_s"]
    return figures | {"new": new, "with_s": round(with_s, 1), "without_s": round(without_s, 1),
                      "ways_growth": round(with_s / without_s - 1, 3)}


def rows(result: dict, verdict) -> list[tuple[str, str]]:
    """The lines: the pins session with and without the new ways, the hub session, and the growth of the sum."""
    return [
        (f"tests(deps='pins'): with / without {', '.join(result['new'])}",
         f"{result['pins with_s']:.1f} / {result['pins without_s']:.1f} s"),
        ("tests(deps='hub') (runs none of them)", f"{result['hub_s']:.1f} s"),
        (f"ways_growth (nox -s tests, {result['with_s']:.1f} over {result['without_s']:.1f} s)",
         verdict("ways_growth", result["ways_growth"])),
    ]
