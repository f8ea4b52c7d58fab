"""The member's clusters, through the gateway's REST API as the dask-gateway client calls it.

Plain urllib rather than dask_gateway.Gateway: the harness asks after every cell, and the client
would import distributed and run an event loop in the harness's own process.
"""

from __future__ import annotations

import json
import urllib.request

from .api import OPENER


def _call(address: str, token: str, method: str, path: str) -> bytes:
    request = urllib.request.Request(f"{address.rstrip('/')}/api/v1/{path}", method=method)
    request.add_header("Authorization", f"jupyterhub {token}")  # what JupyterHubAuth sends
    with OPENER.open(request, timeout=10) as response:
        return response.read()


def clusters(address: str, token: str) -> list[str]:
    """Names of the token owner's active (pending or running) clusters."""
    return sorted(json.loads(_call(address, token, "GET", "clusters/?status=PENDING,RUNNING")))


def stop(address: str, token: str, name: str) -> None:
    """Ask the gateway to shut a cluster down, as cluster.shutdown() does."""
    _call(address, token, "DELETE", f"clusters/{name}")
