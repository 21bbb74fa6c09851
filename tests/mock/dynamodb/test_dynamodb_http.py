"""The endpoint's HTTP/1.1 server through real sockets: the protocol corners SDKs and tools reach
(keep-alive, close, HTTP/1.0, pipelining, split and chunked bodies, 100-continue, limits, malformed input,
disconnects), and the JSON protocol through boto3."""

from __future__ import annotations

import json
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from rawhttp import Reader

from amplify_local.mock import http
from amplify_local.mock.dynamodb import Engine
from amplify_local.mock.dynamodb.api import Endpoint, handle
from amplify_local.mock.jsonwire import dumps_ascii as _encode

TODO = {"TableName": "Todo", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
LIST_TABLES = b'{"Limit": 5}'


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine.open(None)
    engine.create_table(TODO)
    return engine


@pytest.fixture(scope="module")
def endpoint(engine: Engine) -> Iterator[Endpoint]:
    endpoint = Endpoint.start(engine)
    yield endpoint
    endpoint.stop()


@pytest.fixture
def conn(endpoint: Endpoint) -> Iterator[socket.socket]:
    host, port = endpoint.url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=5)
    yield sock
    sock.close()


def request(target: str = "ListTables", body: bytes = LIST_TABLES, *, version: str = "1.1", extra: str = "",
            length: bool = True) -> bytes:
    head = (f"POST / HTTP/{version}\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: DynamoDB_20120810.{target}\r\n{extra}")
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def test_keep_alive_serves_many_requests_on_one_connection(conn: socket.socket) -> None:
    reader = Reader(conn)
    for _ in range(3):
        conn.sendall(request())
        status, headers, body = reader.response()
        assert status == 200 and json.loads(body) == {"TableNames": ["Todo"]}
        assert headers["content-type"] == "application/x-amz-json-1.0"
        assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
        assert len(headers["x-amzn-requestid"]) == 32 and "connection" not in headers


def test_connection_close_is_honoured(conn: socket.socket) -> None:
    conn.sendall(request(extra="Connection: close\r\n"))
    reader = Reader(conn)
    status, headers, _ = reader.response()
    assert status == 200 and headers["connection"] == "close"
    assert reader.closed()


def test_http_1_0_closes_unless_keep_alive_is_asked(endpoint: Endpoint, conn: socket.socket) -> None:
    conn.sendall(request(version="1.0", extra="Connection: keep-alive\r\n"))
    reader = Reader(conn)
    status, headers, _ = reader.response()
    assert status == 200 and headers["connection"] == "keep-alive"
    conn.sendall(request(version="1.0"))
    status, headers, _ = reader.response()
    assert status == 200 and headers["connection"] == "close"
    assert reader.closed()


def test_pipelined_requests_are_answered_in_order(conn: socket.socket) -> None:
    keys = [f"p-{number}" for number in range(20)]
    puts = b"".join(request("PutItem", json.dumps({"TableName": "Todo", "Item": {"id": {"S": key}}}).encode())
                    for key in keys)
    gets = b"".join(request("GetItem", json.dumps({"TableName": "Todo", "Key": {"id": {"S": key}}}).encode())
                    for key in keys)
    conn.sendall(puts + gets)
    reader = Reader(conn)
    assert [reader.response()[0] for _ in keys] == [200] * len(keys)
    assert [json.loads(reader.response()[2])["Item"]["id"]["S"] for _ in keys] == keys


def get(engine: Engine, key: str) -> dict:
    return engine.get_item({"TableName": "Todo", "Key": {"id": {"S": key}}})


def test_a_request_split_over_many_packets(engine: Engine, conn: socket.socket) -> None:
    raw = request("PutItem", json.dumps({"TableName": "Todo", "Item": {"id": {"S": "split"}, "x": {"S": "y" * 500}}}
                                        ).encode())
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for start in range(0, len(raw), 7):
        conn.sendall(raw[start:start + 7])
        time.sleep(0.0005 if start < 200 else 0)
    assert Reader(conn).response()[0] == 200
    assert get(engine, "split")["Item"]["x"]["S"] == "y" * 500


