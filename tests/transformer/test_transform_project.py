"""Reading an API project folder: schema files, auth config sources, overrides and custom stacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_local.transformer.build import api_from_build
from amplify_local.transformer.errors import SchemaError
from amplify_local.transformer.transform import read_project, transform, transform_api

POOLS = {"defaultAuthentication": {"authenticationType": "AMAZON_COGNITO_USER_POOLS",
                                   "userPoolConfig": {"userPoolId": "eu-west-1_abc"}}}


def _api(tmp_path: Path) -> Path:
    api = tmp_path / "amplify/backend/api/demo"
    (api / "schema").mkdir(parents=True)
    (api / "schema/todo.graphql").write_text("type Todo @model {\n  id: ID!\n  name: String\n}\n")
    (api / "schema/extra/note.graphql").parent.mkdir()
    (api / "schema/extra/note.graphql").write_text("type Note @model {\n  id: ID!\n}\n")
    return api


def test_schema_folder_and_backend_config_auth(tmp_path: Path) -> None:
    api = _api(tmp_path)
    entry = {"service": "AppSync", "output": {"authConfig": POOLS}}
    (tmp_path / "amplify/backend/backend-config.json").write_text(json.dumps({"api": {"demo": entry}}))
    project = read_project(api)
    assert [Path(name).name for name, _ in project.schema] == ["note.graphql", "todo.graphql"]
    definition = api_from_build(transform(project))
    assert [t.name for t in definition.tables] == ["NoteTable", "TodoTable"]
    assert definition.default_auth.type == "AMAZON_COGNITO_USER_POOLS"
    assert definition.default_auth.user_pool_id == "eu-west-1_abc"


def test_user_resolvers_override_generated_ones_and_custom_stacks_are_kept(tmp_path: Path) -> None:
    api = _api(tmp_path)
    (api / "resolvers").mkdir()
    (api / "resolvers/Query.getTodo.res.vtl").write_text("$util.toJson({\"id\": \"fixed\"})")
    (api / "stacks").mkdir()
    custom = {"Resources": {"NoneDS": {"Type": "AWS::AppSync::DataSource",
                                       "Properties": {"ApiId": {"Ref": "AppSyncApiId"}, "Name": "NoneDS", "Type": "NONE"}}}}
    (api / "stacks/CustomResources.json").write_text(json.dumps(custom))
    files = transform_api(api, POOLS)
    assert files["resolvers/Query.getTodo.res.vtl"] == "$util.toJson({\"id\": \"fixed\"})"
    assert json.loads(files["stacks/CustomResources.json"]) == custom
    root = json.loads(files["cloudformation-template.json"])["Resources"]
    assert root["CustomResourcesjson"]["Type"] == "AWS::CloudFormation::Stack"
    definition = api_from_build(files)
    assert definition.resolvers[("Query", "getTodo")].response.text == "$util.toJson({\"id\": \"fixed\"})"
    assert "NoneDS" in definition.data_sources


def test_auth_json_beside_the_schema(tmp_path: Path) -> None:
    api = _api(tmp_path)
    (api / "auth.json").write_text(json.dumps(POOLS))
    assert read_project(api).auth_config == POOLS


def test_no_schema(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as caught:
        read_project(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no schema.graphql or schema/*.graphql; add the API's GraphQL schema there."


def test_broken_json_names_file_line_and_column(tmp_path: Path) -> None:
    api = _api(tmp_path)
    (api / "transform.conf.json").write_text('{\n  "Version": 5,\n}\n')
    with pytest.raises(SchemaError) as caught:
        read_project(api)
    assert str(caught.value) == f"{api / 'transform.conf.json'}:3:1: invalid JSON: Expecting property name enclosed in double quotes"


@pytest.mark.parametrize("name", ["transform.conf.json", "parameters.json", "auth.json"])
def test_a_project_file_that_is_not_an_object_names_the_file(tmp_path: Path, name: str) -> None:
    api = _api(tmp_path)
    (api / name).write_text("[5]")
    with pytest.raises(SchemaError) as caught:
        read_project(api)
    assert str(caught.value) == f"{api / name}: expected a JSON object, found list"
