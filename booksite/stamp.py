"""The "verified" stamp of an executed page, from the build's own records (never typed by hand).

What it says comes from the build's records: jupyter-cache's entry for the page's notebook (when
its cells last ran, also for a page the build took from the cache), the page's own cell tags
(the cells tagged skip-execution, which the build's executor leaves unrun), the versions
installed in the build's environment (the cache is keyed by that environment, so a cached page
ran with them too), the first line of fakehub/hub-image-versions.txt (the Pangeo image whose
library versions `nox -s tests` also runs every page with) and, kept apart from it, the image
the real hub runs (fakehub/hub.yml's `hub_image`: its reference, when it was read, and where).
"""

from __future__ import annotations

import html
import importlib.metadata
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jupyter_cache import get_cache
from nbformat import NotebookNode

from fakehub import imageversions

PANGEO_IMAGE = re.compile(r"^(?:(?:docker\.io|quay\.io)/)?pangeo/(?P<name>[a-z0-9-]+):(?P<tag>\d{4}\.\d{2}\.\d{2})$")
PACKAGE_LIST = "https://github.com/pangeo-data/pangeo-docker-images/blob/{tag}/{name}/packages.txt"
SKIP_TAG = "skip-execution"  # nbclient, which myst-nb and jupyter-cache execute with, leaves these cells unrun


class StampError(ValueError):
    """A record the stamp needs cannot be read."""


@dataclass(frozen=True)
class Stamp:
    """What the stamp of one page says."""

    ran: datetime  # when the page's cells last ran, in UTC
    versions: tuple[tuple[str, str], ...]  # (package, version) as installed for the build
    verified_image: str  # the Pangeo image whose library versions the test suite also runs
    hub_image: str  # the image the real hub runs, as its configuration named it
    hub_read: str  # when that configuration was read
    hub_source: str  # where a reader finds the current value
    not_run: int = 0  # code cells the build left unrun (tagged skip-execution)

    def html(self) -> str:
        """The stamp as HTML, with its facts also in machine-readable attributes."""
        packages = [f'<span class="booksite-stamp-package" data-package="{html.escape(name)}" '
                    f'data-version="{html.escape(version)}">{html.escape(name)} {html.escape(version)}</span>'
                    for name, version in self.versions]
        listed = ", ".join(packages[:-1]) + f" and {packages[-1]}" if len(packages) > 1 else "".join(packages)
        when = f'<time datetime="{self.ran.isoformat()}">{self.ran:%Y-%m-%d %H:%M} UTC</time>'
        image = f'<code class="booksite-stamp-image">{html.escape(self.verified_image)}</code>'
        listing = (f'<a class="booksite-stamp-package-list" href="{html.escape(package_list(self.verified_image))}">'
                   "package list</a>")
        hub = f'<code class="booksite-stamp-hub-image">{html.escape(self.hub_image)}</code>'
        source = f'<a class="booksite-stamp-hub-source" href="{html.escape(self.hub_source)}">its configuration</a>'
        read = f'<span class="booksite-stamp-hub-read">{html.escape(self.hub_read)}</span>'
        cells = "1 cell" if self.not_run == 1 else f"{self.not_run} cells"
        except_ = (f', <span class="booksite-stamp-not-run" data-not-run="{self.not_run}">except {cells} '
                   "marked as not run</span>") if self.not_run else ""
        return (
            '<div class="booksite-stamp">\n<p><strong class="booksite-stamp-label">Verified.</strong> '
            f"The code on this page last ran on {when}{except_}, with {listed}. The test suite also runs it "
            f"with the library versions of {image} ({listing}). The hub itself runs {hub}, as {source} "
            f"read in {read} says; its versions may differ.</p>\n</div>\n"
        )


def verified_image(path: Path) -> str:
    """The image named on the first line of the versions file (`# Verified with the library versions of: REF`)."""
    try:
        image = imageversions.read(path).image
    except imageversions.VersionsError as exc:
        raise StampError(str(exc)) from None
    package_list(image)
    return image


def package_list(reference: str) -> str:
    """Where the package list of a dated Pangeo image is published; StampError for any other image."""
    match = PANGEO_IMAGE.match(reference)
    if not match:
        raise StampError(f"{reference!r} is not a Pangeo image with a dated tag: no package list to link")
    return PACKAGE_LIST.format(**match.groupdict())


def installed(packages: list[str]) -> tuple[tuple[str, str], ...]:
    """The installed version of each package, in the order given."""
    try:
        return tuple((name, importlib.metadata.version(name)) for name in packages)
    except importlib.metadata.PackageNotFoundError as exc:
        raise StampError(f"the stamp names {exc.name!r}, which is not installed in the build's environment") from None


def cell_counts(notebook: NotebookNode) -> tuple[int, int]:
    """How many code cells the build runs, and how many it leaves unrun (tagged skip-execution)."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    skipped = sum(SKIP_TAG in cell.get("metadata", {}).get("tags", []) for cell in code)
    return len(code) - skipped, skipped


def cached_run(cache_path: str | Path, notebook: NotebookNode) -> datetime | None:
    """When jupyter-cache stored this notebook's executed cells (UTC), or None if it holds no match."""
    if not Path(cache_path).is_dir():
        return None
    try:
        record = get_cache(str(cache_path)).match_cache_notebook(notebook)
    except KeyError:
        return None
    # SQLite gives the stored UTC time back without its zone: say it is UTC, not local time.
    created = record.created
    return created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)


def ran_at(exec_data: dict | None, cached: datetime | None) -> datetime | None:
    """When the cells last ran: jupyter-cache's record first, else myst-nb's execution time."""
    if not exec_data or not exec_data.get("succeeded"):
        return None
    if cached is not None:
        return cached
    return datetime.fromtimestamp(exec_data["mtime"], UTC)
