"""LEAP's culling on the local hub: JupyterHub's real idle culler and jupyter_server's kernel culling.

The culler and the kernel culling are configured as LEAP's (fakehub/culling.yml), with their
times shortened from an hour to seconds; every other value is LEAP's. Each test runs its own
hub, so the shortened times touch no other test.

What the local hub cannot show: a `pip install` outside the home folder vanishing. On the hub a
stopped server's container is thrown away with everything outside /home/jovyan; here the
member's server is a local process and the machine's files stay.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from fakehub import FakeHub, hubapi
from fakehub.culling import SERVICE, load, server_args
from fakehub.culling import service as culling_service
from fakehub.serverapi import ServerAPI

LEAP = load()
# The hub hears of a server's activity every 300 s by default: 1 s here, so "idle" starts when the work stops.
ACTIVITY = {"JUPYTERHUB_ACTIVITY_INTERVAL": "1"}
# Longer than the setup's silent stretches (a cluster starting): a busy kernel that prints nothing counts as idle.
SERVER_TIMEOUT_S = 15
KERNEL_TIMEOUT_S = 5  # longer than connecting a websocket takes on a loaded machine (~1.2 s)
MAX_AGE_S = 12  # LEAP: 7 days

LEAVE = """
import os, gcsfs
from dask_gateway import Gateway
with open(os.path.expanduser("~/culling-notes.txt"), "w") as f:
    f.write("notes kept in home")
fs = gcsfs.GCSFileSystem()
fs.pipe(os.environ["SCRATCH_BUCKET"] + "/culling/scratch.txt", b"kept in scratch")
fs.pipe(os.environ["PERSISTENT_BUCKET"] + "/culling/persistent.txt", b"kept in persistent")
work_in_progress = 42
cluster = Gateway().new_cluster()
cluster.scale(1)
cluster.get_client().wait_for_workers(1)
print(cluster.name)
"""

FIND = """
import os, gcsfs
fs = gcsfs.GCSFileSystem()
print(open(os.path.expanduser("~/culling-notes.txt")).read())
print(fs.cat(os.environ["SCRATCH_BUCKET"] + "/culling/scratch.txt").decode())
print(fs.cat(os.environ["PERSISTENT_BUCKET"] + "/culling/persistent.txt").decode())
print("work_in_progress" in globals())
"""


def culling_hub(monkeypatch: pytest.MonkeyPatch, servers: dict | None = None, kernels: dict | None = None) -> FakeHub:
    """A hub of its own with LEAP's culling, some of its times shortened; started, not exported."""
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("FAKEHUB_STACK", raising=False)
    return FakeHub(server_environ=ACTIVITY, culling_config=LEAP.shortened(servers, kernels)).start(export=False)


def server_api(hub: FakeHub) -> ServerAPI:
    """The member's server, with a token that may use it (as JupyterLab's is)."""
    member = hub.config.member
    token = hubapi.create_token(hub.addresses.hub_api_url, hub.admin_token, member,
                                [f"access:servers!user={member}"], "the culling tests")
    return ServerAPI(hub.addresses.hub_url, member, token)


def server_runs(hub: FakeHub) -> bool:
    """Whether the hub lists the member's default server."""
    user = hubapi.call(f"{hub.addresses.hub_api_url}/users/{hub.config.member}", hub.admin_token)
    return "" in user.get("servers", {})


def wait_until(condition, timeout: float, what: str) -> float:
    """Poll condition until it holds; the seconds it took. Fail naming what did not happen."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - began


@pytest.fixture
def idle_server_hub(monkeypatch):
    """The culler stops a server after SERVER_TIMEOUT_S idle seconds (LEAP: 3600); kernels as LEAP's."""
    hub = culling_hub(monkeypatch, servers={"timeout": SERVER_TIMEOUT_S, "every": 1})
    yield hub
    hub.stop()


@pytest.fixture
def idle_kernel_hub(monkeypatch):
    """Kernels are culled after KERNEL_TIMEOUT_S idle seconds, connected or not (LEAP: 3600); servers as LEAP's."""
    hub = culling_hub(monkeypatch, kernels={"cull_idle_timeout": KERNEL_TIMEOUT_S, "cull_interval": 1})
    yield hub
    hub.stop()


@pytest.fixture
def old_server_hub(monkeypatch):
    """The culler stops any server older than MAX_AGE_S (LEAP: 7 days); its idle timeout stays LEAP's hour."""
    hub = culling_hub(monkeypatch, servers={"max_age": MAX_AGE_S, "every": 1})
    yield hub
    hub.stop()


