"""The gateway rule: after a page, the member has no Dask Gateway cluster running.

A cluster left running keeps its machines until its idle timeout (30 minutes on LEAP's hub).
Each cluster is traced to the cell that created it, so the report names that cell.
"""

from __future__ import annotations

from fakehub import FakeHub


class ClusterWatch:
    """The member's clusters during one page: which cell created each one."""

    def __init__(self, hub: FakeHub):
        self.hub = hub
        self.created_by: dict[str, str] = {name: "a page before this one" for name in hub.clusters()}

    def after_cell(self, where: str) -> None:
        """Note the clusters that appeared while the cell at `where` (book/x.md:LINE[way]) ran."""
        for name in self.hub.clusters():
            self.created_by.setdefault(name, where)

    def left_running(self) -> list[str]:
        """Each cluster still running after the page, as a sentence; all are stopped, so the next page starts clean."""
        running = self.hub.clusters()
        self.stop_all(running)
        return [f"gateway cluster {name} is still running, created by {self.created_by.get(name, 'an unknown cell')}: "
                "shut it down (cluster.shutdown()) before the page ends; on the hub it would keep its workers "
                "until its idle timeout" for name in running]

    def stop_all(self, names: list[str] | None = None) -> None:
        """Shut down the member's clusters (after a failed page too)."""
        for name in self.hub.clusters() if names is None else names:
            self.hub.stop_cluster(name)
