"""The ways every page runs: as a new member, as a member with earlier work, and twice in a row."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Way:
    """One way of running a page; its name tags the page's items, so a failure says which way failed."""

    name: str
    lived_in: bool  # the member's folders already hold earlier work (fakehub/seeds/lived-in/)
    again: bool  # the page runs once unreported, then again (reported) on the same hub, folder and home

    @property
    def suffix(self) -> str:
        """What the way adds to an item's id: nothing for fresh, "[lived-in]", "[again]"."""
        return "" if self.name == "fresh" else f"[{self.name}]"


WAYS = {
    "fresh": Way("fresh", lived_in=False, again=False),
    "lived-in": Way("lived-in", lived_in=True, again=False),
    "again": Way("again", lived_in=False, again=True),
}
DEFAULT = ",".join(WAYS)


def select(value: str) -> list[Way]:
    """The ways a comma-separated list names, in their fixed order; ValueError for an unknown name."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(WAYS))
    if unknown or not names:
        raise ValueError(f"--ways: unknown way(s) {unknown or names}; choose from {list(WAYS)}")
    return [way for name, way in WAYS.items() if name in names]
