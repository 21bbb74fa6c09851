"""The SQLite file: durability under kill -9, refusal of foreign and corrupt files, data kept across opens."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from ports import free_port

from amplify_local.mock.dynamodb import DynamoDBError, Engine, StorageError
from amplify_local.mock.dynamodb.storage import _FRAME, Journal, database_file

TABLE = {"TableName": "Todo", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}


def test_folder_path_gets_one_file_and_data_survives_reopen(tmp_path: Path) -> None:
    folder = tmp_path / "amplify" / "mock-data" / "dynamodb"
    engine = Engine.open(folder)
    engine.create_table(TABLE)
    engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "a"}}})
    engine.close()
    assert database_file(folder) == folder / "local.sqlite" and (folder / "local.sqlite").is_file()
    reopened = Engine.open(folder)
    assert reopened.get_item({"TableName": "Todo", "Key": {"id": {"S": "a"}}}) == {"Item": {"id": {"S": "a"}}}
    reopened.close()
    assert sqlite3.connect(folder / "local.sqlite").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_foreign_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "fake_us-fake-1.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE cf (x)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="another program"):
        Engine.open(path)
    assert path.read_bytes() == before


def test_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="not a SQLite database") as caught:
        Engine.open(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == b"this is not a database at all" * 100


def test_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite"
    engine = Engine.open(path)
    engine.create_table(TABLE)
    engine.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page after the header
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match=str(path)):
        Engine.open(path)


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    """Writes answered by the endpoint are on disk even when the server dies without any cleanup."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "amplify_local", "mock", "dynamodb", "--port", str(port),
                               "--db-path", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path)
    try:
        assert server.stdout is not None
        assert "DynamoDB endpoint is running" in server.stdout.readline()
        client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-fake-1",
                              aws_access_key_id="fake", aws_secret_access_key="fake")
        client.create_table(**TABLE)
        for number in range(200):
            client.put_item(TableName="Todo", Item={"id": {"S": f"item-{number}"}, "n": {"N": str(number)}})
        client.update_item(TableName="Todo", Key={"id": {"S": "item-7"}}, UpdateExpression="SET n = :n",
                           ExpressionAttributeValues={":n": {"N": "700"}})
        client.delete_item(TableName="Todo", Key={"id": {"S": "item-9"}})
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait(10)
    assert server.returncode == -signal.SIGKILL
    engine = Engine.open(tmp_path)
    scanned = engine.scan({"TableName": "Todo"})
    assert scanned["Count"] == 199
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "item-7"}}})["Item"]["n"] == {"N": "700"}
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "item-9"}}}) == {}


def test_second_process_on_the_same_file_is_refused(tmp_path: Path) -> None:
    engine = Engine.open(tmp_path)
    try:
        done = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                               "from amplify_local.mock.dynamodb import Engine; Engine.open(Path(sys.argv[1]))",
                               str(tmp_path)], capture_output=True, text=True, timeout=60)
    finally:
        engine.close()
    assert done.returncode == 1
    assert "is in use by another amplify-local process" in done.stderr
    Engine.open(tmp_path).close()  # free again once the first engine is closed


def test_development_store_version_is_refused(tmp_path: Path) -> None:
    Engine.open(tmp_path).close()
    connection = sqlite3.connect(tmp_path / "local.sqlite")
    connection.execute("PRAGMA user_version=1")
    connection.close()
    with pytest.raises(StorageError, match="development version"):
        Engine.open(tmp_path)


