"""Unit and pipeline resolver semantics, run through the simulator with real templates and data sources."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from amplify_local.mock.appsync import loader
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.types import (
    ApiDefinition,
    AuthProvider,
    DataSourceConfig,
    FunctionConfiguration,
    MappingTemplate,
    Resolver,
    Table,
)

SCHEMA = """
type Query {
  unit(mode: String): String
  pipe(mode: String): String
  missing(version: String): String
  validated(n: Int): Int
  both: String
  shortcut: String
}
"""
KEY = {"x-api-key": "da2-fakeApiId123456"}
T = MappingTemplate


def _api() -> ApiDefinition:
    functions = {
        "first": FunctionConfiguration("first", "NONE", T(
            '$util.qr($ctx.stash.put("trail", ["first:$ctx.prev.result"]))'
            '{"version": "2018-05-29", "payload": "one"}'), T("$util.toJson($ctx.result)")),
        "skip": FunctionConfiguration("skip", "NONE", T(
            '#if($ctx.args.mode == "return")#return("returned")#end'
            '{"version": "2018-05-29", "payload": "two"}'), T('$util.toJson("${ctx.result}-ran")')),
        "fail": FunctionConfiguration("fail", "NONE", T(
            '#if($ctx.args.mode == "error")$util.error("stopped", "Custom")#end'
            '{"version": "2018-05-29", "payload": "three"}'),
            T('$util.qr($ctx.stash.trail.add("fail:$ctx.prev.result"))$util.toJson($ctx.result)')),
        "ddb": FunctionConfiguration("ddb", "Missing", T(
            '{"version": "2018-05-29", "operation": "GetItem", "key": {"id": {"S": "x"}}}'),
            T('$util.toJson("error seen: $ctx.error.type")')),
    }
    resolvers = {
        ("Query", "unit"): Resolver("Query", "unit", data_source="NONE", request=T(
            '#if($ctx.args.mode == "return")#return("early")#end'
            '{"version": "2018-05-29", "payload": "from-source"}'),
            response=T('#if($ctx.args.mode == "append")$util.appendError("noted", "Note")#end'
                       '$util.toJson($ctx.result)')),
        ("Query", "pipe"): Resolver("Query", "pipe", kind="PIPELINE", functions=["first", "skip", "fail"],
                                    request=T('$util.qr($ctx.stash.put("before", true)){}'),
                                    response=T('$util.toJson("$ctx.prev.result|$ctx.stash.trail")')),
        ("Query", "missing"): Resolver("Query", "missing", data_source="Missing", request=T(
            '{"version": "$ctx.args.version", "operation": "GetItem", "key": {"id": {"S": "x"}}}'),
            response=T('#if($ctx.error)$util.toJson("handled $ctx.error.type")#else null#end')),
        ("Query", "validated"): Resolver("Query", "validated", data_source="NONE", request=T(
            '$util.validate($ctx.args.n > 0, "n must be positive", "BadInput")'
            '{"version": "2018-05-29", "payload": $ctx.args.n}'), response=T("$util.toJson($ctx.result)")),
        ("Query", "shortcut"): Resolver("Query", "shortcut", data_source="Missing", request=T(
            '{"version": "2018-05-29", "operation": "GetItem", "key": {"id": {"S": "x"}}}'),
            response=T("## [Start] ResponseTemplate. **\n#if( $ctx.error )\n  $util.error($ctx.error.message, "
                       "$ctx.error.type)\n#else\n  $util.toJson($ctx.result)\n#end\n## [End] ResponseTemplate. **")),
        ("Query", "both"): Resolver("Query", "both", kind="PIPELINE", functions=["ddb"], request=T("{}"),
                                    response=T("$util.toJson($ctx.prev.result)")),
    }
    return ApiDefinition(
        name="semantics", schema=SCHEMA, default_auth=AuthProvider("API_KEY"),
        resolvers=resolvers, functions=functions,
        data_sources={"NONE": DataSourceConfig("NONE", "NONE"),
                      "Missing": DataSourceConfig("Missing", "AMAZON_DYNAMODB", table_name="NoSuchTable")},
        tables=[Table("OtherTable", [{"AttributeName": "id", "KeyType": "HASH"}],
                      [{"AttributeName": "id", "AttributeType": "S"}])],
    )


@pytest.fixture(scope="module")
def simulator():
    return loader.load(_api(), Engine.open(None))


def _run(simulator, query: str) -> dict[str, Any]:
    status, body = asyncio.run(simulator.handle({"query": query}, KEY))
    assert status == 200
    return body


def _types(body: dict[str, Any]) -> list[tuple[str | None, list]]:
    return [(error["errorType"], error["path"]) for error in body.get("errors", [])]


def test_unit_calls_source_then_response(simulator) -> None:
    assert _run(simulator, "{ unit }") == {"data": {"unit": "from-source"}}


def test_unit_return_in_request_skips_source_and_response(simulator) -> None:
    assert _run(simulator, '{ unit(mode: "return") }') == {"data": {"unit": "early"}}


def test_appended_error_is_reported_beside_the_value(simulator) -> None:
    body = _run(simulator, '{ unit(mode: "append") }')
    assert body["data"] == {"unit": "from-source"}
    assert _types(body) == [("Note", ["unit"])]
    assert body["errors"][0]["message"] == "noted"
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 3, "sourceName": None}]


def test_2018_data_source_error_goes_to_ctx_error(simulator) -> None:
    assert _run(simulator, '{ missing(version: "2018-05-29") }') == {
        "data": {"missing": "handled DynamoDB:ResourceNotFoundException"}}


def test_2017_data_source_error_fails_the_field(simulator) -> None:
    body = _run(simulator, '{ missing(version: "2017-02-28") }')
    assert body["data"] == {"missing": None}
    assert _types(body) == [("DynamoDB:ResourceNotFoundException", ["missing"])]


def test_pipeline_flows_stash_and_prev_through_functions(simulator) -> None:
    assert _run(simulator, "{ pipe }") == {"data": {"pipe": 'three|[first:{}, fail:two-ran]'}}


def test_return_in_a_function_skips_only_that_function(simulator) -> None:
    assert _run(simulator, '{ pipe(mode: "return") }') == {"data": {"pipe": 'three|[first:{}, fail:returned]'}}


def test_error_in_a_function_stops_the_pipeline_with_null(simulator) -> None:
    body = _run(simulator, '{ pipe(mode: "error") }')
    assert body["data"] == {"pipe": None}
    assert _types(body) == [("Custom", ["pipe"])]


def test_function_data_source_error_always_reaches_ctx_error(simulator) -> None:
    assert _run(simulator, "{ both }") == {"data": {"both": "error seen: DynamoDB:ResourceNotFoundException"}}


def test_validate_fails_the_field_with_its_type(simulator) -> None:
    assert _run(simulator, "{ validated(n: 2) }") == {"data": {"validated": 2}}
    body = _run(simulator, "{ validated(n: -1) }")
    assert body["data"] == {"validated": None}
    assert _types(body) == [("BadInput", ["validated"])]
    assert body["errors"][0]["message"] == "n must be positive"


def test_errors_from_sibling_fields_are_all_collected(simulator) -> None:
    body = _run(simulator, '{ a: unit(mode: "append") b: pipe(mode: "error") c: validated(n: 0) }')
    assert body["data"] == {"a": "from-source", "b": None, "c": None}
    assert sorted(_types(body)) == [("BadInput", ["c"]), ("Custom", ["b"]), ("Note", ["a"])]


def test_error_or_result_template_raises_the_source_error(simulator) -> None:
    body = _run(simulator, "{ shortcut }")
    assert body["data"] == {"shortcut": None}
    assert _types(body) == [("DynamoDB:ResourceNotFoundException", ["shortcut"])]
