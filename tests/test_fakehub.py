"""The fake hub itself: lifecycle, seeds, environment, and failing closed."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakehub import FakeHub, HubError, api, load
from fakehub.seed import earlier_work, seed_objects
from fakehub.server import Server

ROOT = Path(__file__).parents[1]  # python -m fakehub runs from the repository root
CONFIG = load()


def port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, int(port))) == 0


def wait_closed(url: str, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not port_open(url):
            return True
        time.sleep(0.05)
    return False


def objects(url: str) -> dict[tuple[str, str], str]:
    return {(b, o["name"]): o["md5Hash"] for b in CONFIG.buckets for o in api.list_objects(url, b)}


def md5(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.md5(data).digest()).decode()


@pytest.fixture
def clean_environ(monkeypatch):
    """No emulator preset, so each test's hub starts its own server."""
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)


def test_start_and_stop(clean_environ):
    before = dict(os.environ)
    with FakeHub() as hub:
        assert hub.server.alive() and port_open(hub.url)
        sandbox = hub.sandbox
        assert sandbox.is_dir()
    assert not port_open(hub.url) and not sandbox.exists()
    assert dict(os.environ) == before


def test_stop_twice_is_harmless(clean_environ):
    hub = FakeHub().start()
    hub.stop()
    hub.stop()


def test_seeds_every_object_byte_for_byte(clean_environ):
    seeds = seed_objects(CONFIG)
    assert any(b == "leap-persistent-ro" for b, _ in seeds), "the read-only dataset is seeded"
    members = {name.split("/")[0] for b, name in seeds if b == "leap-persistent"}
    assert members >= {"another-member", "yet-another-member"}
    with FakeHub() as hub:
        assert api.bucket_names(hub.url) >= set(CONFIG.buckets)
        assert objects(hub.url) == {key: md5(path.read_bytes()) for key, path in seeds.items()}


def test_environment_is_the_hubs(clean_environ, monkeypatch):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/real/key.json")
    with FakeHub() as hub:
        user = CONFIG.member
        assert os.environ["JUPYTERHUB_USER"] == user
        assert os.environ["SCRATCH_BUCKET"] == f"gs://leap-scratch/{user}"
        assert os.environ["PANGEO_SCRATCH"] == os.environ["SCRATCH_BUCKET"]
        assert os.environ["PERSISTENT_BUCKET"] == f"gs://leap-persistent/{user}"
        assert os.environ["JUPYTER_IMAGE_SPEC"] == os.environ["JUPYTER_IMAGE"] == CONFIG.image
        assert os.environ["GH_SCOPED_CREDS_APP_URL"] == "https://github.com/apps/leap-hub-push-access"
        assert os.environ["GH_SCOPED_CREDS_CLIENT_ID"].startswith("Iv1.")
        assert os.environ["HOME"] == str(hub.sandbox / "home")
        assert os.environ["STORAGE_EMULATOR_HOST"] == hub.url
        assert os.environ["NO_GCE_CHECK"] == "true"
        assert os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] == "false"
        assert "GOOGLE_APPLICATION_CREDENTIALS" not in os.environ
    assert os.environ["GOOGLE_APPLICATION_CREDENTIALS"] == "/real/key.json"


def test_a_fresh_process_uses_gcsfs_against_the_hub(clean_environ):
    code = (
        "import os, gcsfs; fs = gcsfs.GCSFileSystem(); "
        "print(fs._location); print(sorted(fs.ls('leap-persistent-ro/data-library')))"
    )
    with FakeHub() as hub:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    location, listing = out.stdout.splitlines()
    assert location == hub.url
    assert "leap-persistent-ro/data-library/sst-monthly-demo.zarr" in listing


def test_clients_that_bypass_gcsfs_cannot_leave_loopback(clean_environ):
    code = (
        "import requests\n"
        "try:\n"
        "    requests.get('https://storage.googleapis.com/storage/v1/b/leap-scratch', timeout=5)\n"
        "except requests.exceptions.ProxyError as exc:\n"
        "    print('refused')\n"
    )
    with FakeHub():
        started = time.monotonic()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "refused", out.stderr
    assert time.monotonic() - started < 10


