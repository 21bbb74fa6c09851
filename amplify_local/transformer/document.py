"""Reading the user's schema files: parse, validate, and check every directive argument's type.

graphql-core does the SDL validation (unknown types and directives, wrong arguments, duplicate
names) against the directive definitions the v1 transformer accepts (`directives.graphql`); the
argument values are then coerced to their declared input types, so `@model(queries: "x")` fails
here with its location instead of deep inside a directive module.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    Source,
    Undefined,
    build_ast_schema,
    parse,
    print_ast,
    value_from_ast,
)
from graphql.validation.validate import validate_sdl

from .errors import SchemaError, UnsupportedDirectiveError
from .sdl import AWS_SCALARS, TypeDef, from_document

UNSUPPORTED = {"searchable", "http", "predictions"}
V2_DIRECTIVES = {"primaryKey", "index", "hasOne", "hasMany", "belongsTo", "manyToMany", "default", "mapsTo",
                 "refersTo", "sql", "validate"}

_DEFINITIONS: DocumentNode | None = None
_SCHEMA: GraphQLSchema | None = None


def _definitions() -> DocumentNode:
    global _DEFINITIONS
    if _DEFINITIONS is None:
        text = resources.files(__package__).joinpath("directives.graphql").read_text()
        _DEFINITIONS = parse(Source(text, "directives.graphql"))
    return _DEFINITIONS


def _directive_schema() -> GraphQLSchema:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_ast_schema(_definitions())
    return _SCHEMA


def _placed(node: Any) -> list[tuple[str, Any]]:
    """Each directive of a definition with where it sits (`Todo` or `Todo.name`)."""
    name = node.name.value
    found = [(name, d) for d in getattr(node, "directives", None) or []]
    for f in getattr(node, "fields", None) or []:
        found.extend((f"{name}.{f.name.value}", d) for d in f.directives or [])
    return found


def _check_arguments(where: str, directive: Any) -> None:
    definition = _directive_schema().get_directive(directive.name.value)
    if definition is None:
        return
    for arg in directive.arguments or []:
        expected = definition.args.get(arg.name.value)
        if expected is not None and value_from_ast(arg.value, expected.type) is Undefined:
            raise SchemaError(
                f"@{directive.name.value} on {where}: argument '{arg.name.value}' expects {expected.type}, "
                f"got {print_ast(arg.value)}.", arg.value)


def _builtin(node: Any) -> bool:
    """AppSync's scalars, which users sometimes declare for their editor: AppSync has them built in."""
    return isinstance(node, ScalarTypeDefinitionNode) and node.name.value in AWS_SCALARS


def parse_schema(files: list[tuple[str, str]]) -> list[TypeDef]:
    """Parse and validate the user's schema files; the first problem raises a located SchemaError."""
    definitions = []
    for name, text in files:
        try:
            definitions.extend(parse(Source(text, name)).definitions)
        except GraphQLError as error:
            raise SchemaError.from_graphql(error) from None
    definitions = [node for node in definitions if not _builtin(node)]
    for node in definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            roots = {op.operation.value: op.type.name.value for op in node.operation_types or []}
            if any(name != operation.capitalize() for operation, name in roots.items()):
                raise SchemaError("A schema definition with custom root type names is not supported by the mock; "
                                  "name the root types Query, Mutation and Subscription.", node)
            continue
        for where, directive in _placed(node):
            if directive.name.value in UNSUPPORTED:
                raise UnsupportedDirectiveError(
                    f"@{directive.name.value} on {where} is not supported by the mock yet; remove it to mock "
                    "this API locally.", directive)
    errors = validate_sdl(DocumentNode(definitions=tuple(definitions)), _directive_schema())
    if errors:
        error = errors[0]
        name = error.message.removeprefix("Unknown directive '@").removesuffix("'.")
        if name in V2_DIRECTIVES:
            error = GraphQLError(
                f"{error.message} @{name} is a GraphQL Transformer v2 directive; the mock transforms v1 schemas "
                "(@model, @key, @connection, @auth, @versioned, @function). Compile a v2 schema with the Amplify "
                "CLI and serve the build folder: amplify mock api --build <folder>.", error.nodes)
        raise SchemaError.from_graphql(error)
    for node in definitions:
        if not isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            for where, directive in _placed(node):
                _check_arguments(where, directive)
    return from_document(DocumentNode(definitions=tuple(definitions)))
