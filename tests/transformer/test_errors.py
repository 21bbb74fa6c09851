"""SchemaError: the message alone, or with graphql-core's location block."""

from __future__ import annotations

from graphql import GraphQLError, Source, parse

from amplify_local.transformer.errors import SchemaError


def test_without_a_node() -> None:
    error = SchemaError("transform.conf.json: bad")
    assert str(error) == "transform.conf.json: bad"
    assert error.location is None


def test_with_a_node() -> None:
    document = parse(Source("type T {\n  a: Int @x\n}\n", "s.graphql"))
    directive = document.definitions[0].fields[0].directives[0]
    error = SchemaError("bad directive", directive)
    assert error.location == ("s.graphql", 2, 10)
    assert str(error) == "bad directive\n\ns.graphql:2:10\n1 | type T {\n2 |   a: Int @x\n  |          ^\n3 | }"


def test_from_graphql() -> None:
    try:
        parse(Source("type {", "s.graphql"))
    except GraphQLError as caught:
        error = SchemaError.from_graphql(caught)
    assert error.location == ("s.graphql", 1, 6)
    assert str(error).startswith("Syntax Error: Expected Name, found '{'.")
