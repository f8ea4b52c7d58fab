"""Which items of the suite exist only because of the local hub's JupyterHub and gateway (bench.yml: suite)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def heading_line(page: Path, heading: str) -> int:
    """The 1-based line of a heading in a page."""
    for number, line in enumerate(page.read_text().splitlines(), start=1):
        if line.strip() == heading:
            return number
    raise LookupError(f"{page} has no line {heading!r} (bench.yml: suite.gateway_section)")


def gateway_line(settings: dict, root: Path) -> int:
    """Where the Dask tutorial's Gateway section starts (bench.yml: suite.gateway_section)."""
    section = settings["gateway_section"]
    return heading_line(root / section["page"], section["heading"])


def is_stack_item(nodeid: str, settings: dict, gateway_from: int) -> bool:
    """Whether an item id names a stack item: a pattern matches it, or it is a cell of the Gateway section."""
    if any(re.search(pattern, nodeid) for pattern in settings["stack_items"]):
        return True
    page, _, line = nodeid.partition(":")
    number = re.match(r"\d+", line)
    return page == settings["gateway_section"]["page"] and bool(number) and int(number[0]) >= gateway_from


def collected(root: Path, pytest: Path) -> list[str]:
    """The ids of every item the suite collects in root."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not a worker of a caller's run
    result = subprocess.run([str(pytest), "--collect-only", "-q"], cwd=root, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: the suite did not collect in {root}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    ids = result.stdout.split("\n\n", 1)[0].splitlines()  # the ids, then a blank line and the count
    return [nodeid for nodeid in ids if nodeid.strip()]


def stack_items(settings: dict, root: Path, pytest: Path) -> list[str]:
    """The ids of the suite's stack items."""
    gateway_from = gateway_line(settings, root)
    return [nodeid for nodeid in collected(root, pytest) if is_stack_item(nodeid, settings, gateway_from)]
