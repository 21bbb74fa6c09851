"""java.util.Map methods, entries and property access."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("expression", "expected", "after"), [
    ('$m.get("a")', 1, {"a": 1, "b": 2}), ('$m.getOrDefault("z", "d")', "d", {"a": 1, "b": 2}),
    ('$m.put("a", 5)', 1, {"a": 5, "b": 2}), ('$m.putIfAbsent("c", 3)', None, {"a": 1, "b": 2, "c": 3}),
    ('$m.remove("a")', 1, {"b": 2}), ('$m.containsKey("b")', True, {"a": 1, "b": 2}),
    ("$m.containsValue(2)", True, {"a": 1, "b": 2}), ("$m.keySet()", ["a", "b"], {"a": 1, "b": 2}),
    ("$m.values()", [1, 2], {"a": 1, "b": 2}), ("$m.size()", 2, {"a": 1, "b": 2}),
    ("$m.isEmpty()", False, {"a": 1, "b": 2}), ('$m.equals({"b": 2, "a": 1})', True, {"a": 1, "b": 2}),
    ("$m.toString()", "{a=1, b=2}", {"a": 1, "b": 2}),
])
def test_map_method(expression: str, expected: Any, after: dict[str, Any], vtl: Any) -> None:
    assert vtl.json(f'#set($m = {{"a": 1, "b": 2}})$util.toJson([{expression}, $m])') == [expected, after]


def test_put_all_and_clear_are_void(vtl: Any) -> None:
    assert vtl.text('#set($m = {})$m.putAll({"a": 1})$m $m.clear()$m') == "{a=1} {}"


def test_entry_set_reads_and_writes_through(vtl: Any) -> None:
    text = '#set($m = {"a": 1})#foreach($e in $m.entrySet())$e.key=$e.value $e.getKey()$util.qr($e.setValue(2))#end $m'
    assert vtl.text(text) == "a=1 a {a=2}"


def test_property_and_bracket_access(vtl: Any) -> None:
    assert vtl.json('#set($m = {"first_name": "Ann", "n": {"x": [1]}})'
                    '$util.toJson([$m.first_name, $m["n"].x, $m.n["x"][0], $m.missing])') == ["Ann", [1], 1, None]
