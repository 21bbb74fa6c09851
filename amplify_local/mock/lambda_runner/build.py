"""The build step before a function runs, as Amplify's "Build options" describe it.

1. `npm install` (or `yarn install` when `src/yarn.lock` exists) in the function's `src/`, only when its
   `package.json` (or lock file) changed since the last install, or `node_modules` is missing. The
   digest of those files is kept in `src/node_modules/.amplify-local-build`.
2. the project root `package.json` script `amplify:<name>`, when there is one (`yarn run` when the
   root has a `yarn.lock`, else `npm run`), e.g. to compile TypeScript from `lib/` into `src/`.

For Python functions, the packages of the function's `Pipfile` (`[packages]`, as `amplify add function`
writes it) or `requirements.txt` are installed with the function's own interpreter (`pip install
--target`) into `<function>/.amplify-local/python`, which is on its PYTHONPATH: no pipenv needed. They
are reinstalled from scratch when those files or the interpreter change.

Every step streams its output through the runner's log sink; a failure is a LambdaError naming the
function, the command and its exit status.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

from amplify_local.mock.lambda_runner.discovery import PYTHON_PACKAGES
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
    """The `amplify:<name>` script of the root package.json, if any.

    A root package.json that npm could not read either is a BuildError naming the file, not a silently
    skipped build step (the function would then run stale code)."""
    path = project_root / "package.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as error:
        raise LambdaError("BuildError", f"{path}: not valid JSON ({error}); fix it so `amplify:{name}` can be "
                          "looked up", function_name=name) from None
    scripts = document.get("scripts") if isinstance(document, dict) else None
    if not isinstance(scripts, dict | None):
        raise LambdaError("BuildError", f"{path}: \"scripts\" must be an object of script names to commands",
                          function_name=name)
    script = (scripts or {}).get(f"amplify:{name}")
    return script if isinstance(script, str) else None


async def _run(command: list[str], cwd: Path, name: str, log: LogSink) -> None:
    executable = command[0] if Path(command[0]).is_absolute() else shutil.which(command[0])
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


def pipfile_requirement(name: str, spec: Any, folder: Path) -> str:
    if isinstance(spec, str):
        return name if spec.strip() in ("", "*") else f"{name}{spec.strip()}"
    if not isinstance(spec, dict):
        raise ValueError(f"package {name}: expected a version string or a table")
    extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
    for key in ("path", "file"):
        if key in spec:
            return str((folder / spec[key]).resolve()) + extras
    if "git" in spec:
        return f"git+{spec['git']}" + (f"@{spec['ref']}" if spec.get("ref") else "") + f"#egg={name}"
    version = str(spec.get("version", "*")).strip()
    return f"{name}{extras}" + ("" if version == "*" else version)


def python_requirements(function_dir: Path) -> tuple[list[str], list[Path]]:
    """pip arguments for the function's declared packages, and the files they came from."""
    pipfile = function_dir / "Pipfile"
    for requirements in (function_dir / "src" / "requirements.txt", function_dir / "requirements.txt"):
        if requirements.exists():
            return ["-r", str(requirements)], [requirements]
    if not pipfile.exists():
        return [], []
    try:
        packages = tomllib.loads(pipfile.read_text(encoding="utf-8")).get("packages") or {}
        return [pipfile_requirement(name, spec, function_dir) for name, spec in packages.items()], [pipfile]
    except (tomllib.TOMLDecodeError, ValueError, KeyError) as error:
        raise LambdaError("BuildError", f"{pipfile}: cannot read [packages]: {error}",
                          function_name=function_dir.name) from None


async def install_python_packages(name: str, function_dir: Path, interpreter: str, log: LogSink) -> bool:
    """Install the Pipfile / requirements.txt packages when they changed; True when pip ran."""
    arguments, sources = python_requirements(function_dir)
    target = function_dir / PYTHON_PACKAGES
    digest = hashlib.sha256(interpreter.encode())
    for path in sources:
        digest.update(path.read_bytes())
    stamp = target / STAMP
    if not arguments or (stamp.exists() and stamp.read_text() == digest.hexdigest()):
        return False
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    await _run([interpreter, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--target",
                str(target), *arguments], function_dir, name, log)
    stamp.write_text(digest.hexdigest())
    return True
