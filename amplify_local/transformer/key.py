"""@key: a model's primary key (with sort keys, composite ones condensed to `a#b`) and its
secondary indexes (GSIs), with the `queryField` queries and key condition inputs they need."""

from __future__ import annotations

from graphql import DirectiveNode

from .context import ResolverSpec, TransformContext, template
from .errors import SchemaError
from .key_condition import SEPARATOR, camel, key_expression
from .model import SCALAR_FILTER_INPUTS, filter_input, upper
from .sdl import BASE_SCALAR, Arg, Field, TypeDef, base_type, directive_args, is_list, is_non_null

ATTRIBUTE_TYPE = {"String": "S", "ID": "S", "Int": "N", "Float": "N"}
KEY_CONDITIONS = {"String": ["eq", "le", "lt", "ge", "gt", "between", "beginsWith"],
                  "Int": ["eq", "le", "lt", "ge", "gt", "between"]}
KEY_CONDITIONS["ID"] = KEY_CONDITIONS["String"]
KEY_CONDITIONS["Float"] = KEY_CONDITIONS["Int"]


class Key:
    """One @key: `name` None for the primary key."""

    def __init__(self, t: TypeDef, directive: DirectiveNode) -> None:
        args = directive_args(directive)
        self.type, self.directive = t, directive
        self.name: str | None = args.get("name")
        self.fields: list[str] = args.get("fields") or []
        self.query_field: str | None = args.get("queryField")

    @property
    def label(self) -> str:
        return self.name or "<unnamed>"

    @property
    def primary(self) -> bool:
        return not self.name

    @property
    def sort_attribute(self) -> str:
        return SEPARATOR.join(self.fields[1:])

    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.fields[0], "KeyType": "HASH"}]
        if len(self.fields) > 1:
            schema.append({"AttributeName": self.sort_attribute, "KeyType": "RANGE"})
        return schema


def attribute_type(ctx: TransformContext, t: TypeDef, field: str) -> str | None:
    """S, N or None (not usable in a key) for a field, as DynamoDB stores it."""
    f = t.get(field)
    if f is None or is_list(f.type):
        return None
    name = base_type(f.type)
    target = ctx.input_types.get(name)
    if target is not None and target.kind == "enum":
        return "S"
    return ATTRIBUTE_TYPE.get(BASE_SCALAR.get(name, ""))


def _validate(ctx: TransformContext, t: TypeDef, key: Key, keys: list[Key]) -> None:
    where = f"@key '{key.label}' on type '{t.name}'"
    if not key.fields:
        raise SchemaError(f"{where}: 'fields' must name at least one field of {t.name}.", key.directive)
    if not t.directive("model"):
        raise SchemaError(f"{where}: @key may only be used on types that also have @model.", key.directive)
    if key.primary:
        if sum(1 for k in keys if k.primary) > 1:
            raise SchemaError(f"You may only supply one primary @key on type '{t.name}'; give the others a "
                              "'name'.", key.directive)
        if key.query_field:
            raise SchemaError(f"You cannot pass 'queryField' to the primary @key on type '{t.name}'; queryField "
                              "names the query of a secondary (named) key.", key.directive)
    elif sum(1 for k in keys if k.name == key.name) > 1:
        raise SchemaError(f"You may only supply one @key with the name '{key.name}' on type '{t.name}'.",
                          key.directive)
    for name in key.fields:
        f = t.get(name)
        if f is None:
            raise SchemaError(f"You cannot specify a nonexistent field '{name}' in {where}; the fields of "
                              f"{t.name} are: {', '.join(g.name for g in t.fields)}.", key.directive)
        if key.primary and not is_non_null(f.type):
            raise SchemaError(f"The primary @key on type '{t.name}' must reference non-null fields; "
                              f"make it '{name}: {f.type}!'.", f.node)
        if attribute_type(ctx, t, name) is None:
            raise SchemaError(f"{where} cannot reference field '{name}' of type {f.type}: key fields must be "
                              "String, ID, Int, Float, an enum or an AWS scalar based on them.", f.node)


