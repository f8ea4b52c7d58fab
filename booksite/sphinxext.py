"""Sphinx extension: tutorials launch their notebook twin on the LEAP hub; other pages have no launch button.

It also puts the "verified" stamp under the title of every executed page (see booksite.stamp),
adds the site's stylesheet, and drops duplicate script tags (see drop_duplicate_scripts).

sphinx-book-theme would point the hub button at the page's .md source, which the hub (no
jupytext) opens as text. This rewrites it to the twin under `booksite_notebooks`.
"""

from __future__ import annotations

from pathlib import Path

from myst_nb.core.read import create_nb_reader
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

from fakehub.config import HUB_YML
from fakehub.config import load as load_hub

from .book import is_tutorial, launch_url, twin_path
from .stamp import Stamp, StampError, cached_run, cell_counts, installed, ran_at, verified_image
from .twins import stale

LOGGER = logging.getLogger(__name__)
LAUNCH_GROUP = "launch-buttons"
STATIC = Path(__file__).with_name("static")


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


def read_stamp_facts(app: Sphinx, config: Config) -> None:
    """Read the versions, the verified image and the hub's own image once; a change rewrites every page."""
    try:
        hub = load_hub(Path(app.srcdir) / config.booksite_hub_definition).hub_image
        config.booksite_stamp_facts = {
            "versions": list(installed(config.booksite_stamp_packages)),
            "verified_image": verified_image(Path(app.srcdir) / config.booksite_hub_versions),
            "hub_image": hub.reference, "hub_read": hub.read, "hub_source": hub.source,
        }
    except (StampError, OSError, ValueError) as exc:
        raise ExtensionError(f"booksite stamp: {exc}") from None


def page_stamp(app: Sphinx, pagename: str) -> Stamp | None:
    """The stamp of a page whose code cells the build ran, or None for a page with no code cell that ran."""
    exec_data = NbMetadataCollector.get_exec_data(app.env, pagename)
    if not exec_data:
        return None
    source = Path(app.env.doc2path(pagename))
    text = source.read_text(encoding="utf-8")
    reader = create_nb_reader(str(source), app.env.myst_config, app.env.mystnb_config, text)
    notebook = reader.read(text) if reader else None
    if notebook is None:
        return None
    ran_cells, not_run = cell_counts(notebook)
    if not ran_cells:
        return None
    ran = ran_at(exec_data, cached_run(app.config.nb_execution_cache_path, notebook))
    if ran is None:
        return None
    facts = app.config.booksite_stamp_facts
    return Stamp(ran=ran, versions=tuple(tuple(v) for v in facts["versions"]), verified_image=facts["verified_image"],
                 hub_image=facts["hub_image"], hub_read=facts["hub_read"], hub_source=facts["hub_source"],
                 not_run=not_run)


def add_stamp(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Put the page's stamp right under its title."""
    if doctree is None or "body" not in context or not (stamp := page_stamp(app, pagename)):
        return
    body = context["body"]
    end = body.find("</h1>")
    at = end + len("</h1>") if end >= 0 else 0
    context["body"] = body[:at] + "\n" + stamp.html() + body[at:]


def serve_static(app: Sphinx, config: Config) -> None:
    """Serve booksite/static/ (the site's stylesheet) with the theme's files."""
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Sphinx) -> dict:
    """Register the settings and the hooks (after the theme's launch buttons, priority 501)."""
    app.add_config_value("booksite_tutorials", [], "html", list)
    app.add_config_value("booksite_notebooks", "notebooks", "html", str)
    app.add_config_value("booksite_stamp_packages", ["gcsfs", "xarray", "zarr", "dask"], "html", list)
    app.add_config_value("booksite_hub_versions", "fakehub/hub-image-versions.txt", "html", str)
    app.add_config_value("booksite_hub_definition", str(HUB_YML), "html", str)  # its hub_image: what the hub runs
    app.add_config_value("booksite_stamp_facts", {}, "html", dict)  # computed from the two above
    app.connect("config-inited", read_stamp_facts)
    app.connect("config-inited", serve_static)
    app.add_css_file("booksite.css")
    app.connect("html-page-context", point_at_twin, priority=600)
    app.connect("html-page-context", add_stamp, priority=600)
    app.connect("html-page-context", drop_duplicate_scripts, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
