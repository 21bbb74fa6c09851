"""`$util.xml`: XML documents as maps."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


def test_xml(vtl: Any) -> None:
    xml = "<posts><post><id>1</id><title>A</title></post><post><id>2</id><title>B</title></post></posts>"
    assert vtl.json("$util.xml.toJsonString($ctx.args.x)", arguments={"x": xml}) == {
        "posts": {"post": [{"id": 1, "title": "A"}, {"id": 2, "title": "B"}]}}
    with pytest.raises(TemplateError, match="Unable to parse XML"):
        vtl.text("$util.xml.toMap('<a>')")


def test_only_decimal_notation_becomes_a_number(vtl: Any) -> None:
    xml = "<r><a>-12</a><b>2.5</b><c>1e3</c><d>NaN</d><e>inf</e><f>1_000</f><g>0x1F</g></r>"
    assert vtl.json("$util.xml.toJsonString($ctx.args.x)", arguments={"x": xml}) == {
        "r": {"a": -12, "b": 2.5, "c": 1000.0, "d": "NaN", "e": "inf", "f": "1_000", "g": "0x1F"}}
