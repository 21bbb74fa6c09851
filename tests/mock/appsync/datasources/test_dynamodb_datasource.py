"""The AppSync DynamoDB data source, driven with the request documents Amplify's generated templates render."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from amplify_local.mock.appsync.datasources.dynamodb import DynamoDBDataSource, decode_token, encode_token
from amplify_local.mock.appsync.errors import DataSourceError
from amplify_local.mock.appsync.types import DataSourceCall, ResolverContext
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.types import Index, Table

TODO = Table(
    "TodoTable",
    [{"AttributeName": "id", "KeyType": "HASH"}],
    [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"},
     {"AttributeName": "priority", "AttributeType": "N"}],
    [Index("byOwner", [{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "priority", "KeyType": "RANGE"}])],
)


@pytest.fixture
def engine() -> Engine:
    engine = Engine.open(None)
    engine.ensure_table(TODO)
    return engine


@pytest.fixture
def source(engine: Engine) -> DynamoDBDataSource:
    return DynamoDBDataSource("TodoTable", "TodoTable", engine)


def create(source: DynamoDBDataSource, id_: str, **fields: Any) -> Any:
    """The shape of v2's Mutation.createTodo.req.vtl output."""
    values = {name: ({"N": str(value)} if isinstance(value, int) else {"S": value}) for name, value in fields.items()}
    return source.execute({
        "version": "2018-05-29", "operation": "PutItem",
        "key": {"id": {"S": id_}},
        "attributeValues": {"__typename": {"S": "Todo"}, **values},
        "condition": {"expression": "attribute_not_exists(#id)", "expressionNames": {"#id": "id"}},
    })


def test_put_returns_plain_item_and_get_reads_it(source: DynamoDBDataSource) -> None:
    result = create(source, "a", name="alpha", priority=1)
    assert result == {"id": "a", "__typename": "Todo", "name": "alpha", "priority": 1}
    assert source.execute({"version": "2017-02-28", "operation": "GetItem", "key": {"id": {"S": "a"}}}) == result
    assert source.execute({"version": "2017-02-28", "operation": "GetItem", "key": {"id": {"S": "zz"}}}) is None


def test_invoke_is_the_async_protocol(source: DynamoDBDataSource) -> None:
    call = DataSourceCall("Query", "getTodo", ResolverContext(arguments={}))
    create(source, "a", name="alpha")
    got = asyncio.run(source.invoke({"version": "2018-05-29", "operation": "GetItem", "key": {"id": {"S": "a"}}}, call))
    assert got["name"] == "alpha"


def test_duplicate_create_fails_with_appsync_error_and_current_item(source: DynamoDBDataSource) -> None:
    create(source, "a", name="alpha")
    with pytest.raises(DataSourceError) as caught:
        create(source, "a", name="other")
    assert caught.value.error_type == "DynamoDB:ConditionalCheckFailedException"
    assert caught.value.message == "The conditional request failed"
    assert caught.value.data["name"] == "alpha"


def test_identical_retry_succeeds_like_appsync(source: DynamoDBDataSource) -> None:
    create(source, "a", name="alpha")
    assert create(source, "a", name="alpha")["name"] == "alpha"


def test_update_with_condition_and_remove(source: DynamoDBDataSource) -> None:
    create(source, "a", name="alpha", description="d", priority=1)
    request = {
        "version": "2018-05-29", "operation": "UpdateItem", "key": {"id": {"S": "a"}},
        "update": {"expression": "SET #name = :name REMOVE #description",
                   "expressionNames": {"#name": "name", "#description": "description"},
                   "expressionValues": {":name": {"S": "beta"}}},
        "condition": {"expression": "(attribute_exists(#id)) AND (#priority = :priority_eq)",
                      "expressionNames": {"#id": "id", "#priority": "priority"},
                      "expressionValues": {":priority_eq": {"N": "1"}}},
    }
    assert source.execute(request) == {"id": "a", "__typename": "Todo", "name": "beta", "priority": 1}
    request["update"]["expressionValues"][":name"] = {"S": "gamma"}
    with pytest.raises(DataSourceError) as caught:
        source.execute({**request, "condition": {**request["condition"],
                                                 "expressionValues": {":priority_eq": {"N": "2"}}}})
    assert caught.value.error_type == "DynamoDB:ConditionalCheckFailedException"


