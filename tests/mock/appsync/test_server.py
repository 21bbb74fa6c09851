"""The HTTP face through a real client against a real server: AppSync's status codes and bodies for bad
input, CORS, `/api-config`, `/clear-data`, and that the server keeps serving after each."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from kit import CORPUS
from ports import free_port

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
