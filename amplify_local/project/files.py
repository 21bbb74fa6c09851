"""Reading and writing the project's files: JSON with errors that name the file and line, and
all-or-nothing writes (a file through a sibling temp file, a folder through a sibling staging folder).

Every command refuses bad input before it writes; these helpers make the writing itself safe, so an
interrupted command never leaves a half-written `amplify/` folder behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Files are created like any other file of the user's (mkstemp alone would make them 0600).
DEFAULT_FILE_MODE = 0o666 & ~_umask()


class ProjectError(Exception):
    """A refusal the user can act on: the message names the parameter or file, what was wrong, and what to do."""


def read_json(path: Path) -> Any:
    """Parse a JSON file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ProjectError(f"{path}: file not found") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProjectError(
            f"{path}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}. Fix the file and run again."
        ) from error


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file that must hold an object (every amplify state file does)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def dump_json(data: Any) -> str:
    """The real CLI's layout: two-space indent, keys in insertion order."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Replace a file atomically: write a sibling temp file, then rename it over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temp_name, mode if mode is not None else DEFAULT_FILE_MODE)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def write_json(path: Path, data: Any, mode: int | None = None) -> None:
    write_text(path, dump_json(data), mode)


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Build a folder beside `target` and swap it in only when the block finishes without error.

    On error the staging folder is removed and `target` is untouched. On success an existing `target`
    is replaced (renamed aside first, so the swap itself never leaves a mix of old and new).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old.exists():
            os.replace(old, target)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
