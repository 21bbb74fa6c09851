"""`amplify status`: the current environment and each resource's pending operation, in the real CLI's table."""

from __future__ import annotations

import sys
from pathlib import Path

from amplify_local.project.files import read_json_object
from amplify_local.project.headless import help_answer, parse_options, run_command, table
from amplify_local.project.paths import ProjectPaths, find_project
from amplify_local.project.resources import statuses
from amplify_local.project.state import current_env

HELP = """usage: amplify status [category]

Shows the current environment and, for each resource, what a push would do (Create, Update, Delete,
No Change). Environments are local until pushed."""


def status(paths: ProjectPaths, category: str | None) -> int:
    from amplify_local.mock.frontend_config import recover

    recover(paths.root)  # a mock that crashed left the frontend config pointing at it
    rows = [row for row in statuses(paths) if category is None or row.category == category]
    print(f"\n    Current Environment: {current_env(paths)}\n")
    print(table([
        ["Category", "Resource name", "Operation", "Provider plugin"],
        *([row.category.capitalize(), row.name, row.operation, row.provider] for row in rows),
    ]))
    meta = read_json_object(paths.amplify_meta)
    if any(entry.get("service") == "AppSync" for entry in meta.get("api", {}).values() if isinstance(entry, dict)):
        features = read_json_object(paths.cli_json).get("features", {}) if paths.cli_json.exists() else {}
        version = features.get("graphqltransformer", {}).get("transformerversion", 2)
        print(f"\nGraphQL transformer version: {version}")
    print("\nThe environment is local: nothing has been pushed (amplify-local has no push yet).")
    return 0


def main(argv: list[str]) -> int:
    answer = help_answer(argv, HELP)
    if answer is not None:
        return answer

    def body() -> int:
        options = parse_options("status", argv, json_options=(), flags=(), positionals=1)
        return status(find_project(Path.cwd()), options.positionals[0] if options.positionals else None)

    return run_command("status", body)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
