"""The local hub itself: seeds, the member's environment, the gateway as LEAP configures it, failing closed."""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml

from fakehub import FakeHub, HubError, api, config, hubapi, leapgateway, load, member
from fakehub.procs import listening
from fakehub.seed import earlier_work, seed_objects
from fakehub.server import Server

ROOT = Path(__file__).parents[1]  # python -m fakehub runs from the repository root
CONFIG = load()


def objects(url: str) -> dict[tuple[str, str], str]:
    return {(b, o["name"]): o["md5Hash"] for b in CONFIG.buckets for o in api.list_objects(url, b)}


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def run_in(hub: FakeHub, code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run Python code as a member's kernel would: a fresh process with the hub's environment."""
    return subprocess.run([sys.executable, "-c", code], env=hub.process_environ, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def hub(local_hub):
    """The test process's shared local hub (tests/conftest.py)."""
    return local_hub


def test_seeds_every_object_byte_for_byte(hub):
    seeds = seed_objects(CONFIG)
    assert any(b == "leap-persistent-ro" for b, _ in seeds), "the read-only dataset is seeded"
    members = {name.split("/")[0] for b, name in seeds if b == "leap-persistent"}
    assert members >= {"another-member", "yet-another-member"}
    hub.reset()
    assert api.bucket_names(hub.url) >= set(CONFIG.buckets)
    assert objects(hub.url) == {key: md5(path.read_bytes()) for key, path in seeds.items()}


def test_the_kernels_environment_is_the_hubs(hub):
    user, env = CONFIG.member, hub.process_environ
    assert env["JUPYTERHUB_USER"] == user
    assert env["SCRATCH_BUCKET"] == env["PANGEO_SCRATCH"] == f"gs://leap-scratch/{user}"
    assert env["PERSISTENT_BUCKET"] == f"gs://leap-persistent/{user}"
    assert env["JUPYTER_IMAGE_SPEC"] == env["JUPYTER_IMAGE"] == CONFIG.image
    assert env["GH_SCOPED_CREDS_APP_URL"] == "https://github.com/apps/leap-hub-push-access"
    assert env["GH_SCOPED_CREDS_CLIENT_ID"].startswith("Iv1.")
    assert env["HOME"] == str(hub.sandbox / "home")
    assert env["STORAGE_EMULATOR_HOST"] == hub.front_url != hub.url  # the member's code goes through the front
    assert env["NO_GCE_CHECK"] == "true" and env["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] == "false"
    # Dask Gateway, as the hub sets it: behind the hub, with the member's own token.
    assert env["DASK_GATEWAY__ADDRESS"] == f"{hub.addresses.hub_url}/services/dask-gateway/"
    assert env["DASK_GATEWAY__PUBLIC_ADDRESS"] == "/services/dask-gateway/"
    assert env["DASK_GATEWAY__AUTH__TYPE"] == "jupyterhub"
    assert env["DASK_GATEWAY__CLUSTER__OPTIONS__IMAGE"] == CONFIG.image
    assert json.loads(env["DASK_GATEWAY__CLUSTER__OPTIONS__ENVIRONMENT"]) == {
        "SCRATCH_BUCKET": f"gs://leap-scratch/{user}", "PANGEO_SCRATCH": f"gs://leap-scratch/{user}"}
    assert env["JUPYTERHUB_API_TOKEN"] == hub.member_token
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(member.NETGUARD)


def scopes(hub: FakeHub, token: str) -> list[str]:
    """The scopes JupyterHub grants a token (GET /hub/api/user, as the gateway asks)."""
    request = urllib.request.Request(f"{hub.addresses.hub_api_url}/user")
    request.add_header("Authorization", f"token {token}")
    with api.OPENER.open(request, timeout=10) as response:
        reply = json.load(response)
    assert reply["name"] == CONFIG.member and reply["kind"] == "user"
    return reply["scopes"]


def test_the_members_token_has_the_gateways_scope_only(hub):
    found = scopes(hub, hub.member_token)
    assert member.GATEWAY_SCOPE in found
    assert not any(scope.startswith(("admin", "servers", "tokens")) for scope in found)


def test_the_hub_user_is_the_github_login_in_lower_case(hub):
    from jupyterhub.auth import Authenticator

    assert CONFIG.login == "Jane-Doe-42" and CONFIG.member == "jane-doe-42"
    assert Authenticator().normalize_username(CONFIG.login) == CONFIG.member  # JupyterHub's own rule agrees
    users = hubapi.call(f"{hub.addresses.hub_api_url}/users", hub.admin_token)
    assert [user["name"] for user in users] == [CONFIG.member]  # the hub made its user of the mixed-case login


def test_logging_in_with_the_mixed_case_login_makes_the_lower_case_hub_user(hub):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar),
                                         NoRedirect())
    form = opener.open(f"{hub.addresses.hub_url}/hub/login", timeout=10).read().decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form)[1]
    body = urllib.parse.urlencode({"username": CONFIG.login, "password": "any", "_xsrf": xsrf}).encode()
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(urllib.request.Request(f"{hub.addresses.hub_url}/hub/login", data=body), timeout=30)
    assert redirected.value.code == 302, redirected.value.read()[:300]
    home = opener.open(f"{hub.addresses.hub_url}/hub/home", timeout=30).read().decode()
    assert CONFIG.member in home and CONFIG.login not in home


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Stop at the first redirect, so the login's answer shows."""

    def redirect_request(self, *args, **kwargs):
        """Follow nothing."""
        return None


