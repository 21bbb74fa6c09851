"""AppSync's real-time WebSocket protocol (the `graphql-ws` subprotocol AppSync speaks), as Amplify JS uses it.

One `Connection` per socket, an explicit state machine:

    OPENING ──handshake auth ok──> AWAITING_INIT ──connection_init / start──> READY ──> CLOSED
       └── no `graphql-ws`, bad carrier, refused auth: `connection_error`, close ─────────┘

- Handshake auth comes from the `header-<base64url JSON>` subprotocol, else the `header` query parameter
  (base64 JSON), else the upgrade request's own headers; the server's runtime classifies it as it
  classifies HTTP requests. A SigV4 (AWS_IAM) carrier is verified over what AppSync clients sign: the
  handshake as `POST /graphql/connect` with body `{}`, a `start` as `POST /graphql` with `payload.data`.
- `connection_init` -> `connection_ack` (`connectionTimeoutMs`) and a `ka` right away, then every
  `keepalive_interval`. AWS documents `connection_init` as optional: a `start` first also makes the
  connection ready. A connection that does neither within `init_timeout` gets `connection_error` and is
  closed.
- `start` (payload.data: a JSON string of {query, variables, operationName}; per-subscription auth from
  payload.extensions.authorization) -> `start_ack` or `error`; `stop` -> `complete`; published events
  -> `data`. Ids are unique per connection (`DuplicatedOperationError`).
- Anything else (garbage, unknown types, oversized frames) gets AppSync's `error` frame and the
  connection goes on; nothing a client sends ends another connection or the server.

All outgoing frames go through one queue per connection, written by one task, so `start_ack` precedes
the first `data` of its subscription and a slow client only delays itself.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import enum
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from amplify_local.mock.appsync.auth import RequestParts
from amplify_local.mock.appsync.errors import AppSyncError, RequestError
from amplify_local.mock.appsync.subscriptions import Entry, Event, make_entry
from amplify_local.mock.appsync.types import Identity, SubscriptionRuntime

logger = logging.getLogger("amplify_local.realtime")

SUBPROTOCOL = "graphql-ws"
CONNECT_REQUEST = RequestParts("POST", "/graphql/connect", "", b"{}")


@dataclass(frozen=True)
class RealtimeSettings:
    """Timers and limits. AppSync tells clients `connectionTimeoutMs` 300000; Amplify JS v6 warns when
    no `ka` came for 65 s, so keep-alives go at most every 60 s (the reference sends one every 240 s)."""

    keepalive_interval: float = 60.0
    connection_timeout_ms: int = 300_000
    init_timeout: float = 15.0
    max_message_bytes: int = 240 * 1024
    max_queued_frames: int = 10_000


class State(enum.Enum):
    OPENING = "opening"
    AWAITING_INIT = "awaiting_init"
    READY = "ready"
    CLOSED = "closed"


class ProtocolError(Exception):
    """A client message AppSync answers with an `error` frame (the connection stays)."""

    def __init__(self, error_type: str, message: str, id: str | None = None) -> None:
        super().__init__(message)
        self.error = {"errorType": error_type, "message": message}
        self.id = id


def _frame(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), default=str)


def _error_frame(errors: list[dict[str, Any]], id: str | None = None, kind: str = "error") -> str:
    message: dict[str, Any] = {"type": kind, "payload": {"errors": errors}}
    if id is not None:
        message["id"] = id
    return _frame(message)


def _appsync_error(error: AppSyncError) -> dict[str, Any]:
    return {key: value for key, value in error.to_dict().items() if value is not None}


def _request_error(error: RequestError) -> dict[str, Any]:
    return {"errorType": error.error_type, "message": error.message, "errorCode": error.status}


KA = _frame({"type": "ka"})
_CLOSE = object()


# --- handshake --------------------------------------------------------------------------------------


def _decode_carrier(text: str, where: str) -> dict[str, str]:
    """A base64 (standard or URL-safe, padding optional) JSON object of headers, keys lower-cased."""
    try:
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
        headers = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise RequestError(
            400, "BadRequestException", f"{where} is not base64-encoded JSON: {error}"
        ) from None
    if not isinstance(headers, dict):
        raise RequestError(400, "BadRequestException", f"{where} must encode a JSON object of headers")
    return _header_map(headers)


def _header_map(headers: dict[Any, Any]) -> dict[str, str]:
    """A carrier's object as headers: names lower-cased (as HTTP requests reach the classifier)."""
    return {
        str(key).lower(): value if isinstance(value, str) else json.dumps(value)
        for key, value in headers.items()
    }


