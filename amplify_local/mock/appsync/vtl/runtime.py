"""What one render carries: the variables, what `$util` records, the limits; and control flow signals."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from amplify_local.mock.appsync.errors import AppSyncError
from amplify_local.mock.appsync.types import ResolverContext
from amplify_local.mock.appsync.vtl.java.registry import VOID, MethodTable

# Limits that stop a runaway template (an endless #foreach over a list it grows, gigabytes of output).
MAX_ITERATIONS = 1_000_000  # #foreach iterations per render
MAX_OUTPUT = 16 * 1024 * 1024  # characters of output or of one string value


class Frame:
    """The state of one render: variables (`$x`), the context, and what `$util`/`$extensions` recorded."""

    __slots__ = ("context", "errors", "extensions", "iterations", "logs", "response_headers", "vars")

    def __init__(self, context: ResolverContext, variables: dict[str, Any]) -> None:
        self.context = context
        self.vars = variables
        self.errors: list[AppSyncError] = []
        self.logs: list[str] = []
        self.extensions: dict[str, Any] = {}
        self.response_headers: dict[str, str] = {}
        self.iterations = 0


class StopRender(Exception):
    """`#stop`, or `#break` outside a loop: the output so far is the result."""


class BreakLoop(Exception):
    """`#break` inside `#foreach`."""


class ReturnValue(Exception):
    """`#return` / `#return(value)`: the value (None for a bare `#return`) is the only argument."""

    @property
    def value(self) -> Any:
        return self.args[0]


class LoopStatus:
    """`$foreach`: count (from 1), index (from 0), hasNext, first, last, parent."""

    __slots__ = ("count", "parent", "size")

    def __init__(self, size: int, parent: Any) -> None:
        self.size = size
        self.count = 0
        self.parent = parent

    vtl_methods = MethodTable({
        "getCount": lambda loop: loop.count,
        "getIndex": lambda loop: loop.count - 1,
        "hasNext": lambda loop: loop.count < loop.size,
        "isFirst": lambda loop: loop.count == 1,
        "isLast": lambda loop: loop.count == loop.size,
        "getParent": lambda loop: loop.parent,
    })


class DefinedBlock:
    """`#define($name) ... #end`: a block rendered where `$name` is referenced, with the variables then."""

    __slots__ = ("body",)

    def __init__(self, body: Callable[[Frame, list[str]], None]) -> None:
        self.body = body

    def render(self, frame: Frame) -> str:
        out: list[str] = []
        self.body(frame, out)
        return "".join(out)


def quiet(_frame: Frame, *_args: Any) -> str:
    """`$util.qr` / `$util.quiet`: the argument was evaluated; render nothing (the compiler knows this helper)."""
    return VOID


class UtilGroup:
    """A `$util` namespace (`$util`, `$util.time`, ...): helpers take the frame, then the template's arguments.

    `functions` may be the name of the module whose `FUNCTIONS` they are: it is imported when a template
    first names the group (at compile time, or when a render reaches it dynamically), not at start.
    """

    def __init__(self, name: str, functions: dict[str, Callable[..., Any]] | str,
                 groups: dict[str, UtilGroup] | None = None) -> None:
        self.name = name
        self.groups = groups or {}
        self._module = functions if isinstance(functions, str) else None
        self._functions = None if isinstance(functions, str) else MethodTable(functions)

    @property
    def functions(self) -> MethodTable:
        """The helpers by name and arity (counted after the frame argument)."""
        if self._functions is None:
            assert self._module is not None
            self._functions = MethodTable(importlib.import_module(self._module).FUNCTIONS)
        return self._functions

    def __repr__(self) -> str:
        return f"<{self.name}>"
