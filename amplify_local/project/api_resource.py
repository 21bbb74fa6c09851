"""`amplify add api --headless`: the AddApiRequest (amplify-headless-interface, version 1) checked and
turned into the real CLI's artifacts.

Writes `amplify/backend/api/<apiName>/` (schema.graphql, parameters.json, transform.conf.json,
stacks/CustomResources.json, resolvers/README.md) and records the API in backend-config.json and
amplify-meta.json with its `output.authConfig`. The folder is built beside its place and renamed in.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from typing import Any

from amplify_local.project.files import ProjectError, read_json_object, staged_folder, write_json, write_text
from amplify_local.project.paths import ProjectPaths
from amplify_local.project.resources import add_resource

CATEGORY = "api"
SERVICE = "AppSync"
TRANSFORM_VERSION = 5
API_NAME = re.compile(r"^[a-zA-Z0-9]{1,80}$")
AUTH_MODES = ("API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_LAMBDA")
STRATEGIES = ("AUTOMERGE", "OPTIMISTIC_CONCURRENCY", "LAMBDA", "NONE")

CUSTOM_RESOURCES: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "An auto-generated nested stack.",
    "Metadata": {},
    "Parameters": {
        "AppSyncApiId": {"Type": "String", "Description": "The id of the AppSync API associated with this project."},
        "AppSyncApiName": {"Type": "String", "Description": "The name of the AppSync API", "Default": "AppSyncSimpleTransform"},
        "env": {"Type": "String", "Description": "The environment name. e.g. Dev, Test, or Production", "Default": "NONE"},
        "S3DeploymentBucket": {"Type": "String", "Description": "The S3 bucket containing all deployment assets for the project."},
        "S3DeploymentRootKey": {
            "Type": "String",
            "Description": "An S3 key relative to the S3DeploymentBucket that points to the root\nof the deployment directory.",
        },
    },
    "Resources": {"EmptyResource": {"Type": "Custom::EmptyResource", "Condition": "AlwaysFalse"}},
    "Conditions": {
        "HasEnvironmentParameter": {"Fn::Not": [{"Fn::Equals": [{"Ref": "env"}, "NONE"]}]},
        "AlwaysFalse": {"Fn::Equals": ["true", "false"]},
    },
    "Outputs": {
        "EmptyOutput": {
            "Description": "An empty output. You may delete this if you have at least one resource above.",
            "Value": "",
        }
    },
}

RESOLVERS_README = """Resolver overrides

