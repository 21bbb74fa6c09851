"""Frontend config file locations and the .gitignore block."""

from __future__ import annotations

from pathlib import Path

from amplify_local.project.frontend import GITIGNORE_BEGIN, GITIGNORE_END, config_files, update_gitignore


def test_config_file_locations(tmp_path: Path) -> None:
    javascript = {"frontend": "javascript", "javascript": {"config": {"SourceDir": "web/src"}}}
    assert config_files(tmp_path, javascript) == [tmp_path / "web/src/aws-exports.js"]
    android = {"frontend": "android", "android": {"config": {"ResDir": "app/src/main/res"}}}
    assert config_files(tmp_path, android) == [
        tmp_path / "app/src/main/res/raw/awsconfiguration.json",
        tmp_path / "app/src/main/res/raw/amplifyconfiguration.json",
    ]
    ios = {"frontend": "ios", "ios": {"config": {}}}
    assert config_files(tmp_path, ios) == [tmp_path / "awsconfiguration.json", tmp_path / "amplifyconfiguration.json"]
    native = {"frontend": "javascript", "javascript": {"config": {"SourceDir": "/"}}}
    assert config_files(tmp_path, native) == [tmp_path / "aws-exports.js"]


def test_gitignore_block_is_added_once_and_user_lines_kept(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules\n*.log\n")
    update_gitignore(tmp_path)
    update_gitignore(tmp_path)
    text = (tmp_path / ".gitignore").read_text()
    assert text.startswith("node_modules\n*.log\n\n#amplify-do-not-edit-begin\n")
    assert text.count(GITIGNORE_BEGIN) == 1
    assert text.endswith(f"{GITIGNORE_END}\n")
    for entry in ("amplify/mock-data", "amplify/.config/local-*", "amplify/\\#current-cloud-backend", "aws-exports.js"):
        assert entry in text.splitlines()


def test_an_existing_block_is_refreshed_in_place(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(f"a\n{GITIGNORE_BEGIN}\nold-entry\n{GITIGNORE_END}\nb\n")
    update_gitignore(tmp_path)
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[0] == "a" and lines[-1] == "b"
    assert "old-entry" not in lines
