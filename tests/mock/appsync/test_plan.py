"""The compiled plan answers exactly as graphql-core's executor does (same data, same errors), and
documents it does not cover fall back to graphql-core."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from graphql import graphql
from graphql.execution.values import get_variable_values

from amplify_local.mock.appsync import loader
from amplify_local.mock.appsync.executor import RequestState, run_operation
from amplify_local.mock.appsync.plan import _Slow
from amplify_local.mock.appsync.types import Identity
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.types import (
    ApiDefinition,
    AuthProvider,
    DataSourceConfig,
    MappingTemplate,
    Resolver,
)

SCHEMA = """
type Query {
  echo(f: Filter, ids: [ID!], n: Int = 7, w: WithDefault, k: Kind): AWSJSON @aws_api_key @aws_cognito_user_pools
  items: [Item] @aws_api_key @aws_cognito_user_pools
  strict: [Item!]! @aws_api_key @aws_cognito_user_pools
  one(id: ID!, n: Int = 3): Item @aws_api_key @aws_cognito_user_pools
  hidden: Int @aws_cognito_user_pools
  notes: [Note] @aws_api_key @aws_cognito_user_pools
  stamp(input: Filter): AWSJSON @aws_api_key @aws_cognito_user_pools
}
type Note @aws_api_key { a: String b: String }
type Item @aws_api_key @aws_cognito_user_pools {
  id: ID!
  name: String
  count: Int
  ratio: Float
  on: Boolean
  kind: Kind
  tags: [String!]
  child: Item
  json: AWSJSON
}
enum Kind { A B }
input Filter { name: String, n: Int, ratio: Float, on: Boolean, kind: Kind, when: AWSDateTime, tags: [String!],
               and: [Filter], req: NeedsId }
input NeedsId { id: ID! }
input WithDefault { x: Int = 3 }
"""
ITEMS = ('[{"id": "1", "name": "one", "count": 1, "ratio": 0.5, "on": true, "kind": "A", "tags": ["x"], '
         '"child": {"id": "1c", "name": null}, "json": {"k": [1]}}, '
         '{"id": null, "name": "no id", "count": "NaN", "tags": ["y", null], "kind": "Z"}]')


def _api() -> ApiDefinition:
    def none(payload: str) -> tuple[MappingTemplate, MappingTemplate]:
        return (MappingTemplate('{"version": "2018-05-29", "payload": ' + payload + "}"),
                MappingTemplate("$util.toJson($ctx.result)"))

    resolvers = {
        ("Query", "echo"): Resolver("Query", "echo", data_source="NONE", request=MappingTemplate(
            '{"version": "2018-05-29", "payload": $util.toJson($ctx.args)}'), response=none("")[1]),
        ("Query", "stamp"): Resolver("Query", "stamp", data_source="NONE", request=MappingTemplate(
            '$util.qr($ctx.args.input.put("name", $util.defaultIfNull($ctx.args.input.name, $util.autoId())))'
            '{"version": "2018-05-29", "payload": $util.toJson($ctx.args.input)}'), response=none("")[1]),
        ("Query", "notes"): Resolver("Query", "notes", data_source="NONE",
                                     request=none('[{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]')[0],
                                     response=none("")[1]),
        ("Query", "items"): Resolver("Query", "items", data_source="NONE", request=none(ITEMS)[0],
                                     response=none(ITEMS)[1]),
        ("Query", "strict"): Resolver("Query", "strict", data_source="NONE", request=none(ITEMS)[0],
                                      response=none(ITEMS)[1]),
        ("Query", "one"): Resolver("Query", "one", data_source="NONE", request=MappingTemplate(
            '{"version": "2018-05-29", "payload": {"id": "$ctx.args.id", "count": $ctx.args.n}}'),
            response=MappingTemplate("$util.toJson($ctx.result)")),
    }
    return ApiDefinition("plan", SCHEMA, AuthProvider("API_KEY"), [AuthProvider("AMAZON_COGNITO_USER_POOLS")],
                         resolvers=resolvers, data_sources={"NONE": DataSourceConfig("NONE", "NONE")})


@pytest.fixture(scope="module")
def simulator():
    return loader.load(_api(), Engine.open(None))


QUERIES = [
    "{ items { id name count ratio on kind tags child { id name } json } }",
    "{ strict { id } }",
    '{ a: one(id: "1") { id count } b: one(id: "2", n: 5) { count __typename } }',
    'query Q($id: ID!, $n: Int) { one(id: $id, n: $n) { ...F } } fragment F on Item { id count }',
    "{ items { ... on Item { id } name } hidden }",
    "{ items { id @include(if: true) name @skip(if: true) } }",
    "{ __schema { queryType { name } } items { id } }",
]


def _both(simulator, query: str, variables: dict) -> tuple[dict, Any, RequestState]:
    """Our answer and graphql-core's stock execution of the same request (same data asserted)."""
    status, ours = asyncio.run(simulator.handle({"query": query, "variables": variables},
                                                {"x-api-key": "da2-fakeApiId123456"}))
    state = RequestState(Identity("API_KEY"), {}, variables)
    reference = asyncio.run(graphql(simulator.schema, query, context_value=state, variable_values=variables))
    assert status == 200
    assert ours["data"] == reference.data
    return ours, reference, state


