"""The HTTP face of the simulator: a lean ASGI app for `POST /graphql`, a Starlette router for the rest.

`POST /graphql` is the hot path, so it is parsed here straight from the ASGI messages (no framework
request object); everything else (`/api-config`, `/clear-data`, the console, the control API) goes
through the Starlette router of `routes.py`, imported on the first such request (Starlette's imports
cost ~50 ms of the cold start). WebSocket upgrades on `/graphql` and `/graphql/realtime` go to the realtime app.
The served API lives in `ServerState.simulator`; a hot reload replaces it in one assignment, so a
request sees either the old or the new API, never a mix. Every response allows any origin (CORS).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import httptools
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from amplify_local.mock.appsync.auth import RequestParts
from amplify_local.mock.appsync.errors import RequestError
from amplify_local.mock.appsync.simulator import Simulator

log = logging.getLogger("amplify_local.appsync")

MAX_BODY_BYTES = 10 * 1024 * 1024
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (b"access-control-expose-headers", b"*"),
]
JSON_HEADERS = [(b"content-type", b"application/json; charset=utf-8"), *CORS_HEADERS]


@dataclass
class ServerState:
    """What the server serves; `simulator` is replaced whole on reload. `engine` is the table storage
    (`/clear-data`, the control API); None when the server has no tables."""

    simulator: Simulator
    engine: Any = None


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON. orjson writes a Todo mix response ~5x faster than `json`; what it refuses
    (integers beyond 64 bits, non-string keys) goes through `json`, so every body still serialises."""
    try:
        return orjson.dumps(body, default=_default)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_default).encode()


def loads(raw: bytes) -> Any:
    """A request body; what orjson refuses (NaN, lone surrogates, ...) is decided by `json`, whose
    result and error message the endpoint has always given."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


async def _send_json(send: Send, status: int, body: Any) -> None:
    payload = dumps(body)
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [*JSON_HEADERS, (b"content-length", str(len(payload)).encode())],
    })
    await send({"type": "http.response.body", "body": payload})


def _error(status: int, error_type: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, RequestError(status, error_type, message).to_body()


TOO_LARGE = _error(413, "PayloadTooLargeException", f"The request body exceeds the {MAX_BODY_BYTES} byte limit")


class AppSyncApp:
    """The ASGI application of `amplify mock api`."""

    def __init__(
        self,
        state: ServerState,
        realtime: Callable[[], ASGIApp] | None = None,
        extra_routes: Callable[[], list[Any]] | None = None,
    ) -> None:
        """`realtime` makes the WebSocket app on the first upgrade and `extra_routes` the console's routes on
        the first request outside `/graphql` (their imports stay off the cold start)."""
        self.state = state
        self.realtime_factory = realtime
        self.realtime: ASGIApp | None = None
        self.extra_routes = extra_routes
        self._router: ASGIApp | None = None

    @property
    def router(self) -> ASGIApp:
        if self._router is None:
            from amplify_local.mock.appsync.routes import router

            self._router = router(self.state, self.extra_routes() if self.extra_routes else [])
        return self._router

    def connection(self, fallback: Callable[[], asyncio.BaseProtocol], server_state: Any) -> asyncio.BaseProtocol:
        """The protocol of a new connection (`tls.serve_uvicorn`): GraphQL requests answered directly,
        others by uvicorn's protocol (`fallback`)."""
        return GraphQLConnection(self, fallback, server_state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["path"] == "/graphql" and scope["method"] == "POST":
                await self.graphql(scope, receive, send)
            elif scope["method"] == "OPTIONS":
                await send({"type": "http.response.start", "status": 204, "headers": CORS_HEADERS})
                await send({"type": "http.response.body", "body": b""})
            else:
                await self.router(scope, receive, send)
        elif kind == "websocket":
            if self.realtime_factory is None or scope["path"] not in ("/graphql", "/graphql/realtime"):
                await send({"type": "websocket.close", "code": 1008})
                return
            if self.realtime is None:
                self.realtime = self.realtime_factory()
            await self.realtime(scope, receive, send)
        else:
            await self.router(scope, receive, send)

    async def graphql(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await _send_json(send, *TOO_LARGE)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        status, payload = await self.answer(b"".join(chunks), headers, scope.get("query_string", b""))
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [*JSON_HEADERS, (b"content-length", str(len(payload)).encode())],
        })
        await send({"type": "http.response.body", "body": payload})

    async def answer(self, raw: bytes, headers: dict[str, str], query_string: bytes) -> tuple[int, bytes]:
        """A whole `POST /graphql` request body -> (HTTP status, JSON response body)."""
        try:
            body = loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return 400, dumps(_error(400, "MalformedHttpRequestException",
                                     f"The request body is not valid JSON: {error}")[1])
        request = RequestParts("POST", "/graphql", query_string.decode("latin-1"), raw)
        try:
            status, answer = await self.state.simulator.handle(body, headers, request)
        except Exception as error:  # a bug of ours must not take the server down
            log.exception("Unexpected error while serving a GraphQL request")
            status, answer = 200, {"errorMessage": f"Internal error: {type(error).__name__}: {error}"}
        return status, dumps(answer)