def test_a_fresh_process_uses_gcsfs_against_the_hub(hub):
    out = run_in(hub, "import gcsfs; fs = gcsfs.GCSFileSystem(); print(fs._location); "
                      "print(sorted(fs.ls('leap-persistent-ro/data-library')))")
    location, listing = out.stdout.splitlines()
    assert location == hub.front_url
    assert "leap-persistent-ro/data-library/sst-monthly-demo.zarr" in listing


def test_clients_that_bypass_gcsfs_cannot_leave_loopback(hub):
    code = (
        "import requests\n"
        "try:\n"
        "    requests.get('https://storage.googleapis.com/storage/v1/b/leap-scratch', timeout=5)\n"
        "except requests.exceptions.ProxyError as exc:\n"
        "    print('refused')\n"
    )
    started = time.monotonic()
    out = run_in(hub, code)
    assert out.stdout.strip() == "refused", out.stderr
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("target", ["('192.0.2.1', 80)", "('2001:db8::1', 443)", "('storage.googleapis.com', 443)"])
def test_python_code_reaches_loopback_only(hub, target):
    code = f"import socket\ntry:\n    socket.create_connection({target}, timeout=5)\nexcept OSError as e:\n    print(e)"
    out = run_in(hub, code)
    assert "the local LEAP hub lets code reach loopback (127.0.0.1) only" in out.stdout, out.stdout + out.stderr


# Datagrams: sendto and sendmsg name their address; a connected socket's send() raises no audit event,
# so its connect() is where the guard refuses.
@pytest.mark.parametrize("send", ["s.sendto(b'x', ('192.0.2.1', 53))", "s.sendmsg([b'x'], [], 0, ('192.0.2.1', 53))",
                                  "s.connect(('192.0.2.1', 53)); s.send(b'x')"])
def test_python_code_sends_no_datagram_outside_loopback(hub, send):
    code = (f"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ntry:\n    {send}\n"
            "except PermissionError as e:\n    print(e)\nelse:\n    print('sent')")
    out = run_in(hub, code)
    assert "refused to reach 192.0.2.1:53: the local LEAP hub lets code reach loopback" in out.stdout, out.stderr