@pytest.mark.parametrize("query", QUERIES)
def test_plan_matches_graphql_core(simulator, query: str) -> None:
    ours, reference, state = _both(simulator, query, {"id": "7", "n": 2})
    expected = [(e.message, e.path) for e in reference.errors or []] + [
        (e["message"], e["path"]) for e in state.extra_errors]
    assert sorted((e["message"], e["path"]) for e in ours.get("errors", [])) == sorted(expected)


def test_documents_outside_the_plan_fall_back(simulator) -> None:
    for query, planned in ((QUERIES[0], True), (QUERIES[5], False), (QUERIES[6], False)):
        asyncio.run(simulator.handle({"query": query}, {"x-api-key": "da2-fakeApiId123456"}))
        prepared = simulator.documents.get(query)
        assert (prepared.plans[None] is not None) is planned


ECHO = ("query E($f: Filter, $ids: [ID!], $n: Int, $w: WithDefault, $k: Kind) "
        "{ echo(f: $f, ids: $ids, n: $n, w: $w, k: $k) }")
NESTED: dict = {"name": "deep"}
for _ in range(40):
    NESTED = {"and": [NESTED]}
# variables in the shapes the plan coerces itself
FAST_VARIABLES = [
    {},
    {"f": {"name": "a", "n": 2, "ratio": 0.5, "on": True, "kind": "B", "when": "2024-01-02T03:04:05Z",
           "tags": ["x", "y"], "and": [{"name": "b"}, None], "req": {"id": "i"}}, "ids": ["1", "2"], "n": 3,
     "k": "A"},
    {"f": None, "ids": None, "n": None, "w": None},
    {"f": {"ratio": 2, "n": 2.0}, "ids": [5], "unused": 1},  # leaves coerced by their scalar's own function
    {"w": {"x": 9}},
]
# anything else: graphql-core coerces (defaults, a value standing for a list of one) or refuses, as it does
SLOW_VARIABLES = [
    {"w": {}},
    {"ids": "1"},
    {"f": {"n": "2"}},
    {"f": {"n": 2 ** 40}},
    {"f": {"on": 1}},
    {"f": {"kind": "Z"}},
    {"f": {"when": "yesterday"}},
    {"f": {"nope": 1}},
    {"f": {"tags": ["x", None]}},
    {"f": {"req": {}}},
    {"f": "text"},
    {"ids": [None]},
    {"f": NESTED},
]


def _handled(simulator, query: str, variables: dict) -> tuple[dict, list]:
    ours, reference, _ = _both(simulator, query, variables)
    assert [e["message"] for e in ours.get("errors", [])] == [e.message for e in reference.errors or []]
    return ours, reference.errors or []


@pytest.mark.parametrize("variables", FAST_VARIABLES + SLOW_VARIABLES)
def test_variables_and_arguments_match_graphql_core(simulator, variables: dict) -> None:
    _handled(simulator, ECHO, variables)


def test_variables_in_coerced_shapes_skip_graphql_core(simulator) -> None:
    plan = simulator.documents.get(ECHO).plan(simulator.planner, None)
    operation = plan.operation
    for variables in FAST_VARIABLES:
        expected = get_variable_values(simulator.schema, operation.variable_definitions, variables)
        assert plan.variables(variables) == getattr(expected, "coerced", expected)
    for variables in SLOW_VARIABLES:
        with pytest.raises(_Slow):  # graphql-core takes over
            plan.variables(variables)


