"""Per-page expectations (expect/<page>.yml): objects that must exist, or be gone, after a page."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from fakehub import HubConfig, member
from fakehub import load as load_hub
from fakehub.globs import PLACEHOLDER, fill, glob_regex

KEYS = ("exist", "absent")
EXPECT_DIR = "expect"  # at the book's root: one file per page, at the page's path under book/


class ExpectError(ValueError):
    """An expectations file is missing or malformed."""


@dataclasses.dataclass(frozen=True)
class Expectations:
    """The globs one page's file lists, with {user} and the buckets' variables already filled in."""

    source: str
    exist: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()

    def problems(self, objects: set[str]) -> list[str]:
        """Each expectation the objects ("bucket/name") do not meet, as a sentence."""
        found = []
        for pattern in self.exist:
            if not any(glob_regex(pattern).fullmatch(o) for o in objects):
                found.append(f"expected an object matching {pattern!r} ({self.source}: exist), found none")
        for pattern in self.absent:
            left = sorted(o for o in objects if glob_regex(pattern).fullmatch(o))
            if left:
                found.append(f"expected no object matching {pattern!r} ({self.source}: absent), found {left}")
        return found


def expectations_path(root: Path, page: str) -> Path:
    """expect/<page path under book/ with .yml>."""
    relative = Path(page).relative_to("book").with_suffix(".yml")
    return root / EXPECT_DIR / relative


def placeholders(user: str, hub: HubConfig | None = None) -> dict[str, str]:
    """What a glob may name in braces: {user}, and each bucket's variable as the member's folder (hub.yml)."""
    hub = dataclasses.replace(hub or load_hub(), login=user)  # member is the login in lower case
    return {"user": user, **{name: value.removeprefix("gs://") for name, value in member.bucket_variables(hub).items()}}


def _filled(glob: str, values: dict[str, str], shown: str) -> str:
    """A glob with its placeholders filled in; an unknown one is an error."""
    unknown = [name for name in PLACEHOLDER.findall(glob) if name not in values]
    if unknown:
        raise ExpectError(f"{shown}: unknown placeholder(s) {unknown} in {glob!r}; known: {sorted(values)}")
    return fill(glob, values)


def load(root: Path, page: str, user: str, hub: HubConfig | None = None) -> Expectations:
    """Read and check a page's expectations file."""
    path = expectations_path(root, page)
    shown = path.relative_to(root).as_posix()
    if not path.is_file():
        raise ExpectError(f"{page} has no expectations file: create {shown} (see expect/README.md)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ExpectError(f"{shown}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise ExpectError(f"{shown}: must be a mapping with at least one of {list(KEYS)}")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ExpectError(f"{shown}: unknown key(s) {unknown}; allowed: {list(KEYS)}")
    lists, values = {}, placeholders(user, hub)
    for key in data:
        value = data[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ExpectError(f"{shown}: {key!r} must be a non-empty list of globs")
        lists[key] = tuple(_filled(v, values, shown) for v in value)
    return Expectations(shown, **lists)
