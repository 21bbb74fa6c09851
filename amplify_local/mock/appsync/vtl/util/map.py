"""`$util.map`: copies of a map with only, or without, some keys."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.java.lists import index_of
from amplify_local.mock.appsync.vtl.runtime import Frame


def _check(mapping: Any, keys: Any) -> None:
    if not isinstance(mapping, dict) or not isinstance(keys, list):
        raise TemplateError("$util.map helpers expect a Map and a List of keys")


def copy_and_retain_all_keys(frame: Frame, mapping: dict[str, Any], keys: list[Any]) -> dict[str, Any]:
    _check(mapping, keys)
    return {key: value for key, value in mapping.items() if index_of(keys, key) >= 0}


def copy_and_remove_all_keys(frame: Frame, mapping: dict[str, Any], keys: list[Any]) -> dict[str, Any]:
    _check(mapping, keys)
    return {key: value for key, value in mapping.items() if index_of(keys, key) < 0}


FUNCTIONS: dict[str, Any] = {
    "copyAndRetainAllKeys": copy_and_retain_all_keys,
    "copyAndRemoveAllKeys": copy_and_remove_all_keys,
}
