"""`$util.math`: rounding, min/max, random numbers."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


@pytest.mark.parametrize(("call", "expected"), [
    ("roundNum(2.5)", 3), ("roundNum(-2.5)", -2), ("roundNum(2.4)", 2), ("minVal(1, 2.5)", 1.0), ("maxVal(1, 2.5)", 2.5),
])
def test_math_helper(call: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.math.{call})") == expected


def test_random_numbers(vtl: Any) -> None:
    value, whole = vtl.json("$util.toJson([$util.math.randomDouble(), $util.math.randomWithinRange(3, 5)])")
    assert 0 <= value < 1 and 3 <= whole <= 5


def test_numbers_only(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="expect numbers"):
        vtl.text('$util.math.minVal("a", 1)')
