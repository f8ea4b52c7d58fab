"""Nothing the local hub started survives it: however the run ends, every process goes, and errors say where to look.

Each test looks only at processes of the run it started: those whose working folder lies under
the test's own temporary folder (the run's TMPDIR), where every service of a stack works.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from minibook import JUPYTER_BOOK, UNLOADED, make_book
from runs import CLUSTER, alive, all_processes, ctrl_c, fakehub_cli, job, processes_under, wait_until_gone

from fakehub import FakeHub, HubError, load
from fakehub.stack import Service, Stack

ROOT = Path(__file__).parents[1]
pytestmark = pytest.mark.lifecycle
MEMBER_PROCESSES = ("fake-gcs-server", "jupyterhub", "configurable-http-proxy", "dask_gateway_server",
                    "dask-gateway-proxy", "jupyterhub.singleuser", "dask scheduler", "dask worker")


def assert_whole_stack(found: dict[int, str]) -> None:
    commands = " ".join(found.values()).replace("-m dask ", "dask ")
    missing = [name for name in MEMBER_PROCESSES if name not in commands]
    assert not missing, f"the stack lacks {missing}: {found}"


def in_kernel(hub: FakeHub, code: str) -> None:
    result = subprocess.run([sys.executable, "-c", code], env=hub.process_environ, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def start_member_server(hub: FakeHub) -> None:
    """Spawn the member's server, as logging in does; if JupyterHub refuses, say why with the end of its log."""
    try:
        hub.start_member_server()
    except (HubError, OSError) as exc:  # urllib's HTTPError is an OSError
        log = "\n".join((hub.logs / "hub.log").read_text(errors="replace").splitlines()[-40:])
        raise AssertionError(f"the member's server did not start: {exc}; the hub's log ends:\n{log}") from None


def stack_file(process: subprocess.Popen) -> str:
    """Read the CLI's description up to the line that names its stack.json."""
    for line in process.stdout:
        if "FAKEHUB_STACK=" in line:
            return line.split("FAKEHUB_STACK=", 1)[1].split()[0]
    raise AssertionError(process.stderr.read())


def test_ctrl_c_stops_the_cli_and_its_command_and_leaves_no_process(run_tmp):
    # `python -m fakehub -- COMMAND` in a terminal: the command (with the member's environment)
    # leaves a gateway cluster behind, then Ctrl-C reaches the whole foreground process group.
    command = CLUSTER + ("import os\nprint(os.environ['SCRATCH_BUCKET'], flush=True)\n"
                         "import time\ntime.sleep(600)")
    process = fakehub_cli("--", sys.executable, "-c", command, terminal=True)
    try:
        assert process.stdout.readline().strip() == f"gs://leap-scratch/{load().member}", process.stderr.read()
        found = processes_under(run_tmp)
        for name in ("fake-gcs-server", "jupyterhub", "configurable-http-proxy", "dask-gateway-proxy", "scheduler"):
            assert name in " ".join(found.values()), f"no {name} in {found}"
    finally:
        status = ctrl_c(process)
    assert status in (130, -signal.SIGINT)
    assert wait_until_gone(run_tmp) == {}, "left running after Ctrl-C"
    assert hub_folders_left(run_tmp) == [], "the hub's folders are left behind after Ctrl-C"


# SIGTERM is what `kill`, `timeout` and CI cancelling a job send. The CLI has no handler for it,
# so it ends at once, with no clean-up of its own, as with SIGKILL; a handler added later is tested here.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_nothing_survives_a_sigterm_or_sigkill_of_the_cli(run_tmp, monkeypatch, signum):
    process = fakehub_cli()
    try:
        monkeypatch.setenv("FAKEHUB_STACK", stack_file(process))
        hub = FakeHub().start(export=False)  # the CLI's hub, used from here
        assert hub.attached
        assert {hub.sandbox.parent, hub.logs.parent} == {run_tmp}  # where hub_folders_left() looks
        start_member_server(hub)
        in_kernel(hub, CLUSTER)
        hub.stop()  # leaves the CLI's hub running
        assert_whole_stack(processes_under(run_tmp))
        process.send_signal(signum)
        assert process.wait(timeout=30) == -signum
    finally:
        process.kill()
        process.wait()
    assert wait_until_gone(run_tmp) == {}, f"left running after the CLI was killed with {signum.name}"
    left = hub_folders_left(run_tmp)
    assert left == [], f"the run's folders are left behind; {supervisor_said(run_tmp)}"


def waiting_page(up: Path, go: Path) -> str:
    """A cell that leaves a gateway cluster running, writes its kernel's pid to up, then fails once go exists."""
    return CLUSTER + textwrap.dedent(f"""\
        import os, time
        from pathlib import Path
        Path({str(up)!r}).write_text(str(os.getpid()))
        deadline = time.monotonic() + 240
        while not Path({str(go)!r}).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        1 / 0
        """)


