"""Realtime benchmark: mutation-to-event latency, ours against the reference mock, side by side.

    .venv/bin/python bench/realtime.py [--golden DIR] [--subscribers 1000] [--rounds 30] [--no-peer]

Both servers serve the same corpus build (v1/01-todo) with empty tables. The client (this process)
subscribes to `onCreateTodo` over the AppSync realtime protocol (the `header` query parameter carrier,
which both accept), sends `createTodo` over HTTP and times, from just before the POST, when each
subscriber's `data` frame arrives:

- one subscriber: `--rounds` sequential mutations after warm-up; p50 / p99 / mean;
- fan-out: `--subscribers` subscriptions on one mutation (spread over `--connections` sockets), `--fanout-rounds`
  mutations; the p99 over every delivery, and the time until the last subscriber has it.

The reference (`node /work/peer/serve.js`, with DynamoDB Local) needs Node and Java; `--no-peer` skips it.
The client shares the machine's cores with the server under test, equally for both.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
PEER = Path("/work/peer") if Path("/work/peer/serve.js").is_file() else SHARED / "peer"
API_KEY = "da2-fakeApiId123456"
SUBSCRIPTION = "subscription { onCreateTodo { id name description } }"
MUTATION = "mutation M($name: String!) { createTodo(input: {name: $name}) { id name description } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen[str] | None  # None: attached to a server started elsewhere
    port: int

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def websocket(self) -> str:
        header = {"host": f"127.0.0.1:{self.port}", "x-api-key": API_KEY}
        encoded = base64.b64encode(json.dumps(header).encode()).decode()
        return f"ws://127.0.0.1:{self.port}/graphql/realtime?header={encoded}&payload=e30="

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_ours(golden: Path, data: Path) -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "amplify_local",
        "mock",
        "api",
        "--build",
        str(golden),
        "--port",
        str(port),
    ]
    command += ["--db-path", str(data)]
    env = {**os.environ, "AMPLIFY_LOCAL_HOME": str(data)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    server = Server("amplify-local", process, port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"amplify mock api exited: {process.stderr.read()}")  # type: ignore[union-attr]
        with contextlib.suppress(httpx.TransportError):
            httpx.post(server.http, json={"query": "{__typename}"}, headers={"x-api-key": API_KEY}, timeout=1)
            return server
        time.sleep(0.05)
    server.stop()
    raise SystemExit("amplify mock api did not answer within 30 s")


def start_peer(golden: Path) -> Server:
    port = free_port()
    command = [
        "node",
        str(PEER / "serve.js"),
        str(golden),
        "--port",
        str(port),
        "--ddb-port",
        str(free_port()),
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("PEER READY"):
            return Server("reference", process, port)
        if not line and process.poll() is not None:
            raise SystemExit("the reference mock exited before it was ready")
    process.kill()
    raise SystemExit("the reference mock did not start within 120 s")


async def open_subscriptions(
    server: Server, connection_count: int, per_connection: int
) -> list[ClientConnection]:
    sockets = []
    for _ in range(connection_count):
        ws = await connect(server.websocket(), subprotocols=["graphql-ws"], max_size=None, compression=None)  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        while json.loads(await ws.recv())["type"] != "connection_ack":
            pass
        auth = {"host": f"127.0.0.1:{server.port}", "x-api-key": API_KEY}
        data = json.dumps({"query": SUBSCRIPTION, "variables": {}})
        for _ in range(per_connection):
            start = {
                "id": str(uuid.uuid4()),
                "type": "start",
                "payload": {"data": data, "extensions": {"authorization": auth}},
            }
            await ws.send(json.dumps(start))
        acked = 0
        while acked < per_connection:
            message = json.loads(await ws.recv())
            if message["type"] == "start_ack":
                acked += 1
            elif message["type"] in ("error", "connection_error"):
                raise SystemExit(f"{server.name}: subscription refused: {message}")
        sockets.append(ws)
    return sockets


class Poster:
    """HTTP/1.1 POSTs on one keep-alive connection, each request in a single write.

    (httpx writes the headers and the body separately; with Nagle's algorithm on the client and delayed
    ACKs on the server that costs ~40 ms per request on Linux loopback, which would swamp what we measure.)
    """

    def __init__(self, url: str) -> None:
        parsed = httpx.URL(url)
        self.host, self.port, self.path = parsed.host, parsed.port, parsed.raw_path.decode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: dict) -> dict:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self.reader is not None
        data = json.dumps(body).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\ncontent-type: application/json\r\n"
            f"x-api-key: {API_KEY}\r\ncontent-length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        return json.loads(await self.reader.readexactly(length))

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def collect(ws: ClientConnection, arrivals: dict[str, list[float]]) -> None:
    """Note each `data` frame's arrival under the todo's name. The name is cut out of the text rather
    than parsed: with 1,000 frames per mutation, the client's own JSON parsing would be measured too."""
    async for frame in ws:
        now = time.perf_counter()
        if '"type":"data"' in frame:
            start = frame.index('"name":"') + 8
            arrivals[frame[start : frame.index('"', start)]].append(now)


