"""xdist scheduling by page and way: a page's cells run in order in one kernel, so they share a worker."""

from __future__ import annotations

import re

from xdist.scheduler import LoadScopeScheduling

from .ways import scope

# A page's item: "book/x.md:LINE" or "book/x.md:expect", with the way after it ("[lived-in]") unless fresh.
PAGE_ITEM = re.compile(r"(?P<page>.+\.md):[^:/\[\]]+(?P<way>\[[a-z-]+\])?")


class PageScheduling(LoadScopeScheduling):
    """LoadScope, with a page in one way ("book/x.md", "book/x.md[again]") as the scope; other tests spread singly.

    A way that continues another's run (week-later after lived-in, crowded after fresh) joins that way's scope.
    """

    # xdist's own loadgroup marks nodeids with "@group", which pytest 9 no longer lets a plugin
    # rewrite; grouping here needs no change to the items.
    def _split_scope(self, nodeid: str) -> str:
        match = PAGE_ITEM.fullmatch(nodeid)
        return f"{match['page']}{scope(match['way'] or '')}" if match else nodeid
