"""The CLI shell: version, help, unknown and unavailable commands, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from amplify_local import __version__
from amplify_local.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "amplify_local", *args], capture_output=True, text=True)


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == __version__


def test_help_lists_every_real_cli_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help"]) == 0
    out = capsys.readouterr().out
    for name in ("init", "configure", "pull", "push", "publish", "status", "env", "add", "remove", "mock",
                 "api", "plugin", "codegen"):
        assert f"  {name} " in out


def test_unknown_command_names_the_closest_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stauts"]) == 2
    assert 'Did you mean "amplify status"?' in capsys.readouterr().err


def test_unavailable_command_says_so_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["push"]) == 2
    assert capsys.readouterr().err == (
        "amplify push: not available yet in amplify-local (deploying to AWS through CloudFormation). The local "
        "commands are init, configure, env, status, add, remove, api, mock and evaluate-mapping-template.\n")


def test_version_and_help_do_not_import_the_server_stack() -> None:
    probe = (
        "import sys; from amplify_local.cli import main; main(['--version']); main(['help']);"
        "heavy = [m for m in ('starlette', 'uvicorn', 'graphql', 'boto3', 'airspeed', 'httpx') if m in sys.modules];"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_help_for_a_command_shows_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("init", "configure", "env", "status", "add", "remove"):
        assert main(["help", name]) == 0
        assert f"usage: amplify {name}" in capsys.readouterr().out


def test_every_command_that_exists_has_its_module() -> None:
    import importlib.util

    from amplify_local.commands import COMMANDS

    for command in COMMANDS:
        if command.module in ("init", "configure", "env", "status", "add", "remove", "mock"):
            assert importlib.util.find_spec(f"amplify_local.commands.{command.module}") is not None
