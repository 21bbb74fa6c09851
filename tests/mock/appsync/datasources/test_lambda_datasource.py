"""The AWS_LAMBDA data source on real Node workers: Invoke (the corpus @function events), a two-function
pipeline, BatchInvoke batching of sibling fields, Event invocations and errors."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from kit import CORPUS
from kit import LAMBDAS as PEER_LAMBDAS
from ports import free_port

from amplify_local.mock.appsync.datasources.lambda_ import LambdaDataSource
from amplify_local.mock.appsync.errors import DataSourceError
from amplify_local.mock.appsync.types import DataSourceCall, ResolverContext
from amplify_local.mock.lambda_runner import FunctionRunner

FUNCTION_API = CORPUS / "v1" / "07-function"

HANDLERS = {
    # Answers one result per payload, each telling the size of the batch it came in.
    "batcher.js": """
exports.handler = async (events) => events.map((event) => ({ id: event.source.id, batchSize: events.length }));""",
    "shortbatch.js": "exports.handler = async (events) => events.slice(1);",
    "failing.js": """
exports.handler = async () => { const e = new Error('card declined'); e.name = 'PaymentError'; throw e; };""",
    "recorder.js": """
const fs = require('fs');
exports.handler = async (event) => { fs.writeFileSync(event.file, JSON.stringify(event)); return 'ignored'; };""",
}


def corpus_payload(type_name: str, field_name: str, arguments: dict[str, Any], prev: Any = None) -> dict[str, Any]:
    """The event the corpus's @function pipeline function renders (pipelineFunctions/Invoke*.req.vtl)."""
    return {"typeName": type_name, "fieldName": field_name, "arguments": arguments, "identity": None,
            "source": None, "request": {"headers": {"x-api-key": "da2-fakeApiId123456"}}, "prev": prev}


def call(type_name: str, field_name: str, source: Any = None) -> DataSourceCall:
    return DataSourceCall(type_name, field_name, ResolverContext(arguments={}, source=source))


@pytest.fixture
def handlers(tmp_path: Path) -> Path:
    for name, text in HANDLERS.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def with_runner(lambda_dir: Path, body: Any) -> Any:
    async def main() -> Any:
        runner = FunctionRunner(lambda_dir=lambda_dir, log=lambda *_: None)
        try:
            return await body(runner)
        finally:
            await runner.close()
    return asyncio.run(main())


def expected_answer(step: str) -> Any:
    """The peer's recorded answer for a step of the corpus's @function API."""
    steps = json.loads((FUNCTION_API / "expected.json").read_text())["steps"]
    return next(entry["answer"] for entry in steps if entry["name"] == step)


def test_invoke_echo_and_a_two_function_pipeline() -> None:
    async def body(runner: FunctionRunner) -> dict[str, Any]:
        echo = LambdaDataSource("EchofunctionLambdaDataSource", "echofunction-${env}", runner)
        authorizer = LambdaDataSource("AuthorizerLambdaDataSource", "authorizer", runner)
        calculator = LambdaDataSource("CalculatorLambdaDataSource", "calculator-${env}", runner)
        request = {"version": "2018-05-29", "operation": "Invoke"}
        said = await echo.invoke({**request, "payload": corpus_payload("Query", "echo", {"msg": "hello"})},
                                 call("Query", "echo"))
        arguments = {"a": 2, "b": 3}
        first = await authorizer.invoke({**request, "payload": corpus_payload("Query", "calculate", arguments)},
                                        call("Query", "calculate"))
        total = await calculator.invoke(
            {**request, "payload": corpus_payload("Query", "calculate", arguments, {"result": first})},
            call("Query", "calculate"))
        return {"echo": said, "first": first, "calculate": total}

    result = with_runner(PEER_LAMBDAS, body)
    assert {"echo": result["echo"]} == expected_answer("echo")["data"]
    assert result["first"] == {"allowed": True, "identity": None}
    assert {"calculate": result["calculate"]} == expected_answer("calculate-pipeline")["data"]