def handshake_headers(scope: Scope) -> dict[str, str]:
    """The headers that authorise the connection, from the first carrier present (see module doc)."""
    for protocol in scope.get("subprotocols") or ():
        if protocol.startswith("header-"):
            return _decode_carrier(protocol[len("header-") :], "The header- subprotocol")
    # the query string is read raw: clients put standard base64 there unescaped, and `+` must stay `+`
    for pair in scope.get("query_string", b"").decode("latin-1").split("&"):
        name, _, value = pair.partition("=")
        if name == "header":
            return _decode_carrier(unquote(value), "The header query parameter")
    return {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", ())}


async def _authorize(runtime: SubscriptionRuntime, headers: dict[str, str], request: RequestParts) -> Identity:
    identity: Any = runtime.authorize(headers, request)
    if inspect.isawaitable(identity):
        identity = await identity
    return identity


# --- one connection ---------------------------------------------------------------------------------


@dataclass(eq=False)
class _Operation:
    entry: Entry | None  # None while its `start` is being resolved
    runtime: SubscriptionRuntime
    data_frame: str  # the start of its `data` frames, up to the payload


class Connection:
    """The protocol state machine of one socket; also the registry's `Sink` for its subscriptions."""

    def __init__(
        self, websocket: WebSocket, runtime: Callable[[], SubscriptionRuntime], settings: RealtimeSettings
    ):
        self.websocket = websocket
        self.runtime = runtime
        self.settings = settings
        self.state = State.OPENING
        self.headers: dict[str, str] = {}
        self.operations: dict[str, _Operation] = {}
        self.outbox: asyncio.Queue[Any] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []

    # the registry's side (Sink)

    def deliver(self, entry: Entry, event: Event) -> None:
        self._send_later((entry, event))

    def invalidated(self, entry: Entry) -> None:
        operation = self.operations.get(entry.id)
        if operation is not None and operation.entry is entry:
            del self.operations[entry.id]
            self._send_later(_frame({"type": "complete", "id": entry.id}))

    # lifecycle

    async def run(self) -> None:
        offered = self.websocket.scope.get("subprotocols") or []
        if SUBPROTOCOL not in offered:
            await self._refuse(
                {"errorType": "NoProtocolError", "message": "NoProtocolError", "errorCode": 400}, None
            )
            return
        try:
            self.headers = handshake_headers(self.websocket.scope)
            await _authorize(self.runtime(), self.headers, CONNECT_REQUEST)
        except RequestError as error:
            await self._refuse(_request_error(error), SUBPROTOCOL)
            return
        except Exception:  # e.g. a Lambda authorizer that broke: refuse this socket, keep serving
            logger.exception("realtime: authorising a connection failed")
            await self._refuse(
                {"errorType": "InternalFailure", "message": "Internal failure", "errorCode": 500}, SUBPROTOCOL
            )
            return
        await self.websocket.accept(subprotocol=SUBPROTOCOL)
        self.state = State.AWAITING_INIT
        self.tasks = [asyncio.create_task(self._write()), asyncio.create_task(self._expire_init())]
        try:
            await self._read()
        finally:
            self._close_operations()
            self.state = State.CLOSED
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _refuse(self, error: dict[str, Any], subprotocol: str | None) -> None:
        await self.websocket.accept(subprotocol=subprotocol)
        await self.websocket.send_text(_error_frame([error], kind="connection_error"))
        await self.websocket.close(1000)
        self.state = State.CLOSED

    async def _read(self) -> None:
        while True:
            try:
                message = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                try:
                    text = (message.get("bytes") or b"").decode("utf-8")
                except UnicodeDecodeError:
                    text = ""
            try:
                await self._handle(text)
            except ProtocolError as error:
                self._send_later(_error_frame([error.error], error.id))
            except Exception:  # a bug of ours must not end the connection or the server
                logger.exception("realtime: failed to handle a client message")
                self._send_later(
                    _error_frame([{"errorType": "InternalFailure", "message": "Internal failure"}])
                )

    async def _write(self) -> None:
        try:
            while True:
                item = await self.outbox.get()
                if item is _CLOSE:
                    await self.websocket.close(1000)
                    return
                if isinstance(item, str):
                    await self.websocket.send_text(item)
                    continue
                entry, event = item
                operation = self.operations.get(entry.id)
                if operation is None or operation.entry is not entry:
                    continue  # stopped meanwhile
                try:
                    rendered = event.render(entry, operation.runtime.render_event)
                    payload = rendered.result() if rendered.done() else await asyncio.shield(rendered)
                except AppSyncError as error:
                    payload = _frame({"data": None, "errors": [_appsync_error(error)]})
                except Exception:
                    logger.exception("realtime: rendering an event failed")
                    payload = _frame(
                        {
                            "data": None,
                            "errors": [{"errorType": "InternalFailure", "message": "Internal failure"}],
                        }
                    )
                if entry.active:
                    await self.websocket.send_text(f"{operation.data_frame}{payload}}}")
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the client went away; `_read` ends too

    def _send_later(self, item: Any) -> None:
        if self.state is State.CLOSED:
            return
        if self.outbox.qsize() >= self.settings.max_queued_frames:
            logger.warning("realtime: a client does not read its messages; closing its connection")
            self._close_operations()
            self.state = State.CLOSED
            self.outbox.put_nowait(_CLOSE)
            return
        self.outbox.put_nowait(item)

    async def _expire_init(self) -> None:
        await asyncio.sleep(self.settings.init_timeout)
        if self.state is State.AWAITING_INIT:
            waited = int(self.settings.init_timeout * 1000)
            error = {
                "errorType": "ConnectionTimeoutError",
                "message": f"No connection_init or start within {waited} ms; closing the connection",
                "errorCode": 408,
            }
            self._send_later(_error_frame([error], kind="connection_error"))
            self.state = State.CLOSED
            self.outbox.put_nowait(_CLOSE)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.settings.keepalive_interval)
            self._send_later(KA)

    def _ready(self) -> None:
        if self.state is State.AWAITING_INIT:
            self.state = State.READY
            self.tasks.append(asyncio.create_task(self._keepalive()))

    def _close_operations(self) -> None:
        for operation in self.operations.values():
            if operation.entry is not None:
                operation.runtime.subscriptions.remove(operation.entry)
        self.operations.clear()

    # messages

    async def _handle(self, text: str) -> None:
        if self.state is State.CLOSED:
            return
        size = len(text.encode("utf-8"))
        if size > self.settings.max_message_bytes:
            raise ProtocolError(
                "LimitExceededError",
                f"Message of {size} bytes exceeds the maximum message size of {self.settings.max_message_bytes} bytes",
            )
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "connection_init":
            first = self.state is State.AWAITING_INIT
            self._ready()
            self._send_later(
                _frame(
                    {
                        "type": "connection_ack",
                        "payload": {"connectionTimeoutMs": self.settings.connection_timeout_ms},
                    }
                )
            )
            if first:
                self._send_later(KA)
        elif kind == "start":
            self._ready()
            await self._start(message)  # type: ignore[arg-type]
        elif kind == "stop":
            self._stop(message)  # type: ignore[arg-type]
        else:
            raise ProtocolError("UnsupportedOperation", "unknown not supported through the realtime channel")

    async def _start(self, message: dict[str, Any]) -> None:
        id = message.get("id")
        if not isinstance(id, str) or not id:
            raise ProtocolError("BadRequestException", "A start message needs a non-empty string id")
        if id in self.operations:
            raise ProtocolError("DuplicatedOperationError", f"Duplicated operation with id {id}", id)
        query, variables, operation_name = _request_of(message, id)
        payload = message["payload"]
        extensions = payload.get("extensions")
        authorization = extensions.get("authorization") if isinstance(extensions, dict) else None
        if authorization is None:  # the connection's own carrier, signed over the handshake
            headers, signed = self.headers, CONNECT_REQUEST
        elif isinstance(authorization, dict):
            data = payload["data"]
            body = data if isinstance(data, str) else _frame(data)  # an object data cannot match a signature
            headers, signed = _header_map(authorization), RequestParts("POST", "/graphql", "", body.encode())
        else:
            raise ProtocolError(
                "BadRequestException", "payload.extensions.authorization must be an object of headers", id
            )
        runtime = self.runtime()
        operation = _Operation(None, runtime, f'{{"type":"data","id":{json.dumps(id)},"payload":')
        self.operations[id] = operation  # reserved: a second start with this id is a duplicate
        try:
            identity = await _authorize(runtime, headers, signed)
            subscription = await runtime.subscribe(query, variables, operation_name, identity, headers)
            entry = make_entry(
                subscription, self, id, _render_key(runtime, query, variables, operation_name, identity)
            )
        except RequestError as error:
            self._forget(id, operation)
            self._send_later(_error_frame([_request_error(error)], id))
            return
        except AppSyncError as error:
            self._forget(id, operation)
            self._send_later(_error_frame([_appsync_error(error)], id))
            return
        except Exception:  # a runtime bug: this start fails, the connection goes on
            logger.exception("realtime: starting subscription %s failed", id)
            self._forget(id, operation)
            self._send_later(
                _error_frame([{"errorType": "InternalFailure", "message": "Internal failure"}], id)
            )
            return
        except BaseException:
            self._forget(id, operation)
            raise
        if self.operations.get(id) is not operation or self.state is State.CLOSED:
            return  # stopped, or the socket closed, while the subscription was being resolved
        operation.entry = entry
        self._send_later(_frame({"type": "start_ack", "id": id}))
        runtime.subscriptions.add(entry)

    def _forget(self, id: str, operation: _Operation) -> None:
        if self.operations.get(id) is operation:
            del self.operations[id]

    def _stop(self, message: dict[str, Any]) -> None:
        id = message.get("id")
        if not isinstance(id, str) or not id:
            raise ProtocolError(
                "BadRequestException", "A stop message needs the id of a started subscription"
            )
        operation = self.operations.pop(id, None)
        if operation is not None and operation.entry is not None:
            operation.runtime.subscriptions.remove(operation.entry)
        self._send_later(_frame({"type": "complete", "id": id}))