def test_bare_variable_arguments_are_read_from_the_coerced_values(simulator) -> None:
    ours, _ = _handled(simulator, ECHO, FAST_VARIABLES[1])
    assert json.loads(ours["data"]["echo"]) == {
        "f": FAST_VARIABLES[1]["f"], "ids": ["1", "2"], "n": 3, "k": "A"}
    # an absent variable leaves the argument to its default
    ours, _ = _handled(simulator, ECHO, {})
    assert json.loads(ours["data"]["echo"]) == {"n": 7}
    field = simulator.documents.get(ECHO).plan(simulator.planner, None).fields[0]
    assert field.variable_arguments == (("f", "f"), ("ids", "ids"), ("n", "n"), ("w", "w"), ("k", "k"))


def test_fields_a_lambda_authorizer_denied_are_denied_by_name(simulator) -> None:
    """Fields of one auth rule are decided together, unless the caller has fields denied by name."""
    query = "{ notes { a b } }"
    prepared = simulator.documents.get(query)
    allowed = asyncio.run(run_operation(simulator.planner, prepared, RequestState(Identity("API_KEY"), {}, {}), None))
    assert allowed == {"data": {"notes": [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]}}
    caller = Identity("API_KEY", denied_fields=frozenset({"Note.b"}))
    denied = asyncio.run(run_operation(simulator.planner, prepared, RequestState(caller, {}, {}), None))
    assert denied["data"] == {"notes": [{"a": "1", "b": None}, {"a": "3", "b": None}]}
    assert [(e["errorType"], e["path"]) for e in denied["errors"]] == [
        ("Unauthorized", ["notes", 0, "b"]), ("Unauthorized", ["notes", 1, "b"])]
    user = Identity("AMAZON_COGNITO_USER_POOLS", {}, {})
    body = asyncio.run(run_operation(simulator.planner, prepared, RequestState(user, {}, {}), None))
    assert sorted(e["path"] for e in body["errors"]) == [["notes", i, f] for i in (0, 1) for f in ("a", "b")]


def test_literal_arguments_a_template_changes_are_fresh_for_each_request(simulator) -> None:
    """`$ctx.args.input.put(...)` (the transformer's create templates fill in `id`) changes this request's
    arguments only: the same document with literal arguments gets a new id the next time."""
    names = []
    for _ in range(2):
        _, ours = asyncio.run(simulator.handle({"query": "{ stamp(input: {n: 1, and: [{n: 2}]}) }"},
                                               {"x-api-key": "da2-fakeApiId123456"}))
        value = json.loads(ours["data"]["stamp"])
        assert value["n"] == 1 and value["and"] == [{"n": 2}]
        names.append(value["name"])
    assert names[0] != names[1]


def test_fields_denied_by_a_lambda_authorizer_are_unauthorized_where_its_mode_may_read() -> None:
    """`deniedFields` applies to fields whose auth admits the Lambda mode (here all of them): plain fields
    and resolver fields alike answer null with `Unauthorized`."""
    schema = "type Query { item: Item secret: String } type Item { a: String secret: String }"

    def constant(payload: str) -> MappingTemplate:
        return MappingTemplate('{"version": "2018-05-29", "payload": ' + payload + "}")

    resolvers = {
        ("Query", "item"): Resolver("Query", "item", data_source="NONE", request=constant('{"a": "1", "secret": "s"}'),
                                    response=MappingTemplate("$util.toJson($ctx.result)")),
        ("Query", "secret"): Resolver("Query", "secret", data_source="NONE", request=constant('"s"'),
                                      response=MappingTemplate("$util.toJson($ctx.result)")),
    }
    api = ApiDefinition("lambda", schema, AuthProvider("AWS_LAMBDA"), [], resolvers=resolvers,
                        data_sources={"NONE": DataSourceConfig("NONE", "NONE")})
    simulator = loader.load(api, Engine.open(None))
    prepared = simulator.documents.get("{ item { a secret } secret }")
    caller = Identity("AWS_LAMBDA", {"resolverContext": {}})
    body = asyncio.run(run_operation(simulator.planner, prepared, RequestState(caller, {}, {}), None))
    assert body == {"data": {"item": {"a": "1", "secret": "s"}, "secret": "s"}}
    denied = Identity("AWS_LAMBDA", {"resolverContext": {}}, denied_fields=frozenset({"Item.secret", "Query.secret"}))
    body = asyncio.run(run_operation(simulator.planner, prepared, RequestState(denied, {}, {}), None))
    assert body["data"] == {"item": {"a": "1", "secret": None}, "secret": None}
    assert sorted((e["errorType"], e["path"]) for e in body["errors"]) == [
        ("Unauthorized", ["item", "secret"]), ("Unauthorized", ["secret"])]
