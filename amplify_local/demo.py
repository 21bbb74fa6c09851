"""`make demo`: the bundled Todo project, initialised in a temporary folder, with the mock started on it.

The demo runs the same commands a user would: `amplify init --app <bundled project> --yes` (a sample
app with a Todo API under owner auth and a Node function), `amplify status`, then `amplify mock api`.
With --setup-only it stops after the set-up and prints what is available.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
from pathlib import Path

from amplify_local import cli

DEMO_PROJECT = Path(__file__).with_name("demo_project")
API_KEY = "da2-fakeApiId123456"

QUERIES = """Try it (in another terminal, while the mock runs); the token is a demo user-pool token for "demo":
  curl -s http://localhost:{port}/graphql -H 'authorization: {token}' -H 'content-type: application/json' \\
    -d '{{"query": "mutation {{ createTodo(input: {{name: \\"buy milk\\"}}) {{ id name owner }} }}"}}'
  curl -s http://localhost:{port}/graphql -H 'x-api-key: {key}' -H 'content-type: application/json' \\
    -d '{{"query": "query {{ listTodos {{ items {{ name owner }} }} }}"}}'
  curl -s http://localhost:{port}/graphql -H 'x-api-key: {key}' -H 'content-type: application/json' \\
    -d '{{"query": "query {{ summarize(names: [\\"buy milk\\", \\"write tests\\"]) }}"}}'
The GraphQL console is at http://localhost:{port}/ ."""


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def demo_token(username: str = "demo") -> str:
    """An unsigned Cognito-shaped ID token: the mock, like the reference, reads it without verifying it."""
    claims = {
        "sub": "d3m0-0000-4000-8000-000000000001",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_demoPool",
        "cognito:username": username,
        "token_use": "id",
        "aud": "demo-client",
        "iat": 1700000000,
        "exp": 4102444800,
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def set_up(folder: Path) -> int:
    """Initialise the bundled project in `folder` (which must be empty) and show its status."""
    os.chdir(folder)
    print(f"$ amplify init --app {DEMO_PROJECT} --yes   (in {folder})")
    status = cli.main(["init", "--app", str(DEMO_PROJECT), "--yes"])
    if status:
        return status
    print("\n$ amplify status")
    return cli.main(["status"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m amplify_local.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="an empty folder to set the demo up in (default: a new temp folder)")
    parser.add_argument("--setup-only", action="store_true", help="set the project up and stop before the mock")
    parser.add_argument("--port", type=int, default=20002, help="port of the mock API (default 20002)")
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    folder = options.dir or Path(tempfile.mkdtemp(prefix="amplify-local-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    status = set_up(folder.resolve())
    if status:
        return status
    print(f"\nThe demo project is in {folder} (delete it when done).")
    if options.setup_only:
        print("Available now, from that folder: amplify status | env list | env add NAME | configure project | "
              "add api --headless | remove api. With the mock: amplify mock api.")
        print(QUERIES.format(key=API_KEY, token=demo_token(), port=options.port))
        return 0
    print("\n$ amplify mock api   (Ctrl-C stops it)\n")
    print(QUERIES.format(key=API_KEY, token=demo_token(), port=options.port))
    return cli.main(["mock", "api", "--port", str(options.port)])


if __name__ == "__main__":
    sys.exit(main())
