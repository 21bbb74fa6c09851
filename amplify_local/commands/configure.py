"""`amplify configure project`: change the settings of an initialised project; only what is given changes.

`--amplify` (projectName, defaultEditor, appId), `--frontend` (a framework or config key merges over the
current frontend; a different frontend starts from its defaults) and `--providers` (the current env's
credentials source). Everything is validated before the first file is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amplify_local.project import frontend as frontend_files
from amplify_local.project import settings as rules
from amplify_local.project.files import ProjectError, read_json_object, write_json
from amplify_local.project.headless import HeadlessOptions, parse_options, run_only_subcommand
from amplify_local.project.paths import ProjectPaths, find_project
from amplify_local.project.state import (
    PROJECT_CONFIG_VERSION,
    current_env,
    environments,
    region_of,
    set_env_credentials,
)

HELP = """usage: amplify configure project [--amplify JSON] [--frontend JSON] [--providers JSON] [--yes]

  --amplify    {"projectName", "defaultEditor", "appId"}   (envName: use "amplify env checkout")
  --frontend   {"frontend", "framework", "config": {...}}  (merged over the current settings)
  --providers  {"awscloudformation": {"configLevel", "useProfile", "profileName", "accessKeyId",
                "secretAccessKey", "region"}}               (for the current environment)

Only the values given change. "amplify configure" (setting up an IAM user) is not available."""


def merged_frontend(current: dict[str, Any], given: dict[str, Any]) -> rules.FrontendSettings:
    """The new frontend settings: the given keys over the current ones while frontend and framework stay;
    a new frontend or framework starts from its own defaults plus the keys given now."""
    kind = given.get("frontend", current["frontend"])
    checked = rules.frontend_settings({**given, "frontend": kind})
    if kind != current["frontend"]:
        return checked
    block = current.get(kind, {})
    if checked.framework not in (None, block.get("framework")):
        return checked
    return rules.FrontendSettings(kind, block.get("framework"), {**block.get("config", {}), **checked.config})


def configure(options: HeadlessOptions, paths: ProjectPaths) -> int:
    if not options.json:
        raise ProjectError("nothing to change: give --amplify, --frontend or --providers (see --help)")
    given = rules.amplify_settings(options.json.get("--amplify"))
    env = current_env(paths)
    if given.env_name and given.env_name != env:
        raise ProjectError(
            f'--amplify: envName "{given.env_name}" cannot be changed here; use "amplify env checkout '
            f'{given.env_name}" or "amplify env add"'
        )
    project_config = read_json_object(paths.project_config)
    frontend = merged_frontend(project_config, options.json["--frontend"]) if "--frontend" in options.json else None
    aws = rules.aws_settings(options.json["--providers"]) if "--providers" in options.json else None

    project_name = given.project_name or str(project_config["projectName"])
    if frontend is not None or given.project_name:
        kind = frontend.frontend if frontend else str(project_config["frontend"])
        entry = frontend.project_config_entry(project_name) if frontend else project_config.get(kind, {})
        write_json(paths.project_config, {
            "projectName": project_name,
            "version": project_config.get("version", PROJECT_CONFIG_VERSION),
            "frontend": kind,
            kind: entry,
            "providers": project_config.get("providers", [rules.PROVIDER_NAME]),
        })
    if given.default_editor:
        env_info = read_json_object(paths.local_env_info)
        write_json(paths.local_env_info, {**env_info, "defaultEditor": given.default_editor})
    region = region_of(paths)
    if aws is not None or given.app_id:
        team = environments(paths)
        values = dict(team.get(env, {}).get(rules.PROVIDER_NAME, {}))
        if aws is not None:
            set_env_credentials(paths, env, aws)
            if aws.region:
                region = values["Region"] = aws.region
        if given.app_id:
            values["AmplifyAppId"] = given.app_id
        team[env] = {**team.get(env, {}), rules.PROVIDER_NAME: values}
        write_json(paths.team_provider_info, team)
        meta = read_json_object(paths.amplify_meta)
        meta["providers"] = {**meta.get("providers", {}), rules.PROVIDER_NAME: values}
        write_json(paths.amplify_meta, meta)
    written = frontend_files.write_config_files(paths.root, read_json_object(paths.project_config), region)
    print(f"Project {project_name} configured (env {env}); wrote {', '.join(str(p.relative_to(paths.root)) for p in written)}.")
    return 0


def main(argv: list[str]) -> int:
    return run_only_subcommand(
        "configure", "project", argv, HELP, "amplify configure project",
        lambda rest: configure(parse_options("configure project", rest), find_project(Path.cwd())),
    )
