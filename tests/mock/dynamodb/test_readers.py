"""Reader processes (`readers.py`) through real clients: `amplify mock dynamodb --readers 1` on a socket,
boto3 and httpx connections dealt between the primary and the reader, processes stopped and killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import httpx
import pytest
from ports import free_port

from amplify_local.mock.dynamodb import Engine, StorageError

TABLE = {"TableName": "Todo", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}

pytestmark = pytest.mark.skipif(os.name != "posix", reason="reader processes need descriptor passing (POSIX)")


class Endpoint:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "amplify_local", "mock", "dynamodb", "--port", str(self.port), "--db-path",
             str(folder), "--readers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder)
        assert self.process.stdout is not None
        assert "DynamoDB endpoint is running" in self.process.stdout.readline()

    def readers(self) -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in found.split()]

    def served_by_a_reader(self) -> int:
        """How many of two fresh connections answer while the primary is stopped (SIGSTOP): 1 once the reader
        takes its share of connections and serves on its own."""
        clients = [httpx.Client(base_url=self.url, timeout=0.5) for _ in range(2)]
        try:
            for client in clients:
                assert client.get("/").status_code == 200  # the connection is made and dealt now
            os.kill(self.process.pid, signal.SIGSTOP)
            try:
                answered = 0
                for client in clients:
                    with contextlib.suppress(httpx.TimeoutException):  # the primary's connection: stopped
                        answered += client.get("/").status_code == 200
            finally:
                os.kill(self.process.pid, signal.SIGCONT)
            return answered
        finally:
            for client in clients:
                client.close()

    def wait_for_the_reader(self) -> None:
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "1 reader process answers reads beside it (--readers to change)"

    def client(self, timeout: float = 60) -> Any:
        """A boto3 client with one connection of its own (dealt to the primary or the reader)."""
        return boto3.client("dynamodb", endpoint_url=self.url, region_name="us-fake-1", aws_access_key_id="fake",
                            aws_secret_access_key="fake",
                            config=botocore.config.Config(max_pool_connections=1, retries={"max_attempts": 0},
                                                          read_timeout=timeout))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(10)


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[Endpoint]:
    served = Endpoint(tmp_path)
    try:
        served.wait_for_the_reader()
        yield served
    finally:
        served.stop()


def test_a_reader_answers_reads_on_its_own(endpoint: Endpoint) -> None:
    writer = endpoint.client()
    writer.create_table(**TABLE)
    writer.put_item(TableName="Todo", Item={"id": {"S": "a"}, "n": {"N": "1"}})
    # no pause needed: the primary commits before it deals the reader a new connection
    readers = [endpoint.client(timeout=1) for _ in range(2)]
    for client in readers:
        assert client.get_item(TableName="Todo", Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "1"}
    os.kill(endpoint.process.pid, signal.SIGSTOP)
    try:
        answered = []
        for client in readers:
            try:
                answered.append(client.get_item(TableName="Todo", Key={"id": {"S": "a"}})["Item"]["n"]["N"])
            except botocore.exceptions.ReadTimeoutError:  # the primary's connection: stopped
                answered.append(None)
    finally:
        os.kill(endpoint.process.pid, signal.SIGCONT)
    assert sorted(answered, key=str) == ["1", None]


def test_every_read_sees_the_writes_acknowledged_before_it(endpoint: Endpoint) -> None:
    """A read dealt to the reader right after a write on another connection, before the primary has
    committed it, is handed to the primary: no stale answer, ever."""
    writer = endpoint.client()
    writer.create_table(**TABLE)
    readers = [endpoint.client() for _ in range(3)]
    for number in range(150):
        writer.put_item(TableName="Todo", Item={"id": {"S": f"k{number}"}, "n": {"N": str(number)}})
        for client in readers:
            assert client.get_item(TableName="Todo", Key={"id": {"S": f"k{number}"}})["Item"]["n"] == {"N": str(number)}
        if number % 10 == 0:
            writer.update_item(TableName="Todo", Key={"id": {"S": f"k{number}"}}, UpdateExpression="SET n = n + :one",
                               ExpressionAttributeValues={":one": {"N": "1"}})
            writer.delete_item(TableName="Todo", Key={"id": {"S": f"k{number - 1}"}})
            for client in readers:
                assert client.query(TableName="Todo", KeyConditionExpression="id = :k",
                                    ExpressionAttributeValues={":k": {"S": f"k{number}"}})["Items"][0]["n"] == {
                                        "N": str(number + 1)}
                assert "Item" not in client.get_item(TableName="Todo", Key={"id": {"S": f"k{number - 1}"}})
    expected = 150 - len(range(0, 150, 10)) + 1  # every tenth write deleted the item before it (k-1 never existed)
    for client in readers:
        assert client.scan(TableName="Todo", Select="COUNT")["Count"] == expected


def test_writes_on_connections_dealt_to_the_reader_are_served_by_the_primary(endpoint: Endpoint) -> None:
    endpoint.client().create_table(**TABLE)
    for number in range(8):  # fresh connections: half of them dealt to the reader, which hands writes back
        client = endpoint.client()
        client.put_item(TableName="Todo", Item={"id": {"S": f"w{number}"}})
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(TableName="Todo", Item={"id": {"S": f"w{number}"}}, ConditionExpression="attribute_not_exists(id)")
        assert client.get_item(TableName="Todo", Key={"id": {"S": f"w{number}"}})["Item"] == {"id": {"S": f"w{number}"}}
        transact = client.transact_get_items(TransactItems=[{"Get": {"TableName": "Todo", "Key": {"id": {"S": "w0"}}}}])
        assert transact["Responses"][0]["Item"] == {"id": {"S": "w0"}}
    assert endpoint.client().scan(TableName="Todo", Select="COUNT")["Count"] == 8


def test_a_large_write_is_handed_over_whole(endpoint: Endpoint) -> None:
    """A body the reader has only begun to read when it hands the connection over: the primary reads the rest."""
    endpoint.client().create_table(**TABLE)
    text = "x" * 300_000
    for number in range(4):
        client = endpoint.client()
        client.put_item(TableName="Todo", Item={"id": {"S": f"big-{number}"}, "text": {"S": text}})
        assert client.get_item(TableName="Todo", Key={"id": {"S": f"big-{number}"}})["Item"]["text"]["S"] == text


def test_table_changes_reach_the_reader(endpoint: Endpoint) -> None:
    writer = endpoint.client()
    readers = [endpoint.client() for _ in range(2)]
    writer.create_table(**TABLE)
    writer.put_item(TableName="Todo", Item={"id": {"S": "old"}, "owner": {"S": "ann"}})
    for client in readers:
        assert client.scan(TableName="Todo")["Count"] == 1
    writer.delete_table(TableName="Todo")
    for client in readers:
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_item(TableName="Todo", Key={"id": {"S": "old"}})
    writer.create_table(**TABLE)
    writer.put_item(TableName="Todo", Item={"id": {"S": "new"}, "owner": {"S": "bob"}})
    writer.update_table(TableName="Todo", AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"}],
                        GlobalSecondaryIndexUpdates=[{"Create": {
                            "IndexName": "byOwner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "ALL"}}}])
    for client in readers:
        assert [item["id"]["S"] for item in client.scan(TableName="Todo")["Items"]] == ["new"]
        found = client.query(TableName="Todo", IndexName="byOwner", KeyConditionExpression="#o = :o",
                             ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "bob"}})
        assert found["Items"] == [{"id": {"S": "new"}, "owner": {"S": "bob"}}]


def test_a_killed_reader_leaves_the_endpoint_serving(endpoint: Endpoint) -> None:
    endpoint.client().create_table(**TABLE)
    (reader,) = endpoint.readers()
    os.kill(reader, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while endpoint.readers():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for number in range(6):  # new connections all go to the primary now
        client = endpoint.client()
        client.put_item(TableName="Todo", Item={"id": {"S": f"after-{number}"}})
        assert client.get_item(TableName="Todo", Key={"id": {"S": f"after-{number}"}})["Item"]
    assert endpoint.served_by_a_reader() == 0


def test_the_reader_ends_with_the_primary_stopped_or_killed(tmp_path: Path) -> None:
    for stop in (signal.SIGTERM, signal.SIGKILL):
        served = Endpoint(tmp_path)
        served.wait_for_the_reader()
        (reader,) = served.readers()
        served.process.send_signal(stop)
        assert served.process.wait(10) == (0 if stop == signal.SIGTERM else -signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _running(reader):
            assert time.monotonic() < deadline, "the reader outlived its primary"
            time.sleep(0.05)


def _running(pid: int) -> bool:
    """Whether `pid` still runs (an exited process that is not reaped yet does not)."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self").exists():  # Linux: a zombie's state is Z
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_acknowledged_writes_survive_kill_9_with_a_reader(tmp_path: Path) -> None:
    served = Endpoint(tmp_path)
    try:
        served.wait_for_the_reader()
        clients = [served.client() for _ in range(2)]
        clients[0].create_table(**TABLE)
        for number in range(100):
            clients[number % 2].put_item(TableName="Todo", Item={"id": {"S": f"item-{number}"}})
    finally:
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(10)
    engine = Engine.open(tmp_path)
    try:
        assert engine.scan({"TableName": "Todo", "Select": "COUNT"})["Count"] == 100
    finally:
        engine.close()


def test_a_shared_file_has_one_writer(tmp_path: Path) -> None:
    engine = Engine.open(tmp_path, shared=True)
    try:
        for shared in (True, False):
            with pytest.raises(StorageError, match="in use by another amplify-local process"):
                Engine.open(tmp_path, shared=shared)
    finally:
        engine.close()
    Engine.open(tmp_path, shared=True).close()  # free again once the first engine is closed
