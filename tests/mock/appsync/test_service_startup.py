"""What `amplify mock api` loads before its first answer: the cold-start budget (0.5 s) depends on keeping
heavy packages off that path, so a new top-level import of one of them fails here."""

from __future__ import annotations

import json
import subprocess
import sys

from kit import CORPUS

BUILD = CORPUS / "v1" / "01-todo"

SCRIPT = f"""
import asyncio, json, sys
from pathlib import Path
from amplify_local.mock.appsync.service import MockService, _uvicorn

service = MockService.create(project=None, build=Path({str(BUILD)!r}))
uvicorn = _uvicorn()
assert uvicorn.Config and uvicorn.Server

async def first():
    return await service.state.simulator.handle(
        {{"query": "query {{ listTodos(limit: 1) {{ items {{ id }} }} }}"}}, {{"x-api-key": "da2-fakeApiId123456"}})

status, body = asyncio.run(first())
print(json.dumps({{"status": status, "body": body, "modules": sorted(sys.modules)}}))
"""


def test_first_answer_loads_no_deferred_package() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    assert result["status"] == 200
    assert result["body"] == {"data": {"listTodos": {"items": []}}}
    loaded = set(result["modules"])
    deferred = {"starlette.applications", "starlette.routing", "cryptography", "websockets", "click", "watchfiles",
                "botocore", "amplify_local.mock.dynamodb.api", "amplify_local.mock.appsync.realtime"}
    assert loaded & deferred == set()
