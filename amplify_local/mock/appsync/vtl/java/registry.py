"""Method tables: Java method name and arity -> a Python function of (receiver, *args)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

Method = Callable[..., Any]

# Velocity 1.7 renders the result of a `void` Java method as an empty string, not as the reference text.
VOID = ""


class MethodTable:
    """The methods of one Java type, overloads told apart by arity as Velocity's introspector does."""

    def __init__(self, methods: dict[str, Method | list[Method]]) -> None:
        self._by_name: dict[tuple[str, int], Method] = {}
        for name, overloads in methods.items():
            for function in overloads if isinstance(overloads, list) else [overloads]:
                self.add(name, function)

    def add(self, name: str, function: Method) -> None:
        parameters = list(inspect.signature(function).parameters.values())[1:]
        if any(p.kind is p.VAR_POSITIONAL for p in parameters):
            for arity in range(8):
                self._by_name.setdefault((name, arity), function)
            return
        required = sum(1 for p in parameters if p.default is p.empty)
        for arity in range(required, len(parameters) + 1):
            self._by_name[(name, arity)] = function

    def find(self, name: str, arity: int) -> Method | None:
        return self._by_name.get((name, arity))
