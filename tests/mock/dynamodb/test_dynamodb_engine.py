"""Engine behaviour the endpoint scenarios do not reach: migrations, TTL, streams, pages, segments, threads."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.dynamodb import OPERATIONS, DynamoDBError, Engine
from amplify_local.transformer.types import Index, Table

KEY = [{"AttributeName": "id", "KeyType": "HASH"}]
ATTRIBUTES = [{"AttributeName": "id", "AttributeType": "S"}]


@pytest.fixture
def engine() -> Engine:
    engine = Engine.open(None)
    engine.create_table({"TableName": "Todo", "KeySchema": KEY, "AttributeDefinitions": ATTRIBUTES,
                         "BillingMode": "PAY_PER_REQUEST"})
    return engine


def put(engine: Engine, id_: str, **fields: Any) -> None:
    item = {"id": {"S": id_}}
    for name, value in fields.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    engine.put_item({"TableName": "Todo", "Item": item})


def test_operations_table_names_every_method() -> None:
    assert OPERATIONS["TransactWriteItems"] == "transact_write_items"
    assert all(callable(getattr(Engine, method)) for method in OPERATIONS.values())


def test_ensure_table_adds_backfilled_gsi_and_removes_it_keeping_data() -> None:
    engine = Engine.open(None)
    plain = Table("TodoTable", KEY, ATTRIBUTES)
    engine.ensure_table(plain)
    engine.put_item({"TableName": "TodoTable", "Item": {"id": {"S": "a"}, "owner": {"S": "ann"}}})
    engine.put_item({"TableName": "TodoTable", "Item": {"id": {"S": "b"}}})  # not in the sparse index
    indexed = Table("TodoTable", KEY, [*ATTRIBUTES, {"AttributeName": "owner", "AttributeType": "S"}],
                    [Index("byOwner", [{"AttributeName": "owner", "KeyType": "HASH"}])])
    engine.ensure_table(indexed)
    engine.ensure_table(indexed)  # idempotent
    found = engine.query({"TableName": "TodoTable", "IndexName": "byOwner", "KeyConditionExpression": "#o = :o",
                          "ExpressionAttributeNames": {"#o": "owner"}, "ExpressionAttributeValues": {":o": {"S": "ann"}}})
    assert [item["id"]["S"] for item in found["Items"]] == ["a"]
    engine.ensure_table(plain)
    description = engine.describe_table({"TableName": "TodoTable"})["Table"]
    assert "GlobalSecondaryIndexes" not in description
    assert engine.scan({"TableName": "TodoTable"})["Count"] == 2


def test_index_entries_follow_updates_and_deletes() -> None:
    engine = Engine.open(None)
    engine.ensure_table(Table("Tab1", KEY, [*ATTRIBUTES, {"AttributeName": "g", "AttributeType": "S"}],
                              [Index("byG", [{"AttributeName": "g", "KeyType": "HASH"}])]))

    def in_index(value: str) -> list[str]:
        answer = engine.query({"TableName": "Tab1", "IndexName": "byG", "KeyConditionExpression": "g = :g",
                               "ExpressionAttributeValues": {":g": {"S": value}}})
        return [item["id"]["S"] for item in answer["Items"]]

    engine.put_item({"TableName": "Tab1", "Item": {"id": {"S": "a"}, "g": {"S": "x"}}})
    engine.update_item({"TableName": "Tab1", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET g = :y",
                        "ExpressionAttributeValues": {":y": {"S": "y"}}})
    assert in_index("x") == [] and in_index("y") == ["a"]
    engine.update_item({"TableName": "Tab1", "Key": {"id": {"S": "a"}}, "UpdateExpression": "REMOVE g"})
    assert in_index("y") == []
    engine.put_item({"TableName": "Tab1", "Item": {"id": {"S": "a"}, "g": {"S": "z"}}})
    engine.delete_item({"TableName": "Tab1", "Key": {"id": {"S": "a"}}})
    assert in_index("z") == []


def test_clear_empties_tables_and_returns_names(engine: Engine) -> None:
    put(engine, "a")
    assert engine.clear() == ["Todo"]
    assert engine.scan({"TableName": "Todo"})["Count"] == 0
    assert engine.list_tables({})["TableNames"] == ["Todo"]


def test_ttl_expiry_removes_only_expired_items(engine: Engine) -> None:
    engine.update_time_to_live({"TableName": "Todo", "TimeToLiveSpecification": {"AttributeName": "ttl",
                                                                                 "Enabled": True}})
    put(engine, "old", ttl=1000)
    put(engine, "new", ttl=5000)
    put(engine, "none")
    assert engine.expire_items(now=2000) == 1
    assert sorted(item["id"]["S"] for item in engine.scan({"TableName": "Todo"})["Items"]) == ["new", "none"]
    with pytest.raises(DynamoDBError, match="already enabled"):
        engine.update_time_to_live({"TableName": "Todo", "TimeToLiveSpecification": {"AttributeName": "ttl",
                                                                                     "Enabled": True}})


def test_listeners_receive_stream_records_after_commit() -> None:
    engine = Engine.open(None)
    engine.ensure_table(Table("TodoTable", KEY, ATTRIBUTES))
    records: list[dict[str, Any]] = []
    engine.add_listener(records.append)
    engine.put_item({"TableName": "TodoTable", "Item": {"id": {"S": "a"}, "v": {"N": "1"}}})
    engine.update_item({"TableName": "TodoTable", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"N": "2"}}})
    engine.delete_item({"TableName": "TodoTable", "Key": {"id": {"S": "a"}}})
    with pytest.raises(DynamoDBError):
        engine.put_item({"TableName": "TodoTable", "Item": {"id": {"S": "a"}},
                         "ConditionExpression": "attribute_exists(id)"})
    assert [record["eventName"] for record in records] == ["INSERT", "MODIFY", "REMOVE"]
    modify = records[1]["dynamodb"]
    assert modify["Keys"] == {"id": {"S": "a"}}
    assert modify["OldImage"]["v"] == {"N": "1"} and modify["NewImage"]["v"] == {"N": "2"}
    assert modify["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert records[0]["eventSourceARN"].endswith("/stream/" + engine.describe_table(
        {"TableName": "TodoTable"})["Table"]["LatestStreamLabel"])


def test_scan_pages_by_size_and_limit(engine: Engine) -> None:
    big = "x" * 100_000
    for number in range(25):
        put(engine, f"i{number:02d}", blob=big)
    first = engine.scan({"TableName": "Todo"})
    assert 10 <= first["Count"] < 25 and "LastEvaluatedKey" in first  # stopped at 1 MB
    total, page = first["Count"], first
    while "LastEvaluatedKey" in page:
        page = engine.scan({"TableName": "Todo", "ExclusiveStartKey": page["LastEvaluatedKey"]})
        total += page["Count"]
    assert total == 25
    limited = engine.scan({"TableName": "Todo", "Limit": 5})
    assert limited["Count"] == 5 and "LastEvaluatedKey" in limited


def test_parallel_scan_segments_partition_the_table(engine: Engine) -> None:
    for number in range(60):
        put(engine, f"k{number}")
    seen: list[str] = []
    for segment in range(4):
        answer = engine.scan({"TableName": "Todo", "Segment": segment, "TotalSegments": 4})
        seen += [item["id"]["S"] for item in answer["Items"]]
    assert sorted(seen) == sorted(f"k{number}" for number in range(60))


def test_concurrent_writers_lose_nothing(engine: Engine) -> None:
    put(engine, "counter", n=0)

    def bump() -> None:
        for _ in range(100):
            engine.update_item({"TableName": "Todo", "Key": {"id": {"S": "counter"}}, "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}})

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "counter"}}})["Item"]["n"] == {"N": "800"}


def test_load_items_seeds_in_one_transaction(engine: Engine) -> None:
    assert engine.load_items("Todo", ({"id": {"S": f"s{n}"}, "n": {"N": str(n)}} for n in range(100))) == 100
    assert engine.scan({"TableName": "Todo", "Select": "COUNT"})["Count"] == 100
    with pytest.raises(DynamoDBError, match="One of the required keys"):
        engine.load_items("Todo", [{"id": {"S": "ok"}}, {"other": {"S": "x"}}])
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "ok"}}}) == {}


def test_number_sort_keys_order_numerically() -> None:
    engine = Engine.open(None)
    engine.create_table({"TableName": "Nums", "BillingMode": "PAY_PER_REQUEST",
                         "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                         "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                                                  {"AttributeName": "n", "AttributeType": "N"}]})
    numbers = ["-1e10", "-100", "-2.5", "-2", "-0.001", "0", "1e-5", "0.5", "2", "10", "99.99", "100", "1e20"]
    for number in reversed(numbers):
        engine.put_item({"TableName": "Nums", "Item": {"p": {"S": "x"}, "n": {"N": number}}})
    answer = engine.query({"TableName": "Nums", "KeyConditionExpression": "p = :p",
                           "ExpressionAttributeValues": {":p": {"S": "x"}}})
    from decimal import Decimal
    assert [Decimal(item["n"]["N"]) for item in answer["Items"]] == sorted(Decimal(n) for n in numbers)


def test_transaction_is_all_or_nothing_on_update_errors(engine: Engine) -> None:
    put(engine, "a", s="text")
    with pytest.raises(DynamoDBError) as caught:
        engine.transact_write_items({"TransactItems": [
            {"Put": {"TableName": "Todo", "Item": {"id": {"S": "new"}}}},
            {"Update": {"TableName": "Todo", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET s = s + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}]})
    assert caught.value.code == "TransactionCanceledException"
    assert [reason["Code"] for reason in caught.value.extra["CancellationReasons"]] == ["None", "ValidationError"]
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "new"}}}) == {}


def test_overlay_rows_are_seen_by_point_reads_and_flushed_before_range_reads(engine: Engine) -> None:
    """Plain writes wait in the journal's overlay: GetItem and conditions read it, Query/Scan/Describe
    flush it first, and an all-or-nothing write that fails leaves the overlay's rows alone."""
    for number in range(5):
        put(engine, f"o{number}", n=number)
    engine.delete_item({"TableName": "Todo", "Key": {"id": {"S": "o4"}}})
    assert engine._journal._overlaid  # still waiting, not in SQLite yet
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "o3"}}})["Item"]["n"] == {"N": "3"}
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "o4"}}}) == {}
    with pytest.raises(DynamoDBError, match="conditional request failed"):
        engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "o1"}}, "ConditionExpression": "attribute_not_exists(id)"})
    with pytest.raises(DynamoDBError, match="Transaction cancelled"):
        engine.transact_write_items({"TransactItems": [
            {"Put": {"TableName": "Todo", "Item": {"id": {"S": "o0"}, "n": {"N": "99"}}}},
            {"ConditionCheck": {"TableName": "Todo", "Key": {"id": {"S": "o2"}},
                                "ConditionExpression": "attribute_not_exists(id)"}}]})
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "o0"}}})["Item"]["n"] == {"N": "0"}
    put(engine, "o5", n=5)
    assert engine.describe_table({"TableName": "Todo"})["Table"]["ItemCount"] == 5
    assert sorted(item["id"]["S"] for item in engine.scan({"TableName": "Todo"})["Items"]) == \
        ["o0", "o1", "o2", "o3", "o5"]


