"""Resources in backend-config and what a push would do with each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amplify_local.project.files import ProjectError
from amplify_local.project.paths import ProjectPaths
from amplify_local.project.resources import add_resource, entries, folder_hash, remove_resource, statuses


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    paths = ProjectPaths.at(tmp_path)
    paths.backend.mkdir(parents=True)
    paths.backend_config.write_text("{}")
    paths.amplify_meta.write_text('{"providers": {}}')
    return paths


def test_entries_skip_non_resource_values() -> None:
    assert entries({"api": {"a": {"service": "AppSync"}, "junk": 3}, "note": "x"}) == {("api", "a"): {"service": "AppSync"}}


def test_folder_hash_ignores_build_output(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/index.js").write_text("1")
    before = folder_hash(tmp_path)
    (tmp_path / "build").mkdir()
    (tmp_path / "build/x.js").write_text("built")
    assert folder_hash(tmp_path) == before
    (tmp_path / "src/index.js").write_text("2")
    assert folder_hash(tmp_path) != before


def test_add_then_remove(paths) -> None:
    add_resource(paths, "function", "fn", {"service": "Lambda"})
    (paths.resource_dir("function", "fn")).mkdir(parents=True)
    assert [(s.category, s.name, s.operation) for s in statuses(paths)] == [("function", "fn", "Create")]
    remove_resource(paths, "function", "fn")
    assert json.loads(paths.backend_config.read_text()) == {}
    assert json.loads(paths.amplify_meta.read_text()) == {"providers": {}}
    assert not paths.resource_dir("function", "fn").exists()
    with pytest.raises(ProjectError, match='no function resource named "fn"'):
        remove_resource(paths, "function", "fn")
