"""Sphinx extension: the page check after every page the build executes, the one the harness and the launches call.

Listed in _config.yml after fakehub.sphinxext, which resets the local hub before each page. A page
taken from jupyter-cache did not run in this build, so it is not checked again here.
"""

from __future__ import annotations

import time
from pathlib import Path

from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util import logging

from fakehub import api
from fakehub.seed import seed_objects
from fakehub.sphinxext import current_hub

from . import check, expect
from .page import PageError, read_page

LOGGER = logging.getLogger(__name__)
_BEFORE: dict[str, tuple[float, dict]] = {}  # docname -> (when its reading began, the buckets then)


def note_start(app: Sphinx, docname: str, source: list[str]) -> None:
    """When the page's reading began, and the buckets as fakehub's reset left them."""
    hub = current_hub()
    if hub is not None:
        _BEFORE[docname] = (time.time(), api.snapshot(hub.url, hub.config.buckets))


def check_page(app: Sphinx, doctree) -> None:
    """After a page the build executed: the bucket rules, its expectations, no cluster left; each a warning."""
    docname, hub = app.env.docname, current_hub()
    started, before = _BEFORE.pop(docname, (None, None))
    executed = NbMetadataCollector.get_exec_data(app.env, docname) or {}
    if hub is None or started is None or executed.get("mtime", 0) < started:
        return  # no hub, or not a notebook, or taken from the cache: it ran, and was checked, in an earlier build
    page = Path(app.env.doc2path(docname)).relative_to(app.srcdir).as_posix()
    after = api.snapshot(hub.url, hub.config.buckets)
    running = hub.clusters()
    left = [f"gateway cluster {name} is still running: shut it down before the page ends" for name in running]
    seeded = {f"{bucket}/{name}" for bucket, name in seed_objects(hub.config)}
    try:
        expectations = expect.load(read_page(Path(app.srcdir), page), hub.config.member, hub.config)
    except (PageError, expect.ExpectError) as exc:
        LOGGER.warning(f"{page}: {exc}", location=docname)
        return
    for problem in check.page_problems(hub.config, before, after, seeded, expectations, left_running=left):
        LOGGER.warning(f"{page} after its last cell: {problem}", location=docname)


def setup(app: Sphinx) -> dict:
    """Note each page's start after fakehub's reset (priority 100), check it once myst-nb has run it."""
    app.connect("source-read", note_start, priority=200)
    app.connect("doctree-read", check_page)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
