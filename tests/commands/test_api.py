"""`amplify api gql-compile`: the project's API compiled into build/, nothing written on a schema error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from kit import CORPUS

from amplify_local import cli
from amplify_local.transformer.build import read_build


def _add_api(project: Path, golden: Path) -> Path:
    """The corpus API as `amplify add api` leaves it: the folder plus its backend-config entry."""
    api = project / "amplify/backend/api/shop"
    shutil.copytree(golden / "input", api)
    auth = json.loads((api / "auth.json").read_text())
    (api / "auth.json").unlink()
    config = project / "amplify/backend/backend-config.json"
    entry = {"service": "AppSync", "providerPlugin": "awscloudformation", "output": {"authConfig": auth}}
    config.write_text(json.dumps({**json.loads(config.read_text()), "api": {"shop": entry}}))
    return api


def test_compiles_into_build(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    api = _add_api(initialised.project, CORPUS / "v1/04-key")
    assert cli.main(["api", "gql-compile"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("GraphQL schema compiled successfully.\n\nEdit your schema at ")
    build = api / "build"
    assert {p.name for p in (build / "stacks").iterdir()} == {"Order.json", "Customer.json", "Item.json"}
    assert (build / "resolvers/Query.ordersByRepAndAmount.req.vtl").is_file()
    ours, golden = read_build(build), read_build(CORPUS / "v1/04-key")
    assert sorted(ours.resolvers) == sorted(golden.resolvers)
    assert [t.name for t in ours.tables] == [t.name for t in golden.tables]
    assert ours.additional_auth == golden.additional_auth


def test_schema_error_leaves_the_build_alone(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    api = _add_api(initialised.project, CORPUS / "v1/01-todo")
    assert cli.main(["api", "gql-compile", "--force"]) == 0
    before = {p: p.read_bytes() for p in (api / "build").rglob("*") if p.is_file()}
    (api / "schema.graphql").write_text("type Todo @model {\n  id: ID!\n  name: String @mode\n}\n")
    capsys.readouterr()
    assert cli.main(["api", "gql-compile"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Unknown directive '@mode'.\n\n")
    assert f"{api / 'schema.graphql'}:3:16\n" in err
    assert "  |                ^" in err
    assert {p: p.read_bytes() for p in (api / "build").rglob("*") if p.is_file()} == before


def test_without_an_api(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["api", "gql-compile"]) == 1
    assert "no GraphQL API in this project. Run \"amplify add api\" first." in capsys.readouterr().err


def test_unknown_subcommand(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["api", "compile"]) == 2
    assert "usage: amplify api gql-compile" in capsys.readouterr().err
