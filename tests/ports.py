"""Loopback ports for the servers the tests start."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


def free_port() -> int:
    """A port nothing listens on now (the OS picks it), for a server a test is about to start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def busy_port() -> Iterator[int]:
    """A port another program listens on while the block runs, for the refusals of a busy port."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]
