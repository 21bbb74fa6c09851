"""`amplify mock api` as a user runs it: printed lines, port choice, busy port, clean stop, bad build."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from kit import CORPUS
from ports import busy_port, free_port

BUILD = CORPUS / "v1" / "01-todo"


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "amplify_local", "mock", "api", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def test_prints_the_reference_lines_and_stops_on_sigint(tmp_path: Path) -> None:
    port = free_port()
    process = _start(["--build", str(BUILD), "--port", str(port)], tmp_path)
    assert process.stdout.readline().strip() == f"AppSync Mock endpoint is running at http://127.0.0.1:{port}"
    assert process.stdout.readline().strip() == f"GraphQL IDE is available for local testing at http://localhost:{port}"
    answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ listTodos { items { id } } }"},
                        headers={"x-api-key": "da2-fakeApiId123456"}, timeout=30)
    assert answer.json() == {"data": {"listTodos": {"items": []}}}
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def test_busy_port_is_refused_clearly(tmp_path: Path) -> None:
    with busy_port() as port:
        process = _start(["--build", str(BUILD), "--port", str(port)], tmp_path)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert f"Port {port} is already in use. Please kill the program using this port and restart Mock" in err


def test_port_from_mock_json(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "amplify").mkdir()
    (tmp_path / "amplify" / "mock.json").write_text(json.dumps({"graphqlPort": port}))
    api = tmp_path / "amplify" / "backend" / "api" / "demo"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text("type Todo @model { id: ID! name: String }\n")
    process = _start([], tmp_path)
    line = process.stdout.readline()
    try:
        assert line.strip() == f"AppSync Mock endpoint is running at http://127.0.0.1:{port}", \
            line + process.stderr.read() if process.poll() is not None else line
        created = httpx.post(f"http://127.0.0.1:{port}/graphql",
                             json={"query": 'mutation { createTodo(input: {name: "a"}) { name } }'},
                             headers={"x-api-key": "da2-fakeApiId123456"}, timeout=30)
        assert created.json() == {"data": {"createTodo": {"name": "a"}}}
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert (tmp_path / "amplify" / "mock-data" / "dynamodb").exists()


def test_broken_build_fails_with_the_reason(tmp_path: Path) -> None:
    process = _start(["--build", str(tmp_path), "--port", str(free_port())], tmp_path)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "Failed to start API Mocking. Running cleanup tasks." in err
    assert "no cloudformation-template.json" in err


def test_a_broken_template_is_reported_after_the_start(tmp_path: Path) -> None:
    """Templates no query has used compile right after the start; a broken one is printed with its location
    while the rest of the API serves."""
    build = tmp_path / "build"
    shutil.copytree(BUILD, build)
    (build / "resolvers" / "Mutation.deleteTodo.req.vtl").write_text('{"version": "2018-05-29",\n #foreach( }')
    port = free_port()
    process = _start(["--build", str(build), "--port", str(port), "--ddb-port", "0"], tmp_path)
    try:
        assert "AppSync Mock endpoint is running" in process.stdout.readline()
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ listTodos { items { id } } }"},
                            headers={"x-api-key": "da2-fakeApiId123456"}, timeout=30)
        assert answer.json() == {"data": {"listTodos": {"items": []}}}
        while not (line := process.stdout.readline()).startswith("Mapping template error"):
            assert line, "the mock exited without reporting the broken template"
        assert "resolvers/Mutation.deleteTodo.req.vtl" in line
        assert process.stdout.readline().startswith(
            "TemplateError: Parse error on resolvers/Mutation.deleteTodo.req.vtl:2:")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_invalid_mock_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "amplify").mkdir()
    (tmp_path / "amplify" / "mock.json").write_text("{ nope")
    process = _start([], tmp_path)
    _, err = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "mock.json: invalid JSON" in err


def test_data_persists_and_reset_empties(tmp_path: Path) -> None:
    data = tmp_path / "data"

    def serve(*extra: str) -> tuple[subprocess.Popen, str]:
        port = free_port()
        process = _start(["--build", str(BUILD), "--port", str(port), "--db-path", str(data), "--ddb-port", "0",
                          *extra], tmp_path)
        assert "AppSync Mock endpoint is running" in process.stdout.readline()
        return process, f"http://127.0.0.1:{port}/graphql"

    def items(url: str) -> list:
        answer = httpx.post(url, json={"query": "{ listTodos { items { id } } }"},
                            headers={"x-api-key": "da2-fakeApiId123456"}, timeout=30)
        return answer.json()["data"]["listTodos"]["items"]

    process, url = serve()
    httpx.post(url, json={"query": 'mutation { createTodo(input: {id: "kept", name: "n"}) { id } }'},
               headers={"x-api-key": "da2-fakeApiId123456"}, timeout=30)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    process, url = serve()
    assert items(url) == [{"id": "kept"}]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    process, url = serve("--reset")
    try:
        assert items(url) == []
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