def test_delete_returns_old_item_and_null_when_missing(source: DynamoDBDataSource) -> None:
    create(source, "a", name="alpha")
    request = {"version": "2018-05-29", "operation": "DeleteItem", "key": {"id": {"S": "a"}}}
    assert source.execute(request)["name"] == "alpha"
    assert source.execute(request) is None


def test_query_index_with_filter_and_pagination(source: DynamoDBDataSource) -> None:
    for number in range(5):
        create(source, f"t{number}", owner="ann", priority=number, name=f"n{number}")
    create(source, "other", owner="bob", priority=1)
    request: dict[str, Any] = {
        "version": "2018-05-29", "operation": "Query", "index": "byOwner", "limit": 2, "scanIndexForward": False,
        "query": {"expression": "#owner = :owner AND #priority >= :low",
                  "expressionNames": {"#owner": "owner", "#priority": "priority"},
                  "expressionValues": {":owner": {"S": "ann"}, ":low": {"N": "1"}}},
    }
    first = source.execute(request)
    assert [item["priority"] for item in first["items"]] == [4, 3]
    assert first["scannedCount"] == 2 and first["nextToken"]
    second = source.execute({**request, "nextToken": first["nextToken"]})
    assert [item["priority"] for item in second["items"]] == [2, 1]
    third = source.execute({**request, "nextToken": second["nextToken"]})
    assert third == {"items": [], "nextToken": None, "scannedCount": 0}


def test_scan_filter_counts_scanned_before_filter(source: DynamoDBDataSource) -> None:
    for number in range(4):
        create(source, f"t{number}", priority=number)
    result = source.execute({"version": "2018-05-29", "operation": "Scan", "limit": 10,
                             "filter": {"expression": "#priority > :p", "expressionNames": {"#priority": "priority"},
                                        "expressionValues": {":p": {"N": "1"}}}})
    assert sorted(item["priority"] for item in result["items"]) == [2, 3]
    assert result["scannedCount"] == 4 and result["nextToken"] is None


def test_next_token_is_opaque_base64_json() -> None:
    key = {"id": {"S": "a"}}
    assert decode_token(encode_token(key)) == key
    with pytest.raises(DataSourceError) as caught:
        decode_token("not base64!")
    assert caught.value.error_type == "DynamoDB:ValidationException"


def test_engine_validation_becomes_dynamodb_error_type(source: DynamoDBDataSource) -> None:
    with pytest.raises(DataSourceError) as caught:
        source.execute({"version": "2018-05-29", "operation": "Query",
                        "query": {"expression": "#id = :id", "expressionNames": {"#id": "id"}}})
    assert caught.value.error_type == "DynamoDB:ValidationException"
    assert caught.value.message == ("Invalid KeyConditionExpression: An expression attribute value used in "
                                    "expression is not defined; "
                                    "attribute value: :id")


def test_unknown_operation_is_named(source: DynamoDBDataSource) -> None:
    with pytest.raises(DataSourceError, match="Unsupported operation 'Frobnicate'"):
        source.execute({"version": "2018-05-29", "operation": "Frobnicate"})


def test_batch_operations(source: DynamoDBDataSource) -> None:
    put = source.execute({"version": "2018-05-29", "operation": "BatchPutItem", "tables": {
        "TodoTable": [{"id": {"S": "a"}, "name": {"S": "x"}}, {"id": {"S": "b"}, "name": {"S": "y"}}]}})
    assert put == {"data": {"TodoTable": [{"id": "a", "name": "x"}, {"id": "b", "name": "y"}]},
                   "unprocessedItems": {"TodoTable": []}}
    got = source.execute({"version": "2018-05-29", "operation": "BatchGetItem", "tables": {
        "TodoTable": {"keys": [{"id": {"S": "b"}}, {"id": {"S": "missing"}}, {"id": {"S": "a"}}],
                      "consistentRead": True}}})
    assert got == {"data": {"TodoTable": [{"id": "b", "name": "y"}, None, {"id": "a", "name": "x"}]},
                   "unprocessedKeys": {"TodoTable": []}}
    deleted = source.execute({"version": "2018-05-29", "operation": "BatchDeleteItem", "tables": {
        "TodoTable": [{"id": {"S": "a"}}]}})
    assert deleted == {"data": {"TodoTable": [{"id": "a"}]}, "unprocessedKeys": {"TodoTable": []}}
    assert source.execute({"version": "2018-05-29", "operation": "GetItem", "key": {"id": {"S": "a"}}}) is None


