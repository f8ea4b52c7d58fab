"""dask-gateway-server's configuration for the local LEAP hub: read by `dask-gateway-server -f`.

A JupyterHub service behind the hub at /services/dask-gateway/, with JupyterHub logins and
LEAP's cluster options (fakehub/leapgateway.py); schedulers and workers are local processes
on 127.0.0.1, started with `python -m dask scheduler|worker` (distributed has no dask-scheduler
script any more).
"""

import json
import os
import sys
from pathlib import Path

from fakehub import leapgateway
from fakehub.addresses import GATEWAY_PREFIX

SETTINGS = json.loads(Path(os.environ["FAKEHUB_SETTINGS"]).read_text())
PORTS = SETTINGS["addresses"]

c = get_config()  # noqa: F821 (the gateway's config loader provides it)

c.DaskGateway.address = "127.0.0.1:0"  # the private API, reached through the proxy only
c.Proxy.address = f"127.0.0.1:{PORTS['gateway']}"
c.Proxy.prefix = GATEWAY_PREFIX  # the hub forwards this path unchanged
c.DaskGateway.log_level = "INFO"

c.DaskGateway.authenticator_class = "dask_gateway_server.auth.JupyterHubAuthenticator"
c.JupyterHubAuthenticator.jupyterhub_api_url = f"http://127.0.0.1:{PORTS['hub_api']}/hub/api"
c.JupyterHubAuthenticator.jupyterhub_api_token = SETTINGS["tokens"]["gateway"]
c.JupyterHubAuthenticator.jupyterhub_service_name = "dask-gateway"  # tokens need the service's access scope

c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"  # runs as this user
c.UnsafeLocalBackend.clusters_directory = SETTINGS["clusters"]
c.UnsafeLocalBackend.inherited_environment = ["PATH", "LANG", "LC_ALL"]  # nothing else of this process
c.UnsafeLocalBackend.sigint_timeout = 3
c.LocalClusterConfig.scheduler_cmd = [sys.executable, "-m", "dask", "scheduler"]
# Without --host a worker listens on every interface (while it reports 127.0.0.1).
c.LocalClusterConfig.worker_cmd = [sys.executable, "-m", "dask", "worker", "--host", "127.0.0.1"]
c.LocalClusterConfig.idle_timeout = 60 * leapgateway.load().idle_timeout_minutes
c.Backend.cluster_options = leapgateway.cluster_options(leapgateway.load(), SETTINGS["worker_environ"])
