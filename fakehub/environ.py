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
LOOPBACK_NAMES = "127.0.0.1,localhost,::1"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
# LEAP's GitHub app for gh-scoped-creds, as the hub gives it to every server (singleuser.extraEnv
# in config/clusters/leap/daskhub-common.values.yaml of 2i2c-org/infrastructure, read 2026-08).
GH_SCOPED_CREDS = {
    "GH_SCOPED_CREDS_CLIENT_ID": "Iv1.0c7df3d4b3191b2f",
    "GH_SCOPED_CREDS_APP_URL": "https://github.com/apps/leap-hub-push-access",
}


def hub_environ(config: HubConfig, url: str, sandbox: Path) -> dict[str, str]:
    """Variables to set for a page, as the hub sets them, but against the fake server."""
    member = config.member
    metadata = url.removeprefix("http://")
    return {
        # What the real hub's singleuser servers set.
        "JUPYTERHUB_USER": member,
        "SCRATCH_BUCKET": f"gs://leap-scratch/{member}",
        "PANGEO_SCRATCH": f"gs://leap-scratch/{member}",
        "PERSISTENT_BUCKET": f"gs://leap-persistent/{member}",
        "JUPYTER_IMAGE_SPEC": config.image,
        "JUPYTER_IMAGE": config.image,
        **GH_SCOPED_CREDS,
        "HOME": str(sandbox / "home"),
        # Where the fake hub differs: gcsfs talks to the emulator, anonymously, without
        # probing the GCE metadata server or the gRPC bucket-type API (3-30 s a call).
        "STORAGE_EMULATOR_HOST": url,
        "NO_GCE_CHECK": "true",
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        # Any metadata-server probe goes to the fake server, which answers at once with a
        # page that is not Google's: older google-auth (2.41 in the hub image) ignores
        # NO_GCE_CHECK and would retry a silent address for 3 s, or leave loopback.
        "GCE_METADATA_HOST": metadata,
        "GCE_METADATA_IP": metadata,
        "GCE_METADATA_ROOT": metadata,  # the older name, read by C++ clients (pyarrow)
        "CLOUDSDK_CONFIG": str(sandbox / "home" / ".config" / "gcloud"),
        # Clients that honour proxy variables (requests, libcurl: pyarrow's own GCS client,
        # gcloud) fail at once instead of reaching Google; aiohttp, which gcsfs uses, does not
        # read them, and loopback is exempt.
        **{name: f"http://{DEAD_LOOPBACK}" for name in PROXY_VARIABLES},
        "NO_PROXY": LOOPBACK_NAMES,
        "no_proxy": LOOPBACK_NAMES,
        # Caches outside home, so the home a page sees holds only what the seed put there.
        "XDG_CACHE_HOME": str(sandbox / "cache"),
    }