def test_batch_invoke_batches_siblings_up_to_max_batch_size(handlers: Path) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        source = LambdaDataSource("Batch", "batcher", runner, max_batch_size={"Post.author": 3})
        request = {"version": "2018-05-29", "operation": "BatchInvoke"}
        return await asyncio.gather(*(
            source.invoke({**request, "payload": {"source": {"id": f"p{i}"}}}, call("Post", "author", {"id": f"p{i}"}))
            for i in range(7)))

    results = with_runner(handlers, body)
    assert [result["id"] for result in results] == [f"p{i}" for i in range(7)]  # each caller gets its own item
    assert [result["batchSize"] for result in results] == [3, 3, 3, 3, 3, 3, 1]  # at most three per call


def test_batch_invoke_default_size_and_fields_batch_separately(handlers: Path) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        source = LambdaDataSource("Batch", "batcher", runner)
        request = {"version": "2018-05-29", "operation": "BatchInvoke"}
        calls = [source.invoke({**request, "payload": {"source": {"id": f"{field}{i}"}}}, call("Post", field))
                 for field in ("author", "editor") for i in range(6)]
        return await asyncio.gather(*calls)

    results = with_runner(handlers, body)
    assert [result["id"] for result in results] == [f"{f}{i}" for f in ("author", "editor") for i in range(6)]
    assert [result["batchSize"] for result in results] == [5, 5, 5, 5, 5, 1] * 2  # per field, default size 5


def test_batch_result_of_the_wrong_length_fails_every_caller(handlers: Path) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        source = LambdaDataSource("Short", "shortbatch", runner)
        request = {"version": "2018-05-29", "operation": "BatchInvoke"}
        return await asyncio.gather(*(source.invoke({**request, "payload": i}, call("T", "f")) for i in range(3)),
                                    return_exceptions=True)

    errors = with_runner(handlers, body)
    assert all(isinstance(error, DataSourceError) for error in errors)
    assert errors[0].error_type == "Lambda:ValidationError"
    assert "sent 3 payloads and got a list of 2" in errors[0].message


def test_a_batch_that_cannot_be_sent_fails_every_caller_instead_of_hanging(handlers: Path) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        source = LambdaDataSource("Batch", "batcher", runner)
        request = {"version": "2018-05-29", "operation": "BatchInvoke"}
        calls = [source.invoke({**request, "payload": {"source": {"id": "p0"}}}, call("Post", "author")),
                 source.invoke({**request, "payload": {"source": object()}}, call("Post", "author"))]
        return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 10)

    errors = with_runner(handlers, body)
    assert [type(error) for error in errors] == [TypeError, TypeError]  # the payload list is not JSON
    assert "Object of type object is not JSON serializable" in str(errors[0])


def test_function_error_is_lambda_unhandled(handlers: Path) -> None:
    logged: list[tuple[str, str, str]] = []

    async def main() -> Any:
        runner = FunctionRunner(lambda_dir=handlers, log=lambda *line: logged.append(line))
        try:
            return await LambdaDataSource("Failing", "failing", runner).invoke(
                {"version": "2018-05-29", "operation": "Invoke", "payload": {}}, call("Mutation", "pay"))
        finally:
            await runner.close()

    with pytest.raises(DataSourceError) as caught:
        asyncio.run(main())
    assert caught.value.to_dict() == {"message": "card declined", "errorType": "Lambda:Unhandled", "data": None,
                                      "errorInfo": None}
    assert ("failing", "stderr", "[amplify-local] Failing failed: PaymentError: card declined") in logged
    assert any("failing.js" in line for _, _, line in logged)  # the trace


def test_missing_function_is_a_data_source_error(handlers: Path) -> None:
    async def body(runner: FunctionRunner) -> Any:
        return await LambdaDataSource("Gone", "gone-${env}", runner).invoke(
            {"version": "2018-05-29", "operation": "Invoke", "payload": {}}, call("Query", "gone"))

    with pytest.raises(DataSourceError) as caught:
        with_runner(handlers, body)
    assert caught.value.error_type == "Lambda:Unhandled"
    assert "Function not found: gone-${env}" in caught.value.message


