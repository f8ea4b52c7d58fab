"""fakehub/hub-image-versions.txt matches the image whose library versions the suite verifies."""

from __future__ import annotations

from pathlib import Path

import pytest

from fakehub import imageversions, load

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
VERSIONS = imageversions.VERSIONS


def pins() -> dict[str, tuple[str, str]]:
    """Map each conda name to (pip name, version), from the data file."""
    return {pin.conda: (pin.name, pin.version) for pin in imageversions.read().pins}


def image_tag() -> str:
    """The image the data file says it describes."""
    return imageversions.read().image


def test_the_file_describes_the_image_the_fake_hub_names():
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


def test_the_reader_refuses_what_it_cannot_read(tmp_path):
    versions = tmp_path / "versions.txt"
    versions.write_text("# Verified with the library versions of: a/b:1\nzarr==3.1.5  # conda: zarr-python; server\n")
    [pin] = imageversions.read(versions).pins
    assert pin == imageversions.Pin("zarr", "3.1.5", "zarr-python", True)
    versions.write_text("# Verified with the library versions of: a/b:1\nzarr>=3\n")
    with pytest.raises(imageversions.VersionsError, match="cannot read 'zarr>=3'"):
        imageversions.read(versions)
    versions.write_text("# Verified with the library versions of: a/b:1\nzarr==3.1.5  # pinned by hand\n")
    with pytest.raises(imageversions.VersionsError, match="unknown note 'pinned by hand'"):
        imageversions.read(versions)


def test_the_members_server_packages_are_noted_in_the_file():
    assert {pin.name for pin in imageversions.read().server()} == {
        "jupyterlab", "jupyter_server", "nbgitpuller", "dask-gateway"}
