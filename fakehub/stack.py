"""The parent's side of the stack: hand the services to a supervisor process, wait until they answer, stop."""

from __future__ import annotations

import dataclasses
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .errors import HubError
from .procs import held_by_others
from .supervisor import descendants

SUPERVISOR = Path(__file__).with_name("supervisor.py")
START_TIMEOUT_S = 25.0  # on a loaded 2-core machine JupyterHub needs ~4 s; a stuck one is reported well within 30 s
STOP_TIMEOUT_S = 15.0


@dataclasses.dataclass(frozen=True)
class Service:
    """One process of the stack, and how to tell that it answers."""

    name: str  # "storage", "hub", "gateway": also the name of its log
    what: str  # for messages: "fake-gcs-server at http://127.0.0.1:PORT"
    argv: list[str]
    env: dict[str, str]
    ready: Callable[[], bool]  # True once it answers; never raises
    cwd: str | None = None
    port: int | None = None  # where it listens: another process holding it is an error


class Stack:
    """A supervisor process (fakehub/supervisor.py) running services; logs in one folder."""

    def __init__(self, logs: Path, sandbox: Path | None = None):
        self.logs = logs
        self.sandbox = sandbox  # the supervisor deletes it once every process is gone
        self.process: subprocess.Popen | None = None
        self.pids: dict[str, int] = {}

    def start(self, services: list[Service]) -> None:
        """Start the supervisor, which starts every service at once; return when they are started."""
        spec = self.logs / "supervisor.json"
        spec.write_text(json.dumps({"logs": str(self.logs), "sandbox": str(self.sandbox or ""), "services": [
            {"name": s.name, "argv": s.argv, "env": s.env, "cwd": s.cwd} for s in services]}))
        # Started from this thread, which must live as long as the stack: the supervisor gets
        # SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG), however it ends.
        # A session of its own: a Ctrl-C in the terminal reaches this process, which then stops the stack in order.
        with open(self.logs / "supervisor.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(SUPERVISOR), str(os.getpid()), str(spec)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
            )
        ready, _, _ = select.select([self.process.stdout], [], [], 10)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            raise HubError(f"the local hub's supervisor did not start; its log: {self.logs / 'supervisor.log'}")
        self.pids = json.loads(line)

    def exit_code(self, name: str, wait_s: float = 0.0) -> int | None:
        """The exit code of a service that has stopped (waiting up to wait_s for it); None while it runs."""
        path = self.logs / f"{name}.exit"
        deadline = time.monotonic() + wait_s
        while True:
            if path.is_file():
                return int(path.read_text() or 0)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def log(self, name: str) -> Path:
        """Where a service's output goes."""
        return self.logs / f"{name}.log"

    def wait_ready(self, services: list[Service], on_ready: dict[str, Callable[[], None]] | None = None,
                   timeout: float = START_TIMEOUT_S) -> dict[str, float]:
        """Poll every service until all answer, calling on_ready[name] as each does; seconds each took.

        Raise a one-line HubError naming the service that exited or did not answer, and its log.
        """
        started, pending, took = time.monotonic(), {s.name: s for s in services}, {}
        next_port_check, suspects = started, set()
        while pending:
            ports_now = time.monotonic() >= next_port_check  # reading /proc/net costs: four times a second
            next_port_check += 0.25 if ports_now else 0
            for name, service in list(pending.items()):
                code = self.exit_code(name)
                if code is not None:
                    raise HubError(f"{service.what} exited at start (exit code {code}): "
                                   f"{self.last_line(name)} (its log: {self.log(name)})")
                if ports_now and service.port:
                    if not held_by_others(service.port, lambda: [self.process.pid, *self.processes()]):
                        suspects.discard(name)
                    elif name in suspects:  # twice in a row, a quarter of a second apart: not a race
                        raise HubError(f"{service.what} cannot listen: another process holds port {service.port} "
                                       f"(its log: {self.log(name)})")
                    else:
                        suspects.add(name)
                if service.ready():
                    took[name] = time.monotonic() - started
                    del pending[name]
                    (on_ready or {}).get(name, lambda: None)()
            if pending and time.monotonic() - started > timeout:
                name, service = next(iter(pending.items()))
                raise HubError(f"{service.what} did not answer within {timeout:.0f} s (its log: {self.log(name)})")
            time.sleep(0.02)
        return took

    def last_line(self, name: str) -> str:
        """The last non-empty line a service logged, for a one-line error."""
        try:
            lines = [line.strip() for line in self.log(name).read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return lines[-1][-300:] if lines else "(nothing logged)"

    def processes(self) -> dict[int, str]:
        """Every live process of the stack, the supervisor's descendants (pid -> state)."""
        if self.process is None or self.process.poll() is not None:
            return {}
        return descendants(self.process.pid)

    def stop(self) -> None:
        """Ask the supervisor to take every process down, and wait for it; kill them ourselves if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            left = descendants(self.process.pid)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *left]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.process.wait()
        self.process.stdout.close()
        self.process = None
