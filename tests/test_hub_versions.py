"""fakehub/hub-image-versions.txt matches the hub's image: its tag, and (when ../shared has it) its package list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fakehub import load

ROOT = Path(__file__).parents[1]
VERSIONS = ROOT / "fakehub" / "hub-image-versions.txt"
LINE = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)\s*(#\s*conda:\s*(?P<conda>\S+))?\s*$")


def pins() -> dict[str, tuple[str, str]]:
    """Map each conda name to (pip name, version), from the data file."""
    found = {}
    for line in VERSIONS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            match = LINE.match(line)
            assert match, f"{VERSIONS.name}: cannot read {line!r}"
            found[(match["conda"] or match["name"]).lower()] = (match["name"], match["version"])
    return found


def image_tag() -> str:
    """The image the data file says it describes."""
    first = VERSIONS.read_text().splitlines()[0]
    return first.split(": ", 1)[1].strip()


def test_the_file_describes_the_hubs_image():
    assert image_tag() == load().image


def test_versions_match_the_images_package_list():
    tag = image_tag().rsplit(":", 1)[1]
    listing = ROOT.parent / "shared" / f"pangeo-notebook-{tag}-packages.txt"
    if not listing.is_file():
        pytest.skip(f"{listing} is not here (CI has it beside the clone); the versions were copied from it")
    image = dict(line.lower().split("==", 1) for line in listing.read_text().splitlines() if "==" in line)
    ours = {conda: version for conda, (_, version) in pins().items()}
    wrong = {conda: (version, image.get(conda)) for conda, version in ours.items() if image.get(conda) != version}
    assert not wrong, f"{VERSIONS.name} differs from {listing.name} (ours, image's): {wrong}"