A file here named like a generated resolver template (for example Query.getTodo.req.vtl) replaces
that template when the schema is compiled; `amplify mock api` picks it up too. Slot files such as
Mutation.createTodo.preUpdate.1.req.vtl add a step to the generated pipeline.
"""


@dataclass(frozen=True)
class AddApiRequest:
    api_name: str
    schema: str
    auth_config: dict[str, Any]
    resolver_config: dict[str, Any] | None


def _fail(where: str, message: str) -> ProjectError:
    return ProjectError(f"request on stdin: {where}: {message}")


def _object(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected a JSON object, given {json.dumps(value)}")
    return value


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected a non-empty string, given {json.dumps(value)}")
    return value


def _keys(where: str, value: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in value:
        if key not in allowed:
            raise _fail(where, f'unknown key "{key}". Allowed keys: {", ".join(allowed)}')


def auth_config_entry(where: str, value: Any) -> dict[str, Any]:
    """An AppSyncAuthType as the authConfig entry the real CLI stores in amplify-meta."""
    auth = _object(where, value)
    mode = auth.get("mode")
    if mode not in AUTH_MODES:
        raise _fail(f"{where}.mode", f'{json.dumps(mode)} is invalid: use one of {", ".join(AUTH_MODES)}')
    if mode == "API_KEY":
        _keys(where, auth, ("mode", "expirationTime", "apiKeyExpirationDate", "keyDescription"))
        days = auth.get("expirationTime", 7)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            raise _fail(f"{where}.expirationTime", f"{json.dumps(days)} is invalid: use a whole number of days from 1 to 365")
        config = {"apiKeyExpirationDays": days, "description": auth.get("keyDescription", "")}
        if "apiKeyExpirationDate" in auth:
            config["apiKeyExpirationDate"] = _text(f"{where}.apiKeyExpirationDate", auth["apiKeyExpirationDate"])
        return {"authenticationType": mode, "apiKeyConfig": config}
    if mode == "AWS_IAM":
        _keys(where, auth, ("mode",))
        return {"authenticationType": mode}
    if mode == "AMAZON_COGNITO_USER_POOLS":
        _keys(where, auth, ("mode", "cognitoUserPoolId"))
        entry: dict[str, Any] = {"authenticationType": mode}
        if "cognitoUserPoolId" in auth:
            entry["userPoolConfig"] = {"userPoolId": _text(f"{where}.cognitoUserPoolId", auth["cognitoUserPoolId"])}
        return entry
    if mode == "OPENID_CONNECT":
        _keys(where, auth, ("mode", "openIDProviderName", "openIDIssuerURL", "openIDClientID", "openIDAuthTTL", "openIDIatTTL"))
        issuer = _text(f"{where}.openIDIssuerURL", auth.get("openIDIssuerURL"))
        if not issuer.startswith(("https://", "http://")):
            raise _fail(f"{where}.openIDIssuerURL", f'"{issuer}" is invalid: use the issuer URL (https://...)')
        config = {
            "name": _text(f"{where}.openIDProviderName", auth.get("openIDProviderName")),
            "issuerUrl": issuer,
            "clientId": _text(f"{where}.openIDClientID", auth.get("openIDClientID")),
        }
        for key, target in (("openIDAuthTTL", "authTTL"), ("openIDIatTTL", "iatTTL")):
            if key in auth:
                config[target] = _text(f"{where}.{key}", str(auth[key]))
        return {"authenticationType": mode, "openIDConnectConfig": config}
    _keys(where, auth, ("mode", "lambdaFunction", "ttlSeconds"))
    config = {"lambdaFunction": _text(f"{where}.lambdaFunction", auth.get("lambdaFunction"))}
    if "ttlSeconds" in auth:
        config["ttlSeconds"] = _text(f"{where}.ttlSeconds", str(auth["ttlSeconds"]))
    return {"authenticationType": mode, "lambdaAuthorizerConfig": config}


def sync_config(where: str, value: Any) -> dict[str, Any] | None:
    """A ResolutionStrategy as the transformer's SyncConfig (None for NONE)."""
    strategy = _object(where, value)
    kind = strategy.get("type")
    if kind not in STRATEGIES:
        raise _fail(f"{where}.type", f'{json.dumps(kind)} is invalid: use one of {", ".join(STRATEGIES)}')
    if kind == "NONE":
        return None
    if kind != "LAMBDA":
        _keys(where, strategy, ("type",))
        return {"ConflictHandler": kind, "ConflictDetection": "VERSION"}
    _keys(where, strategy, ("type", "resolver"))
    resolver = _object(f"{where}.resolver", strategy.get("resolver"))
    if resolver.get("type") != "EXISTING":
        raise _fail(
            f"{where}.resolver.type",
            f'{json.dumps(resolver.get("type"))} is not available: amplify-local cannot generate a conflict handler '
            '("NEW"); add the function and use {"type": "EXISTING", "name": "<function>"}',
        )
    _keys(f"{where}.resolver", resolver, ("type", "name", "region", "arn"))
    handler = {"name": _text(f"{where}.resolver.name", resolver.get("name"))}
    for key, target in (("region", "region"), ("arn", "lambdaArn")):
        if key in resolver:
            handler[target] = _text(f"{where}.resolver.{key}", resolver[key])
    return {"ConflictHandler": "LAMBDA", "ConflictDetection": "VERSION", "LambdaConflictHandler": handler}


