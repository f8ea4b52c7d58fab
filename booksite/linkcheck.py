"""Check the built book's links: internal ones always, external ones only when the network is up.

Usage: python -m booksite.linkcheck [--require-network] [--probe HOST:PORT] [HTML_DIR]
(default _build/html; from the repository root). Offline, it says so and lists what it did not
check: it neither fails nor passes them, unless --require-network (or BOOKSITE_REQUIRE_NETWORK=1,
which the nightly run sets) makes no network a failure.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path

from .book import ROOT
from .links import check_site

PROBE = "github.com:443"  # the host most of the book's external links point at
REQUIRE_NETWORK = "BOOKSITE_REQUIRE_NETWORK"


def online(probe: str = PROBE, timeout: float = 5) -> bool:
    """Whether the probe's HOST:PORT answers at all."""
    host, _, port = probe.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError:
        return False
    return True


def check_external() -> int:
    """Sphinx's linkcheck builder, on the whole book."""
    command = ["jupyter-book", "build", str(ROOT), "--builder", "linkcheck"]
    print("network is up: checking external links with", " ".join(command))
    return subprocess.run(command, check=False).returncode


def arguments(argv: list[str]) -> argparse.Namespace:
    """The command line, with BOOKSITE_REQUIRE_NETWORK=1 standing for --require-network."""
    parser = argparse.ArgumentParser(prog="python -m booksite.linkcheck", description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", type=Path, default=ROOT / "_build" / "html", help="the built book")
    parser.add_argument("--require-network", action="store_true", default=os.environ.get(REQUIRE_NETWORK) == "1",
                        help=f"fail when the network is down instead of leaving external links unchecked "
                             f"(also {REQUIRE_NETWORK}=1)")
    parser.add_argument("--probe", default=PROBE, metavar="HOST:PORT",
                        help=f"where to knock to learn whether the network is up (default {PROBE})")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Check internal links; check external ones when online; exit 1 on any broken link, or no network if required."""
    args = arguments(argv)
    html = args.html
    if not (html / "index.html").exists():
        print(f"{html} holds no built book: build it first (nox -s docs)", file=sys.stderr)
        return 2
    report = check_site(html)
    for problem in report.broken:
        print(f"BROKEN {problem}", file=sys.stderr)
    print(f"internal links: {len(report.broken)} broken, in {sum(1 for _ in html.rglob('*.html'))} HTML files")
    if report.broken:
        return 1
    if online(args.probe):
        return check_external()
    if args.require_network:
        print(f"NO NETWORK ({args.probe} unreachable), and the network is required (--require-network or "
              f"{REQUIRE_NETWORK}=1): {len(report.external)} external links cannot be checked", file=sys.stderr)
        return 1
    print(f"\nEXTERNAL LINKS NOT CHECKED: no network ({args.probe} unreachable). "
          f"These {len(report.external)} were neither passed nor failed:")
    for url in sorted(report.external):
        print(f"  unchecked {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
