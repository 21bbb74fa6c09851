"""The worker shims through the runner: handler loading, context objects, handler styles, error shapes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.lambda_runner import FunctionRunner, LambdaError
from amplify_local.mock.lambda_runner.discovery import Project, Settings, discover, load_spec
from amplify_local.mock.lambda_runner.worker import Worker, WorkerLost, WorkerState


def call(project: Path, logs: Any, name: str, event: Any, **options: Any) -> Any:
    async def main() -> Any:
        runner = FunctionRunner(project, log=logs)
        try:
            return await runner.invoke(name, event, **options)
        finally:
            await runner.close()
    return asyncio.run(main())


def failure(project: Path, logs: Any, name: str, event: Any = None) -> LambdaError:
    with pytest.raises(LambdaError) as caught:
        call(project, logs, name, event if event is not None else {})
    return caught.value


def test_node_context_object(project: Path, logs: Any) -> None:
    context = call(project, logs, "nodeecho", {"action": "context"},
                   identity={"cognitoIdentityId": "id-1"}, client_context={"custom": {"k": "v"}})
    assert context["functionName"] == "nodeecho-dev"
    assert context["functionVersion"] == "$LATEST"
    assert context["invokedFunctionArn"] == "arn:aws:lambda:eu-west-1:12345678910:function:nodeecho-dev"
    assert context["memoryLimitInMB"] == "256"
    assert len(context["awsRequestId"]) == 36
    assert context["logGroupName"] == "/aws/lambda/nodeecho-dev"
    assert context["logStreamName"].startswith("nodeecho-dev/[$LATEST]")
    assert 24_000 < context["remaining"] <= 25_000  # the template's Timeout is 25
    assert context["callbackWaitsForEmptyEventLoop"] is True
    assert context["identity"] == {"cognitoIdentityId": "id-1"}
    assert context["clientContext"] == {"custom": {"k": "v"}}
    assert context["cwd"] == str(project / "amplify/backend/function/nodeecho/src")


def test_python_context_object(project: Path, logs: Any) -> None:
    context = call(project, logs, "pyecho", {"action": "context"}, identity={"id": 1})
    assert context["function_name"] == "pyecho-dev"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"].endswith(":function:pyecho-dev")
    assert context["memory_limit_in_mb"] == "128"
    assert len(context["aws_request_id"]) == 36
    assert context["log_group_name"] == "/aws/lambda/pyecho-dev"
    assert 0 < context["remaining"] <= 1000  # Timeout 1
    assert context["identity"] == {"id": 1}
    assert context["client_context"] is None
    assert context["cwd"] == str(project / "amplify/backend/function/pyecho/src")


def test_callback_style_handler(project: Path, logs: Any) -> None:
    assert call(project, logs, "nodecallback", {"value": 7}) == {"style": "callback", "value": 7}
    error = failure(project, logs, "nodecallback", {"fail": True})
    assert (error.error_type, error.error_message) == ("TypeError", "callback failure")


def test_thrown_errors_keep_their_type_message_and_trace(project: Path, logs: Any) -> None:
    node = failure(project, logs, "nodeecho", {"action": "throw", "message": "amount must be positive"})
    assert (node.error_type, node.error_message) == ("ValidationFailed", "amount must be positive")
    assert node.trace[0] == "ValidationFailed: amount must be positive"
    assert any("index.js" in line for line in node.trace)
    assert node.to_payload() == {"errorType": "ValidationFailed", "errorMessage": "amount must be positive",
                                 "trace": node.trace}
    python = failure(project, logs, "pyecho", {"action": "raise", "message": "bad input"})
    assert (python.error_type, python.error_message) == ("ValidationFailed", "bad input")
    assert any("index.py" in line for line in python.trace)
    assert python.to_payload() == {"errorType": "ValidationFailed", "errorMessage": "bad input",
                                   "stackTrace": python.trace}  # the Python runtime's key
    assert "nodeecho failed: ValidationFailed" in str(node)


def test_es_module_handler(project: Path, logs: Any) -> None:
    src = project / "amplify/backend/function/nodeecho/src"
    (src / "index.js").unlink()
    (src / "index.mjs").write_text("export const handler = async (event) => ({ esm: true, got: event.n });\n")
    assert call(project, logs, "nodeecho", {"n": 2}) == {"esm": True, "got": 2}


def test_python_unserializable_result_is_a_marshal_error(project: Path, logs: Any) -> None:
    error = failure(project, logs, "pyecho", {"action": "unserializable"})
    assert error.error_type == "Runtime.MarshalError"
    assert "not JSON serializable" in error.error_message


@pytest.mark.parametrize(("name", "error_type", "fragment"), [
    ("brokensyntax", "Runtime.UserCodeSyntaxError", "SyntaxError"),
    ("pybrokensyntax", "Runtime.UserCodeSyntaxError", "Syntax error in module 'index'"),
    ("nohandler", "Runtime.HandlerNotFound", "index.handler is undefined or not exported"),
    ("nomodule", "Runtime.ImportModuleError", "Cannot find module 'missing'"),
    ("badruntime", "InvalidRuntimeException", "runtime java11 cannot run locally"),
])
def test_unusable_functions_name_the_problem(project: Path, logs: Any, name: str, error_type: str,
                                             fragment: str) -> None:
    # Written here: a committed Python file with a syntax error would fail the linter.
    (project / "amplify/backend/function/pybrokensyntax/src/index.py").write_text("def handler(event, context)\n")
    error = failure(project, logs, name)
    assert error.error_type == error_type
    assert fragment in error.error_message
    assert error.function_name == name and name in str(error)


def test_node_missing_dependency_is_an_import_error(project: Path, logs: Any) -> None:
    source = project / "amplify/backend/function/nodeecho/src/index.js"
    source.write_text("const pad = require('left-pad-not-installed');\nexports.handler = async () => pad;\n")
    error = failure(project, logs, "nodeecho")
    assert error.error_type == "Runtime.ImportModuleError"
    assert "Cannot find module 'left-pad-not-installed'" in error.error_message


def test_python_missing_module_and_handler(project: Path, logs: Any) -> None:
    source = project / "amplify/backend/function/pyecho/src/index.py"
    source.write_text("import not_installed_anywhere\n")
    error = failure(project, logs, "pyecho")
    assert error.error_type == "Runtime.ImportModuleError"
    assert error.error_message == "Unable to import module 'index': No module named 'not_installed_anywhere'"
    source.write_text("def other(event, context):\n    return 1\n")
    error = failure(project, logs, "pyecho")
    assert (error.error_type, error.error_message) == ("Runtime.HandlerNotFound", "Handler 'handler' missing on module 'index'")


def test_worker_state_machine(project: Path, logs: Any) -> None:
    loaded = Project.load(project)
    spec = load_spec(discover(loaded, None)["nodeecho"], loaded, Settings())

    async def main() -> list[WorkerState]:
        worker = Worker(spec, logs)
        states = [worker.state]
        await worker.start()
        states.append(worker.state)
        await worker.invoke(b'{"a": 1}', timeout=5)
        states.append(worker.state)
        with pytest.raises(RuntimeError):  # a worker serves one invocation at a time
            await asyncio.gather(worker.invoke(b'{"action": "sleep", "ms": 50}', timeout=5),
                                 worker.invoke(b"{}", timeout=5))
        await asyncio.sleep(0.1)
        await worker.stop()
        states.append(worker.state)
        return states

    assert asyncio.run(main()) == [WorkerState.STARTING, WorkerState.IDLE, WorkerState.IDLE, WorkerState.DEAD]



def test_a_stale_fatal_frame_means_the_worker_is_lost(project: Path, logs: Any) -> None:
    loaded = Project.load(project)
    spec = load_spec(discover(loaded, None)["nodeecho"], loaded, Settings())

    async def main() -> WorkerState:
        worker = Worker(spec, logs)
        await worker.start()
        await worker.invoke(b'{"action": "stray-after-return"}', timeout=5)
        await asyncio.sleep(0.2)
        with pytest.raises(WorkerLost, match="late failure"):
            await worker.invoke(b"{}", timeout=5)
        return worker.state

    assert asyncio.run(main()) is WorkerState.DEAD
