"""The editable SDL model: parsing into TypeDefs, type helpers, printing back."""

from __future__ import annotations

from graphql import build_schema, parse

from amplify_local.transformer.sdl import (
    base_type,
    directive_args,
    from_document,
    is_list,
    is_scalar,
    non_null,
    nullable,
    parse_types,
    print_types,
)


def test_type_helpers() -> None:
    assert base_type("[Post!]!") == "Post"
    assert is_list("[Post]") and not is_list("Post!")
    assert non_null("ID") == "ID!" and non_null("ID!") == "ID!"
    assert nullable("[ID]!") == "[ID]"
    assert is_scalar("AWSDateTime!") and not is_scalar("Post")


def test_print_round_trip_keeps_appsync_directives() -> None:
    sdl = ('type Query {\n  now(tz: String = "UTC"): AWSDateTime @aws_api_key @aws_cognito_user_pools\n}\n'
           "enum Kind {\n  A\n  B\n}\n"
           "union Thing = Query\n"
           "interface Node {\n  id: ID!\n}\n"
           "type Post implements Node @aws_iam {\n  id: ID!\n}\n")
    printed = print_types(parse_types(sdl))
    assert 'now(tz: String = "UTC"): AWSDateTime @aws_api_key @aws_cognito_user_pools' in printed
    assert "type Post implements Node @aws_iam {" in printed
    assert "union Thing = Query" in printed
    build_schema(printed + "scalar AWSDateTime\ndirective @aws_api_key on FIELD_DEFINITION\n"
                 "directive @aws_cognito_user_pools on FIELD_DEFINITION\ndirective @aws_iam on OBJECT\n")


def test_extensions_merge_and_directive_arguments() -> None:
    types = from_document(parse('type Query {\n  a: Int\n}\nextend type Query @aws_api_key {\n  b: Int\n}\n'
                                'type T @model(queries: null, timestamps: {createdAt: "made"}) {\n  id: ID!\n}\n'))
    query = types[0]
    assert [f.name for f in query.fields] == ["a", "b"]
    assert query.directive("aws_api_key") is not None
    assert directive_args(types[1].directive("model")) == {"queries": None, "timestamps": {"createdAt": "made"}}
