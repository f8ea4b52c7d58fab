"""python -m fakehub.offline: what runs through it has loopback only, Python or not; where it cannot, it refuses.

192.0.2.1 is TEST-NET-1 (RFC 5737): an address of no machine, which no packet should be sent to anyway.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]  # python -m fakehub.offline runs from the repository root
OFFLINE = (sys.executable, "-m", "fakehub.offline", "--")
# What a process sees of the network: its interfaces, and how a TCP connect and a UDP sendto outside end.
PROBE = """
import errno, json, socket

def outside(kind, send):
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.settimeout(5)
        try:
            send(sock)
        except OSError as exc:
            return errno.errorcode.get(exc.errno, repr(exc))
        return "sent"

with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(server.getsockname()):
    pass  # loopback works
print(json.dumps({"interfaces": [name for _, name in socket.if_nameindex()],
                  "tcp": outside(socket.SOCK_STREAM, lambda s: s.connect(("192.0.2.1", 80))),
                  "udp": outside(socket.SOCK_DGRAM, lambda s: s.sendto(b"x", ("192.0.2.1", 53)))}))
"""
ISOLATED = {"interfaces": ["lo"], "tcp": "ENETUNREACH", "udp": "ENETUNREACH"}
# A user namespace (mapped to root) in which no network namespace may be made: the CLI's commands run in it.
NO_NAMESPACES = ("unshare", "--user", "--map-root-user", "sh", "-c",
                 'echo 0 > /proc/sys/user/max_net_namespaces && exec "$@"', "sh")


def run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def probe(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_command_through_it_has_only_loopback():
    assert probe(run(*OFFLINE, sys.executable, "-c", PROBE)) == ISOLATED


def test_a_python_started_with_dash_i_inside_cannot_reach_out_either():
    # `python -I` skips sitecustomize, so the audit hook never loads; the namespace holds all the same.
    child = f"import subprocess, sys\nsys.exit(subprocess.run([sys.executable, '-I', '-c', {PROBE!r}]).returncode)"
    assert probe(run(*OFFLINE, sys.executable, "-c", child)) == ISOLATED


def test_the_namespace_hands_out_ports_from_a_wide_range():
    """Kernel ports picked a moment before the kernel binds them clash less often in a wider range."""
    from fakehub.offline import EPHEMERAL_PORTS, EPHEMERAL_RANGE

    result = run(*OFFLINE, "sh", "-c", f"cat {EPHEMERAL_PORTS}; "
                 "grep -q ' /proc/sys .*[ ,]ro[ ,]' /proc/self/mounts && echo read-only || true")
    assert result.returncode == 0, result.stderr
    if "read-only" in result.stdout:
        pytest.skip("/proc/sys is mounted read-only here (a container): the namespace keeps Linux's default range")
    assert tuple(map(int, result.stdout.split()[:2])) == EPHEMERAL_RANGE


def test_the_harness_header_says_which_guard_holds():
    result = run(*OFFLINE, sys.executable, "-m", "pytest", "--collect-only", "tests/test_offline.py", "-k", "header")
    assert "\nnetwork: a namespace of its own with loopback only" in result.stdout, result.stdout + result.stderr


def test_the_unprivileged_way_maps_the_callers_ids():
    # As root the CLI unshares the network only; as anyone else it needs a user namespace of its own too.
    python = shutil.which("python3", path="/usr/bin:/bin")
    if os.geteuid() != 0 or not shutil.which("setpriv") or not python:
        pytest.skip("needs root (to become another user), setpriv and a system python3")
    nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    cli = ROOT / "fakehub" / "offline.py"
    # A checkout under a folder only its owner may enter (a bench's mkdtemp clone) is closed to that user.
    readable = run(*nobody, python, "-I", "-c", f"open({str(cli)!r}).close()")
    if readable.returncode != 0:
        pytest.skip(f"the other user cannot read this checkout: {readable.stderr.strip().splitlines()[-1:]}")
    code = f"import os; print(os.getuid(), os.getgid()); exec({PROBE!r})"
    result = run(*nobody, python, str(cli), "--", python, "-I", "-c", code)
    assert result.stdout.splitlines()[:1] == ["65534 65534"], result.stderr
    assert probe(result) == ISOLATED


@pytest.fixture
def no_namespaces():
    """A prefix for a command that runs where no network namespace can be made."""
    if not shutil.which("unshare") or run(*NO_NAMESPACES, "true").returncode != 0:
        pytest.skip("cannot make a user namespace to forbid network namespaces in")
    return NO_NAMESPACES


def test_where_no_namespace_can_be_made_it_refuses_in_one_line(no_namespaces):
    result = run(*no_namespaces, *OFFLINE, "echo", "ran")
    assert result.returncode == 3 and "ran" not in result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("python -m fakehub.offline: error: cannot make a network namespace "
                                    "(unshare(CLONE_NEWNET): No space left on device)"), result.stderr
    assert "refusing to run echo with the network reachable (FAKEHUB_NETWORK=guard runs it" in result.stderr


def test_the_opt_out_runs_the_command_with_a_loud_warning(no_namespaces):
    result = run(*no_namespaces, *OFFLINE, "echo", "ran", env={"FAKEHUB_NETWORK": "guard"})
    assert result.returncode == 0 and result.stdout == "ran\n", result.stderr
    assert result.stderr.startswith("python -m fakehub.offline: WARNING: FAKEHUB_NETWORK=guard: echo runs with the "
                                    "machine's network; only the Python audit hook"), result.stderr


def test_an_unknown_choice_and_a_missing_command_are_errors():
    unknown = run(*OFFLINE, "true", env={"FAKEHUB_NETWORK": "off"})
    assert unknown.returncode == 2 and "FAKEHUB_NETWORK='off'" in unknown.stderr
    missing = run(*OFFLINE, "no-such-command-here")
    assert missing.returncode == 127 and "cannot run no-such-command-here" in missing.stderr


def test_a_server_outside_the_namespace_is_named_as_the_likely_cause():
    # A hub that `nox -s hub` started, or FAKEHUB_STACK, is on another namespace's loopback.
    code = "from fakehub import guard\nguard.answering('http://127.0.0.1:9')"
    result = run(*OFFLINE, sys.executable, "-c", code)
    assert "no fake GCS server answers at http://127.0.0.1:9" in result.stderr
    assert "(this process runs in a network namespace of its own, fakehub.offline: a server started outside it, " \
           "by `nox -s hub` or by hand, is not on its loopback)" in result.stderr, result.stderr
