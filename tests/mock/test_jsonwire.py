"""The servers' JSON codec gives the stdlib's values and bytes, through orjson or not."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from amplify_local.mock.jsonwire import dumps, dumps_ascii, loads


@pytest.mark.parametrize("raw", [
    b'{"variables": {"n": 123456789012345678901234567890}}',  # orjson alone: 1.2345678901234568e+29
    b'{"n": -9223372036854775809, "m": 18446744073709551616}',
    b'{"a": [1, 2.5, "\\u00e9", null, true], "b": {"c": "d"}}',
    b'{"nan": NaN}',  # orjson refuses, the stdlib reads
    b'"\\ud800"',  # a lone surrogate: likewise
])
def test_loads_gives_the_stdlib_value(raw: bytes) -> None:
    value = loads(raw)
    assert repr(value) == repr(json.loads(raw))  # repr: NaN != NaN, and int vs float shows


def test_a_big_integer_is_read_as_an_integer() -> None:
    n = loads(b'{"variables": {"n": 123456789012345678901234567890}}')["variables"]["n"]
    assert type(n) is int and n == 123456789012345678901234567890


@pytest.mark.parametrize("raw", [b"{not json", b'{"a": 1', b"\xff\xfe{}", b'{"a": 12345678901234567890'])
def test_loads_raises_the_stdlib_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        loads(raw)


def test_a_stricter_decoder_decides_what_orjson_does_not_read() -> None:
    def no_constant(name: str) -> None:
        raise ValueError(f"{name} is not a JSON value")

    strict = json.JSONDecoder(parse_constant=no_constant).decode
    assert loads(b'{"a": 1}', strict) == {"a": 1}
    with pytest.raises(ValueError, match="NaN is not a JSON value"):
        loads(b'{"a": NaN}', strict)


@pytest.mark.parametrize("value", [
    {"a": [1, "é", None, True], "b": {"c": "\u2028"}},
    {"big": 123456789012345678901234567890},  # orjson refuses: the stdlib writes it
    {1: "non-string key"},
])
def test_dumps_writes_the_stdlib_bytes(value: object) -> None:
    assert dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    assert dumps_ascii(value) == json.dumps(value, separators=(",", ":")).encode()


def test_engine_values_serialise() -> None:
    assert dumps({"n": Decimal("3"), "f": Decimal("2.5"), "s": {1}, "t": (1, 2)}) == b'{"n":3,"f":2.5,"s":[1],"t":[1,2]}'


def test_a_lone_surrogate_is_written_escaped_and_reads_back() -> None:
    value = {"name": "a\ud800b"}  # DynamoDB keeps such a string as sent; a GraphQL answer may carry it
    assert dumps(value) == b'{"name":"a\\ud800b"}'
    assert loads(dumps(value)) == value
