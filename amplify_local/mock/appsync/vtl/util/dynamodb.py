"""`$util.dynamodb`: JSON values to DynamoDB attribute values and back (every `to*` has a `*Json` twin)."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.util.json import loads, plain_to_json, to_json
from amplify_local.mock.appsync.vtl.values import is_number, to_string


def _number(value: Any) -> str:
    if not is_number(value):
        try:
            value = float(to_string(value)) if "." in to_string(value) else int(to_string(value))
        except ValueError as exc:
            raise TemplateError(f"Unable to convert {to_string(value)} to a DynamoDB number") from exc
    return to_string(value)


def to_dynamodb(value: Any) -> dict[str, Any]:
    """The attribute value for a JSON value: S, N (as a string), BOOL, NULL, L, M."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if kind is bool:
        return {"BOOL": value}
    if kind is int:
        return {"N": str(value)}
    if kind is dict:
        return {"M": to_map_values(value)}
    if is_number(value):
        return {"N": to_string(value)}
    if isinstance(value, dict):
        return {"M": to_map_values(value)}
    if isinstance(value, list | tuple):
        return {"L": [to_dynamodb(item) for item in value]}
    return {"S": to_string(value)}


def to_map_values(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TemplateError("$util.dynamodb.toMapValues expects a Map")
    return {key if type(key) is str else to_string(key): to_dynamodb(item) for key, item in value.items()}


def _unique(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def to_s3_object(key: Any, bucket: Any, region: Any, version: Any = None) -> dict[str, Any]:
    s3 = {"key": key, "bucket": bucket, "region": region}
    if version is not None:
        s3["version"] = version
    return {"S": to_json({"s3": s3})}


def from_s3_object_json(text: Any) -> Any:
    """The S3 object of `{"s3": {...}}`, also when wrapped as the attribute value `{"S": "..."}`."""
    try:
        document = loads(to_string(text))
        if isinstance(document, dict) and set(document) == {"S"}:
            document = loads(document["S"])
        return document["s3"]
    except (ValueError, KeyError, TypeError) as exc:
        raise TemplateError(f"Not an S3 object: {to_string(text)}") from exc


CONVERTERS: dict[str, Any] = {
    "toDynamoDB": to_dynamodb,
    "toString": lambda value: {"S": to_string(value)},
    "toStringSet": lambda value: {"SS": _unique([to_string(v) for v in _as_list(value)])},
    "toNumber": lambda value: {"N": _number(value)},
    "toNumberSet": lambda value: {"NS": _unique([_number(v) for v in _as_list(value)])},
    "toBinary": lambda value: {"B": to_string(value)},
    "toBinarySet": lambda value: {"BS": [to_string(v) for v in _as_list(value)]},
    "toBoolean": lambda value: {"BOOL": value},
    "toNull": lambda: {"NULL": None},
    "toList": lambda value: {"L": [to_dynamodb(item) for item in _as_list(value)]},
    "toMap": lambda value: {"M": to_map_values(value)},
    "toMapValues": to_map_values,
    "toS3Object": to_s3_object,
}


def _with_frame(function: Any) -> Any:
    return lambda frame, *args: function(*args)


def _json_twin(function: Any) -> Any:
    """`toXJson`: every converter but `toBoolean` (which passes its argument through) builds plain JSON values."""
    encode = to_json if function is CONVERTERS["toBoolean"] else plain_to_json
    return lambda frame, *args: encode(function(*args))


FUNCTIONS: dict[str, Any] = {name: _with_frame(function) for name, function in CONVERTERS.items()}
FUNCTIONS.update({name + "Json": _json_twin(function) for name, function in CONVERTERS.items()})
FUNCTIONS["fromS3ObjectJson"] = lambda frame, text: from_s3_object_json(text)
