"""The member's environment, defined once: for the spawner's servers, for kernels, and for gateway workers.

Three layers: what the real hub sets (its variables, and Dask Gateway's), what points clients at
loopback instead of Google (the only difference from the hub), and what JupyterHub gives a
server of its own (its API token and URLs), which kernels started outside the hub need too.
"""

from __future__ import annotations

import json
from pathlib import Path

from .addresses import GATEWAY_PREFIX, Addresses
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
NETGUARD = Path(__file__).with_name("netguard")  # its sitecustomize refuses non-loopback connections
GATEWAY_SCOPE = "access:services!service=dask-gateway"  # LEAP grants it to every member's server
# LEAP's GitHub app for gh-scoped-creds, as the hub gives it to every server (singleuser.extraEnv
# in config/clusters/leap/daskhub-common.values.yaml of 2i2c-org/infrastructure, read 2026-08).
GH_SCOPED_CREDS = {
    "GH_SCOPED_CREDS_CLIENT_ID": "Iv1.0c7df3d4b3191b2f",
    "GH_SCOPED_CREDS_APP_URL": "https://github.com/apps/leap-hub-push-access",
}


def hub_variables(config: HubConfig) -> dict[str, str]:
    """What the real hub sets on a member's server (2i2c's configuration of leap.2i2c.cloud)."""
    member = config.member
    return {
        "JUPYTERHUB_USER": member,
        **bucket_variables(config),
        "JUPYTER_IMAGE_SPEC": config.image,
        "JUPYTER_IMAGE": config.image,
        **GH_SCOPED_CREDS,
    }


def bucket_variables(config: HubConfig, workers: bool = False) -> dict[str, str]:
    """Each bucket's variables (hub.yml), pointing at the member's folder; only those workers get, if asked."""
    return {name: f"gs://{role.name}/{config.member}"
            for role in config.roles if role.workers or not workers for name in role.variables}


def forwarded_to_workers(config: HubConfig) -> dict[str, str]:
    """The variables the hub passes on to gateway clusters: scratch only, not PERSISTENT_BUCKET (hub.yml: workers)."""
    return bucket_variables(config, workers=True)


def gateway_variables(config: HubConfig, addresses: Addresses) -> dict[str, str]:
    """DASK_GATEWAY__* as the hub sets them, so Gateway() needs no arguments."""
    return {
        "DASK_GATEWAY__ADDRESS": addresses.gateway_address,
        "DASK_GATEWAY__PROXY_ADDRESS": addresses.gateway_proxy_address,
        "DASK_GATEWAY__PUBLIC_ADDRESS": f"{GATEWAY_PREFIX}/",
        "DASK_GATEWAY__AUTH__TYPE": "jupyterhub",
        "DASK_GATEWAY__CLUSTER__OPTIONS__IMAGE": config.image,
        # On the hub Kubernetes expands $(SCRATCH_BUCKET) in this value; here it is filled in directly.
        "DASK_GATEWAY__CLUSTER__OPTIONS__ENVIRONMENT": json.dumps(forwarded_to_workers(config)),
        "DASK_DISTRIBUTED__DASHBOARD__LINK": "{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status",
    }


def loopback_variables(storage_url: str, home: Path, cache: Path) -> dict[str, str]:
    """Where the local hub differs from the real one: storage on loopback, and nothing but loopback."""
    metadata = storage_url.removeprefix("http://")
    return {
        # gcsfs talks to the emulator, anonymously, without probing the GCE metadata server or
        # the gRPC bucket-type API (3-30 s a call).
        "STORAGE_EMULATOR_HOST": storage_url,
        "NO_GCE_CHECK": "true",
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        # Any metadata-server probe goes to the fake server, which answers at once with a
        # page that is not Google's: older google-auth (2.41 in the hub image) ignores
        # NO_GCE_CHECK and would retry a silent address for 3 s, or leave loopback.
        "GCE_METADATA_HOST": metadata,
        "GCE_METADATA_IP": metadata,
        "GCE_METADATA_ROOT": metadata,  # the older name, read by C++ clients (pyarrow)
        "CLOUDSDK_CONFIG": str(home / ".config" / "gcloud"),
        # Clients that honour proxy variables (requests, libcurl: pyarrow's own GCS client,
        # gcloud) fail at once instead of reaching Google; aiohttp, which gcsfs uses, does not
        # read them, and loopback is exempt.
        **{name: f"http://{DEAD_LOOPBACK}" for name in PROXY_VARIABLES},
        "NO_PROXY": LOOPBACK_NAMES,
        "no_proxy": LOOPBACK_NAMES,
        # The dask-gateway client takes HTTP_PROXY but ignores NO_PROXY; on the hub no proxy is
        # set, so "no proxy" is what it does there too.
        "DASK_GATEWAY__HTTP_CLIENT__PROXY": "false",
        # Python code reaches loopback only (fakehub/netguard/sitecustomize.py).
        "PYTHONPATH": str(NETGUARD),
        # Caches outside home, so the home a page sees holds only what the seed put there.
        "XDG_CACHE_HOME": str(cache),
        "HOME": str(home),
    }


def server_environ(config: HubConfig, addresses: Addresses, storage_url: str, sandbox: Path) -> dict[str, str]:
    """What the spawner adds to a member's server; JupyterHub adds its own JUPYTERHUB_* itself."""
    hub = {k: v for k, v in hub_variables(config).items() if not k.startswith("JUPYTERHUB_")}
    return (hub | gateway_variables(config, addresses)
            | loopback_variables(storage_url, sandbox / "home", sandbox / "cache"))


def kernel_environ(config: HubConfig, addresses: Addresses, storage_url: str, sandbox: Path,
                   token: str) -> dict[str, str]:
    """What a kernel in a member's server sees: the server's variables, JupyterHub's included."""
    prefix = f"/user/{config.member}/"
    return server_environ(config, addresses, storage_url, sandbox) | {
        "JUPYTERHUB_USER": config.member,
        "JUPYTERHUB_API_TOKEN": token,  # the member's: it carries the gateway's scope
        "JUPYTERHUB_API_URL": addresses.hub_api_url,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
    }


def worker_environ(storage_url: str, sandbox: Path) -> dict[str, str]:
    """What gateway schedulers and workers get besides the cluster's environment option: loopback only.

    A worker runs in a pod of its own on the hub: none of the member's variables, no home of theirs.
    """
    return loopback_variables(storage_url, sandbox / "worker-home", sandbox / "worker-cache") | {
        "TMPDIR": str(sandbox / "worker-cache"),  # dask's scratch space: in the run's sandbox, not the machine's /tmp
    }
