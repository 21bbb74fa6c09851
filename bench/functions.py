"""Function invocation: amplify-local's warm workers against the reference mock, side by side.

    .venv/bin/python bench/functions.py [--calls 300] [--cold 5] [--no-server]

Measures, in one run on the same machine:
1. warm invoke round trip through `FunctionRunner.invoke` (Node and Python), p50 / p95;
2. cold first call: a new runner, worker start, module load and the first invoke;
3. the reference's `amplify mock function`, which starts a fresh Node process per call (execa of its
   shim): stood in for by a fresh `node -e` that requires the handler and invokes it once per call;
4. @function through `POST /graphql`: `query { echo }` on the corpus's v1/07-function API minus a
   resolver-free `query { __typename }` round trip, on `amplify mock api` and on the reference's
   `serve.js` (the real simulator with the kit's `lambdas/*.js`), when both can start.

The handler is the kit's `lambdas/echofunction.js` everywhere (the Python figures use an equivalent
handler). Figures are medians of this run; compare the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from amplify_local.mock.lambda_runner import FunctionRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AMPLIFY_SHARED", REPO.parent / "shared"))
PEER_KIT = Path(os.environ.get("AMPLIFY_PEER", REPO.parent / "peer"))
LAMBDAS = SHARED / "peer" / "lambdas"
FUNCTION_API = SHARED / "corpus" / "v1" / "07-function"
EVENT = {"typeName": "Query", "fieldName": "echo", "arguments": {"msg": "bench"}, "identity": None,
         "source": None, "request": {"headers": {}}, "prev": None}
PYTHON_ECHO = "def handler(event, context):\n    return (event.get('arguments') or {}).get('msg')\n"
PYTHON_TEMPLATE = {"Resources": {"LambdaFunction": {"Type": "AWS::Lambda::Function", "Properties": {
    "Handler": "index.handler", "Runtime": f"python{sys.version_info.major}.{sys.version_info.minor}", "Timeout": 10}}}}
ECHO_QUERY = {"query": 'query { echo(msg: "bench") }'}
BASELINE_QUERY = {"query": "query { __typename }"}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3), "n": len(ordered)}


@contextmanager
def python_project() -> Iterator[Path]:
    """A throwaway Amplify project with one Python function equivalent to echofunction.js."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        function = root / "amplify" / "backend" / "function" / "pyecho"
        (function / "src").mkdir(parents=True)
        (function / "src" / "index.py").write_text(PYTHON_ECHO)
        (function / "pyecho-cloudformation-template.json").write_text(json.dumps(PYTHON_TEMPLATE))
        yield root


def runner_for(language: str, root: Path | None) -> tuple[FunctionRunner, str]:
    quiet = lambda *_: None  # noqa: E731
    if language == "nodejs":
        return FunctionRunner(lambda_dir=LAMBDAS, log=quiet, build=False), "echofunction"
    return FunctionRunner(root, log=quiet, build=False), "pyecho"


def warm(language: str, root: Path | None, calls: int) -> dict[str, float]:
    async def main() -> list[float]:
        runner, name = runner_for(language, root)
        try:
            await runner.invoke(name, EVENT)
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                await runner.invoke(name, EVENT)
                samples.append(time.perf_counter() - started)
            return samples
        finally:
            await runner.close()
    return percentiles(asyncio.run(main()))


def cold(language: str, root: Path | None, repeats: int) -> dict[str, float]:
    async def once() -> float:
        runner, name = runner_for(language, root)
        try:
            started = time.perf_counter()
            await runner.invoke(name, EVENT)
            return time.perf_counter() - started
        finally:
            await runner.close()
    return percentiles([asyncio.run(once()) for _ in range(repeats)])


