"""`$util.list`: copies that keep or drop elements, and sorting."""

from __future__ import annotations

import functools
from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.java.lists import index_of
from amplify_local.mock.appsync.vtl.runtime import Frame
from amplify_local.mock.appsync.vtl.values import compare, is_number


def copy_and_retain_all(frame: Frame, items: list[Any], keep: list[Any]) -> list[Any]:
    return [item for item in items if index_of(keep, item) >= 0]


def copy_and_remove_all(frame: Frame, items: list[Any], drop: list[Any]) -> list[Any]:
    return [item for item in items if index_of(drop, item) < 0]


def sort_list(frame: Frame, items: list[Any], descending: Any, property_name: Any) -> list[Any]:
    """Sort scalars, or maps by `property_name`; AppSync sorts lists of up to 1000 elements of one type."""
    if not isinstance(items, list):
        raise TemplateError("$util.list.sortList expects a List")
    if len(items) > 1000:
        return list(items)
    keyed = [item.get(property_name) if isinstance(item, dict) else item for item in items]
    kinds = {("number" if is_number(k) else type(k).__name__) for k in keyed}
    if len(kinds) > 1 or kinds - {"number", "str", "bool"}:
        return list(items)
    order = sorted(range(len(items)), key=_sort_key(keyed), reverse=descending is True)
    return [items[i] for i in order]


def _sort_key(keys: list[Any]) -> Any:
    """Order positions by their keys: numbers by value, strings lexically, false before true."""
    def order(a: int, b: int) -> int:
        left, right = keys[a], keys[b]
        if isinstance(left, bool):
            return int(left) - int(right)
        return compare(left, right) or 0
    return functools.cmp_to_key(order)


FUNCTIONS: dict[str, Any] = {
    "copyAndRetainAll": copy_and_retain_all,
    "copyAndRemoveAll": copy_and_remove_all,
    "sortList": sort_list,
}
