"""`amplify remove <category> [name]`: forget a local resource (its folder and its entries)."""

from __future__ import annotations

import sys
from pathlib import Path

from amplify_local.project.files import ProjectError, read_json_object
from amplify_local.project.headless import confirmed, help_answer, parse_options, run_command
from amplify_local.project.paths import ProjectPaths, find_project
from amplify_local.project.resources import remove_resource

HELP = """usage: amplify remove <category> [resource name] [--yes]

Removes the resource's folder under amplify/backend/<category>/ and its entries in backend-config.json
and amplify-meta.json. Without --yes it asks first (on a terminal) or refuses (without one)."""


def remove(paths: ProjectPaths, category: str, argv: list[str]) -> int:
    options = parse_options(f"remove {category}", argv, json_options=(), flags=("--yes",), positionals=1)
    names = sorted(read_json_object(paths.backend_config).get(category, {}))
    if options.positionals:
        name = options.positionals[0]
    elif len(names) == 1:
        name = names[0]
    else:
        listed = ", ".join(names) or "none"
        raise ProjectError(f"name the {category} resource to remove ({category} resources: {listed})")
    if name not in names:
        listed = ", ".join(names) or "none"
        raise ProjectError(f'no {category} resource named "{name}" in this project ({category} resources: {listed})')
    question = f"Remove {category} resource {name} and its local files?"
    if not confirmed(f"remove {category}", options.yes, question, f'remove {category} resource "{name}"'):
        print("Nothing removed.")
        return 0
    remove_resource(paths, category, name)
    print(f"Successfully removed resource {name} locally.")
    return 0


def main(argv: list[str]) -> int:
    answer = help_answer(argv, HELP, needs_argument=True)
    if answer is not None:
        return answer
    return run_command(f"remove {argv[0]}", lambda: remove(find_project(Path.cwd()), argv[0], argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
