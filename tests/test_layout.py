"""The parts' imports run one way: pages -> harness -> fakehub, booksite using fakehub; no part reads tests/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
# part -> the parts it must not import
FORBIDDEN = {"fakehub": {"harness", "booksite", "bench", "tests", "audit"}, "booksite": {"harness", "bench", "tests"},
             "harness": {"bench", "tests", "audit"}, "bench": {"tests"}, "tools": {"harness", "bench", "tests"},
             "audit": {"bench", "tests", "booksite"}}


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports (relative imports are its own part's)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def reads_tests(path: Path) -> bool:
    """Whether a module builds a path into tests/ (`ROOT / "tests"`, or a string starting "tests/")."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant):
            if node.right.value == "tests":
                return True
    return False


def problems(root: Path) -> list[str]:
    """Each module of a part that imports a part it must not, or reads a file under tests/."""
    found = []
    for part, banned in FORBIDDEN.items():
        for path in sorted((root / part).rglob("*.py")):
            shown = path.relative_to(root)
            found += [f"{shown} imports {name}" for name in sorted(imported(path) & banned)]
            found += [f"{shown} reads a file under tests/"] if reads_tests(path) else []
    return found


def test_the_arrows_run_one_way():
    assert problems(ROOT) == []


@pytest.mark.parametrize("code, problem", [
    ("from harness import check\n", "fakehub/x.py imports harness"),
    ("import bench.run\n", "fakehub/x.py imports bench"),
    ('from pathlib import Path\nDATA = Path(".") / "tests" / "x.yml"\n', "fakehub/x.py reads a file under tests/"),
])
def test_a_wrong_arrow_is_named(tmp_path, code, problem):
    (tmp_path / "fakehub").mkdir()
    (tmp_path / "fakehub" / "x.py").write_text(code)
    assert problems(tmp_path) == [problem]
