"""Where the local hub's services listen: every port on 127.0.0.1, chosen free at start."""

from __future__ import annotations

import dataclasses
import random
import socket
from pathlib import Path

GATEWAY_PREFIX = "/services/dask-gateway"  # as on the real hub: the gateway behind JupyterHub
# The range fakehub/offline.py widens in its namespace (it runs as a plain script, so it cannot import this module).
EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
BELOW_EPHEMERAL = 12000  # how many ports below the ephemeral range to pick from


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A free TCP port on 127.0.0.1, below the kernel's ephemeral range when there is one.

    A service binds its port seconds after it is picked (JupyterHub imports for a while). The
    kernel hands ephemeral ports to every outgoing connection on the machine, so one picked
    there may be taken by then; below that range only another listener can take it.
    """
    try:
        low = int(EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 0
    if low > 1024 + BELOW_EPHEMERAL:
        for _ in range(50):
            port = random.randrange(low - BELOW_EPHEMERAL, low)
            if _bindable(port):
                return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclasses.dataclass(frozen=True)
class Addresses:
    """The ports of one stack, and the URLs built from them."""

    storage: int  # fake-gcs-server: fakehub's own admin work (seeding, reset, snapshots)
    front: int  # the storage front (fakehub/front.py): what the member's code reaches
    hub: int  # JupyterHub's public address: its proxy
    hub_api: int  # JupyterHub itself, where services and servers call its API
    proxy_api: int  # the proxy's REST API, used by JupyterHub only
    gateway: int  # dask-gateway-server's proxy: HTTP API and the schedulers' TLS traffic

    @classmethod
    def pick(cls, **fixed: int) -> Addresses:
        """Free ports for every service (no two alike), except those given."""
        ports = dict(fixed)
        for field in dataclasses.fields(cls):
            while not ports.get(field.name) or list(ports.values()).count(ports[field.name]) > 1:
                ports[field.name] = free_port()
        return cls(**ports)

    @property
    def storage_url(self) -> str:
        """The fake GCS server."""
        return f"http://127.0.0.1:{self.storage}"

    @property
    def front_url(self) -> str:
        """The storage front before the fake GCS server: STORAGE_EMULATOR_HOST for the member's code."""
        return f"http://127.0.0.1:{self.front}"

    @property
    def hub_url(self) -> str:
        """The hub, as a browser or a member's code reaches it."""
        return f"http://127.0.0.1:{self.hub}"

    @property
    def hub_api_url(self) -> str:
        """JupyterHub's REST API, as servers and services on the hub call it."""
        return f"http://127.0.0.1:{self.hub_api}/hub/api"

    @property
    def gateway_url(self) -> str:
        """The gateway's own HTTP address (the hub proxies GATEWAY_PREFIX to it)."""
        return f"http://127.0.0.1:{self.gateway}"

    @property
    def gateway_address(self) -> str:
        """DASK_GATEWAY__ADDRESS: the gateway behind the hub."""
        return f"{self.hub_url}{GATEWAY_PREFIX}/"

    @property
    def gateway_proxy_address(self) -> str:
        """DASK_GATEWAY__PROXY_ADDRESS: where clients reach schedulers."""
        return f"gateway://127.0.0.1:{self.gateway}"
