"""Hot reload end to end: a running `amplify mock api` picks up a schema edit, survives a broken edit
with the previous API, recovers on the fix, and keeps the data; plus the change classification."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from ports import free_port

from amplify_local.mock.watcher import batch, changed_since, classify

KEY = {"x-api-key": "da2-fakeApiId123456"}


def test_classify(tmp_path: Path) -> None:
    api = tmp_path / "api"
    assert classify(api, api / "schema.graphql") == "schema"
    assert classify(api, api / "schema" / "todo.graphql") == "schema"
    assert classify(api, api / "resolvers" / "Query.getTodo.req.vtl") == "template"
    assert classify(api, api / "pipelineFunctions" / "f.res.vtl") == "template"
    assert classify(api, api / "parameters.json") == "parameters"
    assert classify(api, api / "stacks" / "CustomResources.json") == "stack"
    assert classify(api, api / "transform.conf.json") == "config"
    assert classify(api, api / "build" / "schema.graphql") is None
    assert classify(api, api / ".schema.graphql.swp") is None
    assert classify(api, tmp_path / "elsewhere.graphql") is None


def _line(process: subprocess.Popen, prefix: str) -> str:
    """The next stdout line starting with `prefix` (start-up lines such as the TLS notes are skipped)."""
    while True:
        line = process.stdout.readline()
        assert line, f"the mock exited before printing {prefix!r}"
        if line.startswith(prefix):
            return line.strip()


def _until(predicate, timeout: float = 20.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError("condition not reached in time")


class Mock:
    """`amplify mock api` running in a scratch project whose API folder holds `schema`."""

    def __init__(self, root: Path, schema: str) -> None:
        self.api = root / "amplify" / "backend" / "api" / "demo"
        self.api.mkdir(parents=True)
        self.schema = self.api / "schema.graphql"
        self.schema.write_text(schema)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "amplify_local", "mock", "api", "--port", str(port), "--ddb-port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root)

    def post(self, query: str) -> dict:
        return httpx.post(self.url, json={"query": query}, headers=KEY, timeout=30).json()

    def line(self, prefix: str) -> str:
        return _line(self.process, prefix)

    def next_line(self) -> str:
        return self.process.stdout.readline().strip()


@contextlib.contextmanager
def running_mock(root: Path, schema: str, stop: int = signal.SIGINT) -> Iterator[Mock]:
    """The mock started and announced; stopped by `stop` afterwards, which it must survive with status 0."""
    mock = Mock(root, schema)
    try:
        mock.line("AppSync Mock endpoint is running")
        yield mock
    finally:
        mock.process.send_signal(stop)
        assert mock.process.wait(timeout=10) == 0


def test_edit_break_fix(tmp_path: Path) -> None:
    with running_mock(tmp_path, "type Todo @model { id: ID! name: String }\n", signal.SIGTERM) as mock:
        mock.post('mutation { createTodo(input: {id: "t1", name: "kept"}) { id } }')

        mock.schema.write_text("type Todo @model { id: ID! name: String done: Boolean }\n")
        mock.line("GraphQL Schema change detected. Reloading...")
        _until(lambda: "errors" not in mock.post('{ getTodo(id: "t1") { name done } }'))
        assert mock.post('{ getTodo(id: "t1") { name done } }') == {"data": {"getTodo": {"name": "kept", "done": None}}}
        assert mock.next_line() == "API reloaded."

        mock.schema.write_text("type Todo @model { id: ID! name: String done: Boolean \n")
        mock.line("GraphQL Schema change detected. Reloading...")
        assert mock.next_line() == "Reloading failed with error"
        report = [mock.process.stdout.readline() for _ in range(4)]
        assert report[0].startswith("Syntax Error")
        assert any("schema.graphql:2:1" in line for line in report), report  # <EOF>, after the last newline
        assert mock.post('{ getTodo(id: "t1") { name done } }')["data"]["getTodo"]["name"] == "kept"

        mock.schema.write_text("type Todo @model { id: ID! name: String done: Boolean priority: Int }\n")
        _until(lambda: "errors" not in mock.post('{ getTodo(id: "t1") { priority } }'))
        assert mock.post('{ getTodo(id: "t1") { name priority } }') == {
            "data": {"getTodo": {"name": "kept", "priority": None}}}


def test_an_edit_before_the_watcher_starts_is_caught_up(tmp_path: Path) -> None:
    """The watcher starts after the first queries; a schema saved right after the start still reloads."""
    with running_mock(tmp_path, "type Todo @model { id: ID! name: String }\n") as mock:
        mock.schema.write_text("type Todo @model { id: ID! name: String done: Boolean }\n")
        mock.line("GraphQL Schema change detected. Reloading...")
        assert mock.next_line() == "API reloaded."
        assert mock.post("{ listTodos { items { done } } }") == {"data": {"listTodos": {"items": []}}}


def test_batch_and_changed_since(tmp_path: Path) -> None:
    api = tmp_path / "api"
    (api / "resolvers").mkdir(parents=True)
    (api / "build").mkdir()
    old = api / "resolvers" / "Query.a.req.vtl"
    old.write_text("{}")
    os.utime(old, ns=(1_000_000_000, 1_000_000_000))
    since = time.time_ns()
    for path in (api / "schema.graphql", api / "resolvers" / "Query.b.req.vtl", api / "build" / "schema.graphql",
                 api / "notes.txt"):
        path.write_text("x")
    found = changed_since(api, since)
    assert sorted(p.name for p in found) == ["Query.b.req.vtl", "notes.txt", "schema.graphql"]  # build/ skipped
    assert batch(api, found) == ("schema", [api / "resolvers" / "Query.b.req.vtl", api / "schema.graphql"])
    assert batch(api, [api / "notes.txt"]) is None


def test_generated_templates_are_editable_and_only_edits_stay(tmp_path: Path) -> None:
    with running_mock(tmp_path, "type Todo @model { id: ID! name: String }\n") as mock:
        generated = sorted(p.name for p in (mock.api / "resolvers").glob("*.vtl"))
        assert "Query.getTodo.res.vtl" in generated and len(generated) >= 10
        mock.post('mutation { createTodo(input: {id: "t1", name: "n"}) { id } }')
        edited = mock.api / "resolvers" / "Query.getTodo.res.vtl"
        edited.write_text('$util.toJson({"id": "edited", "name": "from the user\'s template"})\n')
        mock.line("Mapping template change detected. Reloading...")
        _until(lambda: mock.post('{ getTodo(id: "t1") { id } }')["data"]["getTodo"]["id"] == "edited")
        assert mock.next_line() == "API reloaded."
    assert [p.name for p in (mock.api / "resolvers").glob("*.vtl")] == ["Query.getTodo.res.vtl"]


def test_a_broken_template_edit_keeps_the_previous_api(tmp_path: Path) -> None:
    with running_mock(tmp_path, "type Todo @model { id: ID! name: String }\n") as mock:
        mock.post('mutation { createTodo(input: {id: "t1", name: "kept"}) { id } }')
        (mock.api / "resolvers" / "Query.getTodo.res.vtl").write_text("#if( $ctx.error\n$util.toJson($ctx.result)\n")
        mock.line("Mapping template change detected. Reloading...")
        assert mock.next_line() == "Reloading failed with error"
        assert "resolvers/Query.getTodo.res.vtl:1:" in mock.process.stdout.readline()
        assert mock.post('{ getTodo(id: "t1") { name } }') == {"data": {"getTodo": {"name": "kept"}}}


def test_reload_adds_an_index_over_existing_data(tmp_path: Path) -> None:
    with running_mock(tmp_path, "type Todo @model { id: ID! name: String! }\n", signal.SIGTERM) as mock:
        mock.post('mutation { createTodo(input: {id: "t1", name: "alpha"}) { id } }')
        mock.schema.write_text('type Todo @model @key(name: "byName", fields: ["name"], queryField: "todosByName")'
                               " { id: ID! name: String! }\n")
        mock.line("GraphQL Schema change detected. Reloading...")
        _until(lambda: "errors" not in mock.post('{ todosByName(name: "alpha") { items { id } } }'))
        assert mock.post('{ todosByName(name: "alpha") { items { id } } }') == {
            "data": {"todosByName": {"items": [{"id": "t1"}]}}}
