"""java.lang.Integer/Long/Double and Boolean methods."""

from __future__ import annotations

import math
from typing import Any

from amplify_local.mock.appsync.vtl.java.errors import JavaError
from amplify_local.mock.appsync.vtl.java.registry import MethodTable
from amplify_local.mock.appsync.vtl.values import compare, equals, is_number, to_string


def _int_value(number: Any) -> int:
    if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
        return 0
    return int(number)


def _compare_to(number: Any, other: Any) -> int:
    result = compare(number, other)
    if result is None:
        raise JavaError("ClassCastException", f"{to_string(other)} is not comparable to {to_string(number)}")
    return result


NUMBER_METHODS = MethodTable({
    "intValue": _int_value,
    "longValue": _int_value,
    "shortValue": _int_value,
    "doubleValue": float,
    "floatValue": float,
    "toString": to_string,
    "equals": lambda n, other: is_number(other) and type(n) is type(other) and n == other,
    "compareTo": _compare_to,
    "hashCode": lambda n: hash(n) & 0x7FFFFFFF,
    "isNaN": lambda n: isinstance(n, float) and math.isnan(n),
    "isInfinite": lambda n: isinstance(n, float) and math.isinf(n),
})

BOOLEAN_METHODS = MethodTable({
    "booleanValue": lambda b: b,
    "toString": to_string,
    "equals": equals,
    "compareTo": lambda b, other: int(b) - int(bool(other)),
    "hashCode": lambda b: 1231 if b else 1237,
})
