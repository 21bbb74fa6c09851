"""Read a CLI build folder (what `amplify api gql-compile` writes) into an `ApiDefinition`.

The folder is a CloudFormation root stack (`cloudformation-template.json`) with nested stacks
(`stacks/*.json`), the templates they point at through S3 locations (`resolvers/`,
`pipelineFunctions/`, `functions/`), `schema.graphql` and `parameters.json`. We evaluate the
resources the way `amplify mock` does: parameters are `parameters.json` over the mock's defaults
(`env` is the literal `${env}`, so a Lambda ARN `...:function:echo-${env}` names project function
`echo`), a DynamoDB table is named by its logical id, and the API id is `amplify-test-api-id`.

`api_from_build(files)` takes the folder as a mapping of relative path to text, so the transformer
can hand over its in-memory output; `read_build(directory)` reads a folder from disk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from amplify_local.cfn import Scope, UnresolvableError, resolve
from amplify_local.transformer.types import (
    ApiDefinition,
    AuthProvider,
    Code,
    DataSourceConfig,
    FunctionConfiguration,
    Index,
    MappingTemplate,
    Resolver,
    Table,
)

API_ID = "amplify-test-api-id"
ENV_PLACEHOLDER = "${env}"
MOCK_PARAMETERS: dict[str, Any] = {
    "env": ENV_PLACEHOLDER,
    "CreateAPIKey": 1,
    "authRoleName": "authRole",
    "unauthRoleName": "unAuthRole",
    "S3DeploymentBucket": "mock-bucket",
    "S3DeploymentRootKey": "mock-root",
}
_BUILD_SUFFIXES = (".json", ".vtl", ".graphql", ".js")


class BuildError(ValueError):
    """The build folder cannot be served; the message names the file and what is wrong."""


class _Collected:
    """AppSync resources found while walking the stacks, keyed by where they came from. (This module's
    classes are plain ones: a dataclass costs ~1 ms of the mock's cold start to define.)"""

    def __init__(self) -> None:
        self.api: dict[str, Any] | None = None
        self.api_key: dict[str, Any] | None = None
        self.resolvers: list[tuple[str, dict[str, Any]]] = []
        self.functions: list[tuple[str, dict[str, Any]]] = []
        self.data_sources: list[tuple[str, dict[str, Any]]] = []
        self.tables: list[tuple[str, dict[str, Any]]] = []
        self.exports: dict[str, Any] = {}


def read_build(directory: str | Path) -> ApiDefinition:
    """Load the build folder `directory` (or an API folder holding `build/`)."""
    root = Path(directory)
    if not (root / "cloudformation-template.json").is_file() and (root / "build").is_dir():
        root = root / "build"
    if not (root / "cloudformation-template.json").is_file():
        raise BuildError(f"{root}: no cloudformation-template.json; point --build at a CLI build folder")
    files = {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in root.rglob("*")
        if path.is_file() and path.suffix in _BUILD_SUFFIXES and "node_modules" not in path.parts
    }
    api = api_from_build(files)
    api.source = root
    return api


def api_from_build(files: Mapping[str, str]) -> ApiDefinition:
    """Evaluate an in-memory build (relative path -> text) into the API definition the mock serves."""
    root = _load_json(files, "cloudformation-template.json")
    parameters = dict(MOCK_PARAMETERS)
    if "parameters.json" in files:
        parameters.update(_load_json(files, "parameters.json"))
    collected = _Collected()
    _walk_stack("cloudformation-template.json", root, parameters, files, collected)
    if collected.api is None:
        raise BuildError("cloudformation-template.json: no AWS::AppSync::GraphQLApi resource")
    if "schema.graphql" not in files:
        raise BuildError("schema.graphql is missing from the build folder")
    s3_prefix = f"s3://{parameters['S3DeploymentBucket']}/{parameters['S3DeploymentRootKey']}/"
    templates = _TemplateSource(files, s3_prefix)
    default_auth, additional = _auth(collected.api)
    functions = {}
    function_names: dict[str, str] = {}
    for logical_id, props in collected.functions:
        function = FunctionConfiguration(
            name=props["Name"],
            data_source=props["DataSourceName"],
            request=templates.template(props, "Request", logical_id),
            response=templates.template(props, "Response", logical_id),
            code=templates.code(props, logical_id),
        )
        functions[function.name] = function
        function_names[props.get("FunctionId", function.name)] = function.name
    physical_tables = {str(props.get("TableName", logical_id)): logical_id for logical_id, props in collected.tables}
    resolvers = {}
    for logical_id, props in collected.resolvers:
        kind = props.get("Kind", "UNIT")
        resolver = Resolver(
            type_name=props["TypeName"],
            field_name=props["FieldName"],
            kind=kind,
            data_source=props.get("DataSourceName") if kind == "UNIT" else None,
            request=templates.template(props, "Request", logical_id),
            response=templates.template(props, "Response", logical_id),
            functions=[function_names.get(fid, fid) for fid in props.get("PipelineConfig", {}).get("Functions", [])],
            code=templates.code(props, logical_id),
            max_batch_size=props.get("MaxBatchSize"),
        )
        resolvers[(resolver.type_name, resolver.field_name)] = resolver
    return ApiDefinition(
        name=str(parameters.get("AppSyncApiName", collected.api.get("Name", "api"))),
        schema=files["schema.graphql"],
        default_auth=default_auth,
        additional_auth=additional,
        resolvers=resolvers,
        functions=functions,
        data_sources=dict(_data_source(props, physical_tables) for _, props in collected.data_sources),
        tables=[_table(logical_id, props) for logical_id, props in collected.tables],
    )


def _load_json(files: Mapping[str, str], path: str) -> Any:
    if path not in files:
        raise BuildError(f"{path} is missing from the build folder")
    try:
        return json.loads(files[path])
    except json.JSONDecodeError as error:
        raise BuildError(f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None


def _walk_stack(
    path: str, template: dict[str, Any], parameters: dict[str, Any], files: Mapping[str, str], out: _Collected
) -> dict[str, Any]:
    """Evaluate one stack's resources into `out`; returns its resolved Outputs by name."""
    declared = template.get("Parameters", {})
    values = {name: spec["Default"] for name, spec in declared.items() if "Default" in spec}
    values.update(parameters)
    scope = Scope(
        parameters=values,
        conditions=template.get("Conditions", {}),
        import_value=lambda name: _import(out, name, path),
    )
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    for logical_id, resource in resources.items():
        scope.resources[logical_id] = _attributes(logical_id, resource, scope)
    pending = dict(resources)
    while pending:
        progressed = False
        for logical_id, resource in list(pending.items()):
            depends = resource.get("DependsOn", [])
            if any(name in pending for name in ([depends] if isinstance(depends, str) else depends)):
                continue
            condition = resource.get("Condition")
            if condition is not None and not scope.condition(condition):
                del pending[logical_id]
                progressed = True
                continue
            try:
                _evaluate(path, logical_id, resource, scope, files, out)
            except UnresolvableError:
                continue  # waits on another nested stack's outputs or exports
            del pending[logical_id]
            progressed = True
        if not progressed:
            logical_id, resource = next(iter(pending.items()))
            try:
                _evaluate(path, logical_id, resource, scope, files, out)
            except UnresolvableError as error:
                raise BuildError(f"{path}: resource {logical_id}: {error}") from None
    outputs = {}
    for name, output in template.get("Outputs", {}).items():
        try:
            outputs[name] = resolve(output.get("Value"), scope)
            if "Export" in output:
                out.exports[str(resolve(output["Export"]["Name"], scope))] = outputs[name]
        except UnresolvableError:
            continue  # an output nobody local reads (stream ARNs of absent resources, ...)
    return outputs


def _attributes(logical_id: str, resource: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """What `Ref`/`Fn::GetAtt` of a resource give locally, known before its properties are evaluated."""
    kind = resource.get("Type", "")
    props = resource.get("Properties", {})
    arn = f"arn:aws:{kind.split('::')[1].lower() if '::' in kind else 'x'}:us-east-1-fake:12345678910:{logical_id}"
    attributes: dict[str, Any] = {"Ref": logical_id, "Arn": arn}
    if kind == "AWS::AppSync::GraphQLApi":
        attributes.update(Ref=API_ID, ApiId=API_ID, GraphQLUrl="http://localhost:20002/graphql")
    elif kind in ("AWS::AppSync::DataSource", "AWS::AppSync::FunctionConfiguration"):
        try:
            name = resolve(props.get("Name", logical_id), scope)
        except UnresolvableError:
            name = logical_id
        attributes.update(Name=name, DataSourceArn=arn, FunctionArn=arn, FunctionId=name)
    elif kind == "AWS::DynamoDB::Table":
        attributes.update(StreamArn=f"{arn}/stream/local")
    return attributes


def _evaluate(
    path: str, logical_id: str, resource: dict[str, Any], scope: Scope, files: Mapping[str, str], out: _Collected
) -> None:
    kind = resource.get("Type", "")
    if kind == "AWS::CloudFormation::Stack":
        props = resolve(resource.get("Properties", {}), scope)
        stack_path = f"stacks/{logical_id}.json"
        if stack_path not in files:
            url = str(props.get("TemplateURL", ""))
            stack_path = f"stacks/{url.rsplit('/', 1)[-1]}"
        nested = _load_json(files, stack_path)
        outputs = _walk_stack(stack_path, nested, props.get("Parameters", {}), files, out)
        scope.resources[logical_id].update({f"Outputs.{name}": value for name, value in outputs.items()})
        return
    bucket = {
        "AWS::AppSync::GraphQLApi": None,
        "AWS::AppSync::ApiKey": None,
        "AWS::AppSync::Resolver": out.resolvers,
        "AWS::AppSync::FunctionConfiguration": out.functions,
        "AWS::AppSync::DataSource": out.data_sources,
        "AWS::DynamoDB::Table": out.tables,
    }
    if kind not in bucket:
        return  # IAM roles, policies, schema resources: nothing the mock serves
    props = resolve(resource.get("Properties", {}), scope)
    if kind == "AWS::AppSync::GraphQLApi":
        out.api = props
    elif kind == "AWS::AppSync::ApiKey":
        out.api_key = props
    else:
        if kind == "AWS::AppSync::FunctionConfiguration":
            props["FunctionId"] = scope.resources[logical_id]["FunctionId"]
        bucket[kind].append((f"{path}#{logical_id}", props) if kind != "AWS::DynamoDB::Table" else (logical_id, props))


def _import(out: _Collected, name: str, path: str) -> Any:
    if name in out.exports:
        return out.exports[name]
    raise UnresolvableError(f'{path}: Fn::ImportValue "{name}" is not exported by any stack (yet)')


class _TemplateSource:
    """The build's template files, found by the S3 location a resolver names."""

    def __init__(self, files: Mapping[str, str], s3_prefix: str) -> None:
        self.files = files
        self.s3_prefix = s3_prefix

    def _file(self, location: str, where: str) -> tuple[str, str]:
        relative = location[len(self.s3_prefix):] if location.startswith(self.s3_prefix) else (
            "/".join(location.split("/")[-2:])
        )
        if relative not in self.files:
            raise BuildError(f"{where}: template {relative} (from {location}) is not in the build folder")
        return relative, self.files[relative]

    def template(self, props: dict[str, Any], which: str, where: str) -> MappingTemplate | None:
        inline = props.get(f"{which}MappingTemplate")
        if inline is not None:
            return MappingTemplate(str(inline))
        location = props.get(f"{which}MappingTemplateS3Location")
        if location is None:
            return None
        relative, text = self._file(str(location), where)
        return MappingTemplate(text, relative)

    def code(self, props: dict[str, Any], where: str) -> Code | None:
        runtime = props.get("Runtime")
        if runtime is None:
            return None
        runtime_name = f"{runtime.get('Name')} {runtime.get('RuntimeVersion')}"
        if "Code" in props:
            return Code(str(props["Code"]), "INLINE_CODE", runtime_name)
        relative, text = self._file(str(props.get("CodeS3Location", "")), where)
        return Code(text, relative, runtime_name)


def _auth(api: dict[str, Any]) -> tuple[AuthProvider, list[AuthProvider]]:
    default = _provider(api)
    return default, [_provider(extra) for extra in api.get("AdditionalAuthenticationProviders", [])]


def _provider(config: dict[str, Any]) -> AuthProvider:
    pool = config.get("UserPoolConfig") or {}
    oidc = config.get("OpenIDConnectConfig") or {}
    authorizer = config.get("LambdaAuthorizerConfig") or {}
    return AuthProvider(
        type=config["AuthenticationType"],
        user_pool_id=pool.get("UserPoolId"),
        openid_issuer=oidc.get("Issuer"),
        openid_client_id=oidc.get("ClientId"),
        openid_iat_ttl=oidc.get("IatTTL"),
        openid_auth_ttl=oidc.get("AuthTTL"),
        lambda_function=_function_name(authorizer["AuthorizerUri"]) if authorizer.get("AuthorizerUri") else None,
        lambda_ttl=authorizer.get("AuthorizerResultTtlInSeconds"),
        identity_validation_expression=authorizer.get("IdentityValidationExpression"),
    )


def _function_name(arn: str) -> str:
    """`arn:...:function:echo-${env}` -> `echo`: the project function the ARN deploys to."""
    name = arn.split(":function:", 1)[-1].split(":", 1)[0]
    return name.removesuffix(f"-{ENV_PLACEHOLDER}")


def _data_source(props: dict[str, Any], physical_tables: dict[str, str]) -> tuple[str, DataSourceConfig]:
    """`physical_tables` maps a table's deployed name (`Todo-<apiId>-<env>`) to its logical id, the
    name the mock's table has: v1 data sources state the deployed name, v2 ones `Ref` the table."""
    kind = props["Type"]
    config = DataSourceConfig(name=props["Name"], type=kind)
    if kind == "AMAZON_DYNAMODB":
        stated = str(props.get("DynamoDBConfig", {}).get("TableName"))
        config.table_name = physical_tables.get(stated, stated)
        config.config = {"versioned": bool(props.get("DynamoDBConfig", {}).get("Versioned", False))}
    elif kind == "AWS_LAMBDA":
        config.function_arn = str(props.get("LambdaConfig", {}).get("LambdaFunctionArn", ""))
        config.function_name = _function_name(config.function_arn)
    elif kind == "HTTP":
        http = props.get("HttpConfig", {})
        config.endpoint = http.get("Endpoint")
        config.config = {key: value for key, value in http.items() if key != "Endpoint"}
    return config.name, config


def _indexes(specs: list[dict[str, Any]]) -> list[Index]:
    return [
        Index(spec["IndexName"], spec["KeySchema"], spec.get("Projection", {"ProjectionType": "ALL"}))
        for spec in specs
    ]


def _table(logical_id: str, props: dict[str, Any]) -> Table:
    ttl = props.get("TimeToLiveSpecification") or {}
    return Table(
        name=logical_id,
        key_schema=props["KeySchema"],
        attribute_definitions=props.get("AttributeDefinitions", []),
        global_secondary_indexes=_indexes(props.get("GlobalSecondaryIndexes", [])),
        local_secondary_indexes=_indexes(props.get("LocalSecondaryIndexes", [])),
        stream_view_type=(props.get("StreamSpecification") or {}).get("StreamViewType"),
        ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") else None,
    )
