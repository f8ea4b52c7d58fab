"""The "verified" stamp's records: the hub image line, the versions, and jupyter-cache's run time."""

from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import UTC, datetime, timedelta

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from minibook import JUPYTER_BOOK, ROOT, make_book

from booksite.stamp import Stamp, StampError, cached_run, cell_counts, installed, package_list, ran_at, verified_image
from fakehub import load
from fakehub.config import HUB_YML

# The pins session only: the book is built with the pins (nox -s docs) and the server's lock (nox -s browser),
# never with the hub session's libraries.
pytestmark = pytest.mark.once

STAMPED = """\
sphinx:
  local_extensions:
    fakehub.sphinxext: {root}
    booksite.sphinxext: {root}
  config:
    booksite_hub_versions: versions.txt
"""
TIME = re.compile(r'<time datetime="(?P<at>[^"]+)">')
SKIPPED = """
```{code-cell} ipython3
:tags: [skip-execution]
# Not run by the build: its stamp must say so.
raise SystemExit("the build ran a cell tagged skip-execution")
```
"""


VERIFIED = "# Verified with the library versions of: pangeo/pangeo-notebook:2026.01.30\n"
FACTS = {"ran": datetime(2026, 8, 1, 12, 0, tzinfo=UTC), "versions": (("gcsfs", "1.0"), ("dask", "2.0")),
         "verified_image": "pangeo/pangeo-notebook:2026.01.30", "hub_image": "pangeo/pangeo-notebook:2026.06.04",
         "hub_read": "2026-08", "hub_source": "https://example.org/config.yaml"}


def test_the_verified_image_is_read_from_the_first_line(tmp_path):
    versions = tmp_path / "versions.txt"
    versions.write_text(VERIFIED + "gcsfs==2026.1.0\n")
    assert verified_image(versions) == "pangeo/pangeo-notebook:2026.01.30"
    for wrong in ("gcsfs==2026.1.0\n", "# The hub's image: pangeo/pangeo-notebook:2026.01.30\n"):
        versions.write_text(wrong)  # the old wording called the verified image the hub's: refused
        with pytest.raises(StampError, match="first line must read"):
            verified_image(versions)
    versions.write_text("# Verified with the library versions of: my/own-image:latest\n")
    with pytest.raises(StampError, match="not a Pangeo image with a dated tag"):
        verified_image(versions)
    with pytest.raises(StampError, match="cannot read the verified image"):
        verified_image(tmp_path / "missing.txt")


def test_the_package_list_is_the_images_own():
    expected = "https://github.com/pangeo-data/pangeo-docker-images/blob/2026.01.30/pangeo-notebook/packages.txt"
    assert package_list("pangeo/pangeo-notebook:2026.01.30") == expected
    assert package_list("quay.io/pangeo/ml-notebook:2026.06.04").endswith("/blob/2026.06.04/ml-notebook/packages.txt")
    with pytest.raises(StampError):
        package_list("pangeo/pangeo-notebook")


def test_the_stamp_keeps_the_verified_versions_apart_from_the_hubs_image():
    shown = Stamp(**FACTS).html()
    verified, hub = shown.split("The hub itself runs")
    assert 'library versions of <code class="booksite-stamp-image">pangeo/pangeo-notebook:2026.01.30</code>' in verified
    assert package_list("pangeo/pangeo-notebook:2026.01.30") in verified and "2026.06.04" not in verified
    assert '<code class="booksite-stamp-hub-image">pangeo/pangeo-notebook:2026.06.04</code>' in hub
    assert 'href="https://example.org/config.yaml"' in hub and "read in <span" in hub and "2026-08" in hub
    assert "2026.01.30" not in hub and "hub's image" not in shown


def test_the_hubs_image_comes_from_the_hubs_definition(tmp_path):
    hub = load().hub_image
    assert hub.reference == "pangeo/pangeo-notebook:2026.06.04" and hub.read and hub.source.startswith("https://")
    assert hub.reference != load().image  # the image the fake hub names is the verified one, not the hub's
    broken = tmp_path / "hub.yml"
    broken.write_text(HUB_YML.read_text().replace("  read:", "  when:"))
    with pytest.raises(ValueError, match="hub_image must have exactly the keys"):
        load(broken)


def test_versions_are_the_installed_ones():
    import gcsfs
    import xarray

    assert installed(["gcsfs", "xarray"]) == (("gcsfs", gcsfs.__version__), ("xarray", xarray.__version__))
    with pytest.raises(StampError, match="not installed"):
        installed(["no-such-package-here"])


