"""`amplify mock [api|function|storage|dynamodb]`: dispatch to the mock of one category.

Plain `amplify mock` starts every mockable category the project has, which today is the API (with its
DynamoDB endpoint and functions).
"""

from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    "api": "mock_api",
    "function": "mock_function",
    "dynamodb": "mock_dynamodb",
}

HELP = """usage: amplify mock [api|function|dynamodb] [options]

  amplify mock                 start every mockable category of the project
  amplify mock api             the AppSync API on 20002 (GraphQL, realtime, console) and its tables
  amplify mock function NAME   invoke one Lambda function locally
  amplify mock dynamodb        the DynamoDB endpoint alone (62224)
  amplify mock storage         not available yet

Run "amplify mock <category> --help" for the options of each."""


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(HELP)
        return 0
    if argv and argv[0] == "storage":
        print("amplify mock storage: not available yet in amplify-local (the S3 mock is planned).", file=sys.stderr)
        return 2
    name, rest = ("api", argv) if not argv or argv[0].startswith("-") else (argv[0], argv[1:])
    module_name = SUBCOMMANDS.get(name)
    if module_name is None:
        print(f'amplify mock: unknown category "{name}". Choose one of: {", ".join(SUBCOMMANDS)}.', file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"amplify_local.commands.{module_name}")
    except ModuleNotFoundError as error:
        if error.name != f"amplify_local.commands.{module_name}":
            raise
        print(f"amplify mock {name}: not available yet in amplify-local.", file=sys.stderr)
        return 2
    return int(module.main(rest) or 0)
