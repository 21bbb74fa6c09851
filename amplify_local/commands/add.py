"""`amplify add <category>`: today `amplify add api`, headless (an AddApiRequest on stdin) or with a short
walkthrough on a terminal that builds the same request, so both go through one validation."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from amplify_local.project.api_resource import add_api, parse_add_api_request
from amplify_local.project.files import ProjectError
from amplify_local.project.headless import Asker, parse_options, run_only_subcommand
from amplify_local.project.paths import ProjectPaths, find_project
from amplify_local.project.state import read_project_config

HELP = """usage: amplify add api --headless < request.json

The request is the real CLI's AddApiRequest (version 1):
  {"version": 1, "serviceConfiguration": {"serviceName": "AppSync", "apiName": "...",
   "transformSchema": "<GraphQL SDL>", "defaultAuthType": {"mode": "API_KEY", ...},
   "additionalAuthTypes": [...], "conflictResolution": {...}}}
Writes amplify/backend/api/<apiName>/ and records the API in backend-config.json and amplify-meta.json.

On a terminal, plain "amplify add api" asks for the name, the default auth type (API key, IAM or a
Cognito user pool) and the schema (a starter Todo model or a .graphql file). Other categories are not
available yet."""

TODO_SCHEMA = """# A starter model, open to every caller (API key or IAM). Tighten the @auth rules before sharing it.
type Todo @model @auth(rules: [{ allow: public }]) {
  id: ID!
  name: String!
  description: String
}
"""
WALKTHROUGH_MODES = ("API_KEY", "AWS_IAM", "AMAZON_COGNITO_USER_POOLS")


def walkthrough(paths: ProjectPaths) -> str:
    """Ask for the few values of an AddApiRequest and return it as JSON text."""
    ask = Asker("add api", yes=False, interactive=True)
    default_name = re.sub(r"[^a-zA-Z0-9]", "", str(read_project_config(paths).get("projectName", "")))[:80] or "api"
    name = ask.value("amplify add api", "apiName", "Provide API name:", default_name, str)
    mode = ask.value(
        "amplify add api", "defaultAuthType", f"Choose the default authorization type ({', '.join(WALKTHROUGH_MODES)})",
        "API_KEY", _walkthrough_mode,
    )
    auth: dict[str, Any] = {"mode": mode}
    if mode == "API_KEY":
        auth["expirationTime"] = ask.value("amplify add api", "expirationTime", "After how many days should the API key "
                                           "expire (1-365)", 7, _days)
    elif mode == "AMAZON_COGNITO_USER_POOLS":
        auth["cognitoUserPoolId"] = ask.value("amplify add api", "cognitoUserPoolId", "Cognito user pool id",
                                              "us-east-1_localPool", str)
    schema = ask.value(
        "amplify add api", "transformSchema", 'Schema: "todo" for a starter Todo model, or the path of a .graphql file',
        "todo", lambda text: text,
    )
    if schema != "todo":
        path = Path(schema).expanduser()
        if not path.is_file():
            raise ProjectError(f'schema file "{schema}" not found')
        schema_text = path.read_text(encoding="utf-8")
    else:
        schema_text = TODO_SCHEMA
    service = {"serviceName": "AppSync", "apiName": name, "transformSchema": schema_text, "defaultAuthType": auth}
    return json.dumps({"version": 1, "serviceConfiguration": service})


def _walkthrough_mode(text: str) -> str:
    mode = text.strip().upper()
    if mode not in WALKTHROUGH_MODES:
        raise ProjectError(f'"{text}" is not one of {", ".join(WALKTHROUGH_MODES)} (OPENID_CONNECT and AWS_LAMBDA: use --headless)')
    return mode


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 365:
        raise ProjectError(f'"{text}" is not a number of days from 1 to 365')
    return int(text)


def add_api_command(argv: list[str]) -> int:
    parse_options("add api", argv, json_options=(), flags=("--headless",))
    paths = find_project(Path.cwd())
    if "--headless" in argv:
        if sys.stdin.isatty():
            raise ProjectError("--headless reads the AddApiRequest JSON from stdin: amplify add api --headless < request.json")
        text = sys.stdin.read()
    elif sys.stdin.isatty():
        text = walkthrough(paths)
    else:
        raise ProjectError("no terminal to ask on: pass --headless with the AddApiRequest JSON on stdin (see amplify add --help)")
    request = parse_add_api_request(text)
    add_api(paths, request)
    print(f"Successfully added resource {request.api_name} locally.")
    print('Next: "amplify status" to see it, "amplify mock api" to run it locally.')
    return 0


def main(argv: list[str]) -> int:
    return run_only_subcommand("add", "api", argv, HELP, "amplify add api --headless", add_api_command)
