"""Hot reload: watch `amplify/backend/api/<name>` and tell the mock what changed, within ~50 ms of a write.

Changes are grouped into the reference's categories, each with its message; `build/` and editor
droppings are ignored. The watcher only classifies and calls back; reloading (and keeping the previous
API when the new one is broken) is the caller's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Iterable
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


ORDER = ("schema", "stack", "config", "parameters", "template")  # most significant first
CLOCK_SLACK_NS = 20_000_000  # file times come from a coarse clock that may lag `time.time_ns()` by a tick


def batch(api_dir: Path, paths: Iterable[Path]) -> tuple[str, list[Path]] | None:
    """The most significant kind of change among `paths` with the paths that affect the API, or None."""
    by_kind: dict[str, list[Path]] = {}
    for path in paths:
        kind = classify(api_dir, path)
        if kind is not None:
            by_kind.setdefault(kind, []).append(path)
    if not by_kind:
        return None
    kind = next(k for k in ORDER if k in by_kind)
    return kind, sorted({path for paths in by_kind.values() for path in paths})


def changed_since(api_dir: Path, since_ns: int) -> list[Path]:
    """The files under `api_dir` written at or after `since_ns` (wall clock, nanoseconds)."""
    found = []
    for folder, folders, files in os.walk(api_dir):
        folders[:] = [name for name in folders if name not in _IGNORED_PARTS]
        for name in files:
            path = Path(folder, name)
            with contextlib.suppress(OSError):  # removed meanwhile
                if path.stat().st_mtime_ns >= since_ns - CLOCK_SLACK_NS:
                    found.append(path)
    return found


async def watch(
    api_dir: Path,
    on_change: Callable[[str, list[Path]], Awaitable[None]],
    *,
    since_ns: int | None = None,
    debounce_ms: int = 50,
    stop_event: object | None = None,
) -> None:
    """Call `on_change(kind, paths)` for each batch of changes (the most significant kind of the batch),
    one call at a time. With `since_ns`, files written since then, before the watch began, are reported
    first: the mock loads the API, answers its first queries, then starts watching."""
    from watchfiles import awatch

    lock = asyncio.Lock()

    async def report(paths: Iterable[Path]) -> None:
        found = batch(api_dir, paths)
        if found is not None:
            async with lock:
                await on_change(*found)

    async def catch_up() -> None:
        assert since_ns is not None
        await report(changed_since(api_dir, since_ns))

    # The scan runs once the loop below has made the watcher (synchronously, before its first wait), so
    # every write is seen by the scan, the watcher or both (a repeated reload is harmless).
    missed = asyncio.ensure_future(catch_up()) if since_ns is not None else None
    try:
        async for changes in awatch(api_dir, debounce=debounce_ms, step=10, stop_event=stop_event,  # type: ignore[arg-type]
                                    recursive=True):
            await report(Path(name) for _change, name in changes)
    finally:
        if missed is not None:
            missed.cancel()


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
