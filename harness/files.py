"""The files a page leaves on the server's disk: in the home directory and in the folder it ran in."""

from __future__ import annotations

import hashlib
from pathlib import Path

Files = dict[str, str]  # "~/name" or "./name" -> sha256 of the content

# The kernel's own history database: IPython appends every session to it from a thread of its own,
# on the hub as here; SQLite's -journal, -wal and -shm files come and go beside it.
KERNEL_FILES = "~/.ipython/profile_default/history.sqlite"


def snapshot(home: Path, folder: Path) -> Files:
    """Every file under home (as ~/...) and folder (as ./...), with a hash of its bytes."""
    found = {}
    for prefix, root in (("~", home), (".", folder)):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            name = f"{prefix}/{path.relative_to(root).as_posix()}"
            if name.startswith(KERNEL_FILES):
                continue
            try:
                found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
            except FileNotFoundError:  # deleted since the listing (a process the page started): not there
                continue
    return found


def differences(first: Files, second: Files) -> list[str]:
    """How the files after a second run differ from after the first, one sentence per file."""
    found = [f"the second run left {name}, the first did not" for name in sorted(second.keys() - first.keys())]
    found += [f"the first run left {name}, the second did not" for name in sorted(first.keys() - second.keys())]
    found += [f"the second run left different bytes in {name}"
              for name in sorted(first.keys() & second.keys()) if first[name] != second[name]]
    return found
