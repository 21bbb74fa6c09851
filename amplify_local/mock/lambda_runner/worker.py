"""One warm worker process hosting one function, and the state machine that drives it.

    STARTING --ready--> IDLE --invoke--> BUSY --result/error--> IDLE
        |                                  |
        +--init_error / exit--> DEAD <-----+--timeout (killed) / exit / fatal error

A worker serves one invocation at a time, as a Lambda execution environment does. The function's
stdout and stderr are drained continuously (a handler printing megabytes never blocks on a full
pipe) and handed line by line to a `LogSink`. A worker that is DEAD is never reused.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import itertools
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amplify_local.mock.lambda_runner import protocol
from amplify_local.mock.lambda_runner.types import FunctionSpec, LambdaError

LogSink = Callable[[str, str, str], None]  # (function name, "stdout" | "stderr", line)

SHIMS = {
    "nodejs": Path(__file__).with_name("worker_node.js"),
    "python": Path(__file__).with_name("worker_python.py"),
}
INIT_TIMEOUT = 10.0  # Lambda's limit for the init phase
MAX_LOG_LINE = 16 * 1024  # longer lines are cut into pieces of this size
STDERR_TAIL = 20  # stderr lines kept as the trace of a worker that exits


def print_log(function_name: str, stream: str, line: str) -> None:
    """The default sink: every line prefixed with the function's name, on the matching stream."""
    target = sys.stdout if stream == "stdout" else sys.stderr
    target.write(f"[{function_name}] {line}\n")
    target.flush()


class WorkerLost(Exception):
    """The worker died of a stray error of an earlier invocation before it served this one; retry elsewhere."""


class WorkerState(enum.Enum):
    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"


_request_numbers = itertools.count(1)