def resolver_config(value: Any) -> dict[str, Any] | None:
    where = "serviceConfiguration.conflictResolution"
    conflict = _object(where, value)
    _keys(where, conflict, ("defaultResolutionStrategy", "perModelResolutionStrategy"))
    config: dict[str, Any] = {}
    if "defaultResolutionStrategy" in conflict:
        project = sync_config(f"{where}.defaultResolutionStrategy", conflict["defaultResolutionStrategy"])
        if project:
            config["project"] = project
    models = conflict.get("perModelResolutionStrategy", [])
    if not isinstance(models, list):
        raise _fail(f"{where}.perModelResolutionStrategy", "expected a list")
    for index, item in enumerate(models):
        item_where = f"{where}.perModelResolutionStrategy[{index}]"
        item = _object(item_where, item)
        _keys(item_where, item, ("resolutionStrategy", "entityName"))
        entity = _text(f"{item_where}.entityName", item.get("entityName"))
        strategy = sync_config(f"{item_where}.resolutionStrategy", item.get("resolutionStrategy"))
        if strategy:
            config.setdefault("models", {})[entity] = strategy
    return config or None


def check_schema(schema: str) -> None:
    """The schema must parse as GraphQL SDL; directives are the transformer's business."""
    from graphql import GraphQLSyntaxError, parse

    try:
        parse(schema, no_location=True)
    except GraphQLSyntaxError as error:
        location = error.locations[0] if error.locations else None
        where = f" at line {location.line} column {location.column}" if location else ""
        raise _fail("serviceConfiguration.transformSchema", f"GraphQL syntax error{where}: {error.message}") from error


def parse_add_api_request(text: str) -> AddApiRequest:
    """Decode and check an AddApiRequest; errors name the JSON position or the key path."""
    try:
        request = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProjectError(
            f"request on stdin: invalid JSON at line {error.lineno} column {error.colno} "
            f"(character {error.pos}): {error.msg}"
        ) from error
    request = _object("request", request)
    _keys("request", request, ("version", "serviceConfiguration"))
    if request.get("version") != 1:
        raise _fail("version", f"{json.dumps(request.get('version'))} is invalid: the only version is 1")
    where = "serviceConfiguration"
    service = _object(where, request.get(where))
    _keys(where, service, ("serviceName", "apiName", "transformSchema", "defaultAuthType", "additionalAuthTypes",
                           "conflictResolution", "apiKeyExpiration"))
    if service.get("serviceName") != SERVICE:
        raise _fail(f"{where}.serviceName", f'{json.dumps(service.get("serviceName"))} is invalid: use "{SERVICE}"')
    api_name = _text(f"{where}.apiName", service.get("apiName"))
    if not API_NAME.match(api_name):
        raise _fail(f"{where}.apiName", f'"{api_name}" is invalid: use 1 to 80 letters and digits (a-z, A-Z, 0-9)')
    schema = _text(f"{where}.transformSchema", service.get("transformSchema"))
    check_schema(schema)
    if "defaultAuthType" not in service:
        raise _fail(f"{where}.defaultAuthType", f'is missing: give {{"mode": one of {", ".join(AUTH_MODES)}}}')
    default = auth_config_entry(f"{where}.defaultAuthType", service["defaultAuthType"])
    additional_given = service.get("additionalAuthTypes", [])
    if not isinstance(additional_given, list):
        raise _fail(f"{where}.additionalAuthTypes", "expected a list of auth types")
    additional = [
        auth_config_entry(f"{where}.additionalAuthTypes[{index}]", item) for index, item in enumerate(additional_given)
    ]
    seen = [default["authenticationType"]]
    for index, entry in enumerate(additional):
        mode = entry["authenticationType"]
        if mode in seen and mode != "OPENID_CONNECT":
            raise _fail(f"{where}.additionalAuthTypes[{index}].mode", f"{mode} is already configured; give each mode once")
        seen.append(mode)
    if "apiKeyExpiration" in service:
        expiration = _object(f"{where}.apiKeyExpiration", service["apiKeyExpiration"])
        _keys(f"{where}.apiKeyExpiration", expiration, ("days",))
        days = expiration.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            raise _fail(f"{where}.apiKeyExpiration.days", f"{json.dumps(days)} is invalid: use 1 to 365")
    conflict = resolver_config(service["conflictResolution"]) if "conflictResolution" in service else None
    auth = {"defaultAuthentication": default, "additionalAuthenticationProviders": additional}
    return AddApiRequest(api_name, schema, auth, conflict)