def harness_run(folder: Path, cell: str) -> list[str]:
    """A pytest run of the harness on a one-page book in folder, the page's one cell being cell: its command."""
    (folder / "book").mkdir(parents=True)
    (folder / "book" / "index.md").write_text(
        "---\nkernelspec: {display_name: Python 3, language: python, name: python3}\n---\n# A page\n\n"
        f"```{{code-cell}} ipython3\n{cell}```\n")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/index\n")
    (folder / "pytest.ini").write_text(f"[pytest]\ntestpaths = _toc.yml\naddopts = -p harness.plugin {UNLOADED}\n")
    return [sys.executable, "-m", "pytest", "--cell-timeout=240", "--ways=fresh"]  # one way: the page runs once


def book_build(folder: Path, cell: str) -> list[str]:
    """A build of a one-page book in folder, as nox -s docs builds the book, the page ending with cell: its command."""
    folder.mkdir()
    make_book(folder, extra=cell, timeout=240)
    return [str(JUPYTER_BOOK), "build", str(folder), "--builder", "html", "-n", "-W", "--keep-going"]


PARENTS = {"pytest": harness_run, "jupyter-book": book_build}


def written(paths: Callable[[], list[Path]], process: subprocess.Popen, log: Path, seconds: float = 120.0) -> Path:
    """The first of paths() to hold something; fail with the parent's output if it ends first, or after seconds."""
    deadline = time.monotonic() + seconds
    while not (found := [path for path in paths() if path.is_file() and path.stat().st_size]):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"not written: {paths()}; the run said:\n{log.read_text()}")
        time.sleep(0.05)
    return found[0]


def end(process: subprocess.Popen, ending: str, go: Path) -> int:
    """End the parent's run: its page fails, Ctrl-C in its terminal, or SIGKILL; its exit status."""
    if ending == "Ctrl-C":
        return ctrl_c(process)
    if ending == "SIGKILL":
        process.kill()
    else:
        go.touch()
    return process.wait(timeout=120)


# A build and a test run start the hub in process (fakehub/sphinxext.py, the harness plugin),
# not through the CLI: each ends three ways while the whole stack runs (a gateway cluster left
# by the page, the member's server spawned here), and nothing of it may be left.
@pytest.mark.parametrize("ending", ["failing page", "Ctrl-C", "SIGKILL"])
@pytest.mark.parametrize("parent", PARENTS)
def test_nothing_survives_a_build_or_a_test_run_however_it_ends(run_tmp, tmp_path, monkeypatch, parent, ending):
    up, go, log = tmp_path / "up", tmp_path / "go", tmp_path / "parent.log"
    folder = tmp_path / "book"  # beside the run's folder: only the stack's processes work under that
    argv = PARENTS[parent](folder, waiting_page(up, go))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environ["PYTHONPATH"] = str(ROOT)
    with log.open("w") as output:
        process = job(argv, terminal=True, cwd=folder, env=environ, stdout=output, stderr=subprocess.STDOUT)
    try:
        stack = written(lambda: list(run_tmp.glob("leap-fakehub-*/run/stack.json")), process, log)
        monkeypatch.setenv("FAKEHUB_STACK", str(stack))
        hub = FakeHub().start(export=False)  # the parent's hub, used from here
        start_member_server(hub)  # while the page starts its cluster
        hub.stop()  # leaves the parent's hub running
        kernel = int(written(lambda: [up], process, log).read_text())
        assert_whole_stack(processes_under(run_tmp))
        status = end(process, ending, go)
    finally:
        process.kill()
        process.wait()
    said = log.read_text()
    assert status != 0 and ("ZeroDivisionError" in said or ending != "failing page"), said
    assert_left_nothing(run_tmp, kernel, f"{ending} of {parent}")


def assert_left_nothing(run: Path, kernel: int, after: str) -> None:
    """No process works under run, the page's kernel has ended, and the hub's folders are deleted."""
    assert wait_until_gone(run) == {}, f"left running after {after}"
    deadline = time.monotonic() + 10  # a kernel whose parent died sees it within a second
    while alive(kernel) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(kernel), f"the page's kernel outlived {after}"
    left = hub_folders_left(run)
    assert left == [], f"the hub's folders are left behind after {after}; {supervisor_said(run)}"
    pages = sorted(str(path) for path in run.rglob("leap-page-*"))  # the folder the page ran in
    assert pages == [], f"the page's folder is left behind after {after}"


