"""Schema parsing and validation errors: file, line, column, the offending line and a caret."""

from __future__ import annotations

from collections.abc import Callable

from amplify_local.transformer.document import parse_schema
from amplify_local.transformer.errors import SchemaError, UnsupportedDirectiveError


def test_unknown_directive_points_at_it(schema_error: Callable[..., str]) -> None:
    assert schema_error('type Todo @model {\n  id: ID!\n  name: String @mode\n}\n') == (
        "Unknown directive '@mode'.\n\n"
        "amplify/backend/api/demo/schema.graphql:3:16\n"
        "2 |   id: ID!\n"
        "3 |   name: String @mode\n"
        "  |                ^\n"
        "4 | }")


def test_syntax_error(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Todo @model {\n  id: ID!\n  name String\n}\n")
    assert message.startswith("Syntax Error: Expected ':', found Name 'String'.\n\n"
                              "amplify/backend/api/demo/schema.graphql:3:8\n")
    assert "3 |   name String\n  |        ^" in message


def test_unknown_type(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Todo @model {\n  id: ID!\n  owner: Person\n}\n")
    assert message.startswith("Unknown type 'Person'.\n\namplify/backend/api/demo/schema.graphql:3:10\n")


def test_directive_argument_of_the_wrong_type(schema_error: Callable[..., str]) -> None:
    assert schema_error('type Todo @model(queries: "x") {\n  id: ID!\n}\n') == (
        "@model on Todo: argument 'queries' expects ModelQueryMap, got \"x\".\n\n"
        "amplify/backend/api/demo/schema.graphql:1:27\n"
        '1 | type Todo @model(queries: "x") {\n'
        "  |                           ^\n"
        "2 |   id: ID!")


def test_unknown_directive_argument(schema_error: Callable[..., str]) -> None:
    message = schema_error('type Todo @model(query: null) {\n  id: ID!\n}\n')
    assert message.startswith("Unknown argument 'query' on directive '@model'.")


def test_missing_required_directive_argument(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Todo @model @key {\n  id: ID!\n}\n")
    # graphql-js 15's wording, which the Amplify transformer prints (graphql-core 3.2, pinned)
    assert message.startswith("Directive '@key' argument 'fields' of type '[String!]!' is required, but it was not "
                              "provided.")
    assert ":1:18\n" in message


def test_unsupported_directives_name_the_type() -> None:
    for directive, where in (("@searchable", "Todo"), ('@http(url: "https://x")', "Todo.remote"),
                             ("@predictions(actions: [identifyText])", "Todo.remote")):
        on_type = directive if where == "Todo" else ""
        on_field = directive if where != "Todo" else ""
        sdl = f"type Todo @model {on_type} {{\n  id: ID!\n  remote: String {on_field}\n}}\n"
        try:
            parse_schema([("schema.graphql", sdl)])
        except UnsupportedDirectiveError as error:
            name = directive.split("(")[0]
            assert error.message == (f"{name} on {where} is not supported by the mock yet; remove it to mock "
                                     "this API locally.")
            assert error.location is not None
        else:
            raise AssertionError(directive)


def test_several_files_each_keep_their_name() -> None:
    files = [("schema/a.graphql", "type A @model {\n  id: ID!\n}\n"),
             ("schema/b.graphql", "type B @model {\n  id: ID!\n  a: A @oops\n}\n")]
    try:
        parse_schema(files)
    except SchemaError as error:
        assert error.location == ("schema/b.graphql", 3, 8)
    else:
        raise AssertionError("no error")
    assert [t.name for t in parse_schema(files[:1])] == ["A"]


def test_declared_appsync_scalars_and_default_schema_definition_are_accepted(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("schema {\n  query: Query\n}\nscalar AWSJSON\ntype Query {\n  a: AWSJSON\n}\n")
    assert files["schema.graphql"] == "type Query {\n  a: AWSJSON\n}\n"


def test_custom_root_type_names(schema_error: Callable[..., str]) -> None:
    assert schema_error("schema {\n  query: Q\n}\ntype Q {\n  a: Int\n}\n").startswith(
        "A schema definition with custom root type names is not supported by the mock; name the root types Query, "
        "Mutation and Subscription.\n\namplify/backend/api/demo/schema.graphql:1:1\n")


def test_v2_directive_says_what_to_do(schema_error: Callable[..., str]) -> None:
    message = schema_error("type Post @model {\n  id: ID!\n  tags: [Tag] @hasMany\n}\ntype Tag @model {\n  id: ID!\n}\n")
    assert message.startswith(
        "Unknown directive '@hasMany'. @hasMany is a GraphQL Transformer v2 directive; the mock transforms v1 schemas "
        "(@model, @key, @connection, @auth, @versioned, @function). Compile a v2 schema with the Amplify CLI and serve "
        "the build folder: amplify mock api --build <folder>.\n\namplify/backend/api/demo/schema.graphql:3:15\n")