def test_reset_returns_to_the_seeded_state(clean_environ):
    with FakeHub() as hub:
        seeded = objects(hub.url)
        api.upload(hub.url, "leap-scratch", f"{CONFIG.member}/new.txt", b"new")
        api.delete(hub.url, "leap-persistent", "another-member/README.txt")
        hub.reset()
        assert objects(hub.url) == seeded


def test_a_lived_in_reset_adds_the_members_earlier_work(clean_environ):
    earlier = earlier_work(CONFIG)
    assert {b for b, _ in earlier} == {"leap-scratch", "leap-persistent"}
    assert all(name.startswith(f"{CONFIG.member}/") for _, name in earlier)
    with FakeHub() as hub:
        seeded = objects(hub.url)
        hub.reset(lived_in=True)
        assert objects(hub.url) == seeded | {key: md5(path.read_bytes()) for key, path in earlier.items()}
        hub.reset()
        assert objects(hub.url) == seeded


def test_a_second_run_starts_clean(clean_environ):
    with FakeHub() as hub:
        api.upload(hub.url, "leap-scratch", f"{CONFIG.member}/left-behind.txt", b"x")
    with FakeHub() as hub:
        assert ("leap-scratch", f"{CONFIG.member}/left-behind.txt") not in objects(hub.url)


def test_reuses_a_loopback_server_and_reseeds_it(monkeypatch):
    server = Server()
    server.start()
    try:
        api.create_bucket(server.url, "leap-scratch")
        api.upload(server.url, "leap-scratch", "stale/object", b"old")
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", server.url)
        with FakeHub() as hub:
            assert hub.server is None and hub.url == server.url
            assert ("leap-scratch", "stale/object") not in objects(hub.url)
        assert server.alive(), "a server the hub did not start is left running"
    finally:
        server.stop()


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
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", value)
    before = dict(os.environ)
    with pytest.raises(HubError, match=message):
        FakeHub().start()
    assert dict(os.environ) == before


def test_a_killed_server_gives_a_clear_error_at_once(clean_environ):
    with FakeHub() as hub:
        hub.server.process.kill()
        started = time.monotonic()
        with pytest.raises(HubError, match=r"has stopped \(exit code -9\)"):
            hub.check()
        with pytest.raises(HubError, match="has stopped"):
            hub.reset()
        assert time.monotonic() - started < 2


def run_cli(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "STORAGE_EMULATOR_HOST"}
    return subprocess.Popen(
        [sys.executable, "-m", "fakehub", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A run started in the background (nohup, `&` without job control) ignores SIGINT,
        # and the CLI would inherit that; the test needs Ctrl-C to behave as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def cli_url(process: subprocess.Popen) -> str:
    for line in process.stdout:
        if line.startswith("export STORAGE_EMULATOR_HOST="):
            return line.strip().split("=", 1)[1]
    raise AssertionError(process.stderr.read())


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL])
def test_the_server_dies_with_the_cli(signum):
    process = run_cli()
    url = cli_url(process)
    assert port_open(url)
    process.send_signal(signum)
    process.wait(timeout=10)
    assert wait_closed(url), f"server still up after the CLI got signal {signum}"


def test_cli_runs_a_command_inside_the_hub():
    process = run_cli("--", sys.executable, "-c", "import os; print(os.environ['SCRATCH_BUCKET'])")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out.strip() == f"gs://leap-scratch/{CONFIG.member}"


def test_cli_refuses_a_non_loopback_emulator():
    env = {**os.environ, "STORAGE_EMULATOR_HOST": "http://192.0.2.1:80"}
    result = subprocess.run(
        [sys.executable, "-m", "fakehub", "--", sys.executable, "-c", "print('ran')"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "ran" not in result.stdout
    assert result.stderr.startswith("fakehub: error: STORAGE_EMULATOR_HOST='http://192.0.2.1:80' is not a loopback")
