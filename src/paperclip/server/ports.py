"""Binding the listen socket ourselves, so the port we report is the port we hold."""

from __future__ import annotations

import errno
import socket

from paperclip.errors import StartupError


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def bind_listen_socket(host: str, port: int, *, may_move: bool, tries: int = 50) -> tuple[socket.socket, int]:
    """local_trusted moves to the next free port; authenticated refuses (a port mapping must not break)."""
    for candidate in range(port, min(port + (tries if may_move else 1), 65536)):
        try:
            return bind_socket(host, candidate), candidate
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise StartupError(
                    f"Cannot listen on {host}:{candidate}: address not available on this machine (HOST / PAPERCLIP_BIND_HOST)"
                ) from None
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES) or not may_move:
                raise StartupError(
                    f"Port {candidate} on {host} is already in use; set PORT (or server.port) to a free port"
                    if exc.errno == errno.EADDRINUSE
                    else f"Cannot listen on {host}:{candidate}: {exc.strerror} (PORT / server.port)"
                ) from None
    raise StartupError(f"No free port found from {port} to {port + tries - 1}; set PORT (or server.port)")
