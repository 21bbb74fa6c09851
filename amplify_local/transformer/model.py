"""@model: a DynamoDB table per type, CRUDL operations, subscriptions and their input types.

Names, argument shapes and generated inputs follow the v1 DynamoDB transformer (Version 5 with
conditions): `getTodo(id)`, `listTodos(filter, limit, nextToken)`, `createTodo(input, condition)`,
`ModelTodoFilterInput`, `ModelTodoConditionInput`, `ModelTodoConnection`, the scalar filter inputs
and `ModelAttributeTypes`; `createdAt`/`updatedAt` unless `timestamps: null`.
"""

from __future__ import annotations

from typing import Any

from graphql import DirectiveNode

from .context import DataSourceSpec, ResolverSpec, TableSpec, TransformContext, template
from .errors import SchemaError
from .sdl import (
    BASE_SCALAR,
    Arg,
    Field,
    TypeDef,
    base_type,
    directive_args,
    is_list,
    is_scalar,
    make_directive,
    non_null,
    nullable,
)

RESERVED = {"Query", "Mutation", "Subscription"}
TIMESTAMP_TYPES = {"AWSDateTime", "String"}

_CONDITIONS = {
    "String": ["ne", "eq", "le", "lt", "ge", "gt", "contains", "notContains", "between", "beginsWith"],
    "Int": ["ne", "eq", "le", "lt", "ge", "gt", "between"],
    "Boolean": ["ne", "eq"],
}
_CONDITIONS["ID"] = _CONDITIONS["String"]
_CONDITIONS["Float"] = _CONDITIONS["Int"]
_FUNCTIONS = {"String": ["attributeExists", "attributeType", "size"], "ID": ["attributeExists", "attributeType", "size"]}
_FUNCTION_TYPES = {"attributeExists": "Boolean", "attributeType": "ModelAttributeTypes", "size": "ModelSizeInput"}
ATTRIBUTE_TYPES = ["binary", "binarySet", "bool", "list", "map", "number", "numberSet", "string", "stringSet", "_null"]


def upper(word: str) -> str:
    return word[:1].upper() + word[1:]


def plural(word: str) -> str:
    """The v1 default (`improvePluralization: false`): append an `s`."""
    return word + "s"


def _scalarfilter_input(scalar: str) -> str:
    fields = [f"  {c}: {'[' + scalar + ']' if c == 'between' else scalar}\n" for c in _CONDITIONS[scalar]]
    fields += [f"  {fn}: {_FUNCTION_TYPES[fn]}\n" for fn in _FUNCTIONS.get(scalar, ["attributeExists", "attributeType"])]
    return f"input Model{scalar}Input {{\n{''.join(fields)}}}\n"


SCALAR_FILTER_INPUTS = "".join(_scalarfilter_input(s) for s in ("String", "ID", "Int", "Float", "Boolean")) + (
    "input ModelSizeInput {\n" + "".join(
        f"  {c}: {'[Int]' if c == 'between' else 'Int'}\n" for c in _CONDITIONS["Int"]) + "}\n"
    "enum ModelAttributeTypes {\n" + "".join(f"  {v}\n" for v in ATTRIBUTE_TYPES) + "}\n"
)


class ModelConfig:
    """The parsed `@model` arguments of one type."""

    def __init__(self, t: TypeDef, directive: DirectiveNode) -> None:
        args = directive_args(directive)
        self.type = t
        self.name = t.name
        self.queries = self._ops(args, "queries", {"get": f"get{upper(t.name)}", "list": f"list{plural(upper(t.name))}"})
        self.mutations = self._ops(args, "mutations", {
            "create": f"create{upper(t.name)}", "update": f"update{upper(t.name)}", "delete": f"delete{upper(t.name)}"})
        self.subscriptions: dict[str, Any] | None = args.get("subscriptions", {})
        timestamps = args.get("timestamps", {})
        self.created_at = None if timestamps is None else timestamps.get("createdAt", "createdAt")
        self.updated_at = None if timestamps is None else timestamps.get("updatedAt", "updatedAt")
        for name in (self.created_at, self.updated_at):
            existing = t.get(name) if name else None
            if existing is not None and base_type(existing.type) not in TIMESTAMP_TYPES:
                raise SchemaError(
                    f"{t.name}.{name} is of type {base_type(existing.type)}; a @model timestamp field must be "
                    "AWSDateTime or String (or rename it with @model(timestamps: {...})).", existing.node)

    @staticmethod
    def _ops(args: dict[str, Any], key: str, defaults: dict[str, str]) -> dict[str, str]:
        if key not in args:
            return defaults
        given = args[key]
        if given is None:
            return {}
        return {op: given[op] for op in defaults if given.get(op)}


def _input_fields(ctx: TransformContext, t: TypeDef) -> list[Field]:
    """The fields an input object can carry: scalars, enums and non-model object types."""
    out = []
    for f in t.fields:
        target = ctx.input_types.get(base_type(f.type))
        if is_scalar(f.type) or (target is not None and (
                target.kind == "enum" or (target.kind == "type" and not ctx.is_model(target.name)))):
            out.append(f)
    return out


