"""The transform pipeline: an API project folder in, the `build/` files out (in memory).

`read_project` gathers what the real CLI reads from `amplify/backend/api/<name>/`; `transform`
validates the schema, runs the directive modules in the real CLI's order and returns a mapping of
relative path -> text (`schema.graphql`, `resolvers/Query.getTodo.req.vtl`, `stacks/Todo.json`,
...). It never writes: `amplify api gql-compile` writes the mapping, and the mock feeds the same
mapping to `transformer.build.api_from_build`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import auth, connection, function, key, model, stacks, versioned
from .context import TransformContext
from .document import parse_schema
from .errors import SchemaError
from .sdl import TypeDef, print_types

TRANSFORMER_DIRECTIVES = {"model", "key", "connection", "auth", "versioned", "function"}
DEFAULT_AUTH = {"defaultAuthentication": {"authenticationType": "API_KEY"}, "additionalAuthenticationProviders": []}


@dataclass
class ApiProject:
    """Everything a transform reads, as text; `schema` is a list of (file label, SDL)."""

    name: str
    schema: list[tuple[str, str]]
    auth_config: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_AUTH))
    transform_conf: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    resolvers: dict[str, str] = field(default_factory=dict)  # resolvers/ file name -> text
    pipeline_functions: dict[str, str] = field(default_factory=dict)
    custom_stacks: dict[str, str] = field(default_factory=dict)  # stacks/ file name -> text


def _json(path: Path) -> dict[str, Any]:
    """A project JSON file, which must hold an object; anything else names the file (never an AttributeError)."""
    try:
        document = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise SchemaError(f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    if not isinstance(document, dict):
        raise SchemaError(f"{path}: expected a JSON object, found {type(document).__name__}")
    return document


def _auth_from_backend_config(api_dir: Path) -> dict[str, Any] | None:
    backend_config = api_dir.parent.parent / "backend-config.json"
    if not backend_config.is_file():
        return None
    entry = (_json(backend_config).get("api") or {}).get(api_dir.name) or {}
    return (entry.get("output") or {}).get("authConfig")


def read_project(api_dir: Path, auth_config: dict[str, Any] | None = None) -> ApiProject:
    """Read `amplify/backend/api/<name>/` (or a folder laid out the same way).

    The auth config comes from `auth_config`, else `backend-config.json` two levels up (where
    `amplify add api` records it), else an `auth.json` beside the schema, else API key only.
    """
    api_dir = Path(api_dir)
    files = []
    if (api_dir / "schema.graphql").is_file():
        files.append(api_dir / "schema.graphql")
    if (api_dir / "schema").is_dir():
        files.extend(sorted((api_dir / "schema").rglob("*.graphql")))
    if not files:
        raise SchemaError(f"{api_dir}: no schema.graphql or schema/*.graphql; add the API's GraphQL schema there.")
    project = ApiProject(api_dir.name, [(str(p), p.read_text()) for p in files])
    if auth_config is None:
        auth_config = _auth_from_backend_config(api_dir)
    if auth_config is None and (api_dir / "auth.json").is_file():
        auth_config = _json(api_dir / "auth.json")
    if auth_config is not None:
        project.auth_config = auth_config
    for name, attr in (("transform.conf.json", "transform_conf"), ("parameters.json", "parameters")):
        if (api_dir / name).is_file():
            setattr(project, attr, _json(api_dir / name))
    for folder, attr in (("resolvers", "resolvers"), ("pipelineFunctions", "pipeline_functions")):
        if (api_dir / folder).is_dir():
            setattr(project, attr, {p.name: p.read_text() for p in sorted((api_dir / folder).glob("*.vtl"))})
    if (api_dir / "stacks").is_dir():
        project.custom_stacks = {p.name: p.read_text() for p in sorted((api_dir / "stacks").glob("*.json"))}
    return project


def _output_types(types: list[TypeDef]) -> dict[str, TypeDef]:
    """The user's types as they appear in the output: transformer directives removed."""
    out = {}
    for t in types:
        copy_ = copy.copy(t)
        copy_.directives = [d for d in t.directives if d.name.value not in TRANSFORMER_DIRECTIVES]
        copy_.fields = [copy.copy(f) for f in t.fields]
        for f in copy_.fields:
            f.directives = [d for d in f.directives if d.name.value not in TRANSFORMER_DIRECTIVES]
            f.args = list(f.args)
        out[t.name] = copy_
    return out