def test_chunked_request_body(engine: Engine, conn: socket.socket) -> None:
    body = json.dumps({"TableName": "Todo", "Item": {"id": {"S": "chunked"}, "n": {"N": "7"}}}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:30], body[30:]))
    conn.sendall(request("PutItem", chunks + b"0\r\n\r\n", extra="Transfer-Encoding: chunked\r\n", length=False))
    assert Reader(conn).response()[0] == 200
    assert get(engine, "chunked")["Item"]["n"] == {"N": "7"}


def test_expect_100_continue_is_answered_before_the_body(conn: socket.socket) -> None:
    body = json.dumps({"TableName": "Todo", "Item": {"id": {"S": "expect"}}}).encode()
    head, _, _ = request("PutItem", body, extra="Expect: 100-continue\r\n").partition(b"\r\n\r\n")
    conn.sendall(head + b"\r\n\r\n")
    reader = Reader(conn)
    status, _, interim = reader.response()
    assert (status, interim) == (100, b"")
    conn.sendall(body)
    assert reader.response()[0] == 200


def test_a_body_over_16_mb_is_refused_with_413_and_no_continue(conn: socket.socket) -> None:
    conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
                 b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % (http.MAX_BODY + 1))
    reader = Reader(conn)
    status, headers, body = reader.response()
    assert (status, body, headers["connection"]) == (413, b"", "close")
    assert reader.closed()


def test_a_chunked_body_growing_over_16_mb_is_refused(conn: socket.socket) -> None:
    conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    megabyte = b"%x\r\n%s\r\n" % (2**20, b"x" * 2**20)
    try:
        for _ in range(17):
            conn.sendall(megabyte)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed after answering
    status, _, _ = Reader(conn).response()
    assert status == 413


