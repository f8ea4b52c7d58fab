"""What CI costs: `bash .ci/run` on a clean clone of the commit under test, `../shared` beside it, installs included.

As CI runs it (issue 24's target: 15 minutes on 2 cores). uv installs offline from its cache (UV_OFFLINE=1):
the bench runs in a loopback-only namespace, and on a runner the download's cost is the network's, not ours.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.timing import measured
from bench.workspace import ROOT

TARGET_S = 15 * 60.0
SHARED = ROOT.parent / "shared"  # what CI puts beside the clone: the hub's facts, the package lists


def outside_nox() -> dict[str, str]:
    """The environment without this bench session's venv, as CI starts: its own python3, pip and nox."""
    venv = os.environ.get("VIRTUAL_ENV", "")
    path = [p for p in os.environ["PATH"].split(os.pathsep) if not (venv and p.startswith(venv))]
    return {"PATH": os.pathsep.join(path), "CI": "true", "UV_OFFLINE": "1"}


def _once() -> float:
    """One clean clone's `bash .ci/run`; its seconds."""
    work = Path(tempfile.mkdtemp(prefix="leap-bench-ci-"))
    work.chmod(0o755)  # as a CI checkout is: open to other users (a test runs the offline CLI as nobody)
    try:
        measured(["git", "clone", "--quiet", str(ROOT), str(work / "main")], ROOT)
        if SHARED.is_dir():
            shutil.copytree(SHARED, work / "shared")
        environ = outside_nox()
        return measured(["env", "-u", "VIRTUAL_ENV", "bash", ".ci/run"], work / "main", environ)[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(repetitions: int) -> dict:
    """`.ci/run` on a clean clone: the median of runs."""
    runs = [_once() for _ in range(repetitions)]
    seconds = statistics.median(runs)
    print(f"bench: ci_s = {seconds:.1f} (runs: {', '.join(f'{r:.1f}' for r in runs)})", file=sys.stderr, flush=True)
    return {"ci_s": round(seconds, 1), "runs": [round(r, 1) for r in runs]}


def rows(figures: dict) -> list[tuple[str, str]]:
    """The table's line: the time, and the target met or missed."""
    seconds = figures["ci_s"]
    met = "met" if seconds <= TARGET_S else "MISSED"
    return [("ci_s (bash .ci/run on a clean clone, installs included)",
             f"{seconds:.1f} s = {seconds / 60:.1f} min  (target <= {TARGET_S / 60:.0f} min: {met})")]
