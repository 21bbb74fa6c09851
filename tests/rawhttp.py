"""Reading HTTP/1.1 responses off a raw socket, for the tests that speak to our servers byte by byte
(pipelining, keep-alive, hand-overs): Content-Length framed, as our servers always answer."""

from __future__ import annotations

import socket


class Reader:
    """The responses on one socket, in order; bytes read past one response stay for the next."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def response(self, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
        """The next response (status, headers by lower-case name, body); `head_only` for the answer to a
        HEAD request (a length, no body)."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"closed before a response: {self.buffer!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
        length = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("closed inside a body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def closed(self) -> bool:
        """True when the server has closed the connection (after any bytes still buffered)."""
        try:
            return not self.buffer and not self._fill()
        except ConnectionResetError:
            return True


def responses(sock: socket.socket, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """The next `count` responses on `sock` (for a socket read by whole exchanges)."""
    reader = Reader(sock)
    return [reader.response() for _ in range(count)]
