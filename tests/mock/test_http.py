"""The shared HTTP layer's seams, over real sockets: async handlers (answered in order, whether they
suspend or not, run eagerly or in a task), the handover of a request to another protocol, the keep-alive sweep, the refusal of a
declared oversized body. The DynamoDB endpoint's and the AppSync server's tests cover the rest through
their servers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rawhttp import responses

from amplify_local.mock import http


class Served:
    """`factory`'s protocol on a listening socket, on a loop in a thread."""

    def __init__(self, factory: Callable[[set[Any]], asyncio.Protocol]) -> None:
        self.connections: set[Any] = set()
        self.eager = False
        self.loop = asyncio.new_event_loop()
        self.sock = http.bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]

        async def main() -> None:
            await self.loop.create_server(lambda: factory(self.connections), sock=self.sock)
            http.KeepAlive(self.connections, 0.5)

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(main(), self.loop).result(5)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.sock.close()


def request(path: bytes = b"/", body: bytes = b"{}", method: bytes = b"POST", head: bytes = b"") -> bytes:
    return b"%s %s HTTP/1.1\r\nhost: x\r\ncontent-length: %d\r\n%s\r\n%s" % (method, path, len(body), head, body)


async def _echo(method: bytes, url: bytes, headers: http.Headers, body: bytes) -> http.Answer:
    """Suspends (as a Lambda data source would) when the body asks, then echoes the body."""
    if body.startswith(b"sleep"):
        await asyncio.sleep(0.05)
    if body == b"fail":
        raise RuntimeError("handler bug")
    if body == b"in a task?":
        return 200, b"", b"yes" if asyncio.current_task() is not None else b"no"
    return 200, b"content-type: text/plain\r\n", body


class Fallback(asyncio.Protocol):
    """Stands for uvicorn: answers every read with what it has received so far on the connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.received = b""

    def data_received(self, data: bytes) -> None:
        self.received += data
        self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s"  # type: ignore[attr-defined]
                             % (len(self.received), self.received))


@pytest.fixture(params=[False, True], ids=["task", "eager"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    server = Served(lambda connections: http.Connection(
        _echo, connections, max_body=1000, keeps=lambda method, url, headers, upgrade: url.startswith(b"/graphql"),
        fallback=Fallback, eager=lambda: request.param))
    server.eager = request.param
    yield server
    server.stop()


def test_a_coroutine_runs_in_a_task_unless_the_handler_allows_eager_runs(served: Served) -> None:
    """Eager: no task until the coroutine suspends (`asyncio.timeout` and anyio would fail there)."""
    with served.connect() as sock:
        sock.sendall(request(b"/graphql", b"in a task?"))
        assert responses(sock, 1)[0][2] == (b"no" if served.eager else b"yes")


def test_async_answers_come_in_order_whether_they_suspend_or_not(served: Served) -> None:
    bodies = [b"a", b"sleep b", b"c", b"sleep d", b"e"]
    with served.connect() as sock:
        sock.sendall(b"".join(request(b"/graphql", body) for body in bodies))
        assert [body for _, _, body in responses(sock, 5)] == bodies


def test_a_failing_handler_is_a_500_and_the_connection_serves_on(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(request(b"/graphql", b"fail") + request(b"/graphql", b"after"))
        (first, _, _), (second, _, body) = responses(sock, 2)
        assert (first, second, body) == (500, 200, b"after")


def test_a_refused_request_goes_to_the_fallback_with_its_bytes_and_the_connection(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(request(b"/graphql", b"mine"))
        assert responses(sock, 1)[0][2] == b"mine"
        other = request(b"/console", b"", method=b"GET")
        sock.sendall(other)
        assert responses(sock, 1)[0][2] == other
        sock.sendall(request(b"/graphql", b"now the fallback's"))
        assert responses(sock, 1)[0][2] == other + request(b"/graphql", b"now the fallback's")


def test_a_request_to_hand_over_behind_another_in_one_read_is_a_400(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(request(b"/graphql", b"sleep x") + request(b"/console", b"", method=b"GET"))
        (first, _, body), (second, headers, _) = responses(sock, 2)
        assert (first, body, second, headers["connection"]) == (200, b"sleep x", 400, "close")
        assert sock.recv(10) == b""


def test_a_declared_oversized_body_is_refused_once_read(served: Served) -> None:
    with served.connect() as sock:
        sock.sendall(request(b"/graphql", b"x" * 2000))
        [(status, headers, _)] = responses(sock, 1)
        assert (status, headers["connection"]) == (413, "close")
        assert sock.recv(10) == b""


def test_an_idle_keep_alive_connection_is_closed(served: Served) -> None:
    with served.connect() as busy, served.connect() as idle:
        idle.sendall(request(b"/graphql", b"once"))
        responses(idle, 1)
        started = time.monotonic()
        for _ in range(8):  # 0.8 s of requests every 0.1 s: never idle for the sweep's 0.5-0.6 s
            busy.sendall(request(b"/graphql", b"busy"))
            responses(busy, 1)
            time.sleep(0.1)
        assert idle.recv(10) == b"" and time.monotonic() - started < 1.5
        busy.sendall(request(b"/graphql", b"still served"))
        assert responses(busy, 1)[0][2] == b"still served"


def test_a_connection_answering_a_slow_request_is_not_idle() -> None:
    async def slow(method: bytes, url: bytes, headers: http.Headers, body: bytes) -> http.Answer:
        await asyncio.sleep(0.9)
        return 200, b"", body

    server = Served(lambda connections: http.Connection(slow, connections))
    try:
        with server.connect() as sock:
            sock.sendall(request(body=b"slow"))
            assert responses(sock, 1)[0][2] == b"slow"
    finally:
        server.stop()


def test_the_endpoint_server_closes_idle_connections() -> None:
    server = http.Server(lambda method, url, headers, body: (200, b"", b"ok"), keep_alive=0.3)
    background = http.Background.start(server, http.bind("127.0.0.1", 0))
    try:
        host, port = background.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(request())
            assert responses(sock, 1)[0][2] == b"ok"
            started = time.monotonic()
            assert sock.recv(10) == b""
            assert 0.2 < time.monotonic() - started < 1.5
    finally:
        background.stop()
