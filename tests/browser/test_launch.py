"""Every tutorial, launched from the button its built page shows, runs to the end in JupyterLab on the local hub."""

from __future__ import annotations

import re

import pytest

from booksite.book import Book
from harness.browser.launch import SERVER_PACKAGES, served_links

from .conftest import LAUNCHED, LAUNCHES

ROOT = Book.load().root
TUTORIALS = Book.load().tutorial_pages()
IMAGE_VERSION = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)")


def image_versions() -> dict[str, str]:
    """The hub image's versions of the member's server's packages (fakehub/hub-image-versions.txt)."""
    found = {}
    for line in (ROOT / "fakehub" / "hub-image-versions.txt").read_text().splitlines():
        match = IMAGE_VERSION.match(line)
        if match and match["name"] in SERVER_PACKAGES:
            found[match["name"]] = match["version"]
    return found


@pytest.fixture(scope="session")
def launched(request, origin) -> dict:
    """What the launches run, noted for the summary: the commit under test (and, once asked, the server's versions)."""
    noted = request.config.stash.setdefault(LAUNCHED, {})
    noted.update(commit=origin.head, uncommitted=origin.uncommitted())
    return noted


@pytest.mark.parametrize("docname", TUTORIALS)
def test_tutorial_runs_from_its_launch_button(docname, launcher, launched, site, screenshots, request,
                                              record_property):
    """Log in, follow the rendered link, Run All Cells in JupyterLab; every cell, the buckets and the gateway pass."""
    [link] = served_links(site.page(docname))  # the page's button as the browser shows it: test_pages.py
    outcome = launcher.launch(docname, link, screenshots)
    request.config.stash.setdefault(LAUNCHES, []).append(outcome)
    for name, seconds in outcome.timings.items():
        record_property(name, round(seconds, 2))
    assert outcome.problems == [], outcome.report()
    assert outcome.screenshot is not None and outcome.screenshot.stat().st_size > 10_000, "JupyterLab, pictured"
    assert outcome.app_version == image_versions()["jupyterlab"], "the page loaded the hub image's JupyterLab"


def test_the_members_server_runs_the_hub_images_versions(launcher, launched):
    """JupyterLab, jupyter_server, nbgitpuller and dask-gateway as in the hub's image, asked of the server itself."""
    launched["versions"] = launcher.server_versions()  # after the launches, which spawned it through their link
    assert set(image_versions()) == set(SERVER_PACKAGES), "fakehub/hub-image-versions.txt names them all"
    assert launched["versions"] == image_versions()