KILLED_WRITER = """
import os, signal, sys
from amplify_local.mock.dynamodb import DynamoDBError, Engine
engine = Engine.open(sys.argv[1])
engine.create_table({"TableName": "Posts", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "blog", "AttributeType": "S"}],
    "GlobalSecondaryIndexes": [{"IndexName": "byBlog", "KeySchema": [{"AttributeName": "blog", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}}]})
for number in range(30):
    engine.put_item({"TableName": "Posts", "Item": {"id": {"S": f"p{number}"}, "blog": {"S": f"b{number % 3}"}}})
engine.update_item({"TableName": "Posts", "Key": {"id": {"S": "p0"}}, "UpdateExpression": "SET blog = :b",
                    "ExpressionAttributeValues": {":b": {"S": "b9"}}})
engine.delete_item({"TableName": "Posts", "Key": {"id": {"S": "p1"}}})
try:  # cancelled as a whole: its first Put must not reach the log
    engine.transact_write_items({"TransactItems": [
        {"Put": {"TableName": "Posts", "Item": {"id": {"S": "ghost"}, "blog": {"S": "b0"}}}},
        {"ConditionCheck": {"TableName": "Posts", "Key": {"id": {"S": "p2"}},
                            "ConditionExpression": "attribute_not_exists(id)"}}]})
except DynamoDBError:
    pass
print("written", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _blog_ids(engine: Engine, blog: str) -> list[str]:
    answer = engine.query({"TableName": "Posts", "IndexName": "byBlog", "KeyConditionExpression": "blog = :b",
                           "ExpressionAttributeValues": {":b": {"S": blog}}})
    return sorted(item["id"]["S"] for item in answer["Items"])


def _killed_writer(folder: Path) -> Path:
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(folder)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -signal.SIGKILL and done.stdout == "written\n", done.stderr
    log = folder / "local.sqlite-redo"
    assert log.stat().st_size > 0  # the writes were acknowledged from the redo log, not yet committed to SQLite
    return log


def _assert_killed_writer_state(folder: Path) -> None:
    engine = Engine.open(folder)
    try:
        assert engine.scan({"TableName": "Posts", "Select": "COUNT"})["Count"] == 29
        assert _blog_ids(engine, "b9") == ["p0"]
        assert _blog_ids(engine, "b0") == sorted(f"p{n}" for n in range(3, 30, 3))
        assert _blog_ids(engine, "b1") == sorted(f"p{n}" for n in range(4, 30, 3))
    finally:
        engine.close()


def test_redo_log_replays_index_updates_deletes_and_no_cancelled_transaction(tmp_path: Path) -> None:
    _killed_writer(tmp_path)
    _assert_killed_writer_state(tmp_path)
    assert (tmp_path / "local.sqlite-redo").stat().st_size == 0


def test_replaying_a_log_already_committed_changes_nothing(tmp_path: Path) -> None:
    """A kill between SQLite's COMMIT and the log's truncation replays writes the file already holds."""
    log = _killed_writer(tmp_path)
    saved = log.read_bytes()
    _assert_killed_writer_state(tmp_path)
    log.write_bytes(saved)
    _assert_killed_writer_state(tmp_path)


def test_torn_last_frame_is_ignored(tmp_path: Path) -> None:
    """A frame cut short (an OS crash mid-write: never acknowledged) ends the replay; earlier frames apply."""
    log = _killed_writer(tmp_path)
    with log.open("ab") as handle:
        handle.write(b"\x40\x00\x00\x00\x00\x00\x00\x00partial")
    _assert_killed_writer_state(tmp_path)


def test_group_commit_empties_the_log_every_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Journal, "BATCH", 5)
    engine = Engine.open(tmp_path)
    engine.create_table(TABLE)
    log = tmp_path / "local.sqlite-redo"
    sizes = []
    for number in range(7):
        engine.put_item({"TableName": "Todo", "Item": {"id": {"S": f"i{number}"}}})
        sizes.append(log.stat().st_size)
    assert sizes[3] > sizes[0] > 0 and sizes[4] == 0 and sizes[6] > sizes[5] > 0  # the 5th write committed SQLite
    assert engine.scan({"TableName": "Todo", "Select": "COUNT"})["Count"] == 7
    engine.close()
    engine.close()  # a second close (the host's cleanup after a failed start) does nothing
    assert log.stat().st_size == 0  # close commits the rest
    reopened = Engine.open(tmp_path)
    assert reopened.scan({"TableName": "Todo", "Select": "COUNT"})["Count"] == 7
    reopened.close()


def test_a_failed_log_write_undoes_that_write_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk: the PutItem fails, leaves no trace in the engine or the log; the writes before it stay."""
    engine = Engine.open(tmp_path)
    engine.create_table(TABLE)
    engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "kept"}}})
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        real_write(fd, data[:5])  # a torn frame, as a disk filling mid-write leaves
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError, match="No space"):
        engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "lost"}}})
    monkeypatch.setattr(os, "write", real_write)
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "lost"}}}) == {}
    assert engine.get_item({"TableName": "Todo", "Key": {"id": {"S": "kept"}}}) == {"Item": {"id": {"S": "kept"}}}
    engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "after"}}})
    log = (tmp_path / "local.sqlite-redo").read_bytes()
    offset = frames = 0
    while offset < len(log):  # whole frames only: the torn one was cut away, so a replay reaches "after"
        offset += _FRAME.size + _FRAME.unpack_from(log, offset)[0]
        frames += 1
    assert (offset, frames) == (len(log), 2) and b"lost" not in log and b"after" in log
    engine.close()


