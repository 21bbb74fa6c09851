"""`amplify init`: create the project folder offline, headless as the real CLI's sample scripts drive it.

In an initialised project, `init` with a new `envName` adds that environment (the real CLI's
headless_init_env.sh); anything else is refused unless `--reinit` asks to rebuild the project settings
(the resources in amplify/backend are kept).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from amplify_local.project import frontend as frontend_files
from amplify_local.project import settings as rules
from amplify_local.project.files import ProjectError, read_json_object, staged_folder
from amplify_local.project.headless import (
    JSON_OPTIONS,
    Asker,
    HeadlessOptions,
    help_answer,
    parse_options,
    run_command,
)
from amplify_local.project.paths import ProjectPaths
from amplify_local.project.state import (
    NewProject,
    add_environment,
    checkout_environment,
    current_env,
    environments,
    set_env_credentials,
    write_new_amplify_folder,
)
from amplify_local.provider import credentials

HELP = """usage: amplify init [--amplify JSON] [--frontend JSON] [--providers JSON] [--yes] [--app URL|PATH] [--reinit]

  --amplify    {"projectName", "envName", "defaultEditor", "appId"}
  --frontend   {"frontend": "javascript|android|ios", "framework", "config": {...}}
               javascript config: SourceDir, DistributionDir, BuildCommand, StartCommand
               android config: ResDir; ios: none
  --providers  {"awscloudformation": {"configLevel": "project|general", "useProfile", "profileName",
                "accessKeyId", "secretAccessKey", "region"}}
  --yes, -y    use the defaults for every value not given (name from the folder, env dev, javascript/react)
  --app        a git URL or a local folder of a sample app with an amplify/ folder (run in an empty folder)
  --reinit     rebuild the settings of an initialised project (its resources are kept)
  --categories {"<category>": {"<resource>": {"<parameter>": value}}}  per-env resource parameters
  --codegen    the real CLI's codegen answers (checked; amplify-local has no codegen yet)

In a project cloned without its local files, init sets this checkout up (an existing envName keeps
its values). In a set-up project, a new envName adds that environment and an existing one checks it out.

Works offline: the environment stays local until pushed. Access keys are stored under ~/.amplify/, never
in the project folder."""

IGNORED_IN_APP = shutil.ignore_patterns(".git", "node_modules")


def fetch_app(source: str, into: Path) -> None:
    """Copy a local sample app, or clone one from git, into `into`; it must hold an amplify/ folder."""
    local = Path(source).expanduser()
    if local.is_dir():
        shutil.copytree(local, into, ignore=IGNORED_IN_APP, symlinks=True)
    elif "://" in source or source.startswith("git@") or source.endswith(".git"):
        try:
            result = subprocess.run(
                ["git", "clone", "--depth", "1", "--quiet", source, str(into)], capture_output=True, text=True
            )
        except FileNotFoundError as error:
            raise ProjectError("--app: git is not installed; install git or pass a local folder") from error
        if result.returncode != 0:
            raise ProjectError(f'--app: git clone of "{source}" failed: {result.stderr.strip()}')
    else:
        raise ProjectError(f'--app: "{source}" is neither an existing folder nor a git URL')
    if not (into / "amplify" / "backend").is_dir():
        raise ProjectError(f'--app: "{source}" has no amplify/backend folder, so it is not an Amplify sample app')


def kept_frontend(existing: dict[str, object]) -> rules.FrontendSettings:
    """The frontend of the project-config.json being kept, as it is (older keys included)."""
    name = str(existing["frontend"])
    if name not in rules.FRONTENDS:
        raise ProjectError(
            f'amplify/.config/project-config.json: frontend "{name}" is not supported by amplify-local '
            f'({", ".join(rules.FRONTENDS)}); pass --frontend to choose one'
        )
    block = existing.get(name)
    block = block if isinstance(block, dict) else {}
    config = block.get("config")
    framework = block.get("framework") if name == "javascript" else None
    return rules.FrontendSettings(name, str(framework) if framework else None, dict(config) if isinstance(config, dict) else {})


def decide(options: HeadlessOptions, root: Path, existing: dict[str, object] | None, default_env: str) -> NewProject:
    """Every value of the new project: given, else the existing/sample project's, else default or asked."""
    given = rules.amplify_settings(options.json.get("--amplify"))
    asker = Asker("init", options.yes)
    project_name = given.project_name or asker.value(
        "--amplify", "projectName", "Enter a name for the project",
        str(existing.get("projectName")) if existing and existing.get("projectName") else
        rules.project_name_from_folder(root.name),
        lambda text: rules.check_project_name("--amplify", text),
    )
    env_name = given.env_name or asker.value(
        "--amplify", "envName", "Enter a name for the environment", default_env,
        lambda text: rules.check_env_name("--amplify", text),
    )
    editor = given.default_editor or asker.value(
        "--amplify", "defaultEditor", "Choose your default editor", "vscode",
        lambda text: rules.check_editor("--amplify", text),
    )
    if "--frontend" in options.json:
        frontend = rules.frontend_settings(options.json["--frontend"])
    elif existing and isinstance(existing.get("frontend"), str):
        frontend = kept_frontend(existing)
    else:
        kind = asker.value(
            "--frontend", "frontend", "Choose the type of app that you're building", "javascript",
            lambda text: rules.frontend_settings({"frontend": text}).frontend,
        )
        framework = None
        if kind == "javascript":
            framework = asker.value(
                "--frontend", "framework", "What javascript framework are you using", rules.DEFAULT_FRAMEWORK,
                lambda text: rules.frontend_settings({"frontend": "javascript", "framework": text}).framework,
            )
        frontend = rules.FrontendSettings(kind, framework)
    if "--providers" in options.json:
        aws = rules.aws_settings(options.json["--providers"])
    else:
        profile = asker.value(
            "--providers", "awscloudformation", "AWS profile to use", "default",
            lambda text: rules.aws_settings({"awscloudformation": {"useProfile": True, "profileName": text}}).profile_name,
        )
        aws = rules.AwsSettings(profile_name=profile)
    categories = rules.categories_settings(options.json.get("--categories", {}))
    return NewProject(project_name, env_name, editor, given.app_id, frontend, aws, categories)


