"""DynamoDB's JSON 1.0 wire protocol over the engine: the endpoint SDK clients (boto3, AWS SDK for JS) use.

A request is `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>` and a JSON body; the answer is
the operation's JSON with `x-amz-crc32` (botocore checks it), or DynamoDB's error body
`{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message": ...}` with HTTP 400 (500 for server
errors). This module only parses and serialises (JSON by `mock/jsonwire.py`): the engine acts. It is
served by `mock/http.py` (an `asyncio.Protocol` over httptools, no ASGI, shared with the AppSync server)
because the endpoint must never be the bottleneck of an SDK client. As DynamoDB, it ignores the path; `GET` answers a health line, `OPTIONS` a CORS preflight.
Signatures are not checked (any credentials work, as with DynamoDB Local).
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amplify_local.mock import http, jsonwire
from amplify_local.mock.dynamodb.engine import OPERATIONS, Engine
from amplify_local.mock.dynamodb.errors import SERVER_ERRORS, DynamoDBError
from amplify_local.mock.dynamodb.shapes import request_checker

log = logging.getLogger("amplify_local.dynamodb")

TARGET_PREFIX = "DynamoDB_20120810."
_ERROR_NAMESPACE = "com.amazonaws.dynamodb.v20120810#"
_CORAL_NAMESPACE = "com.amazon.coral.service#"
_CORAL_CODES = frozenset({"SerializationException", "UnknownOperationException", "InternalFailure"})
_CORS = (b"access-control-allow-origin: *\r\naccess-control-expose-headers: x-amzn-RequestId,x-amz-crc32\r\n"
         b"access-control-allow-headers: *\r\naccess-control-allow-methods: GET,POST,OPTIONS\r\n")
_HEALTH = b"healthy: dynamodb.us-fake-1.amazonaws.com"
_request_ids = itertools.count(int.from_bytes(os.urandom(4)))
_REQUEST_ID = b"x-amzn-requestid: " + uuid.uuid4().hex[:20].encode() + b"%012d\r\n"
# X-Amz-Target -> (operation, engine method)
_ROUTES: dict[str | None, tuple[str, str]] = {TARGET_PREFIX + name: (name, method) for name, method in OPERATIONS.items()}
_UNKNOWN = (None, None)


def handle(engine: Any, target: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
    """One request: the HTTP status and the JSON body to answer with."""
    operation, method_name = _ROUTES.get(target, _UNKNOWN)  # type: ignore[arg-type]
    try:
        if method_name is None:
            raise DynamoDBError("UnknownOperationException", f"Unknown operation: {target}")
        try:
            request = jsonwire.loads(body) if body else {}
        except ValueError:
            raise DynamoDBError("SerializationException", "The request body is not valid JSON") from None
        if not isinstance(request, dict):
            raise DynamoDBError("SerializationException", "The request body must be a JSON object")
        checker = request_checker(operation)
        if checker is not None:
            request = checker(request, "")
        if method_name == "get_item" and isinstance(engine, Engine):
            return 200, engine.get_item(request, wire=True)  # the item sent as stored, not decoded and encoded
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


def responder(engine: Any) -> http.Handler:
    """The endpoint's `http.Handler` over `engine` (an `Engine` or a `RemoteEngine`)."""

    # botocore's model takes ~0.3 s to load: build the request checkers beside startup, not in its way
    threading.Thread(target=lambda: [request_checker(op) for op in OPERATIONS], name="dynamodb-shapes",
                     daemon=True).start()

    def respond(method: bytes, url: bytes, headers: http.Headers, body: bytes) -> tuple[int, bytes, bytes]:
        request_id = _REQUEST_ID % next(_request_ids)
        if method != b"POST":
            if method == b"OPTIONS":
                return 200, _CORS + request_id, b""
            return 200, b"content-type: text/plain\r\n" + _CORS + request_id, _HEALTH
        target = headers.get(b"x-amz-target")
        status, answer = handle(engine, target.decode("latin-1") if target is not None else None, body)
        payload = jsonwire.dumps_ascii(answer)  # as DynamoDB writes it: non-ASCII escaped
        head = b"content-type: application/x-amz-json-1.0\r\nx-amz-crc32: %d\r\n" % zlib.crc32(payload)
        return status, (head + _CORS + request_id) if b"origin" in headers else head + request_id, payload

    return respond


def create_server(engine: Any) -> http.Server:
    """The endpoint as an `http.Server` to run on the caller's loop: `await server.serve([sock])`."""
    return http.Server(responder(engine))


class Endpoint:
    """The endpoint served from a background thread, for tests and scripts: `Endpoint.start(engine,
    port=62224)`, then `.url`, `.stop()`."""

    def __init__(self, background: http.Background) -> None:
        self._background = background
        self.url = background.url

    @classmethod
    def start(cls, engine: Any, host: str = "127.0.0.1", port: int = 0) -> Endpoint:
        """Bind now (so a busy port raises OSError here) and serve until `stop()`."""
        return cls(http.Background.start(create_server(engine), http.bind(host, port)))

    def stop(self) -> None:
        self._background.stop()


def serve(engine: Any, host: str = "127.0.0.1", port: int = 62224, *, sock: socket.socket | None = None,
          on_ready: Callable[[], None] | None = None, readers: int = 0, path: Path | None = None,
          on_readers: Callable[[], None] | None = None) -> None:
    """Serve the endpoint in this thread until SIGINT or SIGTERM (uvloop's loop when installed), with
    `readers` reader processes over the file at `path` (`readers.py`; the engine opened with `shared=True`);
    `on_ready` once it serves, `on_readers` once the readers serve too."""
    server = create_server(engine)
    sock = sock if sock is not None else http.bind(host, port)
    if not readers:
        http.run(server, sock, on_ready)
        return
    from amplify_local.mock.dynamodb.readers import Pool

    assert path is not None
    pool = Pool(engine, path, server, readers, on_readers)

    def ready() -> None:
        pool.start()
        if on_ready is not None:
            on_ready()

    try:
        http.run(server, sock, ready)
    finally:
        pool.stop()
