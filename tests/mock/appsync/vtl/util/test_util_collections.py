"""`$util.list`, `$util.map`, `$util.str`, `$util.math`."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("call", "expected"), [
    ('list.copyAndRetainAll([1, 2, 3, 2], [2, 3])', [2, 3, 2]), ('list.copyAndRemoveAll(["a", "b"], ["b"])', ["a"]),
    ("list.sortList([3, 1, 2], false, \"\")", [1, 2, 3]), ('list.sortList(["b", "a"], true, "")', ["b", "a"]),
    ('list.sortList([{"n": 2}, {"n": 1}], false, "n")', [{"n": 1}, {"n": 2}]),
    ('list.sortList([1, "a"], false, "")', [1, "a"]),
    ('map.copyAndRetainAllKeys({"a": 1, "b": 2}, ["a"])', {"a": 1}),
    ('map.copyAndRemoveAllKeys({"a": 1, "b": 2}, ["a"])', {"b": 2}),
    ('str.toUpper("ab")', "AB"), ('str.toLower("AB")', "ab"), ('str.toReplace("a.b.c", ".", "-")', "a-b-c"),
    ('str.normalize("e\u0301", "NFC")', "é"), ('str.normalize("ﬁ", "NFKD")', "fi"),
    ("math.roundNum(2.5)", 3), ("math.roundNum(-2.5)", -2), ("math.minVal(1, 2.5)", 1.0), ("math.maxVal(1, 2.5)", 2.5),
])
def test_helper(call: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.{call})") == expected


def test_copies_do_not_touch_the_original(vtl: Any) -> None:
    text = '#set($m = {"a": 1, "b": 2})#set($c = $util.map.copyAndRemoveAllKeys($m, ["a"]))$util.toJson([$m, $c])'
    assert vtl.json(text) == [{"a": 1, "b": 2}, {"b": 2}]


def test_random_numbers(vtl: Any) -> None:
    value, whole = vtl.json("$util.toJson([$util.math.randomDouble(), $util.math.randomWithinRange(3, 5)])")
    assert 0 <= value < 1 and 3 <= whole <= 5
