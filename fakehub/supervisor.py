"""One process per stack: it starts the services, adopts their orphans, and takes them all down with it.

Run as a script, with the standard library only (fast to start, nothing to import):
    python -I -S supervisor.py PARENT_PID SPEC.json
SPEC.json: {"logs": DIR, "sandbox": DIR, "services": [{"name", "argv", "env", "cwd"}, ...]}. Each
service's output goes to logs/<name>.log; when a service exits, logs/<name>.exit receives its exit
code. The first line on stdout is {"<name>": pid, ...} once every service is started.

Linux only. The supervisor is a child subreaper, so the services' own children (a member's
server, its kernels, a gateway's schedulers and workers, which run in sessions of their own)
are re-parented to it when their parent dies, and it gets SIGTERM when its parent dies, even
by SIGKILL. On SIGTERM, SIGINT or SIGHUP it terminates every process below it, kills what is
left after a grace period, deletes the sandbox (and the logs too if its parent is gone, as
nobody will read them), and exits. Its own log, supervisor.log, says when and why it stopped,
how long the take-down took, and whether the sandbox is gone.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# Services clean up on SIGTERM within this (JupyterHub's process then lingers ~3 s for nothing); then SIGKILL.
TERM_GRACE_S = 1.0
KILL_GRACE_S = 5.0

_LIBC = ctypes.CDLL(None, use_errno=True)


class Stop(Exception):
    """A signal asked the supervisor to stop; its number is the argument."""


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Ask the kernel to send signum to this process when its parent (thread) dies."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signum)


def _stat(pid: str) -> tuple[int, str] | None:
    """(parent pid, state letter) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return int(fields[1]), fields[0]


def descendants(root: int) -> dict[int, str]:
    """Every process below root, pid -> state letter ("Z" for a zombie), from /proc."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(entry)
            if found:
                children.setdefault(found[0], []).append((int(entry), found[1]))
    below, queue = {}, [root]
    while queue:
        for pid, state in children.get(queue.pop(), []):
            below[pid] = state
            queue.append(pid)
    return below


def _reap(exits: dict[int, str], logs: Path) -> None:
    """Collect every child that has exited, noting the exit codes of services."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _note_exit(pid, status, exits, logs)


def _note_exit(pid: int, status: int, exits: dict[int, str], logs: Path) -> None:
    name = exits.pop(pid, None)
    if name:
        (logs / f"{name}.exit").write_text(str(os.waitstatus_to_exitcode(status)))


def take_down(exits: dict[int, str], logs: Path) -> None:
    """SIGTERM every process below this one, then SIGKILL what is left; return when none is."""
    me = os.getpid()
    for signum, grace in ((signal.SIGTERM, TERM_GRACE_S), (signal.SIGKILL, KILL_GRACE_S)):
        for pid in descendants(me):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            _reap(exits, logs)
            if not any(state != "Z" for state in descendants(me).values()):
                break
            time.sleep(0.02)
    # A process forked between two scans escaped the signals above: keep killing until none is left.
    while left := descendants(me):
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
        _reap(exits, logs)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


_stopping = False


def _stop(signum, frame):
    """Raise Stop on the first stop signal only."""
    # A second one (a burst, or the parent's death) must not interrupt the clean-up, wherever Python runs it.
    global _stopping
    if _stopping:
        return
    _stopping = True
    raise Stop(signum)  # no output here: a handler that writes could interrupt another write


def say(line: str) -> None:
    """One line with a timestamp on stderr (the supervisor's log): what the supervisor did, and when."""
    print(f"{time.strftime('%H:%M:%S')}.{int(time.time() * 1000) % 1000:03d} {line}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    """Start the services, wait for signals (reaping as processes exit), then take everything down."""
    parent, spec = int(argv[0]), json.loads(Path(argv[1]).read_text())
    die_with_parent()
    _LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1)
    logs = Path(spec["logs"])
    exits: dict[int, str] = {}
    try:
        for signum in STOP_SIGNALS:  # inside the try: a signal from here on still cleans up
            signal.signal(signum, _stop)
        if os.getppid() != parent:  # the parent died before die_with_parent() took effect
            return 1
        for service in spec["services"]:
            with open(logs / f"{service['name']}.log", "ab") as log:
                process = subprocess.Popen(
                    service["argv"], env=service["env"], cwd=service.get("cwd"), stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
                )
            exits[process.pid] = service["name"]
        print(json.dumps({name: pid for pid, name in exits.items()}), flush=True)
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                signal.pause()
                continue
            _note_exit(pid, status, exits, logs)
    except Stop as stop:
        say(f"stopping on signal {stop.args[0]}")
    finally:
        global _stopping
        _stopping = True  # first: a handler still pending runs at the next call, and must then do nothing
        for signum in STOP_SIGNALS:  # a second Ctrl-C, or a hang-up, must not cut the clean-up short
            signal.signal(signum, signal.SIG_IGN)
        clean_up(exits, logs, spec.get("sandbox"), parent)
    return 0


def clean_up(exits: dict[int, str], logs: Path, sandbox: str | None, parent: int) -> None:
    """Take every process down, then delete the sandbox (and the logs, if the parent is gone), whatever fails."""
    started, orphaned = time.monotonic(), os.getppid() != parent
    say(f"taking down {len(descendants(os.getpid()))} processes; the parent {'is gone' if orphaned else 'waits'}")
    try:
        take_down(exits, logs)
        say(f"took every process down in {time.monotonic() - started:.1f} s")
    finally:
        if sandbox:
            shutil.rmtree(sandbox, ignore_errors=True)
            say(f"deleted the sandbox: {'no' if os.path.exists(sandbox) else 'yes'}")
        if os.getppid() != parent:  # nobody will read them
            shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