def test_an_idle_server_is_stopped_its_cluster_with_it_and_home_and_buckets_survive(idle_server_hub):
    """The culler stops an idle server, and its gateway cluster goes with it; home and buckets survive.

    The cluster goes because the server shuts its kernels down as it stops (fakehub/podspawner.py)
    and a kernel's exit shuts its clusters down. After a restart the home folder and both buckets
    hold what the member left, and the new kernel has none of the old one's variables.
    """
    hub = idle_server_hub
    hub.start_member_server()
    server = server_api(hub)
    kernel = server.start_kernel()
    cluster = server.execute(kernel, LEAVE).strip()
    assert hub.clusters() == [cluster] and server_runs(hub)
    assert kernel in {k["id"] for k in server.kernels()}, "the kernel, at LEAP's hour, is not culled first"
    wait_until(lambda: not server_runs(hub), 60, "the idle culler stopping the server")
    log = hub.stack.log("hub").read_text()
    assert f"Culling server {hub.config.member} (inactive for" in log, "the idle culler did it"
    assert f"DELETE /hub/api/users/{hub.config.member}/server ({SERVICE}@" in log
    wait_until(lambda: hub.clusters() == [], 30, "the gateway cluster shutting down with its server")
    hub.start_member_server()
    again = server_api(hub)
    assert kernel not in {k["id"] for k in again.kernels()}, "the old kernel did not survive"
    found = again.execute(again.start_kernel(), FIND).splitlines()
    assert found == ["notes kept in home", "kept in scratch", "kept in persistent", "False"]


def test_an_idle_kernel_is_culled_in_an_open_tab_while_its_server_runs_on(idle_kernel_hub):
    """A kernel with a connected websocket (an open notebook tab) is shut down once idle.

    The server, whose culler keeps LEAP's hour, runs on: the other test's check can come out either way.
    """
    hub = idle_kernel_hub
    hub.start_member_server()
    server = server_api(hub)
    kernel = server.start_kernel()
    server.execute(kernel, "x = 1")

    async def held_open() -> int:
        socket = await server.connect(kernel)  # the open tab
        try:
            connections = next(k["connections"] for k in server.kernels() if k["id"] == kernel)
            began = time.monotonic()
            while kernel in {k["id"] for k in server.kernels()}:
                if time.monotonic() - began > 30:
                    pytest.fail("the idle kernel was not culled within 30 s")
                await asyncio.sleep(0.2)
            return connections
        finally:
            socket.close()

    connections = asyncio.run(held_open())
    assert connections == 1, "the kernel had a tab connected while it was culled"
    assert server_runs(hub), "the server outlives its kernel: the culler's timeout is LEAP's hour"
    assert f"kernel 'python3' ({kernel}) with 1 connections due to" in hub.stack.log("hub").read_text(), \
        "jupyter_server's kernel culler did it, with the tab connected"


def test_a_busy_server_is_stopped_at_its_maximum_age(old_server_hub):
    """A server in use (its API polled every half second, as an open JupyterLab does) is stopped at the maximum age."""
    hub = old_server_hub
    hub.start_member_server()
    server = server_api(hub)
    began = time.monotonic()
    while server_runs(hub):
        if time.monotonic() - began > MAX_AGE_S + 30:
            pytest.fail(f"the server still ran {MAX_AGE_S + 30} s after it started")
        try:
            server.kernels()
        except OSError:
            pass  # it is being stopped
        time.sleep(0.5)
    log = hub.stack.log("hub").read_text()
    assert f"Culling server {hub.config.member} (age: " in log, "the culler stopped it for its age"
    assert "(inactive for" not in log.split(f"Culling server {hub.config.member} (age: ")[0], "not for idleness"


def test_leaps_values_make_z2jhs_culler_command_and_role():
    """culling.yml's values give the command line and role that z2jh builds from LEAP's `cull:`."""
    servers = LEAP.servers
    assert (servers["timeout"], servers["max_age"], servers["users"]) == (3600, 604800, False)
    service, role = culling_service(servers, "http://127.0.0.1:1/hub/api")
    assert service["command"][1:] == ["-m", "jupyterhub_idle_culler", "--url=http://127.0.0.1:1/hub/api",
                                      "--timeout=3600", "--cull-every=600", "--concurrency=10", "--max-age=604800"]
    assert role["scopes"] == ["list:users", "read:users:activity", "read:servers", "delete:servers"]
    assert server_args(LEAP.kernels) == ["--MappingKernelManager.cull_idle_timeout=3600",
                                         "--MappingKernelManager.cull_connected=True",
                                         "--MappingKernelManager.cull_interval=300"]


def test_bad_culling_settings_are_refused(tmp_path):
    """An unknown key, in the file or in a test's shortened times, is a clear error."""
    with pytest.raises(ValueError, match="unknown culling keys \\['timeout_s'\\]"):
        LEAP.shortened(servers={"timeout_s": 1})
    bad = tmp_path / "culling.yml"
    bad.write_text("servers: {timeout: 1}\nkernels: {}\n")
    with pytest.raises(ValueError, match="expected servers: "):
        load(bad)
