"""`$util.map`: copies of a map with only, or without, some keys."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


def test_copy_and_retain_or_remove_keys(vtl: Any) -> None:
    text = ('#set($m = {"a": 1, "b": 2})$util.toJson([$util.map.copyAndRetainAllKeys($m, ["a"]), '
            '$util.map.copyAndRemoveAllKeys($m, ["a"]), $m])')
    assert vtl.json(text) == [{"a": 1}, {"b": 2}, {"a": 1, "b": 2}]


def test_arguments_must_be_a_map_and_a_list(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="expect a Map and a List"):
        vtl.text('$util.map.copyAndRetainAllKeys("x", ["a"])')
