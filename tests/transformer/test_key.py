"""@key: primary and secondary keys, and each of its errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

ORDER = ('type Order @model @key(fields: ["customerId", "orderDate"]) '
         '@key(name: "byStatus", fields: ["status", "orderDate"], queryField: "ordersByStatus") {\n'
         "  customerId: ID!\n  orderDate: AWSDateTime!\n  status: String!\n}\n")


def test_primary_and_secondary_keys(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema(ORDER)
    table = json.loads(files["stacks/Order.json"])["Resources"]["OrderTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "customerId", "KeyType": "HASH"},
                                  {"AttributeName": "orderDate", "KeyType": "RANGE"}]
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["byStatus"]
    assert "getOrder(customerId: ID!, orderDate: AWSDateTime!): Order" in files["schema.graphql"]
    assert "ordersByStatus(status: String, orderDate: ModelStringKeyConditionInput" in files["schema.graphql"]
    assert '"index": "byStatus"' in files["resolvers/Query.ordersByStatus.req.vtl"]


def test_nonexistent_field(schema_error: Callable[..., str]) -> None:
    assert schema_error('type T @model @key(fields: ["nope"]) {\n  id: ID!\n}\n').startswith(
        "You cannot specify a nonexistent field 'nope' in @key '<unnamed>' on type 'T'; the fields of T are: id.\n\n"
        "amplify/backend/api/demo/schema.graphql:1:15\n")


def test_two_primary_keys(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @key(fields: ["a"]) @key(fields: ["b"]) {\n  a: ID!\n  b: ID!\n}\n'
    assert schema_error(sdl).startswith("You may only supply one primary @key on type 'T'; give the others a 'name'.")


def test_duplicate_key_name(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @key(name: "k", fields: ["a"]) @key(name: "k", fields: ["b"]) {\n  a: ID!\n  b: ID!\n}\n'
    assert schema_error(sdl).startswith("You may only supply one @key with the name 'k' on type 'T'.")


def test_query_field_on_primary_key(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @key(fields: ["a"], queryField: "byA") {\n  a: ID!\n}\n'
    assert schema_error(sdl).startswith("You cannot pass 'queryField' to the primary @key on type 'T'; queryField "
                                        "names the query of a secondary (named) key.")


def test_nullable_primary_key_field(schema_error: Callable[..., str]) -> None:
    message = schema_error('type T @model @key(fields: ["a"]) {\n  a: String\n}\n')
    assert message.startswith("The primary @key on type 'T' must reference non-null fields; make it 'a: String!'.")
    assert ":2:3\n" in message


def test_key_on_a_non_scalar_field(schema_error: Callable[..., str]) -> None:
    sdl = 'type T @model @key(name: "k", fields: ["id", "flag"]) {\n  id: ID!\n  flag: Boolean\n}\n'
    assert schema_error(sdl).startswith("@key 'k' on type 'T' cannot reference field 'flag' of type Boolean: key "
                                        "fields must be String, ID, Int, Float, an enum or an AWS scalar based on "
                                        "them.")


def test_key_without_model(schema_error: Callable[..., str]) -> None:
    assert schema_error('type T @key(fields: ["id"]) {\n  id: ID!\n}\n').startswith(
        "@key '<unnamed>' on type 'T': @key may only be used on types that also have @model.")


def test_key_on_a_list_field(schema_error: Callable[..., str]) -> None:
    assert schema_error('type T @model @key(fields: ["tags"]) {\n  tags: [String]!\n}\n').startswith(
        "@key '<unnamed>' on type 'T' cannot reference field 'tags' of type [String]!: key fields must be String, ID, "
        "Int, Float, an enum or an AWS scalar based on them.")


@pytest.mark.parametrize(("sdl", "message"), [
    ('type A @model @key(name: "x", fields: []) {\n  id: ID!\n}\n',
     "@key 'x' on type 'A': 'fields' must name at least one field of A."),
    ('type A @model @key(name: "x", fields: ["b"]) {\n  id: ID!\n  b: Boolean\n}\n',
     "@key 'x' on type 'A' cannot reference field 'b' of type Boolean: key fields must be String, ID, Int, Float, "
     "an enum or an AWS scalar based on them."),
])
def test_key_field_errors(schema_error: Callable[..., str], sdl: str, message: str) -> None:
    assert schema_error(sdl).split("\n", 1)[0] == message
