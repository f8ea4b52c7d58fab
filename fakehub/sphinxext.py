"""Sphinx extension: the book executes inside the local LEAP hub, with a cache per environment.

Listed in _config.yml (sphinx.local_extensions), so any build of the book, by nox or
by hand, runs its cells against loopback and never against Google Cloud.
"""

from __future__ import annotations

import atexit
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from . import FakeHub, load, offline
from .envhash import environment_key

LOGGER = logging.getLogger(__name__)
_HUB: FakeHub | None = None


def use_environment_cache(app: Sphinx, config: Config) -> None:
    """Point jupyter-cache at a folder keyed by the environment, so new pins re-execute pages."""
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    config.nb_execution_cache_path = str(base / environment_key(load()))


def start_hub(app: Sphinx) -> None:
    """Start the local hub before the first page is read, so before any cell runs; a HubError stops the build.

    A build that reads no page (nothing changed) starts no hub.
    """
    global _HUB
    if app.config.nb_execution_mode == "off" or _HUB is not None:
        return
    _HUB = FakeHub().start()
    atexit.register(_HUB.stop)
    LOGGER.info(f"local LEAP hub up in {_HUB.timings['start_s']:.1f} s at {_HUB.addresses.hub_url} "
                f"(storage {_HUB.url}), jupyter-cache at {app.config.nb_execution_cache_path}")
    LOGGER.info(offline.describe())  # an info line: a by-hand build outside the namespace still builds


def reset_buckets(app: Sphinx, docname: str, source: list[str]) -> None:
    """Give every page the seeded buckets, the lived-in home and no gateway cluster, whatever ran before it."""
    start_hub(app)
    if _HUB is not None:
        _HUB.reset()
        _HUB.reset_home()


def current_hub() -> FakeHub | None:
    """The build's local hub, once a page has started it; None before, or with execution off."""
    return _HUB


def stop_hub(app: Sphinx, exception: Exception | None) -> None:
    """Stop every process of the hub and restore the environment."""
    global _HUB
    if _HUB is not None:
        _HUB.stop()
        _HUB = None


def setup(app: Sphinx) -> dict:
    """Register the hooks; they must run before myst-nb executes (config init, and each page's source-read)."""
    app.connect("config-inited", use_environment_cache, priority=900)
    app.connect("source-read", reset_buckets, priority=100)
    app.connect("build-finished", stop_hub)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
