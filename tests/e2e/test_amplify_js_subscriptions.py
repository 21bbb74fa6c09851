"""aws-amplify JS v6 (e2e/subscriptions.mjs) against `amplify mock api` serving corpus APIs.

The mock runs as users run it (`amplify mock api`, a build folder, a fresh data folder and a fresh home
for its certificates); the client reads the app's `aws-exports.js` as the mock rewrites it
(`http://127.0.0.1:<port>/graphql`, the mock API key, the `dangerously...` flag), trusts the mock's CA
through `NODE_EXTRA_CA_CERTS`, and Amplify JS dials `wss://127.0.0.1:<port>/graphql/realtime` for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kit import CORPUS
from ports import free_port

from amplify_local.mock import frontend_config
from amplify_local.transformer.build import read_build

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "e2e"

API_KEY = "da2-fakeApiId123456"


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The e2e client's locked dependencies (aws-amplify 6, ws), installed once with `npm ci`."""
    if not (E2E / "node_modules" / "aws-amplify").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=E2E, check=True, timeout=600)
    return E2E / "node_modules"


class Mock:
    """`amplify mock api --build DIR` on a free port, stopped with SIGTERM."""

    def __init__(self, build: Path, home: Path) -> None:
        self.port = free_port()
        self.build = build
        self.home = home
        env = {**os.environ, "AMPLIFY_LOCAL_HOME": str(home), "HOME": str(home)}
        command = [
            sys.executable,
            "-m",
            "amplify_local",
            "mock",
            "api",
            "--build",
            str(build),
            "--port",
            str(self.port),
        ]
        command += ["--db-path", str(home / "data")]
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stdout.read()  # type: ignore[union-attr]
            try:
                httpx.post(f"http://127.0.0.1:{self.port}/graphql", json={"query": "{__typename}"}, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("the mock did not answer within 30 s")

    def stop(self) -> str:
        self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output

    def config(self) -> Path:
        """The JavaScript app's `src/aws-exports.js` after `amplify mock` rewrote it (the same
        `frontend_config.rewrite` call as `MockService.serve` makes for a project), from an original
        that has the project's Cognito user pool in it."""
        app = self.home / "app"
        (app / "amplify" / ".config").mkdir(parents=True)
        (app / "amplify" / ".config" / "project-config.json").write_text(
            json.dumps({"frontend": "javascript", "javascript": {"config": {"SourceDir": "src"}}})
        )
        (app / "package.json").write_text(json.dumps({"private": True, "type": "module"}))
        original = {
            "aws_project_region": "us-east-1",
            "aws_cognito_region": "us-east-1",
            "aws_user_pools_id": "us-east-1_fakePool",
            "aws_user_pools_web_client_id": "fakeClientId",
        }
        (app / "src").mkdir()
        (app / "src" / "aws-exports.js").write_text(
            f"const awsmobile = {json.dumps(original)};\nexport default awsmobile;\n"
        )
        api = read_build(self.build)
        endpoint = frontend_config.Endpoint(
            f"http://127.0.0.1:{self.port}/graphql",
            api.name,
            api.default_auth.type,
            tuple(provider.type for provider in api.additional_auth),
        )
        frontend_config.rewrite(app, endpoint)
        return app / "src" / "aws-exports.js"


@pytest.fixture
def mock(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mock]:
    running = Mock(CORPUS / request.param, tmp_path)
    try:
        running.wait()
        yield running
    finally:
        print(running.stop())  # pytest shows it when the test fails


def run_suite(mock: Mock, node_modules: Path, suite: str) -> list[dict]:
    config = mock.config()
    ca = mock.home / "tls" / "ca.pem"
    assert ca.is_file(), "the mock made no CA under its home"
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca)}
    result = subprocess.run(
        ["node", str(E2E / "subscriptions.mjs"), "--config", str(config), "--suite", suite],
        cwd=E2E,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    checks = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 0 and checks, f"{result.stdout}\n{result.stderr}"
    return checks


@pytest.mark.parametrize("mock", ["v1/09-subscriptions"], indirect=True)
def test_argument_filtering_over_wss_in_api_key_mode(mock: Mock, node_modules: Path) -> None:
    checks = run_suite(mock, node_modules, "arguments")
    assert [check["check"] for check in checks] == [
        "connected over wss",
        "unfiltered subscriber gets every message",
        "roomId argument excludes other rooms",
        "no subscription errors",
    ]
    assert all(check["ok"] for check in checks)


@pytest.mark.parametrize("mock", ["v2/02-auth-owner"], indirect=True)
def test_enhanced_filters_and_owner_rules_in_api_key_and_cognito_modes(
    mock: Mock, node_modules: Path
) -> None:
    checks = run_suite(mock, node_modules, "owner-auth")
    assert [check["check"] for check in checks] == [
        "connected over wss",
        "API_KEY: public read gets every post",
        "API_KEY: enhanced filter argument excludes other titles",
        "Cognito: the owner rule delivers only alice's posts",
        "Cognito: owner rule and filter argument together",
        "Cognito: a reviewers list (contains) lets alice see only drafts naming her",
        "no subscription errors",
    ]
    assert all(check["ok"] for check in checks)


@pytest.mark.parametrize("mock", ["v1/02-auth-owner"], indirect=True)
def test_v1_owner_argument_in_api_key_and_cognito_modes(mock: Mock, node_modules: Path) -> None:
    checks = run_suite(mock, node_modules, "v1-owner")
    assert [check["check"] for check in checks] == [
        "connected over wss",
        "API_KEY: public read gets every post",
        "Cognito: owner argument delivers only alice's posts",
        "Cognito: subscribing without naming yourself as owner is refused",
    ]
    assert all(check["ok"] for check in checks)
