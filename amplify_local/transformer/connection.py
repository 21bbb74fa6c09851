"""@connection: fields that resolve to related @model records.

Two forms, as in the v1 transformer:
- `fields` (optionally `keyName`): the parent's fields hold the related record's primary key or an
  index key; a single field does a GetItem, a list field a Query (with the sort key as an optional
  key condition argument). Many-to-many is two has-many connections through a join model.
- legacy `name`/`keyField`: the transformer keeps a foreign key attribute (`postCommentsId`, or
  `keyField`) and a `gsi-<connection name>` index on the table that stores it.
"""

from __future__ import annotations

from graphql import DirectiveNode

from .context import ResolverSpec, TransformContext
from .errors import SchemaError
from .key import KEY_CONDITIONS, attribute_type
from .key_condition import camel, composite_sort_key, sort_key
from .model import SCALAR_FILTER_INPUTS, filter_input, upper
from .sdl import BASE_SCALAR, Arg, Field, TypeDef, base_type, directive_args, is_list, is_non_null, is_scalar

STACK = "ConnectionStack"
NONE_VALUE = "___xamznone____"
NONE_INT_VALUE = -2147483648
DEFAULT_LIMIT = 100
RESPONSE_GET = "#if( $ctx.error )\n$util.error($ctx.error.message, $ctx.error.type)\n#else\n$util.toJson($ctx.result)\n#end"
RESPONSE_QUERY = ("#if( $ctx.error )\n$util.error($ctx.error.message, $ctx.error.type)\n#else\n"
                  "  #if( !$result )\n    #set( $result = $ctx.result )\n  #end\n  $util.toJson($result)\n#end")


def _get_item(condition: str, key: dict[str, str]) -> str:
    body = ",\n".join(f'          "{name}": $util.dynamodb.toDynamoDBJson({value})' for name, value in key.items())
    return (f"#if( {condition} )\n  #return\n#else\n{{\n      \"version\": \"2018-05-29\",\n"
            f"      \"operation\": \"GetItem\",\n      \"key\": {{\n{body}\n    }}\n  }}\n#end")


def _query(source_field: str, limit: int, query: str, conditions: str, index: str | None, source: str = "ctx") -> str:
    return (f"#if( $util.isNull(${source}.source.{source_field}) )\n  #set( $result = {{\n  \"items\":   []\n}} )\n"
            f"  #return($result)\n#else\n  #set( $limit = $util.defaultIfNull($context.args.limit, {limit}) )\n"
            f"  #set( $query = {query} )\n{conditions}\n{{\n      \"version\": \"2018-05-29\",\n"
            "      \"operation\": \"Query\",\n      \"query\":     $util.toJson($query),\n"
            "      \"scanIndexForward\":     #if( $context.args.sortDirection )\n"
            "      #if( $context.args.sortDirection == \"ASC\" )\ntrue\n      #else\nfalse\n      #end\n"
            "    #else\ntrue\n    #end,\n"
            "      \"filter\":     #if( $context.args.filter )\n"
            "$util.transform.toDynamoDBFilterExpression($ctx.args.filter)\n    #else\nnull\n    #end,\n"
            "      \"limit\": $limit,\n"
            "      \"nextToken\":     #if( $context.args.nextToken )\n$util.toJson($context.args.nextToken)\n"
            "    #else\nnull\n    #end" + (f",\n      \"index\": \"{index}\"" if index else "") + "\n  }\n#end")


def _expression(names: dict[str, str], values: dict[str, str], expression: str) -> str:
    names_text = ",\n".join(f'      "{k}": "{v}"' for k, v in names.items())
    values_text = ",\n".join(f'      "{k}": {{\n          "S": "{v}"\n    }}' for k, v in values.items())
    return (f"{{\n  \"expression\": \"{expression}\",\n  \"expressionNames\": {{\n{names_text}\n  }},\n"
            f"  \"expressionValues\": {{\n{values_text}\n  }}\n}}")


def _connection_field(ctx: TransformContext, parent: TypeDef, field_name: str, related: str,
                      sort_arg: Arg | None) -> None:
    """Give a list connection field its arguments and return type (`ModelPostConnection`)."""
    out = ctx.types[parent.name].get(field_name)
    args = [Arg("filter", f"Model{related}FilterInput"), Arg("sortDirection", "ModelSortDirection"),
            Arg("limit", "Int"), Arg("nextToken", "String")]
    out.args = [sort_arg, *args] if sort_arg else args
    out.type = f"Model{related}Connection"
    ctx.add(f"type Model{related}Connection {{\n  items: [{related}]!\n  nextToken: String\n}}\n")
    ctx.add("enum ModelSortDirection {\n  ASC\n  DESC\n}\n")
    ctx.add(SCALAR_FILTER_INPUTS)
    filter_input(ctx, ctx.input_types[related], "Filter")


