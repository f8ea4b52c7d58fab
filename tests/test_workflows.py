"""The GitHub workflows: they run the nox sessions the README documents, never a second copy of a command.

Also: least privileges, pinned actions, timeouts and concurrency; and the lint (actionlint, zizmor)
fails on a broken workflow.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools.check_workflows import CHECKS

ROOT = Path(__file__).parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
README = ROOT / "README.md"
CHECK = str(ROOT / "tools" / "check_workflows.py")
FILES = sorted(WORKFLOWS.glob("*.yml"))
INSTALL = "python3 -m pip install nox"  # what the README installs nox with
PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
SHELL_WORDS = {"if", "then", "else", "elif", "fi", "do", "done", "{", "}", "!"}
SEPARATORS = {"&&", "||", "|", ";", "(", ")", "&"}
SHELLS = {"sh", "bash", "dash", "zsh"}
# What jupyter-book runs underneath: calling it directly is a copy of the docs build all the same.
UNDERNEATH = {"sphinx-build", "sphinx"}
PIN = re.compile(r"^\s*(-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*\s*$")


def load(path: Path) -> dict:
    """A workflow as YAML reads it (`on:` stays a string key)."""
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)


def documented_sessions() -> set[str]:
    """Every session the README names in a `nox -s ...` command."""
    found = re.findall(r"""nox -s ("[^"]+"|'[^']+'|[\w(),='"-]+)""", README.read_text())
    return {shlex.split(name)[0] for name in found}


def readme_commands() -> list[str]:
    """The README's one-line commands: install nox, then run a session."""
    return [line.strip() for line in README.read_text().splitlines() if line.startswith(f"{INSTALL} && nox ")]


def program(argv: list[str]) -> str:
    """What a command runs: the program, or the script or module a Python runs."""
    name = Path(argv[0]).name
    if PYTHON.match(name) and len(argv) > 1:
        return argv[2] if argv[1] == "-m" and len(argv) > 2 else argv[1]
    return name


def noxfile_programs() -> set[str]:
    """What the noxfile's sessions run (session.run and friends, its offline helper, and pip for session.install)."""
    found = {"pip"}
    for node in ast.walk(ast.parse((ROOT / "noxfile.py").read_text())):
        called = getattr(node.func, "attr", getattr(node.func, "id", "")) if isinstance(node, ast.Call) else ""
        if called in {"run", "run_install", "run_always", "offline"}:
            words = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if words:
                found.add(program(words))
    return found | {command[0] for command in CHECKS.values()} | UNDERNEATH


def programs(argv: list[str]) -> set[str]:
    """What a command may run, read from each of its words (`time pytest`, `env A=1 pytest`) and a shell's -c script."""
    found = {program(argv[i:]) for i in range(len(argv))}
    if Path(argv[0]).name in SHELLS and "-c" in argv[:-1]:
        found |= {name for inner in commands(argv[argv.index("-c") + 1]) for name in programs(inner)}
    return found


def commands(script: str) -> list[list[str]]:
    """The simple commands of a run: script, $(...) substitutions included, shell keywords dropped."""
    script = script.replace("\\\n", " ")
    inner = re.findall(r"\$\(([^()]*)\)", script)
    script = re.sub(r"\$\([^()]*\)", "SUBSTITUTED", script)
    found = []
    for line in [*script.splitlines(), *inner]:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split, current, redirect = True, [], False
        for token in [*lexer, ";"]:
            if redirect:  # the file after > or >> is no command
                redirect = False
            elif set(token) <= set("<>&") and set(token) & set("<>"):
                redirect = True
                if current and current[-1].isdigit():
                    current.pop()  # the 2 of 2>&1
            elif token in SEPARATORS:
                words = [w for w in current if w not in SHELL_WORDS]
                while words and re.match(r"^[A-Za-z_]\w*=", words[0]):
                    words = words[1:]  # VAR=value before a command, or an assignment alone
                if words:
                    found.append(words)
                current = []
            else:
                current.append(token)
    return [c for c in found if c != ["SUBSTITUTED"]]


def expand(script: str, name: str, value: str) -> str:
    """The script with $NAME (quoted or not) replaced by the value, as the shell would see it."""
    return script.replace(f'"${name}"', shlex.quote(value)).replace(f"${name}", shlex.quote(value))


def run_steps(workflow: dict):
    """(job, step, script with the step's variables and matrix values filled in), for every run: step."""
    for job_id, job in workflow["jobs"].items():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        for step in job.get("steps", []):
            if "run" not in step:
                continue
            variants = [step["run"]]
            for name, value in (step.get("env") or {}).items():
                for key, values in matrix.items():
                    if value == f"${{{{ matrix.{key} }}}}":
                        variants = [expand(v, name, m) for v in variants for m in values]
            for variant in variants:
                yield job_id, step, variant


def nox_sessions(argv: list[str]) -> list[str]:
    """The sessions a nox command line selects with -s/--session."""
    names, taking = [], False
    for word in argv[1:]:
        if word in {"-s", "--session", "--sessions", "-e"}:
            taking = True
        elif word.startswith("-"):
            taking = False
        elif taking:
            names.append(word)
    return names


ALL_RUNS = [(path.name, job, script) for path in FILES for job, _, script in run_steps(load(path))]


def test_there_are_workflows_and_the_readme_documents_sessions():
    assert {"pull-request.yml", "publish.yml", "nightly.yml"} <= {p.name for p in FILES}
    assert {"tests", "docs"} <= documented_sessions()


