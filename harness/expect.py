"""A page's expectations (its front matter's `expect:` key): objects that must exist, or be gone, after it ran."""

from __future__ import annotations

import dataclasses

from fakehub import HubConfig, member
from fakehub import load as load_hub
from fakehub.globs import PLACEHOLDER, fill, glob_regex

from .page import Page

KEY = "expect"  # the front-matter key; jupytext, myst-nb, myst-parser and Jupyter Book give it no meaning
KEYS = ("exist", "absent")


class ExpectError(ValueError):
    """A page's expectations are malformed."""


@dataclasses.dataclass(frozen=True)
class Expectations:
    """The globs of one page, with {user} and the buckets' variables already filled in."""

    source: str  # the page, "book/x.md"
    exist: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()

    def problems(self, objects: set[str]) -> list[str]:
        """Each expectation the objects ("bucket/name") do not meet, as a sentence."""
        found = []
        for pattern in self.exist:
            if not any(glob_regex(pattern).fullmatch(o) for o in objects):
                found.append(f"expected an object matching {pattern!r} ({self.source}: {KEY}.exist), found none")
        for pattern in self.absent:
            left = sorted(o for o in objects if glob_regex(pattern).fullmatch(o))
            if left:
                found.append(f"expected no object matching {pattern!r} ({self.source}: {KEY}.absent), found {left}")
        return found


def placeholders(user: str, hub: HubConfig | None = None) -> dict[str, str]:
    """What a glob may name in braces: {user}, and each bucket's variable as the member's folder (hub.yml)."""
    hub = dataclasses.replace(hub or load_hub(), login=user)  # member is the login in lower case
    return {"user": user, **{name: value.removeprefix("gs://") for name, value in member.bucket_variables(hub).items()}}


def default(hub: HubConfig) -> list[str]:
    """Without the key, absent: the page leaves nothing of its own anywhere the member may write (hub.yml)."""
    return [f"{role.name}/{glob}" for role in hub.roles for glob in role.writes]


def load(page: Page, user: str, hub: HubConfig | None = None) -> Expectations:
    """A page's expectations, from its front matter as myst-nb read it (page.py); the default without the key."""
    hub = hub or load_hub()
    shown = f"{page.name}: front matter {KEY}"
    if KEY not in page.notebook.metadata:
        return Expectations(page.name, absent=tuple(_filled(g, placeholders(user, hub), shown) for g in default(hub)))
    data = page.notebook.metadata[KEY]
    if not isinstance(data, dict) or not data:
        raise ExpectError(f"{shown}: must be a mapping with at least one of {list(KEYS)}")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ExpectError(f"{shown}: unknown key(s) {unknown}; allowed: {list(KEYS)}")
    lists, values = {}, placeholders(user, hub)
    for key, value in data.items():
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ExpectError(f"{shown}.{key}: must be a non-empty list of globs")
        lists[key] = tuple(_filled(v, values, f"{shown}.{key}") for v in value)
    return Expectations(page.name, **lists)


def _filled(glob: str, values: dict[str, str], shown: str) -> str:
    """A glob with its placeholders filled in; an unknown one is an error."""
    unknown = [name for name in PLACEHOLDER.findall(glob) if name not in values]
    if unknown:
        raise ExpectError(f"{shown}: unknown placeholder(s) {unknown} in {glob!r}; known: {sorted(values)}")
    return fill(glob, values)

