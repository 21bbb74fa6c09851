"""`amplify mock function [name] [--event src/event.json] [--timeout N]`: invoke one function locally.

Output as the Amplify CLI prints it: "Ensuring latest function changes are built...", "Starting
execution...", the function's own log lines (prefixed with its name), "Result:" with the JSON, and
"Finished execution.". A function error prints "<name> failed with the following error:" and Lambda's
error document, and exits 1. Bad arguments (no such function, an unreadable or invalid event file) exit 2
with a message naming what to fix.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from amplify_local.mock.lambda_runner import FunctionRunner, LambdaError
from amplify_local.project.files import ProjectError
from amplify_local.project.paths import find_project

DEFAULT_EVENT = "src/event.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amplify mock function", description="Invoke a function locally.")
    parser.add_argument("name", nargs="?", help="the function (a folder of amplify/backend/function)")
    parser.add_argument("--event", help=f"event JSON file, relative to the function folder (default {DEFAULT_EVENT})")
    parser.add_argument("--timeout", type=float, help="seconds before the call is stopped (default: the template's)")
    return parser


def _read_event(function_dir: Path, relative: str | None) -> Any:
    """The event document; any reason it cannot be used is a ValueError naming the file (exit 2, no traceback)."""
    path = function_dir / (relative or DEFAULT_EVENT)
    if not path.exists():
        if relative is None:
            print(f"No event file {path}; invoking with an empty event {{}} (--event names another file).",
                  file=sys.stderr)
            return {}
        raise ValueError(f"event file {path} does not exist (--event is relative to {function_dir})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: the event is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot read the event file ({error.strerror})") from None


def _choose(names: list[str]) -> str | None:
    """Ask which function to run, as the CLI's "Select the Function" prompt; None without a terminal."""
    if not sys.stdin.isatty():
        return None
    print("Select the Function:")
    for number, name in enumerate(names, 1):
        print(f"  {number}. {name}")
    while True:
        try:
            answer = input(f"Function (1-{len(names)} or a name): ").strip()
        except EOFError:
            return None
        if answer in names:
            return answer
        if answer.isdigit() and 1 <= int(answer) <= len(names):
            return names[int(answer) - 1]
        print(f"No function {answer!r}; answer with a number from 1 to {len(names)} or a name.")


def main(argv: list[str]) -> int:
    options = _parser().parse_args(argv)
    if options.timeout is not None and options.timeout <= 0:
        print("amplify mock function: --timeout must be a positive number of seconds", file=sys.stderr)
        return 2
    try:
        root = find_project(Path.cwd(), settings=False).root
    except ProjectError as error:
        print(f"amplify mock function: {error}", file=sys.stderr)
        return 2
    runner = FunctionRunner(root, timeout_override=options.timeout)
    names = runner.names()
    name = options.name
    if name is None:
        if not names:
            print("There are no mockable functions in the project. Use `amplify add function` to create one.",
                  file=sys.stderr)
            return 2
        name = names[0] if len(names) == 1 else _choose(names)
        if name is None:
            print(f"amplify mock function: name the function to run. Functions: {', '.join(names)}", file=sys.stderr)
            return 2
    try:
        name = runner.resolve_name(name)
        event = _read_event(root / "amplify" / "backend" / "function" / name, options.event)
    except LambdaError as error:
        print(f"amplify mock function: {error.error_message}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"amplify mock function: {error}", file=sys.stderr)
        return 2

    async def build_then_invoke() -> Any:
        try:
            await runner.spec(name)  # the build step and the template, before the call as the CLI does
            print("Starting execution...", flush=True)
            return await runner.invoke(name, event)
        finally:
            await runner.close()

    print("Ensuring latest function changes are built...", flush=True)
    try:
        result = asyncio.run(build_then_invoke())
    except LambdaError as error:
        print(f"{name} failed with the following error:", flush=True)
        print(json.dumps(error.to_payload(), indent=2), flush=True)
        print("Finished execution.", flush=True)
        return 1
    print("Result:")
    print(json.dumps(result, indent=2))
    print("Finished execution.", flush=True)
    return 0
