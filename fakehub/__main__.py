"""python -m fakehub [-- COMMAND ...]: run a command inside the local LEAP hub, or keep it up."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time

from . import FakeHub, HubError
from .addresses import GATEWAY_PREFIX
from .hub import STACK_VARIABLE
from .supervisor import die_with_parent


def describe(hub: FakeHub) -> str:
    """Where the services are, how to log in, and the variables a member's kernel sees."""
    addresses, member = hub.addresses, hub.config.member
    lines = [
        "# The local LEAP hub is up (Ctrl-C stops it):",
        f"#   JupyterHub    {addresses.hub_url}/  log in as {member}, any password (the dummy authenticator)",
        f"#   Dask Gateway  {addresses.hub_url}{GATEWAY_PREFIX}/  (Gateway() in a kernel of the member)",
        f"#   storage       {hub.url}  (fake-gcs-server: gs://{', gs://'.join(hub.config.buckets)})",
        f"# Tests and builds use this hub instead of starting one with {STACK_VARIABLE}={hub.stack_file}",
        "# A member's kernel sees these variables:",
    ]
    return "\n".join(lines + [f"export {name}={shlex.quote(value)}" for name, value in hub.environ.items()])


def main(argv: list[str] | None = None) -> int:
    """Start the hub, run COMMAND with the member's environment (or wait for Ctrl-C), stop the hub."""
    parser = argparse.ArgumentParser(prog="python -m fakehub", description=__doc__)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run inside the hub")
    command = [arg for arg in parser.parse_args(argv).command if arg != "--"][:]
    try:
        with FakeHub() as hub:
            if command:
                return subprocess.call(command, preexec_fn=die_with_parent)  # it ends with the hub, however that ends
            print(describe(hub), flush=True)
            while True:
                time.sleep(3600)
    except HubError as exc:
        print(f"fakehub: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