def _check_transform_conf(conf: dict[str, Any]) -> None:
    """What this transformer does not do is refused rather than silently left out."""
    version = conf.get("Version", 5)
    if not isinstance(version, int) or version < 5:
        raise SchemaError(f"transform.conf.json: \"Version\": {json.dumps(version)} is not supported; the mock "
                          "transforms version 5 (conditions on mutations), the version `amplify add api` writes.")
    if conf.get("ResolverConfig"):
        raise SchemaError("transform.conf.json: ResolverConfig (DataStore conflict detection) is not supported by "
                          "the mock yet; remove it from transform.conf.json to mock this API locally.")


def transform(project: ApiProject) -> dict[str, str]:
    """The build files for the project (relative path -> text). Raises SchemaError on bad input."""
    _check_transform_conf(project.transform_conf)
    types = parse_schema(project.schema)
    ctx = TransformContext({t.name: t for t in types}, project.auth_config, _output_types(types))
    configs = [model.transform_model(ctx, t) for t in ctx.models()]
    versioned.transform(ctx)
    function.transform(ctx)
    key.transform(ctx)
    connection.transform(ctx)
    auth.transform(ctx, configs)
    for config in configs:
        model.finish_create(ctx, config)

    files: dict[str, str] = {"schema.graphql": print_types(list(ctx.types.values()))}
    for spec in ctx.resolvers.values():
        files[f"resolvers/{spec.file_stem}.req.vtl"] = spec.request
        files[f"resolvers/{spec.file_stem}.res.vtl"] = spec.response
    for fn in ctx.functions.values():
        files[f"pipelineFunctions/{fn.name}.req.vtl"] = fn.request
        files[f"pipelineFunctions/{fn.name}.res.vtl"] = fn.response
    files.update(stacks.render(ctx))
    for name, text in project.resolvers.items():
        files[f"resolvers/{name}"] = text
    for name, text in project.pipeline_functions.items():
        files[f"pipelineFunctions/{name}"] = text
    for name, text in project.custom_stacks.items():
        files[f"stacks/{name}"] = text
    custom = [Path(name).stem for name in project.custom_stacks]
    files["cloudformation-template.json"] = json.dumps(stacks.root_template(ctx, custom))
    files["parameters.json"] = json.dumps(_parameters(project), indent=4)
    return files


def _parameters(project: ApiProject) -> dict[str, Any]:
    """build/parameters.json: the project's scalar parameters, and the user pool the auth config names."""
    parameters: dict[str, Any] = {"AppSyncApiName": project.name, "DynamoDBBillingMode": "PAY_PER_REQUEST",
                                  "DynamoDBEnableServerSideEncryption": False}
    auth_config = project.auth_config
    for provider in [auth_config.get("defaultAuthentication") or {},
                     *(auth_config.get("additionalAuthenticationProviders") or [])]:
        pool = (provider.get("userPoolConfig") or {}).get("userPoolId")
        if provider.get("authenticationType") == "AMAZON_COGNITO_USER_POOLS" and pool:
            parameters["AuthCognitoUserPoolId"] = pool
    for name, value in project.parameters.items():
        if not isinstance(value, dict | list):
            parameters[name] = value
        elif name == "AuthCognitoUserPoolId" and "AuthCognitoUserPoolId" not in parameters:
            # `amplify add api` records the pool as {"Fn::GetAtt": [<pool id or auth resource>, ...]}: a
            # deploy-time reference; the mock only needs a pool id to show, so keep one that looks like it.
            target = (value.get("Fn::GetAtt") or [""])[0] if isinstance(value, dict) else ""
            if re.fullmatch(r"[a-z]{2}-[a-z]+-\d_\w+", str(target)):
                parameters[name] = target
    return parameters


def transform_api(api_dir: Path, auth_config: dict[str, Any] | None = None) -> dict[str, str]:
    """`read_project` then `transform`: the build files for `amplify/backend/api/<name>/`."""
    return transform(read_project(api_dir, auth_config))
