"""python -m fakehub [-- COMMAND ...]: run a command inside the fake hub, or keep it up."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from . import FakeHub, HubError


def main(argv: list[str] | None = None) -> int:
    """Start the hub, run COMMAND with its environment (or wait for Ctrl-C), stop the hub."""
    parser = argparse.ArgumentParser(prog="python -m fakehub", description=__doc__)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run inside the hub")
    command = [arg for arg in parser.parse_args(argv).command if arg != "--"][:]
    try:
        with FakeHub() as hub:
            if command:
                return subprocess.call(command)
            for name, value in hub.environ.items():
                print(f"export {name}={value}")
            print(f"# fake hub up at {hub.url}; Ctrl-C stops it", flush=True)
            while True:
                time.sleep(3600)
    except HubError as exc:
        print(f"fakehub: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