def _key_object(key: Key, prefix: str) -> str:
    parts = []
    parts.append(f'  "{key.fields[0]}": $util.dynamodb.toDynamoDB(${prefix}.{key.fields[0]})')
    if len(key.fields) == 2:
        parts.append(f'  "{key.fields[1]}": $util.dynamodb.toDynamoDB(${prefix}.{key.fields[1]})')
    elif len(key.fields) > 2:
        value = SEPARATOR.join(f"${{{prefix}.{f}}}" for f in key.fields[1:])
        parts.append(f'  "{key.sort_attribute}": $util.dynamodb.toDynamoDB("{value}")')
    return ("## [Start] Set the primary @key. **\n#set( $modelObjectKey = {\n" + ",\n".join(parts) + "\n} )\n"
            "## [End] Set the primary @key. **\n")


def _composite_snippet(key: Key, conditional: bool) -> str:
    if len(key.fields) <= 2:
        return ""
    attribute, friendly = key.sort_attribute, camel(key.fields[1:])
    value = SEPARATOR.join(f"${{ctx.args.input.{f}}}" for f in key.fields[1:])
    put = f'$util.qr($ctx.args.input.put("{attribute}","{value}"))'
    return (f"#if( $util.isNull($dynamodbNameOverrideMap) )\n  #set( $dynamodbNameOverrideMap = {{\n"
            f'  "{attribute}": "{friendly}"\n}} )\n#else\n'
            f'  $util.qr($dynamodbNameOverrideMap.put("{attribute}", "{friendly}"))\n#end\n'
            + (f"#if( $hasSeenSomeKeyArg )\n  {put}\n#end\n" if conditional else put + "\n"))


def _validate_mutation(key: Key, operation: str) -> str:
    if key.primary or len(key.fields) <= 2:
        return ""
    names = ", ".join(f'"{f}"' for f in key.fields[1:])
    verb = operation[:-1] + "ing"
    return (f"## [Start] Validate {operation} mutation for @key '{key.name}'. **\n"
            "#set( $hasSeenSomeKeyArg = false )\n"
            f"#set( $keyFieldNames = [{names}] )\n"
            "#foreach( $keyFieldName in $keyFieldNames )\n"
            '#if( $ctx.args.input.containsKey("$keyFieldName") ) #set( $hasSeenSomeKeyArg = true ) #end\n#end\n'
            "#foreach( $keyFieldName in $keyFieldNames )\n"
            '  #if( $hasSeenSomeKeyArg && !$ctx.args.input.containsKey("$keyFieldName") )\n'
            f"    $util.error(\"When {verb} any part of the composite sort key for @key '{key.name}', you must "
            "provide all fields for the key. Missing key: '$keyFieldName'.\")\n  #end\n#end\n"
            f"## [End] Validate {operation} mutation for @key '{key.name}'. **\n")


def query_snippet(ctx: TransformContext, t: TypeDef, key: Key, is_list: bool) -> str:
    """`$modelQueryExpression` from the key arguments of a list or `queryField` query."""
    lines = ["## [Start] Set query expression for @key **"]
    if len(key.fields) == 1:
        lines.append('#if( !$util.isNull($ctx.args.sortDirection) )\n  $util.error("sortDirection is not supported '
                     'for List operations without a Sort key defined.", "InvalidArgumentsError")\n#end')
    elif is_list:
        lines.append(f"#if( $util.isNull($ctx.args.{key.fields[0]}) && !$util.isNull($ctx.args.sortDirection) )\n"
                     f"  $util.error(\"When providing argument 'sortDirection' you must also provide argument "
                     f"'{key.fields[0]}'.\", \"InvalidArgumentsError\")\n#end")
    lines.append("#set( $modelQueryExpression = {} )")
    lines.append(key_expression(key.fields, [attribute_type(ctx, t, f) or "S" for f in key.fields],
                                "modelQueryExpression"))
    lines.append("## [End] Set query expression for @key **")
    return "\n".join(lines)


