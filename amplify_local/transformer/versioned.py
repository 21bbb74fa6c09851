"""@versioned: optimistic concurrency on a @model type.

Create sets the version field to 1; update and delete take `versionInput` and fail with
`DynamoDB:ConditionalCheckFailedException` unless it equals the stored version; update then
increments it. The version field is `Int!` on the type and absent from the create input.
"""

from __future__ import annotations

from .context import TransformContext
from .errors import SchemaError
from .model import upper
from .sdl import Field, base_type, directive_args, non_null


def _condition(field: str, input_: str) -> str:
    return (f'#set( $versionedCondition = {{\n  "expression": "#{field} = :{input_}",\n  "expressionValues": {{\n'
            f'      ":{input_}":     $util.dynamodb.toDynamoDB($ctx.args.input.{input_})\n  }},\n'
            f'  "expressionNames": {{\n      "#{field}": "{field}"\n  }}\n}} )\n')


def transform(ctx: TransformContext) -> None:
    for t in ctx.input_types.values():
        directive = t.directive("versioned")
        if directive is None:
            continue
        if not t.directive("model"):
            raise SchemaError(f"@versioned on {t.name} needs @model on the same type.", directive)
        args = directive_args(directive)
        field, input_ = args.get("versionField", "version"), args.get("versionInput", "expectedVersion")
        existing = t.get(field)
        if existing is not None and base_type(existing.type) not in ("Int", "BigInt"):
            raise SchemaError(f'{t.name}.{field}: the @versioned versionField "{field}" must be of type Int.',
                              existing.node)
        name = upper(t.name)
        create = ctx.find_resolver("Mutation", f"create{name}")
        if create is not None:
            create.prepend(f'## [Start] Setting "{field}" to 1. **\n$util.qr($ctx.args.input.put("{field}", 1))\n'
                           f'## [End] Setting "{field}" to 1. **\n')
        update = ctx.find_resolver("Mutation", f"update{name}")
        if update is not None:
            update.prepend(f"## [Start] Inject @versioned condition.. **\n{_condition(field, input_)}"
                           f"#set( $newVersion = $ctx.args.input.{input_} + 1 )\n"
                           f'$util.qr($ctx.args.input.put("{field}", $newVersion))\n'
                           f'$util.qr($ctx.args.input.remove("{input_}"))\n## [End] Inject @versioned condition.. **\n')
        delete = ctx.find_resolver("Mutation", f"delete{name}")
        if delete is not None:
            delete.prepend(f"## [Start] Inject @versioned condition.. **\n{_condition(field, input_)}"
                           f'$util.qr($ctx.args.input.remove("{input_}"))\n## [End] Inject @versioned condition.. **\n')
        create_input = ctx.types.get(f"Create{name}Input")
        if create_input is not None:
            create_input.fields = [f for f in create_input.fields if f.name != field]
            if not create_input.fields:
                raise SchemaError(f'After removing the version field "{field}", the create input for {t.name} has '
                                  f"no fields; add another field to {t.name}.", directive)
        for kind in ("Update", "Delete"):
            target = ctx.types.get(f"{kind}{name}Input")
            if target is not None:
                target.fields.append(Field(input_, "Int!"))
        out = ctx.types[t.name]
        current = out.get(field)
        if current is None:
            out.fields.append(Field(field, "Int!"))
        else:
            current.type = non_null(current.type)
