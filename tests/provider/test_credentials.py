"""Credentials stay out of the project: profile entries, 0600 secrets files under ~/.amplify, regions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from amplify_local.project.files import ProjectError
from amplify_local.project.settings import AwsSettings
from amplify_local.provider import credentials


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    for key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    return tmp_path


def test_profile_and_general_entries_write_no_file(home: Path) -> None:
    assert credentials.local_aws_info_entry(AwsSettings(profile_name="p")) == {
        "configLevel": "project", "useProfile": True, "profileName": "p",
    }
    assert credentials.local_aws_info_entry(AwsSettings(config_level="general")) == {"configLevel": "general"}
    assert not (home / ".amplify").exists()


def test_access_keys_file(home: Path) -> None:
    settings = AwsSettings(use_profile=False, profile_name=None, access_key_id="a", secret_access_key="b", region="us-east-2")
    entry = credentials.local_aws_info_entry(settings)
    path = home / ".amplify" / "awscloudformation" / entry["awsConfigFilePath"].rsplit("/", 1)[1]
    assert entry == {"configLevel": "project", "useProfile": False, "awsConfigFilePath": str(path)}
    assert json.loads(path.read_text()) == {"accessKeyId": "a", "secretAccessKey": "b", "region": "us-east-2"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    credentials.forget_secrets(entry)
    assert not path.exists()


def test_forget_only_touches_our_secrets_folder(home: Path) -> None:
    elsewhere = home / "keep.json"
    elsewhere.write_text("{}")
    credentials.forget_secrets({"awsConfigFilePath": str(elsewhere)})
    assert elsewhere.exists()


def test_region_precedence(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text("[profile work]\nregion = ca-central-1\n")
    assert credentials.resolve_region(AwsSettings(profile_name="work", region="eu-west-1")) == "eu-west-1"
    assert credentials.resolve_region(AwsSettings(profile_name="work")) == "ca-central-1"
    assert credentials.resolve_region(AwsSettings(profile_name="other")) == "us-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-east-1")
    assert credentials.resolve_region(AwsSettings(profile_name="other")) == "ap-east-1"
    assert credentials.profile_exists("work")
    assert not credentials.profile_exists("other")


def test_aws_config_file_is_honoured(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = home / "custom-config"
    config.write_text("[default]\nregion = me-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert credentials.profile_region("default") == "me-south-1"


@pytest.mark.parametrize("name", ["credentials", "config"])
def test_a_malformed_aws_file_is_named_not_skipped(home: Path, name: str) -> None:
    path = home / ".aws" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("region = us-east-1\n")  # a key before any [section]
    with pytest.raises(ProjectError) as caught:
        credentials.profile_exists("dev")
    assert str(caught.value).startswith(f"{path}: cannot be read as an AWS config file: File contains no section headers.")
