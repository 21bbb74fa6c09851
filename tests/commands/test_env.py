"""`amplify env`: list, add, checkout, get and remove local environments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_local import cli


def test_list_marks_the_current_environment(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["env", "list"]) == 0
    assert capsys.readouterr().out == "\n| Environments |\n| ------------ |\n| *dev         |\n\n"
    assert cli.main(["env", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"envs": ["dev"]}


def test_add_copies_the_current_credentials_source_and_checks_out(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["env", "add", "prod"]) == 0
    assert initialised.json("amplify/.config/local-env-info.json")["envName"] == "prod"
    assert initialised.json("amplify/.config/local-aws-info.json")["prod"] == {
        "configLevel": "project", "useProfile": True, "profileName": "default",
    }
    assert set(initialised.json("amplify/team-provider-info.json")) == {"dev", "prod"}
    capsys.readouterr()
    assert cli.main(["env", "list"]) == 0
    assert "| dev          |\n| *prod        |" in capsys.readouterr().out


def test_add_with_its_own_providers(initialised) -> None:
    providers = '{"awscloudformation": {"useProfile": true, "profileName": "staging", "region": "eu-central-1"}}'
    assert cli.main(["env", "add", "--name", "staging", "--providers", providers]) == 0
    assert initialised.json("amplify/team-provider-info.json")["staging"] == {"awscloudformation": {"Region": "eu-central-1"}}
    assert initialised.json("amplify/backend/amplify-meta.json")["providers"]["awscloudformation"]["Region"] == "eu-central-1"
    assert '"eu-central-1"' in (initialised.project / "src/aws-exports.js").read_text()


def test_checkout_restores_the_env_values(initialised) -> None:
    providers = '{"awscloudformation": {"useProfile": true, "profileName": "p", "region": "sa-east-1"}}'
    assert cli.main(["env", "add", "other", "--providers", providers]) == 0
    assert cli.main(["env", "checkout", "dev"]) == 0
    assert initialised.json("amplify/.config/local-env-info.json")["envName"] == "dev"
    assert initialised.json("amplify/backend/amplify-meta.json")["providers"]["awscloudformation"] == {"Region": "us-east-1"}
    assert '"us-east-1"' in (initialised.project / "src/aws-exports.js").read_text()


def test_get(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["env", "get", "--name", "dev", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"awscloudformation": {"Region": "us-east-1"}}
    assert cli.main(["env", "get", "--name", "nope"]) == 1
    assert "--name: give an existing environment (dev), given 'nope'" in capsys.readouterr().err


def test_remove_another_environment_and_its_secrets(initialised) -> None:
    keys = '{"awscloudformation": {"useProfile": false, "accessKeyId": "a", "secretAccessKey": "b", "region": "us-east-2"}}'
    assert cli.main(["env", "add", "keys", "--providers", keys]) == 0
    secrets = initialised.json("amplify/.config/local-aws-info.json")["keys"]["awsConfigFilePath"]
    assert cli.main(["env", "checkout", "dev"]) == 0
    assert cli.main(["env", "remove", "keys", "--yes"]) == 0
    assert set(initialised.json("amplify/team-provider-info.json")) == {"dev"}
    assert "keys" not in initialised.json("amplify/.config/local-aws-info.json")
    assert not Path(secrets).exists()


def test_refusals(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["env", "add", "Prod"], 'amplify env add: NAME: envName "Prod" is invalid: use 2 to 10 lowercase letters'),
        (["env", "add", "dev"], 'amplify env add: Environment "dev" already exists. Use "amplify env checkout dev".'),
        (["env", "add"], "amplify env add: give the new environment's name: amplify env add NAME"),
        (["env", "checkout", "qa"], 'amplify env checkout: Environment "qa" does not exist (environments: dev). Use "amplify env add".'),
        (["env", "remove", "dev"], 'amplify env remove: "dev" is the current environment; check out another one before removing it'),
        (["env", "remove", "qa"], 'amplify env remove: Environment "qa" does not exist (environments: dev)'),
        (["env", "checkout"], "amplify env checkout: give the environment to check out: amplify env checkout NAME"),
        (["env", "remove"], "amplify env remove: give the environment to remove: amplify env remove NAME"),
    ]
    for argv, message in cases:
        assert cli.main(argv) == 1, argv
        assert capsys.readouterr().err.strip() == message
    assert cli.main(["env", "pull"]) == 2
    assert 'unknown subcommand "pull"' in capsys.readouterr().err
    assert cli.main(["env"]) == 2


def test_import_refusals(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["env", "import", "--name", "dev", "--config", "{}"],
         'amplify env import: --name: environment "dev" already exists; remove it first to import it again'),
        (["env", "import", "--name", "qa"], "amplify env import: --config is missing"),
        (["env", "import", "--name", "qa", "--config", '{"awscloudformation": {}}'],
         'amplify env import: --config: expected {"awscloudformation": {"Region": ..., ...}}, given {"awscloudformation": {}}'),
        (["env", "import", "--name", "qa", "--config", '{"awscloudformation": {"Region": "moon-1"}}'],
         'region "moon-1" is invalid'),
        (["env", "import", "--name", "Q A", "--config", "{}"], '--name: envName "Q A" is invalid'),
    ]
    for argv, message in cases:
        assert cli.main(argv) == 1, argv
        assert message in capsys.readouterr().err
    assert set(initialised.json("amplify/team-provider-info.json")) == {"dev"}


def test_a_checkout_without_local_env_info_has_no_current_env(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh clone (local-env-info.json is git-ignored): commands that need the current env say to run init."""
    (initialised.project / "amplify/.config/local-env-info.json").unlink()
    assert cli.main(["env", "list"]) == 1
    assert capsys.readouterr().err == (
        f"amplify env list: {initialised.project}: this checkout has no environment yet "
        '(amplify/.config/local-env-info.json is missing, as in a fresh clone). Run "amplify init" to set it up.\n'
    )


def test_remove_asks_on_a_terminal_and_needs_yes_without_one(initialised) -> None:
    """As `amplify remove`: a terminal is asked (no unless y), no terminal and no --yes is refused naming --yes."""
    assert cli.main(["env", "add", "qa"]) == 0
    assert cli.main(["env", "checkout", "dev"]) == 0
    refused = initialised.run("env", "remove", "qa")
    assert refused.returncode == 1
    assert refused.stderr == 'amplify env remove: there is no terminal to confirm on; add --yes to remove environment "qa"\n'
    kept = initialised.on_a_terminal(b"n\n", "env", "remove", "qa")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout == ('? Remove environment "qa" and its local settings and credentials? This cannot be undone. '
                           "(y/N) Nothing removed.\n")
    assert set(initialised.json("amplify/team-provider-info.json")) == {"dev", "qa"}
    removed = initialised.on_a_terminal(b"y\n", "env", "remove", "qa")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.endswith('Environment "qa" removed from this project.\n')
    assert set(initialised.json("amplify/team-provider-info.json")) == {"dev"}
    assert "qa" not in initialised.json("amplify/.config/local-aws-info.json")
