"""Check GitHub Actions workflows with actionlint (and ShellCheck on run: scripts) and zizmor, offline.

Usage: python tools/check_workflows.py [WORKFLOW_DIR]   (default .github/workflows)
The lint session runs it on the repository's workflows; the tests run it on broken ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent  # the tools come with this environment's pins
# zizmor offline: CI reaches only the package registries. The pedantic persona also asks for
# a comment on each permission granted.
CHECKS = {
    "actionlint": ["actionlint", "-no-color"],
    "zizmor": ["zizmor", "--offline", "--persona=pedantic", "--no-progress", "--color=never"],
}


def workflows(folder: Path) -> list[Path]:
    """The workflow files of a folder."""
    return sorted(p for p in folder.iterdir() if p.suffix in {".yml", ".yaml"}) if folder.is_dir() else []


def failed_checks(files: list[Path]) -> list[str]:
    """Run every check on the files (each prints its findings); return the names of those that failed."""
    environ = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # actionlint finds shellcheck
    failed = []
    for name, command in CHECKS.items():
        result = subprocess.run([*command, *map(str, files)], env=environ, check=False)
        if result.returncode != 0:
            failed.append(name)
    return failed


def failed_scripts(folder: Path) -> list[str]:
    """ShellCheck on the workflows' scripts (.github/scripts/*.sh), which actionlint does not read."""
    scripts = sorted(folder.glob("*.sh")) if folder.is_dir() else []
    environ = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if scripts and subprocess.run(["shellcheck", *map(str, scripts)], env=environ, check=False).returncode:
        return ["shellcheck"]
    return []


def main(argv: list[str]) -> int:
    """Exit 1 if any check fails, 2 if there is nothing to check."""
    folder = Path(argv[0]) if argv else ROOT / ".github" / "workflows"
    files = workflows(folder)
    if not files:
        print(f"{folder}: no workflow files to check", file=sys.stderr)
        return 2
    failed = failed_checks(files) + failed_scripts(folder.parent / "scripts")
    verdict = f"failed: {', '.join(failed)}" if failed else "passed actionlint and zizmor"
    print(f"{len(files)} workflows in {folder}: {verdict}", file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
