"""@function: a field resolved by one or more Lambda functions, as a pipeline.

Each distinct function name becomes a Lambda data source `<Name>LambdaDataSource` and a pipeline
function `Invoke<Name>LambdaDataSource`; a field's resolver runs its functions in the order the
directives appear. `${env}` in the name is the Amplify environment, removed when there is none.
"""

from __future__ import annotations

import re

from .context import DataSourceSpec, FunctionSpec, ResolverSpec, TransformContext
from .errors import SchemaError
from .sdl import directive_args

STACK = "FunctionDirectiveStack"

_RESPONSE = ("## [Start] Handle error or return result. **\n#if( $ctx.error )\n  $util.error($ctx.error.message, "
             "$ctx.error.type)\n#end\n$util.toJson($ctx.result)\n## [End] Handle error or return result. **")


def simplify(name: str) -> str:
    """`echofunction-${env}` -> `Echofunction` (the real transformer's resource naming)."""
    name = re.sub(r"-?_?\$\{[^}]*\}", "", name)
    words = re.sub(r"^[^_A-Za-z]+|[^_0-9A-Za-z]", "|", name).split("|")
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _arn(name: str, region: str | None) -> dict[str, object]:
    where = region or "${AWS::Region}"
    base = f"arn:aws:lambda:{where}:${{AWS::AccountId}}:function:"
    if "${env}" in name:
        return {"Fn::If": ["HasEnvironmentParameter",
                           {"Fn::Sub": [base + name, {"env": {"Ref": "env"}}]},
                           {"Fn::Sub": [base + re.sub(r"-?_?\$\{env\}", "", name), {}]}]}
    return {"Fn::If": ["HasEnvironmentParameter", {"Fn::Sub": [base + name, {}]}, {"Fn::Sub": [base + name, {}]}]}


def _request(data_source: str) -> str:
    return (f"## [Start] Invoke AWS Lambda data source: {data_source}. **\n{{\n  \"version\": \"2018-05-29\",\n"
            "  \"operation\": \"Invoke\",\n  \"payload\": {\n"
            "      \"typeName\": \"$ctx.stash.get(\"typeName\")\",\n"
            "      \"fieldName\": \"$ctx.stash.get(\"fieldName\")\",\n"
            "      \"arguments\": $util.toJson($ctx.arguments),\n      \"identity\": $util.toJson($ctx.identity),\n"
            "      \"source\": $util.toJson($ctx.source),\n      \"request\": $util.toJson($ctx.request),\n"
            "      \"prev\": $util.toJson($ctx.prev)\n  }\n}\n"
            f"## [End] Invoke AWS Lambda data source: {data_source}. **")


def transform(ctx: TransformContext) -> None:
    for t in ctx.input_types.values():
        for f in t.fields:
            for directive in f.all("function"):
                args = directive_args(directive)
                name, region = args.get("name"), args.get("region")
                if t.kind != "type":
                    raise SchemaError(f"@function on {t.name}.{f.name}: resolvers attach to object type fields; "
                                      f"move @function to the field of the types that implement {t.name}.", directive)
                if not name:
                    raise SchemaError(f"@function on {t.name}.{f.name} needs a non-empty 'name' (the Lambda "
                                      "function, e.g. \"myfunction-${env}\").", directive)
                data_source = f"{simplify(name)}{simplify(region or '')}LambdaDataSource"
                fn_id = f"Invoke{data_source}"
                if data_source not in ctx.data_sources:
                    ctx.data_sources[data_source] = DataSourceSpec(
                        data_source, data_source, "AWS_LAMBDA", ctx.stack(STACK),
                        {"LambdaConfig": {"LambdaFunctionArn": _arn(name, region)}})
                    ctx.functions[fn_id] = FunctionSpec(fn_id, fn_id, data_source, _request(data_source), _RESPONSE,
                                                        STACK)
                resolver = ctx.find_resolver(t.name, f.name)
                if resolver is None:
                    ctx.resolver(ResolverSpec(
                        t.name, f.name, None,
                        f"## [Start] Stash resolver specific context.. **\n"
                        f"$util.qr($ctx.stash.put(\"typeName\", \"{t.name}\"))\n"
                        f"$util.qr($ctx.stash.put(\"fieldName\", \"{f.name}\"))\n{{}}\n"
                        "## [End] Stash resolver specific context.. **",
                        "$util.toJson($ctx.prev.result)", STACK, f"{t.name}{f.name}Resolver", "PIPELINE", [fn_id]))
                else:  # an earlier @function on the same field: one more pipeline step
                    resolver.functions.append(fn_id)
