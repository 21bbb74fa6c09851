"""What a transform builds up: the output schema and the AppSync resources, per stack.

Directive modules read the user's types and add to one `TransformContext`; `stacks.py` then turns
the resources into the CloudFormation the real CLI writes. Resource names (logical ids, data
source names, template file names) follow the real transformer so that a build folder made by
either loads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import SchemaError
from .sdl import Field, TypeDef, parse_types

_TEMPLATES: dict[str, str] = {}
_DEFINED = re.compile(r"^(?:type|input|enum) (\w+)", re.MULTILINE)


@lru_cache(maxsize=512)
def _parsed(sdl: str) -> tuple[TypeDef, ...]:
    return tuple(parse_types(sdl))


def template(name: str, **values: str) -> str:
    """A VTL template shipped in `vtl/`, with `{{name}}` placeholders filled in."""
    if name not in _TEMPLATES:
        _TEMPLATES[name] = resources.files(__package__).joinpath("vtl", f"{name}.vtl").read_text()
    text = _TEMPLATES[name]
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


@dataclass
class ResolverSpec:
    """One AppSync resolver; `request`/`response` grow as directives add their snippets."""

    type_name: str
    field_name: str
    data_source: str | None  # the DataSource resource's logical id (`TodoDataSource`)
    request: str
    response: str
    stack: str
    resource_id: str
    kind: str = "UNIT"
    functions: list[str] = field(default_factory=list)  # PIPELINE: FunctionConfiguration logical ids

    @property
    def file_stem(self) -> str:
        return f"{self.type_name}.{self.field_name}"

    def prepend(self, text: str) -> None:
        self.request = text + "\n" + self.request

    def append_response(self, text: str) -> None:
        self.response = self.response + "\n" + text

    def prepend_response(self, text: str) -> None:
        self.response = text + "\n" + self.response


@dataclass
class FunctionSpec:
    """An AppSync pipeline function (the @function transformer's `Invoke…LambdaDataSource`)."""

    resource_id: str
    name: str
    data_source: str
    request: str
    response: str
    stack: str


@dataclass
class DataSourceSpec:
    resource_id: str
    name: str
    type: str
    stack: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableSpec:
    """A model's DynamoDB table; indexes are plain CloudFormation dicts."""

    model: str
    key_schema: list[dict[str, str]]
    attributes: dict[str, str]  # attribute name -> S | N | B, in first-use order
    gsis: list[dict[str, Any]] = field(default_factory=list)
    lsis: list[dict[str, Any]] = field(default_factory=list)

    @property
    def resource_id(self) -> str:
        return f"{self.model}Table"

    def attribute(self, name: str, kind: str) -> None:
        self.attributes.setdefault(name, kind)


@dataclass
class TransformContext:
    """The output under construction. `types` keeps insertion order, which is the print order."""

    input_types: dict[str, TypeDef]
    auth_config: dict[str, Any]
    types: dict[str, TypeDef] = field(default_factory=dict)
    resolvers: dict[str, ResolverSpec] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    data_sources: dict[str, DataSourceSpec] = field(default_factory=dict)
    tables: dict[str, TableSpec] = field(default_factory=dict)
    stacks: list[str] = field(default_factory=list)
    none_data_source: bool = False  # the root stack's `NoneDataSource` (auth on subscriptions)
    metadata: dict[str, Any] = field(default_factory=dict)  # directive-to-directive notes

    def models(self) -> list[TypeDef]:
        return [t for t in self.input_types.values() if t.kind == "type" and t.directive("model")]

    def is_model(self, name: str) -> bool:
        t = self.input_types.get(name)
        return t is not None and t.kind == "type" and t.directive("model") is not None

    def add(self, sdl: str) -> None:
        """Add generated types unless a type of that name exists (the real transformer's rule).

        Most calls repeat types already added (the scalar filter inputs, ModelSortDirection), so the
        names are checked before anything is parsed, and parses are cached by text."""
        if all(name in self.types for name in _DEFINED.findall(sdl)):
            return
        for t in _parsed(sdl):
            if t.name not in self.types:
                self.types[t.name] = replace(t, fields=[replace(f, args=list(f.args), directives=list(f.directives))
                                                        for f in t.fields],
                                             values=list(t.values), directives=list(t.directives))

    def root(self, name: str) -> TypeDef:
        """The Query, Mutation or Subscription type, created on first use."""
        return self.types.setdefault(name, TypeDef("type", name))

    def add_root_field(self, origin: str, root: str, f: Field) -> None:
        """Add a generated Query/Mutation/Subscription field; a name already taken is an error, as in
        the real transformer (`origin` says which directive generated it)."""
        target = self.root(root)
        existing = target.get(f.name)
        if existing is not None:
            raise SchemaError(f"{root}.{f.name} is defined twice: in the schema (or by another directive) and by "
                              f"{origin}; rename one of them.", existing.node)
        target.fields.append(f)

    def stack(self, name: str) -> str:
        if name not in self.stacks:
            self.stacks.append(name)
        return name

    def resolver(self, spec: ResolverSpec) -> ResolverSpec:
        """Record a resolver; `stack` "" puts it in the root template (as the real transformer does with
        resolvers it maps to no stack)."""
        if spec.stack:
            self.stack(spec.stack)
        self.resolvers[spec.resource_id] = spec
        return spec

    def find_resolver(self, type_name: str, field_name: str) -> ResolverSpec | None:
        return next((r for r in self.resolvers.values()
                     if r.type_name == type_name and r.field_name == field_name), None)