def _key_condition_input(ctx: TransformContext, scalar: str) -> str:
    scalar = BASE_SCALAR.get(scalar, "String")
    ctx.add(f"input Model{scalar}KeyConditionInput {{\n" + "".join(
        f"  {c}: {'[' + scalar + ']' if c == 'between' else scalar}\n" for c in KEY_CONDITIONS[scalar]) + "}\n")
    return f"Model{scalar}KeyConditionInput"


def _resolver(ctx: TransformContext, parent: TypeDef, field: Field, related: str, request: str, response: str) -> None:
    ctx.resolver(ResolverSpec(parent.name, field.name, f"{related}DataSource", request, response, STACK,
                              f"{parent.name}{field.name}Resolver"))


def _with_fields(ctx: TransformContext, parent: TypeDef, field: Field, directive: DirectiveNode,
                 related: TypeDef, args: dict) -> None:
    names: list[str] = args["fields"]
    where = f"@connection on {parent.name}.{field.name}"
    if not names:
        raise SchemaError(f"{where}: 'fields' is empty; name the {parent.name} field(s) that hold the "
                          f"{related.name} key.", directive)
    for name in names:
        f = parent.get(name)
        if f is None:
            raise SchemaError(f"{where}: '{name}' in 'fields' is not a field of {parent.name}.", directive)
        target = ctx.input_types.get(base_type(f.type))
        if is_list(f.type) or not (base_type(f.type) in BASE_SCALAR or (target and target.kind == "enum")):
            raise SchemaError(f"{where}: '{name}' must be a scalar or enum field (not a list or object) to be "
                              "used in 'fields'.", f.node or directive)
    table = ctx.tables[related.name]
    key_name = args.get("keyName")
    index = None
    if key_name:
        index = next((i for i in [*table.gsis, *table.lsis] if i["IndexName"] == key_name), None)
        if index is None:
            known = ", ".join(i["IndexName"] for i in table.gsis) or "none"
            raise SchemaError(f"{where}: keyName '{key_name}' does not exist on type {related.name} (its named "
                              f"@key indexes: {known}); add @key(name: \"{key_name}\", fields: [...]) to "
                              f"{related.name}.", directive)
    schema = index["KeySchema"] if index else table.key_schema
    _check_against_key(parent, related, names, schema, where, directive)
    limit = args.get("limit") or DEFAULT_LIMIT
    if not is_list(field.type):
        if key_name:
            raise SchemaError(f"{where}: a connection to a single {related.name} cannot use keyName "
                              f"'{key_name}'; it must use {related.name}'s primary key.", directive)
        key = {schema[0]["AttributeName"]: f'$util.defaultIfNullOrBlank($ctx.source.{names[0]}, "{NONE_VALUE}")'}
        if len(names) > 2:
            joined = "#".join(f"${{ctx.source.{n}}}" for n in names[1:])
            key[schema[1]["AttributeName"]] = f'$util.defaultIfNullOrBlank("{joined}", "{NONE_VALUE}")'
        elif len(names) == 2:
            key[schema[1]["AttributeName"]] = f'$util.defaultIfNullOrBlank($ctx.source.{names[1]}, "{NONE_VALUE}")'
        condition = " || ".join(f"$util.isNull($ctx.source.{n})" for n in names)
        _resolver(ctx, parent, field, related.name, _get_item(condition, key), RESPONSE_GET)
        return
    expr_names = {"#partitionKey": schema[0]["AttributeName"]}
    expr_values = {":partitionKey": f"$context.source.{names[0]}"}
    expression = "#partitionKey = :partitionKey"
    conditions = ""
    sort_arg = None
    if len(schema) > 1 and len(names) > 1:
        expr_names["#sortKey"] = schema[1]["AttributeName"]
        expr_values[":sortKey"] = ("#".join(f"${{context.source.{n}}}" for n in names[1:]) if len(names) > 2
                                   else f"$context.source.{names[1]}")
        expression += " AND #sortKey = :sortKey"
    elif len(schema) > 1:
        attribute = schema[1]["AttributeName"]
        sort_field = related.get(attribute)
        if sort_field is not None:
            conditions = sort_key(attribute, attribute_type(ctx, related, attribute) or "S", "query")
            sort_arg = Arg(attribute, _key_condition_input(ctx, base_type(sort_field.type)))
        else:
            parts = attribute.split("#")
            conditions = composite_sort_key(parts, "query", camel(parts), attribute)
            sort_arg = Arg(camel(parts), f"Model{related.name}{upper(key_name or 'Primary')}"
                                         "CompositeKeyConditionInput")
    request = _query(names[0], limit, _expression(expr_names, expr_values, expression), conditions, key_name)
    _resolver(ctx, parent, field, related.name, request, RESPONSE_QUERY)
    _connection_field(ctx, parent, field.name, related.name, sort_arg)


