"""The mock's one lean HTTP/1.1 server layer: an `asyncio.Protocol` driving httptools' parser.

Why not uvicorn for the hot paths: for the DynamoDB endpoint two thirds of a request's CPU went to
uvicorn's ASGI plumbing (message dicts, scope, send/receive coroutines), and for `POST /graphql` about a
fifth, while both need none of it: a whole body in, a whole body out. So a `Connection` calls a `Handler`
per request with its method, URL, headers and whole body, answers pipelined requests in order, and writes
what one `data_received` produced in one `write`.

The differences between the servers are two seams:
- the handler's answer: `(status, head, payload)` is answered inline, inside the parser's callback (the
  DynamoDB endpoint: its engine is synchronous); a coroutine (the AppSync simulator) is awaited in a task,
  and the connection's later requests wait behind it in order; reading pauses when `MAX_WAITING` do.
  When `eager()` says so, the coroutine is first run inline (`send(None)`) and becomes a task only if it
  suspends: most Todo-mix requests never do, and the task's loop iteration (an `epoll_wait` more) and
  handles are ~15% of such a request's CPU. Not always: until a task exists there is no current task,
  which `asyncio.timeout` (the Lambda runner) and anyio/sniffio (httpx, the HTTP data source) need, so
  the handler says when its coroutines reach none of that.
- `keeps` and `fallback`: a request that `keeps(method, url, headers, upgrade)` refuses is handed, with the
  connection and the bytes read since it began, to the protocol `fallback()` makes (uvicorn's, for the
  console, the control API, WebSocket upgrades; the DynamoDB endpoint's primary process, for a write that
  reaches a reader process), which keeps the connection. Those bytes are known when the
  request began a read, as it does for every client that waits for its answers; a request to hand over
  pipelined behind another in the same read gets a 400 and the connection closes.

Per connection the states are: reading a head (request line and headers, at most `MAX_HEAD` bytes: more
is a 431), reading a body (`Content-Length` or chunked, at most `max_body` bytes: more is refused with the
`too_large` answer, at once for a chunked body or an `Expect: 100-continue` one, else once the declared
body is read, so that a client sending it sees the answer), answered (then the next request, or closed after
`Connection: close`, an HTTP/1.0 request without keep-alive, or an error), done (a final answer or a
handover on its way: nothing more is parsed). Malformed HTTP gets a 400 and the connection is closed.
`Expect: 100-continue` is answered before the body is read. An upgrade request that is not handed over
(`Upgrade: h2c`, as curl sends with `--http2`) is answered over HTTP/1.1 as if the header were absent,
then the connection is closed. A keep-alive connection idle for `KEEP_ALIVE_SECONDS` (uvicorn's default)
is closed by a `KeepAlive` sweep: one timer per server rather than a timer armed and cancelled per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from http import HTTPStatus
from typing import Any

import httptools

log = logging.getLogger("amplify_local.http")

Headers = dict[bytes, bytes]
# (status, header lines b"name: value\r\n"..., body)
Answer = tuple[int, bytes, bytes]
# (method, URL as sent, headers by lower-case name (repeated ones joined by ", "), body) -> an answer, or
# a coroutine that returns one
Handler = Callable[[bytes, bytes, Headers, bytes], Answer | Coroutine[Any, Any, Answer]]
# (method, URL, headers, whether it asks for an upgrade) -> whether the handler answers it (else: hand over)
Keeps = Callable[[bytes, bytes, Headers, bool], bool]

MAX_BODY = 16 * 1024 * 1024
MAX_HEAD = 64 * 1024
MAX_WAITING = 8  # requests waiting behind a suspended answer before reading pauses
KEEP_ALIVE_SECONDS = 5.0
_TICKS = 5  # keep-alive sweeps per KEEP_ALIVE_SECONDS: an idle connection closes 5-6 s after its last byte
_STATUS_LINES = {status.value: b"HTTP/1.1 %d %s\r\n" % (status.value, status.phrase.encode())
                 for status in HTTPStatus}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TEXT = b"content-type: text/plain; charset=utf-8\r\n"
TOO_LARGE: Answer = (413, _TEXT, b"")
_ERROR: Answer = (500, _TEXT, b"Internal Server Error")
_CLOSE = b"connection: close\r\n"
_KEEP_ALIVE = b"connection: keep-alive\r\n"
# queued steps besides requests and response bytes: close the connection, hand it over
_END = "end"
_HAND_OVER = "hand over"
# a request waiting behind a suspended answer: (method, url, headers, body, connection header)
_Request = tuple[bytes, bytes, Headers, bytes, bytes]


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


@types.coroutine
def _resume(coro: Coroutine[Any, Any, Answer], yielded: Any) -> Generator[Any, Any, Answer]:
    """The rest of a coroutine that suspended on `yielded` when run eagerly: awaited in a task, it hands the
    task what the coroutine yielded (a future to wait for) and the coroutine what the task sends or throws."""
    while True:
        try:
            sent = yield yielded
        except BaseException as error:  # cancellation included: the coroutine decides
            try:
                yielded = coro.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]


def _response(answer: Answer, method: bytes, connection: bytes) -> bytes:
    status, head, payload = answer
    return b"%s%s%scontent-length: %d\r\n%s\r\n%s" % (
        _STATUS_LINES[status], _Clock.date(), head, len(payload), connection, b"" if method == b"HEAD" else payload)


def _expects_continue(headers: Headers) -> bool:
    return headers.get(b"expect", b"").lower() == b"100-continue"


class Connection(asyncio.Protocol):
    """One client connection: parser callbacks collect a request, `on_message_complete` answers it.

    `connections` is the server's set of live connections (uvicorn's `server_state.connections` for the
    AppSync server, so its graceful shutdown sees these); `tasks`, where a suspended answer's task is kept
    while it runs (uvicorn's `server_state.tasks`)."""

    def __init__(self, handler: Handler, connections: set[Any], *, max_body: int = MAX_BODY,
                 too_large: Answer = TOO_LARGE, keeps: Keeps | None = None,
                 fallback: Callable[[], asyncio.BaseProtocol] | None = None,
                 tasks: set[asyncio.Task[None]] | None = None, eager: Callable[[], bool] | None = None,
                 first: bytes = b"") -> None:
        self._handler = handler
        self._first = first  # bytes another process read from this connection before handing it here
        self._connections = connections
        self._max_body = max_body
        self._too_large = too_large
        self._keeps = keeps
        self._fallback = fallback
        self._tasks = tasks
        self._eager = eager
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._out: list[bytes] = []
        self._queue: deque[_Request | bytes | str] = deque()  # what waits behind a suspended answer
        self._task: asyncio.Task[None] | None = None
        self._done = False  # nothing more is parsed
        self._closing = False  # close once `_out` is written
        self._handing_over = False  # hand over once `_out` is written
        self._skipping = False  # reading a refused body to its end before closing
        self._waiting_paused = False
        self._in_head = False
        self._head_size = 0
        self._at_boundary = True  # between two requests
        self.idle_ticks = 0
        self._url = b""
        self._headers: Headers = {}
        self._body: list[bytes] = []
        self._size = 0
        self._length = -1
        self._upgrade = False
        self._method = b""
        self._raw_left = 0  # body bytes still to read after an upgrade request (the parser stops there)
        # with `keeps`: the bytes read since the current request began, while it may be handed over
        self._kept: list[bytes] | None = None
        self._read = b""
        self._read_at_boundary = True
        self._begun_in_read = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._connections.add(self)
        if self._first:
            first, self._first = self._first, b""
            self.data_received(first)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._transport = None
        self._body = []
        self._queue.clear()

    def pause_writing(self) -> None:
        """A client that sends without reading its answers stops being read until it catches up."""
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None:
            self._transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        self.idle_ticks = 0
        if self._keeps is not None:
            if self._kept is not None:
                self._kept.append(data)
            self._read, self._read_at_boundary, self._begun_in_read = data, self._at_boundary, False
        if self._done and not self._skipping:
            return
        if self._raw_left:
            self._raw_body(data)
            self._flush()
            return
        in_head = self._in_head
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            if not self._done:
                self._raw_body(data[upgrade.args[0]:])
        except httptools.HttpParserError:
            if self._skipping:
                self._emit(_END)
            elif not self._done:
                self._fail(400, b"Invalid HTTP request received.")
        if in_head and self._in_head and not self._done:  # all of `data` was head: count it
            self._head_size += len(data)
            if self._head_size > MAX_HEAD:
                self._fail(431, b"Request header fields too large.")
        self._flush()

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self._done:
            return
        if self._keeps is not None:
            self._kept = [self._read] if self._read_at_boundary and not self._begun_in_read else None
            self._begun_in_read = True
        self._at_boundary = False
        self._in_head = True
        self._head_size = 0
        self._url = b""
        self._headers = {}
        self._body = []
        self._size = 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        headers = self._headers
        headers[name] = headers[name] + b", " + value if name in headers else value

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._done:
            return
        parser = self._parser
        self._method = parser.get_method()
        self._upgrade = parser.should_upgrade()
        if self._keeps is not None:
            if not self._keeps(self._method, self._url, self._headers, self._upgrade):
                if self._kept is None:
                    self._fail(400, b"Invalid HTTP request received.")
                else:
                    self._done = True
                    self._emit(_HAND_OVER)
                return
            self._kept = None
        headers = self._headers
        length = headers.get(b"content-length")
        self._length = int(length) if length is not None else -1
        if self._length > self._max_body:
            self._refuse(_expects_continue(headers))
        elif self._upgrade:
            if self._length < 0 and self._method not in (b"GET", b"HEAD", b"OPTIONS"):
                self._fail(411, b"Length required.")  # a chunked body after an upgrade request: not parsed
        elif self._length != 0 and b"expect" in headers and _expects_continue(headers):
            self._emit(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._done:
            return
        self._size += len(body)
        if self._size > self._max_body:
            self._refuse(True)
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._at_boundary = True
        if self._done:
            if self._skipping:
                self._skipping = False
                self._emit(_END)
            return
        if not self._upgrade:
            self._request(self._parser.should_keep_alive())

    # answering

    def _request(self, keep_alive: bool) -> None:
        """The current request is whole: answer it (a handler's tuple at once, its coroutine in a task, see
        the module docstring), or queue it behind a suspended answer."""
        if keep_alive:
            connection = _KEEP_ALIVE if self._parser.get_http_version() == "1.0" else b""
        else:
            connection = _CLOSE
            self._done = True
        method = self._method
        body = b"".join(self._body)
        self._body = []
        if self._task is not None:
            self._queue.append((method, self._url, self._headers, body, connection))
            if len(self._queue) >= MAX_WAITING and self._transport is not None:
                self._transport.pause_reading()
                self._waiting_paused = True
        else:
            try:
                answer = self._handler(method, self._url, self._headers, body)
            except Exception:  # a bug in a handler must not take the connection's other requests down
                log.exception("HTTP handler failed")
                answer = _ERROR
            if type(answer) is not tuple:
                answer = self._run(answer, method, connection)  # type: ignore[arg-type]
            if answer is not None:
                self._out.append(_response(answer, method, connection))
        if not keep_alive:
            self._emit(_END)

    def _run(self, coro: Coroutine[Any, Any, Answer], method: bytes, connection: bytes) -> Answer | None:
        """A handler's coroutine: its answer when run eagerly to the end, else None and a task finishes it."""
        pending: Awaitable[Answer] = coro
        if self._eager is not None and self._eager():
            try:
                yielded = coro.send(None)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            except Exception:
                log.exception("HTTP handler failed")
                return _ERROR
            pending = _resume(coro, yielded)
        task = asyncio.get_running_loop().create_task(self._work(pending, method, connection))
        self._task = task
        if self._tasks is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return None

    async def _work(self, pending: Awaitable[Answer], method: bytes, connection: bytes) -> None:
        """Await an answer, then answer what waited behind it, in order."""
        while True:
            try:
                answer = await pending
            except Exception:
                log.exception("HTTP handler failed")
                answer = _ERROR
            self._out.append(_response(answer, method, connection))
            while self._queue and self._transport is not None:
                item = self._queue.popleft()
                if type(item) is not tuple:
                    self._step(item)  # type: ignore[arg-type]
                    continue
                method, url, headers, body, connection = item  # type: ignore[misc]
                try:
                    answer = self._handler(method, url, headers, body)  # type: ignore[assignment]
                except Exception:
                    log.exception("HTTP handler failed")
                    answer = _ERROR
                if type(answer) is not tuple:
                    self._flush()  # what is answered goes out before waiting for this one
                    pending = answer  # type: ignore[assignment]
                    break
                self._out.append(_response(answer, method, connection))
            else:
                break
        self._task = None
        if self._waiting_paused and self._transport is not None:
            self._waiting_paused = False
            self._transport.resume_reading()
        self._flush()

    def _emit(self, item: bytes | str) -> None:
        """Response bytes or a final step, in order: at once, or behind a suspended answer."""
        if self._task is not None:
            self._queue.append(item)
        else:
            self._step(item)

    def _step(self, item: bytes | str) -> None:
        if item is _END:
            self._closing = True
        elif item is _HAND_OVER:
            self._handing_over = True
        else:
            self._out.append(item)  # type: ignore[arg-type]

    def _raw_body(self, data: bytes) -> None:
        """Collect the body of an upgrade request, which the parser leaves unparsed; answered once whole (and
        the connection closed: what follows is not read)."""
        if not self._raw_left:  # just after the parser stopped: its Content-Length is what is left
            self._raw_left = max(self._length, 0)
        taken = data[:self._raw_left]
        self._raw_left -= len(taken)
        self._body.append(taken)
        if not self._raw_left:
            self._request(False)

    def _fail(self, status: int, message: bytes) -> None:
        """Answer an HTTP-level error and close once it is written (the rest of the stream is not read)."""
        self._done = True
        self._emit(_response((status, _TEXT, message), b"", _CLOSE))
        self._emit(_END)

    def _refuse(self, now: bool) -> None:
        """A body over `max_body`: answer `too_large`, then close at once (`now`: the client waits for a
        100 Continue, or sends chunks without end) or once the declared body has been read."""
        self._done = True
        self._emit(_response(self._too_large, b"", _CLOSE))
        if now:
            self._emit(_END)
        else:
            self._skipping = True

    def _flush(self) -> None:
        transport = self._transport
        if transport is None:
            return
        if self._out:
            transport.write(self._out[0] if len(self._out) == 1 else b"".join(self._out))
            self._out = []
        if self._handing_over:
            self._hand_over(transport)
        elif self._closing:
            transport.close()

    def _hand_over(self, transport: asyncio.Transport) -> None:
        """Give the connection to the `fallback` protocol, with the bytes of the request it is to answer."""
        assert self._fallback is not None
        self._connections.discard(self)
        self._transport = None
        protocol = self._fallback()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        pending = b"".join(self._kept or ())
        self._kept = None
        if pending:
            protocol.data_received(pending)  # type: ignore[attr-defined]
        transport.resume_reading()

    def idle(self) -> bool:
        """Between requests with nothing to answer (what the keep-alive timeout closes)."""
        return self._at_boundary and self._task is None and not self._out

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close now when idle, else once the answers in progress are written."""
        self._done = True
        if self._task is None:
            self.close()
        else:
            self._emit(_END)


class KeepAlive:
    """Closes the keep-alive connections of `connections` idle for `seconds`: a sweep every `seconds / 5`
    counts each idle `Connection`'s sweeps; any byte received resets its count."""

    def __init__(self, connections: set[Any], seconds: float = KEEP_ALIVE_SECONDS) -> None:
        self._connections = connections
        self._interval = seconds / _TICKS
        self._timer = asyncio.get_running_loop().call_later(self._interval, self._sweep)

    def _sweep(self) -> None:
        for connection in list(self._connections):
            if isinstance(connection, Connection) and connection.idle():
                connection.idle_ticks += 1
                if connection.idle_ticks > _TICKS:
                    connection.close()
        self._timer = asyncio.get_running_loop().call_later(self._interval, self._sweep)

    def stop(self) -> None:
        self._timer.cancel()


class Server:
    """Serves one `Handler` on listening sockets until told to stop.

    `serve(sockets)` runs on the caller's loop; setting `should_exit = True` (uvicorn.Server's stop signal,
    so a host stopping several servers treats this one alike) or calling `stop()` from any thread closes
    the listeners and every connection, then `serve` returns."""

    def __init__(self, handler: Handler, keep_alive: float = KEEP_ALIVE_SECONDS, *,
                 keeps: Keeps | None = None,
                 fallback: Callable[[], asyncio.BaseProtocol] | None = None) -> None:
        self.handler = handler
        self.keep_alive = keep_alive
        self._keeps = keeps
        self._fallback = fallback
        # the protocol of each accepted connection: ours, unless a host routes some elsewhere
        self.accept: Callable[[], asyncio.BaseProtocol] = self.connection
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

    def connection(self, first: bytes = b"") -> Connection:
        """The protocol of one connection served here; `first`: bytes already read from it."""
        return Connection(self.handler, self._connections, keeps=self._keeps, fallback=self._fallback, first=first)

    async def adopt(self, sock: socket.socket, first: bytes) -> None:
        """Serve a connection that another process accepted (and read `first` from: a request it hands over)."""
        assert self._loop is not None
        await self._loop.connect_accepted_socket(lambda: self.connection(first), sock)

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
        listeners = [await self._loop.create_server(lambda: self.accept(), sock=sock, backlog=1024)
                     for sock in sockets]
        keep_alive = KeepAlive(self._connections, self.keep_alive)
        self.started = True
        try:
            await self._exit.wait()
        finally:
            keep_alive.stop()
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
