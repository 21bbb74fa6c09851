"""Method tables: Java method name and arity -> a Python function of (receiver, *args)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Method = Callable[..., Any]

# Velocity 1.7 renders the result of a `void` Java method as an empty string, not as the reference text.
VOID = ""
_VARARGS = 0x04  # inspect.CO_VARARGS (inspect is not imported at start)


class MethodTable:
    """The methods of one Java type, overloads told apart by arity as Velocity's introspector does."""

    def __init__(self, methods: dict[str, Method | list[Method]]) -> None:
        self._by_name: dict[tuple[str, int], Method] = {}
        for name, overloads in methods.items():
            for function in overloads if isinstance(overloads, list) else [overloads]:
                self.add(name, function)

    def add(self, name: str, function: Method) -> None:
        """Register `function` for every arity it accepts after the receiver (read from its code object:
        `inspect.signature` costs ~20 ms at start, parsing the text signatures of builtins)."""
        code = getattr(function, "__code__", None)
        if code is None:  # a builtin or a type (len, repr, list, float): the receiver is its only argument
            self._by_name[(name, 0)] = function
            return
        if code.co_flags & _VARARGS:
            for arity in range(8):
                self._by_name.setdefault((name, arity), function)
            return
        accepted = code.co_argcount - 1
        required = accepted - len(function.__defaults__ or ())
        for arity in range(required, accepted + 1):
            self._by_name[(name, arity)] = function

    def find(self, name: str, arity: int) -> Method | None:
        return self._by_name.get((name, arity))