def _check_against_key(parent: TypeDef, related: TypeDef, names: list[str], schema: list[dict[str, str]],
                       where: str, directive: DirectiveNode) -> None:
    def type_of(t: TypeDef, name: str) -> str:
        f = t.get(name)
        if f is None:
            raise SchemaError(f"{where}: {name} is not defined in {t.name}.", directive)
        return base_type(f.type)

    hash_type, given = type_of(related, schema[0]["AttributeName"]), type_of(parent, names[0])
    if hash_type != given:
        raise SchemaError(f"{where}: '{names[0]}' is of type {given} but the key it matches, "
                          f"{related.name}.{schema[0]['AttributeName']}, is {hash_type}.", directive)
    if len(names) > len(schema) and len(schema) != 2:
        raise SchemaError(f"{where}: {len(names)} fields given but the {related.name} key has only "
                          f"{len(schema)} part(s).", directive)
    if len(names) > 1:
        sort_fields = schema[1]["AttributeName"].split("#")
        if len(names) - 1 != len(sort_fields):
            raise SchemaError(f"{where}: 'fields' must match the whole sort key ({', '.join(sort_fields)}); "
                              "a partial sort key is not accepted.", directive)
        for name, sort_field in zip(names[1:], sort_fields, strict=True):
            if type_of(parent, name) != type_of(related, sort_field):
                raise SchemaError(f"{where}: '{name}' is of type {type_of(parent, name)} but "
                                  f"{related.name}.{sort_field} is {type_of(related, sort_field)}.", directive)


def _legacy(ctx: TransformContext, parent: TypeDef, field: Field, directive: DirectiveNode, related: TypeDef,
            args: dict) -> None:
    where = f"@connection on {parent.name}.{field.name}"
    name = args.get("name")
    other = None
    if name:
        other = next((f for f in related.fields if f is not field and any(
            directive_args(d).get("name") == name for d in f.all("connection"))), None)
        if other is None:
            raise SchemaError(f"{where}: found one half of connection \"{name}\" but no field on {related.name} "
                              f"with @connection(name: \"{name}\").", directive)
    connection = name or f"{parent.name}.{field.name}"
    left_list = is_list(field.type)
    right_list = is_list(other.type) if other else None
    if left_list and right_list:
        raise SchemaError(f"{where}: connection \"{connection}\" is a list on both sides; model many-to-many "
                          "with a join @model and two one-to-many connections.", directive)
    attribute = args.get("keyField")
    limit = args.get("limit") or DEFAULT_LIMIT
    # The other half's sortField sorts this connection (a GSI range key on the table holding the key).
    associated_sort = next((directive_args(d).get("sortField") for d in other.all("connection")), None) \
        if other else None
    parent_sort = parent.get(associated_sort) if associated_sort else None
    if parent_sort is not None and (is_list(parent_sort.type) or not is_scalar(parent_sort.type)
                                    or base_type(parent_sort.type) == "Boolean"):
        raise SchemaError(f"{where}: sortField \"{associated_sort}\" is of type {parent_sort.type}; it should be a "
                          "scalar that maps to a DynamoDB String, Number or Binary.", directive)

    def check_key_field(t: TypeDef) -> None:
        f = t.get(attribute)
        if f is not None and (base_type(f.type) not in ("ID", "String") or is_list(f.type)):
            raise SchemaError(f"{where}: keyField '{attribute}' on {t.name} must be of type ID or String.", directive)

    def add_input_field(model: str, non_null: bool = False) -> None:
        for kind in ("Create", "Update"):
            inp = ctx.types.get(f"{kind}{upper(model)}Input")
            if inp is not None and inp.get(attribute) is None:
                inp.fields.append(Field(attribute, "ID!" if non_null and kind == "Create" else "ID"))

    def index(model: str, sort: Field | None = None) -> None:
        table = ctx.tables[model]
        gsi_name = f"gsi-{connection}"
        if not any(g["IndexName"] == gsi_name for g in table.gsis):
            key = [{"AttributeName": attribute, "KeyType": "HASH"}]
            if sort is not None:
                key.append({"AttributeName": sort.name, "KeyType": "RANGE"})
            table.gsis.append({"IndexName": gsi_name, "KeySchema": key, "Projection": {"ProjectionType": "ALL"}})
        table.attribute(attribute, "S")
        if sort is not None:
            table.attribute(sort.name, "S" if BASE_SCALAR.get(base_type(sort.type)) == "String" else "N")

    def query_resolver(id_field: str) -> None:
        query = _expression({"#connectionAttribute": attribute}, {":connectionAttribute": f"$context.source.{id_field}"},
                            "#connectionAttribute = :connectionAttribute")
        sort = related.get(associated_sort) if associated_sort else None
        conditions, sort_arg = "", None
        if sort is not None:
            conditions = sort_key(sort.name, attribute_type(ctx, related, sort.name) or "S", "query")
            sort_arg = Arg(sort.name, _key_condition_input(ctx, base_type(sort.type)))
        request = _query(id_field, limit, query, conditions, f"gsi-{connection}", "context")
        _resolver(ctx, parent, field, related.name, request, RESPONSE_QUERY)
        _connection_field(ctx, parent, field.name, related.name, sort_arg)

    def get_resolver(id_field: str, sort: tuple[str, str, bool] | None = None) -> None:
        key = {id_field: f'$util.defaultIfNullOrBlank($ctx.source.{attribute}, "{NONE_VALUE}")'}
        condition = f"$util.isNull($ctx.source.{attribute})"
        if sort is not None:
            related_sort, own_sort, string_like = sort
            key[related_sort] = (f'$util.defaultIfNullOrBlank($ctx.source.{own_sort}, "{NONE_VALUE}")' if string_like
                                 else f"$util.defaultIfNull($ctx.source.{own_sort}, {NONE_INT_VALUE})")
            condition = f"{condition} || {condition}"
        _resolver(ctx, parent, field, related.name, _get_item(condition, key), RESPONSE_GET)

    if left_list and right_list is False:
        attribute = attribute or camel([related.name, other.name, "id"])
        check_key_field(related)
        query_resolver(_primary_hash(parent))
    elif not left_list and right_list:
        if associated_sort and parent_sort is None:
            raise SchemaError(f"{where}: sortField \"{associated_sort}\" not found on type \"{parent.name}\", other "
                              f"half of connection \"{connection}\".", directive)
        attribute = attribute or camel([parent.name, field.name, "id"])
        check_key_field(parent)
        index(parent.name, parent_sort)
        get_resolver(_primary_hash(related))
        add_input_field(parent.name, is_non_null(field.type))
    elif left_list:
        attribute = attribute or camel([parent.name, field.name, "id"])
        check_key_field(related)
        index(related.name)
        query_resolver(_primary_hash(parent))
        add_input_field(related.name)
    else:
        attribute = attribute or camel([parent.name, field.name, "id"])
        sort = None
        if args.get("sortField"):
            sort = _legacy_sort_field(parent, related, args["sortField"], where, directive)
        check_key_field(parent)
        get_resolver(_primary_hash(related), sort)
        add_input_field(parent.name, is_non_null(field.type))


