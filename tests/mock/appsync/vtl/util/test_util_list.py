"""`$util.list`: copies that keep or drop elements, and sorting."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("call", "expected"), [
    ("copyAndRetainAll([1, 2, 3, 2], [2, 3])", [2, 3, 2]), ('copyAndRemoveAll(["a", "b"], ["b"])', ["a"]),
    ('sortList([3, 1, 2], false, "")', [1, 2, 3]), ('sortList(["b", "a", "c"], true, "")', ["c", "b", "a"]),
    ('sortList([{"n": 2}, {"n": 1}], false, "n")', [{"n": 1}, {"n": 2}]), ("sortList([true, false], false, \"\")",
                                                                           [False, True]),
    ('sortList([1, "a"], false, "")', [1, "a"]),
])
def test_list_helper(call: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.list.{call})") == expected


def test_copies_leave_the_original(vtl: Any) -> None:
    text = "#set($l = [1, 2])#set($c = $util.list.copyAndRemoveAll($l, [1]))$util.qr($c.add(9))$util.toJson([$l, $c])"
    assert vtl.json(text) == [[1, 2], [2, 9]]
