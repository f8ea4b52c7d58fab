"""The GitHub workflows: they run the documented nox sessions (.ci/commands.yml), never a second copy of a command.

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

from booksite.published import published_branch
from tools.check_workflows import CHECKS

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
README = ROOT / "README.md"
DECLARED = yaml.safe_load((ROOT / ".ci" / "commands.yml").read_text())  # what the README gives a reader
CHECK = str(ROOT / "tools" / "check_workflows.py")
FILES = sorted(WORKFLOWS.glob("*.yml"))
INSTALL = DECLARED["install"]  # what the README installs nox with
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
    """Every session documented for a reader (.ci/commands.yml: sessions)."""
    return set(DECLARED["sessions"])


def readme_commands() -> list[str]:
    """The README's one-line commands, as declared: install nox, then run a session."""
    return list(DECLARED["commands"])


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
    assert {"pull-request.yml", "publish.yml", "nightly.yml", "preview.yml"} <= {p.name for p in FILES}
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
        elif argv != shlex.split(INSTALL):
            assert not programs(argv) & forbidden, (
                f"{workflow}:{job}: {shlex.join(argv)!r} copies a command of the noxfile: call its nox session")


def test_each_workflow_runs_nox():
    for path in FILES:
        if triggered_by_another_run(load(path)):
            continue  # it handles another run's results: test_a_workflow_run_workflow_runs_no_pull_requests_code
        runs = [argv for _, _, script in run_steps(load(path)) for argv in commands(script)]
        assert any(argv[0] == "nox" for argv in runs), f"{path.name} runs no nox session"


def triggered_by_another_run(workflow: dict) -> bool:
    """Whether a workflow runs only after another one (workflow_run)."""
    return set(workflow["on"]) == {"workflow_run"}


def untrusted_code_problems(workflow: dict) -> list[str]:
    """What lets a workflow_run workflow (write access) run a pull request's code: checkouts of it, nox, pip."""
    problems = []
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@") and (step.get("with") or {}).get("ref"):
                problems.append(f"{job_id}: checks out {step['with']['ref']}, not the default branch")
        for _, _, script in run_steps({"jobs": {job_id: job}}):
            ran = {argv[0] for argv in commands(script)} | {program(argv) for argv in commands(script)}
            problems += [f"{job_id}: runs {name}" for name in sorted(ran & {"nox", "pip", "pytest", "jupyter-book"})]
    return problems


def test_a_workflow_run_workflow_runs_no_pull_requests_code():
    workflows = [load(path) for path in FILES if triggered_by_another_run(load(path))]
    assert workflows, "preview.yml: the preview's poster is a workflow_run workflow"
    for workflow in workflows:
        assert untrusted_code_problems(workflow) == []


def test_the_untrusted_code_check_can_fail():
    workflow = load(WORKFLOWS / "preview.yml")
    job = workflow["jobs"]["preview"]
    job["steps"][0].setdefault("with", {})["ref"] = "${{ github.event.workflow_run.head_sha }}"
    job["steps"].append({"run": f"{INSTALL} && nox -s docs"})
    assert untrusted_code_problems(workflow) == [
        "preview: checks out ${{ github.event.workflow_run.head_sha }}, not the default branch",
        "preview: runs nox", "preview: runs pip"]


def pull_request_writes(workflow: dict) -> list[str]:
    """The jobs of a workflow that grant themselves any write permission."""
    return [job_id for job_id, job in workflow["jobs"].items()
            if "write" in (job.get("permissions") or {}).values() or job.get("permissions") == "write-all"]


def test_the_pull_request_workflow_writes_nothing_and_its_run_triggers_the_preview():
    pull_request, preview = load(WORKFLOWS / "pull-request.yml"), load(WORKFLOWS / "preview.yml")
    assert pull_request_writes(pull_request) == [], "a pull request's code runs with read access only"
    assert "pull_request_target" not in pull_request["on"]
    assert preview["on"]["workflow_run"]["workflows"] == [pull_request["name"]]
    assert "closed" in pull_request["on"]["pull_request"]["types"], "closing a pull request removes its preview"
    assert pull_request_writes(preview) == ["preview"]
    broken = load(WORKFLOWS / "pull-request.yml")
    broken["jobs"]["site"]["permissions"]["contents"] = "write"
    assert pull_request_writes(broken) == ["site"]


def test_the_deploy_can_be_run_by_hand_and_publishes_only_its_branch():
    publish = load(WORKFLOWS / "publish.yml")
    assert "workflow_dispatch" in publish["on"]
    assert publish["jobs"]["deploy"]["if"] == f"github.ref == 'refs/heads/{published_branch(ROOT)}'"


