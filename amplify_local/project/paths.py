"""Where the real Amplify CLI keeps each file of a project, and how to find the project root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amplify_local.project.files import ProjectError

CURRENT_CLOUD_BACKEND = "#current-cloud-backend"


@dataclass(frozen=True)
class ProjectPaths:
    """The layout of one project folder. `amplify` can point at a staging folder while it is being built."""

    root: Path
    amplify: Path

    @classmethod
    def at(cls, root: Path) -> ProjectPaths:
        return cls(root, root / "amplify")

    def staged(self, staging: Path) -> ProjectPaths:
        """The same layout, with the amplify/ folder being built in `staging`."""
        return ProjectPaths(self.root, staging)

    @property
    def dot_config(self) -> Path:
        return self.amplify / ".config"

    @property
    def project_config(self) -> Path:
        return self.dot_config / "project-config.json"

    @property
    def local_env_info(self) -> Path:
        return self.dot_config / "local-env-info.json"

    @property
    def local_aws_info(self) -> Path:
        return self.dot_config / "local-aws-info.json"

    @property
    def team_provider_info(self) -> Path:
        return self.amplify / "team-provider-info.json"

    @property
    def cli_json(self) -> Path:
        return self.amplify / "cli.json"

    @property
    def backend(self) -> Path:
        return self.amplify / "backend"

    @property
    def backend_config(self) -> Path:
        return self.backend / "backend-config.json"

    @property
    def amplify_meta(self) -> Path:
        return self.backend / "amplify-meta.json"

    @property
    def tags(self) -> Path:
        return self.backend / "tags.json"

    @property
    def current_cloud_backend(self) -> Path:
        return self.amplify / CURRENT_CLOUD_BACKEND

    def resource_dir(self, category: str, name: str) -> Path:
        return self.backend / category / name

    def is_initialized(self) -> bool:
        return self.project_config.is_file()


def find_project(start: Path, *, settings: bool = True) -> ProjectPaths:
    """The nearest folder at or above `start` that is an Amplify project: the one lookup every command uses.

    Commands that read the project settings look for amplify/.config/project-config.json. Commands that only
    run what amplify/backend holds (`mock function`) pass `settings=False` and look for that folder, so a
    checkout without its .config (a partial checkout, a test project) still runs.
    """
    marker = "amplify/.config/project-config.json" if settings else "amplify/backend folder"
    for folder in (start, *start.parents):
        paths = ProjectPaths.at(folder)
        if paths.is_initialized() if settings else paths.backend.is_dir():
            return paths
    raise ProjectError(f'No Amplify project found in {start} or its parents (no {marker}). Run "amplify init" first.')
