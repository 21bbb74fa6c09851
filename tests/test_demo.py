"""`make demo`: the bundled project sets up in an empty folder, matches what our commands write, and
the demo hands over to `amplify mock api`, which then serves the Todo API and its function."""

from __future__ import annotations

import base64
import filecmp
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from ports import free_port

from amplify_local import cli, demo


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_setup_only_in_a_fresh_folder(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "demo"
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "amplify_local.demo", "--dir", str(folder), "--setup-only"],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "│ Api      │ todoapi       │ Create    │ awscloudformation │" in result.stdout
    assert "│ Function │ todosummary   │ Create    │ awscloudformation │" in result.stdout
    assert "query { summarize(names:" in result.stdout
    meta = json.loads((folder / "amplify/backend/amplify-meta.json").read_text())
    auth = meta["api"]["todoapi"]["output"]["authConfig"]
    assert auth["defaultAuthentication"]["authenticationType"] == "API_KEY"
    assert auth["additionalAuthenticationProviders"] == [
        {"authenticationType": "AMAZON_COGNITO_USER_POOLS", "userPoolConfig": {"userPoolId": "us-east-1_demoPool"}}
    ]
    assert "@auth(rules: [{ allow: owner }" in (folder / "amplify/backend/api/todoapi/schema.graphql").read_text()


def test_the_bundled_api_is_what_add_api_writes(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's API folder and backend-config entry must not drift from `amplify add api --headless`."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "--yes", "--amplify", '{"projectName": "amplifylocaldemo"}']) == 0
    request = (demo.DEMO_PROJECT / "api-request.json").read_text()
    monkeypatch.setattr(sys, "stdin", io.StringIO(request))
    assert cli.main(["add", "api", "--headless"]) == 0
    written = tmp_path / "amplify/backend/api/todoapi"
    bundled = demo.DEMO_PROJECT / "amplify/backend/api/todoapi"
    for path in written.rglob("*"):
        if path.is_file():
            assert filecmp.cmp(path, bundled / path.relative_to(written), shallow=False), path
    assert sorted(p.relative_to(bundled) for p in bundled.rglob("*")) == sorted(p.relative_to(written) for p in written.rglob("*"))
    bundled_config = json.loads((demo.DEMO_PROJECT / "amplify/backend/backend-config.json").read_text())
    assert json.loads((tmp_path / "amplify/backend/backend-config.json").read_text())["api"] == bundled_config["api"]


def test_the_function_answers_its_sample_event() -> None:
    function = demo.DEMO_PROJECT / "amplify/backend/function/todosummary"
    script = "require('./src/index.js').handler(require('./src/event.json')).then(r => process.stdout.write(r))"
    result = subprocess.run(["node", "-e", script], cwd=function, capture_output=True, text=True, check=True)
    assert result.stdout == "2 todos: buy milk, write tests"
    template = json.loads((function / "todosummary-cloudformation-template.json").read_text())
    assert template["Resources"]["LambdaFunction"]["Properties"]["Handler"] == "index.handler"


def test_demo_token_is_a_user_pool_token() -> None:
    header, payload, signature = demo.demo_token().split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))) == {"alg": "none", "typ": "JWT"}
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"].startswith("https://cognito-idp.")
    assert claims["cognito:username"] == "demo"
    assert signature == ""


def test_with_the_mock_the_demo_starts_it_in_the_project(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    real_main = cli.main

    def main(argv: list[str]) -> int:
        if argv[:1] == ["mock"]:
            started.append((argv, (tmp_path / "d").resolve() == Path.cwd()))
            return 0
        return real_main(argv)

    monkeypatch.setattr(demo.cli, "main", main)
    assert demo.main(["--dir", str(tmp_path / "d")]) == 0
    assert started == [(["mock", "api", "--port", "20002"], True)]


def test_the_demo_serves_its_api_with_the_mock(tmp_path: Path, home: Path) -> None:
    """`make demo` end to end: set-up, then `amplify mock api` on the project, answering real HTTP requests."""
    port = free_port()
    env = {**os.environ, "HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "amplify_local.demo", "--dir", str(tmp_path / "d"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    url = f"http://127.0.0.1:{port}/graphql"

    def ask(query: str, **headers: str) -> dict:
        response = httpx.post(url, json={"query": query}, headers={"content-type": "application/json", **headers}, timeout=30)
        return response.json()

    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                ask("{ __typename }", **{"x-api-key": demo.API_KEY})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the demo's mock did not start within 90 s"
                time.sleep(0.3)
        created = ask('mutation { createTodo(input: {name: "buy milk"}) { name owner } }', authorization=demo.demo_token())
        assert created == {"data": {"createTodo": {"name": "buy milk", "owner": "demo"}}}
        denied = ask('mutation { createTodo(input: {name: "x"}) { id } }', **{"x-api-key": demo.API_KEY})
        assert denied["errors"][0]["errorType"] == "Unauthorized"
        listed = ask('{ listTodos { items { name owner } } summarize(names: ["buy milk", "write tests"]) }',
                     **{"x-api-key": demo.API_KEY})
        assert listed == {"data": {
            "listTodos": {"items": [{"name": "buy milk", "owner": "demo"}]},
            "summarize": "2 todos: buy milk, write tests",
        }}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