def _request_of(message: dict[str, Any], id: str) -> tuple[str, dict[str, Any], str | None]:
    """`payload.data` is a JSON string holding {query, variables, operationName}."""
    payload = message.get("payload")
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise ProtocolError(
                "BadRequestException", f"payload.data is not valid JSON: {error}", id
            ) from None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        raise ProtocolError(
            "BadRequestException", "payload.data must be a JSON string of {query, variables}", id
        )
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ProtocolError("BadRequestException", "variables must be a JSON object", id)
    operation_name = data.get("operationName")
    return data["query"], variables, operation_name if isinstance(operation_name, str) else None


def _render_key(
    runtime: SubscriptionRuntime,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    identity: Identity,
) -> tuple[Any, ...]:
    """Subscribers whose rendered events must be identical: same runtime, document and caller."""
    caller = json.dumps(
        [identity.resolver_fields, identity.claims, sorted(identity.denied_fields)],
        sort_keys=True,
        default=str,
    )
    return (
        id(runtime),
        query,
        json.dumps(variables, sort_keys=True, default=str),
        operation_name,
        identity.mode,
        caller,
    )


# --- mounting ---------------------------------------------------------------------------------------


class RealtimeEndpoint:
    """The ASGI app for WebSocket requests to `/graphql/realtime` and `/graphql`; `runtime()` returns the
    current runtime (the server swaps it on reload; each subscription keeps the one it started on)."""

    def __init__(
        self, runtime: Callable[[], SubscriptionRuntime], settings: RealtimeSettings | None = None
    ) -> None:
        self.runtime = runtime
        self.settings = settings or RealtimeSettings()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = Connection(WebSocket(scope, receive, send), self.runtime, self.settings)
        with contextlib.suppress(WebSocketDisconnect, OSError):  # the client left mid-handshake
            await connection.run()
