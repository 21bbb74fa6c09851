"""`amplify remove`: a resource's folder and its entries go; refusals name what exists."""

from __future__ import annotations

import json

import pytest

from amplify_local import cli

REQUEST = {"version": 1, "serviceConfiguration": {
    "serviceName": "AppSync", "apiName": "gone", "transformSchema": "type T @model { id: ID! }",
    "defaultAuthType": {"mode": "API_KEY"}}}


def test_remove_api_with_yes(initialised) -> None:
    assert initialised.run("add", "api", "--headless", stdin=json.dumps(REQUEST)).returncode == 0
    result = initialised.run("remove", "api", "gone", "--yes")
    assert result.returncode == 0, result.stderr
    assert not (initialised.project / "amplify/backend/api/gone").exists()
    assert initialised.json("amplify/backend/backend-config.json") == {}
    assert initialised.json("amplify/backend/amplify-meta.json") == {"providers": {"awscloudformation": {"Region": "us-east-1"}}}
    assert "│ Api" not in initialised.run("status").stdout


def test_without_yes_and_without_a_terminal_nothing_is_removed(initialised) -> None:
    assert initialised.run("add", "api", "--headless", stdin=json.dumps(REQUEST)).returncode == 0
    result = initialised.run("remove", "api")
    assert result.returncode == 1
    assert result.stderr == 'amplify remove api: there is no terminal to confirm on; add --yes to remove api resource "gone"\n'
    assert (initialised.project / "amplify/backend/api/gone/schema.graphql").exists()


def test_on_a_terminal_it_asks_first(initialised) -> None:
    assert initialised.run("add", "api", "--headless", stdin=json.dumps(REQUEST)).returncode == 0
    kept = initialised.on_a_terminal(b"\n", "remove", "api")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout == "? Remove api resource gone and its local files? (y/N) Nothing removed.\n"
    assert (initialised.project / "amplify/backend/api/gone/schema.graphql").exists()
    removed = initialised.on_a_terminal(b"yes\n", "remove", "api")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.endswith("Successfully removed resource gone locally.\n")
    assert not (initialised.project / "amplify/backend/api/gone").exists()


def test_unknown_resource(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["remove", "function", "nope", "--yes"]) == 1
    assert capsys.readouterr().err.strip() == (
        'amplify remove function: no function resource named "nope" in this project (function resources: none)'
    )
    assert cli.main(["remove", "api", "--yes"]) == 1
    assert "name the api resource to remove (api resources: none)" in capsys.readouterr().err
    assert cli.main(["remove"]) == 2
