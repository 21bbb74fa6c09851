"""amplify-local Python worker: hosts one Lambda function and serves invocations over framed JSON.

Run as a script by the runner (never imported): `python worker_python.py`. It loads `_HANDLER`
("dir/module.function") from LAMBDA_TASK_ROOT the way the Lambda Python runtime does, then answers
`invoke` frames (protocol.py) one at a time. `print` output goes to the real stdout, which the
runner streams with the function's name. It runs on the function's runtime (any Python 3.8+), so it
uses only the standard library.
"""

from __future__ import annotations

import sys

# The script's own folder must not shadow the user's or the standard library's modules.
sys.path[:] = [entry for entry in sys.path if entry != sys.path[0]] if sys.path else []

import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

HEADER = struct.Struct(">I")
MAX_RESPONSE_BYTES = 6_291_556


class InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class Context:
    """Lambda's Python context object."""

    def __init__(self, given: dict[str, Any]) -> None:
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = given.get("invokedFunctionArn")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.aws_request_id = given.get("awsRequestId")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = given.get("identity")
        self.client_context = given.get("clientContext")
        self._deadline_ms = given.get("deadlineMs", 0)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


def error_document(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    frames = traceback.extract_tb(error.__traceback__)
    return {
        "errorType": error_type or type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": [line.rstrip("\n") for line in traceback.format_list(frames)],
    }


def trace_header() -> str:
    """A fresh X-Ray trace header per invocation, as Lambda sets `_X_AMZN_TRACE_ID`."""
    return f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()};Parent={os.urandom(8).hex()};Sampled=0"


def load_handler() -> Callable[[Any, Context], Any]:
    root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    full = os.environ.get("_HANDLER", "")
    module_path, _, function_name = full.rpartition(".")
    if not module_path or not function_name:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{full}': expected 'module.function'")
    module_name = module_path.replace("/", ".")
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as error:
        raise InitError(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{module_name}': {error.msg} ({os.path.basename(error.filename or '')}, line {error.lineno})",
        ) from error
    except ImportError as error:
        raise InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from error
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    if not callable(handler):
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' on module '{module_name}' is not callable")
    return handler


class Channel:
    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd

    def _read_exactly(self, count: int) -> bytes | None:
        chunks = []
        while count:
            chunk = os.read(self.read_fd, count)
            if not chunk:
                return None
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> Any:
        header = self._read_exactly(HEADER.size)
        if header is None:
            return None
        body = self._read_exactly(HEADER.unpack(header)[0])
        return None if body is None else json.loads(body)

    def send_bytes(self, body: bytes) -> None:
        view = memoryview(HEADER.pack(len(body)) + body)
        while view:
            written = os.write(self.write_fd, view)
            view = view[written:]

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps(message).encode())


def invoke(channel: Channel, handler: Callable[[Any, Context], Any], message: dict[str, Any]) -> None:
    request_id = message.get("id")
    os.environ["_X_AMZN_TRACE_ID"] = trace_header()
    try:
        result = handler(message.get("event"), Context(message.get("context") or {}))
    except Exception as error:
        traceback.print_exc()
        channel.send({"type": "error", "id": request_id, "error": error_document(error)})
        return
    try:
        body = json.dumps(result).encode()  # encoded once: measured against the limit, then sent as is
    except (TypeError, ValueError) as error:
        channel.send({"type": "error", "id": request_id, "error": error_document(error, "Runtime.MarshalError")})
        return
    if len(body) > MAX_RESPONSE_BYTES:
        channel.send({"type": "error", "id": request_id, "error": {
            "errorType": "Function.ResponseSizeTooLarge",
            "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
            "stackTrace": [],
        }})
        return
    channel.send_bytes(b'{"type":"result","id":' + json.dumps(request_id).encode() + b',"result":' + body + b"}")


def main() -> None:
    read_fd, write_fd = (int(fd) for fd in os.environ.pop("_AMPLIFY_LOCAL_WORKER_FDS").split(","))
    channel = Channel(read_fd, write_fd)
    try:
        handler = load_handler()
    except InitError as error:
        channel.send({"type": "init_error", "error": error_document(error, error.error_type)})
        return
    except Exception as error:
        channel.send({"type": "init_error", "error": error_document(error)})
        return
    channel.send({"type": "ready"})
    while True:
        message = channel.receive()
        if message is None:
            return
        if message.get("type") == "invoke":
            invoke(channel, handler, message)


if __name__ == "__main__":
    main()
