"""The contracts of the Lambda runner: what a function is, and how an invocation fails.

A `FunctionSpec` is everything a worker needs to host one function: where its code is, how to load
it, the complete process environment (Lambda's own variables included) and its limits. Discovery
builds specs; workers only read them. A failed invocation is a `LambdaError` carrying the three
fields Lambda puts in an error payload, plus the function's name so every message says which
function failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Language = Literal["nodejs", "python"]

# Lambda's synchronous payload limits, in bytes (request and response).
MAX_REQUEST_BYTES = 6_291_456
MAX_RESPONSE_BYTES = 6_291_556


@dataclass(frozen=True)
class FunctionSpec:
    """One function, ready to run.

    `name` is the project's name for it (no `-<env>` suffix); `deployed_name` is what Lambda would
    call it (`name-env`), used for `context.functionName` and the log group. `environment` is the
    worker's whole environment: nothing of the mock's own environment leaks into it.
    """

    name: str
    language: Language
    runtime: str  # as the template says: nodejs20.x, python3.11, ...
    handler: str  # `_HANDLER`: `index.handler`, `dir/file.method`
    task_root: Path  # LAMBDA_TASK_ROOT: the folder the handler path is relative to
    timeout: float  # seconds
    environment: dict[str, str]
    deployed_name: str
    arn: str  # `context.invokedFunctionArn`
    memory_mb: int = 128
    executable: str = "node"  # the interpreter found on PATH for `runtime`
    watch: tuple[Path, ...] = ()  # files and folders whose change restarts the workers
    warnings: tuple[str, ...] = field(default=(), compare=False)  # what discovery could not resolve


class LambdaError(Exception):
    """An invocation failed, in Lambda's shape: `errorType`, `errorMessage`, `trace` / `stackTrace`.

    `error_type` is the thrown error's type (`Error`, `TypeError`, `ValueError`) or one of Lambda's
    own (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, `Runtime.UserCodeSyntaxError`,
    `Runtime.ExitError`, `Sandbox.Timedout`, `ResourceNotFoundException`, ...).
    """

    def __init__(self, error_type: str, error_message: str, trace: list[str] | None = None,
                 function_name: str = "", trace_key: str = "trace") -> None:
        super().__init__(f"{function_name or 'function'} failed: {error_type}: {error_message}")
        self.error_type = error_type
        self.error_message = error_message
        self.trace = list(trace or [])
        self.function_name = function_name
        self.trace_key = trace_key  # `trace` (Node) or `stackTrace` (Python), as each runtime names it

    def to_payload(self) -> dict[str, Any]:
        """The error document Lambda returns for a failed synchronous invocation."""
        return {"errorType": self.error_type, "errorMessage": self.error_message, self.trace_key: self.trace}

    @classmethod
    def from_payload(cls, payload: Any, function_name: str) -> LambdaError:
        """Read an error document sent by a worker shim (tolerating a malformed one)."""
        if not isinstance(payload, dict):
            return cls("Runtime.Unknown", f"the worker sent a malformed error: {payload!r}", [], function_name)
        trace_key = "stackTrace" if "stackTrace" in payload else "trace"
        trace = payload.get(trace_key)
        return cls(
            str(payload.get("errorType") or "Error"),
            str(payload.get("errorMessage", "")),
            [str(line) for line in trace] if isinstance(trace, list) else [],
            function_name,
            trace_key,
        )
