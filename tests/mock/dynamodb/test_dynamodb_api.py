"""The JSON 1.0 wire layer, through a real socket: targets, bodies, error format, checksum, CORS."""

from __future__ import annotations

import importlib.util
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from amplify_local.mock.dynamodb import Engine
from amplify_local.mock.dynamodb.api import handle

_spec = importlib.util.spec_from_file_location("dynamodb_endpoint_scenarios", Path(__file__).with_name(
    "test_endpoint_scenarios.py"))
assert _spec is not None and _spec.loader is not None
_scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_scenarios)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    yield from _scenarios.serve_in_thread(Engine.open(None))


def call(url: str, target: str | None, body: bytes | dict) -> httpx.Response:
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(url, content=content, headers=headers)


def test_answer_carries_crc32_and_request_id(url: str) -> None:
    response = call(url, "DynamoDB_20120810.ListTables", {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-amz-json-1.0"
    assert int(response.headers["x-amz-crc32"]) == zlib.crc32(response.content)
    assert response.headers["x-amzn-requestid"]
    assert response.json() == {"TableNames": []}


def test_errors_use_dynamodb_json_error_format(url: str) -> None:
    response = call(url, "DynamoDB_20120810.GetItem", {"TableName": "Nope", "Key": {"id": {"S": "x"}}})
    assert response.status_code == 400
    assert response.json() == {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                               "message": "Cannot do operations on a non-existent table"}


def test_unknown_target_and_missing_target(url: str) -> None:
    for target in ("DynamoDB_20120810.Frobnicate", "Other.PutItem", None):
        response = call(url, target, {})
        assert response.status_code == 400
        assert response.json()["__type"] == "com.amazon.coral.service#UnknownOperationException"


def test_malformed_json_is_a_serialization_error(url: str) -> None:
    for body in (b"{not json", b"[1, 2]"):
        response = call(url, "DynamoDB_20120810.ListTables", body)
        assert response.status_code == 400
        assert response.json()["__type"] == "com.amazon.coral.service#SerializationException"


def test_cancellation_reasons_travel_in_the_error_body(url: str) -> None:
    call(url, "DynamoDB_20120810.CreateTable", {
        "TableName": "Wire", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"})
    response = call(url, "DynamoDB_20120810.TransactWriteItems", {"TransactItems": [
        {"ConditionCheck": {"TableName": "Wire", "Key": {"id": {"S": "x"}}, "ConditionExpression": "attribute_exists(id)"}}]})
    body = response.json()
    assert body["__type"].endswith("#TransactionCanceledException")
    assert body["CancellationReasons"] == [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]


def test_health_and_cors_preflight(url: str) -> None:
    assert httpx.get(url).text.startswith("healthy:")
    preflight = httpx.options(url, headers={"Origin": "http://localhost:3000"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"


def test_wrong_json_kinds_are_serialization_errors_naming_the_member(url: str) -> None:
    response = call(url, "DynamoDB_20120810.PutItem", {"TableName": "Wire", "Item": [{"id": {"S": "x"}}]})
    assert response.status_code == 400
    assert response.json() == {"__type": "com.amazon.coral.service#SerializationException",
                               "message": "Unexpected value at 'Item': expected an object"}
    coerced = call(url, "DynamoDB_20120810.Scan", {"TableName": "Wire", "Limit": "2"})  # as DynamoDB Local reads it
    assert coerced.status_code == 200


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, member in items:
        yield (*path, key)
        yield from _paths(member, (*path, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copy


KEY = {"id": {"S": "a"}}
VALID = {
    "PutItem": {"TableName": "Wire", "Item": {"id": {"S": "a"}, "x": {"S": "y"}},
                "ConditionExpression": "attribute_not_exists(x) OR x = :v",
                "ExpressionAttributeValues": {":v": {"S": "y"}}, "ReturnValues": "ALL_OLD"},
    "UpdateItem": {"TableName": "Wire", "Key": KEY, "UpdateExpression": "SET #x = :v", "ExpressionAttributeNames": {
        "#x": "x"}, "ExpressionAttributeValues": {":v": {"L": [{"N": "1"}]}}, "ReturnValues": "ALL_NEW"},
    "Query": {"TableName": "Wire", "KeyConditionExpression": "id = :a", "ExpressionAttributeValues": {":a": {"S": "a"}},
              "Limit": 5, "ExclusiveStartKey": KEY, "ScanIndexForward": False},
    "Scan": {"TableName": "Wire", "Segment": 0, "TotalSegments": 2, "ProjectionExpression": "id"},
    "BatchWriteItem": {"RequestItems": {"Wire": [{"PutRequest": {"Item": {"id": {"S": "b"}}}},
                                                 {"DeleteRequest": {"Key": {"id": {"S": "c"}}}}]}},
    "TransactWriteItems": {"TransactItems": [{"Update": {"TableName": "Wire", "Key": KEY, "UpdateExpression": "SET y = :v",
                                                         "ExpressionAttributeValues": {":v": {"N": "1"}}}}],
                           "ClientRequestToken": "token"},
    "CreateTable": {"TableName": "Other", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST", "GlobalSecondaryIndexes": [
                        {"IndexName": "g", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}]},
    "UpdateTable": {"TableName": "Wire", "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
                    "GlobalSecondaryIndexUpdates": [{"Create": {
                        "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}}],
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}},
}


@pytest.mark.parametrize("operation", sorted(VALID))
def test_no_malformed_request_is_a_server_error(operation: str) -> None:
    """Every member of a valid request replaced by values of every wrong kind: always a 4xx, never a 500."""
    engine = Engine.open(None)
    engine.create_table({"TableName": "Wire", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                         "BillingMode": "PAY_PER_REQUEST"})
    request = VALID[operation]
    assert handle(engine, f"DynamoDB_20120810.{operation}", json.dumps(request).encode())[0] == 200
    for path in _paths(request):
        for wrong in (None, 1, "x", True, [], {}, [1], {"S": 1}, {"a": 1}, -1, 1.5):
            status, body = handle(engine, f"DynamoDB_20120810.{operation}",
                                  json.dumps(_replaced(request, path, wrong)).encode())
            assert status < 500, (path, wrong, body)
