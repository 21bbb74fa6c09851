"""The headless parameters' rules: names, aliases, frontend defaults, provider normalisation."""

from __future__ import annotations

import pytest

from amplify_local.project import settings
from amplify_local.project.files import ProjectError


@pytest.mark.parametrize(
    ("folder", "name"),
    [("my-app_2", "myapp2"), ("a" * 30, "a" * 20), ("x-", "amplifyproject"), ("Shop", "Shop")],
)
def test_project_name_from_folder(folder, name) -> None:
    assert settings.project_name_from_folder(folder) == name


def test_editor_aliases() -> None:
    assert settings.check_editor("--amplify", "code") == "vscode"
    assert settings.check_editor("--amplify", "IDEA14CE") == "intellij"
    assert settings.check_editor("--amplify", "none") == "none"


def test_amplify_settings_keeps_only_what_is_given() -> None:
    assert settings.amplify_settings(None) == settings.AmplifySettings()
    assert settings.amplify_settings({"envName": "qa"}) == settings.AmplifySettings(env_name="qa")


def test_frontend_entry_merges_given_config_over_framework_defaults() -> None:
    frontend = settings.frontend_settings({"frontend": "javascript", "framework": "ionic", "config": {"SourceDir": "app"}})
    assert frontend.project_config_entry("shop") == {
        "framework": "ionic",
        "config": {"SourceDir": "app", "DistributionDir": "www", "BuildCommand": "npm run-script build",
                   "StartCommand": "npm run-script start"},
    }


def test_provider_aliases_and_levels() -> None:
    assert settings.aws_settings({"aws": {"useProfile": True, "profileName": "p"}}) == settings.AwsSettings(profile_name="p")
    assert settings.aws_settings({"awscloudformation": {"configLevel": "general"}}) == settings.AwsSettings(
        config_level="general", use_profile=False, profile_name=None
    )
    keys = settings.aws_settings({"cfn": {"accessKeyId": "a", "secretAccessKey": "b", "region": "us-west-2"}})
    assert (keys.use_profile, keys.access_key_id, keys.region) == (False, "a", "us-west-2")


def test_provider_given_twice_is_refused() -> None:
    with pytest.raises(ProjectError, match="give the awscloudformation provider once, found aws, cfn"):
        settings.aws_settings({"aws": {}, "cfn": {}})


def test_json_argument_position() -> None:
    with pytest.raises(ProjectError) as error:
        settings.parse_json_argument("--frontend", '{"frontend": javascript}')
    assert str(error.value).startswith("--frontend: invalid JSON at line 1 column 14 (character 13): Expecting value.")
