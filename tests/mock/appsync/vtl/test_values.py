"""Java semantics of the value model: toString, truthiness, equality, arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amplify_local.mock.appsync.vtl import values as v


@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1.0"), (0.1 + 0.2, "0.30000000000000004"), (1e21, "1.0E21"), (1.5e-5, "1.5E-5"),
    (12345678.0, "1.2345678E7"), (-0.0, "-0.0"), (float("nan"), "NaN"), (float("-inf"), "-Infinity"),
])
def test_double_to_string(value: float, text: str) -> None:
    assert v.double_to_string(value) == text


def test_to_string_of_collections_and_literals() -> None:
    assert v.to_string({"a": [1, True, None], "b": "x"}) == "{a=[1, true, null], b=x}"
    assert v.to_string(Decimal("2.50")) == "2.50"


def test_truthiness_is_velocity_1_7() -> None:
    assert [v.truthy(x) for x in (None, False, True, 0, "", "false", [], {})] == [
        False, False, True, True, True, True, True, True]


def test_equality() -> None:
    assert v.equals(1, 1.0) and v.equals("1", 1) and v.equals(None, None)
    assert not v.equals(None, "null") and not v.equals("a", "b") and not v.equals(True, 1)
    assert v.equals([1, 2], [1, 2])


def test_compare_only_numbers_or_strings() -> None:
    assert v.compare(1, 2.5) == -1 and v.compare("b", "a") == 1
    assert v.compare("1", 2) is None and v.compare(None, 1) is None


def test_integer_arithmetic_truncates_like_java() -> None:
    assert [v.divide(7, 2), v.divide(-7, 2), v.modulo(7, 3), v.modulo(-7, 3)] == [3, -3, 1, -1]
    assert v.divide(7, 2.0) == 3.5 and v.divide(1, 0) is None and v.modulo(1, 0) is None


def test_addition_concatenates_strings_and_rejects_other_types() -> None:
    assert v.add("item", 1) == "item1" and v.add(1, 2) == 3 and v.add(1, 0.5) == 1.5
    assert v.add([1], 2) is None and v.add(None, "x") is None
    assert v.subtract("a", 1) is None and v.multiply(2, 3) == 6 and v.negate("x") is None
