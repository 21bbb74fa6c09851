"""JSON in and out of templates, as AppSync's Jackson-based `$util.toJson`/`$util.parseJson` do."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from amplify_local.mock.appsync.errors import TemplateError


def _default(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if to_json is not None:
        return to_json()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, range | tuple | set):
        return list(value)
    return str(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False)


def _no_constant(name: str) -> Any:
    """Jackson, as AppSync runs it, refuses NaN and Infinity; Python's json module would take them."""
    raise ValueError(f"{name} is not a JSON value")


DECODER = json.JSONDecoder(parse_constant=_no_constant)  # every JSON text a template reads or renders


def to_json(value: Any) -> str:
    """Compact JSON; objects of the runtime (loop status, `$ctx.info`, entries) serialise as AppSync shows them."""
    try:
        return _ENCODER.encode(value)
    except ValueError as exc:  # NaN or Infinity have no JSON form
        raise TemplateError(f"Unable to serialize value to JSON: {exc}") from exc


def parse_json(text: Any) -> Any:
    if not isinstance(text, str):
        raise TemplateError(f"$util.parseJson expects a String, got {type(text).__name__}")
    try:
        return DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"Unable to parse JSON document: {exc.msg} (line {exc.lineno}, "
                            f"column {exc.colno})") from exc
    except ValueError as exc:
        raise TemplateError(f"Unable to parse JSON document: {exc}") from exc
