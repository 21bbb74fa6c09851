"""The Java value model, on plain Python values.

Templates see the JSON values of the context directly (dict = java.util.Map, list = java.util.List,
str = String, int = Integer/Long, float/Decimal = Double/BigDecimal, bool = Boolean, None = null), so
nothing is wrapped on the way in or unwrapped on the way out. This module holds what Velocity does
with those values on the JVM: `toString()`, truthiness, `==`, ordering and arithmetic.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

NUMBER_TYPES = (int, float, Decimal)


def is_number(value: Any) -> bool:
    """A java.lang.Number: bool is an int in Python but a Boolean in Java."""
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def double_to_string(value: float) -> str:
    """`Double.toString`: `1.0`, `1.0E10`, `1.0E-4`, `NaN`, `Infinity`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    power = len(text) - 1 + int(exponent)
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{power}"


def to_string(value: Any) -> str:
    """Java's `String.valueOf` for the value model (how `$x` renders and how `+` concatenates)."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return double_to_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_string(k)}={to_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_string(v) for v in value) + "]"
    return str(value)


def truthy(value: Any) -> bool:
    """Velocity 1.7 `#if`: null and false are false; everything else (0, "", "false") is true."""
    return value is not None and value is not False


def equals(left: Any, right: Any) -> bool:
    """Velocity `==`: numbers by value, same classes by `equals`, otherwise by `toString()`."""
    if left is None or right is None:
        return left is right
    left_number, right_number = is_number(left), is_number(right)
    if left_number and right_number:
        return left == right
    if type(left) is type(right) or (isinstance(left, dict) and isinstance(right, dict)):
        return left == right
    return to_string(left) == to_string(right)


def compare(left: Any, right: Any) -> int | None:
    """Velocity `< <= > >=`: numbers compare by value, strings lexically; anything else does not compare."""
    if is_number(left) and is_number(right):
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    return None


def _numeric(left: Any, right: Any) -> tuple[Any, Any] | None:
    if not (is_number(left) and is_number(right)):
        return None
    if isinstance(left, Decimal) != isinstance(right, Decimal):
        left, right = float(left), float(right)
    return left, right


def add(left: Any, right: Any) -> Any:
    """`+`: numbers add; if either side is a String the two `toString()`s concatenate; else null."""
    pair = _numeric(left, right)
    if pair is not None:
        return pair[0] + pair[1]
    if left is None or right is None:
        return None
    if isinstance(left, str) or isinstance(right, str):
        return to_string(left) + to_string(right)
    return None


def subtract(left: Any, right: Any) -> Any:
    pair = _numeric(left, right)
    return None if pair is None else pair[0] - pair[1]


def multiply(left: Any, right: Any) -> Any:
    pair = _numeric(left, right)
    return None if pair is None else pair[0] * pair[1]


def divide(left: Any, right: Any) -> Any:
    """Integer division truncates toward zero (7/2 = 3, -7/2 = -3); division by zero gives null."""
    pair = _numeric(left, right)
    if pair is None or pair[1] == 0:
        return None
    a, b = pair
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b)
        return quotient if (a >= 0) == (b >= 0) else -quotient
    return a / b


def modulo(left: Any, right: Any) -> Any:
    """Java `%`: the remainder takes the sign of the dividend."""
    pair = _numeric(left, right)
    if pair is None or pair[1] == 0:
        return None
    a, b = pair
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return math.fmod(a, b)


def negate(value: Any) -> Any:
    return -value if is_number(value) else None
