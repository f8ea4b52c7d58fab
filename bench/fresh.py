"""The cost of a fresh clone's `nox -s docs`, installs included, against a clean rebuild with the environment in place.

Each repetition clones the commit under test into a new folder (no .nox, no _build) and times
`nox -s docs` there: uv makes the venv and installs locks/pins.txt, then the book builds,
executing every page. Then _build is deleted and `nox -s docs` timed again: the venv is reused,
the install finds everything in place, every page executes again. The first over the second is
what the install costs a newcomer. uv runs offline from its cache (UV_OFFLINE=1): the bench runs
in a loopback-only namespace, and on a runner the download's cost is the network's, not ours.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.timing import measured
from bench.workspace import ROOT

TARGET_RATIO = 1.5  # the fresh clone's docs over the clean rebuild (issue 27)
TARGET_S = 150.0  # the fresh clone's docs, on 2 cores


def _nox() -> str:
    """The nox that runs this bench (it is on PATH in a nox session)."""
    found = shutil.which("nox")
    if not found:
        sys.exit("bench: fresh needs nox on PATH (python3 -m pip install \"nox[uv]\")")
    return found


def _once(nox: str) -> tuple[float, float]:
    """One fresh clone's `nox -s docs`, then the same after deleting _build; seconds each."""
    root = Path(tempfile.mkdtemp(prefix="leap-bench-fresh-")) / "book"
    try:
        measured(["git", "clone", "--quiet", str(ROOT), str(root)], ROOT)
        environ = {"UV_OFFLINE": "1"}
        fresh = measured([nox, "-s", "docs"], root, environ)[0]
        shutil.rmtree(root / "_build")
        rebuild = measured([nox, "-s", "docs"], root, environ)[0]
        return fresh, rebuild
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def measure(repetitions: int) -> dict:
    """The fresh clone's docs session and the clean rebuild, each the median of runs, and their ratio."""
    nox = _nox()
    runs = [_once(nox) for _ in range(repetitions)]
    fresh = statistics.median(run[0] for run in runs)
    rebuild = statistics.median(run[1] for run in runs)
    print(f"bench: fresh_docs_s = {fresh:.1f}, rebuild_docs_s = {rebuild:.1f} "
          f"(runs: {', '.join(f'{a:.1f}/{b:.1f}' for a, b in runs)})", file=sys.stderr, flush=True)
    return {"fresh_docs_s": round(fresh, 3), "rebuild_docs_s": round(rebuild, 3),
            "fresh_over_rebuild": round(fresh / rebuild, 3), "runs": [[round(a, 2), round(b, 2)] for a, b in runs]}


def rows(figures: dict) -> list[tuple[str, str]]:
    """The table's lines: both times, and the two targets met or missed."""
    ratio, fresh = figures["fresh_over_rebuild"], figures["fresh_docs_s"]
    met = {True: "met", False: "MISSED"}
    return [
        ("fresh_docs_s (a fresh clone's nox -s docs, installs included)",
         f"{fresh:.1f} s  (target <= {TARGET_S:.0f} s: {met[fresh <= TARGET_S]})"),
        ("rebuild_docs_s (the same, _build deleted, the venv in place)", f"{figures['rebuild_docs_s']:.1f} s"),
        ("fresh_over_rebuild", f"{ratio:.2f}  (target <= {TARGET_RATIO}: {met[ratio <= TARGET_RATIO]})"),
    ]
