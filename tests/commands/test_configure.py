"""`amplify configure project`: the seed's sample script verbatim, and only what is given changes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from amplify_local import cli


def test_seed_configure_script_after_seed_init(sandbox) -> None:
    assert sandbox.script("headless_init_new_project.sh").returncode == 0
    before = {name: sandbox.json(name) for name in (
        "amplify/team-provider-info.json", "amplify/backend/amplify-meta.json", "amplify/backend/backend-config.json",
    )}
    result = sandbox.script("headless_configure_project.sh")
    assert result.returncode == 0, result.stderr
    assert sandbox.json("amplify/.config/project-config.json") == {
        "projectName": "headlessProjectName",
        "version": "3.1",
        "frontend": "javascript",
        "javascript": {
            "framework": "react",
            "config": {
                "SourceDir": "src",
                "DistributionDir": "build",
                "BuildCommand": "npm run-script build",
                "StartCommand": "npm run-script start",
                "ServerlessContainers": False,
            },
        },
        "providers": ["awscloudformation"],
    }
    assert sandbox.json("amplify/.config/local-env-info.json") == {
        "projectPath": str(sandbox.project), "defaultEditor": "vscode", "envName": "dev",
    }
    # useProfile true: the profile is used and the access keys are ignored, as the real CLI does.
    assert sandbox.json("amplify/.config/local-aws-info.json") == {
        "dev": {"configLevel": "project", "useProfile": True, "profileName": "default"}
    }
    for name, value in before.items():
        assert sandbox.json(name) == value
    for path in [*sandbox.project.rglob("*"), *sandbox.home.rglob("*")]:
        if path.is_file():
            assert "headlesssecrectaccesskey" not in path.read_text(), path
    assert '"aws_project_region": "us-east-1"' in (sandbox.project / "src/aws-exports.js").read_text()


def test_only_the_given_config_key_changes(initialised) -> None:
    assert cli.main(["configure", "project", "--frontend", '{"config": {"SourceDir": "app"}}']) == 0
    config = initialised.json("amplify/.config/project-config.json")["javascript"]
    assert config == {
        "framework": "react",
        "config": {
            "SourceDir": "app", "DistributionDir": "build",
            "BuildCommand": "npm run-script build", "StartCommand": "npm run-script start",
        },
    }
    assert (initialised.project / "app/aws-exports.js").is_file()
    assert initialised.json("amplify/.config/project-config.json")["projectName"] == "demoproj"


def test_a_new_framework_starts_from_its_defaults(initialised) -> None:
    assert cli.main(["configure", "project", "--frontend", '{"frontend": "javascript", "framework": "vue"}']) == 0
    assert initialised.json("amplify/.config/project-config.json")["javascript"]["config"]["StartCommand"] == (
        "npm run-script serve"
    )


def test_switching_frontend(initialised) -> None:
    assert cli.main(["configure", "project", "--frontend", '{"frontend": "ios"}']) == 0
    config = initialised.json("amplify/.config/project-config.json")
    assert config["frontend"] == "ios"
    assert "javascript" not in config
    assert (initialised.project / "amplifyconfiguration.json").is_file()


def test_project_name_and_editor(initialised) -> None:
    assert cli.main(["configure", "project", "--amplify", '{"projectName": "renamed", "defaultEditor": "idea14ce"}']) == 0
    assert initialised.json("amplify/.config/project-config.json")["projectName"] == "renamed"
    assert initialised.json("amplify/.config/local-env-info.json")["defaultEditor"] == "intellij"


def test_switching_to_access_keys_and_back_forgets_the_secrets_file(initialised) -> None:
    keys = {"awscloudformation": {"useProfile": False, "accessKeyId": "AK", "secretAccessKey": "SK", "region": "eu-west-1"}}
    assert cli.main(["configure", "project", "--providers", json.dumps(keys)]) == 0
    entry = initialised.json("amplify/.config/local-aws-info.json")["dev"]
    secrets = Path(entry["awsConfigFilePath"])
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert initialised.json("amplify/team-provider-info.json")["dev"]["awscloudformation"]["Region"] == "eu-west-1"
    assert initialised.json("amplify/backend/amplify-meta.json")["providers"]["awscloudformation"]["Region"] == "eu-west-1"
    assert '"aws_project_region": "eu-west-1"' in (initialised.project / "src/aws-exports.js").read_text()
    profile = '{"awscloudformation": {"useProfile": true, "profileName": "work"}}'
    assert cli.main(["configure", "project", "--providers", profile]) == 0
    assert not secrets.exists()
    assert initialised.json("amplify/.config/local-aws-info.json")["dev"] == {
        "configLevel": "project", "useProfile": True, "profileName": "work",
    }


def test_app_id(initialised) -> None:
    assert cli.main(["configure", "project", "--amplify", '{"appId": "dabc123"}']) == 0
    assert initialised.json("amplify/team-provider-info.json")["dev"]["awscloudformation"]["AmplifyAppId"] == "dabc123"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "amplify configure project: nothing to change: give --amplify, --frontend or --providers (see --help)"),
        (["--amplify", '{"envName": "prod"}'],
         'amplify configure project: --amplify: envName "prod" cannot be changed here; use "amplify env checkout prod"'),
        (["--frontend", '{"config": {"SourceDir": 5}}'], "--frontend: config.SourceDir 5 is invalid: expected a non-empty string"),
        (["--providers", '{"awscloudformation": {"useProfile": false}}'], "useProfile is false but accessKeyId, secretAccessKey, region are missing"),
        (["--amplify", '{"projectName": "x"}'], 'projectName "x" is invalid'),
    ],
)
def test_refusals_leave_the_project_as_it_was(initialised, capsys: pytest.CaptureFixture[str], argv, message) -> None:
    before = {path: path.read_bytes() for path in initialised.project.rglob("*") if path.is_file()}
    assert cli.main(["configure", "project", *argv]) == 1
    assert message in capsys.readouterr().err
    assert {path: path.read_bytes() for path in initialised.project.rglob("*") if path.is_file()} == before


def test_outside_a_project(sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["configure", "project", "--amplify", '{"projectName": "abc"}']) == 1
    assert "No Amplify project found in" in capsys.readouterr().err


def test_other_configure_targets_are_not_available(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["configure", "codegen"]) == 2
    assert "not available yet" in capsys.readouterr().err
    assert cli.main(["configure"]) == 2
    assert cli.main(["configure", "project", "--help"]) == 0