async def run_rounds(
    server: Server, sockets: list[ClientConnection], expected: int, rounds: int, warmup: int
) -> tuple[list[list[float]], list[float]]:
    """Per measured round, the delays (ms) from just before the POST to each subscriber's event; and
    the mutation's own HTTP round trip (ms), which bounds the first from below."""
    arrivals: dict[str, list[float]] = defaultdict(list)
    readers = [asyncio.create_task(collect(ws, arrivals)) for ws in sockets]
    results = []
    mutations = []
    poster = Poster(server.http)
    try:
        for round_number in range(warmup + rounds):
            name = f"bench-{uuid.uuid4()}"
            began = time.perf_counter()
            response = await poster.post({"query": MUTATION, "variables": {"name": name}})
            answered = time.perf_counter()
            assert (response.get("data") or {}).get("createTodo"), response
            deadline = time.monotonic() + 10
            while len(arrivals[name]) < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.0005)
            if len(arrivals[name]) < expected:
                raise SystemExit(f"{server.name}: {len(arrivals[name])} of {expected} events arrived")
            if round_number >= warmup:
                results.append([(at - began) * 1000 for at in arrivals[name]])
                mutations.append((answered - began) * 1000)
            await asyncio.sleep(0.02)
    finally:
        await poster.close()
    for reader in readers:
        reader.cancel()
    for ws in sockets:
        await ws.close()
    return results, mutations


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(server: Server, args: argparse.Namespace) -> dict[str, float]:
    single, mutations = await run_rounds(
        server, await open_subscriptions(server, 1, 1), 1, args.rounds, warmup=5
    )
    delays = [round_delays[0] for round_delays in single]
    per_connection = max(1, args.subscribers // args.connections)
    sockets = await open_subscriptions(server, args.connections, per_connection)
    expected = per_connection * args.connections
    fan, _ = await run_rounds(server, sockets, expected, args.fanout_rounds, warmup=2)
    everything = [delay for round_delays in fan for delay in round_delays]
    return {
        "single_p50_ms": statistics.median(delays),
        "single_p99_ms": percentile(delays, 0.99),
        "single_mean_ms": statistics.fmean(delays),
        "mutation_http_p50_ms": statistics.median(mutations),
        "fanout_subscribers": expected,
        "fanout_p50_ms": percentile(everything, 0.5),
        "fanout_p99_ms": percentile(everything, 0.99),
        "fanout_last_ms": statistics.median(max(round_delays) for round_delays in fan),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--golden", type=Path, default=SHARED / "corpus" / "v1" / "01-todo")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--fanout-rounds", type=int, default=10)
    parser.add_argument("--no-peer", action="store_true", help="measure amplify-local only")
    parser.add_argument(
        "--attach", type=int, metavar="PORT", help="measure an amplify-local already serving on PORT"
    )
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    if args.attach:
        figures["amplify-local"] = asyncio.run(measure(Server("amplify-local", None, args.attach), args))
    else:
        with tempfile.TemporaryDirectory() as data:
            ours = start_ours(args.golden, Path(data))
            try:
                figures[ours.name] = asyncio.run(measure(ours, args))
            finally:
                ours.stop()
    if not args.no_peer:
        peer = start_peer(args.golden)
        try:
            figures[peer.name] = asyncio.run(measure(peer, args))
        finally:
            peer.stop()
    keys = list(next(iter(figures.values())))
    print(
        f"{'':22}" + "".join(f"{name:>16}" for name in figures) + ("      ratio" if len(figures) == 2 else "")
    )
    for key in keys:
        row = [figures[name][key] for name in figures]
        line = f"{key:22}" + "".join(f"{value:16.2f}" for value in row)
        if len(row) == 2 and key != "fanout_subscribers" and row[0]:
            line += f"  {row[1] / row[0]:8.1f}x"
        print(line)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
