"""`$util.toJson` / `$util.parseJson`."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


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
