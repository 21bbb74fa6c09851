"""`$util.toJson` / `$util.parseJson`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.util.json import DECODER, loads, to_json


def test_to_json_is_compact_unicode_and_keeps_number_kinds(vtl: Any) -> None:
    assert vtl.text('$util.toJson({"a": [1, 2.0, "é", true, null]})') == '{"a":[1,2.0,"é",true,null]}'
    assert vtl.text("$util.toJson($n) $util.toJson(true) $util.toJson(\"x\")") == 'null true "x"'


def test_parse_json_round_trip(vtl: Any) -> None:
    assert vtl.json('#set($o = $util.parseJson(\'{"a": [1, 2.5]}\'))$util.toJson($o.a)') == [1, 2.5]


def test_parse_json_of_invalid_text_is_an_error(vtl: Any) -> None:
    with pytest.raises(TemplateError, match="Unable to parse JSON"):
        vtl.text("$util.parseJson('{not json')")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_parse_json_refuses_what_jackson_refuses(vtl: Any, constant: str) -> None:
    with pytest.raises(TemplateError, match=f"Unable to parse JSON document: {constant} is not a JSON value"):
        vtl.text(f"$util.parseJson('[{constant}]')")


# orjson does the common case; these are the values where it would differ from the stdlib codec,
# which defines the answer.
_STDLIB_TEXT = [
    ({"a": 1e-05, "b": 1e16, "c": 2.5}, '{"a":1e-05,"b":1e+16,"c":2.5}'),
    ([2**64, -(2**63) - 1], "[18446744073709551616,-9223372036854775809]"),
    ({1: "one", None: True}, '{"1":"one","null":true}'),
    ({"s": "\ud800"}, '{"s":"\ud800"}'),
    ({"d": Decimal("1.5"), "e": Decimal("2")}, '{"d":1.5,"e":2}'),
    ({"t": (1, 2)}, '{"t":[1,2]}'),
    ({"ctl": "\x00\x1f\n\"\\/\u2028"}, '{"ctl":"\\u0000\\u001f\\n\\"\\\\/\u2028"}'),
]


@pytest.mark.parametrize(("value", "text"), _STDLIB_TEXT)
def test_to_json_text_is_the_stdlib_text(value: Any, text: str) -> None:
    assert to_json(value) == text


@pytest.mark.parametrize("value", [float("nan"), [1, {"x": float("inf")}]])
def test_to_json_refuses_non_finite_numbers(value: Any) -> None:
    with pytest.raises(TemplateError, match="Unable to serialize value to JSON"):
        to_json(value)


def test_to_json_of_a_map_that_contains_itself_is_an_error() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(TemplateError, match="Circular reference detected"):
        to_json(cyclic)


@pytest.mark.parametrize(("text", "value"), [
    ("[18446744073709551616, -9223372036854775809]", [2**64, -(2**63) - 1]),
    ('{"a": 1, "b": 2, "a": 3}', {"a": 3, "b": 2}),
    ('["\\ud800"]', ["\ud800"]),
    ('["\ud800"]', ["\ud800"]),
    ("[1e400]", [float("inf")]),
    ("[1e-5, -0, 0.1000000000000000055511151231257827]", [1e-05, 0, 0.1]),
])
def test_loads_gives_the_stdlib_value(text: str, value: Any) -> None:
    parsed = loads(text)
    assert parsed == value
    assert repr(parsed) == repr(value)  # same kinds of number too (an int stays an int)


@pytest.mark.parametrize("text", ['"a\nb"', "[NaN]", "\ufeff{}", "{'a': 1}", "[1,]"])
def test_loads_refuses_what_the_stdlib_refuses_with_its_message(text: str) -> None:
    with pytest.raises(ValueError) as ours:
        loads(text)
    with pytest.raises(ValueError) as stdlib:
        DECODER.decode(text)
    assert str(ours.value) == str(stdlib.value)
