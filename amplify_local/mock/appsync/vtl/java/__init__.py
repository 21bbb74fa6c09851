"""Java methods on the value model: `$s.trim()`, `$list.add(x)`, `$map.keySet()`, `$n.intValue()`.

One module per family (strings, lists, maps, numbers); this facade finds a method by the receiver's
Python type and arity, the way Velocity's introspector finds a Java method. No such method gives
null (Velocity logs and renders the reference literally); a method that throws raises `JavaError`,
which the renderer turns into an AppSync error naming the template position.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from amplify_local.mock.appsync.vtl.java.classes import class_of
from amplify_local.mock.appsync.vtl.java.errors import JavaError
from amplify_local.mock.appsync.vtl.java.lists import LIST_METHODS
from amplify_local.mock.appsync.vtl.java.maps import MAP_METHODS, MapEntry
from amplify_local.mock.appsync.vtl.java.numbers import BOOLEAN_METHODS, NUMBER_METHODS
from amplify_local.mock.appsync.vtl.java.registry import Method, MethodTable
from amplify_local.mock.appsync.vtl.java.strings import STRING_METHODS

__all__ = ["JavaError", "MapEntry", "Method", "MethodTable", "find_method", "get_property", "methods_by_type"]

_TABLES: dict[type, MethodTable] = {
    str: STRING_METHODS, list: LIST_METHODS, dict: MAP_METHODS, int: NUMBER_METHODS,
    float: NUMBER_METHODS, Decimal: NUMBER_METHODS, bool: BOOLEAN_METHODS,
}
for _table in set(_TABLES.values()):
    _table.add("getClass", class_of)


def table_for(value: Any) -> MethodTable | None:
    """The methods of a value: the JSON types' tables, or the object's own `vtl_methods`."""
    table = _TABLES.get(type(value))
    if table is None:
        table = getattr(value, "vtl_methods", None)
        if table is None and isinstance(value, dict):
            table = MAP_METHODS
    return table


def methods_by_type(name: str, arity: int) -> dict[type, Method | None]:
    """One method name at one arity on each JSON type (None: no such method); other receivers use `find_method`."""
    return {kind: table.find(name, arity) for kind, table in _TABLES.items()}


def find_method(value: Any, name: str, arity: int) -> Method | None:
    table = table_for(value)
    return None if table is None else table.find(name, arity)


_GETTERS: dict[tuple[type, str], Method | None] = {}
_UNKNOWN = object()


def _getter(table: MethodTable, name: str) -> Method | None:
    suffix = name[:1].upper() + name[1:]
    return table.find("get" + suffix, 0) or table.find("is" + suffix, 0) or table.find(name, 0)


def get_property(value: Any, name: str) -> Any:
    """`$x.name`: `Map.get("name")` for maps, else the getter `getName()` / `isName()` / `name()`."""
    getter = _GETTERS.get((type(value), name), _UNKNOWN)  # never a map type: those return below first
    if getter is not _UNKNOWN:
        return None if getter is None else getter(value)
    if isinstance(value, dict):
        return class_of(value) if name == "class" and value.get(name) is None else value.get(name)
    table = table_for(value)
    getter = _GETTERS[(type(value), name)] = None if table is None else _getter(table, name)
    return None if getter is None else getter(value)
