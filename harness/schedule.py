"""xdist scheduling by page and way: a page's cells run in order in one kernel, so they share a worker."""

from __future__ import annotations

import re

from xdist.scheduler import LoadScopeScheduling

from .ways import scope

# A page's item: "book/x.md:LINE" or "book/x.md:expect", with the way after it ("[lived-in]") unless fresh.
PAGE_ITEM = re.compile(r"(?P<page>.+\.md):[^:/\[\]]+(?P<way>\[[a-z-]+\])?")


class PageScheduling(LoadScopeScheduling):
    """LoadScope, with a page in one way ("book/x.md", "book/x.md[lived-in]") as the scope; other tests spread singly.

    A way that continues another's run (again and crowded after fresh, week-later after lived-in) joins that way's
    scope; the tests of a file named in the ini option one_worker_modules share one too.
    """

    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.modules = frozenset(config.getini("one_worker_modules"))

    # xdist's own loadgroup marks nodeids with "@group", which pytest 9 no longer lets a plugin
    # rewrite; grouping here needs no change to the items.
    def _split_scope(self, nodeid: str) -> str:
        match = PAGE_ITEM.fullmatch(nodeid)
        if match:
            return f"{match['page']}{scope(match['way'] or '')}"
        module = nodeid.split("::", 1)[0]
        return module if module in self.modules else nodeid
