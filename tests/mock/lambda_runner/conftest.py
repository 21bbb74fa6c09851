"""Fixtures for the Lambda runner tests: a writable copy of the fixture project and a log capture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_PROJECT = Path(__file__).parent / "fixtures" / "project"


class LogCapture:
    """A runner log sink that keeps every line: (function, stream, line)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []

    def __call__(self, function_name: str, stream: str, line: str) -> None:
        self.lines.append((function_name, stream, line))

    def of(self, function_name: str, stream: str | None = None) -> list[str]:
        return [line for name, kind, line in self.lines if name == function_name and stream in (None, kind)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of the fixture project (tests edit code and the build writes into it)."""
    target = tmp_path / "app"
    shutil.copytree(FIXTURE_PROJECT, target)
    return target


@pytest.fixture
def logs() -> LogCapture:
    return LogCapture()