def test_plain_reads_answer_what_item_to_plain_gives(engine: Engine) -> None:
    """`plain=True` (the AppSync data source's reads) equals converting the typed answer, also for a number
    beyond 64 bits (stored without a plain form), projections, filters and the typed LastEvaluatedKey."""
    from amplify_local.mock.dynamodb.values import item_to_plain

    engine.put_item({"TableName": "Todo", "Item": {
        "id": {"S": "p"}, "big": {"N": "1" * 38}, "f": {"N": "-0.25"}, "m": {"M": {"l": {"L": [{"NULL": True}]}}},
        "ns": {"NS": ["1", "2.5"]}, "b": {"B": b"\x00\x01"}, "ok": {"BOOL": True}}})
    for number in range(4):
        put(engine, f"q{number}", n=number)
    key = {"TableName": "Todo", "Key": {"id": {"S": "p"}}}
    typed = engine.get_item(key)["Item"]
    assert typed["b"] == {"B": "AAE="}  # bytes from an in-process caller are kept as base64 text
    assert engine.get_item(key, plain=True)["Item"] == item_to_plain(typed)
    assert engine.get_item(key, plain=True)["Item"]["big"] == int("1" * 38)
    projected = {**key, "ProjectionExpression": "m.l, f"}
    assert engine.get_item(projected, plain=True)["Item"] == {"m": {"l": [None]}, "f": -0.25}
    for request in ({"Limit": 3}, {"FilterExpression": "n > :z", "ExpressionAttributeValues": {":z": {"N": "1"}}},
                    {"ProjectionExpression": "id, n", "Limit": 2}):
        typed_page = engine.scan({"TableName": "Todo", **request})
        plain_page = engine.scan({"TableName": "Todo", **request}, plain=True)
        assert plain_page["Items"] == [item_to_plain(item) for item in typed_page["Items"]]
        assert plain_page.get("LastEvaluatedKey") == typed_page.get("LastEvaluatedKey")
    answer = engine.query({"TableName": "Todo", "KeyConditionExpression": "id = :p",
                           "ExpressionAttributeValues": {":p": {"S": "p"}}}, plain=True)
    assert answer["Items"] == [item_to_plain(typed)]


