"""The project's state files: what `init` writes, and the environment operations on them.

project-config.json (name, frontend, providers), local-env-info.json (this checkout's path, editor and
current env), local-aws-info.json (per env: where credentials come from), team-provider-info.json (per
env: provider values), backend-config.json (the resources), amplify-meta.json (providers + resources
with their outputs) and #current-cloud-backend/ (what was last pushed: nothing, until push exists).
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amplify_local.project import frontend as frontend_files
from amplify_local.project.files import ProjectError, read_json_object, write_json
from amplify_local.project.paths import CURRENT_CLOUD_BACKEND, ProjectPaths
from amplify_local.project.settings import PROVIDER_NAME, AwsSettings, FrontendSettings
from amplify_local.provider import credentials
from amplify_local.provider.regions import DEFAULT_REGION

PROJECT_CONFIG_VERSION = "3.1"

# What the real CLI writes into amplify/cli.json for a new project (amplify-cli-core 4.6.0's new-project
# feature-flag defaults; tests/commands/recorded/new-project-cli.json records it).
CLI_FEATURES: dict[str, Any] = {
    "features": {
        "graphqltransformer": {
            "addmissingownerfields": True,
            "improvepluralization": False,
            "validatetypenamereservedwords": True,
            "useexperimentalpipelinedtransformer": True,
            "enableiterativegsiupdates": True,
            "secondarykeyasgsi": True,
            "skipoverridemutationinputtypes": True,
            "transformerversion": 2,
            "suppressschemamigrationprompt": True,
            "securityenhancementnotification": False,
            "showfieldauthnotification": False,
            "usesubusernamefordefaultidentityclaim": True,
            "usefieldnameforprimarykeyconnectionfield": False,
            "enableautoindexquerynames": True,
            "respectprimarykeyattributesonconnectionfield": True,
            "shoulddeepmergedirectiveconfigdefaults": False,
            "populateownerfieldforstaticgroupauth": True,
            "subscriptionsinheritprimaryauth": False,
            "enablegen2migration": False,
        },
        "frontend-ios": {"enablexcodeintegration": True},
        "auth": {
            "enablecaseinsensitivity": True,
            "useinclusiveterminology": True,
            "breakcirculardependency": True,
            "forcealiasattributes": False,
            "useenabledmfas": True,
        },
        "codegen": {
            "useappsyncmodelgenplugin": True,
            "usedocsgeneratorplugin": True,
            "usetypesgeneratorplugin": True,
            "cleangeneratedmodelsdirectory": True,
            "retaincasestyle": True,
            "addtimestampfields": True,
            "handlelistnullabilitytransparently": True,
            "emitauthprovider": True,
            "generateindexrules": True,
            "enabledartnullsafety": True,
            "generatemodelsforlazyloadandcustomselectionset": False,
        },
        "appsync": {"generategraphqlpermissions": True},
        "latestregionsupport": {
            "pinpoint": 1, "translate": 1, "transcribe": 1, "rekognition": 1, "textract": 1, "comprehend": 1,
        },
        "project": {"overrides": True},
    },
    "debug": {},
}


@dataclass(frozen=True)
class NewProject:
    """Everything `init` decided, validated, before a file is written."""

    project_name: str
    env_name: str
    default_editor: str
    app_id: str | None
    frontend: FrontendSettings
    aws: AwsSettings
    categories: dict[str, Any] = field(default_factory=dict)  # --categories: per-env resource parameters


def build_project_config(project_name: str, frontend: FrontendSettings) -> dict[str, Any]:
    return {
        "projectName": project_name,
        "version": PROJECT_CONFIG_VERSION,
        "frontend": frontend.frontend,
        frontend.frontend: frontend.project_config_entry(project_name),
        "providers": [PROVIDER_NAME],
    }


def provider_values(region: str, app_id: str | None) -> dict[str, Any]:
    """An env's awscloudformation values before any push: only what is known offline."""
    values: dict[str, Any] = {"Region": region}
    if app_id:
        values["AmplifyAppId"] = app_id
    return values


