"""Which names a cell binds, and which name a NameError is about: to tell a new bug from a consequence."""

from __future__ import annotations

import ast
import re

from IPython.core.inputtransformer2 import TransformerManager

UNDEFINED = re.compile(r"raised NameError: name '(?P<name>[^']+)' is not defined")


def bound(source: str) -> set[str]:
    """The names a Python cell binds anywhere (assignments, imports, defs, loops, with); none if it cannot parse."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*")
    return names


def undefined(text: str) -> str | None:
    """The name in a failure's "raised NameError: name 'x' is not defined", or None."""
    match = UNDEFINED.search(text)
    return match["name"] if match else None
