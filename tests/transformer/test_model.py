"""@model: generated operations, inputs and tables, and its argument errors."""

from __future__ import annotations

import json
from collections.abc import Callable

from graphql import build_schema


def test_operations_and_inputs(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type Todo @model {\n  id: ID!\n  name: String!\n}\n")
    schema = build_schema(files["schema.graphql"] + "scalar AWSDateTime\ndirective @aws_subscribe(mutations: [String]) on FIELD_DEFINITION\n")
    assert sorted(schema.query_type.fields) == ["getTodo", "listTodos"]
    assert sorted(schema.mutation_type.fields) == ["createTodo", "deleteTodo", "updateTodo"]
    assert sorted(schema.subscription_type.fields) == ["onCreateTodo", "onDeleteTodo", "onUpdateTodo"]
    assert str(schema.get_type("CreateTodoInput").fields["id"].type) == "ID"
    assert str(schema.get_type("UpdateTodoInput").fields["name"].type) == "String"
    assert "id" not in schema.get_type("ModelTodoConditionInput").fields
    assert str(schema.get_type("Todo").fields["createdAt"].type) == "AWSDateTime!"
    assert 'optionalNonNullableFields = ["name"]' in files["resolvers/Mutation.updateTodo.req.vtl"]
    stack = json.loads(files["stacks/Todo.json"])
    assert stack["Resources"]["TodoTable"]["Properties"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_null_and_renamed_operations(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema('type Todo @model(queries: null, mutations: {create: "addTodo"}, subscriptions: null, '
                           'timestamps: null) {\n  id: ID!\n}\n')
    assert "type Query" not in files["schema.graphql"]
    assert "addTodo(input: CreateTodoInput!, condition: ModelTodoConditionInput): Todo" in files["schema.graphql"]
    assert "type Subscription" not in files["schema.graphql"]
    assert "createdAt" not in files["schema.graphql"]
    assert "resolvers/Mutation.addTodo.req.vtl" in files


def test_reserved_type_name(schema_error: Callable[..., str]) -> None:
    assert schema_error("type Query @model {\n  id: ID!\n}\n").startswith(
        "'Query' is a reserved type name and currently in use within the default schema element; @model cannot "
        "be used on it.\n\namplify/backend/api/demo/schema.graphql:1:12\n")


def test_timestamp_field_of_the_wrong_type(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Todo @model {\n  id: ID!\n  createdAt: Int\n}\n")
    assert message.startswith("Todo.createdAt is of type Int; a @model timestamp field must be AWSDateTime or "
                              "String (or rename it with @model(timestamps: {...})).\n\n")
    assert ":3:3\n" in message


def test_generated_field_clashing_with_a_schema_field(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Todo @model {\n  id: ID!\n}\ntype Query {\n  getTodo(id: ID!): Todo\n}\n")
    assert message.startswith("Query.getTodo is defined twice: in the schema (or by another directive) and by @model "
                              "on Todo; rename one of them.\n\namplify/backend/api/demo/schema.graphql:5:3\n")


def test_query_field_clashing_with_a_model_query(schema_error: Callable[..., str]) -> None:
    sdl = 'type Todo @model @key(name: "byName", fields: ["name"], queryField: "listTodos") {\n  id: ID!\n  name: String!\n}\n'
    assert schema_error(sdl).startswith("Query.listTodos is defined twice: in the schema (or by another directive) and "
                                        "by @key 'byName' on Todo (queryField); rename one of them.")
