"""FunctionRunner with real Node and Python workers: reuse, concurrency, reload, timeouts, crashes."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest
from kit import LAMBDAS as PEER_LAMBDAS

from amplify_local.mock.lambda_runner import FunctionRunner, LambdaError


def run(runner: FunctionRunner, body: Any) -> Any:
    """Run `body(runner)` on a fresh event loop and always close the runner."""
    async def main() -> Any:
        try:
            return await body(runner)
        finally:
            await runner.close()
    return asyncio.run(main())


def test_warm_worker_is_reused_for_node_and_python(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        return [await runner.invoke(name, {"action": "pid"}) for name in ("nodeecho", "nodeecho", "pyecho", "pyecho")]

    node_a, node_b, py_a, py_b = run(FunctionRunner(project, log=logs), body)
    assert node_a == node_b and py_a == py_b and node_a != py_a


def test_names_resolve_with_env_suffix_and_arn(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        event = {"value": 1}
        return [await runner.invoke(name, event) for name in (
            "nodeecho-${env}", "nodeecho-dev", "arn:aws:lambda:eu-west-1:123:function:nodeecho-dev")]

    assert run(FunctionRunner(project, log=logs), body) == [{"echo": {"value": 1}}] * 3


def test_missing_function_names_the_function_and_known_ones(project: Path, logs: Any) -> None:
    runner = FunctionRunner(project, log=logs)
    with pytest.raises(LambdaError) as caught:
        run(runner, lambda r: r.invoke("doesnotexist", {}))
    assert caught.value.error_type == "ResourceNotFoundException"
    assert "Function not found: doesnotexist" in caught.value.error_message
    assert "nodeecho" in caught.value.error_message and "pyecho" in caught.value.error_message
    assert "sharedlayer" not in caught.value.error_message  # layers are not functions


def test_lambda_dir_single_file_handlers(logs: Any) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        return [
            await runner.invoke("echofunction-${env}", {"arguments": {"msg": "hello"}}),
            await runner.invoke("calculator", {"arguments": {"a": 2, "b": 3}}),
            await runner.invoke("mailer", {}),
        ]

    assert run(FunctionRunner(lambda_dir=PEER_LAMBDAS, log=logs), body) == ["hello", 5, True]


def test_concurrent_calls_queue_for_at_most_max_workers(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[list[Any], float]:
        await runner.invoke("nodeecho", {"action": "pid"})  # warm one worker
        started = time.perf_counter()
        results = await asyncio.gather(*(runner.invoke("nodeecho", {"action": "sleep", "ms": 300}) for _ in range(4)))
        return results, time.perf_counter() - started

    results, elapsed = run(FunctionRunner(project, max_workers=2, log=logs), body)
    assert {result["slept"] for result in results} == {300}
    assert len({result["pid"] for result in results}) == 2  # a second worker, never a third
    assert 0.55 < elapsed < 2.5  # two rounds of two parallel calls


def test_node_timeout_kills_the_worker_and_the_next_call_works(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[Any, LambdaError, Any, float]:
        before = await runner.invoke("nodeecho", {"action": "pid"})
        started = time.perf_counter()
        with pytest.raises(LambdaError) as caught:
            await runner.invoke("nodeecho", {"action": "spin"})
        took = time.perf_counter() - started
        return before, caught.value, await runner.invoke("nodeecho", {"action": "pid"}), took

    before, error, after, took = run(FunctionRunner(project, timeout_override=0.5, log=logs), body)
    assert error.error_type == "Sandbox.Timedout"
    assert "Task timed out after 0.50 seconds" in error.error_message
    assert error.function_name == "nodeecho"
    assert took < 2.0
    assert after != before
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # the spinning worker is gone


def test_python_timeout_comes_from_the_template(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[LambdaError, Any]:
        with pytest.raises(LambdaError) as caught:
            await runner.invoke("pyecho", {"action": "sleep", "seconds": 5})
        return caught.value, await runner.invoke("pyecho", {"action": "sleep", "seconds": 0})

    error, after = run(FunctionRunner(project, log=logs), body)
    assert "Task timed out after 1.00 seconds" in error.error_message  # pyecho's template says Timeout 1
    assert after["slept"] == 0


@pytest.mark.parametrize(("name", "event", "message"), [
    ("nodeecho", {"action": "exit", "code": 3}, "Runtime exited with error: exit status 3"),
    ("nodeecho", {"action": "exit", "code": 0}, "Runtime exited without providing a reason"),
    ("pyecho", {"action": "exit", "code": 4}, "Runtime exited with error: exit status 4"),
])
def test_a_process_exit_is_an_exit_error_and_the_next_call_works(project: Path, logs: Any, name: str,
                                                                 event: dict[str, Any], message: str) -> None:
    async def body(runner: FunctionRunner) -> tuple[LambdaError, Any]:
        with pytest.raises(LambdaError) as caught:
            await runner.invoke(name, event)
        return caught.value, await runner.invoke(name, {"ok": True})

    error, after = run(FunctionRunner(project, log=logs), body)
    assert error.error_type == "Runtime.ExitError"
    assert message in error.error_message
    assert after == {"echo": {"ok": True}}


def test_an_interpreter_that_dies_at_start_shows_its_last_words(project: Path, logs: Any, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "bin" / "python3.99"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'python3.99: no such version here' >&2\nexit 127\n")
    broken.chmod(0o755)
    template = project / "amplify/backend/function/pyecho/pyecho-cloudformation-template.json"
    template.write_text(template.read_text().replace('"python3.11"', '"python3.99"'))
    monkeypatch.setenv("PATH", f"{broken.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(LambdaError) as caught:
        FunctionRunner(project, log=logs).invoke_once("pyecho", {})
    assert caught.value.error_message == "Runtime exited with error: exit status 127"
    assert caught.value.trace == ["python3.99: no such version here"]


def test_stray_rejection_fails_the_call_and_replaces_the_worker(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[LambdaError, Any]:
        with pytest.raises(LambdaError) as caught:
            await runner.invoke("nodeecho", {"action": "stray-rejection"})
        return caught.value, await runner.invoke("nodeecho", {"n": 1})

    error, after = run(FunctionRunner(project, log=logs), body)
    assert error.error_type == "Runtime.UnhandledPromiseRejection"
    assert error.error_message == "stray failure"
    assert after == {"echo": {"n": 1}}


def test_stray_error_after_a_call_does_not_fail_the_next_one(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[Any, Any]:
        first = await runner.invoke("nodeecho", {"action": "stray-after-return"})
        await asyncio.sleep(0.2)  # the stray rejection kills that worker while it is idle
        return first, await runner.invoke("nodeecho", {"action": "pid"})

    first, second = run(FunctionRunner(project, log=logs), body)
    assert first != second
    assert any("late failure" in line for line in logs.of("nodeecho", "stderr"))


def test_megabytes_of_output_are_streamed_with_the_function_name(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> list[Any]:
        return [await runner.invoke("nodeecho", {"action": "print", "kb": 4096}),
                await runner.invoke("pyecho", {"action": "print", "kb": 2048}),
                await runner.invoke("nodeecho", {"action": "log"})]

    node, python, logged = run(FunctionRunner(project, log=logs), body)
    assert node == {"printed": 4096} and python == {"printed": 2048} and logged == "logged"
    assert logs.of("nodeecho", "stdout").count("x" * 1023) == 4096
    assert logs.of("pyecho", "stdout").count("x" * 1023) == 2048
    assert "done printing" in logs.of("nodeecho", "stderr")
    assert "hello from nodeecho" in logs.of("nodeecho", "stdout")


def test_a_huge_line_without_newline_is_cut_into_pieces(project: Path, logs: Any) -> None:
    size = 3 * 1024 * 1024
    result = run(FunctionRunner(project, log=logs), lambda r: r.invoke("pyecho", {"action": "print-one-line", "bytes": size}))
    assert result == {"printed": size}
    pieces = logs.of("pyecho", "stdout")
    assert "".join(pieces) == "z" * size
    assert max(len(piece) for piece in pieces) <= 16 * 1024


def test_response_and_request_size_limits(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[LambdaError, LambdaError, Any]:
        with pytest.raises(LambdaError) as response:
            await runner.invoke("nodeecho", {"action": "huge"})
        with pytest.raises(LambdaError) as request:
            await runner.invoke("nodeecho", {"blob": "z" * 7_000_000})
        return response.value, request.value, await runner.invoke("nodeecho", {"after": 1})

    response, request, after = run(FunctionRunner(project, log=logs), body)
    assert response.error_type == "Function.ResponseSizeTooLarge"
    assert request.error_type == "RequestEntityTooLargeException"
    assert after == {"echo": {"after": 1}}


def test_code_change_restarts_the_worker(project: Path, logs: Any) -> None:
    source = project / "amplify/backend/function/nodeecho/src/index.js"

    async def body(runner: FunctionRunner) -> tuple[Any, Any, Any, Any]:
        first_pid = await runner.invoke("nodeecho", {"action": "pid"})
        first = await runner.invoke("nodeecho", {"x": 1})
        source.write_text("exports.handler = async (event) => ({ edited: true, pid: process.pid });\n")
        second = await runner.invoke("nodeecho", {"x": 1})
        return first_pid, first, second, await runner.invoke("nodeecho", {})

    first_pid, first, second, third = run(FunctionRunner(project, log=logs), body)
    assert first == {"echo": {"x": 1}}
    assert second["edited"] is True and second["pid"] != first_pid
    assert third["pid"] == second["pid"]  # warm again after the restart


def test_a_large_function_folder_is_rechecked_within_a_second(project: Path, logs: Any) -> None:
    src = project / "amplify/backend/function/nodeecho/src"
    assets = src / "assets"
    assets.mkdir()
    for number in range(3000):  # enough files that checking them costs milliseconds
        (assets / f"{number}.txt").write_text("x")

    async def body(runner: FunctionRunner) -> Any:
        await runner.invoke("nodeecho", {})
        (src / "index.js").write_text("exports.handler = async () => 'edited';\n")
        await asyncio.sleep(1.05)
        return await runner.invoke("nodeecho", {})

    assert run(FunctionRunner(project, log=logs), body) == "edited"


def test_a_fixed_syntax_error_works_on_the_next_call(project: Path, logs: Any) -> None:
    source = project / "amplify/backend/function/brokensyntax/src/index.js"

    async def body(runner: FunctionRunner) -> tuple[LambdaError, Any]:
        with pytest.raises(LambdaError) as caught:
            await runner.invoke("brokensyntax", {})
        source.write_text("exports.handler = async () => 'fixed';\n")
        return caught.value, await runner.invoke("brokensyntax", {})

    error, after = run(FunctionRunner(project, log=logs), body)
    assert error.error_type == "Runtime.UserCodeSyntaxError"
    assert after == "fixed"


def test_env_change_in_dotenv_restarts_with_new_values(project: Path, logs: Any) -> None:
    dotenv = project / "amplify/backend/function/nodeecho/.env"

    async def body(runner: FunctionRunner) -> tuple[Any, Any]:
        event = {"action": "env", "keys": ["OVERRIDDEN"]}
        before = await runner.invoke("nodeecho", event)
        dotenv.write_text("OVERRIDDEN=edited-dotenv\n")
        return before, await runner.invoke("nodeecho", event)

    assert run(FunctionRunner(project, log=logs), body) == (
        {"OVERRIDDEN": "from-dotenv"}, {"OVERRIDDEN": "edited-dotenv"})


def test_warm_starts_a_worker_before_the_first_call(project: Path, logs: Any) -> None:
    async def body(runner: FunctionRunner) -> tuple[list[Any], Any]:
        await runner.warm("pyecho")
        before = [worker.state for worker in runner._functions["pyecho"].workers]
        return before, await runner.invoke("pyecho", {"w": 1})

    before, result = run(FunctionRunner(project, log=logs), body)
    assert [state.value for state in before] == ["idle"]  # started and loaded, waiting for the first call
    assert result == {"echo": {"w": 1}}


def test_malformed_project_file_fails_project_functions_not_the_runner(project: Path, logs: Any) -> None:
    meta = project / "amplify/backend/amplify-meta.json"
    meta.write_text('{"providers": }')
    runner = FunctionRunner(project, lambda_dir=PEER_LAMBDAS, log=logs)
    assert any(f"{meta}:1:" in line for line in logs.of("amplify-local", "stderr"))

    async def body(r: FunctionRunner) -> Any:
        with pytest.raises(LambdaError) as caught:
            await r.invoke("nodeecho", {})
        assert caught.value.error_type == "InvalidParameterValueException"
        assert f"{meta}:1:" in caught.value.error_message and caught.value.function_name == "nodeecho"
        return await r.invoke("mailer", {})  # a lambda_dir function still runs

    assert run(runner, body) is True


def test_closed_runner_refuses_calls(project: Path, logs: Any) -> None:
    runner = FunctionRunner(project, log=logs)
    run(runner, lambda r: r.invoke("nodeecho", {}))
    with pytest.raises(LambdaError) as caught:
        asyncio.run(runner.invoke("nodeecho", {}))
    assert caught.value.error_type == "ServiceException"