def init_in_initialised_project(options: HeadlessOptions, paths: ProjectPaths) -> int:
    """`init` where this checkout is already set up: a new envName adds it, another existing one is
    checked out (the real CLI's "use an existing environment"); anything else is refused."""
    given = rules.amplify_settings(options.json.get("--amplify"))
    team = environments(paths)
    if given.env_name and given.env_name != current_env(paths):
        if "--frontend" in options.json or given.project_name:
            raise ProjectError('switching environments keeps the project settings; change them with "amplify configure project"')
        aws = rules.aws_settings(options.json["--providers"]) if "--providers" in options.json else None
        if given.env_name not in team:
            add_environment(paths, given.env_name, aws, given.app_id)
            print(f'Environment "{given.env_name}" added and checked out. It is local until pushed.')
            return 0
        if aws is not None:
            set_env_credentials(paths, given.env_name, aws)
        checkout_environment(paths, given.env_name)
        print(f'Environment "{given.env_name}" checked out.')
        return 0
    raise ProjectError(
        f"{paths.root} is already an Amplify project (amplify/.config/project-config.json exists). "
        'Add an environment with --amplify \'{"envName": "<new>"}\' or "amplify env add", change settings with '
        '"amplify configure project", or pass --reinit to rebuild the settings (resources are kept).'
    )


def init(options: HeadlessOptions, root: Path) -> int:
    paths = ProjectPaths.at(root)
    app = options.values.get("--app")
    reinit = "--reinit" in options.flags
    if "--forcePush" in options.flags:
        raise ProjectError("--forcePush: pushing is not available yet in amplify-local; run init without it "
                           "(the environment stays local)")
    if app is not None and any(root.iterdir()):
        raise ProjectError(f"--app: {root} is not empty; run init --app in an empty folder")
    if "--codegen" in options.json:
        rules.check_codegen(options.json["--codegen"])
    checked_out = paths.is_initialized() and paths.local_env_info.exists()
    if checked_out and app is None and not reinit:
        return init_in_initialised_project(options, paths)
    with contextlib.ExitStack() as cleanup:
        # A rebuild, a project cloned without its local files (.config/local-*, amplify-meta.json), or an
        # amplify/ folder without settings: whatever is there is kept.
        existing_amplify = paths.amplify if app is None and paths.amplify.is_dir() else None
        existing = read_json_object(paths.project_config) if paths.is_initialized() else None
        sample: Path | None = None
        if app is not None:
            sample = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix=".amplify-app-", dir=root))) / "app"
            fetch_app(app, sample)
            existing_amplify = sample / "amplify"
            config = existing_amplify / ".config" / "project-config.json"
            existing = read_json_object(config) if config.exists() else None
        known_envs = list(environments(paths)) if sample is None and paths.team_provider_info.exists() else []
        project = decide(options, root, existing, known_envs[0] if known_envs else "dev")
        region = credentials.resolve_region(project.aws)
        aws_entry = credentials.local_aws_info_entry(project.aws)
        try:
            with staged_folder(paths.amplify) as staging:
                values = write_new_amplify_folder(
                    paths.staged(staging), project, region, aws_entry, existing_amplify, keep_envs=sample is None
                )
                if sample is not None:
                    for entry in sample.iterdir():
                        if entry.name != "amplify":
                            shutil.move(str(entry), root / entry.name)
        except BaseException:
            credentials.forget_secrets(aws_entry)
            raise
    region = str(values["Region"])
    frontend_files.update_gitignore(root)
    project_config = read_json_object(paths.project_config)
    written = frontend_files.write_config_files(root, project_config, region)
    framework = f"/{project.frontend.framework or rules.DEFAULT_FRAMEWORK}" if project.frontend.frontend == "javascript" else ""
    print(f"Project {project.project_name} initialised in {root} ({project.frontend.frontend}{framework}, env {project.env_name}, {region}).")
    print(f"Wrote amplify/, .gitignore and {', '.join(str(path.relative_to(root)) for path in written)}.")
    if project.aws.use_profile and project.aws.profile_name and not credentials.profile_exists(project.aws.profile_name):
        print(f'Note: AWS profile "{project.aws.profile_name}" is not configured on this machine; a push will need it.')
    if "--codegen" in options.json:
        print("Note: --codegen is checked and kept for later: amplify-local has no code generation yet.")
    print(f'Environment "{project.env_name}" is local until pushed: no AWS resources were created.')
    print('Next: "amplify add api --headless < request.json", "amplify status", "amplify mock api".')
    return 0


def main(argv: list[str]) -> int:
    answer = help_answer(argv, HELP)
    if answer is not None:
        return answer

    def body() -> int:
        options = parse_options(
            "init", argv, json_options=(*JSON_OPTIONS, "--categories", "--codegen"), value_options=("--app",),
            flags=("--yes", "--reinit", "--forcePush"),
        )
        return init(options, Path.cwd())

    return run_command("init", body)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
