"""A measured command: its wall time, the CPU time of it and its children, its output."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# Set by a local hub of the caller's: a measured run starts a hub of its own.
HUB_VARIABLES = ("STORAGE_EMULATOR_HOST", "FAKEHUB_STACK")


def measured(command: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command to completion: its wall time, the CPU time of it and the processes it waited for, its output."""
    env = {k: v for k, v in os.environ.items() if k not in HUB_VARIABLES} | (extra_env or {})
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed, _children_cpu() - cpu_before, result.stdout + result.stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
