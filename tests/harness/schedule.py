"""xdist scheduling by page: a page's cells run in order in one kernel, so they share a worker."""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling


class PageScheduling(LoadScopeScheduling):
    """LoadScope, with a page ("book/x.md:LINE", "book/x.md:expect") as the scope; other tests spread singly."""

    # xdist's own loadgroup marks nodeids with "@group", which pytest 9 no longer lets a plugin
    # rewrite; grouping here needs no change to the items.
    def _split_scope(self, nodeid: str) -> str:
        page, _, _ = nodeid.rpartition(":")
        return page if page.endswith(".md") else nodeid
