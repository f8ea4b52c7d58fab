"""Every tutorial, launched from the button its built page shows, runs to the end in JupyterLab on the local hub."""

from __future__ import annotations

import pytest

from booksite.book import Book
from booksite.published import check_links, published_branch
from fakehub import imageversions
from harness.browser.launch import SERVER_PACKAGES, served_links

from .conftest import LAUNCHED, LAUNCHES

BOOK = Book.load()
ROOT = BOOK.root
TUTORIALS = BOOK.tutorial_pages()


def image_versions() -> dict[str, str]:
    """The hub image's versions of the member's server's packages (fakehub/hub-image-versions.txt)."""
    return {pin.name: pin.version for pin in imageversions.read().pins if pin.name in SERVER_PACKAGES}


@pytest.fixture(scope="session")
def launched(request, origin) -> dict:
    """What the launches run, noted for the summary: the commit under test (and, once asked, the server's versions)."""
    noted = request.config.stash.setdefault(LAUNCHED, {})
    noted.update(commit=origin.head, uncommitted=origin.uncommitted())
    return noted


def test_the_launch_links_name_the_branch_the_deploy_publishes(built):
    """No browser: every launch link in the built site names the deploy workflow's branch, one page per tutorial."""
    assert check_links(built, published_branch(ROOT)) == len(TUTORIALS)


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