def test_transactions_commit_or_cancel_with_reasons(source: DynamoDBDataSource) -> None:
    create(source, "a", name="alpha")
    write = {"version": "2018-05-29", "operation": "TransactWriteItems", "transactItems": [
        {"table": "TodoTable", "operation": "PutItem", "key": {"id": {"S": "b"}}, "attributeValues": {"name": {"S": "b"}}},
        {"table": "TodoTable", "operation": "ConditionCheck", "key": {"id": {"S": "a"}},
         "condition": {"expression": "attribute_exists(id)"}},
    ]}
    assert source.execute(write) == {"keys": [{"id": "b"}, {"id": "a"}], "cancellationReasons": None}
    failing = {**write, "transactItems": [
        {"table": "TodoTable", "operation": "PutItem", "key": {"id": {"S": "c"}}, "attributeValues": {}},
        {"table": "TodoTable", "operation": "ConditionCheck", "key": {"id": {"S": "a"}},
         "condition": {"expression": "attribute_not_exists(id)"}},
    ]}
    with pytest.raises(DataSourceError) as caught:
        source.execute(failing)
    assert caught.value.error_type == "DynamoDB:TransactionCanceledException"
    reasons = caught.value.data["cancellationReasons"]
    assert reasons[0] == {"type": "None", "message": None}
    assert reasons[1]["type"] == "ConditionalCheckFailed" and reasons[1]["item"]["name"] == "alpha"
    assert source.execute({"version": "2018-05-29", "operation": "GetItem", "key": {"id": {"S": "c"}}}) is None
    got = source.execute({"version": "2018-05-29", "operation": "TransactGetItems", "transactItems": [
        {"table": "TodoTable", "key": {"id": {"S": "b"}}}, {"table": "TodoTable", "key": {"id": {"S": "zz"}}}]})
    assert got == {"items": [{"id": "b", "name": "b"}, None], "cancellationReasons": None}


def test_versioned_source_detects_conflicts_and_keeps_tombstones(engine: Engine) -> None:
    source = DynamoDBDataSource("TodoTable", "TodoTable", engine, versioned=True)
    created = source.execute({"version": "2018-05-29", "operation": "PutItem", "key": {"id": {"S": "a"}},
                              "attributeValues": {"name": {"S": "x"}}})
    assert created["_version"] == 1 and created["_lastChangedAt"] > 0
    update = {"version": "2018-05-29", "operation": "UpdateItem", "key": {"id": {"S": "a"}}, "_version": 1,
              "update": {"expression": "SET #n = :n", "expressionNames": {"#n": "name"},
                         "expressionValues": {":n": {"S": "y"}}}}
    assert source.execute(update)["_version"] == 2
    with pytest.raises(DataSourceError) as caught:
        source.execute(update)  # stale _version 1
    assert caught.value.error_type == "ConflictUnhandled"
    assert caught.value.data["_version"] == 2 and caught.value.data["name"] == "y"
    deleted = source.execute({"version": "2018-05-29", "operation": "DeleteItem", "key": {"id": {"S": "a"}},
                              "_version": 2})
    assert deleted["_deleted"] is True and deleted["_version"] == 3
    assert source.execute({"version": "2018-05-29", "operation": "GetItem", "key": {"id": {"S": "a"}}}) is None
    synced = source.execute({"version": "2018-05-29", "operation": "Sync", "limit": 10})
    assert [item["_deleted"] for item in synced["items"]] == [True]
    assert synced["nextToken"] is None and synced["startedAt"] >= deleted["_lastChangedAt"]
    later = source.execute({"version": "2018-05-29", "operation": "Sync", "lastSync": synced["startedAt"] + 1})
    assert later["items"] == []


def test_sync_with_a_query_reads_one_partition_of_an_index(engine: Engine) -> None:
    source = DynamoDBDataSource("TodoTable", "TodoTable", engine, versioned=True)
    for id_, owner in (("a", "ann"), ("b", "bob"), ("c", "ann")):
        source.execute({"version": "2018-05-29", "operation": "PutItem", "key": {"id": {"S": id_}},
                        "attributeValues": {"owner": {"S": owner}, "priority": {"N": "1"}}})
    synced = source.execute({"version": "2018-05-29", "operation": "Sync", "index": "byOwner", "limit": 10,
                             "query": {"expression": "#o = :o", "expressionNames": {"#o": "owner"},
                                       "expressionValues": {":o": {"S": "ann"}}}})
    assert sorted(item["id"] for item in synced["items"]) == ["a", "c"]
