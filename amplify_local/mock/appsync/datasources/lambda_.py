"""The AWS_LAMBDA data source: `Invoke` and `BatchInvoke` on the local function runner.

Request document: `{"version", "operation": "Invoke" | "BatchInvoke", "payload", "invocationType"?}`.

- `Invoke` sends `payload` as the event and returns the function's result. With `invocationType:
  "Event"` the call runs in the background and the field gets null at once, as AppSync does.
- `BatchInvoke` collects the calls of one field (`Type.field`) made while the executor resolves its
  siblings (the list items of one response), sends their payloads as one list event, at most
  `max_batch_size` per call, and hands item i of the returned list to caller i. A result that is not a
  list of the same length fails every caller of that batch.

A function error becomes `DataSourceError` with errorType `Lambda:Unhandled` and the function's
`errorMessage`, as AppSync reports it (see docs/differences.md, "Functions"); the function's own
errorType and trace go to the runner's log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amplify_local.mock.appsync.errors import DataSourceError
from amplify_local.mock.appsync.types import DataSourceCall
from amplify_local.mock.lambda_runner.types import LambdaError

if TYPE_CHECKING:
    from amplify_local.mock.lambda_runner.runner import FunctionRunner

DEFAULT_MAX_BATCH_SIZE = 5  # AppSync's batch size when the resolver sets no maxBatchSize
BATCH_WINDOW_TICKS = 3  # event-loop turns a batch stays open for sibling fields to join
OPERATIONS = ("Invoke", "BatchInvoke")


@dataclass
class _Batch:
    size: int
    payloads: list[Any] = field(default_factory=list)
    waiters: list[asyncio.Future[Any]] = field(default_factory=list)


class LambdaDataSource:
    type = "AWS_LAMBDA"

    def __init__(self, name: str, function_name: str, runner: FunctionRunner, *,
                 max_batch_size: Mapping[str, int] | None = None) -> None:
        """`max_batch_size` maps `Type.field` to the resolver's `maxBatchSize`."""
        self.name = name
        self.function_name = function_name
        self.runner = runner
        self.max_batch_size = dict(max_batch_size or {})
        self._open: dict[str, _Batch] = {}
        self._background: set[asyncio.Task[Any]] = set()

    async def invoke(self, request: Any, call: DataSourceCall) -> Any:
        if not isinstance(request, Mapping):
            raise DataSourceError("The Lambda request mapping template must render an object",
                                  "Lambda:ValidationError")
        operation = request.get("operation")
        if operation not in OPERATIONS:
            raise DataSourceError(f"Unsupported operation {operation!r}. The Lambda data source supports "
                                  f"{' and '.join(OPERATIONS)}", "Lambda:ValidationError")
        invocation_type = request.get("invocationType", "RequestResponse")
        if invocation_type not in ("RequestResponse", "Event"):
            raise DataSourceError(f"Unsupported invocationType {invocation_type!r}; use RequestResponse or Event",
                                  "Lambda:ValidationError")
        payload = request.get("payload")
        if operation == "BatchInvoke":
            return await self._batched(f"{call.type_name}.{call.field_name}", payload)
        if invocation_type == "Event":
            task = asyncio.create_task(self._call(payload))
            self._track(task)
            task.add_done_callback(self._event_done)
            return None
        return await self._call(payload)

    async def _call(self, event: Any) -> Any:
        try:
            return await self.runner.invoke(self.function_name, event)
        except LambdaError as error:
            # AppSync reports only the message; the function's own type and trace go to the mock's log.
            for line in [f"[amplify-local] {self.name} failed: {error.error_type}: {error.error_message}", *error.trace]:
                self.runner.log(error.function_name or self.function_name, "stderr", line)
            raise DataSourceError(error.error_message, "Lambda:Unhandled") from None

    def _event_done(self, task: asyncio.Task[Any]) -> None:
        """An Event invocation has no caller to tell: its failure goes to the log."""
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.runner.log(self.function_name, "stderr", f"[amplify-local] Event invocation failed: {error}")

    async def _batched(self, key: str, payload: Any) -> Any:
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = _Batch(max(1, self.max_batch_size.get(key) or DEFAULT_MAX_BATCH_SIZE))
            self._track(asyncio.get_running_loop().create_task(self._flush_later(key, batch)))
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        batch.payloads.append(payload)
        batch.waiters.append(waiter)
        if len(batch.payloads) >= batch.size:
            self._close(key, batch)
        return await waiter

    async def _flush_later(self, key: str, batch: _Batch) -> None:
        for _ in range(BATCH_WINDOW_TICKS):
            await asyncio.sleep(0)
        self._close(key, batch)

    def _close(self, key: str, batch: _Batch) -> None:
        """Send the batch (once) and stop others joining it."""
        if self._open.get(key) is batch:
            del self._open[key]
            self._track(asyncio.get_running_loop().create_task(self._send(batch)))

    def _track(self, task: asyncio.Task[Any]) -> None:
        """Keep a reference to a background task until it ends."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send(self, batch: _Batch) -> None:
        try:
            results = await self._call(batch.payloads)
            if not isinstance(results, list) or len(results) != len(batch.payloads):
                got = f"a list of {len(results)}" if isinstance(results, list) else type(results).__name__
                raise DataSourceError(
                    f"BatchInvoke of {self.function_name} sent {len(batch.payloads)} payloads and got {got}; "
                    "the function must return one result per payload, in order", "Lambda:ValidationError")
        except Exception as error:  # whatever stops the call reaches every caller; none waits forever
            for waiter in batch.waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        except asyncio.CancelledError:
            for waiter in batch.waiters:
                waiter.cancel()
            raise
        for waiter, result in zip(batch.waiters, results, strict=True):
            if not waiter.done():
                waiter.set_result(result)
