"""The HTTP face through a real client against a real server: AppSync's status codes and bodies for bad
input, CORS, `/api-config`, `/clear-data`, and that the server keeps serving after each."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx
import pytest
from kit import CORPUS
from ports import free_port
from rawhttp import responses

KEY = {"x-api-key": "da2-fakeApiId123456"}
DDB_URL: dict[str, str] = {}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory):
    port, ddb_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(CORPUS / "v1" / "01-todo"),
         "--port", str(port), "--ddb-port", str(ddb_port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path_factory.mktemp("server"),
    )
    assert process.stdout is not None
    assert "AppSync Mock endpoint is running" in process.stdout.readline()
    DDB_URL[f"http://127.0.0.1:{port}"] = f"http://127.0.0.1:{ddb_port}"
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    assert process.wait(timeout=10) == 0


def _post(url: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{url}/graphql", **{"headers": KEY, "timeout": 30, **kwargs})


def _alive(url: str) -> None:
    answer = _post(url, json={"query": "{ listTodos { items { id } } }"})
    assert answer.status_code == 200 and answer.json()["data"]["listTodos"]["items"] is not None


def test_round_trip(url: str) -> None:
    created = _post(url, json={"query": 'mutation { createTodo(input: {id: "s1", name: "n"}) { id name } }'})
    assert created.json() == {"data": {"createTodo": {"id": "s1", "name": "n"}}}
    assert created.headers["access-control-allow-origin"] == "*"
    assert created.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("content", "status", "error_type"),
    [
        (b"{not json", 400, "MalformedHttpRequestException"),
        (b'{"variables": {}}', 400, "BadRequestException"),
        (b'["query"]', 400, "BadRequestException"),
        (b'{"query": "{ listTodos { items { id } } }", "variables": [1]}', 400, "BadRequestException"),
    ],
)
def test_malformed_requests(url: str, content: bytes, status: int, error_type: str) -> None:
    answer = _post(url, content=content)
    assert answer.status_code == status
    assert answer.json()["errors"][0]["errorType"] == error_type
    _alive(url)


def test_a_big_integer_in_the_variables_stays_an_integer(url: str) -> None:
    """orjson would read it as a float (1.2345678901234568e+29): GraphQL must see the integer."""
    answer = _post(url, content=b'{"query": "query ($n: Int) { listTodos(limit: $n) { items { id } } }", '
                                b'"variables": {"n": 123456789012345678901234567890}}')
    [error] = answer.json()["errors"]
    assert "non 32-bit signed integer value: 123456789012345678901234567890" in error["message"]


def test_body_over_10_mib_is_refused(url: str) -> None:
    answer = _post(url, content=b'{"query": "' + b" " * (10 * 1024 * 1024 + 10) + b'"}')
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["errorType"] == "PayloadTooLargeException"
    _alive(url)


def test_syntax_error_is_an_error_message(url: str) -> None:
    answer = _post(url, json={"query": "query { getTodo(id: ) { id } }"})
    assert answer.status_code == 200
    assert answer.json()["errorMessage"].startswith("Syntax Error")


def test_validation_error_and_unknown_operation(url: str) -> None:
    answer = _post(url, json={"query": '{ getTodo(id: "x") { nope } }'})
    body = answer.json()
    assert answer.status_code == 200 and body["data"] is None
    assert "nope" in body["errors"][0]["message"] and "errorType" not in body["errors"][0]
    answer = _post(url, json={"query": "query A { listTodos { items { id } } }", "operationName": "B"})
    assert answer.json()["data"] is None and "B" in answer.json()["errors"][0]["message"]


def test_wrong_scalar_is_refused_with_the_reason(url: str) -> None:
    answer = _post(url, json={"query": "mutation C($i: CreateTodoInput!) { createTodo(input: $i) { id } }",
                              "variables": {"i": {"name": "x", "priority": "high"}}})
    body = answer.json()
    assert body["data"] is None and "priority" in body["errors"][0]["message"]


def test_auth_failures_are_401(url: str) -> None:
    for headers, reason in (({"x-api-key": "da2-nope"}, "Invalid API key"), ({}, "Missing authorization")):
        answer = httpx.post(f"{url}/graphql", json={"query": "{ listTodos { items { id } } }"}, headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"errors": [{"errorType": "UnauthorizedException",
                                             "message": f"UnauthorizedException: {reason}"}]}


def test_subscription_over_http_points_to_realtime(url: str) -> None:
    answer = _post(url, json={"query": "subscription { onCreateTodo { id } }"})
    assert "realtime" in answer.json()["errorMessage"]


def test_cors_preflight(url: str) -> None:
    answer = httpx.options(f"{url}/graphql", headers={"origin": "http://localhost:3000",
                                                      "access-control-request-method": "POST"})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"


def test_api_config(url: str) -> None:
    config = httpx.get(f"{url}/api-config").json()
    assert config["apiKey"] == "da2-fakeApiId123456"
    assert config["defaultAuthenticationType"]["authenticationType"] == "API_KEY"
    assert [p["authenticationType"] for p in config["additionalAuthenticationProviders"]] == [
        "AMAZON_COGNITO_USER_POOLS"]


def test_clear_data_empties_the_tables(url: str) -> None:
    _post(url, json={"query": 'mutation { createTodo(input: {id: "c1", name: "n"}) { id } }'})
    answer = httpx.delete(f"{url}/clear-data")
    assert answer.status_code == 200
    assert answer.json() == {"message": 'Successfully deleted ["TodoTable"] tables'}
    items = _post(url, json={"query": "{ listTodos { items { id } } }"}).json()["data"]["listTodos"]["items"]
    assert items == []


def test_control_seed_and_reset(url: str) -> None:
    seeded = httpx.post(f"{url}/control/seed", json={"TodoTable": [{"id": "seed-1", "name": "seeded", "priority": 3}]})
    assert seeded.status_code == 200 and seeded.json() == {"written": {"TodoTable": 1}}
    got = _post(url, json={"query": '{ getTodo(id: "seed-1") { name priority } }'}).json()
    assert got == {"data": {"getTodo": {"name": "seeded", "priority": 3}}}
    refused = httpx.post(f"{url}/control/seed", json={"NoTable": []})
    assert refused.status_code == 400 and "NoTable" in refused.json()["message"]
    missing_key = httpx.post(f"{url}/control/seed", json={"TodoTable": [{"name": "no id"}]})
    assert missing_key.status_code == 400
    assert httpx.post(f"{url}/control/reset").status_code == 200
    assert _post(url, json={"query": '{ getTodo(id: "seed-1") { name } }'}).json() == {"data": {"getTodo": None}}


def test_dynamodb_endpoint_shares_the_tables(url: str) -> None:
    import boto3

    _post(url, json={"query": 'mutation { createTodo(input: {id: "ddb-1", name: "via graphql"}) { id } }'})
    client = boto3.client("dynamodb", endpoint_url=DDB_URL[url], region_name="us-fake-1",
                          aws_access_key_id="fake", aws_secret_access_key="fake")
    item = client.get_item(TableName="TodoTable", Key={"id": {"S": "ddb-1"}})["Item"]
    assert item["name"] == {"S": "via graphql"}


# --- the GraphQL connection: GraphQL requests answered directly, others by uvicorn ----------------------

LIST = b'{"query": "{ listTodos { items { id } } }"}'


def _request(body: bytes = LIST, head: bytes = b"", method: bytes = b"POST", path: bytes = b"/graphql") -> bytes:
    return (b"%s %s HTTP/1.1\r\nhost: localhost\r\nx-api-key: da2-fakeApiId123456\r\ncontent-type: application/json\r\n"
            b"%scontent-length: %d\r\n\r\n%s" % (method, path, head, len(body), body))


def _connect(url: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=10)
    return sock


def test_keep_alive_then_a_console_request_then_graphql_again(url: str) -> None:
    """GraphQL requests on one connection, then a request for uvicorn (the connection is handed over with
    it), then GraphQL again, now answered by uvicorn: every answer whole and in order."""
    with _connect(url) as sock:
        for _ in range(3):
            sock.sendall(_request())
            [(status, headers, body)] = responses(sock, 1)
            assert status == 200 and json.loads(body)["data"]["listTodos"]["items"] is not None
            assert headers["access-control-allow-origin"] == "*" and "connection" not in headers
        sock.sendall(_request(b"", method=b"GET", path=b"/api-config"))
        [(status, _, body)] = responses(sock, 1)
        assert status == 200 and json.loads(body)["apiKey"] == "da2-fakeApiId123456"
        sock.sendall(_request())
        [(status, _, body)] = responses(sock, 1)
        assert status == 200 and "listTodos" in json.loads(body)["data"]


def test_pipelined_requests_are_answered_in_order(url: str) -> None:
    queries = [b'{"query": "{ getTodo(id: \\"p%d\\") { id } }"}' % n for n in range(5)]
    creates = [b'{"query": "mutation { createTodo(input: {id: \\"p%d\\", name: \\"n\\"}) { id } }"}' % n
               for n in range(5)]
    with _connect(url) as sock:
        sock.sendall(b"".join(_request(body) for body in creates + queries))
        answers = [json.loads(body) for _, _, body in responses(sock, 10)]
    assert [answer["data"]["createTodo"]["id"] for answer in answers[:5]] == [f"p{n}" for n in range(5)]
    assert [answer["data"]["getTodo"]["id"] for answer in answers[5:]] == [f"p{n}" for n in range(5)]


def test_connection_close_and_chunked_bodies(url: str) -> None:
    with _connect(url) as sock:
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(LIST), LIST)
        sock.sendall(b"POST /graphql HTTP/1.1\r\nhost: x\r\nx-api-key: da2-fakeApiId123456\r\n"
                     b"transfer-encoding: chunked\r\n\r\n" + chunked)
        [(status, _, body)] = responses(sock, 1)
        assert status == 200 and "listTodos" in json.loads(body)["data"]
        sock.sendall(_request(head=b"connection: close\r\n"))
        [(status, headers, _)] = responses(sock, 1)
        assert status == 200 and headers["connection"] == "close"
        assert sock.recv(10) == b""


def test_expect_continue_and_malformed_requests_are_uvicorns(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(_request(head=b"expect: 100-continue\r\n")[: -len(LIST)])
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(LIST)
        [(status, _, body)] = responses(sock, 1)
        assert status == 200 and "listTodos" in json.loads(body)["data"]
    with _connect(url) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        [(status, _, _)] = responses(sock, 1)
        assert status == 400
    # a request for uvicorn pipelined behind a GraphQL one in the same packet cannot be handed over
    with _connect(url) as sock:
        sock.sendall(_request() + _request(b"", method=b"GET", path=b"/api-config"))
        (first, _, _), (second, headers, _) = responses(sock, 2)
        assert (first, second, headers["connection"]) == (200, 400, "close")
    _alive(url)


def test_websocket_upgrade_and_tls_on_the_same_port(url: str) -> None:
    with _connect(url) as sock:
        sock.sendall(b"GET /graphql/realtime HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\n"
                     b"sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n"
                     b"sec-websocket-protocol: graphql-ws\r\n\r\n")
        assert sock.recv(1000).startswith(b"HTTP/1.1 101")
    with httpx.Client(verify=False) as client:
        for _ in range(2):
            answer = client.post(f"{url.replace('http:', 'https:')}/graphql", content=LIST, headers=KEY)
            assert answer.status_code == 200 and "listTodos" in answer.json()["data"]


@pytest.mark.parametrize(("api", "eager"), [("01-todo", True), ("07-function", False)])
def test_requests_run_eagerly_only_when_the_api_reaches_no_lambda_or_http_code(api: str, eager: bool) -> None:
    """An AWS_LAMBDA data source awaits the Lambda runner's `asyncio.timeout`, which needs a current task."""
    from amplify_local.mock.appsync.service import MockService

    service = MockService.create(project=None, build=CORPUS / "v1" / api)
    try:
        assert service.app.eager() is eager
    finally:
        service.engine.close()
