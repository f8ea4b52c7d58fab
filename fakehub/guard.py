"""Fail closed: only a loopback emulator that answers, and gcsfs pointed at it."""

from __future__ import annotations

import http.client
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
        reply = get_json(f"{url}/storage/v1/b", timeout=2.0)  # a quick answer or none: the run stops before a cell
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        from .offline import other_loopback  # here, not above: `python -m fakehub.offline` imports this package first

        raise HubError(f"no fake GCS server answers at {url} ({exc}){other_loopback()}; {FIX}") from None
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


class GcsfsProbe:
    """Whether a default gcsfs.GCSFileSystem(), in a fresh process, uses url and sees the buckets.

    Started at once, judged by result(), so the stack's other services start meanwhile.
    """

    def __init__(self, url: str, buckets: tuple[str, ...], environ: dict[str, str]):
        self.url, self.buckets = url, buckets
        self.process = subprocess.Popen([sys.executable, "-c", PROBE], env=environ, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result(self) -> None:
        """Raise HubError unless the probe saw the fake hub's buckets at url."""
        url = self.url
        try:
            stdout, stderr = self.process.communicate(timeout=60)
            if self.process.returncode:
                raise subprocess.CalledProcessError(self.process.returncode, "probe", stdout, stderr)
            probe = json.loads(stdout)
        except (subprocess.SubprocessError, ValueError) as exc:
            self.process.kill()
            detail = getattr(exc, "stderr", "") or exc
            detail = str(detail).strip()[-500:]
            raise HubError(f"gcsfs could not list the fake hub's buckets at {url}: {detail}") from None
        if probe["class"] != "GCSFileSystem" or probe["location"].rstrip("/") != url:
            raise HubError(f"gcsfs would use {probe['class']} at {probe['location']}, not the fake hub at {url}")
        missing = set(self.buckets) - set(probe["buckets"])
        if missing:
            raise HubError(f"gcsfs reached {url} but buckets {sorted(missing)} are missing")


def gcsfs_points_at(url: str, buckets: tuple[str, ...], environ: dict[str, str]) -> None:
    """Raise unless a default gcsfs.GCSFileSystem(), in a fresh process, uses url and sees the buckets."""
    GcsfsProbe(url, buckets, environ).result()