def _legacy_sort_field(parent: TypeDef, related: TypeDef, name: str, where: str,
                       directive: DirectiveNode) -> tuple[str, str, bool]:
    """(related sort key, parent field holding its value, string-like) for a single connection's sortField."""
    keys = [directive_args(d).get("fields") or [] for d in related.all("key") if not directive_args(d).get("name")]
    related_sort = related.get(keys[0][1]) if keys and len(keys[0]) == 2 else None
    if related_sort is None:
        raise SchemaError(f"{where}: sortField \"{name}\" requires a primary @key on type \"{related.name}\" with a "
                          "sort key, and none was found.", directive)
    own = parent.get(name)
    if own is None:
        raise SchemaError(f"{where}: sortField \"{name}\" is not a field of {parent.name}.", directive)
    if base_type(own.type) != base_type(related_sort.type):
        raise SchemaError(f"{where}: sortField \"{related_sort.name}\" on type \"{related.name}\" does not match the "
                          f"type of field \"{name}\" on type \"{parent.name}\".", directive)
    return related_sort.name, name, base_type(own.type) not in ("Int", "Float")


def _primary_hash(t: TypeDef) -> str:
    for d in t.all("key"):
        args = directive_args(d)
        if not args.get("name"):
            fields = args.get("fields") or []
            return fields[0] if 1 <= len(fields) <= 2 else "id"
    return "id"


def transform(ctx: TransformContext) -> None:
    for parent in ctx.input_types.values():
        for field in parent.fields:
            for directive in field.all("connection"):
                where = f"@connection on {parent.name}.{field.name}"
                if not parent.directive("model"):
                    raise SchemaError(f"{where}: @connection must be on a field of an @model type.", directive)
                related = ctx.input_types.get(base_type(field.type))
                if related is None or related.kind != "type":
                    raise SchemaError(f"{where}: {base_type(field.type)} is not an object type.", directive)
                if not related.directive("model"):
                    raise SchemaError(f"{where}: the related type {related.name} must be annotated with @model.",
                                      directive)
                args = directive_args(directive)
                if "fields" in args:
                    _with_fields(ctx, parent, field, directive, related, args)
                else:
                    _legacy(ctx, parent, field, directive, related, args)
