"""The project's resources (backend-config.json) and what a push would do with each.

The operation of a resource is the real CLI's: Create when #current-cloud-backend does not have it,
Delete when only #current-cloud-backend has it, Update when its folder or backend-config entry differ,
No Change otherwise. Build output and local mock data do not count as changes.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amplify_local.project.files import ProjectError, read_json_object, write_json
from amplify_local.project.paths import ProjectPaths

OPERATION_ORDER = ("Create", "Update", "Delete", "No Change")
NOT_HASHED = {"build", ".temp", "node_modules", "dist", "mock-data", ".DS_Store"}


@dataclass(frozen=True)
class ResourceStatus:
    category: str
    name: str
    operation: str
    provider: str


def entries(backend_config: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(category, resource name) -> backend-config entry."""
    found = {}
    for category, resources in backend_config.items():
        if isinstance(resources, dict):
            for name, entry in resources.items():
                if isinstance(entry, dict):
                    found[(category, name)] = entry
    return found


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not NOT_HASHED.intersection(relative.parts):
                digest.update(str(relative).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def statuses(paths: ProjectPaths) -> list[ResourceStatus]:
    local = entries(read_json_object(paths.backend_config))
    cloud_config = paths.current_cloud_backend / "backend-config.json"
    cloud = entries(read_json_object(cloud_config)) if cloud_config.exists() else {}
    found = []
    for key in sorted(local.keys() | cloud.keys()):
        category, name = key
        if key not in cloud:
            operation = "Create"
        elif key not in local:
            operation = "Delete"
        elif local[key] != cloud[key] or folder_hash(paths.resource_dir(category, name)) != folder_hash(
            paths.current_cloud_backend / category / name
        ):
            operation = "Update"
        else:
            operation = "No Change"
        provider = str((local.get(key) or cloud[key]).get("providerPlugin", "awscloudformation"))
        found.append(ResourceStatus(category, name, operation, provider))
    return sorted(found, key=lambda status: OPERATION_ORDER.index(status.operation))


def add_resource(paths: ProjectPaths, category: str, name: str, entry: dict[str, Any]) -> None:
    """Record a new resource in backend-config.json and amplify-meta.json (the same entry in both)."""
    for path in (paths.backend_config, paths.amplify_meta):
        data = read_json_object(path)
        data.setdefault(category, {})[name] = entry
        write_json(path, data)


def remove_resource(paths: ProjectPaths, category: str, name: str) -> None:
    """Forget a resource: its folder, and its entries in backend-config.json and amplify-meta.json."""
    for path in (paths.backend_config, paths.amplify_meta):
        data = read_json_object(path)
        if name not in data.get(category, {}):
            if path == paths.backend_config:
                known = ", ".join(sorted(data.get(category, {}))) or "none"
                raise ProjectError(f'no {category} resource named "{name}" in this project ({category} resources: {known})')
            continue
        del data[category][name]
        if not data[category]:
            del data[category]
        write_json(path, data)
    shutil.rmtree(paths.resource_dir(category, name), ignore_errors=True)
