"""JSON reading with located errors, atomic file writes, and the staged folder swap."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from amplify_local.project.files import (
    ProjectError,
    read_json,
    read_json_object,
    staged_folder,
    write_json,
    write_text,
)


def test_a_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text('{\n  "a": 1\n  "b": 2\n}')
    with pytest.raises(ProjectError) as error:
        read_json(path)
    assert str(error.value) == (
        f"{path}: invalid JSON at line 3 column 3: Expecting ',' delimiter. Fix the file and run again."
    )


def test_missing_file_and_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="file not found"):
        read_json(tmp_path / "none.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(ProjectError, match="expected a JSON object, found list"):
        read_json_object(tmp_path / "list.json")


def test_writes_replace_atomically_with_the_requested_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "file.json"
    write_json(path, {"a": [1]})
    assert path.read_text() == '{\n  "a": [\n    1\n  ]\n}'
    write_text(path, "secret", mode=0o600)
    assert path.read_text() == "secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == ["file.json"]


def test_staged_folder_swaps_in_on_success(tmp_path: Path) -> None:
    target = tmp_path / "amplify"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with staged_folder(target) as staging:
        (staging / "new.txt").write_text("new")
        assert not (target / "new.txt").exists()
    assert [entry.name for entry in target.iterdir()] == ["new.txt"]
    assert [entry.name for entry in tmp_path.iterdir()] == ["amplify"]


def test_staged_folder_leaves_the_target_untouched_on_error(tmp_path: Path) -> None:
    target = tmp_path / "amplify"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), staged_folder(target) as staging:
        (staging / "half.txt").write_text("half")
        raise RuntimeError("interrupted")
    assert [entry.name for entry in target.iterdir()] == ["old.txt"]
    assert [entry.name for entry in tmp_path.iterdir()] == ["amplify"]