class Worker:
    """A long-lived interpreter with one function loaded."""

    def __init__(self, spec: FunctionSpec, log: LogSink = print_log, generation: int = 0) -> None:
        self.spec = spec
        self.generation = generation
        self.state = WorkerState.STARTING
        self._log = log
        self._process: asyncio.subprocess.Process | None = None
        self._replies: asyncio.StreamReader | None = None
        self._requests: asyncio.WriteTransport | None = None
        self._pumps: list[asyncio.Task[None]] = []
        self._last_stderr: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)  # the trace of an exit

    @property
    def alive(self) -> bool:
        return self.state in (WorkerState.IDLE, WorkerState.BUSY, WorkerState.STARTING) and (
            self._process is None or self._process.returncode is None
        )

    async def start(self) -> None:
        """Spawn the interpreter and wait until the handler is loaded; an init failure raises LambdaError."""
        spec = self.spec
        to_worker_read, to_worker_write = os.pipe()
        from_worker_read, from_worker_write = os.pipe()
        environment = dict(spec.environment)
        environment[protocol.FDS_VARIABLE] = f"{to_worker_read},{from_worker_write}"
        try:
            self._process = await asyncio.create_subprocess_exec(
                spec.executable, str(SHIMS[spec.language]),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env=environment, cwd=str(spec.task_root), pass_fds=(to_worker_read, from_worker_write),
                start_new_session=True,
            )
        except OSError as error:
            for fd in (to_worker_read, to_worker_write, from_worker_read, from_worker_write):
                os.close(fd)
            self.state = WorkerState.DEAD
            raise LambdaError("Runtime.InvalidEntrypoint",
                              f"could not start {spec.executable} for runtime {spec.runtime}: {error}",
                              function_name=spec.name) from None
        finally:
            if self._process is not None:
                os.close(to_worker_read)
                os.close(from_worker_write)
        loop = asyncio.get_running_loop()
        self._replies = asyncio.StreamReader(limit=protocol.MAX_FRAME_BYTES)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self._replies),
                                     os.fdopen(from_worker_read, "rb", buffering=0))
        self._requests, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(to_worker_write, "wb", buffering=0))
        assert self._process.stdout is not None and self._process.stderr is not None
        self._pumps = [asyncio.create_task(self._pump(self._process.stdout, "stdout")),
                       asyncio.create_task(self._pump(self._process.stderr, "stderr"))]
        try:
            message = await asyncio.wait_for(self._next_message(), INIT_TIMEOUT)
        except TimeoutError:
            await self.kill()
            raise LambdaError("Sandbox.Timedout", f"Init timed out after {INIT_TIMEOUT:.2f} seconds",
                              function_name=spec.name) from None
        except BaseException:
            await self.kill()
            raise
        if message.get("type") == "ready":
            self.state = WorkerState.IDLE
            return
        await self.kill()
        raise LambdaError.from_payload(message.get("error"), spec.name)

    async def invoke(self, event_json: bytes, *, timeout: float, identity: Any = None, client_context: Any = None,
                     request_id: str | None = None) -> Any:
        """Run the handler once on a JSON-encoded event; the result, or LambdaError. A timeout kills the worker."""
        if self.state is not WorkerState.IDLE or self._requests is None:
            raise RuntimeError(f"worker for {self.spec.name} is {self.state.value}, not idle")
        self.state = WorkerState.BUSY
        number = next(_request_numbers)
        request_id = request_id or str(uuid.uuid4())
        context = {
            "awsRequestId": request_id,
            "invokedFunctionArn": self.spec.arn,
            "deadlineMs": int(time.time() * 1000 + timeout * 1000),
            "identity": identity,
            "clientContext": client_context,
        }
        self._requests.write(protocol.invoke_frame(number, event_json, context))
        try:
            async with asyncio.timeout(timeout):
                message = await self._next_message(request_id)
                while message.get("id") != number:  # left over from an earlier invocation
                    if message.get("fatal"):
                        await self.kill()
                        raise WorkerLost(f"the worker of {self.spec.name} died of an error after its last call: "
                                         f"{message.get('error')}")
                    message = await self._next_message(request_id)
        except TimeoutError:
            await self.kill()
            raise LambdaError("Sandbox.Timedout",
                              f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds",
                              function_name=self.spec.name) from None
        except BaseException:
            await self.kill()
            raise
        if message.get("fatal"):
            await self.kill()
        else:
            self.state = WorkerState.IDLE
        if message.get("type") == "result":
            return message.get("result")
        raise LambdaError.from_payload(message.get("error"), self.spec.name)

    async def _next_message(self, request_id: str = "") -> dict[str, Any]:
        """The worker's next frame; its exit becomes Lambda's Runtime.ExitError."""
        assert self._replies is not None and self._process is not None
        try:
            message = await protocol.read_frame(self._replies)
        except protocol.ProtocolError as error:
            await self.kill()
            raise LambdaError("Runtime.InvalidResponse", f"the worker broke the protocol: {error}",
                              function_name=self.spec.name) from None
        if message is not None:
            return message
        status = await self._process.wait()
        self.state = WorkerState.DEAD
        if self._pumps:
            await asyncio.wait(self._pumps, timeout=1.0)  # so the last words are in `_last_stderr`
        prefix = f"RequestId: {request_id} Error: " if request_id else ""
        if status == 0:
            reason = "Runtime exited without providing a reason"
        elif status < 0:
            reason = f"Runtime exited with error: signal: {signal.Signals(-status).name}"
        else:
            reason = f"Runtime exited with error: exit status {status}"
        raise LambdaError("Runtime.ExitError", prefix + reason, list(self._last_stderr), self.spec.name)

    async def _pump(self, stream: asyncio.StreamReader, name: str) -> None:
        pending = b""
        while chunk := await stream.read(65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._emit(name, line)
            while len(pending) > MAX_LOG_LINE:
                self._emit(name, pending[:MAX_LOG_LINE])
                pending = pending[MAX_LOG_LINE:]
        if pending:
            self._emit(name, pending)

    def _emit(self, stream: str, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip("\r")
        if stream == "stderr":
            self._last_stderr.append(text)
        self._log(self.spec.name, stream, text)

    async def kill(self) -> None:
        """Stop the process (and anything it spawned) and release the pipes."""
        self.state = WorkerState.DEAD
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        if self._requests is not None:
            self._requests.close()
        if self._pumps:
            await asyncio.wait(self._pumps, timeout=1.0)
            for pump in self._pumps:
                pump.cancel()
        self._pumps = []

    async def stop(self) -> None:
        """A graceful end: close the request pipe (the shim exits at end of input), then make sure."""
        if self._requests is not None and self._process is not None and self._process.returncode is None:
            self._requests.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._process.wait(), 1.0)
        await self.kill()
