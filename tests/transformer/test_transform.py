"""The transform of every v1 corpus API against the real transformer's recorded build.

For each `../shared/corpus/v1/<api>/` and each `fixtures/v1/<api>/` (schemas for what the corpus
does not cover, recorded with the real v1 transformer: `node peer/transform.js SCHEMA OUT [--auth
AUTH]`, see fixtures/README.md), our output for `input/` must have the same schema (types,
fields, arguments, input types and directives; order ignored), the same tables (name, keys, GSIs,
LSIs), the same resolver templates (whitespace and `##` comments aside) and, read back through
`transformer.build`, the same resolvers, pipeline functions, data sources, tables and auth modes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import parse, print_ast
from kit import CORPUS

from amplify_local.transformer.build import api_from_build, read_build
from amplify_local.transformer.errors import SchemaError
from amplify_local.transformer.transform import ApiProject, read_project, transform
from amplify_local.transformer.types import ApiDefinition

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "v1"
APIS = sorted(p.name for p in (CORPUS / "v1").iterdir() if (p / "input").is_dir())
BUILDS = [CORPUS / "v1" / name for name in APIS] + sorted(p for p in FIXTURES.iterdir() if (p / "input").is_dir())


def _schema(text: str) -> dict[str, object]:
    """Each definition as (kind, fields with type/arguments/directives, enum values, directives)."""
    out: dict[str, object] = {}
    for d in parse(text).definitions:
        fields = {
            f.name.value: (print_ast(f.type), sorted(print_ast(a) for a in getattr(f, "arguments", None) or []),
                           sorted(print_ast(x) for x in f.directives or []))
            for f in getattr(d, "fields", None) or []
        }
        values = sorted(v.name.value for v in getattr(d, "values", None) or [])
        out[d.name.value] = (d.kind, fields, values, sorted(print_ast(x) for x in d.directives or []))
    return out


def _vtl(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("##")]


def _golden_templates(golden: Path) -> dict[str, str]:
    return {str(p.relative_to(golden)): p.read_text()
            for folder in ("resolvers", "pipelineFunctions") for p in (golden / folder).glob("*.vtl")}


@pytest.fixture(scope="module", params=BUILDS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def api(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str]]:
    golden = request.param
    return golden, transform(read_project(golden / "input"))


def test_corpus_and_fixtures_are_present() -> None:
    assert len(APIS) == 10
    assert len(BUILDS) == 18


def test_schema_equals_golden(api: tuple[Path, dict[str, str]]) -> None:
    golden, files = api
    ours, theirs = _schema(files["schema.graphql"]), _schema((golden / "schema.graphql").read_text())
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_templates_equal_golden(api: tuple[Path, dict[str, str]]) -> None:
    golden, files = api
    theirs = _golden_templates(golden)
    ours = {k: v for k, v in files.items() if k.endswith(".vtl")}
    assert sorted(ours) == sorted(theirs)
    for name, text in theirs.items():
        assert _vtl(ours[name]) == _vtl(text), name


def test_tables_equal_golden(api: tuple[Path, dict[str, str]]) -> None:
    golden, files = api
    manifest = json.loads((golden / "manifest.json").read_text())
    ours = {t.name: t for t in api_from_build(files).tables}
    assert sorted(ours) == sorted(t["mockTableName"] for t in manifest["tables"])
    for table in manifest["tables"]:
        mine = ours[table["mockTableName"]]
        assert mine.key_schema == table["keySchema"]
        assert sorted(map(json.dumps, mine.attribute_definitions)) == sorted(
            map(json.dumps, table["attributeDefinitions"]))
        assert [(i.name, i.key_schema, i.projection) for i in mine.global_secondary_indexes] == [
            (i["IndexName"], i["KeySchema"], i["Projection"]) for i in table["globalSecondaryIndexes"]]
        assert [(i.name, i.key_schema) for i in mine.local_secondary_indexes] == [
            (i["IndexName"], i["KeySchema"]) for i in table["localSecondaryIndexes"]]


def test_build_reads_back_like_golden(api: tuple[Path, dict[str, str]]) -> None:
    golden, files = api
    ours, theirs = api_from_build(files), read_build(golden)
    assert sorted(ours.resolvers) == sorted(theirs.resolvers)
    for key, resolver in theirs.resolvers.items():
        mine = ours.resolvers[key]
        assert (mine.kind, mine.data_source, mine.functions) == (resolver.kind, resolver.data_source,
                                                                 resolver.functions), key
        assert _vtl(mine.request.text) == _vtl(resolver.request.text), key
        assert _vtl(mine.response.text) == _vtl(resolver.response.text), key
    assert sorted(ours.functions) == sorted(theirs.functions)
    assert {n: (d.type, d.table_name, d.function_name) for n, d in ours.data_sources.items()} == {
        n: (d.type, d.table_name, d.function_name) for n, d in theirs.data_sources.items()}
    # The recording tool writes a fixed parameters.json (pool us-east-1_fakePool) whatever the auth
    # config says, so the pool id is compared where it is ours to choose (test_transform_project.py).
    def modes(definition: ApiDefinition) -> list[tuple[str | None, ...]]:
        return [(p.type, p.openid_issuer, p.openid_client_id, p.lambda_function)
                for p in [definition.default_auth, *definition.additional_auth]]

    assert modes(ours) == modes(theirs)


def test_unsupported_transform_conf_is_refused() -> None:
    schema = [("schema.graphql", "type Todo @model {\n  id: ID!\n}\n")]
    for conf, message in (
        ({"Version": 4}, 'transform.conf.json: "Version": 4 is not supported; the mock transforms version 5 '
                         "(conditions on mutations), the version `amplify add api` writes."),
        ({"Version": 5, "ResolverConfig": {"project": {"ConflictHandler": "AUTOMERGE"}}},
         "transform.conf.json: ResolverConfig (DataStore conflict detection) is not supported by the mock yet; "
         "remove it from transform.conf.json to mock this API locally."),
    ):
        with pytest.raises(SchemaError) as caught:
            transform(ApiProject("demo", schema, transform_conf=conf))
        assert str(caught.value) == message