def test_a_store_of_the_previous_release_is_migrated_with_its_redo_log(tmp_path: Path) -> None:
    """fixtures/store-v2 was written by the release before store version 3 (marshal rows, binary values as
    bytes) and its writer killed with two writes only in the redo log: both are replayed, then migrated."""
    for name in ("local.sqlite", "local.sqlite-redo"):
        shutil.copyfile(Path(__file__).parent / "fixtures" / "store-v2" / name, tmp_path / name)
    engine = Engine.open(tmp_path)
    try:
        key = {"id": {"S": "t"}, "at": {"N": "1"}}
        assert engine.get_item({"TableName": "Todo", "Key": key})["Item"] == {
            **key, "owner": {"S": "ann"}, "blob": {"B": "Af8="}, "tags": {"BS": ["AA==", "AQ=="]},
            "big": {"N": "12345678901234567890123456789012345678"},
            "nested": {"M": {"l": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]}, "ss": {"SS": ["a", "b"]}}}}
        assert engine.get_item({"TableName": "Todo", "Key": key}, plain=True)["Item"]["big"] == (
            12345678901234567890123456789012345678)
        query = {"TableName": "Todo", "KeyConditionExpression": "id = :id", "ExpressionAttributeValues": {":id": {"S": "t"}}}
        assert [item["at"] for item in engine.query(query)["Items"]] == [{"N": "1"}, {"N": "2"}, {"N": "9"}]
        by_owner = engine.query({"TableName": "Todo", "IndexName": "byOwner", "KeyConditionExpression": "#o = :o",
                                 "ExpressionAttributeNames": {"#o": "owner"},
                                 "ExpressionAttributeValues": {":o": {"S": "bob"}}}, plain=True)["Items"]
        assert by_owner == [{"id": "t", "at": 9, "owner": "bob", "blob": "bGF0ZQ=="}]
        engine.put_item({"TableName": "Todo", "Item": {**key, "owner": {"S": "cy"}}})
    finally:
        engine.close()
    connection = sqlite3.connect(tmp_path / "local.sqlite")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 3
    connection.close()
    reopened = Engine.open(tmp_path)  # migrated once: a second open finds version 3
    try:
        assert reopened.get_item({"TableName": "Todo", "Key": key})["Item"] == {**key, "owner": {"S": "cy"}}
    finally:
        reopened.close()


def test_the_row_cache_follows_every_kind_of_write(tmp_path: Path) -> None:
    """Point reads are served from the journal's row cache: each write path keeps it true, and a write that
    is undone (a cancelled transaction, a failed condition) leaves no trace in it."""
    engine = Engine.open(tmp_path)
    try:
        engine.create_table(TABLE)

        def read(key: str) -> dict | None:
            return engine.get_item({"TableName": "Todo", "Key": {"id": {"S": key}}}).get("Item")

        assert read("a") is None  # a miss is cached too
        engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "a"}, "n": {"N": "1"}}})
        assert read("a") == {"id": {"S": "a"}, "n": {"N": "1"}}
        engine.update_item({"TableName": "Todo", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET n = :n",
                            "ExpressionAttributeValues": {":n": {"N": "2"}}})
        assert read("a")["n"] == {"N": "2"}
        with pytest.raises(DynamoDBError, match="Transaction cancelled"):
            engine.transact_write_items({"TransactItems": [
                {"Put": {"TableName": "Todo", "Item": {"id": {"S": "a"}, "n": {"N": "3"}}}},
                {"ConditionCheck": {"TableName": "Todo", "Key": {"id": {"S": "missing"}},
                                    "ConditionExpression": "attribute_exists(id)"}}]})
        assert read("a")["n"] == {"N": "2"}
        engine.publish()  # a commit: the cache outlives it
        assert read("a")["n"] == {"N": "2"}
        engine.batch_write_item({"RequestItems": {"Todo": [{"DeleteRequest": {"Key": {"id": {"S": "a"}}}},
                                                          {"PutRequest": {"Item": {"id": {"S": "b"}}}}]}})
        assert read("a") is None and read("b") == {"id": {"S": "b"}}
        engine.load_items("Todo", [{"id": {"S": "b"}, "n": {"N": "9"}}])
        assert read("b")["n"] == {"N": "9"}
        engine.clear()
        assert read("b") is None
        engine.delete_table({"TableName": "Todo"})
        engine.create_table(TABLE)
        engine.put_item({"TableName": "Todo", "Item": {"id": {"S": "c"}}})
        assert read("b") is None and read("c") == {"id": {"S": "c"}}
    finally:
        engine.close()
    reopened = Engine.open(tmp_path)
    try:
        assert reopened.get_item({"TableName": "Todo", "Key": {"id": {"S": "c"}}})["Item"] == {"id": {"S": "c"}}
    finally:
        reopened.close()
