"""The console's server side through a real client: page and offline assets, RS256 tokens it mints (JWKS
published, signature enforced), IAM signing with the mock's credentials."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import jwt
import pytest
from kit import CORPUS

QUERY = {"query": "query { listArticles { items { id } } secret }"}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(CORPUS / "v1" / "10-multi-auth"),
         "--port", str(port), "--ddb-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path_factory.mktemp("console"),
    )
    assert "AppSync Mock endpoint is running" in process.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_page_and_assets_are_served_offline(url: str) -> None:
    page = httpx.get(f"{url}/")
    assert page.status_code == 200 and "/console/graphiql.min.js" in page.text
    for name in ("graphiql.min.js", "react.production.min.js", "explorer.umd.js", "console.js"):
        assert httpx.get(f"{url}/console/{name}").status_code == 200
    assert httpx.get(f"{url}/console/nope.js").status_code == 404


def test_minted_token_is_rs256_verified_against_the_published_jwks(url: str) -> None:
    minted = httpx.post(f"{url}/console/token", json={"username": "alice", "groups": ["Admin"],
                                                       "claims": {"custom:tenant": "t1"}}).json()
    token = minted["token"]
    key = jwt.PyJWKSet.from_dict(httpx.get(f"{url}/.well-known/jwks.json").json()).keys[0]
    claims = jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False})
    assert (claims["cognito:username"], claims["cognito:groups"], claims["custom:tenant"]) == ("alice", ["Admin"], "t1")
    answer = httpx.post(f"{url}/graphql", json=QUERY, headers={"Authorization": token})
    assert answer.status_code == 200 and answer.json()["data"]["listArticles"] == {"items": []}

    header, payload, signature = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["cognito:groups"] = ["Root"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    refused = httpx.post(f"{url}/graphql", json=QUERY, headers={"Authorization": f"{header}.{forged_payload}.{signature}"})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["errorType"] == "UnauthorizedException"


def test_bad_claims_are_refused(url: str) -> None:
    answer = httpx.post(f"{url}/console/token", json={"username": "bob", "claims": [1]})
    assert answer.status_code == 400 and "claims" in answer.json()["message"]


def test_iam_signing_verifies_as_auth_and_unauth_roles(url: str) -> None:
    from amplify_local.mock.appsync.auth import Authorizer, RequestParts
    from amplify_local.transformer.types import ApiDefinition, AuthProvider

    authorizer = Authorizer(ApiDefinition("iam", "type Query { a: Int }", AuthProvider("AWS_IAM")))
    body = json.dumps(QUERY)
    for role, username in (("auth", "auth-user"), ("unauth", "unauth-user")):
        headers = httpx.post(f"{url}/console/sign", json={"role": role, "body": body}).json()["headers"]
        headers["host"] = url.removeprefix("http://")
        identity = authorizer.classify(headers, RequestParts("POST", "/graphql", "", body.encode()))
        assert identity.resolver_fields["username"] == username


def test_console_in_headless_chromium() -> None:
    """The Playwright e2e (`e2e/console/console.test.mjs`): a query as the API key, then as a Cognito user
    the type refuses. Needs Node and Chromium (`apt-get install -y chromium`, or CHROMIUM=path)."""
    import os
    import shutil

    folder = Path(__file__).resolve().parents[3] / "e2e" / "console"
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the console e2e needs Chromium: apt-get install -y chromium (or set CHROMIUM)"
    if not (folder / "node_modules" / "playwright-core").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder, check=True, timeout=600)
    result = subprocess.run(["node", "console.test.mjs"], cwd=folder, capture_output=True, text=True, timeout=180,
                            env={**os.environ, "CHROMIUM": chromium, "PYTHON": sys.executable})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "console e2e: API key query, Cognito user refused on an API-key type: ok" in result.stdout