def test_a_lived_in_reset_adds_the_members_earlier_work(hub):
    earlier = earlier_work(CONFIG)
    assert {b for b, _ in earlier} == {"leap-scratch", "leap-persistent"}
    assert all(name.startswith(f"{CONFIG.member}/") for _, name in earlier)
    hub.reset()
    seeded = objects(hub.url)
    hub.reset(lived_in=True)
    assert objects(hub.url) == seeded | {key: md5(path.read_bytes()) for key, path in earlier.items()}
    hub.reset()
    assert objects(hub.url) == seeded


def test_reset_returns_to_the_seeded_state(hub):
    seeded = {key: md5(path.read_bytes()) for key, path in seed_objects(CONFIG).items()}  # not what a page left
    api.upload(hub.url, "leap-scratch", f"{CONFIG.member}/new.txt", b"new")
    api.delete(hub.url, "leap-persistent", "another-member/README.txt")
    hub.reset()
    assert objects(hub.url) == seeded


GATEWAY = """
import json, os
from dask_gateway import Gateway
gateway = Gateway()
options = gateway.cluster_options()
report = {"options": {name: options[name] for name in options}}
options.worker_resource_allocation = "2CPU, 14.5Gi"
cluster = gateway.new_cluster(options)
cluster.scale(2)
client = cluster.get_client()
client.wait_for_workers(2)
names = ["SCRATCH_BUCKET", "PANGEO_SCRATCH", "PERSISTENT_BUCKET", "JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN",
         "STORAGE_EMULATOR_HOST"]
report["worker"] = client.submit(lambda: {name: os.environ.get(name) for name in names}).result()
report["threads"] = sorted(client.nthreads().values())
report["ls"] = client.submit(lambda: __import__("gcsfs").GCSFileSystem().ls("leap-persistent-ro/data-library")).result()
report["listed"] = [c.name for c in gateway.list_clusters()] == [cluster.name]
report["dashboard"] = cluster.dashboard_link
cluster.shutdown()
report["after"] = gateway.list_clusters()
options.image = "pangeo/pangeo-notebook"
try:
    gateway.new_cluster(options)
except ValueError as exc:
    report["untagged"] = str(exc)
print(json.dumps(report))
"""


def test_the_gateway_as_leap_configures_it(hub):
    out = run_in(hub, GATEWAY)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["options"] == {
        "instance_type": "n2-highmem-16", "worker_resource_allocation": "1CPU, 7.2Gi", "image": CONFIG.image,
        "environment": {"SCRATCH_BUCKET": f"gs://leap-scratch/{CONFIG.member}",
                        "PANGEO_SCRATCH": f"gs://leap-scratch/{CONFIG.member}"},
        "idle_timeout_minutes": 30}
    assert report["worker"] == {
        "SCRATCH_BUCKET": f"gs://leap-scratch/{CONFIG.member}", "PANGEO_SCRATCH": f"gs://leap-scratch/{CONFIG.member}",
        "PERSISTENT_BUCKET": None, "JUPYTERHUB_USER": None, "JUPYTERHUB_API_TOKEN": None,
        "STORAGE_EMULATOR_HOST": hub.front_url}
    assert report["threads"] == [2, 2]  # "2CPU, 14.5Gi" is two threads here
    assert report["ls"] == ["leap-persistent-ro/data-library/sst-monthly-demo.zarr"]
    assert report["listed"] and report["after"] == []
    assert report["dashboard"].startswith("/services/dask-gateway/clusters/")
    assert report["untagged"] == "When specifying an image you must also provide a tag"
    assert hub.clusters() == []


