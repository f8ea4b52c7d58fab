"""The processes of a local hub a test started itself: found by working folder, started and stopped as in a terminal.

Every service of a stack works under the run's TMPDIR, so a test that gives its run a folder of
its own (the `run_tmp` fixture) sees only that run's processes, never another engineer's hub.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).parents[1]
# Code that leaves a gateway cluster of one worker running: it outlives the process that made it.
CLUSTER = ("from dask_gateway import Gateway\n"
           "cluster = Gateway().new_cluster(shutdown_on_close=False)\n"
           "cluster.scale(1)\ncluster.get_client().wait_for_workers(1)\n")


def processes_under(folder: Path) -> dict[int, str]:
    """Live processes working in folder (or a deleted folder below it): pid -> command line."""
    found = {}
    for process in psutil.process_iter(["cmdline", "cwd", "status"]):
        cwd = (process.info["cwd"] or "").removesuffix(" (deleted)")  # None: gone, or not ours to read
        if process.info["status"] != psutil.STATUS_ZOMBIE and (cwd == str(folder) or cwd.startswith(f"{folder}/")):
            found[process.pid] = " ".join(process.info["cmdline"] or [])
    return found


def all_processes() -> dict[int, str]:
    """Every live process (not a zombie): pid -> command line."""
    return {process.pid: " ".join(process.info["cmdline"] or [])
            for process in psutil.process_iter(["cmdline", "status"])
            if process.info["status"] not in (None, psutil.STATUS_ZOMBIE)}


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def wait_until_gone(folder: Path, seconds: float = 20.0) -> dict[int, str]:
    """Poll until no process works under folder; what is left after seconds."""
    deadline = time.monotonic() + seconds
    while (left := processes_under(folder)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def job(argv: list[str], terminal: bool = False, **popen) -> subprocess.Popen:
    """Start a command as a shell does; with terminal, in its own process group, as a foreground job."""
    return subprocess.Popen(
        argv, start_new_session=terminal,
        # A run started in the background (nohup, `&` without job control) ignores SIGINT,
        # and the command would inherit that; the test needs Ctrl-C to behave as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **popen,
    )


def fakehub_cli(*args: str, terminal: bool = False) -> subprocess.Popen:
    """`python -m fakehub ARGS` from the root, its output piped; with terminal, as a foreground job."""
    return job([sys.executable, "-m", "fakehub", *args], terminal, cwd=ROOT, stdout=subprocess.PIPE,
               stderr=subprocess.PIPE, text=True)


def ctrl_c(process: subprocess.Popen) -> int:
    """Send SIGINT to the process's whole group, as Ctrl-C in its terminal does; its exit status."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        return process.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
