"""`amplify mock dynamodb`: the DynamoDB endpoint alone, over the project's tables (no Java).

SDK clients (Lambda functions, scripts, the AWS CLI) point `endpoint_url` at it. Data lives in one SQLite
file, by default `amplify/mock-data/dynamodb/local.sqlite` of the project in the current folder, shared
with `amplify mock api`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_PORT = 62224
USAGE = "amplify mock dynamodb [--port N] [--host H] [--db-path PATH | --in-memory] [--readers N]"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amplify mock dynamodb", usage=USAGE, description=(
        "Run a DynamoDB endpoint (JSON 1.0 protocol, as DynamoDB Local) over the project's mock tables."))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--db-path", type=Path, help="SQLite file, or folder for local.sqlite "
                        "(default: amplify/mock-data/dynamodb of the project)")
    parser.add_argument("--in-memory", action="store_true", help="keep the tables in memory only")
    parser.add_argument("--readers", type=int, help="reader processes that answer reads beside the one that "
                        "writes (default: one per further core, at most 3; 0 with --in-memory)")
    return parser


def main(argv: list[str]) -> int:
    options = _parser().parse_args(argv)
    from amplify_local.mock.dynamodb import Engine, StorageError
    from amplify_local.mock.dynamodb.api import serve
    from amplify_local.mock.dynamodb.readers import default_count, supported
    from amplify_local.mock.dynamodb.storage import database_file
    from amplify_local.mock.http import bind

    if options.in_memory and options.db_path:
        print("amplify mock dynamodb: --in-memory and --db-path cannot be used together", file=sys.stderr)
        return 2
    path = None if options.in_memory else options.db_path or Path.cwd() / "amplify" / "mock-data" / "dynamodb"
    if options.readers is None:
        readers = default_count() if path is not None else 0
    elif options.readers and (path is None or not supported()):
        print("amplify mock dynamodb: --readers needs a file (not --in-memory) and a POSIX system (Linux, macOS)",
              file=sys.stderr)
        return 2
    elif options.readers < 0:
        print("amplify mock dynamodb: --readers must be 0 or more", file=sys.stderr)
        return 2
    else:
        readers = options.readers
    try:
        engine = Engine.open(path, shared=bool(readers))
    except StorageError as error:
        print(f"amplify mock dynamodb: {error}", file=sys.stderr)
        return 1
    where = "memory" if path is None else str(database_file(path))
    try:
        sock = bind(options.host, options.port)
    except OSError as error:
        engine.close()
        print(f"amplify mock dynamodb: Port {options.port} is not free ({error.strerror}). Please use a different "
              "port with --port.", file=sys.stderr)
        return 1

    def ready() -> None:
        print(f"DynamoDB endpoint is running at http://{options.host}:{options.port} (data in {where})", flush=True)

    def readers_ready() -> None:
        print(f"{readers} reader process{'es' if readers > 1 else ''} answer{'' if readers > 1 else 's'} reads beside "
              "it (--readers to change)", flush=True)

    try:
        serve(engine, sock=sock, on_ready=ready, readers=readers, path=path, on_readers=readers_ready)
    finally:
        engine.close()
    return 0
