"""FakeHub: start (or reuse) the server, seed it, and set the hub's environment."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from . import config as hubconfig
from . import guard, seed
from .environ import CREDENTIAL_VARIABLES, hub_environ
from .errors import HubError
from .server import Server


class FakeHub:
    """The fake LEAP hub: use as a context manager, or start() and stop()."""

    def __init__(self, config: hubconfig.HubConfig | None = None):
        self.config = config or hubconfig.load()
        self.server: Server | None = None
        self.url = ""
        self.sandbox: Path | None = None
        self._saved_environ: dict[str, str] | None = None
        self.process_environ: dict[str, str] = {}

    def start(self, export: bool = True) -> FakeHub:
        """Bring the hub up; export its environment into os.environ unless export is False."""
        try:
            self.url = self._server_url()
            seed.reset(self.url, self.config)
            self.sandbox = Path(tempfile.mkdtemp(prefix="leap-fakehub-"))
            (self.sandbox / "home").mkdir()
            if self.config.seed_home.is_dir():
                shutil.copytree(self.config.seed_home, self.sandbox / "home", dirs_exist_ok=True)
            self.process_environ = self._process_environ()
            if export:
                self._saved_environ = dict(os.environ)
                os.environ.clear()
                os.environ.update(self.process_environ)
            guard.gcsfs_points_at(self.url, self.config.buckets, self.process_environ)
        except BaseException:
            self.stop()
            raise
        return self

    def _server_url(self) -> str:
        preset = os.environ.get("STORAGE_EMULATOR_HOST")
        if preset:
            url = guard.loopback_url(preset)
            guard.answering(url)
            return url
        self.server = Server()
        self.server.start()
        return self.server.url

    def _process_environ(self) -> dict[str, str]:
        """The current environment, less credentials, plus the hub's variables: what a kernel gets."""
        kept = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
        return kept | hub_environ(self.config, self.url, self.sandbox)

    @property
    def environ(self) -> dict[str, str]:
        """The hub's variables, for starting a process inside the hub."""
        return hub_environ(self.config, self.url, self.sandbox)

    def check(self) -> None:
        """Raise HubError if the server has died or stopped answering."""
        try:
            guard.answering(self.url)
            if self.server is None or self.server.alive():
                return
        except HubError:
            if self.server is None:
                raise
        code = self.server.exit_code()
        raise HubError(f"the fake GCS server at {self.url} has stopped (exit code {code})")

    def reset(self, lived_in: bool = False) -> None:
        """Return the buckets to the seeded state (between pages); lived_in adds the member's earlier work."""
        self.check()
        seed.reset(self.url, self.config, lived_in)

    def stop(self) -> None:
        """Stop the server, restore os.environ, delete the sandbox; safe to call twice."""
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._saved_environ is not None:
            os.environ.clear()
            os.environ.update(self._saved_environ)
            self._saved_environ = None
        if self.sandbox is not None:
            shutil.rmtree(self.sandbox, ignore_errors=True)
            self.sandbox = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
