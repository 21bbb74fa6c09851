"""The state files init writes and the environment operations on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_local.project.files import ProjectError
from amplify_local.project.paths import ProjectPaths
from amplify_local.project.settings import AwsSettings, FrontendSettings
from amplify_local.project.state import (
    NewProject,
    add_environment,
    build_project_config,
    checkout_environment,
    current_env,
    meta_from_backend_config,
    write_new_amplify_folder,
)


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    project = NewProject("shop", "dev", "vscode", None, FrontendSettings("javascript"), AwsSettings())
    paths = ProjectPaths.at(tmp_path / "shop")
    entry = {"configLevel": "project", "useProfile": True, "profileName": "default"}
    write_new_amplify_folder(paths, project, "us-west-1", entry, None)
    return paths


def test_project_config_for_each_frontend() -> None:
    assert build_project_config("shop", FrontendSettings("ios")) == {
        "projectName": "shop", "version": "3.1", "frontend": "ios", "ios": {"config": {}}, "providers": ["awscloudformation"],
    }


def test_meta_of_unpushed_resources_is_the_backend_config_under_the_providers() -> None:
    config = {"api": {"a": {"service": "AppSync"}}}
    meta = meta_from_backend_config(config, {"Region": "us-east-1"})
    assert meta == {"providers": {"awscloudformation": {"Region": "us-east-1"}}, "api": {"a": {"service": "AppSync"}}}
    meta["api"]["a"]["output"] = {}
    assert config == {"api": {"a": {"service": "AppSync"}}}


def test_add_and_checkout(paths) -> None:
    add_environment(paths, "prod", AwsSettings(profile_name="prod", region="eu-west-3"))
    assert current_env(paths) == "prod"
    meta = json.loads(paths.amplify_meta.read_text())
    assert meta["providers"]["awscloudformation"] == {"Region": "eu-west-3"}
    checkout_environment(paths, "dev")
    assert current_env(paths) == "dev"
    assert json.loads(paths.amplify_meta.read_text())["providers"]["awscloudformation"] == {"Region": "us-west-1"}
    assert '"us-west-1"' in (paths.root / "src/aws-exports.js").read_text()


def test_a_new_env_inherits_the_app_id(paths) -> None:
    team = json.loads(paths.team_provider_info.read_text())
    team["dev"]["awscloudformation"]["AmplifyAppId"] = "dxyz"
    paths.team_provider_info.write_text(json.dumps(team))
    add_environment(paths, "qa", None)
    assert json.loads(paths.team_provider_info.read_text())["qa"] == {
        "awscloudformation": {"Region": "us-west-1", "AmplifyAppId": "dxyz"}
    }


def test_refusals(paths) -> None:
    with pytest.raises(ProjectError, match='Environment "dev" already exists'):
        add_environment(paths, "dev", None)
    with pytest.raises(ProjectError, match=r'Environment "qa" does not exist \(environments: dev\)'):
        checkout_environment(paths, "qa")
    paths.local_env_info.write_text("{}")
    with pytest.raises(ProjectError, match="envName is missing"):
        current_env(paths)


def test_a_new_env_starts_from_the_current_env_resource_parameters(paths) -> None:
    team = json.loads(paths.team_provider_info.read_text())
    team["dev"]["categories"] = {"function": {"fn": {"greeting": "hello"}}}
    paths.team_provider_info.write_text(json.dumps(team))
    add_environment(paths, "qa", None)
    assert json.loads(paths.team_provider_info.read_text())["qa"]["categories"] == {"function": {"fn": {"greeting": "hello"}}}


def test_a_fresh_clone_has_no_current_env(paths) -> None:
    paths.local_env_info.unlink()
    with pytest.raises(ProjectError, match=r'this checkout has no environment yet .* Run "amplify init" to set it up\.'):
        current_env(paths)
