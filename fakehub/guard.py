"""Fail closed: only a loopback emulator that answers, and gcsfs pointed at it."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import urllib.error
import urllib.parse

from .api import get_json
from .errors import HubError

FIX = "start that server, or unset STORAGE_EMULATOR_HOST so the fake hub starts its own"


def loopback_url(value: str) -> str:
    """Return STORAGE_EMULATOR_HOST as a URL, or raise if it is not on loopback."""
    url = value if "://" in value else f"http://{value}"
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or ""
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError
        except ValueError:
            raise HubError(
                f"STORAGE_EMULATOR_HOST={value!r} is not a loopback address; "
                f"refusing to run pages against it ({FIX})"
            ) from None
    if parsed.scheme != "http" or parsed.port is None:
        raise HubError(f"STORAGE_EMULATOR_HOST={value!r} must look like http://127.0.0.1:PORT ({FIX})")
    return f"http://{host}:{parsed.port}"


def answering(url: str) -> None:
    """Raise unless a GCS JSON API answers at url."""
    try:
        reply = get_json(f"{url}/storage/v1/b")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise HubError(f"no fake GCS server answers at {url} ({exc}); {FIX}") from None
    if reply.get("kind") != "storage#buckets":
        raise HubError(f"{url} answered, but not as a GCS server; {FIX}")


# Run in a fresh interpreter, as a kernel would: gcsfs and google-auth read some of the
# hub's variables once, at import time, so an import made earlier in this process proves nothing.
PROBE = """
import json, gcsfs
fs = gcsfs.GCSFileSystem()
print(json.dumps({"class": type(fs).__name__, "location": fs._location,
                  "buckets": sorted(b.rstrip("/") for b in fs.ls(""))}))
"""


def gcsfs_points_at(url: str, buckets: tuple[str, ...], environ: dict[str, str]) -> None:
    """Raise unless a default gcsfs.GCSFileSystem(), in a fresh process, uses url and sees the buckets."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, timeout=60, check=True
        )
        probe = json.loads(result.stdout)
    except (subprocess.SubprocessError, ValueError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        raise HubError(f"gcsfs could not list the fake hub's buckets at {url}: {str(detail).strip()[-500:]}") from None
    if probe["class"] != "GCSFileSystem" or probe["location"].rstrip("/") != url:
        raise HubError(f"gcsfs would use {probe['class']} at {probe['location']}, not the fake hub at {url}")
    missing = set(buckets) - set(probe["buckets"])
    if missing:
        raise HubError(f"gcsfs reached {url} but buckets {sorted(missing)} are missing")
