"""A lean HTTP/1.1 server for request/response endpoints: an `asyncio.Protocol` driving httptools' parser.

Why not uvicorn: for the DynamoDB endpoint two thirds of a request's CPU went to uvicorn's ASGI plumbing
(message dicts, scope, send/receive coroutines), while the endpoint needs none of it: each request is
answered synchronously (the engine is synchronous) from its method, headers and whole body. So the
protocol calls one `Handler` per request inside the parser's callbacks, which also answers pipelined
requests in order, and writes what one `data_received` produced in one `write`.

Per connection the states are: reading a head (request line and headers, at most `MAX_HEAD` bytes),
reading a body (`Content-Length` or chunked, at most `MAX_BODY` bytes: more is refused with 413, as
DynamoDB refuses requests over 16 MB), answered (then the next request, or closed after
`Connection: close`, an HTTP/1.0 request without keep-alive, or an error). Malformed HTTP gets a 400
and the connection is closed. `Expect: 100-continue` is answered before the body is read. An upgrade
request (`Upgrade: h2c`, as curl sends with `--http2`) is answered over HTTP/1.1 as if the header were
absent, then the connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from http import HTTPStatus

import httptools

log = logging.getLogger("amplify_local.http")

Headers = dict[bytes, bytes]
# (method, headers by lower-case name (repeated ones joined by ", "), body)
#   -> (status, header lines b"name: value\r\n"..., body)
Handler = Callable[[bytes, Headers, bytes], tuple[int, bytes, bytes]]

MAX_BODY = 16 * 1024 * 1024
MAX_HEAD = 64 * 1024
_STATUS_LINES = {status.value: b"HTTP/1.1 %d %s\r\n" % (status.value, status.phrase.encode())
                 for status in HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class _Clock:
    """The `date` header, formatted once a second rather than per response."""

    second = 0
    header = b""

    @classmethod
    def date(cls) -> bytes:
        now = int(time.time())
        if now != cls.second:
            cls.second = now
            cls.header = b"date: %s\r\n" % time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now)).encode()
        return cls.header


class Connection(asyncio.Protocol):
    """One client connection: parser callbacks collect a request, `on_message_complete` answers it."""

    def __init__(self, handler: Handler, connections: set[Connection]) -> None:
        self._handler = handler
        self._connections = connections
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._out: list[bytes] = []
        self._closing = False
        self._in_head = False
        self._head_size = 0
        self._headers: Headers = {}
        self._body: list[bytes] = []
        self._size = 0
        self._length = -1
        self._upgrade = False
        self._method = b""
        self._raw_left = 0  # body bytes still to read after an upgrade request (the parser stops there)

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._transport = None
        self._body = []

    def pause_writing(self) -> None:
        """A client that sends without reading its answers stops being read until it catches up."""
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None:
            self._transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        if self._raw_left:
            self._raw_body(data)
            self._flush()
            return
        in_head = self._in_head
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if not self._closing:
                self._raw_body(data[upgrade.args[0]:])
        except httptools.HttpParserError:
            if not self._closing:
                self._fail(400, b"Invalid HTTP request received.")
        if in_head and self._in_head and not self._closing:  # all of `data` was head: count it
            self._head_size += len(data)
            if self._head_size > MAX_HEAD:
                self._fail(431, b"Request header fields too large.")
        self._flush()

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_size = 0
        self._headers = {}
        self._body = []
        self._size = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        headers = self._headers
        headers[name] = headers[name] + b", " + value if name in headers else value

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._closing:
            return
        parser = self._parser
        headers = self._headers
        self._method = parser.get_method()
        length = headers.get(b"content-length")
        self._length = int(length) if length is not None else -1
        self._upgrade = parser.should_upgrade()
        if self._length > MAX_BODY:
            self._fail(413, b"")
        elif self._upgrade:
            if self._length < 0 and self._method not in (b"GET", b"HEAD", b"OPTIONS"):
                self._fail(411, b"Length required.")  # a chunked body after an upgrade request: not parsed
        elif self._length != 0 and b"expect" in headers and headers[b"expect"].lower() == b"100-continue":
            self._out.append(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._closing:
            return
        self._size += len(body)
        if self._size > MAX_BODY:
            self._fail(413, b"")
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._closing or self._upgrade:
            return
        self._answer()

    # answering

    def _answer(self) -> None:
        parser = self._parser
        method = self._method
        body = b"".join(self._body)
        self._body = []
        try:
            status, head, payload = self._handler(method, self._headers, body)
        except Exception:  # a bug in a handler must not take the connection's other requests down
            log.exception("HTTP handler failed")
            status, head, payload = 500, b"content-type: text/plain; charset=utf-8\r\n", b"Internal Server Error"
        if self._upgrade or not parser.should_keep_alive():
            connection = b"connection: close\r\n"
            self._closing = True
        elif parser.get_http_version() == "1.0":
            connection = b"connection: keep-alive\r\n"
        else:
            connection = b""
        self._out.append(b"%s%s%scontent-length: %d\r\n%s\r\n%s" % (
            _STATUS_LINES[status], _Clock.date(), head, len(payload), connection,
            b"" if method == b"HEAD" else payload))

    def _raw_body(self, data: bytes) -> None:
        """Collect the body of an upgrade request, which the parser leaves unparsed; answered once whole (and
        the connection closed: what follows is not read)."""
        if not self._raw_left:  # just after the parser stopped: its Content-Length is what is left
            self._raw_left = max(self._length, 0)
        taken = data[:self._raw_left]
        self._raw_left -= len(taken)
        self._body.append(taken)
        if not self._raw_left:
            self._answer()

    def _fail(self, status: int, message: bytes) -> None:
        """Answer an HTTP-level error and close once it is written (the rest of the stream is not read)."""
        self._closing = True
        self._out.append(b"%s%scontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                         b"content-length: %d\r\n\r\n%s" % (_STATUS_LINES[status], _Clock.date(), len(message),
                                                          message))

    def _flush(self) -> None:
        transport = self._transport
        if transport is None:
            return
        if self._out:
            transport.write(self._out[0] if len(self._out) == 1 else b"".join(self._out))
            self._out = []
        if self._closing:
            transport.close()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class Server:
    """Serves one `Handler` on listening sockets until told to stop.

    `serve(sockets)` runs on the caller's loop; setting `should_exit = True` (uvicorn.Server's stop signal,
    so a host stopping several servers treats this one alike) or calling `stop()` from any thread closes
    the listeners and every connection, then `serve` returns."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.started = False
        self._connections: set[Connection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit: asyncio.Event | None = None
        self._exit_requested = False

    @property
    def should_exit(self) -> bool:
        return self._exit_requested

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        if value:
            self.stop()

    def stop(self) -> None:
        self._exit_requested = True
        if self._loop is not None and self._exit is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                self._loop.call_soon_threadsafe(self._exit.set)

    async def serve(self, sockets: list[socket.socket]) -> None:
        self._loop = asyncio.get_running_loop()
        self._exit = asyncio.Event()
        if self._exit_requested:
            return
        listeners = [await self._loop.create_server(lambda: Connection(self.handler, self._connections), sock=sock,
                                                    backlog=1024) for sock in sockets]
        self.started = True
        try:
            await self._exit.wait()
        finally:
            for listener in listeners:
                listener.close()
            for connection in list(self._connections):
                connection.close()
            for listener in listeners:
                await listener.wait_closed()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when installed (about a third less CPU per request here), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def bind(host: str, port: int) -> socket.socket:
    """A socket bound now (a busy port raises OSError here, before anything is announced)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run(server: Server, sock: socket.socket, on_ready: Callable[[], None] | None = None,
        signals: bool = True) -> None:
    """Serve on a new loop in this thread until `server.stop()` (or SIGINT/SIGTERM when `signals`)."""
    loop = new_event_loop()

    async def main() -> None:
        if signals:
            import signal

            for number in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(number, server.stop)
        task = asyncio.ensure_future(server.serve([sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.001)
        if server.started and on_ready is not None:
            on_ready()
        await task

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()


class Background:
    """A server on its own loop in a daemon thread: `Background.start(server, sock)`, `.url`, `.stop()`."""

    def __init__(self, server: Server, sock: socket.socket, thread: threading.Thread) -> None:
        self.server = server
        self._sock = sock
        self._thread = thread
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"

    @classmethod
    def start(cls, server: Server, sock: socket.socket) -> Background:
        thread = threading.Thread(target=run, args=(server, sock), kwargs={"signals": False}, daemon=True,
                                  name="http-server")
        thread.start()
        while not server.started and thread.is_alive():
            time.sleep(0.002)
        return cls(server, sock, thread)

    def stop(self) -> None:
        self.server.stop()
        self._thread.join(5)
        self._sock.close()
