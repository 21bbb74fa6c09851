"""`.env` parsing and template variable resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_local import cfn
from amplify_local.mock.lambda_runner.environment import DotenvError, read_dotenv, resolve_variables


def test_dotenv_forms(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# comment\n\nPLAIN=value\nexport EXPORTED=yes\nSPACED = around \nDOUBLE=\"a\\nb\"\n"
        "SINGLE='keep $HOME \\n'\nTRAILING=value # comment\nEMPTY=\n")
    assert read_dotenv(path) == {
        "PLAIN": "value", "EXPORTED": "yes", "SPACED": "around", "DOUBLE": "a\nb",
        "SINGLE": "keep $HOME \\n", "TRAILING": "value", "EMPTY": "",
    }


def test_dotenv_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("OK=1\n1BAD=2\n")
    with pytest.raises(DotenvError, match=r"\.env:2: expected KEY=value"):
        read_dotenv(path)


def test_resolve_variables_renders_text_and_drops_no_value() -> None:
    scope = cfn.Scope(parameters={"flag": True, "count": 3})
    resolved, warnings = resolve_variables(
        {"FLAG": {"Ref": "flag"}, "COUNT": {"Ref": "count"}, "GONE": {"Ref": "AWS::NoValue"},
         "MISSING": {"Ref": "nope"}, "LITERAL": 5}, scope, "template.json")
    assert resolved == {"FLAG": "true", "COUNT": "3", "LITERAL": "5"}
    assert len(warnings) == 1 and warnings[0].startswith("template.json: environment variable MISSING is left unset")
