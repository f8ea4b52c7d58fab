"""FakeHub: the local LEAP hub (storage, JupyterHub, Dask Gateway) and the member's environment."""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from . import api, culling, gatewayapi, guard, home, hubapi, member, seed, services
from . import config as hubconfig
from .addresses import GATEWAY_PREFIX, Addresses
from .errors import HubError
from .stack import Service, Stack

ROUTE_TIMEOUT_S = 10.0
STACK_VARIABLE = "FAKEHUB_STACK"  # a running hub's stack.json: use that hub instead of starting one


class FakeHub:
    """The local LEAP hub: use as a context manager, or start() and stop().

    After start(): url (the fake GCS server, for fakehub's own admin work), front_url (the storage
    front before it, which the member's code reaches: fakehub/front.py), addresses (every port),
    member_token, environ (what a kernel of the member sees), and timings: seconds to start
    (start_s), for each service to answer (ready_s) and, after stop(), to stop (stop_s).

    With FAKEHUB_STACK set to the stack.json of a hub that runs (python -m fakehub prints it),
    start() uses that hub and stop() leaves it running.
    """

    def __init__(self, config: hubconfig.HubConfig | None = None, ports: dict[str, int] | None = None,
                 server_environ: dict[str, str] | None = None, root_dir: Path | None = None,
                 culling_config: culling.Culling | None = None):
        self.config = config or hubconfig.load()
        self.ports = ports or {}  # fixed ports for some services (tests); the others are picked free
        # Added to the member's environment for the member's server only (a launch's git configuration, say).
        self.server_extra = dict(server_environ or {})
        self.root_dir = root_dir  # the folder the member's server opens; the member's home when None
        # The idle culler runs only when given: at LEAP's 1 hour it would never act within a run.
        # The member's server always has LEAP's kernel culling (fakehub/culling.yml).
        self.culling = culling_config
        self.addresses: Addresses | None = None
        self.stack: Stack | None = None
        self.url = ""
        self.front_url = ""
        self.sandbox: Path | None = None
        self.logs: Path | None = None
        self.keep_logs = False  # kept when something failed, so the error's log path still exists
        self.member_token = ""
        self.admin_token = ""
        self.environ: dict[str, str] = {}
        self.process_environ: dict[str, str] = {}
        self._saved_environ: dict[str, str] | None = None
        self.timings: dict[str, float | dict[str, float]] = {}
        self.attached = False  # using a hub another process started (FAKEHUB_STACK)

    # -- start -----------------------------------------------------------------------------

    def start(self, export: bool = True) -> FakeHub:
        """Bring the stack up; export the member's environment into os.environ unless export is False."""
        began = time.monotonic()
        if os.environ.get(STACK_VARIABLE):
            return self._attach(Path(os.environ[STACK_VARIABLE]), export, began)
        try:
            preset = self._preset_storage()
            self._make_sandbox()
            self.addresses = Addresses.pick(**self.ports)
            self.url = preset or self.addresses.storage_url
            self.front_url = self.addresses.front_url
            self.admin_token = secrets.token_hex(32)
            stack_services = self._services(with_storage=not preset)
            probe: list[guard.GcsfsProbe] = []

            def storage_ready() -> None:
                seed.reset(self.url, self.config)

            def front_ready() -> None:  # the member's gcsfs goes through the front
                probe.append(guard.GcsfsProbe(self.front_url, self.config.buckets,
                                              self._kernel_processes_environ("")))

            if preset:
                storage_ready()
            self.stack = Stack(self.logs, self.sandbox)
            self.stack.start(stack_services)
            ready = self.stack.wait_ready(stack_services, {"storage": storage_ready, "front": front_ready})
            self.member_token = hubapi.create_token(self.addresses.hub_api_url, self.admin_token, self.config.member,
                                                    [member.GATEWAY_SCOPE], "the member's kernels (fakehub)")
            self._wait_for_gateway_route()
            self._set_environ(export)
            probe[0].result()
            self._describe()
        except BaseException as exc:
            if isinstance(exc, HubError) and self.logs is not None:
                self.keep_logs = True
                (self.logs / "error.txt").write_text(f"{exc}\n")
            self.stop()
            raise
        self.timings = {"start_s": time.monotonic() - began, "ready_s": ready}
        return self

    def _set_environ(self, export: bool) -> None:
        self.environ = self._kernel_environ()
        self.process_environ = self._kernel_processes_environ(self.member_token)
        if export:
            self._saved_environ = dict(os.environ)
            os.environ.clear()
            os.environ.update(self.process_environ)

    def _describe(self) -> None:
        """Write stack.json, with which another process can use this hub (FAKEHUB_STACK)."""
        (self.sandbox / "run" / "stack.json").write_text(json.dumps({
            "storage": self.url, "addresses": dataclasses.asdict(self.addresses), "sandbox": str(self.sandbox),
            "logs": str(self.logs), "member_token": self.member_token, "admin_token": self.admin_token,
            "roles": roles_record(self.config),
        }))

    @property
    def stack_file(self) -> Path:
        """The stack.json that FAKEHUB_STACK takes."""
        return self.sandbox / "run" / "stack.json"

    def page_folder(self) -> Path:
        """A new, empty folder for a page to run in, inside the sandbox: it goes with the hub, however the run ends."""
        pages = self.sandbox / "pages"
        pages.mkdir(exist_ok=True)  # a hub another process started may not have it yet
        return Path(tempfile.mkdtemp(prefix="leap-page-", dir=pages))

    def _attach(self, path: Path, export: bool, began: float) -> FakeHub:
        """Use the running hub that path describes; refuse it unless it is on loopback and answers."""
        try:
            data = json.loads(path.read_text())
            self.addresses = Addresses(**data["addresses"])
            self.url = guard.loopback_url(data["storage"])
            self.front_url = self.addresses.front_url
            self.sandbox, self.logs = Path(data["sandbox"]), Path(data["logs"])
            self.member_token, self.admin_token = data["member_token"], data["admin_token"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise HubError(f"{STACK_VARIABLE}={path} does not describe a local hub ({exc}); "
                           f"unset it, or start one with python -m fakehub") from None
        if data.get("roles") != roles_record(self.config):
            raise HubError(f"the local hub of {STACK_VARIABLE}={path} was started with other bucket roles than "
                           f"this process reads ({hubconfig.HUB_YML_VARIABLE} differs?); unset {STACK_VARIABLE}")
        guard.answering(self.url)
        if not services.answers(f"{self.addresses.hub_url}{GATEWAY_PREFIX}/api/health")():
            from .offline import other_loopback  # here: `python -m fakehub.offline` imports this package first

            raise HubError(f"the local hub of {STACK_VARIABLE}={path} does not answer at {self.addresses.hub_url}"
                           f"{other_loopback()}; unset it, or start one with python -m fakehub")
        self.attached = True
        self._set_environ(export)
        self.timings = {"start_s": time.monotonic() - began, "ready_s": {}}
        return self

    def _preset_storage(self) -> str:
        """A fake-gcs-server the caller runs (STORAGE_EMULATOR_HOST), checked; "" to start our own."""
        preset = os.environ.get("STORAGE_EMULATOR_HOST")
        if not preset:
            return ""
        url = guard.loopback_url(preset)
        guard.answering(url)
        return url

    def _make_sandbox(self) -> None:
        self.sandbox = Path(tempfile.mkdtemp(prefix="leap-fakehub-"))
        self.logs = Path(tempfile.mkdtemp(prefix="leap-fakehub-logs-"))
        for folder in ("cache", "worker-home", "worker-cache", "clusters", "run"):
            (self.sandbox / folder).mkdir()
        home.build(self.config, self.sandbox / "home-seed")  # kept, so that reset_home() can go back to it
        shutil.copytree(self.sandbox / "home-seed", self.sandbox / "home", symlinks=True)

    def _services(self, with_storage: bool) -> list[Service]:
        """The services to start, with the settings their configuration files read."""
        settings = self.sandbox / "run" / "settings.json"
        settings.write_text(json.dumps({
            "login": self.config.login,
            "addresses": dataclasses.asdict(self.addresses),
            "tokens": {"gateway": secrets.token_hex(32), "fakehub": self.admin_token},
            "home": str(self.sandbox / "home"),
            "run": str(self.sandbox / "run"),
            "clusters": str(self.sandbox / "clusters"),
            "server_environ": member.server_environ(self.config, self.addresses, self.front_url, self.sandbox)
            | self.server_extra,
            "root_dir": str(self.root_dir or self.sandbox / "home"),
            "worker_environ": member.worker_environ(self.front_url, self.sandbox),
            "culling": {"servers": self.culling.servers if self.culling else None,
                        "kernels": (self.culling or culling.load()).kernels},
        }))
        env = services.python_env(self._kept_environ(), settings)
        run = self.sandbox / "run"
        found = [services.front(self.addresses, self.url, self.config.read_only, self.config.buckets, env, run),
                 services.hub(self.addresses, env, run), services.gateway(self.addresses, env, run)]
        return [services.storage(self.addresses, run), *found] if with_storage else found

    def _wait_for_gateway_route(self) -> None:
        """The hub forwards GATEWAY_PREFIX to the gateway: what Gateway() goes through."""
        through_hub = services.answers(f"{self.addresses.hub_url}{GATEWAY_PREFIX}/api/health")
        deadline = time.monotonic() + ROUTE_TIMEOUT_S
        while not through_hub():
            if time.monotonic() > deadline:
                raise HubError(f"the hub does not forward {GATEWAY_PREFIX}/ to the gateway "
                               f"(its log: {self.stack.log('hub')})")
            time.sleep(0.02)

    # -- environments ----------------------------------------------------------------------

    @staticmethod
    def _kept_environ() -> dict[str, str]:
        """The current environment, less anything that could carry real credentials."""
        return {k: v for k, v in os.environ.items() if k not in member.CREDENTIAL_VARIABLES}

    def _kernel_environ(self, token: str | None = None) -> dict[str, str]:
        token = self.member_token if token is None else token
        return member.kernel_environ(self.config, self.addresses, self.front_url, self.sandbox, token)

    def _kernel_processes_environ(self, token: str) -> dict[str, str]:
        """What a kernel started by this process gets: the current environment plus the member's."""
        kept = self._kept_environ()
        found = kept | self._kernel_environ(token)
        found["PYTHONPATH"] = os.pathsep.join(p for p in (found["PYTHONPATH"], kept.get("PYTHONPATH")) if p)
        return found

    # -- while running ---------------------------------------------------------------------

    def check(self) -> None:
        """Raise HubError if a service has died, or storage stopped answering."""
        stack = self.stack
        for name in stack.pids if stack else ():
            code = stack.exit_code(name)
            if code is not None:
                self._fail_stopped(name, code)
        try:
            guard.answering(self.url)
        except HubError:
            code = stack.exit_code("storage", wait_s=1.0) if stack and "storage" in stack.pids else None
            if code is None:
                self.keep_logs = True
                raise
            self._fail_stopped("storage", code)

    def _fail_stopped(self, name: str, code: int) -> None:
        self.keep_logs = True
        if name == "storage":
            raise HubError(f"the fake GCS server at {self.url} has stopped (exit code {code})")
        if name == "front":
            raise HubError(f"the storage front at {self.front_url} has stopped (exit code {code}); "
                           f"its log: {self.stack.log(name)}")
        raise HubError(f"the local hub's {name} has stopped (exit code {code}); its log: {self.stack.log(name)}")

    def clusters(self) -> list[str]:
        """Names of the member's running (or starting) gateway clusters."""
        try:
            return gatewayapi.clusters(self.addresses.gateway_address, self.member_token)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise HubError(f"the gateway at {self.addresses.gateway_address} did not list clusters: {exc}") from None

    def stop_cluster(self, name: str) -> None:
        """Shut one of the member's clusters down."""
        try:
            gatewayapi.stop(self.addresses.gateway_address, self.member_token, name)
        except (OSError, http.client.HTTPException) as exc:
            raise HubError(f"the gateway at {self.addresses.gateway_address} did not stop {name}: {exc}") from None

    def reset(self, lived_in: bool = False) -> None:
        """Back to the seeded state between pages: the member's clusters stopped, the buckets reseeded.

        lived_in adds the member's earlier work (seeds/lived-in/).
        """
        self.check()
        for name in self.clusters():
            self.stop_cluster(name)
        seed.reset(self.url, self.config, lived_in)

    def served(self, since: int | str = 0) -> tuple[int, list[str]]:
        """The objects the member's code read through the storage front since index `since`, and the next index.

        since="end": no objects, only the index from which later reads will be listed.
        """
        try:
            return api.served(self.front_url, since)
        except (OSError, ValueError, KeyError, http.client.HTTPException) as exc:
            code = self.stack.exit_code("front", wait_s=1.0) if self.stack and "front" in self.stack.pids else None
            if code is not None:
                self._fail_stopped("front", code)
            raise HubError(f"the storage front at {self.front_url} did not say what it served: {exc}") from None

    def reset_home(self) -> None:
        """The member's home back to its lived-in state: their notebooks, data and repository, nothing else."""
        template = self.sandbox / "home-seed"
        if not template.is_dir():  # a hub that another process started before homes had a template
            home.build(self.config, template)
        home.reset(template, self.sandbox / "home")

    def expire_scratch(self) -> list[str]:
        """A week later: scratch's lifecycle rule has deleted the member's objects within 7 days; their names."""
        return seed.expire_scratch(self.url, self.config)

    def start_member_server(self) -> dict:
        """Spawn the member's server through JupyterHub's API, as logging in does; its model."""
        return hubapi.start_server(self.addresses.hub_api_url, self.admin_token, self.config.member)

    # -- stop ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every process of the stack, restore os.environ, delete the sandbox; safe to call twice."""
        began = time.monotonic()
        if self.stack is not None:
            self.stack.stop()
            self.stack = None
            self.timings["stop_s"] = time.monotonic() - began
        if self._saved_environ is not None:
            os.environ.clear()
            os.environ.update(self._saved_environ)
            self._saved_environ = None
        if self.attached:
            self.sandbox = self.logs = None  # another process's: it deletes them
        if self.sandbox is not None:
            shutil.rmtree(self.sandbox, ignore_errors=True)
            self.sandbox = None
        if self.logs is not None and not self.keep_logs:
            shutil.rmtree(self.logs, ignore_errors=True)
            self.logs = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def roles_record(config: hubconfig.HubConfig) -> list:
    """The buckets' roles as stack.json records them: a process attaches only to a hub with its own roles."""
    return json.loads(json.dumps([dataclasses.asdict(role) for role in config.roles]))
