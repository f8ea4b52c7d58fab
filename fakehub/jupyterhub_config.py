"""JupyterHub's configuration for the local LEAP hub: read by `jupyterhub -f`, from the stack's settings.

Everything on 127.0.0.1: the proxy (the PyPI configurable-http-proxy), the hub, the member's
server. The built-in dummy login with the one member, the simple local-process spawner, and the
gateway as an external service behind the hub at /services/dask-gateway/, as on leap.2i2c.cloud.
"""

import json
import os
import sys
from pathlib import Path

from fakehub import culling

SETTINGS = json.loads(Path(os.environ["FAKEHUB_SETTINGS"]).read_text())
PORTS = SETTINGS["addresses"]
GATEWAY_SCOPE = "access:services!service=dask-gateway"  # LEAP grants it to members and their servers

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

c.JupyterHub.bind_url = f"http://127.0.0.1:{PORTS['hub']}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{PORTS['hub_api']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORTS['proxy_api']}"
c.ConfigurableHTTPProxy.command = [str(Path(sys.executable).with_name("configurable-http-proxy"))]
c.ConfigurableHTTPProxy.pid_file = str(Path(SETTINGS["run"]) / "proxy.pid")
c.JupyterHub.db_url = "sqlite://"  # in memory: the hub lives as long as the run
c.JupyterHub.cookie_secret = os.urandom(32)
c.JupyterHub.log_level = "INFO"

c.JupyterHub.authenticator_class = "dummy"
# The GitHub login as typed (mixed case): JupyterHub normalizes it to the hub user name, in lower case.
c.Authenticator.allowed_users = {SETTINGS["login"]}

c.JupyterHub.spawner_class = "fakehub.podspawner.PodLikeSpawner"  # stops a server as a pod deletion does
c.JupyterHub.allow_named_servers = True
c.SimpleLocalProcessSpawner.home_dir_template = SETTINGS["home"]
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.args = (["--allow-root"] if os.geteuid() == 0 else []) + culling.server_args(SETTINGS["culling"]["kernels"])
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = SETTINGS["root_dir"]  # the member's home; the repository's working tree for writers
c.Spawner.environment = SETTINGS["server_environ"]  # fakehub/member.py: one definition of the member's environment

c.JupyterHub.services = [
    {"name": "dask-gateway", "url": f"http://127.0.0.1:{PORTS['gateway']}", "api_token": SETTINGS["tokens"]["gateway"],
     "display": False},
    {"name": "fakehub", "api_token": SETTINGS["tokens"]["fakehub"]},  # the local hub's own calls: tokens, servers
]
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", GATEWAY_SCOPE]},
    {"name": "server", "scopes": ["users:activity!user", "access:servers!server", GATEWAY_SCOPE]},
    {"name": "fakehub", "scopes": ["admin:users", "admin:servers", "admin:server_state", "tokens"],
     "services": ["fakehub"]},
]

# LEAP's idle culler (fakehub/culling.yml), when the stack runs it: hub.py says when.
if SETTINGS["culling"]["servers"]:
    culler, culler_role = culling.service(SETTINGS["culling"]["servers"], f"http://127.0.0.1:{PORTS['hub_api']}/hub/api")
    c.JupyterHub.services.append(culler)
    c.JupyterHub.load_roles.append(culler_role)
