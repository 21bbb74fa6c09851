"""AppSync's built-in scalars, validated as AppSync validates them.

Inputs (variables and literals) are checked and a bad one fails the request with graphql-core's
"Expected type ..." validation error carrying our reason. Outputs are passed through, except
`AWSJSON`, which AppSync serialises to a JSON string when a resolver returns an object.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLScalarType, ValueNode, print_ast
from graphql.error import GraphQLError
from graphql.language import IntValueNode, StringValueNode
from graphql.utilities import value_from_ast_untyped

_OFFSET = r"(?:Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d{1,9})?)?"
_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_PATTERNS = {
    "AWSDate": re.compile(rf"{_DATE}{_OFFSET}?"),
    "AWSTime": re.compile(rf"{_TIME}{_OFFSET}?"),
    "AWSDateTime": re.compile(rf"{_DATE}T{_TIME}{_OFFSET}"),
    "AWSEmail": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "AWSPhone": re.compile(r"\+?[\d\s().-]{3,20}"),
}
_MESSAGES = {
    "AWSDate": "Invalid AWSDate: expected an ISO 8601 date (YYYY-MM-DD, optional offset)",
    "AWSTime": "Invalid AWSTime: expected an ISO 8601 time (hh:mm[:ss[.sss]], optional offset)",
    "AWSDateTime": "Invalid AWSDateTime: expected an ISO 8601 date-time with an offset (YYYY-MM-DDThh:mm:ss.sssZ)",
    "AWSEmail": "Invalid AWSEmail: expected an email address (local@domain.tld)",
    "AWSPhone": "Invalid AWSPhone: expected a phone number",
}


def _checked_string(name: str) -> Callable[[Any], str]:
    pattern = _PATTERNS[name]

    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise GraphQLError(f"{_MESSAGES[name]}, got {json.dumps(value)}")
        return value

    return check


def _url(value: Any) -> str:
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme and (parts.netloc or parts.scheme in ("mailto", "urn", "file")):
            return value
    raise GraphQLError(f"Invalid AWSURL: expected an absolute URL (scheme://host/path), got {json.dumps(value)}")


def _ip_address(value: Any) -> str:
    if isinstance(value, str):
        try:
            (ipaddress.ip_network if "/" in value else ipaddress.ip_address)(value)
            return value
        except ValueError:
            pass
    raise GraphQLError(f"Invalid AWSIPAddress: expected an IPv4 or IPv6 address, got {json.dumps(value)}")


def _timestamp(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise GraphQLError(f"Invalid AWSTimestamp: expected an integer of epoch seconds, got {json.dumps(value)}")
    return value


def _json_input(value: Any) -> Any:
    if not isinstance(value, str):
        raise GraphQLError(f"Invalid AWSJSON: expected a string holding JSON, got {json.dumps(value)}")
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise GraphQLError(f"Invalid AWSJSON: {error.msg} at character {error.pos}") from None


def _json_output(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _literal(parse: Callable[[Any], Any], kinds: tuple[type, ...]) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, kinds):
            raise GraphQLError(f"Expected a literal of kind {'/'.join(k.__name__[:-9] for k in kinds)}, got {print_ast(node)}")
        return parse(value_from_ast_untyped(node))

    return parse_literal


def _string_scalar(name: str, parse: Callable[[Any], Any]) -> GraphQLScalarType:
    return GraphQLScalarType(
        name, serialize=lambda value: value, parse_value=parse, parse_literal=_literal(parse, (StringValueNode,))
    )


SCALARS: dict[str, GraphQLScalarType] = {
    **{name: _string_scalar(name, _checked_string(name)) for name in _PATTERNS},
    "AWSURL": _string_scalar("AWSURL", _url),
    "AWSIPAddress": _string_scalar("AWSIPAddress", _ip_address),
    "AWSTimestamp": GraphQLScalarType(
        "AWSTimestamp",
        serialize=lambda value: value,
        parse_value=_timestamp,
        parse_literal=_literal(_timestamp, (IntValueNode,)),
    ),
    "AWSJSON": GraphQLScalarType(
        "AWSJSON",
        serialize=_json_output,
        parse_value=_json_input,
        parse_literal=_literal(_json_input, (StringValueNode,)),
    ),
}

SDL = "\n".join(f"scalar {name}" for name in SCALARS)
