"""Screenshots of chosen pages at desktop and phone width, saved under _build/screenshots/."""

from __future__ import annotations

import pytest
import yaml

from .conftest import HERE

SITE = yaml.safe_load((HERE / "site.yml").read_text())


@pytest.mark.parametrize("viewport", sorted(SITE["viewports"]))
@pytest.mark.parametrize("docname", SITE["screenshots"]["pages"])
def test_screenshot(docname, viewport, chromium, site, screenshots):
    """Save a full-page screenshot at the viewport's size."""
    width, height = SITE["viewports"][viewport]
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(site.page(docname), wait_until="networkidle")
    target = screenshots / f"{docname.replace('/', '-')}-{viewport}.png"
    page.screenshot(path=target, full_page=True)
    context.close()
    assert target.stat().st_size > 10_000, f"{target} looks blank"
    assert page.viewport_size == {"width": width, "height": height}