def _input_type(ctx: TransformContext, type_: str) -> str:
    """A field type as an input type: non-model object types become their `<Type>Input`."""
    name = base_type(type_)
    target = ctx.input_types.get(name)
    if target is not None and target.kind == "type":
        return type_.replace(name, f"{name}Input")
    return type_


def _non_model_inputs(ctx: TransformContext, t: TypeDef, seen: set[str]) -> None:
    for f in t.fields:
        target = ctx.input_types.get(base_type(f.type))
        if target is None or target.kind != "type" or ctx.is_model(target.name) or target.name in seen:
            continue
        seen.add(target.name)
        lines = "".join(f"  {g.name}: {_input_type(ctx, g.type)}\n" for g in _input_fields(ctx, target))
        ctx.add(f"input {target.name}Input {{\n{lines}}}\n")
        _non_model_inputs(ctx, target, seen)


def _filter_fields(ctx: TransformContext, t: TypeDef) -> str:
    lines = []
    for f in t.fields:
        name = base_type(f.type)
        target = ctx.input_types.get(name)
        if is_scalar(f.type):
            lines.append(f"  {f.name}: Model{BASE_SCALAR[name]}Input\n")
        elif target is not None and target.kind == "enum":
            lines.append(f"  {f.name}: Model{name}{'List' if is_list(f.type) else ''}Input\n")
    return "".join(lines)


def _enumfilter_inputs(ctx: TransformContext, t: TypeDef) -> None:
    for f in t.fields:
        name = base_type(f.type)
        target = ctx.input_types.get(name)
        if target is None or target.kind != "enum":
            continue
        if is_list(f.type):
            ctx.add(f"input Model{name}ListInput {{\n  eq: [{name}]\n  ne: [{name}]\n  contains: {name}\n"
                    f"  notContains: {name}\n}}\n")
        else:
            ctx.add(f"input Model{name}Input {{\n  eq: {name}\n  ne: {name}\n}}\n")


def filter_input(ctx: TransformContext, t: TypeDef, kind: str) -> None:
    """`Model<T>FilterInput` or `Model<T>ConditionInput` (kind Filter/Condition) and the inputs it uses."""
    name = f"Model{t.name}{kind}Input"
    ctx.add(SCALAR_FILTER_INPUTS)
    _enumfilter_inputs(ctx, t)
    ctx.add(f"input {name} {{\n{_filter_fields(ctx, t)}  and: [{name}]\n  or: [{name}]\n  not: {name}\n}}\n")


