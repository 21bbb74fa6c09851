"""`amplify env list|add|checkout|get|remove`: the project's local environments.

Environments live in team-provider-info.json (provider values per env) and local-aws-info.json
(credentials source per env); local-env-info.json names the one checked out. Nothing is deployed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from amplify_local.project import settings as rules
from amplify_local.project.files import ProjectError, write_json
from amplify_local.project.headless import confirmed, help_answer, markdown_table, parse_options, run_command
from amplify_local.project.paths import ProjectPaths, find_project
from amplify_local.project.state import (
    add_environment,
    checkout_environment,
    current_env,
    environments,
    set_env_credentials,
)

HELP = """usage: amplify env <subcommand>

  amplify env list [--details] [--json]         the environments, the current one marked *
  amplify env add NAME [--providers JSON]       add an environment and check it out
                                                (credentials: as the current env unless given)
  amplify env checkout NAME                     switch to an environment
  amplify env get --name NAME [--json]          one environment's provider values
  amplify env remove NAME [--yes]               forget a local environment (not the current one); asks
                                                first on a terminal, without one needs --yes
  amplify env import --name NAME --config JSON [--awsInfo JSON] [--categories JSON]
                                                record an environment pushed elsewhere (its stack values)

Environments are local until pushed."""


def env_list(paths: ProjectPaths, argv: list[str]) -> int:
    options = parse_options("env list", argv, json_options=(), flags=("--details", "--json"))
    current = current_env(paths)
    team = environments(paths)
    if "--json" in options.flags:
        print(json.dumps({"envs": list(team)} if "--details" not in options.flags else team, indent=2))
        return 0
    if "--details" in options.flags:
        for name, values in team.items():
            print(f"{'*' if name == current else ''}{name}")
            for key, value in values.get(rules.PROVIDER_NAME, {}).items():
                print(f"  {key}: {value}")
        return 0
    print(f"\n{markdown_table([['Environments'], *([f'*{name}' if name == current else name] for name in team)])}\n")
    return 0


def env_add(paths: ProjectPaths, argv: list[str]) -> int:
    options = parse_options("env add", argv, json_options=("--providers",), value_options=("--name",),
                            flags=("--yes",), positionals=1)
    name = options.values.get("--name") or (options.positionals[0] if options.positionals else None)
    if name is None:
        raise ProjectError("give the new environment's name: amplify env add NAME")
    name = rules.check_env_name("NAME", name)
    aws = rules.aws_settings(options.json["--providers"]) if "--providers" in options.json else None
    add_environment(paths, name, aws)
    print(f'Environment "{name}" added and checked out. It is local until pushed.')
    return 0


def env_checkout(paths: ProjectPaths, argv: list[str]) -> int:
    options = parse_options("env checkout", argv, json_options=(), flags=(), positionals=1)
    if not options.positionals:
        raise ProjectError("give the environment to check out: amplify env checkout NAME")
    checkout_environment(paths, options.positionals[0])
    print(f'Environment "{options.positionals[0]}" checked out.')
    return 0


def env_get(paths: ProjectPaths, argv: list[str]) -> int:
    options = parse_options("env get", argv, json_options=(), value_options=("--name",), flags=("--json",))
    name = options.values.get("--name")
    team = environments(paths)
    if name is None or name not in team:
        raise ProjectError(f'--name: give an existing environment ({", ".join(team)}), given {name!r}')
    print(json.dumps(team[name], indent=2) if "--json" in options.flags else markdown_table(
        [["Key", "Value"], *([key, str(value)] for key, value in team[name].get(rules.PROVIDER_NAME, {}).items())]
    ))
    return 0


def env_remove(paths: ProjectPaths, argv: list[str]) -> int:
    options = parse_options("env remove", argv, json_options=(), flags=("--yes",), positionals=1)
    if not options.positionals:
        raise ProjectError("give the environment to remove: amplify env remove NAME")
    name = options.positionals[0]
    team = environments(paths)
    if name not in team:
        raise ProjectError(f'Environment "{name}" does not exist (environments: {", ".join(team)})')
    if name == current_env(paths):
        raise ProjectError(f'"{name}" is the current environment; check out another one before removing it')
    question = f'Remove environment "{name}" and its local settings and credentials? This cannot be undone.'
    if not confirmed("env remove", options.yes, question, f'remove environment "{name}"'):
        print("Nothing removed.")
        return 0
    del team[name]
    write_json(paths.team_provider_info, team)
    set_env_credentials(paths, name, None)
    print(f'Environment "{name}" removed from this project.')
    return 0


def env_import(paths: ProjectPaths, argv: list[str]) -> int:
    """Record an environment that exists elsewhere (its stack values in --config), without checking it out."""
    options = parse_options("env import", argv, json_options=("--config", "--awsInfo", "--categories"),
                            value_options=("--name",), flags=("--yes",))
    name = rules.check_env_name("--name", options.values.get("--name", ""))
    team = environments(paths)
    if name in team:
        raise ProjectError(f'--name: environment "{name}" already exists; remove it first to import it again')
    config = options.json.get("--config")
    if config is None:
        raise ProjectError('--config is missing: give the env\'s {"awscloudformation": {"Region": ..., "StackName": ...}}')
    values = config.get(rules.PROVIDER_NAME)
    if not isinstance(values, dict) or "Region" not in values:
        raise ProjectError(f'--config: expected {{"{rules.PROVIDER_NAME}": {{"Region": ..., ...}}}}, given {json.dumps(config)}')
    rules.check_region(f"--config: {rules.PROVIDER_NAME}", values["Region"])
    entry: dict[str, object] = {rules.PROVIDER_NAME: values}
    if "--categories" in options.json:
        entry["categories"] = rules.categories_settings(options.json["--categories"])
    aws = rules.aws_settings({rules.PROVIDER_NAME: options.json["--awsInfo"]}) if "--awsInfo" in options.json else None
    write_json(paths.team_provider_info, {**team, name: entry})
    if aws is not None:
        set_env_credentials(paths, name, aws)
    print(f'Environment "{name}" imported. Use it with "amplify env checkout {name}" or '
          f'amplify init --amplify \'{{"envName": "{name}"}}\'.')
    return 0


SUBCOMMANDS = {
    "list": env_list, "add": env_add, "checkout": env_checkout, "get": env_get, "remove": env_remove, "import": env_import,
}


def main(argv: list[str]) -> int:
    answer = help_answer(argv, HELP, needs_argument=True)
    if answer is not None:
        return answer
    handler = SUBCOMMANDS.get(argv[0])
    if handler is None:
        print(f'amplify env: unknown subcommand "{argv[0]}". Use one of: {", ".join(SUBCOMMANDS)}.', file=sys.stderr)
        return 2
    return run_command(f"env {argv[0]}", lambda: handler(find_project(Path.cwd()), argv[1:]))
