"""The HTTP data source makes real calls (to a local server here) in AppSync's HTTP resolver format."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ports import free_port

from amplify_local.mock.appsync import loader
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.types import (
    ApiDefinition,
    AuthProvider,
    DataSourceConfig,
    MappingTemplate,
    Resolver,
)


class Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.dumps({"method": self.command, "path": self.path, "header": self.headers.get("x-test"),
                           "body": self.rfile.read(length).decode()}).encode()
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _simulator(endpoint: str):
    request = MappingTemplate(
        '{"version": "2018-05-29", "method": "$ctx.args.method", "resourcePath": "/things/$ctx.args.id",'
        ' "params": {"query": {"q": "a b"}, "headers": {"x-test": "yes"}, "body": $util.toJson($ctx.args.body)}}')
    response = MappingTemplate(
        '#if($ctx.error)$util.error($ctx.error.message, $ctx.error.type)#end'
        '$util.toJson({"status": $ctx.result.statusCode, "echo": $util.parseJson($ctx.result.body)})')
    api = ApiDefinition(
        "http", "type Query { call(method: String!, id: ID!, body: String, down: Boolean): AWSJSON }",
        AuthProvider("API_KEY"),
        resolvers={("Query", "call"): Resolver("Query", "call", data_source="Remote", request=request,
                                               response=response)},
        data_sources={"Remote": DataSourceConfig("Remote", "HTTP", endpoint=endpoint)},
    )
    return loader.load(api, Engine.open(None))


def _call(simulator, query: str) -> dict:
    return asyncio.run(simulator.handle({"query": query}, {"x-api-key": "da2-fakeApiId123456"}))[1]


def test_get_and_post(endpoint: str) -> None:
    simulator = _simulator(endpoint)
    got = json.loads(_call(simulator, '{ call(method: "GET", id: "7") }')["data"]["call"])
    assert got == {"status": 200, "echo": {"method": "GET", "path": "/things/7?q=a+b", "header": "yes", "body": ""}}
    posted = json.loads(_call(simulator, '{ call(method: "POST", id: "8", body: "{\\"a\\":1}") }')["data"]["call"])
    assert posted["status"] == 201 and posted["echo"]["body"] == '{"a":1}'


def test_connection_failure_is_a_data_source_error() -> None:
    simulator = _simulator(f"http://127.0.0.1:{free_port()}")
    body = _call(simulator, '{ call(method: "GET", id: "1") }')
    assert body["data"] == {"call": None}
    assert body["errors"][0]["errorType"] == "HTTP:ConnectionError"


def test_bad_method_is_refused(endpoint: str) -> None:
    body = _call(_simulator(endpoint), '{ call(method: "BREW", id: "1") }')
    assert body["errors"][0]["errorType"] == "HTTP:ValidationError"
