"""Where Chromium is: the CHROMIUM environment variable, else the first of its usual names on the PATH.

The one lookup for the browser tests, the noxfile's browser session, the bench and .ci/run
(`python3 -m booksite.chromium` prints the path, or the error and exits 1). Standard library only:
the noxfile and .ci/run call it before any environment is installed. Never a downloaded browser
(`playwright install`): the system's Chromium, Debian's or Ubuntu's or Google's.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

VARIABLE = "CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome")  # Debian, Ubuntu (a snap), Google's package


class ChromiumMissing(RuntimeError):
    """No Chromium where CHROMIUM says, nor on the PATH."""


def chromium_path(environ: Mapping[str, str] | None = None,
                  which: Callable[[str], str | None] = shutil.which) -> Path:
    """Chromium's executable: $CHROMIUM if set (it must be an executable file), else the PATH's first of NAMES."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(VARIABLE, "").strip()
    if chosen:
        path = Path(chosen).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ChromiumMissing(f"{VARIABLE}={chosen} is not an executable file: point {VARIABLE} at Chromium's "
                                  "executable, or unset it to look for " + ", ".join(NAMES) + " on the PATH")
        return path
    for name in NAMES:
        found = which(name)
        if found:
            return Path(found)
    raise ChromiumMissing(f"no Chromium: none of {', '.join(NAMES)} is on the PATH and {VARIABLE} is not set. "
                          f"Install one (Debian: `apt-get install -y chromium`; never `playwright install`) or "
                          f"set {VARIABLE}=/path/to/chromium")


def main() -> int:
    """Print Chromium's path; or the error, with exit status 1."""
    try:
        print(chromium_path())
    except ChromiumMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
