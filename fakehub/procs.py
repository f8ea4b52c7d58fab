"""The stack's processes' TCP listening sockets (psutil), and who holds a port (read from /proc/net, see below)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import psutil

LISTEN = "0A"  # the TCP state code in /proc/net/tcp


def _socket_inodes(pids) -> set[str]:
    inodes = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue  # gone, or not ours to read
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue  # closed meanwhile: a busy process opens and closes sockets all the time
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    return inodes


def _listeners() -> list[tuple[str, int, str]]:
    """(address, port, inode) of every listening TCP socket on the machine."""
    found = []
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != LISTEN:
                continue
            address, port = fields[1].split(":")
            raw = bytes.fromhex(address)
            # /proc/net writes each 32-bit word of the address in host (little-endian) order.
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.append((str(ipaddress.ip_address(words)), int(port, 16), fields[9]))
    return found


def listening(pids) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket the processes listen on."""
    found = set()
    for pid in pids:
        try:
            sockets = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue  # gone, or not ours to read
        found |= {(s.laddr.ip, s.laddr.port) for s in sockets if s.status == psutil.CONN_LISTEN}
    return found


def held_by_others(port: int, pids: Callable[[], Iterable[int]]) -> bool:
    """Whether a process outside pids() listens on port (so a service of ours cannot).

    Polled four times a second while the stack starts, so read from /proc/net and our processes'
    descriptors: psutil.net_connections() would map the sockets of every process on the machine
    to find the holder, three times the cost, where only whether it is ours matters.

    The sockets are read before the processes, so a service that has just started its
    listener (in a child of its own, say) is among pids() by then.
    """
    holders = {inode for _, found, inode in _listeners() if found == port}
    return bool(holders) and not holders & _socket_inodes(pids())
