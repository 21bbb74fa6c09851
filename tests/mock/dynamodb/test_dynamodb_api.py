"""The JSON 1.0 wire layer, through a real socket: targets, bodies, error format, checksum, CORS."""

from __future__ import annotations

import importlib.util
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from amplify_local.mock.dynamodb import Engine

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
