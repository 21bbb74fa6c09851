"""java.util.Map methods (a LinkedHashMap: insertion order, mutations visible to everyone)."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.vtl.java.registry import VOID, MethodTable
from amplify_local.mock.appsync.vtl.values import equals, to_string


class MapEntry:
    """A `Map.Entry` from `entrySet()`: `$e.key`, `$e.value`, `$e.setValue(x)` writes through."""

    __slots__ = ("key", "map")

    def __init__(self, mapping: dict[Any, Any], key: Any) -> None:
        self.map = mapping
        self.key = key

    def value(self) -> Any:
        return self.map.get(self.key)

    def __repr__(self) -> str:
        return f"{to_string(self.key)}={to_string(self.value())}"

    def to_json(self) -> dict[Any, Any]:
        """Jackson writes a `Map.Entry` as a one-key object."""
        return {self.key: self.value()}

    def _set_value(self, value: Any) -> Any:
        previous = self.map.get(self.key)
        self.map[self.key] = value
        return previous

    vtl_methods = MethodTable({
        "getKey": lambda entry: entry.key,
        "getValue": lambda entry: entry.value(),
        "setValue": lambda entry, value: entry._set_value(value),
        "toString": repr,
    })


def _put(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    previous = mapping.get(key)
    mapping[key] = value
    return previous


def _put_all(mapping: dict[Any, Any], other: dict[Any, Any]) -> str:
    mapping.update(other)
    return VOID


def _put_if_absent(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    previous = mapping.get(key)
    if previous is None:
        mapping[key] = value
    return previous


def _clear(mapping: dict[Any, Any]) -> str:
    mapping.clear()
    return VOID


def _map_equals(mapping: dict[Any, Any], other: Any) -> bool:
    return isinstance(other, dict) and mapping.keys() == other.keys() and all(
        equals(value, other[key]) for key, value in mapping.items())


MAP_METHODS = MethodTable({
    "get": lambda mapping, key: mapping.get(key),
    "getOrDefault": lambda mapping, key, default: mapping.get(key, default),
    "put": _put,
    "putAll": _put_all,
    "putIfAbsent": _put_if_absent,
    "remove": lambda mapping, key: mapping.pop(key, None),
    "containsKey": lambda mapping, key: key in mapping,
    "containsValue": lambda mapping, value: any(equals(v, value) for v in mapping.values()),
    "keySet": lambda mapping: list(mapping),
    "values": lambda mapping: list(mapping.values()),
    "entrySet": lambda mapping: [MapEntry(mapping, key) for key in mapping],
    "size": len,
    "isEmpty": lambda mapping: not mapping,
    "clear": _clear,
    "equals": _map_equals,
    "toString": to_string,
    "hashCode": lambda mapping: len(mapping),
})
