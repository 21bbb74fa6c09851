"""Option parsing of the headless commands, the questions asked for missing values, and the table."""

from __future__ import annotations

import io
import sys

import pytest

from amplify_local.project.files import ProjectError
from amplify_local.project.headless import (
    Asker,
    confirmed,
    help_answer,
    markdown_table,
    parse_options,
    run_command,
    run_only_subcommand,
    table,
)


def test_json_options_inline_or_separate_and_short_yes() -> None:
    options = parse_options("init", ["--amplify={\"envName\": \"qa\"}", "--frontend", '{"frontend": "ios"}', "-y"])
    assert options.json == {"--amplify": {"envName": "qa"}, "--frontend": {"frontend": "ios"}}
    assert options.yes


def test_a_value_containing_spaces_arrives_intact() -> None:
    options = parse_options("init", ["--frontend", '{"frontend": "javascript", "config": {"BuildCommand": "npm run build"}}'])
    assert options.json["--frontend"]["config"]["BuildCommand"] == "npm run build"


def test_interactive_questions_retry_until_valid(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["Bad Name", "qa"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))

    def check(text: str) -> str:
        if not text.islower():
            raise ProjectError(f"{text!r} is invalid")
        return text

    assert Asker("init", yes=False, interactive=True).value("--amplify", "envName", "Env?", "dev", check) == "qa"
    assert "'Bad Name' is invalid" in capsys.readouterr().err


def test_an_empty_answer_takes_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "")
    assert Asker("init", yes=False, interactive=True).value("--amplify", "envName", "Env?", "dev", str) == "dev"


def test_yes_never_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))
    assert Asker("init", yes=True, interactive=True).value("--amplify", "envName", "Env?", "dev", str) == "dev"


class Terminal(io.StringIO):
    """Typed answers on a stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("typed", "expected"), [("y\n", True), ("YES\n", True), ("\n", False), ("n\n", False), ("", False)])
def test_confirmation_on_a_terminal_is_no_unless_yes(monkeypatch: pytest.MonkeyPatch, typed: str, expected: bool) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(typed))
    assert confirmed("env remove", False, "Remove?", 'remove environment "qa"') is expected


def test_confirmation_with_yes_or_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # piped input is not an answer
    assert confirmed("env remove", True, "Remove?", 'remove environment "qa"')
    with pytest.raises(ProjectError) as refused:
        confirmed("env remove", False, "Remove?", 'remove environment "qa"')
    assert str(refused.value) == 'amplify env remove: there is no terminal to confirm on; add --yes to remove environment "qa"'


def test_run_command_reports_refusals_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    def body() -> int:
        raise ProjectError("--amplify: bad")

    assert run_command("init", body) == 1
    assert capsys.readouterr().err == "amplify init: --amplify: bad\n"


def test_box_table_separates_every_row() -> None:
    assert table([["A", "Long header"], ["value", "x"], ["v2", "y"]]) == (
        "┌───────┬─────────────┐\n"
        "│ A     │ Long header │\n"
        "├───────┼─────────────┤\n"
        "│ value │ x           │\n"
        "├───────┼─────────────┤\n"
        "│ v2    │ y           │\n"
        "└───────┴─────────────┘"
    )
    assert table([["A", "B"]]) == "┌───┬───┐\n│ A │ B │\n└───┴───┘"


def test_markdown_table() -> None:
    assert markdown_table([["Environments"], ["*dev"], ["prod"]]) == (
        "| Environments |\n| ------------ |\n| *dev         |\n| prod         |"
    )


def test_only_subcommand_help_refusal_and_body(capsys: pytest.CaptureFixture[str]) -> None:
    def run(argv: list[str]) -> int:
        return run_only_subcommand("add", "api", argv, "HELP", "amplify add api --headless", body)

    def body(rest: list[str]) -> int:
        if rest == ["--bad"]:
            raise ProjectError("--bad is not an option")
        print(f"body {rest}")
        return 0

    assert [run([]), run(["--help"]), run(["api", "-h"])] == [2, 0, 0]
    assert capsys.readouterr().out == "HELP\nHELP\nHELP\n"
    assert run(["storage"]) == 2
    assert capsys.readouterr().err == 'amplify add storage: not available yet in amplify-local; ' \
                                      '"amplify add api --headless" is.\n'
    assert run(["api", "--headless"]) == 0
    assert capsys.readouterr().out == "body ['--headless']\n"
    assert run(["api", "--bad"]) == 1
    assert capsys.readouterr().err == "amplify add api: --bad is not an option\n"


def test_help_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert [help_answer(["-h"], "USAGE"), help_answer(["--help", "x"], "USAGE")] == [0, 0]
    assert help_answer([], "USAGE", needs_argument=True) == 2
    assert capsys.readouterr().out == "USAGE\nUSAGE\nUSAGE\n"
    assert [help_answer([], "USAGE"), help_answer(["list", "--help"], "USAGE", needs_argument=True)] == [None, None]
    assert capsys.readouterr().out == ""
