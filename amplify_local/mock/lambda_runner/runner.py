"""`FunctionRunner`: the engine behind every Lambda call of the mock.

Per function it keeps the loaded spec, a fingerprint of the function's files, and a small pool of
warm workers (`max_workers`, default 2). A call:

1. resolves the name (`echofunction`, `echofunction-${env}`, `echofunction-dev` or an ARN);
2. checks the fingerprint; on a change (or the first call) it runs the build step, reloads the spec
   (template, parameters, `.env`) and retires the workers of the old generation;
3. takes an idle worker, or starts one while fewer than `max_workers` exist, else waits its turn;
4. invokes with the function's timeout; a worker that timed out, crashed or exited is dropped and the
   next call starts a fresh one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amplify_local.mock.lambda_runner import build as build_step
from amplify_local.mock.lambda_runner import protocol
from amplify_local.mock.lambda_runner.discovery import (
    FunctionSource,
    Project,
    Settings,
    discover,
    fingerprint,
    load_spec,
)
from amplify_local.mock.lambda_runner.types import MAX_REQUEST_BYTES, FunctionSpec, LambdaError
from amplify_local.mock.lambda_runner.worker import LogSink, Worker, WorkerLost, WorkerState, print_log

SLOW_CHECK_SECONDS = 0.002


@dataclass
class _Function:
    source: FunctionSource
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    spec: FunctionSpec | None = None
    fingerprint: tuple[tuple[str, int, int], ...] = ()
    generation: int = 0
    next_check: float = 0.0  # monotonic time before which the files are not checked again
    failure: tuple[tuple[tuple[str, int, int], ...], LambdaError] | None = None  # files as they were, error
    idle: list[Worker] = field(default_factory=list)
    workers: set[Worker] = field(default_factory=set)


class FunctionRunner:
    """Runs a project's functions (and/or a folder of single-file Node handlers) on warm workers."""

    def __init__(
        self,
        project_root: str | Path | None = None,
        *,
        lambda_dir: str | Path | None = None,
        env_overrides: dict[str, str] | None = None,
        timeout_override: float | None = None,
        graphql_endpoint: str = "http://localhost:20002/graphql",
        api_key: str = "da2-fakeApiId123456",
        max_workers: int = 2,
        build: bool = True,
        log: LogSink = print_log,
    ) -> None:
        self.project: Project | None = None
        self.project_error: LambdaError | None = None  # a malformed project file: every project function fails
        if project_root is not None:
            try:
                self.project = Project.load(Path(project_root))
            except LambdaError as error:
                self.project, self.project_error = Project(Path(project_root)), error
                log("amplify-local", "stderr", f"[amplify-local] {error.error_message}")
        self.lambda_dir = Path(lambda_dir) if lambda_dir is not None else None
        self.settings = Settings(dict(env_overrides or {}), timeout_override, graphql_endpoint, api_key)
        self.max_workers = max(1, max_workers)
        self.log = log
        self._build = build
        self._sources = discover(self.project, self.lambda_dir)
        self._functions: dict[str, _Function] = {}
        self._closed = False

    def names(self) -> list[str]:
        """The functions this runner can invoke."""
        return sorted(self._sources)

    def resolve_name(self, function_name: str) -> str:
        """The local name for a function name, `name-${env}`, `name-<env>` or ARN; else ResourceNotFoundException."""
        candidate = function_name.rsplit(":function:", 1)[-1].split(":", 1)[0]
        env_name = self.project.env_name if self.project else "dev"
        for attempt in range(2):
            for name in (candidate, candidate.removesuffix("-${env}"), candidate.removesuffix(f"-{env_name}")):
                if name in self._sources:
                    return name
            if attempt == 0:
                self._sources = discover(self.project, self.lambda_dir)  # added since start?
        places = []
        if self.project is not None:
            places.append(f"{self.project.functions_dir}/<name>/")
        if self.lambda_dir is not None:
            places.append(f"{self.lambda_dir}/<name>.js")
        known = ", ".join(self.names()) or "none"
        raise LambdaError(
            "ResourceNotFoundException",
            f"Function not found: {function_name}. Local functions live in {' or '.join(places) or 'no folder'}; "
            f"known: {known}", function_name=function_name)

    async def spec(self, function_name: str) -> FunctionSpec:
        """The current spec of a function, building and reloading it when its files changed."""
        return await self._prepare(self._function(self.resolve_name(function_name)))

    async def invoke(self, function_name: str, event: Any, *, client_context: Any = None,
                     identity: Any = None) -> Any:
        """Invoke synchronously (RequestResponse): the handler's result, or LambdaError."""
        if self._closed:
            raise LambdaError("ServiceException", "the function runner is closed", function_name=function_name)
        function = self._function(self.resolve_name(function_name))
        event_json = protocol.dumps(event)
        if len(event_json) > MAX_REQUEST_BYTES:
            raise LambdaError("RequestEntityTooLargeException",
                              f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the InvokeFunction "
                              f"operation (this event is {len(event_json)} bytes)", function_name=function.source.name)
        spec = await self._prepare(function)
        retried = False
        while True:  # once more on a fresh worker when the first one turns out to have died idle
            async with function.slots:
                worker = await self._checkout(function, spec)
                try:
                    return await worker.invoke(event_json, timeout=spec.timeout, identity=identity,
                                               client_context=client_context)
                except WorkerLost as lost:
                    if retried:
                        raise LambdaError("Runtime.ExitError", str(lost), function_name=spec.name) from None
                    retried = True
                finally:
                    await self._checkin(function, worker)

    async def warm(self, function_name: str) -> None:
        """Start a worker ahead of the first call (an init error raises here too)."""
        function = self._function(self.resolve_name(function_name))
        spec = await self._prepare(function)
        async with function.slots:
            await self._checkin(function, await self._checkout(function, spec))

    async def close(self) -> None:
        """Stop every worker; the runner refuses calls afterwards."""
        self._closed = True
        workers = [worker for function in self._functions.values() for worker in function.workers]
        await asyncio.gather(*(worker.stop() for worker in workers), return_exceptions=True)
        for function in self._functions.values():
            function.idle.clear()
            function.workers.clear()

    def invoke_once(self, function_name: str, event: Any) -> Any:
        """For synchronous callers (scripts, tests): one call on a private event loop, then close."""
        async def call() -> Any:
            try:
                return await self.invoke(function_name, event)
            finally:
                await self.close()
        return asyncio.run(call())

    def _function(self, name: str) -> _Function:
        function = self._functions.get(name)
        if function is None:
            function = self._functions[name] = _Function(self._sources[name], asyncio.Semaphore(self.max_workers))
        return function

    async def _prepare(self, function: _Function) -> FunctionSpec:
        async with function.lock:
            spec = function.spec
            if spec is not None and self._unchanged(function, spec):
                return spec
            source = function.source
            if self.project_error is not None and source.kind == "project":
                raise LambdaError(self.project_error.error_type, self.project_error.error_message,
                                  function_name=source.name)
            watched = spec.watch if spec is not None else (source.path,)
            if function.failure is not None and function.failure[0] == fingerprint(watched):
                raise function.failure[1]  # nothing changed since the build or load failed: no rebuild
            try:
                spec = await self._load(source)
            except LambdaError as error:
                function.failure = (fingerprint(watched), error)
                raise
            function.failure = None
            for warning in spec.warnings:
                self.log(source.name, "stderr", f"[amplify-local] {warning}")
            function.spec = spec
            function.fingerprint = fingerprint(spec.watch)
            function.generation += 1
            retired, function.idle = function.idle, []
            for worker in retired:
                function.workers.discard(worker)
                await worker.stop()
            return spec

    async def _load(self, source: FunctionSource) -> FunctionSpec:
        """Build (when enabled) and read a function's spec."""
        if self._build and source.kind == "project":
            await build_step.build(source.name, source.path, self.project.root if self.project else None, self.log)
        spec = load_spec(source, self.project, self.settings)
        if self._build and source.kind == "project" and spec.language == "python":
            await build_step.install_python_packages(source.name, source.path, spec.executable, self.log)
        return spec

    @staticmethod
    def _unchanged(function: _Function, spec: FunctionSpec) -> bool:
        """Whether the function's files are as last loaded. Checked on every call; only a folder so large
        that the check costs over 2 ms is checked less often (at most 20x its cost apart, 1 s at most)."""
        now = time.monotonic()
        if now < function.next_check:
            return True
        current = fingerprint(spec.watch)
        cost = time.monotonic() - now
        function.next_check = now + min(1.0, 20 * cost) if cost > SLOW_CHECK_SECONDS else 0.0
        return current == function.fingerprint

    async def _checkout(self, function: _Function, spec: FunctionSpec) -> Worker:
        while function.idle:
            worker = function.idle.pop()
            if worker.alive and worker.generation == function.generation:
                return worker
            function.workers.discard(worker)
            await worker.kill()
        worker = Worker(spec, self.log, function.generation)
        function.workers.add(worker)
        try:
            await worker.start()
        except BaseException:
            function.workers.discard(worker)
            raise
        return worker

    async def _checkin(self, function: _Function, worker: Worker) -> None:
        if (not self._closed and worker.state is WorkerState.IDLE and worker.alive
                and worker.generation == function.generation):
            function.idle.append(worker)
            return
        function.workers.discard(worker)
        await worker.kill()