def _sort_key_input(ctx: TransformContext, t: TypeDef, key: Key) -> str | None:
    """The key condition input type for the key's sort key, added to the schema."""
    if len(key.fields) > 2:
        key_name = upper(key.name or "Primary")
        condition, inp = f"Model{t.name}{key_name}CompositeKeyConditionInput", f"Model{t.name}{key_name}CompositeKeyInput"
        ctx.add(f"input {condition} {{\n" + "".join(
            f"  {c}: {'[' + inp + ']' if c == 'between' else inp}\n" for c in KEY_CONDITIONS["String"]) + "}\n")
        parts = []
        for i, name in enumerate(key.fields[1:]):
            base = base_type(t.get(name).type)
            last = i == len(key.fields) - 2
            parts.append(f"  {name}: {BASE_SCALAR.get(base, base) if last else base}\n")
        ctx.add(f"input {inp} {{\n{''.join(parts)}}}\n")
        return condition
    if len(key.fields) == 2:
        base = base_type(t.get(key.fields[1]).type)
        scalar = "String" if base in ctx.input_types else BASE_SCALAR.get(base)
        if scalar not in KEY_CONDITIONS:
            raise SchemaError(f"Cannot resolve type for field '{key.fields[1]}' in @key '{key.label}' on type "
                              f"'{t.name}': a sort key must be a String, ID, Int, Float or enum field.",
                              t.get(key.fields[1]).node)
        ctx.add(f"input Model{scalar}KeyConditionInput {{\n" + "".join(
            f"  {c}: {'[' + scalar + ']' if c == 'between' else scalar}\n" for c in KEY_CONDITIONS[scalar]) + "}\n")
        return f"Model{scalar}KeyConditionInput"
    return None


def key_arguments(ctx: TransformContext, t: TypeDef, key: Key) -> list[Arg]:
    """The hash key and sort key condition arguments of a list or `queryField` query."""
    args = [Arg(key.fields[0], base_type(t.get(key.fields[0]).type))]
    if len(key.fields) > 2:
        args.append(Arg(camel(key.fields[1:]), f"Model{t.name}{upper(key.name or 'Primary')}CompositeKeyConditionInput"))
    elif len(key.fields) == 2:
        base = base_type(t.get(key.fields[1]).type)
        scalar = "String" if base in ctx.input_types else BASE_SCALAR.get(base)
        args.append(Arg(key.fields[1], f"Model{scalar}KeyConditionInput"))
    return args


def _primary(ctx: TransformContext, t: TypeDef, key: Key) -> None:
    table = ctx.tables[t.name]
    for part in table.key_schema:
        table.attributes.pop(part["AttributeName"], None)
    table.key_schema = key.key_schema()
    _attributes(ctx, t, key)
    name = upper(t.name)
    query = ctx.types.get("Query")
    get, lst = _resolver(ctx, f"Get{t.name}Resolver"), _resolver(ctx, f"List{t.name}Resolver")
    if get is not None:
        get.prepend(_key_object(key, "ctx.args"))
        query.get(get.field_name).args = [Arg(f, base_type(t.get(f).type) + "!") for f in key.fields]
    if lst is not None:
        lst.prepend(query_snippet(ctx, t, key, True))
        field = query.get(lst.field_name)
        field.args = [*key_arguments(ctx, t, key), *field.args, Arg("sortDirection", "ModelSortDirection")]
    for op in ("Create", "Update"):
        spec = _resolver(ctx, f"{op}{t.name}Resolver")
        if spec is not None:
            spec.prepend(_key_object(key, "ctx.args.input") + _composite_snippet(key, False))
    delete = _resolver(ctx, f"Delete{t.name}Resolver")
    if delete is not None:
        delete.prepend(_key_object(key, "ctx.args.input"))
    has_id = t.get("id") is not None
    create = ctx.types.get(f"Create{name}Input")
    if create is not None and not has_id:
        create.fields = [f for f in create.fields if f.name != "id"]
    update = ctx.types.get(f"Update{name}Input")
    if update is not None:
        fields = [f for f in update.fields if has_id or f.name != "id"]
        for f in fields:
            if f.name in key.fields:
                f.type = base_type(f.type) + "!"
            elif f.name == "id":
                f.type = base_type(f.type)
        update.fields = fields
    delete_input = ctx.types.get(f"Delete{name}Input")
    if delete_input is not None:
        ids = [Field(f, base_type(t.get(f).type) + "!") for f in key.fields]
        rest = [f for f in delete_input.fields if f.name not in key.fields
                and not (f.name == "id" and base_type(f.type) == "ID")]
        delete_input.fields = [*ids, *rest]
    if not has_id:
        out = ctx.types[t.name]
        out.fields = [f for f in out.fields if f.name != "id"]


