"""`evaluate-mapping-template`: the EvaluateMappingTemplate response, through the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from amplify_local.commands.evaluate_mapping_template import main


def _files(tmp_path: Path, template: str, context: object) -> list[str]:
    (tmp_path / "t.vtl").write_text(template)
    (tmp_path / "ctx.json").write_text(context if isinstance(context, str) else json.dumps(context))
    return ["--template", str(tmp_path / "t.vtl"), "--context", str(tmp_path / "ctx.json")]


def test_renders_with_the_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = _files(tmp_path, '$util.log.info("hi")$util.qr($ctx.stash.put("k", 1))'
                            '{"id": $util.toJson($ctx.args.id), "field": "$ctx.info.fieldName", "who": "$util.authType()"}',
                  {"arguments": {"id": "a1"}, "info": {"fieldName": "getPost", "parentTypeName": "Query"},
                   "identity": {"sub": "s", "issuer": "https://cognito-idp.us-east-1.amazonaws.com/p", "claims": {}}})
    assert main(argv) == 0
    response = json.loads(capsys.readouterr().out)
    assert json.loads(response["evaluationResult"]) == {"id": "a1", "field": "getPost", "who": "User Pool Authorization"}
    assert response["logs"] == ["INFO - hi"] and json.loads(response["stash"]) == {"k": 1}
    assert json.loads(response["outErrors"]) == []


def test_template_error_reports_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_files(tmp_path, '{\n  "a": $util.toJson($ctx.args\n}', {})) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["line"] == 2 and error["column"] > 0 and "Parse error" in error["message"]


def test_util_error_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_files(tmp_path, '$util.appendError("soft")$util.error("Boom", "Custom")', {})) == 1
    response = json.loads(capsys.readouterr().out)
    assert response["error"] == {"message": "Boom", "errorType": "Custom"}
    assert json.loads(response["outErrors"])[0]["message"] == "soft"


def test_bad_context_names_the_file_and_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_files(tmp_path, "{}", '{"arguments": {,}}')) == 2
    assert f"{tmp_path / 'ctx.json'}:1:16: the context is not JSON" in capsys.readouterr().err
    assert main(_files(tmp_path, "{}", {"args": {}})) == 2
    assert "unknown context key(s) args" in capsys.readouterr().err


@pytest.mark.parametrize(("target", "content", "message"), [
    ("t.vtl", None, "t.vtl: cannot read the template (No such file or directory)"),
    ("t.vtl", b"\xff\xfe$x", "t.vtl: the template is not UTF-8 text (byte 0)"),
    ("ctx.json", None, "ctx.json: cannot read the context file (No such file or directory)"),
    ("ctx.json", b'{"a": "\xe9"}', "ctx.json: the context file is not UTF-8 text (byte 7)"),
])
def test_unreadable_inputs_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str,
                                         content: bytes | None, message: str) -> None:
    argv = _files(tmp_path, "{}", {})
    if content is None:
        (tmp_path / target).unlink()
    else:
        (tmp_path / target).write_bytes(content)
    assert main(argv) == 2
    assert capsys.readouterr().err == f"{tmp_path / message}\n"


def test_console_script(tmp_path: Path) -> None:
    argv = _files(tmp_path, "#set($x = 7 / 2)$x", {})
    done = subprocess.run([sys.executable, "-m", "amplify_local", "evaluate-mapping-template", *argv],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["evaluationResult"] == "3"