@pytest.mark.parametrize("workflow, job, script", ALL_RUNS, ids=[f"{w}:{j}" for w, j, _ in ALL_RUNS])
def test_each_command_is_a_documented_session_or_no_copy_of_one(workflow, job, script):
    documented, forbidden = documented_sessions(), noxfile_programs()
    for argv in commands(script):
        if argv[0] == "nox":
            sessions = nox_sessions(argv)
            assert sessions, f"{workflow}:{job}: {shlex.join(argv)} names no session"
            undocumented = set(sessions) - documented
            assert not undocumented, f"{workflow}:{job}: the README documents no session {undocumented}"
        elif shlex.join(argv) != INSTALL:
            assert not programs(argv) & forbidden, (
                f"{workflow}:{job}: {shlex.join(argv)!r} copies a command of the noxfile: call its nox session")


def test_each_workflow_runs_nox():
    for path in FILES:
        runs = [argv for _, _, script in run_steps(load(path)) for argv in commands(script)]
        assert any(argv[0] == "nox" for argv in runs), f"{path.name} runs no nox session"


@pytest.mark.parametrize("command", readme_commands())
def test_the_readmes_commands_run_as_written(command):
    assert any(script.strip() == command for _, _, script in ALL_RUNS), f"no workflow step runs {command!r}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_least_privileges_timeouts_concurrency_and_pinned_actions(path):
    workflow = load(path)
    assert workflow["permissions"] == {}, "top-level permissions: {} (each job asks for its own)"
    assert "group" in workflow["concurrency"]
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_id}: no permissions:"
        assert int(job["timeout-minutes"]) <= 60, f"{job_id}: timeout-minutes"
    uses = [line for line in path.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    unpinned = [line.strip() for line in uses if not PIN.match(line)]
    assert uses and not unpinned, f"not pinned by commit with its version as a comment: {unpinned}"


# Each parser is a test of the test: it must see what the workflows would hide.
def test_commands_sees_through_substitutions_chains_and_keywords():
    script = 'if [ -n "$x" ]; then\n  echo "k=$(.nox/docs/bin/python -m fakehub.envhash)" >> "$OUT"\nfi\n' \
             'A=1 pytest -q 2>&1 | tee log && \\\n  nox -s lint'
    assert commands(script) == [["[", "-n", "$x", "]"], ["echo", "k=SUBSTITUTED"], ["pytest", "-q"], ["tee", "log"],
                                ["nox", "-s", "lint"], [".nox/docs/bin/python", "-m", "fakehub.envhash"]]


@pytest.mark.parametrize(
    "script",
    ["pytest -n auto", "cd x && jupyter-book build .", ".venv/bin/python -m booksite.linkcheck",
     "python -m fakehub.offline -- pytest tests/browser",
     "python tools/check_environment.py environment.yml", "pip install -r requirements.txt", "echo $(ruff check .)",
     "zizmor --offline .github", "time pytest -q", "env A=1 pytest", "xargs -n 1 pytest < files",
     "timeout 600 jupyter-book build .", "bash -c 'cd x && pytest -q'", "sphinx-build -b html . out",
     "python3 -m sphinx -b html . out"],
)
def test_a_copied_command_is_refused(script):
    forbidden = noxfile_programs()
    assert any(programs(argv) & forbidden for argv in commands(script))


def test_an_undocumented_session_is_refused():
    assert "nosuch" not in documented_sessions()
    assert nox_sessions(["nox", "-s", "tests(deps='latest')", "--", "-k", "x"]) == ["tests(deps='latest')"]


def copy_workflows(tmp_path: Path, name: str = "", old: str = "", new: str = "") -> Path:
    """The repository's workflows in a fresh folder, one of them edited."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    for path in FILES:
        text = path.read_text()
        if path.name == name:
            assert old in text, f"{name} no longer holds {old!r}: update the test"
            text = text.replace(old, new)
        (folder / path.name).write_text(text)
    return folder


def lint(folder: Path) -> subprocess.CompletedProcess:
    """The lint session's workflow check, on a folder."""
    return subprocess.run([sys.executable, CHECK, str(folder)], capture_output=True, text=True, cwd=folder.parent)


def test_the_workflow_lint_passes_on_an_unbroken_copy(tmp_path):
    result = lint(copy_workflows(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "name, old, new, failing",
    [
        # a job that needs one that does not exist: actionlint
        ("publish.yml", "needs: build", "needs: bulid", "actionlint"),
        # an action by tag instead of commit: zizmor
        ("nightly.yml", "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
         "actions/checkout@v7", "zizmor"),
        # a pull request's title pasted into a script: both
        ("pull-request.yml", "($ARTIFACT_URL)", "(${{ github.event.pull_request.title }})", "actionlint, zizmor"),
    ],
)
def test_the_workflow_lint_fails_on_a_broken_workflow(tmp_path, name, old, new, failing):
    result = lint(copy_workflows(tmp_path, name, old, new))
    assert result.returncode == 1
    assert f"failed: {failing}" in result.stderr, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("nox") is None, reason="nox is not on PATH (the README installs it with pip)")
def test_the_readmes_test_command_selects_exactly_pins_and_hub():
    def selected(name: str) -> list[str]:
        listing = subprocess.run(["nox", "-s", name, "-l", "--json"], cwd=ROOT, capture_output=True, text=True)
        assert listing.returncode == 0, listing.stderr
        return [s["session"] for s in json.loads(listing.stdout)]

    assert selected("tests") == ["tests(deps='pins')", "tests(deps='hub')"]
    assert selected("tests(deps='latest')") == ["tests(deps='latest')"]