# --- the GraphQL connection ------------------------------------------------------------------------

KEEP_ALIVE_SECONDS = 5.0  # uvicorn's default: an idle keep-alive connection is closed after it
MAX_WAITING = 8  # requests queued on one connection before reading pauses
_STATUS_LINES = {status.value: b"HTTP/1.1 %d %s\r\n" % (status.value, status.phrase.encode()) for status in HTTPStatus}
_JSON_HEAD = b"".join(b"%s: %s\r\n" % header for header in JSON_HEADERS)
_CLOSE = b"connection: close\r\n"
_BAD_REQUEST = (b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\n"
                b"connection: close\r\n\r\nInvalid HTTP request.")

# what the connection's task does next: answer a GraphQL request, give the connection to uvicorn, or
# write a final response and close
Answer = tuple[bytes, dict[str, str], bytes, bool]  # (body, headers, query string, keep alive)
HAND_OVER = "hand over"


class GraphQLConnection(asyncio.Protocol):
    """A client connection that answers `POST /graphql` itself and hands every other request to uvicorn.

    uvicorn's HTTP protocol spends about a fifth of a Todo mix request's CPU on ASGI plumbing (scope,
    message dicts, a task and two socket writes per response). A GraphQL request needs none of it: a whole
    JSON body in, a JSON body out. So this protocol parses with httptools, awaits `AppSyncApp.answer` and
    writes each response in one `write`. Anything else (the console, the control API, WebSocket upgrades,
    `Expect: 100-continue`, a malformed request) is uvicorn's: the connection, with the bytes read since
    that request began, goes to a fresh uvicorn protocol (`fallback`) and stays with it. The bytes are
    known when the request began a read, as it does for every client that waits for its answers; a
    non-GraphQL request pipelined behind a GraphQL one in the same read gets a 400 and the connection closes.

    States: reading a request (its bytes kept until its head shows it is a GraphQL one), reading a GraphQL
    body (more than `MAX_BODY_BYTES` is answered 413 and the connection closed), answering (one task
    answers the queued requests in order; reading pauses while `MAX_WAITING` wait), done (a handover or a
    final response queued: later bytes are not parsed). An idle keep-alive connection closes after
    `KEEP_ALIVE_SECONDS`; uvicorn's graceful shutdown sees these connections and their tasks.
    """

    def __init__(self, app: AppSyncApp, fallback: Callable[[], asyncio.BaseProtocol], server_state: Any) -> None:
        self.app = app
        self.fallback = fallback
        self.server_state = server_state
        self.loop = asyncio.get_running_loop()
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.read = b""  # the data being parsed
        self.read_at_boundary = True  # it began between two requests
        self.begun_in_read = False
        self.at_boundary = True
        self.head: list[bytes] | None = None  # the current request's bytes, while it may go to uvicorn
        self.url = b""
        self.query = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.size = 0
        self.queue: deque[Answer | str | bytes] = deque()
        self.done = False
        self.closing = False
        self.worker: asyncio.Task[None] | None = None
        self.writable = asyncio.Event()
        self.writable.set()
        self.idle: asyncio.TimerHandle | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server_state.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        self.closing = True
        self.writable.set()
        if self.idle is not None:
            self.idle.cancel()

    def data_received(self, data: bytes) -> None:
        if self.idle is not None:
            self.idle.cancel()
            self.idle = None
        if self.head is not None:
            self.head.append(data)
        if self.done:
            return
        self.read, self.read_at_boundary, self.begun_in_read = data, self.at_boundary, False
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # on_headers_complete queued the handover
        except httptools.HttpParserError:
            self._finish(HAND_OVER if self.head is not None else _BAD_REQUEST)
        if len(self.queue) >= MAX_WAITING:
            self.transport.pause_reading()  # type: ignore[union-attr]

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close now when idle, else after the answers in progress."""
        self.closing = True
        if self.worker is None or self.worker.done():
            self.transport.close()  # type: ignore[union-attr]

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self.done:
            return
        self.head = [self.read] if self.read_at_boundary and not self.begun_in_read else None
        self.begun_in_read = True
        self.at_boundary = False
        self.url = b""
        self.headers = []
        self.body = []
        self.size = 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        if self.done:
            return
        url = httptools.parse_url(self.url)
        if (self.parser.get_method() == b"POST" and url.path == b"/graphql" and not self.parser.should_upgrade()
                and (b"expect", b"100-continue") not in self.headers):
            self.head = None
            self.query = url.query or b""
        else:
            self._finish(HAND_OVER if self.head is not None else _BAD_REQUEST)

    def on_body(self, body: bytes) -> None:
        if self.done:
            return
        self.size += len(body)
        if self.size <= MAX_BODY_BYTES:
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.at_boundary = True
        if self.done:
            return
        if self.size > MAX_BODY_BYTES:
            self._finish(_response(TOO_LARGE[0], dumps(TOO_LARGE[1]), self.server_state.default_headers, False))
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in self.headers}
        self.queue.append((b"".join(self.body), headers, self.query, self.parser.should_keep_alive()))
        self._start()

    # answering

    def _finish(self, last: str | bytes) -> None:
        """Queue the connection's last step (a handover or a final response); nothing more is parsed."""
        self.done = True
        self.queue.append(last)
        self._start()

    def _start(self) -> None:
        if self.worker is None or self.worker.done():
            self.worker = self.loop.create_task(self._work())
            self.server_state.tasks.add(self.worker)
            self.worker.add_done_callback(self.server_state.tasks.discard)

    async def _work(self) -> None:
        transport = self.transport
        assert transport is not None
        while self.queue and not transport.is_closing():
            item = self.queue.popleft()
            if item == HAND_OVER:
                self._hand_over(transport)
                return
            if isinstance(item, bytes):
                transport.write(item)
                transport.close()
                return
            raw, headers, query, keep_alive = item  # type: ignore[misc]
            status, payload = await self.app.answer(raw, headers, query)
            keep_alive = keep_alive and not self.closing
            await self.writable.wait()
            if transport.is_closing():
                return
            transport.write(_response(status, payload, self.server_state.default_headers, keep_alive))
            if not keep_alive:
                transport.close()
                return
            if len(self.queue) < MAX_WAITING:
                transport.resume_reading()
        if self.closing:
            transport.close()
        elif not transport.is_closing():
            self.idle = self.loop.call_later(KEEP_ALIVE_SECONDS, transport.close)

    def _hand_over(self, transport: asyncio.Transport) -> None:
        """Give the connection to a uvicorn protocol, with the bytes of the request it is to answer."""
        self.server_state.connections.discard(self)
        protocol = self.fallback()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        pending = b"".join(self.head or ())
        self.head = None
        if pending:
            protocol.data_received(pending)
        transport.resume_reading()


_defaults: list[Any] = [None, b""]  # uvicorn's default headers (a new list each second) and their bytes


def _response(status: int, payload: bytes, defaults: list[tuple[bytes, bytes]], keep_alive: bool) -> bytes:
    """A whole JSON response: uvicorn's default headers (date, server), ours, the body."""
    if _defaults[0] is not defaults:
        _defaults[:] = [defaults, b"".join(b"%s: %s\r\n" % header for header in defaults)]
    return b"%s%s%scontent-length: %d\r\n%s\r\n%s" % (
        _STATUS_LINES[status], _defaults[1], _JSON_HEAD, len(payload), b"" if keep_alive else _CLOSE, payload)
