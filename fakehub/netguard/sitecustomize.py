"""The local LEAP hub's audit-hook guard: Python code in this process reaches loopback only.

Python imports this module at start-up because the local hub puts its folder on PYTHONPATH
for the processes of a member (kernels, the member's server, gateway schedulers and workers).
An audit hook refuses, with an OSError that says why:
- a connection (TCP, or a datagram socket's, whose send() raises no audit event), or a
  datagram sent (sendto, sendmsg), to an address that is not loopback;
- a name lookup (DNS) for any host but localhost and this machine's own name.
It sees only Python's own sockets in processes that load it: not a child started with
`python -I` or `-E`, nor programs that are not Python, nor sockets that C libraries open
(libcurl, gRPC; the hub's proxy variables point those at a dead loopback port). The nox
sessions run in a network namespace with loopback only (fakehub/offline.py), which holds for
every process; this guard is all a run outside them has, and it makes a cell's mistake fail
with a message that says why.
"""

import ipaddress
import socket
import sys
import warnings

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", socket.gethostname()}
WHY = "the local LEAP hub lets code reach loopback (127.0.0.1) only, never the network"


class OutsideLoopbackError(PermissionError):
    """A connection or name lookup that would leave the machine."""


def _address(host):
    """The IP address host spells, or None for a name."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    try:
        address = ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _is_local(host) -> bool:
    if host is None or host == "" or str(host).lower() in LOCAL_NAMES:
        return True
    address = _address(host)
    return address is not None and (address.is_loopback or address.is_unspecified)


def _audit(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
            return  # a Unix socket, or sendmsg on a connected socket (its connect was checked)
        if not _is_local(address[0]):
            raise OutsideLoopbackError(13, f"refused to reach {address[0]}:{address[1]}: {WHY}")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        host = args[0]
        numeric = event != "socket.gethostbyaddr" and _address(host) is not None  # no lookup: connect decides
        if not numeric and not _is_local(host):
            raise OutsideLoopbackError(13, f"refused to look up {host!r}: {WHY}")


sys.addaudithook(_audit)

# distributed finds "its own address" by connecting a datagram socket to Google's DNS server
# (get_ip(), as LocalCluster(processes=False) does). On the hub that works silently; here it
# is refused, or unreachable in the namespace, and distributed warns on stderr, which a page
# must not do. Its fallback (this machine's name, then 127.0.0.1) is the right address here.
warnings.filterwarnings(
    "ignore",
    message=r"Couldn't detect a suitable IP address (for reaching '(8\.8\.8\.8|2001:4860:4860::8888)'|\()",
    category=RuntimeWarning,
    module="distributed.utils",
)
