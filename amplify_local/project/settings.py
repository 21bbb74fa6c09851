"""The headless parameters of `amplify init` / `configure project` / `env add`, validated.

Each JSON argument (`--amplify`, `--frontend`, `--providers`) becomes a small settings object; every
key is checked against what the real CLI accepts and a refusal names the argument, the key, the value
given and what is allowed, before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from amplify_local.project.files import ProjectError
from amplify_local.provider.regions import REGIONS

ENV_NAME = re.compile(r"^[a-z]{2,10}$")
PROJECT_NAME = re.compile(r"^[a-zA-Z0-9]{3,20}$")
APP_ID = re.compile(r"^d[a-z0-9]{1,19}$")

# The real CLI's editor list; `code` and `idea14ce` are its accepted aliases.
EDITORS = ("vscode", "android-studio", "xcode", "atom", "sublime", "intellij", "vim", "emacs", "none")
EDITOR_ALIASES = {"code": "vscode", "idea14ce": "intellij"}

FRONTENDS = ("javascript", "android", "ios")
PROVIDER_NAME = "awscloudformation"
PROVIDER_ALIASES = ("awscloudformation", "aws", "cloudformation", "cfn", "awscfn")

JAVASCRIPT_CONFIG_KEYS = ("SourceDir", "DistributionDir", "BuildCommand", "StartCommand", "ServerlessContainers")
ANDROID_CONFIG_KEYS = ("ResDir",)

# framework -> (SourceDir, DistributionDir, BuildCommand, StartCommand), the real CLI's javascript defaults.
FRAMEWORKS: dict[str, tuple[str, str, str, str]] = {
    "react": ("src", "build", "npm run-script build", "npm run-script start"),
    "react-native": ("/", "/", "npm run-script build", "npm run-script start"),
    "angular": ("src", "dist", "npm run-script build", "ng serve"),
    "vue": ("src", "dist", "npm run-script build", "npm run-script serve"),
    "ionic": ("src", "www", "npm run-script build", "npm run-script start"),
    "ember": ("src", "dist", "npm run-script build", "npm run-script start"),
    "none": ("src", "dist", "npm run-script build", "npm run-script start"),
}
DEFAULT_FRAMEWORK = "react"
DEFAULT_ANDROID_RES_DIR = "app/src/main/res"


def parse_json_argument(name: str, text: str) -> dict[str, Any]:
    """Decode one JSON argument; a syntax error names the argument and the position."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProjectError(
            f"{name}: invalid JSON at line {error.lineno} column {error.colno} (character {error.pos}): "
            f"{error.msg}. Given: {text!r}"
        ) from error
    if not isinstance(value, dict):
        raise ProjectError(f"{name}: expected a JSON object, given {text!r}")
    return value


