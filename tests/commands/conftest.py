"""Fixtures for the command tests: a temp HOME and project folder, and ways to run `amplify` there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from amplify_local import cli

SCRIPTS = Path(__file__).with_name("headless_scripts")
BIN = Path(sys.executable).parent


@dataclass
class Sandbox:
    """A HOME and a project folder; `run` spawns the console script, `main` calls the CLI in-process."""

    home: Path
    project: Path

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        return {**env, "HOME": str(self.home), "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}

    def run(self, *args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "amplify"), *args], cwd=cwd or self.project, env=self.env(), input=stdin,
            capture_output=True, text=True,
        )

    def script(self, name: str) -> subprocess.CompletedProcess[str]:
        """Run one of the real CLI's sample scripts, unchanged, with `amplify` resolving to ours."""
        return subprocess.run(
            ["bash", str(SCRIPTS / name)], cwd=self.project, env=self.env(), capture_output=True, text=True
        )

    def on_a_terminal(self, answers: bytes, *args: str) -> subprocess.CompletedProcess[str]:
        """Spawn `amplify` with a pseudo-terminal as stdin (so it asks), typing `answers`."""
        master, slave = os.openpty()
        process = subprocess.Popen(
            [str(BIN / "amplify"), *args], cwd=self.project, env=self.env(), stdin=slave,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        os.close(slave)
        os.write(master, answers)
        try:
            out, err = process.communicate(timeout=60)
        finally:
            os.close(master)
        return subprocess.CompletedProcess(args, process.returncode, out, err)

    def json(self, relative: str) -> Any:
        return json.loads((self.project / relative).read_text())

    def files(self) -> set[str]:
        return {str(path.relative_to(self.project)) for path in self.project.rglob("*") if path.is_file()}


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for key in [key for key in os.environ if key.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(project)
    return Sandbox(home, project)


@pytest.fixture
def initialised(sandbox: Sandbox) -> Sandbox:
    """A project after `amplify init --yes` with projectName demoproj."""
    assert cli.main(["init", "--yes", "--amplify", '{"projectName": "demoproj"}']) == 0
    return sandbox
