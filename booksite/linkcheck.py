"""Check the built book's links: internal ones always, external ones only when the network is up.

Usage: python -m booksite.linkcheck [HTML_DIR]   (default _build/html; from the repository root)
Offline, it says so and lists what it did not check: it neither fails nor passes them.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from .book import ROOT
from .links import check_site

PROBE = ("github.com", 443)  # the host most of the book's external links point at


def online(timeout: float = 5) -> bool:
    """Whether an outside host answers at all."""
    try:
        socket.create_connection(PROBE, timeout=timeout).close()
    except OSError:
        return False
    return True


def check_external() -> int:
    """Sphinx's linkcheck builder, on the whole book."""
    command = ["jupyter-book", "build", str(ROOT), "--builder", "linkcheck"]
    print("network is up: checking external links with", " ".join(command))
    return subprocess.run(command, check=False).returncode


def main(argv: list[str]) -> int:
    """Check internal links; check external ones when online; exit 1 on any broken link."""
    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        print(f"{html} holds no built book: build it first (nox -s docs)", file=sys.stderr)
        return 2
    report = check_site(html)
    for problem in report.broken:
        print(f"BROKEN {problem}", file=sys.stderr)
    print(f"internal links: {len(report.broken)} broken, in {sum(1 for _ in html.rglob('*.html'))} HTML files")
    if report.broken:
        return 1
    if online():
        return check_external()
    print(f"\nEXTERNAL LINKS NOT CHECKED: no network ({PROBE[0]}:{PROBE[1]} unreachable). "
          f"These {len(report.external)} were neither passed nor failed:")
    for url in sorted(report.external):
        print(f"  unchecked {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
