"""The executable schema of an API: its SDL plus AppSync's built-in scalars and directives, and what the
directives mean for auth (who may read each field); `subscriptions.py` reads `@aws_subscribe`.

Field auth follows AppSync: a field's own `@aws_*` directives decide; without any, its type's; without
any, the API's default mode. `cognito_groups` narrows a Cognito grant to members of those groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    build_ast_schema,
    parse,
)
from graphql.language import DirectiveNode, DocumentNode, ListValueNode, Source, StringValueNode

from amplify_local.mock.appsync.scalars import SCALARS
from amplify_local.mock.appsync.scalars import SDL as SCALARS_SDL

DIRECTIVES_SDL = """
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION
directive @aws_subscribe(mutations: [String!]) on FIELD_DEFINITION
"""

# graphql-core 3.2 names and the 3.3 ones (`coerce_*`); the scalars were built with the former
_SCALAR_BEHAVIOUR = ("serialize", "parse_value", "parse_literal",
                     "coerce_output_value", "coerce_input_value", "coerce_input_literal")
_PRELUDE = parse(SCALARS_SDL + DIRECTIVES_SDL)
_MODE_DIRECTIVES = {
    "aws_api_key": "API_KEY",
    "aws_iam": "AWS_IAM",
    "aws_oidc": "OPENID_CONNECT",
    "aws_lambda": "AWS_LAMBDA",
    "aws_cognito_user_pools": "AMAZON_COGNITO_USER_POOLS",
    "aws_auth": "AMAZON_COGNITO_USER_POOLS",
}


@dataclass(frozen=True)
class FieldAuth:
    """The modes that may read a field; `groups` (when set) limits the Cognito grant to those groups."""

    modes: frozenset[str]
    groups: frozenset[str] | None = None


@dataclass
class SchemaInfo:
    """The executable schema with every field's auth rule."""

    schema: GraphQLSchema
    auth: dict[tuple[str, str], FieldAuth]  # every field of every object type
    document: DocumentNode  # the API's SDL as parsed (without the prelude), for other readers


def build_schema(sdl: str, default_mode: str, source_name: str = "schema.graphql") -> SchemaInfo:
    """Parse the API's SDL with AppSync's prelude; raise `GraphQLError` naming the line on a bad schema."""
    user = parse(Source(sdl, source_name))
    declared = {definition.name.value for definition in user.definitions if hasattr(definition, "name")}
    prelude = [
        definition for definition in _PRELUDE.definitions
        if definition.name.value not in declared  # type: ignore[attr-defined]
    ]
    schema = build_ast_schema(DocumentNode(definitions=(*prelude, *user.definitions)))
    for name, scalar in SCALARS.items():
        target = schema.type_map.get(name)
        if target is not None:
            for attribute in _SCALAR_BEHAVIOUR:
                if hasattr(scalar, attribute):
                    setattr(target, attribute, getattr(scalar, attribute))
    info = SchemaInfo(schema, {}, user)
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        type_auth = _directive_auth(graphql_type.ast_node.directives if graphql_type.ast_node else ())
        for extension in graphql_type.extension_ast_nodes or ():
            more = _directive_auth(extension.directives)
            if more is not None:
                type_auth = more if type_auth is None else FieldAuth(type_auth.modes | more.modes, type_auth.groups)
        for field_name, graphql_field in graphql_type.fields.items():
            directives = graphql_field.ast_node.directives if graphql_field.ast_node else ()
            info.auth[(type_name, field_name)] = (
                _directive_auth(directives) or type_auth or FieldAuth(frozenset({default_mode}))
            )
    return info


def _string_list(directive: DirectiveNode, argument: str) -> list[str] | None:
    for arg in directive.arguments or ():
        if arg.name.value == argument and isinstance(arg.value, ListValueNode):
            return [v.value for v in arg.value.values if isinstance(v, StringValueNode)]
    return None


def _directive_auth(directives: tuple[DirectiveNode, ...] | list[DirectiveNode]) -> FieldAuth | None:
    modes: set[str] = set()
    groups: set[str] | None = None
    for directive in directives or ():
        mode = _MODE_DIRECTIVES.get(directive.name.value)
        if mode is None:
            continue
        modes.add(mode)
        listed = _string_list(directive, "cognito_groups")
        if listed is not None:
            groups = (groups or set()) | set(listed)
    return FieldAuth(frozenset(modes), frozenset(groups) if groups is not None else None) if modes else None


__all__ = ["FieldAuth", "GraphQLError", "SchemaInfo", "build_schema"]
