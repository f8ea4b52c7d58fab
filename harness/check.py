"""The page check, one copy for the per-cell harness and the launch from a tutorial's button.

What a cell's source must say, and what must hold after a page ran: the bucket rules since it
started, its expectations, and no gateway cluster left running.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from fakehub import HubConfig

from . import buckets
from .expect import Expectations
from .page import SKIP, Cell

NO_REASON = ("is tagged skip-execution but states no reason: make its first line a comment saying why the build "
             "does not run it (CONTRIBUTING.md)")


def source_problem(cell: Cell) -> str | None:
    """What the cell's source lacks, without running it: a skip-execution cell states its reason."""
    return NO_REASON if SKIP in cell.tags and not cell.skip_reason() else None


def page_problems(hub: HubConfig, before: buckets.Snapshot, after: buckets.Snapshot, seeded: Collection[str],
                  expectations: Expectations, earlier: Collection[str] = (), left_running: Iterable[str] = ()
                  ) -> list[str]:
    """After a page: the bucket rules since it started, what it itself left against its expectations, clusters left."""
    problems = buckets.violations(buckets.changes(before, after), hub.member, seeded, earlier, hub)
    problems += expectations.problems(set(after) - set(earlier))
    return problems + list(left_running)
