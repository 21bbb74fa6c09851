"""java.util.List methods (an ArrayList: mutations are visible to everyone holding the list)."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.vtl.java.errors import JavaError
from amplify_local.mock.appsync.vtl.java.registry import VOID, MethodTable
from amplify_local.mock.appsync.vtl.values import equals, to_string


def _check(items: list[Any], index: Any, *, inclusive: bool = False) -> int:
    size = len(items)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size + inclusive:
        raise JavaError("IndexOutOfBoundsException", f"Index {to_string(index)} out of bounds for length {size}")
    return index


def index_of(items: list[Any], value: Any) -> int:
    for position, item in enumerate(items):
        if equals(item, value):
            return position
    return -1


def _last_index_of(items: list[Any], value: Any) -> int:
    for position in range(len(items) - 1, -1, -1):
        if equals(items[position], value):
            return position
    return -1


def _add(items: list[Any], first: Any, *rest: Any) -> Any:
    """`add(e)` appends and returns true; `add(index, e)` inserts and returns nothing."""
    if not rest:
        items.append(first)
        return True
    items.insert(_check(items, first, inclusive=True), rest[0])
    return VOID


def _add_all(items: list[Any], first: Any, *rest: Any) -> bool:
    if rest:
        position, values = _check(items, first, inclusive=True), rest[0]
    else:
        position, values = len(items), first
    if not isinstance(values, list):
        raise JavaError("ClassCastException", "addAll needs a collection")
    items[position:position] = values
    return bool(values)


def _remove(items: list[Any], value: Any) -> Any:
    """`remove(int)` removes by index and returns the element; `remove(Object)` by value, returning a boolean."""
    if isinstance(value, int) and not isinstance(value, bool):
        return items.pop(_check(items, value))
    position = index_of(items, value)
    if position < 0:
        return False
    del items[position]
    return True


def _remove_all(items: list[Any], values: list[Any]) -> bool:
    kept = [item for item in items if index_of(values, item) < 0]
    changed = len(kept) != len(items)
    items[:] = kept
    return changed


def _retain_all(items: list[Any], values: list[Any]) -> bool:
    kept = [item for item in items if index_of(values, item) >= 0]
    changed = len(kept) != len(items)
    items[:] = kept
    return changed


def _set(items: list[Any], index: int, value: Any) -> Any:
    previous = items[_check(items, index)]
    items[index] = value
    return previous


def _sub_list(items: list[Any], start: int, stop: int) -> list[Any]:
    if not (isinstance(start, int) and isinstance(stop, int)) or not 0 <= start <= stop <= len(items):
        raise JavaError("IndexOutOfBoundsException", f"fromIndex: {start}, toIndex: {stop}, size: {len(items)}")
    return items[start:stop]


def _clear(items: list[Any]) -> str:
    items.clear()
    return VOID


def _list_equals(items: list[Any], other: Any) -> bool:
    return isinstance(other, list) and len(items) == len(other) and all(
        equals(a, b) for a, b in zip(items, other, strict=True))


LIST_METHODS = MethodTable({
    "size": len,
    "isEmpty": lambda items: not items,
    "get": lambda items, index: items[_check(items, index)],
    "set": _set,
    "add": _add,
    "addAll": _add_all,
    "contains": lambda items, value: index_of(items, value) >= 0,
    "containsAll": lambda items, values: all(index_of(items, v) >= 0 for v in values),
    "indexOf": index_of,
    "lastIndexOf": _last_index_of,
    "remove": _remove,
    "removeAll": _remove_all,
    "retainAll": _retain_all,
    "clear": _clear,
    "subList": _sub_list,
    "equals": _list_equals,
    "toString": to_string,
    "toArray": list,
    "hashCode": lambda items: len(items),
})