def test_a_lone_surrogate_is_stored_and_returned_as_sent(tmp_path: Path) -> None:
    """DynamoDB Local accepts `"\\ud800"` in a string (JSON lets a client send it) and returns it unchanged;
    orjson refuses such text, so the row falls back to the stdlib's escapes and still reads back."""
    engine = Engine.open(tmp_path)
    try:
        engine.create_table({"TableName": "Odd", "KeySchema": KEY, "AttributeDefinitions": ATTRIBUTES,
                             "BillingMode": "PAY_PER_REQUEST"})
        item = {"id": {"S": "\ud800"}, "x": {"S": "a\udfffb"}, "set": {"SS": ["\ud801"]}}
        engine.put_item({"TableName": "Odd", "Item": item})
        assert engine.get_item({"TableName": "Odd", "Key": {"id": {"S": "\ud800"}}})["Item"] == item
        assert engine.scan({"TableName": "Odd"}, plain=True)["Items"] == [{"id": "\ud800", "x": "a\udfffb", "set": ["\ud801"]}]
    finally:
        engine.close()
    reopened = Engine.open(tmp_path)
    try:
        assert reopened.get_item({"TableName": "Odd", "Key": {"id": {"S": "\ud800"}}})["Item"]["x"] == {"S": "a\udfffb"}
    finally:
        reopened.close()