def test_a_token_without_the_gateways_scope_is_refused(hub):
    env = hub.process_environ | {"JUPYTERHUB_API_TOKEN": "not-a-token"}
    out = subprocess.run([sys.executable, "-c", "from dask_gateway import Gateway; Gateway().list_clusters()"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "401" in out.stderr


def test_reset_stops_the_members_clusters(hub):
    code = ("from dask_gateway import Gateway\n"
            "cluster = Gateway().new_cluster(shutdown_on_close=False)\nprint(cluster.name)")
    out = run_in(hub, code)
    assert out.returncode == 0, out.stderr
    assert hub.clusters() == [out.stdout.strip()]
    hub.reset()
    assert hub.clusters() == []


def test_the_members_server_gets_the_hubs_variables(hub):
    model = hub.start_member_server()
    pid = model["state"]["pid"]
    env = psutil.Process(pid).environ()
    expected = member.server_environ(hub.config, hub.addresses, hub.front_url, hub.sandbox)
    assert {name: env.get(name) for name in expected} == expected
    assert env["JUPYTERHUB_USER"] == CONFIG.member and env["HOME"] == str(hub.sandbox / "home")
    assert not set(member.CREDENTIAL_VARIABLES) & set(env)
    assert member.GATEWAY_SCOPE in scopes(hub, env["JUPYTERHUB_API_TOKEN"]), "a server may use the gateway"


def test_reuses_a_loopback_server_and_reseeds_it_then_stops_cleanly(monkeypatch):
    monkeypatch.delenv("FAKEHUB_STACK", raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/real/key.json")
    server = Server()
    server.start()
    try:
        api.create_bucket(server.url, "leap-scratch")
        api.upload(server.url, "leap-scratch", "stale/object", b"old")
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", server.url)
        before = dict(os.environ)
        with FakeHub() as hub:
            assert "storage" not in hub.stack.pids and hub.url == server.url
            assert ("leap-scratch", "stale/object") not in objects(hub.url)
            assert os.environ["DASK_GATEWAY__AUTH__TYPE"] == "jupyterhub", "the member's environment is exported"
            assert "GOOGLE_APPLICATION_CREDENTIALS" not in os.environ
            processes, sandbox, logs = hub.stack.processes(), hub.sandbox, hub.logs
            assert len(processes) >= 4  # the hub, its proxy, the gateway, its proxy
        assert server.alive(), "a server the hub did not start is left running"
        assert dict(os.environ) == before
        assert not sandbox.exists() and not logs.exists()
        assert not [pid for pid in processes if psutil.pid_exists(pid)]
        assert {"start_s", "ready_s", "stop_s"} <= set(hub.timings)
        assert set(hub.timings["ready_s"]) == {"front", "hub", "gateway"}  # the front stands before any storage
        hub.stop()  # twice is harmless
    finally:
        server.stop()


def test_attaches_to_a_running_hub_and_leaves_it_running(hub, monkeypatch):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("FAKEHUB_STACK", str(hub.stack_file))
    with FakeHub() as attached:
        assert attached.attached and attached.url == hub.url and attached.member_token == hub.member_token
        assert attached.front_url == hub.front_url
        assert os.environ["DASK_GATEWAY__ADDRESS"] == hub.environ["DASK_GATEWAY__ADDRESS"]
    assert hub.stack.processes() and hub.sandbox.is_dir()
    hub.check()


@pytest.mark.parametrize(
    "value, message",
    [
        ("http://203.0.113.7:4443", "is not a loopback address"),
        ("https://storage.googleapis.com", "is not a loopback address"),
        ("http://127.0.0.1:1", "no fake GCS server answers at http://127.0.0.1:1"),
        ("localhost", "must look like http://127.0.0.1:PORT"),
    ],
)
def test_fails_closed_on_a_bad_emulator(monkeypatch, value, message):
    monkeypatch.delenv("FAKEHUB_STACK", raising=False)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", value)
    before = dict(os.environ)
    with pytest.raises(HubError, match=message):
        FakeHub().start()
    assert dict(os.environ) == before


def test_refuses_a_running_hub_with_other_bucket_roles(hub, monkeypatch, tmp_path):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("FAKEHUB_STACK", str(hub.stack_file))
    variant = tmp_path / "hub.yml"
    data = yaml.safe_load(config.HUB_YML.read_text())
    data["buckets"]["leap-persistent"]["writes"].append("shared/**")
    variant.write_text(yaml.safe_dump(data | {"seed": str(config.HUB_YML.parent / data["seed"])}))
    monkeypatch.setenv(config.HUB_YML_VARIABLE, str(variant))
    with pytest.raises(HubError, match="was started with other bucket roles"):
        FakeHub().start()


def test_refuses_a_stack_file_that_describes_no_hub(monkeypatch, tmp_path):
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("FAKEHUB_STACK", str(tmp_path / "stack.json"))
    with pytest.raises(HubError, match="does not describe a local hub"):
        FakeHub().start()


def test_cli_refuses_a_non_loopback_emulator():
    env = {**os.environ, "STORAGE_EMULATOR_HOST": "http://192.0.2.1:80"}
    env.pop("FAKEHUB_STACK", None)
    result = subprocess.run(
        [sys.executable, "-m", "fakehub", "--", sys.executable, "-c", "print('ran')"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "ran" not in result.stdout
    assert result.stderr.startswith("fakehub: error: STORAGE_EMULATOR_HOST='http://192.0.2.1:80' is not a loopback")


def test_the_cli_passes_a_commands_own_separators_on(hub):
    # `python -m fakehub -- git diff -- README.md` must run `git diff -- README.md`: only the
    # first `--` is the CLI's. The CLI attaches to the shared hub, so no hub starts here.
    env = {**os.environ, "FAKEHUB_STACK": str(hub.stack_file)}
    env.pop("STORAGE_EMULATOR_HOST", None)
    result = subprocess.run(
        [sys.executable, "-m", "fakehub", "--", sys.executable, "-c", "import sys; print(sys.argv[1:])",
         "--", "README.md", "--"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['--', 'README.md', '--']\n"


def test_every_process_of_the_stack_listens_on_loopback_only(hub):
    hub.start_member_server()
    out = run_in(hub, "from dask_gateway import Gateway\n"
                      "cluster = Gateway().new_cluster(shutdown_on_close=False)\ncluster.scale(1)\n"
                      "cluster.get_client().wait_for_workers(1)\nprint(cluster.name)")
    assert out.returncode == 0, out.stderr
    try:
        processes = set(hub.stack.processes())
        commands = " ".join(" ".join(psutil.Process(pid).cmdline()) for pid in processes)
        for part in ("fake-gcs-server", "jupyterhub", "configurable-http-proxy", "dask_gateway_server",
                     "dask-gateway-proxy", "jupyterhub.singleuser", "scheduler", "worker"):
            assert part in commands, f"no {part} among the stack's processes"
        sockets = listening(processes)
        assert {port for _, port in sockets} >= {hub.addresses.storage, hub.addresses.hub, hub.addresses.hub_api,
                                                 hub.addresses.proxy_api, hub.addresses.gateway}
        assert {address for address, _ in sockets} <= {"127.0.0.1", "::1"}, sorted(sockets)
    finally:
        hub.reset()


def test_leaps_option_handler_sizes_merges_and_refuses_an_untagged_image():
    leap = leapgateway.load()
    options = leapgateway.cluster_options(leap, {"STORAGE_EMULATOR_HOST": "http://127.0.0.1:1"})(None)
    assert [field["field"] for field in options.get_specification()] == [
        "instance_type", "worker_resource_allocation", "image", "environment", "idle_timeout_minutes"]
    config = options.get_configuration({
        "image": "pangeo/pangeo-notebook:2026.06.04", "worker_resource_allocation": "4CPU, 28.9Gi",
        "environment": {"EXTRA": "1", "STORAGE_EMULATOR_HOST": "https://storage.googleapis.com"},
        "idle_timeout_minutes": 5}, None)
    # The member's variables join the loopback ones, which a member cannot override.
    assert config["environment"] == {"EXTRA": "1", "STORAGE_EMULATOR_HOST": "http://127.0.0.1:1"}
    assert (config["worker_threads"], config["worker_memory"], config["idle_timeout"]) == (2, "2G", 300)
    with pytest.raises(ValueError, match="^When specifying an image you must also provide a tag$"):
        options.get_configuration({"image": "pangeo/pangeo-notebook"}, None)
