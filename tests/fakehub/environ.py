"""The environment a page sees: what the real hub sets, plus what points gcsfs at loopback."""

from __future__ import annotations

from pathlib import Path

from .config import HubConfig

# Anything that could hand real Google credentials to a page. Removed, never forwarded.
CREDENTIAL_VARIABLES = (
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "CLOUDSDK_CORE_PROJECT",
    "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE",
)
DEAD_LOOPBACK = "127.0.0.1:9"  # the discard port: nothing listens, so a stray call fails at once


def hub_environ(config: HubConfig, url: str, sandbox: Path) -> dict[str, str]:
    """Variables to set for a page, as the hub sets them, but against the fake server."""
    member = config.member
    return {
        # What the real hub's singleuser servers set.
        "JUPYTERHUB_USER": member,
        "SCRATCH_BUCKET": f"gs://leap-scratch/{member}",
        "PANGEO_SCRATCH": f"gs://leap-scratch/{member}",
        "PERSISTENT_BUCKET": f"gs://leap-persistent/{member}",
        "JUPYTER_IMAGE_SPEC": config.image,
        "JUPYTER_IMAGE": config.image,
        "HOME": str(sandbox / "home"),
        # Where the fake hub differs: gcsfs talks to the emulator, anonymously, without
        # probing the GCE metadata server or the gRPC bucket-type API (3-30 s a call).
        "STORAGE_EMULATOR_HOST": url,
        "NO_GCE_CHECK": "true",
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        "GCE_METADATA_HOST": DEAD_LOOPBACK,
        "GCE_METADATA_IP": DEAD_LOOPBACK,
        "CLOUDSDK_CONFIG": str(sandbox / "home" / ".config" / "gcloud"),
        # Caches outside home, so the home a page sees holds only what the seed put there.
        "XDG_CACHE_HOME": str(sandbox / "cache"),
    }
