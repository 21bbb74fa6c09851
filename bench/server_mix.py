"""The Todo mix (`../shared/peer/mix.lua`, wrk) against our `amplify mock api` and the reference side by side.

For each server: start it on corpus v1/01-todo with empty in-memory tables (the reference with DynamoDB
Local `-inMemory`), measure cold start (spawn to the first answered listTodos), seed 50 todos, run wrk at
c=1 and c=8 (and the server's CPU per request at c=8, from /proc), read its RSS idle and after the load,
stop it. Prints one JSON line per server and the ratios.

    .venv/bin/python bench/server_mix.py [--duration 10] [--api v1/01-todo] [--skip-reference]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PEER = Path(os.environ.get("AMPLIFY_PEER", "/work/peer"))
KEY = "da2-fakeApiId123456"
LIST = {"query": "query { listTodos(limit: 1) { items { id } } }"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    """RSS of a process and its children (the reference's JVM is a child of node)."""
    total = 0
    pids = [pid]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    pids += [int(child) for child in children]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return round(total / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (utime, stime, cutime, cstime of /proc/PID/stat)."""
    total = 0
    pids = [pid, *(int(child) for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                           text=True).stdout.split())]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += sum(int(value) for value in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def answered(port: int) -> bool:
    """One listTodos over a raw socket: a client that costs no CPU to set up (a new httpx client per try
    loads its TLS context, ~30 ms that competed with the server starting on the same cores)."""
    body = json.dumps(LIST).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                     b"x-api-key: %s\r\ncontent-length: %d\r\n\r\n%s" % (KEY.encode(), len(body), body))
        answer = b""
        while b'"data"' not in answer and b'"errors"' not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.startswith(b"HTTP/1.1 200") and b'"data"' in answer


def wait_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if answered(port):
                return
        except OSError:
            pass
        time.sleep(0.003)
    raise SystemExit(f"port {port} did not answer in time")


def wrk(port: int, connections: int, duration: int, ids: Path) -> dict:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(SHARED / "peer" / "mix.lua"),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, env={**os.environ, "IDS": str(ids)}, check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(name: str, command: list[str], port: int, duration: int) -> dict:
    url = f"http://127.0.0.1:{port}/graphql"
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_ready(port, started + 180)
        cold = time.monotonic() - started
        time.sleep(1)
        idle = rss_mib(process.pid)
        with tempfile.TemporaryDirectory() as folder:
            ids = Path(folder) / "ids.txt"
            subprocess.run([sys.executable, str(SHARED / "peer" / "seed_ids.py"), url, KEY, "50"], cwd=folder,
                           check=True, capture_output=True)
            one = wrk(port, 1, duration, ids)
            cpu = cpu_seconds(process.pid)
            eight = wrk(port, 8, duration, ids)
            # the server's CPU per answered request at c=8: the figure that holds on a busy machine
            eight["server_cpu_ms"] = round((cpu_seconds(process.pid) - cpu) * 1000 / eight["requests"], 3)
        return {"server": name, "cold_start_s": round(cold, 3), "idle_rss_mib": idle,
                "rss_after_mib": rss_mib(process.pid), "c1": one, "c8": eight}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--api", default="v1/01-todo")
    parser.add_argument("--skip-reference", action="store_true")
    options = parser.parse_args()
    build = SHARED / "corpus" / options.api
    port = free_port()
    ours = measure("amplify-local", [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(build),
                                     "--port", str(port)], port, options.duration)
    print(json.dumps(ours))
    if options.skip_reference:
        return 0
    port = free_port()
    reference = measure("reference", ["node", str(PEER / "serve.js"), str(build), "--port", str(port),
                                      "--ddb-port", str(free_port()), "--quiet"], port, options.duration)
    print(json.dumps(reference))
    print(json.dumps({
        "rps_ratio_c1": round(ours["c1"]["rps"] / reference["c1"]["rps"], 1),
        "rps_ratio_c8": round(ours["c8"]["rps"] / reference["c8"]["rps"], 1),
        "p99_ratio_c8": round(ours["c8"]["p99_ms"] / reference["c8"]["p99_ms"], 2),
        "cold_start_ratio": round(ours["cold_start_s"] / reference["cold_start_s"], 2),
        "idle_rss_ratio": round(ours["idle_rss_mib"] / reference["idle_rss_mib"], 2),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
