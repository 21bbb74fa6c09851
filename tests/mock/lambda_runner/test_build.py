"""The build step: npm install when package.json changed, then the root `amplify:<name>` script."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.lambda_runner import FunctionRunner, LambdaError
from amplify_local.mock.lambda_runner.build import (
    STAMP,
    needs_install,
    package_manager,
    pipfile_requirement,
    python_requirements,
    root_script,
)

FIXTURE_SCRIPTS = Path(__file__).parent / "fixtures" / "project" / "scripts"
FIXED_SCRIPT = (FIXTURE_SCRIPTS / "build-nodebuilt.js").read_text()


def test_build_runs_npm_install_and_the_root_script(project: Path, logs: Any) -> None:
    function = project / "amplify/backend/function/nodebuilt"
    src = function / "src"
    assert needs_install(src)
    assert root_script(project, "nodebuilt") == "node scripts/build-nodebuilt.js"

    async def main() -> list[Any]:
        runner = FunctionRunner(project, log=logs)
        try:
            first = await runner.invoke("nodebuilt", {})
            (function / "lib" / "greeting.txt").write_text("rebuilt after an edit\n")
            return [first, await runner.invoke("nodebuilt", {})]
        finally:
            await runner.close()

    assert asyncio.run(main()) == ["built by the project script", "rebuilt after an edit"]
    assert (src / "node_modules" / STAMP).exists()
    assert not needs_install(src)  # the second build skipped npm install
    build_lines = [line for line in logs.of("nodebuilt", "stderr") if line.startswith("[build]")]
    assert build_lines  # npm's output is streamed with the function's name
    package = json.loads((src / "package.json").read_text())
    package["description"] = "changed"
    (src / "package.json").write_text(json.dumps(package))
    assert needs_install(src)


def test_failing_root_script_names_the_function_and_is_not_rerun_until_a_change(project: Path, logs: Any) -> None:
    script = project / "scripts" / "build-nodebuilt.js"
    script.write_text("console.log('building'); process.exit(7);\n")

    async def main() -> list[Any]:
        runner = FunctionRunner(project, log=logs)
        errors = []
        try:
            for _ in range(2):
                with pytest.raises(LambdaError) as caught:
                    await runner.invoke("nodebuilt", {})
                errors.append(caught.value)
            (project / "amplify/backend/function/nodebuilt/lib/greeting.txt").write_text("fixed\n")
            script.write_text(FIXED_SCRIPT)
            return [errors, await runner.invoke("nodebuilt", {})]
        finally:
            await runner.close()

    (first, second), result = asyncio.run(main())
    assert first.error_type == "BuildError"
    assert "Function nodebuilt: `npm run amplify:nodebuilt`" in first.error_message
    assert "exit status 7" in first.error_message
    assert second is first  # the same failure, without running the build again
    assert [line for line in logs.of("nodebuilt") if line.endswith("] building")] == ["[build] building"]
    assert result == "fixed"


@pytest.mark.parametrize(("text", "message"), [
    ("{ not json", "not valid JSON"),
    ('{"scripts": ["build"]}', '"scripts" must be an object'),
])
def test_an_unreadable_root_package_json_is_a_build_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "package.json").write_text(text)
    with pytest.raises(LambdaError) as caught:
        root_script(tmp_path, "nodebuilt")
    assert caught.value.error_type == "BuildError"
    assert caught.value.function_name == "nodebuilt"
    assert caught.value.error_message.startswith(f"{tmp_path / 'package.json'}: {message}")


def test_no_root_package_json_or_no_script_means_no_root_build(tmp_path: Path) -> None:
    assert root_script(tmp_path, "nodebuilt") is None
    (tmp_path / "package.json").write_text('{"name": "app"}')
    assert root_script(tmp_path, "nodebuilt") is None


def test_build_can_be_turned_off(project: Path, logs: Any) -> None:
    (project / "amplify/backend/function/nodebuilt/src/generated.js").write_text("module.exports = 'prebuilt';\n")
    assert FunctionRunner(project, log=logs, build=False).invoke_once("nodebuilt", {}) == "prebuilt"
    assert needs_install(project / "amplify/backend/function/nodebuilt/src")


def test_package_manager_follows_the_lock_file(tmp_path: Path) -> None:
    assert package_manager(tmp_path) == "npm"
    (tmp_path / "yarn.lock").write_text("")
    assert package_manager(tmp_path) == "yarn"


def _wheel(folder: Path, name: str, version: str, module: str) -> Path:
    """A minimal pure-Python wheel, so pip installs offline."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": module,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
        archive.writestr(f"{info}/RECORD", "".join(f"{member},,\n" for member in [*files, f"{info}/RECORD"]))
    return path


def test_python_packages_from_the_pipfile(project: Path, logs: Any) -> None:
    function = project / "amplify/backend/function/pyecho"
    wheels = function / "wheels"
    wheels.mkdir()
    _wheel(wheels, "localgreet", "1.0", "def greet(name):\n    return 'hi ' + name\n")
    (function / "Pipfile").write_text('[packages]\nlocalgreet = {file = "wheels/localgreet-1.0-py3-none-any.whl"}\n')
    (function / "src" / "index.py").write_text(
        "import localgreet\n\n\ndef handler(event, context):\n    return localgreet.greet(event['name'])\n")
    assert python_requirements(function) == (
        [str((wheels / "localgreet-1.0-py3-none-any.whl").resolve())], [function / "Pipfile"])

    async def main() -> list[Any]:
        runner = FunctionRunner(project, log=logs)
        try:
            first = await runner.invoke("pyecho", {"name": "ada"})
            _wheel(wheels, "localgreet", "1.0", "def greet(name):\n    return 'hello ' + name\n")
            (function / "Pipfile").write_text((function / "Pipfile").read_text() + "\n")  # the Pipfile changed
            return [first, await runner.invoke("pyecho", {"name": "bob"})]
        finally:
            await runner.close()

    assert asyncio.run(main()) == ["hi ada", "hello bob"]
    assert (function / ".amplify-local/python/localgreet.py").exists()
    assert any("[build]" in line for line in logs.of("pyecho", "stderr"))


def test_pipfile_forms() -> None:
    folder = Path("/fn")
    assert pipfile_requirement("boto3", "*", folder) == "boto3"
    assert pipfile_requirement("requests", "==2.31.0", folder) == "requests==2.31.0"
    assert pipfile_requirement("uvicorn", {"version": ">=0.20", "extras": ["standard"]}, folder) == "uvicorn[standard]>=0.20"
    assert pipfile_requirement("lib", {"path": "./lib"}, folder) == "/fn/lib"
    assert pipfile_requirement("tool", {"git": "https://example.com/t.git", "ref": "v1"}, folder) == \
        "git+https://example.com/t.git@v1#egg=tool"
