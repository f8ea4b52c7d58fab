"""The ways every page runs: new member, earlier work, a week later, twice in a row, and in a crowded home."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Way:
    """One way of running a page; its name tags the page's items, so a failure says which way failed."""

    name: str
    lived_in: bool  # the member's folders already hold earlier work (fakehub/seeds/lived-in/)
    again: bool  # a first run (unreported, or the run of the way it continues), then the reported one in its folder
    expire: bool = False  # between the runs the member's scratch objects go, as scratch's 7-day rule leaves them
    crowded: bool = False  # the folder holds the member's own things (seeds/folder/), and so does each local path a
    #                        first run created
    after: str = ""  # the way whose run, in the same pytest process, this one continues instead of starting anew
    meaning: str = ""  # said under a failure in this way: what it imitates on the hub

    @property
    def suffix(self) -> str:
        """What the way adds to an item's id: nothing for fresh, "[lived-in]", "[again]"."""
        return "" if self.name == "fresh" else f"[{self.name}]"


WAYS = {
    "fresh": Way("fresh", lived_in=False, again=False),
    # A way that continues another comes right after it: nothing may run in between (docs/ways.md).
    "again": Way("again", lived_in=False, again=True, after="fresh"),
    "lived-in": Way("lived-in", lived_in=True, again=False),
    "week-later": Way("week-later", lived_in=True, again=True, expire=True, after="lived-in",
                      meaning="week-later: the member, with earlier work in their bucket folders, ran the page before "
                              "in this folder and home; since then scratch's 7-day lifecycle rule has deleted every "
                              "scratch object of theirs, their earlier work and what the page left alike. Keep what "
                              "must last in $PERSISTENT_BUCKET, or remake it."),
    "crowded": Way("crowded", lived_in=False, again=False, crowded=True, after="fresh",
                   meaning="crowded: the folder the page ran in already held the member's own files, and so did "
                           "each local path the page created in its first run. Work in a new temporary folder, or "
                           "check before writing or deleting."),
}
# The ways whose verdict can depend on the libraries' versions, which the hub session runs (noxfile.ONCE): the
# page's code, and a second run over what the first left (how a store is written over). Earlier work beside the
# page's, a week-old scratch and a crowded folder are matters of the page's own paths and steps.
VERSIONED = "fresh,again"
EVERY = ",".join(WAYS)  # --ways's default: the pins session, a run by hand, and the audit


def select(value: str) -> list[Way]:
    """The ways a comma-separated list names, in their fixed order; ValueError for an unknown name."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(WAYS))
    if unknown or not names:
        raise ValueError(f"--ways: unknown way(s) {unknown or names}; choose from {list(WAYS)}")
    return [way for name, way in WAYS.items() if name in names]


def scope(suffix: str) -> str:
    """The suffix of the scope a way's items share a worker in: a way that continues another runs beside it."""
    way = next((w for w in WAYS.values() if w.suffix == suffix), None)
    return WAYS[way.after].suffix if way and way.after else suffix