def nightly_problems(workflow: dict) -> list[str]:
    """What the nightly lacks: a job that reports a failure, and one that closes the issue when green."""
    jobs = workflow["jobs"].values()
    scripts = {job.get("if", ""): " ".join(step.get("run", "") for step in job.get("steps", [])) for job in jobs}
    problems = []
    if not any("failure" in cond and "gh issue create" in run for cond, run in scripts.items()):
        problems.append("no job opens an issue on failure")
    if not any("'success'" in cond and "gh issue close" in run for cond, run in scripts.items()):
        problems.append("no job closes the issue when the night is green")
    return problems


def test_the_nightly_opens_and_closes_its_issue():
    nightly = load(WORKFLOWS / "nightly.yml")
    assert nightly_problems(nightly) == []
    del nightly["jobs"]["green"]
    assert nightly_problems(nightly) == ["no job closes the issue when the night is green"]


def dependabot_problems(config: dict) -> list[str]:
    """What Dependabot's configuration misses: actions and the Python pins, weekly and grouped."""
    problems = []
    updates = {update["package-ecosystem"]: update for update in config.get("updates", [])}
    for ecosystem in ("github-actions", "conda"):
        update = updates.get(ecosystem)
        if update is None:
            problems.append(f"{ecosystem}: not kept current")
        elif update["schedule"]["interval"] != "weekly" or not update.get("groups"):
            problems.append(f"{ecosystem}: not weekly and grouped")
    return problems


def test_dependabot_keeps_actions_and_pins_current():
    config = load(ROOT / ".github" / "dependabot.yml")
    assert dependabot_problems(config) == []
    config["updates"][0].pop("groups")
    config["updates"].pop()
    assert dependabot_problems(config) == ["github-actions: not weekly and grouped", "conda: not kept current"]


@pytest.mark.parametrize("command", readme_commands())
def test_the_readmes_commands_run_as_written(command):
    assert command.startswith(f"{INSTALL} && nox "), f"{command!r}: install nox, then run a session"
    assert any(script.strip() == command for _, _, script in ALL_RUNS), f"no workflow step runs {command!r}"
    assert command in README.read_text(), f"README.md does not show {command!r} as declared in .ci/commands.yml"


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


@pytest.mark.skipif(shutil.which("nox") is None, reason="nox is not on PATH (the README installs it with pip)")
def test_every_declared_session_is_one_of_the_noxfile():
    declared = sorted(documented_sessions())
    listing = subprocess.run(["nox", "-l", "--json", "-s", *declared], cwd=ROOT, capture_output=True, text=True)
    assert listing.returncode == 0, f".ci/commands.yml lists a session the noxfile does not have: {listing.stderr}"
    found = json.loads(listing.stdout)
    assert {s["name"] for s in found} | {s["session"] for s in found} >= set(declared)
def test_the_cache_key_names_the_lock_the_docs_session_installs():
    keyed = [(path.name, step) for path in (WORKFLOWS / "publish.yml", WORKFLOWS / "pull-request.yml")
             for job in load(path)["jobs"].values() for step in job.get("steps", []) if step.get("id") == "envhash"]
    assert [name for name, _ in keyed] == ["publish.yml", "pull-request.yml"]
    for name, step in keyed:
        first = (ROOT / step["env"]["FAKEHUB_LOCK"]).read_text().splitlines()[0]
        assert re.match(r"^# locks/\w+\.txt: every package of docs,", first), f"{name}: {first}"


def test_pull_requests_restore_mains_cache_and_save_none():
    steps = load(WORKFLOWS / "pull-request.yml")["jobs"]["site"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "actions/cache/restore" in uses
    keyed = {step["id"]: step["env"]["FAKEHUB_LOCK"] for step in steps if "envhash" in step.get("id", "")}
    assert keyed == {"envhash": "locks/pins.txt", "browser_envhash": "locks/server.txt"}
    restore = next(step for step in steps if step.get("uses", "").startswith("actions/cache/restore@"))
    assert "steps.envhash." in restore["with"]["path"], "main's cache is restored for the docs build only"
    publish = [step.get("uses", "").split("@")[0] for step in load(WORKFLOWS / "publish.yml")["jobs"]["build"]["steps"]]
    assert "actions/cache" in publish, "main saves the cache the pull requests restore"


def test_the_workflow_lint_checks_the_workflows_scripts(tmp_path):
    folder = copy_workflows(tmp_path)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for path in (ROOT / ".github" / "scripts").glob("*.sh"):
        (scripts / path.name).write_text(path.read_text())
    assert lint(folder).returncode == 0
    (scripts / "broken.sh").write_text('#!/usr/bin/env bash\nrm -rf $1/*\n')  # unquoted: SC2086
    result = lint(folder)
    assert result.returncode == 1 and "failed: shellcheck" in result.stderr, result.stdout + result.stderr
