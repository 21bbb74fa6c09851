"""Integer/Long/Double and Boolean methods."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("expression", "expected"), [
    ("$i.intValue()", 7), ("$d.intValue()", 2), ("$i.doubleValue()", 7.0), ("$i.toString()", "7"),
    ("$d.toString()", "2.5"), ("$i.equals(7)", True), ("$i.equals(7.0)", False), ("$i.compareTo(9)", -1),
    ("$t.booleanValue()", True), ("$t.toString()", "true"), ("$t.equals(true)", True),
    ("$d.longValue()", 2), ("$i.shortValue()", 7), ("$d.floatValue()", 2.5), ("$d.isNaN()", False),
    ("$d.isInfinite()", False),
])
def test_number_and_boolean_methods(expression: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"#set($i = 7)#set($d = 2.5)#set($t = true)$util.toJson({expression})") == expected


def test_integers_stay_integers(vtl: Any) -> None:
    assert vtl.json("#set($x = 7 / 2)#set($y = 7 % 2)#set($z = 2147483647 + 1)$util.toJson([$x, $y, $z])") == [
        3, 1, 2147483648]
    assert vtl.text("#set($d = 1.0)$d #set($e = 10 / 4.0)$e") == "1.0 2.5"


def test_class_names(vtl: Any) -> None:
    text = ('#set($m = {"k": 1})$util.toJson([$m.class.name, $m.getClass().getSimpleName(), '
            '$ctx.args.s.class.name, $ctx.args.n.class.name, $ctx.args.big.class.name, $ctx.args.d.class.name, '
            '$ctx.args.l.class.simpleName, $ctx.args.b.getClass().name])')
    assert vtl.json(text, arguments={"s": "x", "n": 1, "big": 2**40, "d": 1.5, "l": [],
                                                                    "b": True}) == [
        "java.util.LinkedHashMap", "LinkedHashMap", "java.lang.String", "java.lang.Integer", "java.lang.Long",
        "java.lang.Double", "ArrayList", "java.lang.Boolean"]
