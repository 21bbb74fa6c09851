"""`$util.dynamodb`: attribute values, every `to*` and its `*Json` twin, S3 objects."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("call", "expected"), [
    ('toDynamoDB("s")', {"S": "s"}), ("toDynamoDB(12)", {"N": "12"}), ("toDynamoDB(1.5)", {"N": "1.5"}),
    ("toDynamoDB(true)", {"BOOL": True}), ("toDynamoDB($n)", {"NULL": True}),
    ('toDynamoDB({"a": [1, "x"]})', {"M": {"a": {"L": [{"N": "1"}, {"S": "x"}]}}}),
    ("toString(5)", {"S": "5"}), ('toStringSet(["a", "b", "a"])', {"SS": ["a", "b"]}),
    ('toNumber("7")', {"N": "7"}), ("toNumberSet([1, 2.5])", {"NS": ["1", "2.5"]}), ('toBinary("AA==")', {"B": "AA=="}),
    ('toBinarySet(["AA=="])', {"BS": ["AA=="]}), ("toBoolean(false)", {"BOOL": False}), ("toNull()", {"NULL": None}),
    ('toList([1, "a"])', {"L": [{"N": "1"}, {"S": "a"}]}), ('toMap({"a": 1})', {"M": {"a": {"N": "1"}}}),
    ('toMapValues({"a": 1})', {"a": {"N": "1"}}),
    ('toS3Object("k", "b", "r")', {"S": '{"s3":{"key":"k","bucket":"b","region":"r"}}'}),
    ('toS3Object("k", "b", "r", "v")', {"S": '{"s3":{"key":"k","bucket":"b","region":"r","version":"v"}}'}),
])
def test_to_helpers_and_json_twins(call: str, expected: Any, vtl: Any) -> None:
    assert vtl.json(f"$util.toJson($util.dynamodb.{call})") == expected
    name, _, rest = call.partition("(")
    assert vtl.json(f"$util.dynamodb.{name}Json({rest}") == expected


def test_from_s3_object_json(vtl: Any) -> None:
    text = '$util.toJson($util.dynamodb.fromS3ObjectJson($util.dynamodb.toS3ObjectJson("k", "b", "r")))'
    assert vtl.json(text) == {"key": "k", "bucket": "b", "region": "r"}
    assert vtl.json('$util.toJson($util.dynamodb.fromS3ObjectJson(\'{"s3": {"key": "k"}}\'))') == {"key": "k"}
