"""Hot reload latency: from saving `schema.graphql` with a new field to that field being served.

Starts `amplify mock api` in a scratch project (a Todo model), then N times: add a field, write the
schema, poll the endpoint every 2 ms until a query selecting the field answers without errors.
Prints the median and worst time. (The reference waits 2 s for writes to settle before it even
starts reloading; its figure is that plus a transformer run of several seconds.)

    .venv/bin/python bench/server_reload.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

KEY = {"x-api-key": "da2-fakeApiId123456"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        root = Path(folder)
        api = root / "amplify" / "backend" / "api" / "bench"
        api.mkdir(parents=True)
        fields = ["id: ID!", "name: String"]
        schema = api / "schema.graphql"
        schema.write_text(f"type Todo @model {{ {' '.join(fields)} }}\n")
        process = subprocess.Popen([sys.executable, "-m", "amplify_local", "mock", "api", "--port", str(port),
                                    "--ddb-port", "0"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)
        try:
            assert process.stdout is not None and "running" in process.stdout.readline()
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=KEY)
            times = []
            for round_ in range(options.rounds):
                field = f"extra{round_}"
                fields.append(f"{field}: Int")
                started = time.monotonic()
                schema.write_text(f"type Todo @model {{ {' '.join(fields)} }}\n")
                while True:
                    body = client.post("/graphql", json={"query": f"{{ listTodos {{ items {{ {field} }} }} }}"}).json()
                    if "errors" not in body:
                        break
                    time.sleep(0.002)
                times.append((time.monotonic() - started) * 1000)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(json.dumps({"rounds": options.rounds, "median_ms": round(statistics.median(times), 1),
                      "max_ms": round(max(times), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
