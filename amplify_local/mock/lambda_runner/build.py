"""The build step before a function runs, as Amplify's "Build options" describe it.

1. `npm install` (or `yarn install` when `src/yarn.lock` exists) in the function's `src/`, only when its
   `package.json` (or lock file) changed since the last install, or `node_modules` is missing. The
   digest of those files is kept in `src/node_modules/.amplify-local-build`.
2. the project root `package.json` script `amplify:<name>`, when there is one (`yarn run` when the
   root has a `yarn.lock`, else `npm run`), e.g. to compile TypeScript from `lib/` into `src/`.

Both steps stream their output through the runner's log sink; a failure is a LambdaError naming the
function, the command and its exit status.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from pathlib import Path

from amplify_local.mock.lambda_runner.types import LambdaError
from amplify_local.mock.lambda_runner.worker import LogSink

STAMP = ".amplify-local-build"
_INSTALL_INPUTS = ("package.json", "package-lock.json", "yarn.lock")


def package_manager(folder: Path) -> str:
    """`yarn` when the folder has a yarn.lock, else `npm`."""
    return "yarn" if (folder / "yarn.lock").exists() else "npm"


def install_digest(src: Path) -> str:
    digest = hashlib.sha256()
    for name in _INSTALL_INPUTS:
        path = src / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def needs_install(src: Path) -> bool:
    if not (src / "package.json").exists():
        return False
    stamp = src / "node_modules" / STAMP
    return not stamp.exists() or stamp.read_text() != install_digest(src)


def root_script(project_root: Path, name: str) -> str | None:
    """The `amplify:<name>` script of the root package.json, if any."""
    try:
        scripts = json.loads((project_root / "package.json").read_text(encoding="utf-8")).get("scripts") or {}
    except (FileNotFoundError, ValueError, AttributeError):
        return None
    script = scripts.get(f"amplify:{name}")
    return script if isinstance(script, str) else None


async def _run(command: list[str], cwd: Path, name: str, log: LogSink) -> None:
    executable = shutil.which(command[0])
    if executable is None:
        raise LambdaError("BuildError", f"Function {name}: `{' '.join(command)}` needs {command[0]} on PATH",
                          function_name=name)
    process = await asyncio.create_subprocess_exec(
        executable, *command[1:], cwd=str(cwd), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    tail: list[str] = []
    async for raw in process.stdout:
        line = raw.decode("utf-8", "replace").rstrip()
        tail = [*tail[-19:], line]
        log(name, "stderr", f"[build] {line}")
    status = await process.wait()
    if status != 0:
        raise LambdaError("BuildError",
                          f"Function {name}: `{' '.join(command)}` in {cwd} failed with exit status {status}",
                          tail, name)


async def build(name: str, function_dir: Path, project_root: Path | None, log: LogSink) -> bool:
    """Install dependencies and run the root build script as needed; True when anything ran."""
    ran = False
    src = function_dir / "src"
    if needs_install(src):
        manager = package_manager(src)
        await _run([manager, "install", *(["--no-audit", "--no-fund"] if manager == "npm" else [])], src, name, log)
        (src / "node_modules").mkdir(exist_ok=True)
        (src / "node_modules" / STAMP).write_text(install_digest(src))
        ran = True
    if project_root is not None and root_script(project_root, name) is not None:
        await _run([package_manager(project_root), "run", f"amplify:{name}"], project_root, name, log)
        ran = True
    return ran
