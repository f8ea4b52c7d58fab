"""Sphinx extension: tutorials launch their notebook twin on the LEAP hub; other pages have no launch button.

It also drops duplicate script tags (see drop_duplicate_scripts).

sphinx-book-theme would point the hub button at the page's .md source, which the hub (no
jupytext) opens as text. This rewrites it to the twin under `booksite_notebooks`.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from .book import is_tutorial, launch_url, twin_path
from .twins import stale

LOGGER = logging.getLogger(__name__)
LAUNCH_GROUP = "launch-buttons"


def launch_group(context: dict) -> dict | None:
    """The theme's launch button group in a page's header, if it has one."""
    return next((b for b in context.get("header_buttons", []) if b.get("label") == LAUNCH_GROUP), None)


def point_at_twin(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Rewrite a tutorial's hub button to its twin; drop the launch group from other pages."""
    group = launch_group(context)
    if group is None:
        return
    if not is_tutorial(pagename, app.config.booksite_tutorials):
        context["header_buttons"].remove(group)
        return
    options = app.config.html_theme_options
    twin = twin_path(pagename, app.config.booksite_notebooks)
    why = stale(Path(app.env.doc2path(pagename)), Path(app.srcdir) / twin)
    if why:
        LOGGER.warning(f"{why}: run `nox -s twins` and commit it", location=pagename)
    url = launch_url(options["launch_buttons"]["jupyterhub_url"], options["repository_url"],
                     options["repository_branch"], twin)
    for button in group["buttons"]:
        if button["text"] == "JupyterHub":
            button.update(text="LEAP hub", tooltip="Open this tutorial on the LEAP-Pangeo hub", url=url)


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep one copy of each script: inline ones come back twice (filename None and ""), a JS error."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "", getattr(script, "attributes", {}).get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    """Register the settings and the hook (after the theme's launch buttons, priority 501)."""
    app.add_config_value("booksite_tutorials", [], "html", list)
    app.add_config_value("booksite_notebooks", "notebooks", "html", str)
    app.connect("html-page-context", point_at_twin, priority=600)
    app.connect("html-page-context", drop_duplicate_scripts, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