def hub_folders_left(run: Path, seconds: float = 30.0) -> list[str]:
    """Poll until the hub's sandbox and logs under run are deleted; what is left of them after seconds."""
    # The supervisor deletes them within a second or two of the processes ending; a loaded CI machine may be slower.
    deadline = time.monotonic() + seconds
    while list(run.glob("leap-fakehub-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    return sorted(str(path) for folder in run.glob("leap-fakehub-*") for path in [folder, *folder.rglob("*")])[:20]


def supervisor_said(run: Path) -> str:
    """Whether a supervisor of a hub under run still runs, and the end of its log: why the folders are left."""
    running = [pid for pid, command in all_processes().items() if "supervisor.py" in command and str(run) in command]
    logs = [log.read_text(errors="replace")[-2000:] for log in run.glob("leap-fakehub-logs-*/supervisor.log")]
    return f"supervisors still running: {running or 'none'}; their logs said: {logs or 'nothing (deleted)'}"


def occupied_port() -> socket.socket:
    """A socket that listens on a loopback port and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize("service, what", [("storage", "storage (fake-gcs-server"), ("hub", "hub (JupyterHub"),
                                           ("gateway", "gateway (dask-gateway-server"),
                                           ("front", "storage front (fakehub.front")])
def test_a_port_in_use_is_one_line_naming_the_service_and_its_log(run_tmp, service, what):
    with occupied_port() as sock:
        port = sock.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(HubError) as caught:
            FakeHub(ports={service: port}).start()
    message = str(caught.value)
    assert time.monotonic() - started < 30
    assert "\n" not in message and message.startswith(f"{what} at http://127.0.0.1:{port}) ")
    assert f"port {port}" in message or "exited at start" in message
    log = Path(message.rsplit("(its log: ", 1)[1].rstrip(")"))
    assert log.name == f"{service}.log" and log.is_file(), "the log named in the error was kept"
    assert processes_under(run_tmp) == {}


def test_a_service_that_never_answers_is_named_with_its_log(run_tmp):
    stack = Stack(run_tmp)
    silent = Service("silent", "silent (a service that never answers)",
                     [sys.executable, "-c", "print('starting'); import time; time.sleep(600)"], dict(os.environ),
                     ready=lambda: False, cwd=str(run_tmp))
    stack.start([silent])
    try:
        with pytest.raises(HubError, match=r"^silent \(a service that never answers\) did not answer within 1 s "
                                           rf"\(its log: {run_tmp}/silent\.log\)$"):
            stack.wait_ready([silent], timeout=1)
    finally:
        stack.stop()
    assert (run_tmp / "silent.log").read_text() == "starting\n"
    assert processes_under(run_tmp) == {}


def test_the_supervisor_takes_orphans_down_too(run_tmp):
    # A service that starts a child in a session of its own and exits: the child is re-parented
    # to the supervisor, which must still stop it.
    code = ("import subprocess, sys, time\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
            "time.sleep(600)")
    stack = Stack(run_tmp)
    parent = Service("parent", "parent", [sys.executable, "-c", code], dict(os.environ), lambda: True,
                     cwd=str(run_tmp))
    stack.start([parent])
    deadline = time.monotonic() + 20
    while len(processes_under(run_tmp)) < 2 and time.monotonic() < deadline:  # the service and its child
        time.sleep(0.05)
    os.kill(stack.pids["parent"], signal.SIGKILL)
    assert stack.exit_code("parent", wait_s=5) == -9
    assert len(processes_under(run_tmp)) == 1, "the orphan still runs, now the supervisor's"
    stack.stop()
    assert processes_under(run_tmp) == {}
    assert json.loads((run_tmp / "supervisor.json").read_text())["services"][0]["name"] == "parent"


def test_a_hang_up_during_the_clean_up_does_not_cut_it_short(run_tmp):
    # A service that ignores SIGTERM holds the take-down for its grace period; a SIGHUP then
    # (a closed terminal, a second signal) must not stop the supervisor before it deletes the sandbox.
    sandbox = run_tmp / "sandbox"
    sandbox.mkdir()
    code = ("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('up', flush=True)\ntime.sleep(600)")
    stack = Stack(run_tmp, sandbox)
    stubborn = Service("stubborn", "stubborn", [sys.executable, "-c", code], dict(os.environ), lambda: True,
                       cwd=str(run_tmp))
    stack.start([stubborn])
    log = run_tmp / "supervisor.log"
    deadline = time.monotonic() + 20
    while "up" not in stack.log("stubborn").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    stack.process.send_signal(signal.SIGTERM)
    while "taking down" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    stack.process.send_signal(signal.SIGHUP)
    assert stack.process.wait(timeout=30) == 0
    said = log.read_text()
    assert "stopping on signal 15" in said and "took every process down" in said, said
    assert not sandbox.exists() and "deleted the sandbox: yes" in said, said
    assert processes_under(run_tmp) == {}
    stack.stop()


def test_a_burst_of_stop_signals_does_not_cut_the_clean_up_short(run_tmp):
    # The parent's death, a Ctrl-C and the harness's own SIGTERM can arrive together: the second
    # signal lands while the first is being handled, and must not end the supervisor before the sandbox goes.
    for attempt in range(5):
        logs = run_tmp / f"burst-{attempt}"
        sandbox = logs / "sandbox"
        sandbox.mkdir(parents=True)
        stack = Stack(logs, sandbox)
        sleeper = Service("sleeper", "sleeper", [sys.executable, "-c", "import time; time.sleep(600)"],
                          dict(os.environ), lambda: True, cwd=str(logs))
        stack.start([sleeper])
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline and stack.process.poll() is None:
            for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                try:
                    stack.process.send_signal(signum)
                except ProcessLookupError:
                    break
        status = stack.process.wait(timeout=30)
        said = (logs / "supervisor.log").read_text()
        assert status == 0, said
        assert not sandbox.exists() and "deleted the sandbox: yes" in said, said
        assert "Traceback" not in said, said
        assert processes_under(logs) == {}
