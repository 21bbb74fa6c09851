"""DynamoDB's JSON 1.0 wire protocol over the engine: the endpoint SDK clients (boto3, AWS SDK for JS) use.

A request is `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>` and a JSON body; the answer is
the operation's JSON with `x-amz-crc32` (botocore checks it), or DynamoDB's error body
`{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message": ...}` with HTTP 400 (500 for server
errors). This module only parses and serialises: the engine acts. It is a bare ASGI app because the
endpoint must never be the bottleneck of an SDK client, and routing one path needs no framework (nor
uvicorn's proxy-headers middleware: the endpoint never reads the client address).
Signatures are not checked (any credentials work, as with DynamoDB Local).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from amplify_local.mock.dynamodb.engine import OPERATIONS
from amplify_local.mock.dynamodb.errors import SERVER_ERRORS, DynamoDBError
from amplify_local.mock.dynamodb.shapes import request_checker

log = logging.getLogger("amplify_local.dynamodb")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

TARGET_PREFIX = "DynamoDB_20120810."
_ERROR_NAMESPACE = "com.amazonaws.dynamodb.v20120810#"
_CORAL_NAMESPACE = "com.amazon.coral.service#"
_CORAL_CODES = frozenset({"SerializationException", "UnknownOperationException", "InternalFailure"})
_CONTENT_TYPE = (b"content-type", b"application/x-amz-json-1.0")
_CORS = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers",
         b"x-amzn-RequestId,x-amz-crc32"), (b"access-control-allow-headers", b"*"),
         (b"access-control-allow-methods", b"GET,POST,OPTIONS")]
_dumps = json.JSONEncoder(separators=(",", ":")).encode
_request_ids = itertools.count(int.from_bytes(os.urandom(4)))
_ID_PREFIX = uuid.uuid4().hex[:20].encode()


def handle(engine: Any, target: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
    """One request: the HTTP status and the JSON body to answer with."""
    operation = target[len(TARGET_PREFIX):] if target and target.startswith(TARGET_PREFIX) else None
    method_name = OPERATIONS.get(operation or "")
    try:
        if method_name is None:
            raise DynamoDBError("UnknownOperationException", f"Unknown operation: {target}")
        try:
            request = json.loads(body.decode()) if body else {}
        except ValueError:
            raise DynamoDBError("SerializationException", "The request body is not valid JSON") from None
        if not isinstance(request, dict):
            raise DynamoDBError("SerializationException", "The request body must be a JSON object")
        checker = request_checker(operation)  # type: ignore[arg-type]
        if checker is not None:
            request = checker(request, "")
        return 200, getattr(engine, method_name)(request)
    except DynamoDBError as error:
        return error_body(error)
    except Exception as error:  # a bug must not take the endpoint down
        log.exception("DynamoDB %s failed", operation)
        return 500, {"__type": _CORAL_NAMESPACE + "InternalFailure", "message": f"{type(error).__name__}: {error}"}


def error_body(error: DynamoDBError) -> tuple[int, dict[str, Any]]:
    namespace = _CORAL_NAMESPACE if error.code in _CORAL_CODES else _ERROR_NAMESPACE
    body = {"__type": namespace + error.code, "message": error.message, **error.extra}
    return (500 if error.code in SERVER_ERRORS else 400), body


def create_app(engine: Any) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """The ASGI app of the endpoint over `engine` (an `Engine` or a `RemoteEngine`)."""

    # botocore's model takes ~0.3 s to load: build the request checkers beside startup, not in its way
    threading.Thread(target=lambda: [request_checker(op) for op in OPERATIONS], name="dynamodb-shapes",
                     daemon=True).start()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        method = scope["method"]
        if method == "OPTIONS":
            await _respond(send, 200, b"", _CORS)
            return
        if method != "POST":
            await _respond(send, 200, b"healthy: dynamodb.us-fake-1.amazonaws.com",
                           [(b"content-type", b"text/plain"), *_CORS])
            return
        target = None
        cors = False
        for name, value in scope["headers"]:
            if name == b"x-amz-target":
                target = value.decode("latin-1")
            elif name == b"origin":
                cors = True
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, answer = handle(engine, target, body)
        payload = _dumps(answer).encode()
        headers = [_CONTENT_TYPE, (b"x-amz-crc32", b"%d" % zlib.crc32(payload))]
        await _respond(send, status, payload, [*headers, *_CORS] if cors else headers)

    return app


async def _respond(send: Send, status: int, payload: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        *headers, (b"x-amzn-requestid", b"%s%012d" % (_ID_PREFIX, next(_request_ids))),
        (b"content-length", b"%d" % len(payload))]})
    await send({"type": "http.response.body", "body": payload})


class Endpoint:
    """The endpoint served from a background thread, for running beside another server (`amplify mock api`
    shares its engine this way) and for tests: `Endpoint.start(engine, port=62224)`, then `.url`, `.stop()`."""

    def __init__(self, server: Any, thread: threading.Thread, sock: socket.socket) -> None:
        self._server = server
        self._thread = thread
        self._sock = sock
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"

    @classmethod
    def start(cls, engine: Any, host: str = "127.0.0.1", port: int = 0) -> Endpoint:
        """Bind now (so a busy port raises OSError here) and serve until `stop()`."""
        import uvicorn

        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        server = uvicorn.Server(uvicorn.Config(create_app(engine), lifespan="off", log_level="warning",
                                               access_log=False, proxy_headers=False))
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # the host owns signals
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="dynamodb-endpoint",
                                  daemon=True)
        thread.start()
        while not server.started and thread.is_alive():
            time.sleep(0.005)
        return cls(server, thread, sock)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()


def serve(engine: Any, host: str = "127.0.0.1", port: int = 62224, *, sock: Any = None,
          on_ready: Callable[[], None] | None = None) -> None:
    """Serve the endpoint until interrupted (uvicorn with uvloop and httptools when installed)."""
    import uvicorn

    config = uvicorn.Config(create_app(engine), host=host, port=port, lifespan="off", log_level="warning",
                            access_log=False, loop="auto", http="auto", proxy_headers=False)
    server = uvicorn.Server(config)
    if on_ready is not None:
        original_startup = server.startup

        async def startup(sockets: Any = None) -> None:
            await original_startup(sockets=sockets)
            on_ready()

        server.startup = startup  # type: ignore[method-assign]
    server.run(sockets=[sock] if sock is not None else None)
