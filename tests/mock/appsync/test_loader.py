"""Loading an API: every template compiled (a broken one fails the load with its location), or `lazy` (each
template compiles on first use; `pending_templates` lists the rest), with the same answers either way."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from amplify_local.mock.appsync import loader
from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.types import (
    ApiDefinition,
    AuthProvider,
    DataSourceConfig,
    FunctionConfiguration,
    MappingTemplate,
    Resolver,
)

SCHEMA = "type Query { one: String two: String piped: String broken: String }"
KEY = {"x-api-key": "da2-fakeApiId123456"}
BROKEN = MappingTemplate('{"version": "2018-05-29",\n "payload": #if($ctx.args }', "resolvers/Query.broken.req.vtl")


def _api(*, broken: bool) -> ApiDefinition:
    def payload(value: str) -> MappingTemplate:
        return MappingTemplate('{"version": "2018-05-29", "payload": "' + value + '"}', f"resolvers/{value}.req.vtl")

    passthrough = MappingTemplate("$util.toJson($ctx.result)")
    resolvers = {
        ("Query", "one"): Resolver("Query", "one", data_source="NONE", request=payload("one"),
                                   response=MappingTemplate('$util.toJson("${ctx.result}!")')),
        ("Query", "two"): Resolver("Query", "two", data_source="NONE", request=payload("two"), response=passthrough),
        ("Query", "piped"): Resolver("Query", "piped", kind="PIPELINE", functions=["f"],
                                     request=MappingTemplate("{}"),
                                     response=MappingTemplate("$util.toJson($ctx.prev.result)")),
    }
    if broken:
        resolvers[("Query", "broken")] = Resolver("Query", "broken", data_source="NONE", request=BROKEN,
                                                  response=passthrough)
    return ApiDefinition(
        name="lazy", schema=SCHEMA, default_auth=AuthProvider("API_KEY"), resolvers=resolvers,
        functions={"f": FunctionConfiguration("f", "NONE", payload("piped"), passthrough)},
        data_sources={"NONE": DataSourceConfig("NONE", "NONE")},
    )


def _query(simulator: Any, query: str) -> dict[str, Any]:
    status, body = asyncio.run(simulator.handle({"query": query}, KEY))
    assert status == 200
    return body


def test_a_load_compiles_every_template() -> None:
    simulator = loader.load(_api(broken=False), Engine.open(None))
    assert loader.pending_templates(simulator) == []
    assert _query(simulator, "{ one two piped }") == {"data": {"one": "one!", "two": "two", "piped": "piped"}}


def test_a_broken_template_fails_the_load_with_its_location() -> None:
    with pytest.raises(TemplateError) as raised:
        loader.load(_api(broken=True), Engine.open(None))
    assert "resolvers/Query.broken.req.vtl:2:" in str(raised.value)


def test_a_lazy_load_compiles_what_a_query_uses() -> None:
    simulator = loader.load(_api(broken=False), Engine.open(None), lazy=True)

    def pending() -> list[str]:
        return sorted(template.path for template in loader.pending_templates(simulator))

    # `$util.toJson($ctx.result)`-style templates are never compiled (computed without a render)
    assert pending() == ["INLINE_TEMPLATE", "INLINE_TEMPLATE", "resolvers/one.req.vtl", "resolvers/piped.req.vtl",
                         "resolvers/two.req.vtl"]
    assert _query(simulator, "{ two }") == {"data": {"two": "two"}}
    assert pending() == ["INLINE_TEMPLATE", "INLINE_TEMPLATE", "resolvers/one.req.vtl", "resolvers/piped.req.vtl"]
    assert _query(simulator, "{ one two piped }") == {"data": {"one": "one!", "two": "two", "piped": "piped"}}
    assert pending() == []


def test_a_lazy_load_answers_a_broken_template_with_its_location() -> None:
    simulator = loader.load(_api(broken=True), Engine.open(None), lazy=True)
    body = _query(simulator, "{ one broken }")
    assert body["data"] == {"one": "one!", "broken": None}
    [error] = body["errors"]
    assert error["path"] == ["broken"]
    assert error["message"].startswith("Parse error on resolvers/Query.broken.req.vtl:2:")
    [template] = [t for t in loader.pending_templates(simulator) if t.path == BROKEN.path]
    with pytest.raises(TemplateError, match=r"resolvers/Query\.broken\.req\.vtl:2:"):
        template.compile()
