"""The few JupyterHub REST API calls the local hub makes: a member's token, and their server."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from .api import OPENER
from .errors import HubError


def call(url: str, token: str, method: str = "GET", body: dict | None = None, timeout: float = 10) -> dict:
    """One API call with the given token; the reply's JSON ({} when empty)."""
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method)
    request.add_header("Authorization", f"token {token}")
    with OPENER.open(request, timeout=timeout) as response:
        text = response.read()
    return json.loads(text) if text else {}


def create_token(api_url: str, admin_token: str, member: str, scopes: list[str], note: str) -> str:
    """A new API token of the member, with exactly these scopes."""
    try:
        reply = call(f"{api_url}/users/{member}/tokens", admin_token, "POST", {"scopes": scopes, "note": note})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise HubError(f"JupyterHub at {api_url} did not give {member} a token: {exc}") from None
    return reply["token"]


def start_server(api_url: str, admin_token: str, member: str, timeout: float = 60) -> dict:
    """Spawn the member's default server (unless it runs) and wait until it is ready; its model."""
    if "" not in call(f"{api_url}/users/{member}", admin_token).get("servers", {}):
        call(f"{api_url}/users/{member}/server", admin_token, "POST", timeout=timeout)  # it may wait for the spawn
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = call(f"{api_url}/users/{member}", admin_token).get("servers", {}).get("", {})
        if server.get("ready"):
            return server
        time.sleep(0.1)
    raise HubError(f"{member}'s server did not become ready within {timeout:.0f} s")


def stop_server(api_url: str, admin_token: str, member: str) -> None:
    """Stop the member's default server (JupyterHub waits for it to exit)."""
    call(f"{api_url}/users/{member}/server", admin_token, "DELETE", timeout=30)