def _check_keys(argument: str, given: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for key in given:
        if key not in allowed:
            raise ProjectError(f'{argument}: unknown key "{key}". Allowed keys: {", ".join(allowed)}')


def _string(argument: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ProjectError(f"{argument}: {key} {json.dumps(value)} is invalid: expected a string")
    return value


def _matching(argument: str, key: str, value: Any, pattern: re.Pattern[str], rule: str) -> str:
    """A string value that must match `pattern`; a refusal names the argument, key and value, then the rule."""
    value = _string(argument, key, value)
    if not pattern.match(value):
        raise ProjectError(f'{argument}: {key} "{value}" is invalid: {rule}')
    return value


def check_env_name(argument: str, value: Any) -> str:
    return _matching(argument, "envName", value, ENV_NAME, "use 2 to 10 lowercase letters")


def check_project_name(argument: str, value: Any) -> str:
    return _matching(argument, "projectName", value, PROJECT_NAME, "use 3 to 20 letters and digits (a-z, A-Z, 0-9)")


def check_editor(argument: str, value: Any) -> str:
    value = _string(argument, "defaultEditor", value)
    editor = EDITOR_ALIASES.get(value.lower(), value.lower())
    if editor not in EDITORS:
        raise ProjectError(
            f'{argument}: defaultEditor "{value}" is invalid: use one of {", ".join(EDITORS)} (or code, idea14ce)'
        )
    return editor


def check_app_id(argument: str, value: Any) -> str:
    return _matching(argument, "appId", value, APP_ID,
                     'an Amplify app id is "d" followed by 1 to 19 lowercase letters and digits')


def check_region(argument: str, value: Any) -> str:
    value = _string(argument, "region", value)
    if value not in REGIONS:
        raise ProjectError(f'{argument}: region "{value}" is invalid: use one of {", ".join(REGIONS)}')
    return value


def project_name_from_folder(folder: str) -> str:
    """The real CLI's default: the folder name without non-alphanumerics, at most 20 characters."""
    name = re.sub(r"[^a-zA-Z0-9]", "", folder)[:20]
    return name if len(name) >= 3 else "amplifyproject"


@dataclass(frozen=True)
class AmplifySettings:
    """`--amplify`: every field optional, so `configure project` can change only what is given."""

    project_name: str | None = None
    env_name: str | None = None
    default_editor: str | None = None
    app_id: str | None = None


def amplify_settings(given: dict[str, Any] | None) -> AmplifySettings:
    if not given:
        return AmplifySettings()
    argument = "--amplify"
    _check_keys(argument, given, ("projectName", "appId", "envName", "defaultEditor"))
    return AmplifySettings(
        project_name=check_project_name(argument, given["projectName"]) if "projectName" in given else None,
        env_name=check_env_name(argument, given["envName"]) if "envName" in given else None,
        default_editor=check_editor(argument, given["defaultEditor"]) if "defaultEditor" in given else None,
        app_id=check_app_id(argument, given["appId"]) if "appId" in given else None,
    )


@dataclass(frozen=True)
class FrontendSettings:
    """`--frontend`: the frontend plugin, the javascript framework and the frontend's config keys."""

    frontend: str
    framework: str | None = None
    config: dict[str, Any] = field(default_factory=dict)

    def project_config_entry(self, project_name: str) -> dict[str, Any]:
        """The `<frontend>` block of project-config.json, with defaults filled in."""
        if self.frontend == "javascript":
            framework = self.framework or DEFAULT_FRAMEWORK
            source, dist, build, start = FRAMEWORKS[framework]
            if framework == "angular":
                dist = f"dist/{project_name}"
            config = {"SourceDir": source, "DistributionDir": dist, "BuildCommand": build, "StartCommand": start}
            return {"framework": framework, "config": {**config, **self.config}}
        if self.frontend == "android":
            return {"config": {"ResDir": DEFAULT_ANDROID_RES_DIR, **self.config}}
        return {"config": dict(self.config)}


def frontend_settings(given: dict[str, Any]) -> FrontendSettings:
    argument = "--frontend"
    _check_keys(argument, given, ("frontend", "framework", "config"))
    if "frontend" not in given:
        raise ProjectError(f"{argument}: frontend is missing: use one of {', '.join(FRONTENDS)}")
    frontend = _string(argument, "frontend", given["frontend"])
    if frontend not in FRONTENDS:
        raise ProjectError(f'{argument}: frontend "{frontend}" is invalid: use one of {", ".join(FRONTENDS)}')
    framework = given.get("framework")
    if framework is not None:
        if frontend != "javascript":
            raise ProjectError(f"{argument}: framework applies to the javascript frontend only, not {frontend}")
        framework = _string(argument, "framework", framework)
        if framework not in FRAMEWORKS:
            raise ProjectError(f'{argument}: framework "{framework}" is invalid: use one of {", ".join(FRAMEWORKS)}')
    config = given.get("config", {})
    if not isinstance(config, dict):
        raise ProjectError(f"{argument}: config {json.dumps(config)} is invalid: expected a JSON object")
    allowed = {"javascript": JAVASCRIPT_CONFIG_KEYS, "android": ANDROID_CONFIG_KEYS, "ios": ()}[frontend]
    for key, value in config.items():
        if key not in allowed:
            hint = f"Allowed keys: {', '.join(allowed)}" if allowed else "the ios frontend takes no config keys"
            raise ProjectError(f'{argument}: config key "{key}" is not a {frontend} setting. {hint}')
        if key == "ServerlessContainers":
            if not isinstance(value, bool):
                raise ProjectError(f"{argument}: config.ServerlessContainers {json.dumps(value)} is invalid: use true or false")
        elif not isinstance(value, str) or not value.strip():
            raise ProjectError(f"{argument}: config.{key} {json.dumps(value)} is invalid: expected a non-empty string")
    for key in ("SourceDir", "ResDir", "DistributionDir"):
        value = config.get(key)
        if isinstance(value, str) and ((value.startswith(("/", "~")) and value != "/") or ".." in value.split("/")):
            raise ProjectError(f'{argument}: config.{key} "{value}" is invalid: use a path inside the project folder')
    return FrontendSettings(frontend, framework, dict(config))


@dataclass(frozen=True)
class AwsSettings:
    """`--providers` awscloudformation: where the credentials come from. Secrets stay out of the project."""

    config_level: str = "project"
    use_profile: bool = True
    profile_name: str | None = "default"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None


PROVIDER_KEYS = ("configLevel", "useProfile", "profileName", "accessKeyId", "secretAccessKey", "region")


def aws_settings(given: dict[str, Any]) -> AwsSettings:
    """Normalise as the real provider does: configLevel defaults to project; useProfile defaults to false."""
    argument = "--providers"
    for key in given:
        if key not in PROVIDER_ALIASES:
            raise ProjectError(f'{argument}: unknown provider "{key}". Use {PROVIDER_NAME} (the only provider)')
    if len(given) > 1:
        raise ProjectError(f"{argument}: give the {PROVIDER_NAME} provider once, found {', '.join(given)}")
    if not given:
        raise ProjectError(f"{argument}: {PROVIDER_NAME} is missing")
    name, config = next(iter(given.items()))
    argument = f"--providers: {name}"
    if not isinstance(config, dict):
        raise ProjectError(f"{argument} {json.dumps(config)} is invalid: expected a JSON object")
    _check_keys(argument, config, PROVIDER_KEYS)
    level = config.get("configLevel", "project")
    if level not in ("project", "general"):
        raise ProjectError(f'{argument}: configLevel {json.dumps(level)} is invalid: use "project" or "general"')
    region = check_region(argument, config["region"]) if "region" in config else None
    if level == "general":
        return AwsSettings(config_level="general", use_profile=False, profile_name=None, region=region)
    use_profile = config.get("useProfile", False)
    if not isinstance(use_profile, bool):
        raise ProjectError(f"{argument}: useProfile {json.dumps(use_profile)} is invalid: use true or false")
    if use_profile:
        profile = config.get("profileName")
        if not isinstance(profile, str) or not profile.strip():
            raise ProjectError(f"{argument}: useProfile is true but profileName is missing: name an AWS profile")
        return AwsSettings(profile_name=profile, region=region)
    missing = [key for key in ("accessKeyId", "secretAccessKey", "region") if not config.get(key)]
    if missing:
        raise ProjectError(
            f"{argument}: useProfile is false but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            "missing: give accessKeyId, secretAccessKey and region, or useProfile true with profileName"
        )
    return AwsSettings(
        use_profile=False,
        profile_name=None,
        access_key_id=_string(argument, "accessKeyId", config["accessKeyId"]),
        secret_access_key=_string(argument, "secretAccessKey", config["secretAccessKey"]),
        region=region,
    )


def categories_settings(given: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """`--categories`: per-env parameters of the project's resources, {category: {resource: {name: value}}}."""
    for category, resources in given.items():
        if not isinstance(resources, dict):
            raise ProjectError(f"--categories: {category} {json.dumps(resources)} is invalid: expected {{resource: {{parameter: value}}}}")
        for resource, parameters in resources.items():
            if not isinstance(parameters, dict):
                raise ProjectError(
                    f"--categories: {category}.{resource} {json.dumps(parameters)} is invalid: expected {{parameter: value}}"
                )
    return given


CODEGEN_KEYS = ("generateCode", "codeLanguage", "fileNamePattern", "generatedFileName", "generateDocs", "maxDepth")


def check_codegen(given: dict[str, Any]) -> None:
    """`--codegen` (the real CLI's code generation answers): checked; there is no API to generate for at init."""
    _check_keys("--codegen", given, CODEGEN_KEYS)
    for key in ("generateCode", "generateDocs"):
        if key in given and not isinstance(given[key], bool):
            raise ProjectError(f"--codegen: {key} {json.dumps(given[key])} is invalid: use true or false")
