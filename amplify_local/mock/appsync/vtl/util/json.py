"""JSON in and out of templates, as AppSync's Jackson-based `$util.toJson`/`$util.parseJson` do.

orjson does the common case; the stdlib codec defines the result. orjson is used only where it gives
the same text or value: `dumps` for trees of str, int, bool, null, maps and lists (orjson writes some
floats differently, NaN as null, and refuses ints beyond 64 bits and non-string keys, which then take
the stdlib path); `loads` through `mock/jsonwire.loads` (the servers' guard: a run of 19 digits or what
orjson refuses goes to the stdlib), with a decoder that refuses NaN as Jackson does.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

from amplify_local.mock import jsonwire
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


DECODER = json.JSONDecoder(parse_constant=_no_constant)  # defines what `loads` returns or raises


def loads(text: str) -> Any:
    """`DECODER.decode(text)`, through the servers' orjson fast path where it gives the same value."""
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate: orjson refuses what the stdlib may read
        return DECODER.decode(text)
    return jsonwire.loads(data, DECODER.decode)


_MAX_CONTAINERS = 10_000  # beyond this (or in a map that contains itself) the stdlib decides


def _plain(container: Any) -> bool:
    """Only str, int, bool, null, dicts and lists inside: orjson writes these as the stdlib does."""
    pending, seen = [container], 0
    while pending:
        seen += 1
        if seen > _MAX_CONTAINERS:
            return False
        current = pending.pop()
        for item in current.values() if type(current) is dict else current:
            kind = type(item)
            if kind is dict or kind is list:
                pending.append(item)
            elif kind is not str and kind is not int and kind is not bool and item is not None:
                return False
    return True


def to_json(value: Any) -> str:
    """Compact JSON; objects of the runtime (loop status, `$ctx.info`, entries) serialise as AppSync shows them."""
    kind = type(value)
    if kind is str or kind is bool or value is None or ((kind is dict or kind is list) and _plain(value)):
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # an int beyond 64 bits, a non-string key: the stdlib's answer
            pass
    try:
        return _ENCODER.encode(value)
    except ValueError as exc:  # NaN or Infinity have no JSON form
        raise TemplateError(f"Unable to serialize value to JSON: {exc}") from exc


def plain_to_json(value: Any) -> str:
    """`to_json` of a value built of str, int, bool, null, string-keyed maps and lists only (no check needed)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # a lone surrogate, an int beyond 64 bits
        return to_json(value)


def parse_json(text: Any) -> Any:
    if not isinstance(text, str):
        raise TemplateError(f"$util.parseJson expects a String, got {type(text).__name__}")
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"Unable to parse JSON document: {exc.msg} (line {exc.lineno}, "
                            f"column {exc.colno})") from exc
    except ValueError as exc:
        raise TemplateError(f"Unable to parse JSON document: {exc}") from exc