@pytest.mark.parametrize(("item", "as_stored"), [
    ({"id": {"S": "ascii"}, "n": {"N": "-1.5"}, "b": {"B": "AAE="}, "ok": {"BOOL": False}, "nul": {"NULL": True},
      "l": {"L": [{"S": "tab\there"}, {"M": {"q": {"S": "\"quoted\" \\ back"}}}]}, "ss": {"SS": ["a", "b"]}}, True),
    ({"id": {"S": "ctl"}, "x": {"S": "\x00\x1f\x7f"}}, True),
    ({"id": {"S": "odd"}, "x": {"S": "a\udfffb"}}, True),  # a lone surrogate: stored in the stdlib's ASCII escapes
    ({"id": {"S": "utf"}, "name": {"S": "héllo ☃ 𝄞"}}, False),  # non-ASCII: decoded, for dumps_ascii to escape
])
def test_wire_reads_encode_to_the_same_bytes(engine: Engine, item: dict[str, Any], as_stored: bool) -> None:
    """`wire=True` (the endpoint's GetItem) hands over the stored bytes of an ASCII item as they are: the
    answer encodes to exactly the bytes of the decoded answer."""
    import orjson

    from amplify_local.mock.jsonwire import dumps_ascii

    engine.put_item({"TableName": "Todo", "Item": item})
    request = {"TableName": "Todo", "Key": {"id": item["id"]}}
    wire = engine.get_item(request, wire=True)
    assert isinstance(wire["Item"], orjson.Fragment) == as_stored
    assert dumps_ascii(wire) == dumps_ascii(engine.get_item(request)) == dumps_ascii({"Item": item})
    projected = {**request, "ProjectionExpression": "id"}
    assert engine.get_item(projected, wire=True) == engine.get_item(projected) == {"Item": {"id": item["id"]}}
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "none"}}}, wire=True) == {}
