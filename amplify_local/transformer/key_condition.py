"""VTL that builds a DynamoDB Query key expression from GraphQL arguments.

Shared by @key (list and `queryField` resolvers) and @connection (has-many through an index):
a hash key equality plus an optional sort key condition (`eq`, `le`, `lt`, `ge`, `gt`, `between`,
`beginsWith`), where a composite sort key (`amount#orderDate`) is assembled from its parts.
"""

from __future__ import annotations

SORT_OPERATIONS = (("beginsWith", "begins_with(#sortKey, :sortKey)"), ("between", "#sortKey BETWEEN :sortKey0 AND :sortKey1"),
                   ("eq", "#sortKey = :sortKey"), ("lt", "#sortKey < :sortKey"), ("le", "#sortKey <= :sortKey"),
                   ("gt", "#sortKey > :sortKey"), ("ge", "#sortKey >= :sortKey"))
SEPARATOR = "#"


def camel(words: list[str]) -> str:
    """`["amount", "orderDate"]` -> `amountOrderDate` (the composite sort key argument name)."""
    words = [w for w in words if w]
    return "".join(w[:1].lower() + w[1:] if i == 0 else w[:1].upper() + w[1:] for i, w in enumerate(words))


def hash_key(name: str, attr_type: str, ref: str) -> str:
    return (f"#if( !$util.isNull($ctx.args.{name}) )\n"
            f"  #set( ${ref}.expression = \"#{name} = :{name}\" )\n"
            f"  #set( ${ref}.expressionNames = {{\n  \"#{name}\": \"{name}\"\n}} )\n"
            f"  #set( ${ref}.expressionValues = {{\n  \":{name}\": {{\n      \"{attr_type}\": \"$ctx.args.{name}\"\n"
            "  }\n} )\n#end")


def sort_key(arg: str, attr_type: str, ref: str, attribute: str | None = None, prefix: str | None = None) -> str:
    """A simple sort key condition on argument `arg` (attribute `attribute`, default `arg`);
    `prefix` names a VTL variable whose value is prepended as `<prefix>#` (@connection)."""
    attribute = attribute or arg

    def value(path: str) -> str:
        return f"${prefix}#{path}" if prefix else path

    out = ["## [Start] Applying Key Condition **"]
    for op, expression in SORT_OPERATIONS:
        out.append(f"#if( !$util.isNull($ctx.args.{arg}) && !$util.isNull($ctx.args.{arg}.{op}) )")
        out.append(f"  #set( ${ref}.expression = \"${ref}.expression AND {expression}\" )")
        out.append(f"  $util.qr(${ref}.expressionNames.put(\"#sortKey\", \"{attribute}\"))")
        if op == "between":
            for i in (0, 1):
                out.append(f"  $util.qr(${ref}.expressionValues.put(\":sortKey{i}\", {{ \"{attr_type}\": "
                           f"\"{value(f'$ctx.args.{arg}.between[{i}]')}\" }}))")
        else:
            out.append(f"  $util.qr(${ref}.expressionValues.put(\":sortKey\", {{ \"{attr_type}\": "
                       f"\"{value(f'$ctx.args.{arg}.{op}')}\" }}))")
        out.append("#end")
    out.append("## [End] Applying Key Condition **")
    return "\n".join(out)


def composite_sort_key(parts: list[str], ref: str, arg: str, attribute: str) -> str:
    """A condition on a composite sort key: each operation's parts joined with `#`."""
    out = ["## [Start] Applying Key Condition **", '#set( $sortKeyValue = "" )', '#set( $sortKeyValue2 = "" )']

    def assemble(var: str, path: str) -> None:
        for i, part in enumerate(parts):
            joined = f"{path}.{part}" if i == 0 else f"${var}{SEPARATOR}{path}.{part}"
            out.append(f"#if( !$util.isNull({path}.{part}) ) #set( ${var} = \"{joined}\" ) #end")

    for op, expression in SORT_OPERATIONS:
        out.append(f"#if( !$util.isNull($ctx.args.{arg}) && !$util.isNull($ctx.args.{arg}.{op}) )")
        if op == "between":
            out.append(f"  #if( $ctx.args.{arg}.between.size() != 2 )\n"
                       f"    $util.error(\"Argument {arg}.between expects exactly 2 elements.\")\n  #end")
            assemble("sortKeyValue", f"$ctx.args.{arg}.between[0]")
            assemble("sortKeyValue2", f"$ctx.args.{arg}.between[1]")
        else:
            assemble("sortKeyValue", f"$ctx.args.{arg}.{op}")
        out.append(f"  #set( ${ref}.expression = \"${ref}.expression AND {expression}\" )")
        out.append(f"  $util.qr(${ref}.expressionNames.put(\"#sortKey\", \"{attribute}\"))")
        if op == "between":
            out.append(f"  $util.qr(${ref}.expressionValues.put(\":sortKey0\", {{ \"S\": \"$sortKeyValue\" }}))")
            out.append(f"  $util.qr(${ref}.expressionValues.put(\":sortKey1\", {{ \"S\": \"$sortKeyValue2\" }}))")
        else:
            out.append(f"  $util.qr(${ref}.expressionValues.put(\":sortKey\", {{ \"S\": \"$sortKeyValue\" }}))")
        out.append("#end")
    out.append("## [End] Applying Key Condition **")
    return "\n".join(out)


