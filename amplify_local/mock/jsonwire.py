"""JSON request and response bodies of the mock's servers (the DynamoDB endpoint, `POST /graphql`).

orjson reads a body about 4x and writes one 5-15x faster than the stdlib, but does not always give the
stdlib's answer, so it is used only where it does; the stdlib decides the rest:
- reading: orjson reads an integer beyond 64 bits as a float, silently, so a body with a run of 19+
  digits goes to `json`; so does one orjson refuses (NaN, lone surrogates, 1e400), which `json` then reads
  or rejects with its own message. A body is UTF-8 (RFC 8259), as for both AWS services.
- writing: orjson refuses integers beyond 64 bits and non-string keys, which then take `json`'s path.
  orjson spells a few floats differently (`1e-05` as `0.00001`, `2.5e-07` as `2.5e-7`): the same value.

`loads` takes the stdlib decoder to defer to, so a reader with stricter rules (the VTL runtime's
`$util.parseJson`, whose decoder refuses NaN as Jackson does) shares the orjson fast path and its guard.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

# every digit as "0", any other byte as " ": a run of 19 digits is then a substring search, ~15x faster than
# `re.search(rb"\d{19}")` (which tries each position in Python's regex engine: 24 us on a 1 KB body);
# `bytes.find`, as `in` costs twice as much on a short body (0.56 us against 0.22 us here)
_DIGITS = bytes(48 if 48 <= n <= 57 else 32 for n in range(256))
_LONG_INTEGER = b"0" * 19


def _default(value: Any) -> Any:
    """Values of the engines that JSON has no type for: Decimal (DynamoDB numbers), sets, tuples."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_UTF8 = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default).encode
_ASCII = json.JSONEncoder(separators=(",", ":"), default=_default).encode


def loads(raw: bytes, decode: Callable[[str], Any] = json.loads) -> Any:
    """The value `decode(raw.decode())` gives, or its `ValueError` (`json.JSONDecodeError`, or
    `UnicodeDecodeError` for a body that is not UTF-8). `decode` is the stdlib's `json.loads` or a
    `json.JSONDecoder`'s `decode` that accepts less: orjson's answer is taken only where it accepts it too."""
    if raw.translate(_DIGITS).find(_LONG_INTEGER) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return decode(raw.decode())


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as `json.dumps(value, separators=(",", ":"), ensure_ascii=False)` writes it
    (with `\\u` escapes when a string holds a lone surrogate, which UTF-8 cannot carry)."""
    try:
        return orjson.dumps(value, default=_default)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a non-string key, a lone surrogate
        text = _UTF8(value)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate (DynamoDB keeps one as sent) has no UTF-8 form: escaped
        return _ASCII(value).encode()


def dumps_ascii(value: Any) -> bytes:
    """Compact JSON with every non-ASCII character escaped (`\\u00e9`), as `json.dumps(value,
    separators=(",", ":"))` writes it: DynamoDB's answers are written so."""
    try:
        payload = orjson.dumps(value, default=_default)
    except TypeError:
        return _ASCII(value).encode()
    return payload if payload.isascii() else _ASCII(value).encode()
