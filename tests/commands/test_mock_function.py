"""`amplify mock function` as a user runs it: a real CLI process inside the fixture project."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

FIXTURE_PROJECT = Path(__file__).resolve().parents[1] / "mock" / "lambda_runner" / "fixtures" / "project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "app"
    shutil.copytree(FIXTURE_PROJECT, target)
    return target


def amplify(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "amplify_local", "mock", "function", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def test_default_event_file_and_output(project: Path) -> None:
    done = amplify(project, "nodeecho")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Ensuring latest function changes are built...", "Starting execution..."]
    result_at = lines.index("Result:")
    assert json.loads("\n".join(lines[result_at + 1:-1])) == {"ENV": "dev", "FROM_FILE": "from-parameters-json"}
    assert lines[-1] == "Finished execution."


def test_event_option_timeout_and_logs(project: Path) -> None:
    (project / "amplify/backend/function/nodeecho/events").mkdir()
    (project / "amplify/backend/function/nodeecho/events/log.json").write_text('{"action": "log"}')
    done = amplify(project / "amplify", "nodeecho", "--event", "events/log.json", "--timeout", "5")
    assert done.returncode == 0, done.stderr
    assert "[nodeecho] hello from nodeecho" in done.stdout
    assert done.stdout.index("Starting execution...") < done.stdout.index("[nodeecho] hello") < done.stdout.index("Result:")
    assert '"logged"' in done.stdout


def test_function_error_exits_1_with_lambda_error(project: Path) -> None:
    event = project / "amplify/backend/function/pyecho/src/event.json"
    event.write_text(json.dumps({"action": "raise", "message": "nope"}))
    done = amplify(project, "pyecho")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    failed_at = lines.index("pyecho failed with the following error:")
    error = json.loads("\n".join(lines[failed_at + 1:-1]))
    assert (error["errorType"], error["errorMessage"]) == ("ValidationFailed", "nope")
    assert lines[-1] == "Finished execution."


def test_timeout_option_overrides_the_template(project: Path) -> None:
    (project / "amplify/backend/function/nodeecho/src/event.json").write_text('{"action": "spin"}')
    done = amplify(project, "nodeecho", "--timeout", "0.5")
    assert done.returncode == 1
    assert "Task timed out after 0.50 seconds" in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("nosuchfn",), "Function not found: nosuchfn"),
    (("nodeecho", "--event", "missing.json"), "does not exist (--event is relative to"),
    ((), "name the function to run. Functions: badruntime, brokensyntax"),  # no terminal to ask on
    (("nodeecho", "--timeout", "0"), "--timeout must be a positive number"),
])
def test_bad_arguments_exit_2(project: Path, args: tuple[str, ...], message: str) -> None:
    done = amplify(project, *args)
    assert done.returncode == 2
    assert message in done.stderr


def test_without_a_name_a_terminal_gets_the_selection_prompt(project: Path) -> None:
    (project / "amplify/backend/function/pyecho/src/event.json").write_text('{"picked": true}')
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the CLI on a pseudo-terminal
        os.chdir(project)
        os.execv(sys.executable, [sys.executable, "-m", "amplify_local", "mock", "function"])
    names = sorted(path.name for path in (project / "amplify/backend/function").iterdir()
                   if path.name not in ("sharedlayer", "pylayer"))
    output = b""

    def read_until(marker: bytes) -> None:
        nonlocal output
        deadline = time.monotonic() + 30
        while marker not in output:
            assert select.select([terminal], [], [], max(0.0, deadline - time.monotonic()))[0], output.decode()
            output += os.read(terminal, 4096)

    try:
        read_until(b"Function (1-")
        os.write(terminal, b"nope\n")
        read_until(b"No function 'nope'")
        os.write(terminal, f"{names.index('pyecho') + 1}\n".encode())
        read_until(b"Finished execution.")
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # never leave the CLI running behind a failed assertion
        raise
    finally:
        _, status = os.waitpid(pid, 0)
    text = output.decode()
    assert "Select the Function:" in text and f"{names.index('pyecho') + 1}. pyecho" in text
    assert '"picked": true' in text
    assert os.waitstatus_to_exitcode(status) == 0


def test_invalid_event_json_names_file_and_line(project: Path) -> None:
    event = project / "amplify/backend/function/nodeecho/src/event.json"
    event.write_text('{\n  "action": \n}')
    done = amplify(project, "nodeecho")
    assert done.returncode == 2
    assert f"{event}:3:1: invalid JSON" in done.stderr


@pytest.mark.parametrize(("make", "message"), [
    (lambda event: event.write_bytes(b'{"a": "\xe9"}'), "the event is not UTF-8 text (byte 7)"),
    (lambda event: event.mkdir(), "cannot read the event file (Is a directory)"),
])
def test_unusable_event_file_names_the_file(project: Path, make: Any, message: str) -> None:
    event = project / "amplify/backend/function/nodeecho/src/other.json"
    make(event)
    done = amplify(project, "nodeecho", "--event", "src/other.json")
    assert done.returncode == 2
    assert done.stderr == f"amplify mock function: {event}: {message}\n"


def test_build_output_comes_before_the_execution(project: Path) -> None:
    (project / "amplify/backend/function/nodebuilt/src/event.json").write_text("{}")
    done = subprocess.run([sys.executable, "-m", "amplify_local", "mock", "function", "nodebuilt"], cwd=project,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert done.returncode == 0, done.stdout
    output = done.stdout
    assert output.index("Ensuring latest function changes are built...") < output.index("[nodebuilt] [build]") \
        < output.index("Starting execution...") < output.index('"built by the project script"')


def test_missing_default_event_invokes_with_an_empty_event(project: Path) -> None:
    done = amplify(project, "pyecho")
    assert done.returncode == 0
    assert "No event file" in done.stderr and "src/event.json" in done.stderr
    assert '"echo": {}' in done.stdout


def test_outside_a_project(tmp_path: Path) -> None:
    done = amplify(tmp_path, "nodeecho")
    assert done.returncode == 2
    assert done.stderr == (f"amplify mock function: No Amplify project found in {tmp_path} or its parents "
                           '(no amplify/backend folder). Run "amplify init" first.\n')


def test_a_project_without_its_settings_is_found_from_a_subfolder(project: Path) -> None:
    """The fixture project has amplify/backend but no .config/project-config.json, like a partial checkout."""
    assert not (project / "amplify/.config/project-config.json").exists()
    done = amplify(project / "amplify/backend/function", "pyecho")
    assert done.returncode == 0, done.stderr
    assert '"echo": {}' in done.stdout
