"""`amplify mock api`: serve the project's GraphQL API (or a prebuilt build folder) on a local endpoint.

Imports stay inside `main` so the command starts in well under half a second.
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import socket
import sys
from pathlib import Path

DEFAULT_PORT = 20002
DDB_PORT = 62224

USAGE = ("amplify mock api [--port N] [--host H] [--build DIR] [--lambda-dir DIR] [--timeout S] [--reset]"
         " [--db-path DIR] [--ddb-port N]")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amplify mock api", usage=USAGE, description=(
        "Run the AppSync API locally: GraphQL on /graphql, realtime subscriptions, the console on /."))
    parser.add_argument("--port", type=int, help="port of the API (default: amplify/mock.json graphqlPort, else 20002)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--build", type=Path, help="serve this prebuilt build folder instead of the project's API")
    parser.add_argument("--lambda-dir", type=Path,
                        help="with --build: folder of <function-name>.js Node handlers for Lambda data sources")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a Lambda resolver may run (default 10)")
    parser.add_argument("--reset", action="store_true", help="empty every table before serving")
    parser.add_argument("--ddb-port", type=int, default=DDB_PORT,
                        help="first port to try for the DynamoDB endpoint functions use (default 62224; 0: none)")
    parser.add_argument("--db-path", type=Path,
                        help="folder of the table data (default: amplify/mock-data/dynamodb; in memory with --build)")
    return parser


def _port_from_mock_json(project: Path) -> int | None:
    path = project / "amplify" / "mock.json"
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text()).get("graphqlPort")
    except (json.JSONDecodeError, AttributeError) as error:
        raise SystemExit(f"{path}: invalid JSON ({error}); fix or remove it") from None
    if value is not None and not isinstance(value, int):
        raise SystemExit(f"{path}: graphqlPort must be an integer port number, got {value!r}")
    return value


def _bind(host: str, port: int) -> socket.socket:
    """Take the port now, so a busy port is refused before anything starts."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted connections
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise SystemExit(f"Port {port} is already in use. Please kill the program using this port and restart "
                             "Mock") from None
        raise SystemExit(f"Cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _bind_first_free(host: str, first: int, tries: int = 100) -> socket.socket:
    """The first free port from `first`, as the reference picks DynamoDB Local's."""
    for port in range(first, first + tries):
        try:
            return _bind(host, port)
        except SystemExit:
            continue
    raise SystemExit(f"No free port for the DynamoDB endpoint in {first}-{first + tries - 1}")


def main(argv: list[str]) -> int:
    options = _parser().parse_args(argv)
    # The start allocates tens of thousands of long-lived objects (modules, schema, plan): the cyclic GC
    # would run ~75 collections over them, ~25 ms of CPU before the first answer. `MockService.serve` runs
    # one collection and turns it back on once the API answers.
    gc.disable()
    try:
        return _start(options)
    finally:
        gc.enable()


def _start(options: argparse.Namespace) -> int:
    from amplify_local.mock.appsync.service import MockService, ServiceError

    project = Path.cwd()
    port = options.port or (None if options.build else _port_from_mock_json(project)) or DEFAULT_PORT
    ddb_sock = _bind_first_free(options.host, options.ddb_port) if options.ddb_port else None
    ddb_url = f"http://127.0.0.1:{ddb_sock.getsockname()[1]}" if ddb_sock else None
    try:
        service = MockService.create(
            project=None if options.build else project,
            build=options.build,
            lambda_dir=options.lambda_dir,
            timeout=options.timeout,
            db_path=options.db_path,
            reset=options.reset,
            ddb_url=ddb_url,
        )
    except ServiceError as error:
        print("Failed to start API Mocking. Running cleanup tasks.", file=sys.stderr)
        print(f"Reason: {error}", file=sys.stderr)
        return 1
    sock = _bind(options.host, port)
    shown = "127.0.0.1" if options.host in ("0.0.0.0", "::") else options.host
    return service.serve(sock, f"http://{shown}:{port}", ddb_sock)