def _resolver(ctx: TransformContext, resource_id: str) -> ResolverSpec | None:
    return ctx.resolvers.get(resource_id)


def _attributes(ctx: TransformContext, t: TypeDef, key: Key) -> None:
    table = ctx.tables[t.name]
    table.attribute(key.fields[0], attribute_type(ctx, t, key.fields[0]))
    if len(key.fields) == 2:
        table.attribute(key.fields[1], attribute_type(ctx, t, key.fields[1]))
    elif len(key.fields) > 2:
        table.attribute(key.sort_attribute, "S")


def _secondary(ctx: TransformContext, t: TypeDef, key: Key) -> None:
    table = ctx.tables[t.name]
    table.gsis.append({
        "IndexName": key.name, "KeySchema": key.key_schema(), "Projection": {"ProjectionType": "ALL"},
        "ProvisionedThroughput": {"Fn::If": ["ShouldUsePayPerRequestBilling", {"Ref": "AWS::NoValue"}, {
            "ReadCapacityUnits": {"Ref": "DynamoDBModelTableReadIOPS"},
            "WriteCapacityUnits": {"Ref": "DynamoDBModelTableWriteIOPS"}}]},
    })
    _attributes(ctx, t, key)
    for op in ("Create", "Update"):
        spec = _resolver(ctx, f"{op}{t.name}Resolver")
        if spec is not None:
            spec.prepend(_validate_mutation(key, op.lower()) + _composite_snippet(key, True))
    delete = _resolver(ctx, f"Delete{t.name}Resolver")
    if delete is not None and len(key.fields) > 2:
        delete.prepend(_composite_snippet(key, False))
    if key.query_field:
        data_source = f"{t.name}DataSource"
        request = (query_snippet(ctx, t, key, False) + "\n" + template("key_query", index=key.name or ""))
        ctx.resolver(ResolverSpec("Query", key.query_field, data_source, request, template("key_query_result"),
                                  t.name, f"Query{key.query_field}Resolver"))
        ctx.add_root_field(f"@key '{key.name}' on {t.name} (queryField)", "Query", Field(key.query_field, f"Model{t.name}Connection", [
            *key_arguments(ctx, t, key), Arg("sortDirection", "ModelSortDirection"),
            Arg("filter", f"Model{t.name}FilterInput"), Arg("limit", "Int"), Arg("nextToken", "String")]))
        ctx.add("enum ModelSortDirection {\n  ASC\n  DESC\n}\n")
        ctx.add(SCALAR_FILTER_INPUTS)
        filter_input(ctx, ctx.input_types[t.name], "Filter")
        ctx.add(f"type Model{t.name}Connection {{\n  items: [{t.name}]!\n  nextToken: String\n}}\n")


def transform(ctx: TransformContext) -> None:
    for t in ctx.input_types.values():
        keys = [Key(t, d) for d in t.all("key")]
        for key in keys:
            _validate(ctx, t, key, keys)
        for key in keys:
            if key.primary:
                _primary(ctx, t, key)
            else:
                _secondary(ctx, t, key)
            _sort_key_input(ctx, t, key)
            condition = ctx.types.get(f"Model{t.name}ConditionInput")
            if condition is not None:
                drop = {"id", *(key.fields if key.primary else [])}
                condition.fields = [f for f in condition.fields if f.name not in drop]
        ctx.metadata.setdefault("keys", {})[t.name] = keys
