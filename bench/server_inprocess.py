"""The Todo mix through the ASGI app in-process (no sockets): the server's own CPU cost per request.

The same bodies as `../shared/peer/mix.lua` (createTodo 20%, getTodo 40%, listTodos(limit 20) 30%,
updateTodo 10%, seeded random), sent as ASGI messages to `AppSyncApp` on corpus v1/01-todo with in-memory
tables; prints req/s (wall) and the process CPU per request, the figure to compare on a busy machine.
`--profile FILE` writes a cProfile of the measured part. To compare two trees, run each in turn with
`PYTHONPATH=<tree>` (the editable install yields to it), alternating.

    .venv/bin/python bench/server_inprocess.py [--requests 3000] [--api v1/01-todo] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
KEY = b"da2-fakeApiId123456"
FIELDS = "id name description priority done createdAt updatedAt"
CREATE = "mutation C($input: CreateTodoInput!) { createTodo(input: $input) { " + FIELDS + " } }"
GET = "query G($id: ID!) { getTodo(id: $id) { " + FIELDS + " } }"
LIST = "query L($limit: Int) { listTodos(limit: $limit) { items { " + FIELDS + " } nextToken } }"
UPDATE = "mutation U($input: UpdateTodoInput!) { updateTodo(input: $input) { " + FIELDS + " } }"


async def post(app: Any, body: dict[str, Any]) -> dict[str, Any]:
    """One `POST /graphql` through the ASGI interface; the decoded answer."""
    raw = json.dumps(body).encode()
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": raw, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"x-api-key", KEY),
                         (b"content-length", str(len(raw)).encode())]}
    await app(scope, receive, send)
    return json.loads(sent[-1]["body"])


def bodies(ids: list[str], count: int) -> list[dict[str, Any]]:
    chooser = random.Random(42)
    out = []
    for n in range(count):
        r = chooser.randint(1, 100)
        if r <= 20:
            out.append({"query": CREATE, "variables": {"input": {"name": f"n{n}", "description": "d",
                                                                 "priority": n % 5, "done": False}}})
        elif r <= 60:
            out.append({"query": GET, "variables": {"id": chooser.choice(ids)}})
        elif r <= 90:
            out.append({"query": LIST, "variables": {"limit": 20}})
        else:
            out.append({"query": UPDATE, "variables": {"input": {"id": chooser.choice(ids), "description": f"u{n}"}}})
    return out


async def run(options: argparse.Namespace) -> tuple[float, float]:
    from amplify_local.mock.appsync.service import MockService

    service = MockService.create(project=None, build=SHARED / "corpus" / options.api)
    app = service.app
    ids = []
    for n in range(50):
        answer = await post(app, bodies(["-"], 1)[0] | {"variables": {"input": {"name": f"s{n}", "priority": 1,
                                                                                 "done": False}}, "query": CREATE})
        ids.append(answer["data"]["createTodo"]["id"])
    work = bodies(ids, options.requests)
    for body in work[:200]:
        await post(app, body)
    profiler = None
    if options.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    for body in work:
        answer = await post(app, body)
        if "errors" in answer or "data" not in answer:
            raise SystemExit(f"unexpected answer {answer}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(options.profile)
    service.engine.close()
    return options.requests / elapsed, cpu / options.requests


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--api", default="v1/01-todo")
    parser.add_argument("--profile")
    options = parser.parse_args()
    rate, cpu = asyncio.run(run(options))
    print(json.dumps({"api": options.api, "requests": options.requests, "rps": round(rate),
                      "cpu_us_per_request": round(cpu * 1e6, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
