"""java.util.List methods; mutations are visible through every reference to the list."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


@pytest.mark.parametrize(("expression", "expected", "after"), [
    ("$l.size()", 3, [1, 2, 3]), ("$l.isEmpty()", False, [1, 2, 3]), ("$l.get(1)", 2, [1, 2, 3]),
    ("$l.add(4)", True, [1, 2, 3, 4]), ("$l.addAll([4, 5])", True, [1, 2, 3, 4, 5]),
    ("$l.addAll(0, [0])", True, [0, 1, 2, 3]), ("$l.contains(2)", True, [1, 2, 3]),
    ("$l.containsAll([1, 3])", True, [1, 2, 3]), ("$l.indexOf(3)", 2, [1, 2, 3]),
    ("$l.lastIndexOf(9)", -1, [1, 2, 3]), ("$l.remove(0)", 1, [2, 3]), ('$l.remove("x")', False, [1, 2, 3]),
    ("$l.removeAll([1, 2])", True, [3]), ("$l.retainAll([2])", True, [2]), ("$l.set(0, 9)", 1, [9, 2, 3]),
    ("$l.subList(1, 3)", [2, 3], [1, 2, 3]), ("$l.equals([1, 2, 3])", True, [1, 2, 3]),
    ("$l.toString()", "[1, 2, 3]", [1, 2, 3]), ("$l.toArray()", [1, 2, 3], [1, 2, 3]),
])
def test_list_method(expression: str, expected: Any, after: list[Any], vtl: Any) -> None:
    assert vtl.json(f"#set($l = [1, 2, 3])$util.toJson([{expression}, $l])") == [expected, after]


def test_add_at_index_is_void(vtl: Any) -> None:
    assert vtl.json('#set($l = [1])#set($r = $l.add(0, "first"))$util.toJson($l)') == ["first", 1]


def test_index_errors(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="IndexOutOfBoundsException"):
        vtl.text("#set($l = [])$l.get(0)")
    with pytest.raises(TemplateError, match="IndexOutOfBoundsException"):
        vtl.text("#set($l = [1])$l.subList(0, 2)")


def test_bracket_index_on_lists(vtl: Any) -> None:
    assert vtl.json("#set($l = [[1, 2], [3]])$util.toJson([$l[0][1], $l[1].get(0)])") == [2, 3]