def test_event_invocation_returns_null_at_once_and_still_runs(handlers: Path, tmp_path: Path) -> None:
    marker = tmp_path / "event-ran.json"

    async def body(runner: FunctionRunner) -> Any:
        result = await LambdaDataSource("Rec", "recorder", runner).invoke(
            {"version": "2018-05-29", "operation": "Invoke", "invocationType": "Event",
             "payload": {"file": str(marker)}}, call("Mutation", "notify"))
        for _ in range(200):
            if marker.exists():
                break
            await asyncio.sleep(0.01)
        return result

    assert with_runner(handlers, body) is None
    assert json.loads(marker.read_text()) == {"file": str(marker)}


@pytest.mark.parametrize(("request_document", "message"), [
    ("not an object", "must render an object"),
    ({"operation": "Query"}, "Unsupported operation 'Query'"),
    ({"operation": "Invoke", "invocationType": "DryRun"}, "Unsupported invocationType 'DryRun'"),
])
def test_malformed_request_documents(handlers: Path, request_document: Any, message: str) -> None:
    async def body(runner: FunctionRunner) -> Any:
        return await LambdaDataSource("Rec", "recorder", runner).invoke(request_document, call("Query", "x"))

    with pytest.raises(DataSourceError, match=message) as caught:
        with_runner(handlers, body)
    assert caught.value.error_type == "Lambda:ValidationError"


@contextmanager
def mock_api(build: Path, lambda_dir: Path, cwd: Path) -> Iterator[str]:
    """`amplify mock api` serving a build folder with single-file handlers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(build), "--port", str(port),
         "--lambda-dir", str(lambda_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "running" not in line:
        process.kill()
        pytest.fail(f"server did not start: {line}{process.stderr.read() if process.stderr else ''}")
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def function_api(tmp_path: Path) -> Iterator[str]:
    """The corpus's @function API with the kit's handlers."""
    with mock_api(FUNCTION_API, PEER_LAMBDAS, tmp_path) as url:
        yield url


def test_function_fields_through_the_server(function_api: str) -> None:
    headers = {"x-api-key": "da2-fakeApiId123456"}
    with httpx.Client(headers=headers, timeout=20) as client:
        echo = client.post(function_api, json={"query": 'query { echo(msg: "hello") }'}).json()
        pipeline = client.post(function_api, json={"query": "query { calculate(a: 2, b: 3) }"}).json()
        both = client.post(function_api, json={"query": 'query { c: calculate(a: 40, b: 2) e: echo(msg: "x") }'}).json()
    assert echo == {"data": expected_answer("echo")["data"]}
    assert pipeline == {"data": expected_answer("calculate-pipeline")["data"]}
    assert both == {"data": expected_answer("two-lambda-fields-one-query")["data"]}


def test_batch_invoke_of_list_items_through_the_server(tmp_path: Path) -> None:
    """Account.balance switched to BatchInvoke: the balances of one list response travel in batches of 5."""
    build = tmp_path / "build"
    shutil.copytree(FUNCTION_API, build)
    template = build / "pipelineFunctions" / "InvokeBalanceResolverLambdaDataSource.req.vtl"
    template.write_text(template.read_text().replace('"operation": "Invoke"', '"operation": "BatchInvoke"'))
    lambdas = tmp_path / "lambdas"
    shutil.copytree(PEER_LAMBDAS, lambdas)
    (lambdas / "balanceResolver.js").write_text(
        "exports.handler = async (events) => events.map((event) => events.length + event.source.name.length / 100);")
    headers = {"x-api-key": "da2-fakeApiId123456"}
    with mock_api(build, lambdas, tmp_path) as url, httpx.Client(headers=headers, timeout=20) as client:
        for number in range(7):
            created = client.post(url, json={"query": "mutation M($n: String!) { createAccount(input: {name: $n}) { id } }",
                                             "variables": {"n": "a" * (number + 1)}}).json()
            assert "errors" not in created, created
        listed = client.post(url, json={"query": "{ listAccounts { items { name balance } } }"}).json()
    items = listed["data"]["listAccounts"]["items"]
    assert len(items) == 7
    for item in items:  # each item got its own result back (its name's length), from a batch of 5 or of 2
        assert round(item["balance"] % 1 * 100) == len(item["name"])
    assert sorted(int(item["balance"]) for item in items) == [2, 2, 5, 5, 5, 5, 5]
