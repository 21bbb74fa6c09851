"""`amplify api gql-compile`: compile the project's GraphQL API into `amplify/backend/api/<name>/build/`.

The build folder holds what the real CLI writes there (transformed `schema.graphql`, `resolvers/`,
`pipelineFunctions/`, `stacks/`, `cloudformation-template.json`, `parameters.json`), so the mock,
or anything that reads a CLI build, can load it. A schema error is printed with its location and
leaves the previous build untouched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from amplify_local.project.files import ProjectError, read_json_object, staged_folder, write_text
from amplify_local.project.headless import help_answer, run_command
from amplify_local.project.paths import ProjectPaths, find_project

HELP = """usage: amplify api gql-compile [--force]

Compiles the GraphQL API's schema (amplify/backend/api/<name>/schema.graphql or schema/*.graphql)
with the v1 transformer directives into amplify/backend/api/<name>/build/."""


def graphql_api(paths: ProjectPaths) -> Path:
    """The folder of the project's AppSync API (the one `amplify add api` recorded)."""
    apis = [name for name, entry in read_json_object(paths.backend_config).get("api", {}).items()
            if isinstance(entry, dict) and entry.get("service") == "AppSync"]
    if not apis:
        raise ProjectError(f"{paths.backend_config}: no GraphQL API in this project. Run \"amplify add api\" first.")
    return paths.resource_dir("api", apis[0])


def gql_compile(paths: ProjectPaths) -> int:
    from amplify_local.transformer.errors import SchemaError
    from amplify_local.transformer.transform import transform_api

    api_dir = graphql_api(paths)
    try:
        files = transform_api(api_dir)
    except SchemaError as error:
        print(str(error), file=sys.stderr)
        return 1
    with staged_folder(api_dir / "build") as staging:
        for relative, text in files.items():
            pretty = json.dumps(json.loads(text), indent=4) if relative.endswith(".json") else text
            write_text(staging / relative, pretty)
    schema = api_dir / "schema.graphql"
    print(f"GraphQL schema compiled successfully.\n\nEdit your schema at {schema} or place .graphql files in a "
          f"directory at {api_dir / 'schema'}")
    return 0


def main(argv: list[str]) -> int:
    answer = help_answer(argv, HELP, needs_argument=True)
    if answer is not None:
        return answer
    if argv[0] != "gql-compile" or any(arg not in ("--force",) for arg in argv[1:]):
        print(f"amplify api: unknown arguments {' '.join(argv)}\n\n{HELP}", file=sys.stderr)
        return 2
    return run_command("api gql-compile", lambda: gql_compile(find_project(Path.cwd())))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
