"""The project layout and finding the project from a subfolder."""

from __future__ import annotations

from pathlib import Path

import pytest

from amplify_local.project.files import ProjectError
from amplify_local.project.paths import ProjectPaths, find_project


def test_layout_matches_the_real_cli(tmp_path: Path) -> None:
    paths = ProjectPaths.at(tmp_path)
    assert paths.project_config == tmp_path / "amplify/.config/project-config.json"
    assert paths.local_env_info == tmp_path / "amplify/.config/local-env-info.json"
    assert paths.local_aws_info == tmp_path / "amplify/.config/local-aws-info.json"
    assert paths.team_provider_info == tmp_path / "amplify/team-provider-info.json"
    assert paths.backend_config == tmp_path / "amplify/backend/backend-config.json"
    assert paths.amplify_meta == tmp_path / "amplify/backend/amplify-meta.json"
    assert paths.current_cloud_backend == tmp_path / "amplify/#current-cloud-backend"
    assert paths.resource_dir("api", "x") == tmp_path / "amplify/backend/api/x"
    staged = paths.staged(tmp_path / ".staging")
    assert staged.root == tmp_path
    assert staged.backend == tmp_path / ".staging/backend"


def test_find_project_walks_up(tmp_path: Path) -> None:
    (tmp_path / "amplify/.config").mkdir(parents=True)
    (tmp_path / "amplify/.config/project-config.json").write_text("{}")
    (tmp_path / "src/components").mkdir(parents=True)
    assert find_project(tmp_path / "src/components").root == tmp_path


def test_find_project_refuses_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r'no amplify/.config/project-config.json\)\. Run "amplify init" first\.'):
        find_project(tmp_path)


def test_without_settings_the_backend_folder_marks_the_project(tmp_path: Path) -> None:
    """`mock function` runs a checkout that has amplify/backend but no .config (partial checkout, test project)."""
    (tmp_path / "amplify/backend/function").mkdir(parents=True)
    assert find_project(tmp_path / "amplify/backend/function", settings=False).root == tmp_path
    with pytest.raises(ProjectError, match=r"no amplify/.config/project-config.json"):
        find_project(tmp_path / "amplify/backend/function")


def test_without_settings_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as refused:
        find_project(tmp_path, settings=False)
    assert str(refused.value) == (
        f'No Amplify project found in {tmp_path} or its parents (no amplify/backend folder). Run "amplify init" first.'
    )
