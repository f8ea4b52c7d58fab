"""python -m fakehub [--lab FOLDER] [-- COMMAND ...]: run a command inside the local LEAP hub, or keep it up.

--lab FOLDER: the member's JupyterLab opens FOLDER (for writers, the repository's working tree), and
MyST pages (.md) open in it as notebooks through jupytext (fakehub/writer/, Jupyter configuration).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from . import FakeHub, HubError
from .addresses import GATEWAY_PREFIX
from .hub import STACK_VARIABLE
from .supervisor import die_with_parent

# Jupyter configuration for a writer's server (JUPYTER_CONFIG_PATH): MyST pages open as notebooks.
WRITER_JUPYTER = Path(__file__).with_name("writer")


def describe(hub: FakeHub) -> str:
    """Where the services are, how to log in, and the variables a member's kernel sees."""
    addresses, login, member = hub.addresses, hub.config.login, hub.config.member
    lines = [
        "# The local LEAP hub is up (Ctrl-C stops it):",
        f"#   JupyterHub    {addresses.hub_url}/  log in as {login}, any password (the dummy authenticator;",
        f"#                 the hub user name is {member}, the login in lower case)",
        f"#   Dask Gateway  {addresses.hub_url}{GATEWAY_PREFIX}/  (Gateway() in a kernel of the member)",
        f"#   storage       {hub.front_url}  (the storage front before fake-gcs-server at {hub.url}: "
        f"gs://{', gs://'.join(hub.config.buckets)}; {', '.join(hub.config.read_only)} read-only)",
        f"# Tests and builds use this hub instead of starting one with {STACK_VARIABLE}={hub.stack_file}",
        "# A member's kernel sees these variables:",
    ]
    return "\n".join(lines + [f"export {name}={shlex.quote(value)}" for name, value in hub.environ.items()])


def describe_lab(hub: FakeHub, folder: Path) -> str:
    """How a writer reaches JupyterLab on their folder."""
    lab = f"{hub.addresses.hub_url}/user/{hub.config.member}/lab"
    pages = sorted(folder.glob("book/*.md"))
    example = f"{lab}/tree/{pages[0].relative_to(folder).as_posix()}" if pages else lab
    return "\n".join([
        f"# JupyterLab on {folder} (your files: edits are saved there):",
        f"#   1. open {hub.addresses.hub_url}/hub/login and log in as {hub.config.login}, any password",
        f"#   2. open a page, e.g. {example}: a MyST page opens as a notebook (jupytext);",
        "#      Run > Run All Cells runs it against the local buckets and the gateway, as the build does",
        "# Ctrl-C stops the hub, the server, its kernels and any gateway cluster.",
    ])


def main(argv: list[str] | None = None) -> int:
    """Start the hub, run COMMAND with the member's environment (or wait for Ctrl-C), stop the hub."""
    parser = argparse.ArgumentParser(prog="python -m fakehub", description=__doc__)
    parser.add_argument("--lab", type=Path, metavar="FOLDER", help="the folder the member's JupyterLab opens")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run inside the hub")
    args = parser.parse_args(argv)
    # Only the separator goes: a `--` inside COMMAND is COMMAND's own (`git diff -- README.md`).
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.lab is not None and not args.lab.is_dir():
        parser.error(f"--lab {args.lab}: no such folder")
    if args.lab is not None and os.environ.get(STACK_VARIABLE):
        parser.error(f"--lab starts a hub of its own: unset {STACK_VARIABLE}")
    lab = {"root_dir": args.lab.resolve(), "server_environ": {"JUPYTER_CONFIG_PATH": str(WRITER_JUPYTER)}} \
        if args.lab is not None else {}
    try:
        with FakeHub(**lab) as hub:
            if command:
                return subprocess.call(command, preexec_fn=die_with_parent)  # it ends with the hub, however that ends
            print(describe(hub), flush=True)
            if args.lab is not None:
                print(describe_lab(hub, args.lab.resolve()), flush=True)
            while True:
                time.sleep(3600)
    except HubError as exc:
        print(f"fakehub: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
