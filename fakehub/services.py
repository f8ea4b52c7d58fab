"""The stack's three services: storage (fake-gcs-server), JupyterHub and Dask Gateway, each on 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import sys
import urllib.error
from collections.abc import Callable
from pathlib import Path

from . import server
from .addresses import GATEWAY_PREFIX, Addresses
from .api import get_json
from .stack import Service

ROOT = Path(__file__).resolve().parents[1]  # the services import fakehub from here
HERE = Path(__file__).parent


def answers(url: str, check: Callable[[dict], bool] = lambda reply: True) -> Callable[[], bool]:
    """A readiness probe: url returns JSON that passes check."""

    def probe() -> bool:
        try:
            return check(get_json(url, timeout=0.5))
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
            return False  # not up yet, or half up

    return probe


def storage(addresses: Addresses, run: Path) -> Service:
    """fake-gcs-server, answering the GCS JSON API."""
    url = addresses.storage_url
    return Service("storage", f"storage (fake-gcs-server at {url})", server.command(addresses.storage), {},
                   answers(f"{url}/storage/v1/b", lambda reply: reply.get("kind") == "storage#buckets"), cwd=str(run),
                   port=addresses.storage)


def front(addresses: Addresses, upstream: str, read_only: tuple[str, ...], buckets: tuple[str, ...],
          env: dict[str, str], run: Path) -> Service:
    """The storage front (fakehub/front.py) before upstream: ready once it passes on a listing of every bucket."""
    url = addresses.front_url
    argv = [sys.executable, "-m", "fakehub.front", str(addresses.front), upstream,
            *(arg for bucket in read_only for arg in ("--read-only", bucket))]
    # Ready when the buckets exist behind it: the storage's seeding made them, so a gcsfs probe may start.
    listed = answers(f"{url}/storage/v1/b", lambda reply: set(buckets) <= {b["name"] for b in reply.get("items", [])})
    return Service("front", f"storage front (fakehub.front at {url})", argv, env, listed, cwd=str(run),
                   port=addresses.front)


def python_env(base: dict[str, str], settings: Path) -> dict[str, str]:
    """A Python service's environment: base, the stack's settings, and fakehub importable."""
    path = os.pathsep.join(p for p in (str(ROOT), base.get("PYTHONPATH", "")) if p)
    return base | {"FAKEHUB_SETTINGS": str(settings), "PYTHONPATH": path}


def hub(addresses: Addresses, env: dict[str, str], run: Path) -> Service:
    """JupyterHub (and, started by it, its proxy), answering its REST API through the proxy."""
    url = addresses.hub_url
    itself = answers(f"{addresses.hub_api_url}/", lambda reply: "version" in reply)
    through_proxy = answers(f"{url}/hub/api/", lambda reply: "version" in reply)  # asked once the hub is up
    return Service("hub", f"hub (JupyterHub at {url})",
                   [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py")], env,
                   lambda: itself() and through_proxy(), cwd=str(run), port=addresses.hub)


def gateway(addresses: Addresses, env: dict[str, str], run: Path) -> Service:
    """dask-gateway-server (and its proxy), answering its health check."""
    url = addresses.gateway_url
    return Service("gateway", f"gateway (dask-gateway-server at {url})",
                   [sys.executable, "-m", "dask_gateway_server", "-f", str(HERE / "gateway_config.py")], env,
                   answers(f"{url}{GATEWAY_PREFIX}/api/health", lambda reply: reply.get("status") == "pass"),
                   cwd=str(run), port=addresses.gateway)
