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


class GeneratedTemplates:
    """The transformer's templates, written into the API folder for editing while the mock runs.

    A template file already there is the user's (an override the transformer reads). Files we write and
    the user leaves alone are withdrawn before each transform (so a stale copy never overrides a newly
    generated template) and when the mock stops; a file the user edited stays, as in the reference.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: dict[Path, str] = {}
        self.withdrawn: set[Path] = set()

    def publish(self, files: dict[str, str]) -> None:
        """Write each generated template of the build `files` that has no file in the API folder yet."""
        self.withdrawn.clear()
        for relative, text in files.items():
            if not relative.endswith(".vtl") or relative.split("/", 1)[0] not in TEMPLATE_FOLDERS:
                continue
            path = self.folder / relative
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.written[path] = text

    def withdraw(self) -> None:
        """Remove the files we wrote that still hold what we wrote."""
        for path, text in list(self.written.items()):
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                path.unlink()
                self.withdrawn.add(path)
            del self.written[path]

    def ours(self, path: Path) -> bool:
        """True when a file event is our own write or removal, not a user's edit."""
        if path in self.withdrawn:
            return not path.exists()
        text = self.written.get(path)
        return text is not None and path.is_file() and path.read_text(encoding="utf-8") == text
