"""The storage seam: the same operations and the AppSync adapter over a remote endpoint (moto server here;
`record_reference.py` runs the DynamoDB Local side)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ports import free_port

from amplify_local.mock.appsync.datasources.dynamodb import DynamoDBDataSource
from amplify_local.mock.appsync.errors import DataSourceError
from amplify_local.mock.dynamodb import DynamoDBError, RemoteEngine
from amplify_local.transformer.types import Index, Table


@pytest.fixture(scope="module")
def remote() -> Iterator[RemoteEngine]:
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        engine = RemoteEngine(f"http://127.0.0.1:{port}", region="us-east-1")
        yield engine
        engine.close()
    finally:
        server.terminate()
        server.wait(10)


TABLE = Table("TodoTable", [{"AttributeName": "id", "KeyType": "HASH"}],
              [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"}],
              [Index("byOwner", [{"AttributeName": "owner", "KeyType": "HASH"}])])


def test_remote_engine_runs_operations_and_raises_dynamodb_errors(remote: RemoteEngine) -> None:
    remote.ensure_table(TABLE)
    remote.ensure_table(TABLE)  # existing table, same GSIs: nothing to do
    remote.put_item({"TableName": "TodoTable", "Item": {"id": {"S": "a"}, "owner": {"S": "ann"}}})
    assert remote.get_item({"TableName": "TodoTable", "Key": {"id": {"S": "a"}}})["Item"]["owner"] == {"S": "ann"}
    with pytest.raises(DynamoDBError) as caught:
        remote.put_item({"TableName": "TodoTable", "Item": {"id": {"S": "a"}},
                         "ConditionExpression": "attribute_not_exists(id)"})
    assert caught.value.code == "ConditionalCheckFailedException"
    assert remote.clear() == ["TodoTable"]
    assert remote.scan({"TableName": "TodoTable"})["Count"] == 0


def test_appsync_adapter_over_the_seam(remote: RemoteEngine) -> None:
    remote.ensure_table(TABLE)
    source = DynamoDBDataSource("TodoTable", "TodoTable", remote)
    created = source.execute({"version": "2018-05-29", "operation": "PutItem", "key": {"id": {"S": "r1"}},
                              "attributeValues": {"owner": {"S": "bob"}, "n": {"N": "2"}}})
    assert created == {"id": "r1", "owner": "bob", "n": 2}
    page = source.execute({"version": "2018-05-29", "operation": "Query", "index": "byOwner",
                           "query": {"expression": "#o = :o", "expressionNames": {"#o": "owner"},
                                     "expressionValues": {":o": {"S": "bob"}}}})
    assert page["items"] == [created]
    with pytest.raises(DataSourceError) as caught:
        source.execute({"version": "2018-05-29", "operation": "DeleteItem", "key": {"id": {"S": "r1"}},
                        "condition": {"expression": "#n = :three", "expressionNames": {"#n": "n"},
                                      "expressionValues": {":three": {"N": "3"}}}})
    assert caught.value.error_type == "DynamoDB:ConditionalCheckFailedException"
