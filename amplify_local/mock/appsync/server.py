"""The HTTP face of the simulator: `POST /graphql` on the mock's lean HTTP layer, a Starlette router for the rest.

`POST /graphql` is the hot path: `AppSyncApp.connection` serves each connection with `mock/http.py`'s
`Connection`, which awaits `AppSyncApp.respond` for it (a whole JSON body in, one out: no ASGI plumbing)
and hands any other request, with the connection, to uvicorn's protocol. Through uvicorn (a connection
already handed over) `POST /graphql` is parsed straight from the ASGI messages (no framework request
object); everything else (`/api-config`, `/clear-data`, the console, the control API) goes
through the Starlette router of `routes.py`, imported on the first such request (Starlette's imports
cost ~50 ms of the cold start). WebSocket upgrades on `/graphql` and `/graphql/realtime` go to the realtime app.
The served API lives in `ServerState.simulator`; a hot reload replaces it in one assignment, so a
request sees either the old or the new API, never a mix. Every response allows any origin (CORS).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from amplify_local.mock import http
from amplify_local.mock.appsync.auth import RequestParts
from amplify_local.mock.appsync.errors import RequestError
from amplify_local.mock.appsync.simulator import Simulator
from amplify_local.mock.jsonwire import dumps, loads

log = logging.getLogger("amplify_local.appsync")

MAX_BODY_BYTES = 10 * 1024 * 1024
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"*"),
    (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
    (b"access-control-expose-headers", b"*"),
]
JSON_HEADERS = [(b"content-type", b"application/json; charset=utf-8"), *CORS_HEADERS]
_JSON_HEAD = b"".join(b"%s: %s\r\n" % header for header in JSON_HEADERS)


@dataclass
class ServerState:
    """What the server serves; `simulator` is replaced whole on reload. `engine` is the table storage
    (`/clear-data`, the control API); None when the server has no tables."""

    simulator: Simulator
    engine: Any = None


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
_TOO_LARGE_ANSWER: http.Answer = (TOO_LARGE[0], _JSON_HEAD, dumps(TOO_LARGE[1]))


def _keeps(method: bytes, url: bytes, headers: http.Headers, upgrade: bool) -> bool:
    """Whether a request is answered by `AppSyncApp.respond` rather than handed over to uvicorn."""
    return method == b"POST" and not upgrade and url.partition(b"?")[0] == b"/graphql"


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
        self._keep_alive: tuple[Any, http.KeepAlive] | None = None  # (uvicorn's server state, its sweep)
        self._eager_for: Simulator | None = None  # the simulator `_eager` was decided for
        self._eager = False

    @property
    def router(self) -> ASGIApp:
        if self._router is None:
            from amplify_local.mock.appsync.routes import router

            self._router = router(self.state, self.extra_routes() if self.extra_routes else [])
        return self._router

    def connection(self, fallback: Callable[[], asyncio.BaseProtocol], server_state: Any) -> asyncio.BaseProtocol:
        """The protocol of a new connection (`tls.serve_uvicorn`): GraphQL requests answered by `respond`,
        others by uvicorn's protocol (`fallback`). uvicorn's graceful shutdown sees these connections and
        their tasks; idle keep-alive ones close after `http.KEEP_ALIVE_SECONDS`, as uvicorn's do."""
        if self._keep_alive is None or self._keep_alive[0] is not server_state:
            self._keep_alive = (server_state, http.KeepAlive(server_state.connections))
        return http.Connection(self.respond, server_state.connections, max_body=MAX_BODY_BYTES,
                               too_large=_TOO_LARGE_ANSWER, keeps=_keeps, fallback=fallback, tasks=server_state.tasks,
                               eager=self.eager)

    def eager(self) -> bool:
        """Whether `respond` may run before a task exists (`http.Connection`): when the served API reaches no
        code that needs a current task (the Lambda runner's `asyncio.timeout`, httpx's anyio), i.e. its data
        sources are DynamoDB and NONE only and no request is authorised by a Lambda function."""
        simulator = self.state.simulator
        if self._eager_for is not simulator:
            api = simulator.api
            self._eager_for = simulator
            self._eager = (all(source.type in ("AMAZON_DYNAMODB", "NONE") for source in api.data_sources.values())
                           and "AWS_LAMBDA" not in api.auth_modes)
        return self._eager

    async def respond(self, method: bytes, url: bytes, headers: http.Headers, body: bytes) -> http.Answer:
        """`POST /graphql` as `http.Connection` hands it over: the answer with our JSON and CORS headers."""
        status, payload = await self.answer(
            body, {name.decode("latin-1"): value.decode("latin-1") for name, value in headers.items()},
            url.partition(b"?")[2])
        return status, _JSON_HEAD, payload

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
        except ValueError as error:  # json.JSONDecodeError, UnicodeDecodeError
            return 400, dumps(_error(400, "MalformedHttpRequestException",
                                     f"The request body is not valid JSON: {error}")[1])
        request = RequestParts("POST", "/graphql", query_string.decode("latin-1"), raw)
        try:
            status, answer = await self.state.simulator.handle(body, headers, request)
        except Exception as error:  # a bug of ours must not take the server down
            log.exception("Unexpected error while serving a GraphQL request")
            status, answer = 200, {"errorMessage": f"Internal error: {type(error).__name__}: {error}"}
        return status, dumps(answer)
