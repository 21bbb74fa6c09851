"""`amplify mock dynamodb` as a user runs it: the announced URL, SDK calls, data kept, clean stop, busy port."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from ports import busy_port, free_port


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "amplify_local", "mock", "dynamodb", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def _client(port: int) -> Any:
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-fake-1",
                        aws_access_key_id="fake", aws_secret_access_key="fake")


def test_serves_sdk_calls_keeps_data_and_stops_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "amplify" / "mock-data" / "dynamodb"
    for round_number in range(2):
        port = free_port()
        process = _start(["--port", str(port)], tmp_path)
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == (
                f"DynamoDB endpoint is running at http://127.0.0.1:{port} (data in {data / 'local.sqlite'})")
            client = _client(port)
            if round_number == 0:
                client.create_table(TableName="Todo", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                    BillingMode="PAY_PER_REQUEST")
                client.put_item(TableName="Todo", Item={"id": {"S": "kept"}})
            else:
                assert client.get_item(TableName="Todo", Key={"id": {"S": "kept"}})["Item"] == {"id": {"S": "kept"}}
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


def test_busy_port_is_refused_clearly(tmp_path: Path) -> None:
    with busy_port() as port:
        process = _start(["--port", str(port), "--in-memory"], tmp_path)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert f"Port {port} is not free" in err and "--port" in err


def test_readers_option_is_checked(tmp_path: Path) -> None:
    for args, message in ((["--in-memory", "--readers", "1"], "--readers needs a file (not --in-memory)"),
                          (["--readers", "-1"], "--readers must be 0 or more")):
        process = _start(["--port", "0", *args], tmp_path)
        _, err = process.communicate(timeout=30)
        assert process.returncode == 2
        assert message in err


def test_without_readers_it_is_one_process(tmp_path: Path) -> None:
    port = free_port()
    process = _start(["--port", str(port), "--readers", "0"], tmp_path)
    try:
        assert process.stdout is not None
        assert "DynamoDB endpoint is running" in process.stdout.readline()
        client = _client(port)
        client.create_table(TableName="Todo", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        assert client.list_tables()["TableNames"] == ["Todo"]
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout
        assert children == ""
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
