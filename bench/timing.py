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
        sys.exit(failure(command, cwd, result.stdout + result.stderr))
    return elapsed, _children_cpu() - cpu_before, result.stdout + result.stderr


# Where a failed command's whole output is kept (relative to the bench's folder, the repository's root).
FAILURES = Path("_build") / "bench-failures"


def failure(command: list[str], cwd: Path, output: str) -> str:
    """The message for a failed command: pytest's FAILED/ERROR lines, the output's end, and where all of it is kept."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    log = FAILURES / f"{time.strftime('%Y%m%d-%H%M%S')}-{Path(command[0]).name}.log"
    log.write_text(f"$ {' '.join(command)}  (in {cwd})\n{output}")
    failed = [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return (f"bench: {' '.join(command)} failed in {cwd}; its whole output: {log.resolve()}\n"
            + ("\n".join(failed) + "\n" if failed else "") + output[-3000:])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
