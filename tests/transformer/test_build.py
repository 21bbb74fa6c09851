"""`read_build` on every corpus build, checked against the `manifest.json` the peer wrote for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kit import CORPUS

from amplify_local.transformer.build import BuildError, api_from_build, read_build

BUILDS = sorted(path.parent for path in CORPUS.glob("v*/*/manifest.json"))


def _template(manifest_entry: dict, which: str) -> str | None:
    location = manifest_entry.get(f"{which}Template")
    if location is None:
        return None
    return manifest_entry[f"{which}TemplateInline"] if location == "(inline)" else location


def _ours(template) -> str | None:
    if template is None:
        return None
    return template.text if template.path == "INLINE_TEMPLATE" else template.path


@pytest.mark.parametrize("build", BUILDS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_build_matches_manifest(build: Path) -> None:
    manifest = json.loads((build / "manifest.json").read_text())
    api = read_build(build)

    expected_resolvers = {(r["typeName"], r["fieldName"]): r for r in manifest["resolvers"]}
    assert set(api.resolvers) == set(expected_resolvers)
    for key, expected in expected_resolvers.items():
        resolver = api.resolvers[key]
        assert resolver.kind == expected["kind"]
        assert resolver.data_source == expected["dataSource"]
        assert _ours(resolver.request) == _template(expected, "request")
        assert _ours(resolver.response) == _template(expected, "response")
        assert resolver.functions == [function["name"] for function in expected["pipelineFunctions"]]
        for function in expected["pipelineFunctions"]:
            ours = api.functions[function["name"]]
            assert ours.data_source == function["dataSource"]
            assert _ours(ours.request) == _template(function, "request")
            assert _ours(ours.response) == _template(function, "response")

    assert {name: source.type for name, source in api.data_sources.items()} == {
        source["name"]: source["type"] for source in manifest["dataSources"]
    }
    for source in manifest["dataSources"]:
        ours = api.data_sources[source["name"]]
        if source["type"] == "AMAZON_DYNAMODB":
            assert ours.table_name == source["tableName"]
        if source["type"] == "AWS_LAMBDA":
            function = source["lambdaFunctionArn"].rsplit(":function:", 1)[1].removesuffix("-${env}")
            assert ours.function_name == function

    tables = {table.name: table for table in api.tables}
    assert set(tables) == {table["mockTableName"] for table in manifest["tables"]}
    for expected in manifest["tables"]:
        table = tables[expected["mockTableName"]]
        assert table.key_schema == expected["keySchema"]
        assert table.attribute_definitions == expected["attributeDefinitions"]
        assert [(i.name, i.key_schema, i.projection) for i in table.global_secondary_indexes] == [
            (i["IndexName"], i["KeySchema"], i["Projection"]) for i in expected["globalSecondaryIndexes"]
        ]
        assert table.stream_view_type == expected["streamViewType"]

    app_sync = manifest["appSync"]
    assert api.default_auth.type == app_sync["defaultAuthenticationType"]["authenticationType"]
    assert [p.type for p in api.additional_auth] == [
        p["authenticationType"] for p in app_sync["additionalAuthenticationProviders"]
    ]
    assert api.schema == (build / "schema.graphql").read_text()


def test_missing_template_names_the_file() -> None:
    build = CORPUS / "v1" / "01-todo"
    files = {
        path.relative_to(build).as_posix(): path.read_text()
        for path in build.rglob("*")
        if path.is_file() and path.suffix in (".json", ".vtl", ".graphql")
    }
    del files["resolvers/Query.getTodo.req.vtl"]
    with pytest.raises(BuildError, match=r"resolvers/Query\.getTodo\.req\.vtl"):
        api_from_build(files)


def test_invalid_json_names_file_and_line() -> None:
    with pytest.raises(BuildError, match=r"cloudformation-template\.json:2:\d+: invalid JSON"):
        api_from_build({"cloudformation-template.json": "{\n  oops", "schema.graphql": "type Query { a: Int }"})


def test_folder_without_template_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"no cloudformation-template\.json"):
        read_build(tmp_path)