@pytest.fixture
def new_york(monkeypatch):
    """The process's local time is New York's (UTC-5 or -4), as on a laptop there."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_cached_run_time_is_utc_whatever_the_local_zone(tmp_path, new_york):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    before = datetime.now(UTC)
    get_cache(str(tmp_path)).cache_notebook_bundle(CacheBundleIn(notebook, "page.md"), check_validity=False)
    ran = cached_run(tmp_path, notebook)
    assert ran.tzinfo is not None and before - timedelta(seconds=1) <= ran <= datetime.now(UTC)
    assert cached_run(tmp_path / "no-cache", notebook) is None
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("2 + 2")], metadata=notebook.metadata)
    assert cached_run(tmp_path, other) is None


def test_cells_tagged_skip_execution_are_counted_as_not_run():
    new = nbformat.v4
    skipped = new.new_code_cell("!gcloud auth login", metadata={"tags": ["skip-execution"]})
    other_tag = new.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]})
    also_skipped = new.new_code_cell("!gcloud storage ls", metadata={"tags": ["skip-execution"]})
    cells = [new.new_markdown_cell("text"), new.new_code_cell("1 + 1"), skipped, other_tag, also_skipped]
    assert cell_counts(new.new_notebook(cells=cells)) == (2, 2)
    assert cell_counts(new.new_notebook(cells=[skipped])) == (0, 1)
    assert cell_counts(new.new_notebook(cells=[new.new_markdown_cell("text")])) == (0, 0)


def test_the_stamp_names_the_cells_not_run_only_when_there_are_some():
    facts = FACTS
    every = Stamp(**facts).html()
    assert "last ran on <time" in every and "not run" not in every and "data-not-run" not in every
    assert "UTC</time>, with " in every
    one, two = Stamp(**facts, not_run=1).html(), Stamp(**facts, not_run=2).html()
    assert 'data-not-run="1">except 1 cell marked as not run</span>, with ' in one
    assert 'data-not-run="2">except 2 cells marked as not run</span>, with ' in two


def test_the_run_time_prefers_the_cache_and_needs_a_successful_run():
    cached = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
    assert ran_at({"succeeded": True, "mtime": 0.0}, cached) == cached
    assert ran_at({"succeeded": True, "mtime": 0.0}, None) == datetime(1970, 1, 1, tzinfo=UTC)
    assert ran_at({"succeeded": False, "mtime": 0.0}, cached) is None
    assert ran_at(None, cached) is None


def build_all(root, **environ) -> subprocess.CompletedProcess:
    """Build the book, reading every page again (`--all`), in the given environment."""
    env = {k: v for k, v in os.environ.items() if k != "STORAGE_EMULATOR_HOST"} | environ
    command = [str(JUPYTER_BOOK), "build", str(root), "--all", "--builder", "html", "-n", "-W", "--keep-going"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def stamp_time(root) -> datetime:
    """The run time the built page's stamp gives; it also names the one cell the build did not run."""
    page = (root / "_build" / "html" / "page.html").read_text()
    assert page.count('class="booksite-stamp"') == 1
    assert 'data-not-run="1">except 1 cell marked as not run</span>' in page
    return datetime.fromisoformat(TIME.search(page)["at"])


def test_a_page_taken_from_the_cache_keeps_its_run_time(tmp_path, local_hub):
    stack = str(local_hub.stack_file)  # both builds run on the test process's hub
    make_book(tmp_path)
    with (tmp_path / "page.md").open("a") as page:
        page.write(SKIPPED)  # a cell the build leaves unrun: the stamp must say so
    (tmp_path / "_config.yml").write_text(
        (tmp_path / "_config.yml").read_text().split("sphinx:")[0] + STAMPED.format(root=ROOT))
    (tmp_path / "versions.txt").write_text(VERIFIED)
    first = build_all(tmp_path, FAKEHUB_STACK=stack)
    assert first.returncode == 0 and "Executed notebook" in first.stdout, first.stdout + first.stderr
    ran = stamp_time(tmp_path)
    # Read again, in another time zone: the page comes from the cache, and so does its time.
    second = build_all(tmp_path, FAKEHUB_STACK=stack, TZ="America/New_York")
    assert second.returncode == 0 and "Using cached notebook" in second.stdout, second.stdout + second.stderr
    assert "Executed notebook" not in second.stdout
    assert stamp_time(tmp_path) == ran
    built = (tmp_path / "_build" / "html" / "page.html").read_text()
    assert "library versions of <code class=\"booksite-stamp-image\">pangeo/pangeo-notebook:2026.01.30" in built
    assert f'<code class="booksite-stamp-hub-image">{load().hub_image.reference}</code>' in built