@pytest.mark.parametrize("raw", [b"NOT HTTP AT ALL\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                                 b"POST / HTTP/1.1\r\nBad Header\r\n\r\n",
                                 b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"])
def test_malformed_http_is_a_400_and_the_connection_closes(conn: socket.socket, raw: bytes) -> None:
    conn.sendall(raw)
    reader = Reader(conn)
    status, headers, body = reader.response()
    assert (status, headers["connection"], body) == (400, "close", b"Invalid HTTP request received.")
    assert reader.closed()


def test_an_endless_head_is_refused(conn: socket.socket) -> None:
    conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    try:
        for number in range(200):
            conn.sendall(b"X-Filler-%d: %s\r\n" % (number, b"v" * 1000))
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert Reader(conn).response()[0] == 431


def test_a_client_leaving_mid_request_leaves_the_server_serving(engine: Engine, endpoint: Endpoint,
                                                                conn: socket.socket) -> None:
    host, port = endpoint.url.removeprefix("http://").rsplit(":", 1)
    for partial in (request("PutItem", b'{"TableName": "Todo", "Item": {"id": {"S": "gone"}}}')[:-10],
                    request()[:20]):
        with socket.create_connection((host, int(port))) as leaving:
            leaving.sendall(partial)
    conn.sendall(request())
    assert Reader(conn).response()[0] == 200
    assert "Item" not in get(engine, "gone")


def test_other_methods_and_paths_answer_as_the_endpoint_did(conn: socket.socket) -> None:
    reader = Reader(conn)
    conn.sendall(b"GET /any/path HTTP/1.1\r\nHost: x\r\n\r\n")
    status, headers, body = reader.response()
    assert (status, body) == (200, b"healthy: dynamodb.us-fake-1.amazonaws.com")
    assert headers["content-type"] == "text/plain" and headers["access-control-allow-origin"] == "*"
    conn.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    conn.sendall(b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3000\r\n\r\n")
    status, headers, _ = reader.response(head_only=True)
    assert status == 200 and headers["content-length"] == str(len(body))
    status, headers, body = reader.response()
    assert (status, body) == (200, b"") and headers["access-control-allow-methods"] == "GET,POST,OPTIONS"
    conn.sendall(request(target="ListTables", extra="Origin: http://localhost:3000\r\n").replace(b"POST /", b"POST /x"))
    status, headers, body = reader.response()
    assert status == 200 and json.loads(body) == {"TableNames": ["Todo"]}
    assert headers["access-control-expose-headers"] == "x-amzn-RequestId,x-amz-crc32"


def test_an_h2c_upgrade_request_is_answered_over_http_1_1(engine: Engine, conn: socket.socket) -> None:
    body = json.dumps({"TableName": "Todo", "Item": {"id": {"S": "upgraded"}}}).encode()
    conn.sendall(request("PutItem", body, extra="Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                         "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"))
    reader = Reader(conn)
    status, headers, _ = reader.response()
    assert status == 200 and headers["connection"] == "close"
    assert get(engine, "upgraded")["Item"] == {"id": {"S": "upgraded"}}
    assert reader.closed()


def test_concurrent_boto3_writers_lose_nothing(endpoint: Endpoint) -> None:
    def client() -> Any:
        return boto3.client("dynamodb", endpoint_url=endpoint.url, region_name="us-fake-1",
                            aws_access_key_id="fake", aws_secret_access_key="fake")

    def writer(number: int) -> None:
        each = client()
        for count in range(25):
            each.update_item(TableName="Todo", Key={"id": {"S": "counter"}}, UpdateExpression="ADD n :one",
                             ExpressionAttributeValues={":one": {"N": "1"}})
            each.put_item(TableName="Todo", Item={"id": {"S": f"w-{number}-{count}"}})

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = client()
    assert reader.get_item(TableName="Todo", Key={"id": {"S": "counter"}})["Item"]["n"] == {"N": "150"}
    assert reader.scan(TableName="Todo", Select="COUNT", ScanFilter={"id": {
        "AttributeValueList": [{"S": "w-"}], "ComparisonOperator": "BEGINS_WITH"}})["Count"] == 150


def test_answers_keep_json_escapes_and_big_numbers(endpoint: Endpoint, conn: socket.socket) -> None:
    """orjson writes UTF-8 and refuses integers beyond 64 bits; the endpoint's bytes stay `json`'s."""
    answer = {"Item": {"name": {"S": "héllo ☃ 𝄞"}}, "Count": 2**70}
    assert _encode(answer) == json.dumps(answer, separators=(",", ":")).encode()
    client = boto3.client("dynamodb", endpoint_url=endpoint.url, region_name="us-fake-1",
                          aws_access_key_id="fake", aws_secret_access_key="fake")
    client.put_item(TableName="Todo", Item={"id": {"S": "utf"}, "name": {"S": "héllo ☃ 𝄞"}})
    assert client.get_item(TableName="Todo", Key={"id": {"S": "utf"}})["Item"]["name"] == {"S": "héllo ☃ 𝄞"}
    conn.sendall(request("GetItem", b'{"TableName": "Todo", "Key": {"id": {"S": "utf"}}}'))
    assert Reader(conn).response()[2] == b'{"Item":{"id":{"S":"utf"},"name":{"S":"h\\u00e9llo \\u2603 \\ud834\\udd1e"}}}'


def test_requests_json_refuses_orjson_refusals_alike(engine: Engine) -> None:
    """A request orjson cannot read (an integer beyond 64 bits) is read by `json`, as before."""
    status, answer = handle(engine, "DynamoDB_20120810.ListTables", b'{"Limit": 100000000000000000000}')
    assert status == 400 and answer["__type"].endswith("ValidationException")
    status, answer = handle(engine, "DynamoDB_20120810.ListTables", b'{"Limit": 5')
    assert (status, answer["__type"]) == (400, "com.amazon.coral.service#SerializationException")


def test_stop_closes_open_connections(engine: Engine) -> None:
    endpoint = Endpoint.start(engine)
    host, port = endpoint.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request())
        reader = Reader(sock)
        assert reader.response()[0] == 200
        endpoint.stop()
        assert reader.closed()
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=1).close()