def _invalid(message: str) -> str:
    return f'$util.error("{message}", "InvalidArgumentsError")'


def _validate_simple(keys: list[str]) -> str:
    out = ["## [Start] Validate key arguments. **"]
    for index in range(len(keys) - 1, 0, -1):
        right, previous = keys[index], keys[index - 1]
        out.append(f"#if( !$util.isNull($ctx.args.{right}) && $util.isNull($ctx.args.{previous}) )\n  "
                   + _invalid(f"When providing argument '{right}' you must also provide arguments "
                              f"{', '.join(keys[:index])}") + "\n#end")
    out.append("## [End] Validate key arguments. **")
    return "\n".join(out)


def _validate_composite(keys: list[str]) -> str:
    hash_name, sort_keys = keys[0], keys[1:]
    arg = camel(sort_keys)
    out = ["## [Start] Validate key arguments. **",
           f"#if( !$util.isNull($ctx.args.{arg}) && $util.isNullOrBlank($ctx.args.{hash_name}) )\n  "
           + _invalid(f"When providing argument '{arg}' you must also provide '{hash_name}'.") + "\n#end"]
    pairs = [(sort_keys[i], sort_keys[i - 1]) for i in range(len(sort_keys) - 1, 0, -1)]

    def check(path: str, shown: str, right: str, previous: str) -> str:
        return (f"#if( !$util.isNullOrBlank({path}.{right}) && $util.isNullOrBlank({path}.{previous}) )\n  "
                + _invalid(f"When providing argument '{shown}.{right}' you must also provide '{shown}.{previous}'.")
                + "\n#end")

    out.append(f"#if( !$util.isNull($ctx.args.{arg}) )")
    out.append(f"  #set( $sortKeyArgumentOperations = $ctx.args.{arg}.keySet() )")
    out.append("  #if( $sortKeyArgumentOperations.size() > 1 )\n    "
               + _invalid(f"Argument {arg} must specify at most one key condition operation.") + "\n  #end")
    out.append("  #foreach( $operation in $sortKeyArgumentOperations )")
    out.append('    #if( $operation == "between" )')
    out.append(f"      #if( $ctx.args.{arg}.between.size() != 2 )\n        "
               + _invalid(f"Argument '{arg}.between' expects exactly two elements.") + "\n      #end")
    for right, previous in pairs:
        for i in (0, 1):
            out.append(check(f"$ctx.args.{arg}.between[{i}]", f"{arg}.between[{i}]", right, previous))
    out.append("    #else")
    for right, previous in pairs:
        out.append(check(f'$ctx.args.{arg}.get("$operation")', f"{arg}.$operation", right, previous))
    out.append("    #end\n  #end\n#end")
    out.append("## [End] Validate key arguments. **")
    return "\n".join(out)


def key_expression(keys: list[str], types: list[str], ref: str) -> str:
    """Hash key, then the sort key condition, for the key `keys` (attribute types `types`)."""
    if len(keys) > 2:
        return "\n".join([_validate_composite(keys), hash_key(keys[0], types[0], ref),
                          composite_sort_key(keys[1:], ref, camel(keys[1:]), SEPARATOR.join(keys[1:]))])
    if len(keys) == 2:
        return "\n".join([_validate_simple(keys), hash_key(keys[0], types[0], ref), sort_key(keys[1], types[1], ref)])
    return hash_key(keys[0], types[0], ref)