def user_pool_parameter(paths: ProjectPaths, auth: dict[str, Any]) -> dict[str, Any] | None:
    """parameters.json's AuthCognitoUserPoolId when a user-pool mode is used: the given pool, else the
    project's auth resource; with neither the real CLI refuses, and so do we."""
    providers = [auth["defaultAuthentication"], *auth["additionalAuthenticationProviders"]]
    pools = [entry for entry in providers if entry["authenticationType"] == "AMAZON_COGNITO_USER_POOLS"]
    if not pools:
        return None
    given = next((entry["userPoolConfig"]["userPoolId"] for entry in pools if "userPoolConfig" in entry), None)
    if given is None:
        auth_resources = [
            name for name, entry in read_json_object(paths.backend_config).get("auth", {}).items()
            if isinstance(entry, dict) and entry.get("service") == "Cognito"
        ]
        if not auth_resources:
            raise _fail(
                "serviceConfiguration.defaultAuthType",
                "AMAZON_COGNITO_USER_POOLS needs a user pool: give cognitoUserPoolId, or add a Cognito auth resource "
                "to the project first (Cannot find a configured Cognito User Pool.)",
            )
        given = f"auth{auth_resources[0]}"
    return {"Fn::GetAtt": [given, "Outputs.UserPoolId"]}


def add_api(paths: ProjectPaths, request: AddApiRequest) -> None:
    """Write the API's folder and record it; refused when the project already has a GraphQL API."""
    meta = read_json_object(paths.amplify_meta)
    existing = [name for name, entry in meta.get(CATEGORY, {}).items() if isinstance(entry, dict) and entry.get("service") == SERVICE]
    if existing:
        raise ProjectError(
            f"GraphQL API {existing[0]} already exists in the project. Use 'amplify update api' to make modifications."
        )
    target = paths.resource_dir(CATEGORY, request.api_name)
    if target.exists():
        raise ProjectError(f"{target} already exists; remove it or choose another apiName")
    parameters: dict[str, Any] = {
        "AppSyncApiName": request.api_name,
        "DynamoDBBillingMode": "PAY_PER_REQUEST",
        "DynamoDBEnableServerSideEncryption": False,
    }
    pool = user_pool_parameter(paths, request.auth_config)
    if pool:
        parameters["AuthCognitoUserPoolId"] = pool
    transform_conf: dict[str, Any] = {"Version": TRANSFORM_VERSION, "ElasticsearchWarning": True}
    if request.resolver_config:
        transform_conf["ResolverConfig"] = request.resolver_config
    with staged_folder(target) as staging:
        write_text(staging / "schema.graphql", request.schema)
        write_json(staging / "parameters.json", parameters)
        write_json(staging / "transform.conf.json", transform_conf)
        write_json(staging / "stacks" / "CustomResources.json", CUSTOM_RESOURCES)
        write_text(staging / "resolvers" / "README.md", RESOLVERS_README)
    entry = {"service": SERVICE, "providerPlugin": "awscloudformation", "dependsOn": [], "output": {"authConfig": request.auth_config}}
    try:
        add_resource(paths, CATEGORY, request.api_name, entry)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
