"""The framed JSON protocol between the runner and a worker shim.

Two pipes separate from the function's stdout/stderr (so `console.log` and `print` never corrupt a
message): the runner writes to the worker's request pipe and reads its reply pipe. The worker finds
both descriptors in `_AMPLIFY_LOCAL_WORKER_FDS` ("<read fd>,<write fd>") and removes the variable.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. Messages:

    runner -> worker   {"type": "invoke", "id": n, "event": ..., "context": {...}}
    worker -> runner   {"type": "ready"}                          handler loaded
                       {"type": "init_error", "error": {...}}     module or handler unusable; the worker exits
                       {"type": "result", "id": n, "result": ...}
                       {"type": "error", "id": n, "error": {...}, "fatal": bool}

`error` is Lambda's error document (`errorType`, `errorMessage`, `trace`). `fatal` means the worker
is about to exit (an uncaught exception or unhandled rejection outside the handler's promise).
"""

from __future__ import annotations

import asyncio
import json
import struct
from decimal import Decimal
from typing import Any

HEADER = struct.Struct(">I")
FDS_VARIABLE = "_AMPLIFY_LOCAL_WORKER_FDS"
MAX_FRAME_BYTES = 64 * 1024 * 1024  # far above Lambda's 6 MB limits: a larger frame is a broken worker


class ProtocolError(Exception):
    """The worker sent something that is not a frame."""


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """JSON bytes for a payload; Decimal (from DynamoDB values) becomes a JSON number."""
    return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False).encode()


def invoke_frame(number: int, event_json: bytes, context: dict[str, Any]) -> bytes:
    """An invoke message around an event already encoded (the runner encodes it once, to check its size)."""
    body = b'{"type":"invoke","id":%d,"context":%s,"event":%s}' % (number, dumps(context), event_json)
    return HEADER.pack(len(body)) + body


async def read_frame(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, or None at end of stream (the worker exited)."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError:
        return None
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise ProtocolError(f"a frame of {length} bytes exceeds the {MAX_FRAME_BYTES}-byte limit")
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        return None
    try:
        message = json.loads(body)
    except ValueError as error:
        raise ProtocolError(f"a frame is not JSON: {error}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame is not a JSON object")
    return message
