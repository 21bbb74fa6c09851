"""Hot reload: watch `amplify/backend/api/<name>` and tell the mock what changed, within ~50 ms of a write.

Changes are grouped into the reference's categories, each with its message; `build/` and editor
droppings are ignored. The watcher only classifies and calls back; reloading (and keeping the previous
API when the new one is broken) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

MESSAGES = {
    "schema": "GraphQL Schema change detected. Reloading...",
    "template": "Mapping template change detected. Reloading...",
    "parameters": "API Parameter change detected. Reloading...",
    "stack": "Custom stack change detected. Reloading...",
    "config": "Transformer configuration change detected. Reloading...",
}
TEMPLATE_FOLDERS = ("resolvers", "pipelineFunctions", "functions")
_IGNORED_PARTS = frozenset({"build", "node_modules", ".git"})
_IGNORED_SUFFIXES = (".swp", ".swx", "~", ".tmp", "-journal")


def classify(api_dir: Path, path: Path) -> str | None:
    """The kind of change a path under `api_dir` is, or None when it does not affect the API."""
    try:
        relative = path.relative_to(api_dir)
    except ValueError:
        return None
    parts = relative.parts
    if not parts or _IGNORED_PARTS.intersection(parts) or path.name.endswith(_IGNORED_SUFFIXES):
        return None
    if parts[0] == "schema.graphql" or parts[0] == "schema":
        return "schema"
    if parts[0] in TEMPLATE_FOLDERS and path.suffix == ".vtl":
        return "template"
    if parts == ("parameters.json",):
        return "parameters"
    if parts[0] == "stacks" and path.suffix == ".json":
        return "stack"
    if parts == ("transform.conf.json",):
        return "config"
    return None


async def watch(
    api_dir: Path,
    on_change: Callable[[str, list[Path]], Awaitable[None]],
    *,
    debounce_ms: int = 50,
    stop_event: object | None = None,
) -> None:
    """Call `on_change(kind, paths)` for each batch of changes (the most significant kind of the batch)."""
    from watchfiles import awatch

    order = ("schema", "stack", "config", "parameters", "template")
    async for changes in awatch(api_dir, debounce=debounce_ms, step=10, stop_event=stop_event,  # type: ignore[arg-type]
                                recursive=True):
        by_kind: dict[str, list[Path]] = {}
        for _change, name in changes:
            kind = classify(api_dir, Path(name))
            if kind is not None:
                by_kind.setdefault(kind, []).append(Path(name))
        if by_kind:
            kind = next(k for k in order if k in by_kind)
            await on_change(kind, sorted({path for paths in by_kind.values() for path in paths}))
