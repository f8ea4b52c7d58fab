"""LEAP's culling (culling.yml): the idle culler as a hub service, and kernel culling in the member's server."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import yaml

CULLING_YML = Path(__file__).with_name("culling.yml")
SERVER_KEYS = {"timeout", "every", "max_age", "concurrency", "users", "remove_named_servers", "admin_users"}
KERNEL_KEYS = {"cull_idle_timeout", "cull_connected", "cull_interval"}
SERVICE = "cull-idle"  # z2jh's name for the culler service
# z2jh's role for the culler (admin:users is added only when it culls users, which LEAP's does not).
SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


@dataclasses.dataclass(frozen=True)
class Culling:
    """The culler's settings (z2jh `cull:`) and the member's kernel culling."""

    servers: dict
    kernels: dict

    def shortened(self, servers: dict | None = None, kernels: dict | None = None) -> Culling:
        """The same settings with some values replaced (a test's short times); unknown keys are an error."""
        for given, known in ((servers or {}, SERVER_KEYS), (kernels or {}, KERNEL_KEYS)):
            if set(given) - known:
                raise ValueError(f"unknown culling keys {sorted(set(given) - known)}; known: {sorted(known)}")
        return Culling(self.servers | (servers or {}), self.kernels | (kernels or {}))

    def as_dict(self) -> dict:
        """For the stack's settings file."""
        return dataclasses.asdict(self)


def load(path: Path = CULLING_YML) -> Culling:
    """Parse culling.yml, refusing unknown or missing keys."""
    data = yaml.safe_load(path.read_text()) or {}
    if set(data) != {"servers", "kernels"} or set(data["servers"]) != SERVER_KEYS \
            or set(data["kernels"]) != KERNEL_KEYS:
        raise ValueError(f"{path}: expected servers: {sorted(SERVER_KEYS)} and kernels: {sorted(KERNEL_KEYS)}")
    return Culling(dict(data["servers"]), dict(data["kernels"]))


def culler_command(servers: dict, api_url: str) -> list[str]:
    """jupyterhub-idle-culler's command line, built as z2jh builds it from `cull:`."""
    command = [sys.executable, "-m", "jupyterhub_idle_culler", f"--url={api_url}",
               f"--timeout={servers['timeout']}", f"--cull-every={servers['every']}",
               f"--concurrency={servers['concurrency']}", f"--max-age={servers['max_age']}"]
    if servers["users"]:
        command.append("--cull-users")
    elif servers["remove_named_servers"]:
        command.append("--remove-named-servers")
    if not servers["admin_users"]:
        command.append("--cull-admin-users=false")
    return command


def service(servers: dict, api_url: str) -> tuple[dict, dict]:
    """The culler as a JupyterHub-managed service, and its role."""
    scopes = SCOPES + (["admin:users"] if servers["users"] else [])
    return ({"name": SERVICE, "command": culler_command(servers, api_url)},
            {"name": "jupyterhub-idle-culler", "scopes": scopes, "services": [SERVICE]})


def server_args(kernels: dict) -> list[str]:
    """The member's server's kernel culling, as command-line options of jupyter_server."""
    return [f"--MappingKernelManager.{name}={'True' if value is True else 'False' if value is False else value}"
            for name, value in kernels.items()]
