"""The link check: offline it leaves external links unchecked, unless the network is required (the nightly)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from booksite.linkcheck import REQUIRE_NETWORK

pytestmark = pytest.mark.once  # the pins session only (pyproject.toml's markers say why)

ROOT = Path(__file__).parents[1]
EXTERNAL = "https://example.org/guide"
PAGE = f'<html><body><p id="top"><a href="#top">top</a> <a href="{EXTERNAL}">out</a></p></body></html>'


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built site of one page, with one internal and one external link."""
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text(PAGE)
    return html


@pytest.fixture
def dead_probe() -> str:
    """HOST:PORT of a loopback port that refuses connections (bound, never listening), as a network that is down."""
    with socket.socket() as held:  # held, so that no other process takes the port meanwhile
        held.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{held.getsockname()[1]}"


def linkcheck(site: Path, probe: str, *options: str, required: bool = False) -> subprocess.CompletedProcess:
    """`python -m booksite.linkcheck` on the site, probing the network at probe."""
    env = {k: v for k, v in os.environ.items() if k != REQUIRE_NETWORK}  # the nightly sets it for every session
    if required:
        env[REQUIRE_NETWORK] = "1"
    command = [sys.executable, "-m", "booksite.linkcheck", "--probe", probe, *options, str(site)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_offline_the_external_links_are_listed_unchecked_and_the_check_passes(site, dead_probe):
    result = linkcheck(site, dead_probe)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "EXTERNAL LINKS NOT CHECKED" in result.stdout
    assert f"unchecked {EXTERNAL}" in result.stdout


@pytest.mark.parametrize(("options", "required"), [(["--require-network"], False), ([], True)],
                         ids=["--require-network", f"{REQUIRE_NETWORK}=1"])
def test_offline_a_required_network_fails_the_check(site, dead_probe, options, required):
    result = linkcheck(site, dead_probe, *options, required=required)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"NO NETWORK ({dead_probe} unreachable)" in result.stderr
    assert "1 external links cannot be checked" in result.stderr
    assert "NOT CHECKED" not in result.stdout


def test_the_nightly_requires_the_network_for_the_link_check():
    nightly = yaml.safe_load((ROOT / ".github" / "workflows" / "nightly.yml").read_text())
    check = nightly["jobs"]["check"]
    assert "linkcheck" in check["strategy"]["matrix"]["session"]
    steps = [step for step in check["steps"] if "nox -s" in step.get("run", "")]
    assert steps and all(step["env"].get(REQUIRE_NETWORK) == "1" for step in steps)
