"""`$util.math`: rounding (half up, as `Math.round`), min/max, random numbers."""

from __future__ import annotations

import math
import random
from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.values import is_number


def _numbers(*values: Any) -> None:
    if not all(is_number(v) for v in values):
        raise TemplateError("$util.math helpers expect numbers")


def round_num(frame: Any, value: Any) -> int:
    _numbers(value)
    return math.floor(value + 0.5)


def min_val(frame: Any, a: Any, b: Any) -> Any:
    _numbers(a, b)
    return float(min(a, b))


def max_val(frame: Any, a: Any, b: Any) -> Any:
    _numbers(a, b)
    return float(max(a, b))


def random_within_range(frame: Any, low: Any, high: Any) -> int:
    _numbers(low, high)
    return random.randint(int(min(low, high)), int(max(low, high)))


FUNCTIONS: dict[str, Any] = {
    "roundNum": round_num,
    "minVal": min_val,
    "maxVal": max_val,
    "randomDouble": lambda frame: random.random(),
    "randomWithinRange": random_within_range,
}
