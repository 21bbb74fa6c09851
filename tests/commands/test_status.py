"""`amplify status`: the current environment and each resource's operation in the real CLI's table."""

from __future__ import annotations

import json
import shutil

import pytest

from amplify_local import cli

EMPTY = """
    Current Environment: dev

┌──────────┬───────────────┬───────────┬─────────────────┐
│ Category │ Resource name │ Operation │ Provider plugin │
└──────────┴───────────────┴───────────┴─────────────────┘

The environment is local: nothing has been pushed (amplify-local has no push yet).
"""


def test_a_new_project_has_no_resources(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["status"]) == 0
    assert capsys.readouterr().out == EMPTY


def test_operations_against_the_current_cloud_backend(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    """Create (not pushed), No Change / Update (compared with #current-cloud-backend), Delete (only there)."""
    project = initialised.project
    entry = {"service": "Lambda", "providerPlugin": "awscloudformation", "build": True}
    local = {"function": {"fresh": entry, "same": entry, "edited": entry}}
    cloud = {"function": {"same": entry, "edited": entry, "gone": entry}}
    (project / "amplify/backend/backend-config.json").write_text(json.dumps(local))
    (project / "amplify/#current-cloud-backend/backend-config.json").write_text(json.dumps(cloud))
    for name in ("fresh", "same", "edited"):
        (project / f"amplify/backend/function/{name}/src").mkdir(parents=True)
        (project / f"amplify/backend/function/{name}/src/index.js").write_text("exports.handler = async () => 1;")
    for name in ("same", "edited", "gone"):
        shutil.copytree(project / "amplify/backend/function/same", project / f"amplify/#current-cloud-backend/function/{name}")
    (project / "amplify/backend/function/edited/src/index.js").write_text("exports.handler = async () => 2;")
    (project / "amplify/backend/function/same/src/build").mkdir()  # build output is not a change
    (project / "amplify/backend/function/same/src/build/out.js").write_text("built")
    assert cli.main(["status"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("│ Function")]
    assert rows == [
        "│ Function │ fresh         │ Create    │ awscloudformation │",
        "│ Function │ edited        │ Update    │ awscloudformation │",
        "│ Function │ gone          │ Delete    │ awscloudformation │",
        "│ Function │ same          │ No Change │ awscloudformation │",
    ]
    assert cli.main(["status", "api"]) == 0
    assert "│ Function" not in capsys.readouterr().out


def test_outside_a_project(sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["status"]) == 1
    assert capsys.readouterr().err.startswith(f"amplify status: No Amplify project found in {sandbox.project}")


def test_a_broken_state_file_names_file_and_line(initialised, capsys: pytest.CaptureFixture[str]) -> None:
    (initialised.project / "amplify/backend/backend-config.json").write_text('{\n  "api": {\n}')
    assert cli.main(["status"]) == 1
    error = capsys.readouterr().err
    assert "backend-config.json: invalid JSON at line 3 column 2" in error
