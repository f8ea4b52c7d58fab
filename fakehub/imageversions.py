"""The hub image's versions (hub-image-versions.txt): the one reader of that file.

Standard library only: the noxfile loads this module by path, in nox's own Python, which has
neither PyYAML nor the fakehub package's dependencies.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

VERSIONS = Path(__file__).with_name("hub-image-versions.txt")
# The image whose library versions the suite verifies; not the image the hub runs (hub.yml's hub_image).
HEADER = re.compile(r"^#\s*Verified with the library versions of:\s*(?P<image>\S+)\s*$")
LINE = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s#]+)\s*(?:#\s*(?P<notes>.*?))?\s*$")
SERVER = "server"  # a note: the member's server's own package, run in the image's version by the launches


class VersionsError(ValueError):
    """The versions file is missing or has a line it cannot read."""


class Pin(NamedTuple):
    """One library of the image: its pip name and version, its conda name, and whether the member's server runs it."""

    name: str
    version: str
    conda: str
    server: bool

    @property
    def requirement(self) -> str:
        """As pip takes it: name==version."""
        return f"{self.name}=={self.version}"


class ImageVersions(NamedTuple):
    """The image the file describes, and its pins in the file's order."""

    image: str
    pins: tuple[Pin, ...]

    def server(self) -> tuple[Pin, ...]:
        """The member's server's own packages (noted `server`)."""
        return tuple(pin for pin in self.pins if pin.server)


def _pin(line: str, path: Path) -> Pin:
    """One pin line, with its notes (`conda: NAME`, `server`, separated by `;`)."""
    match = LINE.match(line)
    if not match:
        raise VersionsError(f"{path}: cannot read {line!r}; a line reads `name==version  # conda: NAME; server`")
    conda, server = match["name"].lower(), False
    for note in filter(None, (part.strip() for part in (match["notes"] or "").split(";"))):
        if note == SERVER:
            server = True
        elif note.startswith("conda:"):
            conda = note.removeprefix("conda:").strip().lower()
        else:
            raise VersionsError(f"{path}: unknown note {note!r} in {line!r}; the notes are `conda: NAME` and `server`")
    return Pin(match["name"], match["version"], conda, server)


def read(path: Path = VERSIONS) -> ImageVersions:
    """Parse the versions file: its first line names the image, then one pin per line (comments and blanks aside)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = HEADER.match(lines[0])
    except (OSError, IndexError) as exc:
        raise VersionsError(f"cannot read the verified image from {path}: {exc}") from None
    if not header:
        raise VersionsError(f"{path}: the first line must read `# Verified with the library versions of: <reference>`, "
                           f"not {lines[0]!r}")
    pins = tuple(_pin(line, path) for line in lines[1:] if line.strip() and not line.lstrip().startswith("#"))
    return ImageVersions(header["image"], pins)