def transform_model(ctx: TransformContext, t: TypeDef) -> ModelConfig:
    directive = t.directive("model")
    assert directive is not None
    if t.name in RESERVED:
        raise SchemaError(f"'{t.name}' is a reserved type name and currently in use within the default schema "
                          "element; @model cannot be used on it.", directive)
    config = ModelConfig(t, directive)
    original = TypeDef(t.kind, t.name, list(t.fields))
    out = ctx.types[t.name]
    _non_model_inputs(ctx, t, set())
    if out.get("id") is None:
        out.fields.insert(0, Field("id", "ID!"))

    stack = ctx.stack(t.name)
    ctx.tables[t.name] = TableSpec(t.name, [{"AttributeName": "id", "KeyType": "HASH"}], {"id": "S"})
    data_source = f"{t.name}DataSource"
    ctx.data_sources[data_source] = DataSourceSpec(data_source, f"{t.name}Table", "AMAZON_DYNAMODB", stack)

    def resolver(root: str, field: str, resource: str, request: str) -> ResolverSpec:
        return ctx.resolver(ResolverSpec(root, field, data_source, request, template("result"), stack, resource))

    queries, mutations = config.queries, config.mutations
    origin = f"@model on {t.name}"
    if "list" in queries:
        ctx.add("enum ModelSortDirection {\n  ASC\n  DESC\n}\n")
    if "get" in queries:
        resolver("Query", queries["get"], f"Get{t.name}Resolver", template("model_get"))
        ctx.add_root_field(origin, "Query", Field(queries["get"], t.name, [Arg("id", "ID!")]))
    if "list" in queries:
        ctx.add(f"type Model{t.name}Connection {{\n  items: [{t.name}]!\n  nextToken: String\n}}\n")
        resolver("Query", queries["list"], f"List{t.name}Resolver", template("model_list"))
        ctx.add_root_field(origin, "Query", Field(queries["list"], f"Model{t.name}Connection", [
            Arg("filter", f"Model{t.name}FilterInput"), Arg("limit", "Int"), Arg("nextToken", "String")]))
        filter_input(ctx, original, "Filter")

    fields = _input_fields(ctx, original)
    has_id = original.get("id") is not None
    auto = {"id": {"ID"}, config.created_at: TIMESTAMP_TYPES, config.updated_at: TIMESTAMP_TYPES}
    condition = [Arg("condition", f"Model{t.name}ConditionInput")]
    if "create" in mutations:
        lines = [] if has_id else ["  id: ID\n"]
        for f in fields:
            type_ = nullable(f.type) if f.name in auto and base_type(f.type) in auto[f.name] else f.type
            lines.append(f"  {f.name}: {_input_type(ctx, type_)}\n")
        ctx.add(f"input Create{upper(t.name)}Input {{\n{''.join(lines)}}}\n")
        resolver("Mutation", mutations["create"], f"Create{t.name}Resolver", template("model_create", type=t.name))
        ctx.add_root_field(origin, "Mutation", Field(mutations["create"], t.name,
                                             [Arg("input", f"Create{upper(t.name)}Input!"), *condition]))
    if "update" in mutations:
        lines = [] if has_id else ["  id: ID!\n"]
        for f in fields:
            type_ = non_null(f.type) if f.name == "id" else nullable(f.type)
            lines.append(f"  {f.name}: {_input_type(ctx, type_)}\n")
        ctx.add(f"input Update{upper(t.name)}Input {{\n{''.join(lines)}}}\n")
        optional = [f.name for f in fields if f.type.endswith("!") and f.name != "id"]
        timestamps = ""
        if config.updated_at:
            timestamps = (f"## Automatically set the updatedAt timestamp. **\n$util.qr($context.args.input.put("
                          f"\"{config.updated_at}\", $util.defaultIfNull($ctx.args.input.{config.updated_at}, "
                          "$util.time.nowISO8601())))")
        request = (f"#set( $optionalNonNullableFields = [{', '.join(chr(34) + n + chr(34) for n in optional)}] )\n"
                   + template("model_update", type=t.name, timestamps=timestamps))
        resolver("Mutation", mutations["update"], f"Update{t.name}Resolver", request)
        ctx.add_root_field(origin, "Mutation", Field(mutations["update"], t.name,
                                             [Arg("input", f"Update{upper(t.name)}Input!"), *condition]))
    if "delete" in mutations:
        ctx.add(f"input Delete{upper(t.name)}Input {{\n  id: ID!\n}}\n")
        resolver("Mutation", mutations["delete"], f"Delete{t.name}Resolver", template("model_delete"))
        ctx.add_root_field(origin, "Mutation", Field(mutations["delete"], t.name,
                                             [Arg("input", f"Delete{upper(t.name)}Input!"), *condition]))
    if mutations:
        filter_input(ctx, original, "Condition")
        if not t.all("key"):
            cond = ctx.types[f"Model{t.name}ConditionInput"]
            cond.fields = [f for f in cond.fields if f.name != "id"]
    _subscriptions(ctx, config)
    for name in (config.created_at, config.updated_at):
        if name and out.get(name) is None:
            out.fields.append(Field(name, "AWSDateTime!"))
    return config


def _subscriptions(ctx: TransformContext, config: ModelConfig) -> None:
    subs = config.subscriptions
    if subs is None or subs.get("level") == "off":
        return
    mutations = config.mutations
    if any(subs.get(k) for k in ("onCreate", "onUpdate", "onDelete")):
        wiring: dict[str, list[str]] = {}
        for key, op in (("onCreate", "create"), ("onUpdate", "update"), ("onDelete", "delete")):
            for name in subs.get(key) or []:
                wiring.setdefault(name, [])
                if op in mutations:
                    wiring[name].append(mutations[op])
    else:
        wiring = {f"on{upper(op)}{upper(config.name)}": [mutations[op]]
                  for op in ("create", "update", "delete") if op in mutations}
    origin = f"@model on {config.name}"
    for name, fields in wiring.items():
        listed = ", ".join(f'"{m}"' for m in fields)
        ctx.add_root_field(origin, "Subscription", Field(name, config.name, [],
                                                 [make_directive(f"aws_subscribe(mutations: [{listed}])")]))


def finish_create(ctx: TransformContext, config: ModelConfig) -> None:
    """Prepend the create mutation's defaults (id, timestamps); done last, as the real transformer
    hoists them, so that @key's change to the create input (no `id`) is seen."""
    if "create" not in config.mutations:
        return
    create_input = ctx.types[f"Create{upper(config.name)}Input"]
    id_field = create_input.get("id")
    lines = []
    if id_field is not None and base_type(id_field.type) in ("ID", "String"):
        lines.append('$util.qr($context.args.input.put("id", $util.defaultIfNull($ctx.args.input.id, $util.autoId())))')
    existing = {f.name: f for f in config.type.fields}
    stamps = [n for n in (config.created_at, config.updated_at) if n and (
        n not in existing or base_type(existing[n].type) in TIMESTAMP_TYPES)]
    if stamps:
        lines.append("#set( $createdAt = $util.time.nowISO8601() )")
    for label, name in (("createdAt", config.created_at), ("updatedAt", config.updated_at)):
        if name in stamps:
            lines.append(f"## Automatically set the {label} timestamp. **")
            lines.append(f'$util.qr($context.args.input.put("{name}", $util.defaultIfNull($ctx.args.input.{name}, '
                         '$createdAt)))')
    block = "## [Start] Set default values. **\n" + "".join(line + "\n" for line in lines) + \
        "## [End] Set default values. **"
    ctx.find_resolver("Mutation", config.mutations["create"]).prepend(block)
