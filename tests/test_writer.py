"""The writers' hub (`nox -s hub`: python -m fakehub --lab FOLDER): JupyterLab on their folder, pages as notebooks."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from runs import ctrl_c, fakehub_cli, wait_until_gone

from fakehub import hubapi, load

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
PAGE = "book/first-steps.md"
MEMBER = load().member
LOGIN = load().login  # what the writer types into the login form


def description(process: subprocess.Popen) -> str:
    """What the CLI prints, up to its last line (or until it exits)."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("# Ctrl-C stops"):
            break
    return "".join(lines)


@pytest.mark.lifecycle  # a hub of its own, run once (in tests(deps='pins'), whose JupyterLab writers get)
def test_the_writers_hub_opens_their_folder_with_pages_as_notebooks_and_ctrl_c_stops_it(run_tmp):
    folder = run_tmp / "working-tree"
    (folder / "book").mkdir(parents=True)
    shutil.copy(ROOT / PAGE, folder / PAGE)
    process = fakehub_cli("--lab", str(folder), terminal=True)
    try:
        said = description(process)
        assert f"JupyterLab on {folder}" in said, process.stderr.read()
        hub = re.search(r"open (http://127\.0\.0\.1:\d+)/hub/login and log in as (\S+), any password", said)
        assert hub and hub[2] == LOGIN, said
        lab = f"{hub[1]}/user/{MEMBER}"
        assert f"{lab}/lab/tree/{PAGE}" in said
        stack = json.loads(Path(re.search(r"FAKEHUB_STACK=(\S+)", said)[1]).read_text())
        api = f"http://127.0.0.1:{stack['addresses']['hub_api']}/hub/api"
        hubapi.start_server(api, stack["admin_token"], MEMBER)  # what logging in does
        token = hubapi.create_token(api, stack["admin_token"], MEMBER, [f"access:servers!user={MEMBER}"], "test")

        opened = hubapi.call(f"{lab}/api/contents/{PAGE}?type=notebook&content=1", token)
        cells = [c["source"] for c in opened["content"]["cells"] if c["cell_type"] == "code"]
        assert opened["type"] == "notebook" and cells == [
            c.source for c in jupytext.read(folder / PAGE).cells if c.cell_type == "code"]
        viewers = hubapi.call(f"{lab}/lab/api/settings/@jupyterlab/docmanager-extension:plugin", token)
        assert viewers["schema"]["properties"]["defaultViewers"]["default"]["markdown"] == "Jupytext Notebook"
    finally:
        status = ctrl_c(process)  # Ctrl-C in the writer's terminal
    assert status in (130, -signal.SIGINT)
    assert wait_until_gone(run_tmp) == {}, "left running after Ctrl-C"


def test_the_writers_hub_refuses_a_folder_that_is_not_there(tmp_path):
    result = subprocess.run([sys.executable, "-m", "fakehub", "--lab", str(tmp_path / "nowhere")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no such folder" in result.stderr


def test_nox_s_hub_runs_this_cli_on_the_working_tree():
    assert 'session.run("python", "-m", "fakehub", "--lab", str(ROOT)' in (ROOT / "noxfile.py").read_text()
