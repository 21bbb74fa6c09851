"""Project credentials for the awscloudformation provider, kept out of the project folder.

The project's `amplify/.config/local-aws-info.json` records only how to find credentials: a profile
name, or (for access keys) the path of a secrets file under `~/.amplify/awscloudformation/`, written
with mode 0600, exactly where the real CLI puts it. Nothing here talks to AWS.
"""

from __future__ import annotations

import configparser
import os
import secrets
import string
from pathlib import Path
from typing import Any

from amplify_local.project.files import ProjectError, write_json
from amplify_local.project.settings import AwsSettings
from amplify_local.provider.regions import DEFAULT_REGION

SECRET_FILE_MODE = 0o600


def home() -> Path:
    """The user's home, from HOME first so tests and CI can point it at a temp folder."""
    return Path(os.environ.get("HOME") or Path.home())


def secrets_dir() -> Path:
    return home() / ".amplify" / "awscloudformation"


def local_aws_info_entry(settings: AwsSettings) -> dict[str, Any]:
    """The env's entry in local-aws-info.json; access keys go to a 0600 file whose path is recorded."""
    if settings.config_level == "general":
        return {"configLevel": "general"}
    if settings.use_profile:
        return {"configLevel": "project", "useProfile": True, "profileName": settings.profile_name}
    folder = secrets_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    alphabet = string.ascii_lowercase + string.digits
    path = folder / "".join(secrets.choice(alphabet) for _ in range(10))
    write_json(
        path,
        {
            "accessKeyId": settings.access_key_id,
            "secretAccessKey": settings.secret_access_key,
            "region": settings.region,
        },
        mode=SECRET_FILE_MODE,
    )
    return {"configLevel": "project", "useProfile": False, "awsConfigFilePath": str(path)}


def forget_secrets(entry: dict[str, Any]) -> None:
    """Remove the secrets file an old local-aws-info entry points at (only files in our secrets folder)."""
    path = entry.get("awsConfigFilePath")
    if isinstance(path, str) and Path(path).parent == secrets_dir():
        Path(path).unlink(missing_ok=True)


def _aws_files() -> tuple[Path, Path]:
    """The shared credentials and config files (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE honoured)."""
    return (Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or home() / ".aws" / "credentials"),
            Path(os.environ.get("AWS_CONFIG_FILE") or home() / ".aws" / "config"))


def _read_ini(path: Path) -> configparser.RawConfigParser:
    """An AWS ini file (a missing one is empty); a malformed one is a ProjectError naming it, never skipped."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        raise ProjectError(f"{path}: cannot be read as an AWS config file: {error}") from error
    return parser


def _config_section(profile: str) -> str:
    return profile if profile == "default" else f"profile {profile}"


def profile_region(profile: str) -> str | None:
    """The region of a named profile in the AWS shared config file."""
    return _read_ini(_aws_files()[1]).get(_config_section(profile), "region", fallback=None)


def profile_exists(profile: str) -> bool:
    """Whether the profile is named in ~/.aws/credentials or ~/.aws/config (push needs it; init does not)."""
    credentials, config_file = _aws_files()
    return _read_ini(credentials).has_section(profile) or _read_ini(config_file).has_section(_config_section(profile))


def resolve_region(settings: AwsSettings) -> str:
    """The env's region: as given, else the profile's, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1."""
    if settings.region:
        return settings.region
    if settings.use_profile and settings.profile_name:
        region = profile_region(settings.profile_name)
        if region:
            return region
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION

