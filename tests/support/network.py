"""A guard that fails any test opening a connection beyond loopback.

Patches ``socket.socket.connect``/``connect_ex`` and ``socket.getaddrinfo`` for
the whole session: loopback addresses and Unix sockets pass, anything else
raises :class:`NonLoopbackConnection` naming the address.
(Learnt from python-telegram-bot's tests/auxil/networking.py.)
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NonLoopbackConnection(RuntimeError):
    """A test tried to reach the network beyond 127.0.0.0/8 and ::1."""


def _is_loopback(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host.casefold() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def install() -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NonLoopbackConnection(f"test tried to connect to {address!r}; tests may only use loopback")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise NonLoopbackConnection(f"test tried to resolve {host!r}; tests may only use loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
