"""python -m fakehub.offline -- COMMAND ...: run COMMAND in a network namespace where only loopback exists.

Linux only. The process enters a new network namespace (as root; otherwise a new user namespace
too, mapping the caller's uid and gid to themselves, so no privilege is needed), brings its
loopback interface `lo` up (127.0.0.1 and ::1), and becomes COMMAND. There is no other interface:
nothing COMMAND starts, Python or not, however it was started, can reach another machine, while
the local hub's services, kernels, Chromium and git talk to each other on 127.0.0.1.

When no namespace can be made, COMMAND does not run: one line on stderr says why. FAKEHUB_NETWORK=guard
runs COMMAND anyway, in the machine's network, with a loud warning: only the Python audit hook
(fakehub/netguard/) then stands between the member's code and the network.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import socket
import struct
import sys
from pathlib import Path

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
IFREQ = "16sh22x"  # struct ifreq: the interface's name, then its flags (in a 24-byte union)
VARIABLE = "FAKEHUB_NETWORK"
OPT_OUT = "guard"
# Ubuntu 23.10+ lets AppArmor deny unprivileged user namespaces their capabilities.
APPARMOR = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
# The namespace's range of ports the kernel hands out for bind(0) and outgoing connections (Linux's
# default: 32768-60999). A Jupyter kernel manager picks its kernel's five ports with bind(0) a moment
# before the kernel binds them, and any other bind(0) on the loopback may take one in between:
# the kernel then dies with "Address already in use". A wider range makes that rarer; the local
# hub's services keep below it (fakehub/addresses.py), so they do not take part.
EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
EPHEMERAL_RANGE = (20000, 65535)


class NoNamespace(OSError):
    """No network namespace could be made here: the message names the step and the cause."""


def isolated() -> bool:
    """Whether this process's network holds loopback and nothing else."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def describe() -> str:
    """One line for logs: which guard keeps this process's children off the network."""
    if isolated():
        return "network: a namespace of its own with loopback only (fakehub.offline): nothing reaches another machine"
    return ("network: AUDIT HOOK ONLY (not in a network namespace): Python code of the member is refused "
            "non-loopback addresses, other programs and `python -I` are not; "
            "run through nox, or `python -m fakehub.offline -- COMMAND`")


def other_loopback() -> str:
    """A note for an error about a loopback server that does not answer: in a namespace, it may be outside."""
    return (" (this process runs in a network namespace of its own, fakehub.offline: a server started outside it, "
            "by `nox -s hub` or by hand, is not on its loopback)") if isolated() else ""


def _unshare(flags: int) -> None:
    if hasattr(os, "unshare"):  # Python 3.12+
        os.unshare(flags)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _write(path: str, text: str) -> None:
    # The kernel takes a uid or gid map in one write() only.
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        name, flags = struct.unpack(IFREQ, fcntl.ioctl(sock, SIOCGIFFLAGS, struct.pack(IFREQ, b"lo", 0)))
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack(IFREQ, b"lo", flags | IFF_UP))


def _widen_ephemeral_ports() -> None:
    try:
        _write(str(EPHEMERAL_PORTS), " ".join(map(str, EPHEMERAL_RANGE)))
    except OSError:  # /proc/sys mounted read-only (a container): the default range, and clashes a little likelier
        pass


def enter() -> None:
    """Move this process into a new network namespace with only `lo`, up; raise NoNamespace if it cannot."""
    if not sys.platform.startswith("linux"):
        raise NoNamespace(errno.ENOSYS, f"network namespaces need Linux, and this is {sys.platform}")
    uid, gid = os.geteuid(), os.getegid()
    steps = [("unshare(CLONE_NEWNET)", lambda: _unshare(CLONE_NEWNET))] if uid == 0 else [
        ("unshare(CLONE_NEWUSER|CLONE_NEWNET)", lambda: _unshare(CLONE_NEWUSER | CLONE_NEWNET)),
        ("writing /proc/self/setgroups", lambda: _write("/proc/self/setgroups", "deny")),
        ("writing /proc/self/uid_map", lambda: _write("/proc/self/uid_map", f"{uid} {uid} 1")),
        ("writing /proc/self/gid_map", lambda: _write("/proc/self/gid_map", f"{gid} {gid} 1")),
    ]
    steps.append(("bringing lo up", _loopback_up))
    for step, action in steps:
        try:
            action()
        except OSError as exc:
            raise NoNamespace(exc.errno, f"{step}: {exc.strerror or exc}") from None
    if not isolated():
        raise NoNamespace(errno.EEXIST, f"the new namespace holds {socket.if_nameindex()}, not only lo")
    _widen_ephemeral_ports()


def _hint() -> str:
    try:
        restricted = APPARMOR.read_text().strip() == "1"
    except OSError:
        restricted = False
    return ("; AppArmor restricts user namespaces here (`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`"
            " lifts it)") if restricted and os.geteuid() != 0 else ""


def main(argv: list[str] | None = None) -> int:
    """Isolate this process, then exec COMMAND; refuse (exit 3) when no namespace can be made."""
    args = sys.argv[1:] if argv is None else argv
    command = args[1:] if args[:1] == ["--"] else args
    prog = "python -m fakehub.offline"
    if not command:
        print(f"usage: {prog} -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    choice = os.environ.get(VARIABLE, "")
    if choice not in ("", "namespace", OPT_OUT):
        print(f"{prog}: error: {VARIABLE}={choice!r}: unset it (a namespace), or {VARIABLE}={OPT_OUT}", file=sys.stderr)
        return 2
    if choice == OPT_OUT:
        print(f"{prog}: WARNING: {VARIABLE}={OPT_OUT}: {command[0]} runs with the machine's network; only the "
              "Python audit hook (fakehub/netguard/) keeps the member's code on loopback, and programs that are "
              "not Python, or Python started with -I or -E, pass it", file=sys.stderr, flush=True)
    else:
        try:
            enter()
        except NoNamespace as exc:
            print(f"{prog}: error: cannot make a network namespace ({exc.strerror}){_hint()}; refusing to run "
                  f"{command[0]} with the network reachable ({VARIABLE}={OPT_OUT} runs it with only the Python audit "
                  "hook, see README)", file=sys.stderr)
            return 3
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"{prog}: error: cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main())