# backend/tags.json as the real CLI writes it: placeholders the deploy fills in per env and project.
TAGS: list[dict[str, str]] = [
    {"Key": "user:Stack", "Value": "{project-env}"},
    {"Key": "user:Application", "Value": "{project-name}"},
]


def meta_from_backend_config(backend_config: dict[str, Any], providers: dict[str, Any]) -> dict[str, Any]:
    """amplify-meta for resources that were never pushed: the backend-config entries under the providers."""
    return {"providers": {PROVIDER_NAME: providers}, **copy.deepcopy(backend_config)}


# What a rebuilt amplify/ folder takes fresh rather than from the old (or sample) one; a sample's record
# of what was pushed is not ours, a rebuilt project's is kept.
NOT_CARRIED_OVER = (".config", "team-provider-info.json", "amplify-meta.json", ".temp")


def write_new_amplify_folder(
    staged: ProjectPaths,
    project: NewProject,
    region: str,
    aws_entry: dict[str, Any],
    existing: Path | None,
    keep_envs: bool = False,
) -> dict[str, Any]:
    """Fill a staging amplify/ folder and return the env's provider values.

    `existing` (a sample app's, a cloned project's or a re-initialised project's amplify/) keeps its
    resources, backend-config.json, cli.json and everything else but the env-specific files. With
    `keep_envs` (a clone or a rebuild, not a sample) its environments are kept too, and choosing one of
    them keeps its provider values (the stack it was pushed to)."""
    backend_config: dict[str, Any] = {}
    team: dict[str, Any] = {}
    aws_info: dict[str, Any] = {}
    categories: dict[str, Any] = {}
    if existing is not None and existing.is_dir():
        skipped = NOT_CARRIED_OVER if keep_envs else (*NOT_CARRIED_OVER, CURRENT_CLOUD_BACKEND)
        shutil.copytree(existing, staged.amplify, ignore=shutil.ignore_patterns(*skipped), dirs_exist_ok=True)
        if staged.backend_config.exists():
            backend_config = read_json_object(staged.backend_config)
        if (existing / "team-provider-info.json").exists():
            old_team = read_json_object(existing / "team-provider-info.json")
            categories = env_categories(old_team, project.env_name)
            if keep_envs:
                team = copy.deepcopy(old_team)
        old_aws_info = existing / ".config" / "local-aws-info.json"
        if keep_envs and old_aws_info.exists():
            aws_info = read_json_object(old_aws_info)
    env_entry = team.get(project.env_name) if isinstance(team.get(project.env_name), dict) else {}
    values = env_entry.get(PROVIDER_NAME) or provider_values(region, None)
    if project.app_id:
        values["AmplifyAppId"] = project.app_id
    env_entry[PROVIDER_NAME] = values
    merged = merge_categories(env_entry.get("categories") or categories, project.categories)
    if merged:
        env_entry["categories"] = merged
    team[project.env_name] = env_entry
    write_json(staged.project_config, build_project_config(project.project_name, project.frontend))
    write_json(
        staged.local_env_info,
        {"projectPath": str(staged.root), "defaultEditor": project.default_editor, "envName": project.env_name},
    )
    write_json(staged.local_aws_info, {**aws_info, project.env_name: aws_entry})
    write_json(staged.team_provider_info, team)
    if not staged.cli_json.exists():
        write_json(staged.cli_json, CLI_FEATURES)
    write_json(staged.backend_config, backend_config)
    write_json(staged.amplify_meta, meta_from_backend_config(backend_config, values))
    write_json(staged.tags, TAGS)
    cloud = staged.current_cloud_backend
    if not cloud.exists():
        write_json(cloud / "backend-config.json", {})
        write_json(cloud / "amplify-meta.json", meta_from_backend_config({}, values))
        write_json(cloud / "tags.json", TAGS)
    return values


