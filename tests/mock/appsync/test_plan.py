"""The compiled plan answers exactly as graphql-core's executor does (same data, same errors), and
documents it does not cover fall back to graphql-core."""

from __future__ import annotations

import asyncio

import pytest
from graphql import graphql

from amplify_local.mock.appsync import loader
from amplify_local.mock.appsync.executor import RequestState
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
  items: [Item] @aws_api_key @aws_cognito_user_pools
  strict: [Item!]! @aws_api_key @aws_cognito_user_pools
  one(id: ID!, n: Int = 3): Item @aws_api_key @aws_cognito_user_pools
  hidden: Int @aws_cognito_user_pools
}
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
"""
ITEMS = ('[{"id": "1", "name": "one", "count": 1, "ratio": 0.5, "on": true, "kind": "A", "tags": ["x"], '
         '"child": {"id": "1c", "name": null}, "json": {"k": [1]}}, '
         '{"id": null, "name": "no id", "count": "NaN", "tags": ["y", null], "kind": "Z"}]')


def _api() -> ApiDefinition:
    def none(payload: str) -> tuple[MappingTemplate, MappingTemplate]:
        return (MappingTemplate('{"version": "2018-05-29", "payload": ' + payload + "}"),
                MappingTemplate("$util.toJson($ctx.result)"))

    resolvers = {
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


@pytest.mark.parametrize("query", QUERIES)
def test_plan_matches_graphql_core(simulator, query: str) -> None:
    variables = {"id": "7", "n": 2}
    status, ours = asyncio.run(simulator.handle({"query": query, "variables": variables},
                                                {"x-api-key": "da2-fakeApiId123456"}))
    state = RequestState(Identity("API_KEY"), {}, variables)
    reference = asyncio.run(graphql(simulator.schema, query, context_value=state, variable_values=variables))
    assert status == 200
    assert ours["data"] == reference.data
    expected = [(e.message, e.path) for e in reference.errors or []] + [
        (e["message"], e["path"]) for e in state.extra_errors]
    assert sorted((e["message"], e["path"]) for e in ours.get("errors", [])) == sorted(expected)


def test_documents_outside_the_plan_fall_back(simulator) -> None:
    for query, planned in ((QUERIES[0], True), (QUERIES[5], False), (QUERIES[6], False)):
        asyncio.run(simulator.handle({"query": query}, {"x-api-key": "da2-fakeApiId123456"}))
        prepared = simulator.documents.get(query)
        assert (prepared.plans[None] is not None) is planned
