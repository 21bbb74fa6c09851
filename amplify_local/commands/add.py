"""`amplify add <category>`: today `amplify add api --headless`, reading an AddApiRequest from stdin."""

from __future__ import annotations

import sys
from pathlib import Path

from amplify_local.project.api_resource import add_api, parse_add_api_request
from amplify_local.project.files import ProjectError
from amplify_local.project.headless import parse_options, run_command
from amplify_local.project.paths import find_project

HELP = """usage: amplify add api --headless < request.json

The request is the real CLI's AddApiRequest (version 1):
  {"version": 1, "serviceConfiguration": {"serviceName": "AppSync", "apiName": "...",
   "transformSchema": "<GraphQL SDL>", "defaultAuthType": {"mode": "API_KEY", ...},
   "additionalAuthTypes": [...], "conflictResolution": {...}}}
Writes amplify/backend/api/<apiName>/ and records the API in backend-config.json and amplify-meta.json.
Other categories and the interactive walkthrough are not available yet."""


def add_api_headless(argv: list[str]) -> int:
    parse_options("add api", argv, json_options=(), flags=("--headless",))
    if "--headless" not in argv:
        raise ProjectError(
            "the interactive walkthrough is not available yet; pass --headless with the request JSON on stdin "
            "(see amplify add --help)"
        )
    paths = find_project(Path.cwd())
    if sys.stdin.isatty():
        raise ProjectError("--headless reads the AddApiRequest JSON from stdin: amplify add api --headless < request.json")
    request = parse_add_api_request(sys.stdin.read())
    add_api(paths, request)
    print(f"Successfully added resource {request.api_name} locally.")
    print('Next: "amplify status" to see it, "amplify mock api" to run it locally.')
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(HELP)
        return 0 if argv else 2
    if argv[0] != "api":
        print(f'amplify add {argv[0]}: not available yet in amplify-local; "amplify add api --headless" is.', file=sys.stderr)
        return 2
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(HELP)
        return 0
    return run_command("add api", lambda: add_api_headless(argv[1:]))
