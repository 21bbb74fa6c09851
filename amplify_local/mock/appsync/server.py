"""The HTTP face of the simulator: a lean ASGI app for `POST /graphql`, a Starlette router for the rest.

`POST /graphql` is the hot path, so it is parsed here straight from the ASGI messages (no framework
request object); everything else (`/api-config`, `/clear-data`, the console, the control API) goes
through the Starlette router of `routes.py`, imported on the first such request (Starlette's imports
cost ~50 ms of the cold start). WebSocket upgrades on `/graphql` and `/graphql/realtime` go to the realtime app.
The served API lives in `ServerState.simulator`; a hot reload replaces it in one assignment, so a
request sees either the old or the new API, never a mix. Every response allows any origin (CORS).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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
                await _send_json(send, *_error(413, "PayloadTooLargeException",
                                               f"The request body exceeds the {MAX_BODY_BYTES} byte limit"))
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        try:
            body = loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            await _send_json(send, *_error(400, "MalformedHttpRequestException",
                                           f"The request body is not valid JSON: {error}"))
            return
        request = RequestParts("POST", scope["path"], scope.get("query_string", b"").decode("latin-1"), raw)
        try:
            status, answer = await self.state.simulator.handle(body, headers, request)
        except Exception as error:  # a bug of ours must not take the server down
            log.exception("Unexpected error while serving a GraphQL request")
            status, answer = 200, {"errorMessage": f"Internal error: {type(error).__name__}: {error}"}
        await _send_json(send, status, answer)