def merge_categories(base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """`--categories` over the carried-over parameters, per category and resource."""
    merged = copy.deepcopy(base)
    for category, resources in given.items():
        for resource, parameters in resources.items():
            merged.setdefault(category, {}).setdefault(resource, {}).update(parameters)
    return merged


def env_categories(team: dict[str, Any], env_name: str) -> dict[str, Any]:
    """The per-env resource parameters (function env vars, secrets' names...) a new env starts from:
    the same env's in a sample or rebuilt project, else the first env's, as `amplify env add` copies them."""
    source = team.get(env_name) or next(iter(team.values()), {})
    categories = source.get("categories") if isinstance(source, dict) else None
    return copy.deepcopy(categories) if isinstance(categories, dict) else {}


def read_project_config(paths: ProjectPaths) -> dict[str, Any]:
    return read_json_object(paths.project_config)


def current_env(paths: ProjectPaths) -> str:
    if not paths.local_env_info.exists():
        raise ProjectError(
            f"{paths.root}: this checkout has no environment yet (amplify/.config/local-env-info.json is missing, "
            'as in a fresh clone). Run "amplify init" to set it up.'
        )
    env = read_json_object(paths.local_env_info).get("envName")
    if not isinstance(env, str):
        raise ProjectError(f"{paths.local_env_info}: envName is missing. Run \"amplify env checkout <name>\".")
    return env


def environments(paths: ProjectPaths) -> dict[str, Any]:
    return read_json_object(paths.team_provider_info) if paths.team_provider_info.exists() else {}


def region_of(paths: ProjectPaths) -> str:
    provider = read_json_object(paths.amplify_meta).get("providers", {}).get(PROVIDER_NAME, {})
    return str(provider.get("Region") or DEFAULT_REGION)


def read_aws_info(paths: ProjectPaths) -> dict[str, Any]:
    return read_json_object(paths.local_aws_info) if paths.local_aws_info.exists() else {}


def set_env_credentials(paths: ProjectPaths, env_name: str, aws: AwsSettings | None) -> None:
    """Point an env at a credentials source (None: forget it), deleting the secrets file it used before."""
    aws_info = read_aws_info(paths)
    credentials.forget_secrets(aws_info.pop(env_name, {}))
    if aws is not None:
        aws_info[env_name] = credentials.local_aws_info_entry(aws)
    write_json(paths.local_aws_info, aws_info)


def add_environment(paths: ProjectPaths, env_name: str, aws: AwsSettings | None, app_id: str | None = None) -> None:
    """A new local environment with the given credentials source (default: the current env's), then checked out."""
    team = environments(paths)
    if env_name in team:
        raise ProjectError(f'Environment "{env_name}" already exists. Use "amplify env checkout {env_name}".')
    aws_info = read_aws_info(paths)
    if aws is None:
        entry = dict(aws_info.get(current_env(paths), {"configLevel": "project", "useProfile": True, "profileName": "default"}))
        region = region_of(paths)
    else:
        entry = credentials.local_aws_info_entry(aws)
        region = credentials.resolve_region(aws)
    if app_id is None:
        app_id = next((values.get(PROVIDER_NAME, {}).get("AmplifyAppId") for values in team.values()), None)
    team[env_name] = {PROVIDER_NAME: provider_values(region, app_id)}
    categories = env_categories(team, current_env(paths))
    if categories:
        team[env_name]["categories"] = categories
    write_json(paths.team_provider_info, team)
    write_json(paths.local_aws_info, {**aws_info, env_name: entry})
    checkout_environment(paths, env_name)


def checkout_environment(paths: ProjectPaths, env_name: str) -> None:
    """Switch the local checkout to another env: local-env-info, the meta's provider values, the frontend files."""
    team = environments(paths)
    if env_name not in team:
        known = ", ".join(team) or "none"
        raise ProjectError(f'Environment "{env_name}" does not exist (environments: {known}). Use "amplify env add".')
    env_info = read_json_object(paths.local_env_info)
    write_json(paths.local_env_info, {**env_info, "envName": env_name})
    values = team[env_name].get(PROVIDER_NAME, {})
    meta = read_json_object(paths.amplify_meta)
    meta["providers"] = {**meta.get("providers", {}), PROVIDER_NAME: values}
    write_json(paths.amplify_meta, meta)
    frontend_files.write_config_files(paths.root, read_project_config(paths), str(values.get("Region", DEFAULT_REGION)))
