"""A small editable model of an SDL document, and its printer.

graphql-core's AST is built for reading; the transformer adds fields, arguments, types and
directives everywhere, so it works on these plain dataclasses instead. Types are SDL strings
(`"[Post]!"`); directives stay graphql-core `DirectiveNode`s so that their source location is
kept for error messages and AppSync's own directives print back exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    Node,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    UnionTypeDefinitionNode,
    parse,
    print_ast,
    value_from_ast_untyped,
)

Kind = Literal["type", "input", "enum", "interface", "union", "scalar"]

SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
AWS_SCALARS = {
    "AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone",
    "AWSIPAddress",
}
# The GraphQL scalar each AppSync scalar is filtered and keyed as (the real transformer's table).
BASE_SCALAR = {
    **{name: name for name in SCALARS},
    "BigInt": "Int", "Double": "Float", "AWSDate": "String", "AWSTime": "String", "AWSDateTime": "String",
    "AWSTimestamp": "Int", "AWSEmail": "String", "AWSJSON": "String", "AWSURL": "String",
    "AWSPhone": "String", "AWSIPAddress": "String",
}


def base_type(type_: str) -> str:
    return type_.replace("[", "").replace("]", "").replace("!", "")


def is_list(type_: str) -> bool:
    return type_.startswith("[")


def is_non_null(type_: str) -> bool:
    return type_.endswith("!")


def nullable(type_: str) -> str:
    return type_[:-1] if type_.endswith("!") else type_


def non_null(type_: str) -> str:
    return type_ if type_.endswith("!") else type_ + "!"


def is_scalar(type_: str) -> bool:
    return base_type(type_) in BASE_SCALAR


@dataclass
class Arg:
    name: str
    type: str
    default: str | None = None  # SDL text of the default value

    def sdl(self) -> str:
        return f"{self.name}: {self.type}" + (f" = {self.default}" if self.default is not None else "")


@dataclass
class Field:
    name: str
    type: str
    args: list[Arg] = field(default_factory=list)
    directives: list[DirectiveNode] = field(default_factory=list)
    node: Node | None = None

    def directive(self, name: str) -> DirectiveNode | None:
        return next((d for d in self.directives if d.name.value == name), None)

    def all(self, name: str) -> list[DirectiveNode]:
        return [d for d in self.directives if d.name.value == name]


@dataclass
class TypeDef:
    kind: Kind
    name: str
    fields: list[Field] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # enum values, union members
    interfaces: list[str] = field(default_factory=list)
    directives: list[DirectiveNode] = field(default_factory=list)
    node: Node | None = None

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def directive(self, name: str) -> DirectiveNode | None:
        return next((d for d in self.directives if d.name.value == name), None)

    def all(self, name: str) -> list[DirectiveNode]:
        return [d for d in self.directives if d.name.value == name]


def directive_args(node: DirectiveNode) -> dict[str, Any]:
    """The directive's arguments as Python values (an explicit `null` stays as `None`)."""
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in node.arguments or []}


@lru_cache(maxsize=256)
def make_directive(text: str) -> DirectiveNode:
    """A generated directive, from its SDL text without the `@` (`aws_subscribe(mutations: [...])`)."""
    document = parse(f"scalar X @{text}", no_location=True)
    return document.definitions[0].directives[0]  # type: ignore[union-attr]


def _type_text(node: Node) -> str:
    return print_ast(node)


def _fields(nodes: Any) -> list[Field]:
    return [
        Field(
            f.name.value,
            _type_text(f.type),
            [Arg(a.name.value, _type_text(a.type), print_ast(a.default_value) if a.default_value else None)
             for a in getattr(f, "arguments", None) or []],
            list(f.directives or []),
            f,
        )
        for f in nodes or []
    ]


def from_document(document: DocumentNode) -> list[TypeDef]:
    """The type definitions of a parsed document; object extensions merge into their type."""
    types: dict[str, TypeDef] = {}
    extensions: list[ObjectTypeExtensionNode] = []
    for node in document.definitions:
        name = getattr(getattr(node, "name", None), "value", None)
        if isinstance(node, ObjectTypeDefinitionNode):
            types[name] = TypeDef("type", name, _fields(node.fields), [], [i.name.value for i in node.interfaces or []],
                                  list(node.directives or []), node)
        elif isinstance(node, InterfaceTypeDefinitionNode):
            types[name] = TypeDef("interface", name, _fields(node.fields), directives=list(node.directives or []),
                                  node=node)
        elif isinstance(node, InputObjectTypeDefinitionNode):
            types[name] = TypeDef("input", name, _fields(node.fields), directives=list(node.directives or []), node=node)
        elif isinstance(node, EnumTypeDefinitionNode):
            types[name] = TypeDef("enum", name, values=[v.name.value for v in node.values or []],
                                  directives=list(node.directives or []), node=node)
        elif isinstance(node, UnionTypeDefinitionNode):
            types[name] = TypeDef("union", name, values=[t.name.value for t in node.types or []],
                                  directives=list(node.directives or []), node=node)
        elif isinstance(node, ScalarTypeDefinitionNode):
            types[name] = TypeDef("scalar", name, directives=list(node.directives or []), node=node)
        elif isinstance(node, ObjectTypeExtensionNode):
            extensions.append(node)
    for node in extensions:
        target = types.setdefault(node.name.value, TypeDef("type", node.name.value, node=node))
        target.fields.extend(_fields(node.fields))
        target.directives.extend(node.directives or [])
    return list(types.values())


def parse_types(sdl: str) -> list[TypeDef]:
    """Generated definitions, written as SDL for readability."""
    return from_document(parse(sdl, no_location=True))


def _directives(nodes: list[DirectiveNode]) -> str:
    return "".join(" " + print_ast(d) for d in nodes)


def print_types(types: list[TypeDef]) -> str:
    """SDL for the types, in order, one blank line apart (the shape of the real CLI's build schema)."""
    blocks = []
    for t in types:
        head = f"{t.kind} {t.name}"
        if t.kind == "scalar":
            blocks.append(head + _directives(t.directives))
        elif t.kind == "union":
            blocks.append(head + _directives(t.directives) + " = " + " | ".join(t.values))
        elif t.kind == "enum":
            blocks.append(head + _directives(t.directives) + " {\n" + "".join(f"  {v}\n" for v in t.values) + "}")
        else:
            if t.interfaces:
                head += " implements " + " & ".join(t.interfaces)
            lines = []
            for f in t.fields:
                args = "(" + ", ".join(a.sdl() for a in f.args) + ")" if f.args else ""
                lines.append(f"  {f.name}{args}: {f.type}{_directives(f.directives)}\n")
            blocks.append(head + _directives(t.directives) + " {\n" + "".join(lines) + "}")
    return "\n\n".join(blocks) + "\n"