def fresh_node_per_call(repeats: int) -> dict[str, float]:
    """The reference `amplify mock function` stand-in: one new Node process per invocation."""
    script = ("const h = require(process.argv[1]).handler;"
              "Promise.resolve(h(JSON.parse(process.argv[2]), {})).then((r) => process.stdout.write(JSON.stringify(r)));")
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(["node", "-e", script, str(LAMBDAS / "echofunction.js"), json.dumps(EVENT)],
                              capture_output=True, text=True, check=True)
        samples.append(time.perf_counter() - started)
        assert done.stdout == '"bench"', done.stdout
    return percentiles(samples)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(command: list[str], ready: Callable[[str], bool], timeout: float = 120.0) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"{command[:3]} exited before it was ready")
            if ready(line):
                break
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def graphql_round_trips(url: str, calls: int) -> dict[str, Any]:
    """Sequential POSTs, each on a new connection (as curl sends them). http.client writes a small
    request in one send; a fresh connection per request keeps keep-alive stalls (Nagle / delayed ACK on
    a reused connection, seen on our server at the time of writing) out of the function figure."""
    parsed = urlsplit(url)
    headers = {"x-api-key": "da2-fakeApiId123456", "content-type": "application/json"}

    def post(body: bytes) -> None:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        try:
            connection.request("POST", parsed.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
        finally:
            connection.close()
        assert response.status == 200 and "errors" not in answer, answer

    def series(body: bytes) -> list[float]:
        samples = []
        for _ in range(calls):
            started = time.perf_counter()
            post(body)
            samples.append(time.perf_counter() - started)
        return samples

    echo_body, baseline_body = json.dumps(ECHO_QUERY).encode(), json.dumps(BASELINE_QUERY).encode()
    for body in (echo_body, baseline_body):  # warm the workers and the document caches
        for _ in range(10):
            post(body)
    echo = percentiles(series(echo_body))
    baseline = percentiles(series(baseline_body))
    return {"echo": echo, "baseline": baseline, "function_ms": round(echo["p50_ms"] - baseline["p50_ms"], 3)}


def through_servers(calls: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    port = _free_port()
    ours = [sys.executable, "-m", "amplify_local", "mock", "api", "--build", str(FUNCTION_API), "--port", str(port),
            "--lambda-dir", str(LAMBDAS)]
    try:
        with server(ours, lambda line: "running" in line):
            results["amplify_local"] = graphql_round_trips(f"http://127.0.0.1:{port}/graphql", calls)
    except (RuntimeError, OSError) as error:
        results["amplify_local"] = {"skipped": str(error)}
    serve = PEER_KIT / "serve.js"
    if not serve.exists() or shutil.which("java") is None:
        results["reference"] = {"skipped": f"needs {serve} and java"}
        return results
    port, ddb_port = _free_port(), _free_port()
    peer = ["node", str(serve), str(FUNCTION_API), "--port", str(port), "--ddb-port", str(ddb_port),
            "--lambda-dir", str(LAMBDAS), "--quiet"]
    with server(peer, lambda line: line.startswith("PEER READY")):
        results["reference"] = graphql_round_trips(f"http://127.0.0.1:{port}/graphql", calls)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--no-server", action="store_true", help="skip the POST /graphql comparison")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    options = parser.parse_args()
    report: dict[str, Any] = {}
    with python_project() as root:
        report["warm_node"] = warm("nodejs", None, options.calls)
        report["warm_python"] = warm("python", root, options.calls)
        report["cold_node"] = cold("nodejs", None, options.cold)
        report["cold_python"] = cold("python", root, options.cold)
    report["reference_fresh_node_per_call"] = fresh_node_per_call(max(options.cold, 10))
    if not options.no_server:
        report["graphql"] = through_servers(max(50, options.calls // 3))
    reference = report["reference_fresh_node_per_call"]["p50_ms"]
    print(json.dumps(report, indent=2))
    print(f"\nwarm Node invoke p50 {report['warm_node']['p50_ms']} ms vs reference per-call Node "
          f"{reference} ms: {reference / report['warm_node']['p50_ms']:.0f}x")
    print(f"cold first call p50: Node {report['cold_node']['p50_ms']} ms, Python {report['cold_python']['p50_ms']} ms")
    graphql = report.get("graphql", {})
    if "function_ms" in graphql.get("amplify_local", {}) and "function_ms" in graphql.get("reference", {}):
        ours, theirs = graphql["amplify_local"], graphql["reference"]
        print(f"@function echo p50 through POST /graphql: {ours['echo']['p50_ms']} ms vs reference "
              f"{theirs['echo']['p50_ms']} ms ({theirs['echo']['p50_ms'] / ours['echo']['p50_ms']:.1f}x); "
              f"minus the resolver-free round trip: {ours['function_ms']} ms vs {theirs['function_ms']} ms")
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
