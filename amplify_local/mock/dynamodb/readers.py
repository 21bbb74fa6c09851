"""Reader processes: the DynamoDB endpoint on more than one core.

One Python process answers about 10,000 GetItem requests a second on its core, and a client such as wrk
(or several Lambda functions) can ask for more. So `amplify mock dynamodb` starts reader processes beside
the engine's own process (the primary). The primary accepts every connection and deals them round-robin
between itself and the readers, handing a reader's over at once (its descriptor, over a Unix socket).

The primary owns the file and does every write. A reader answers the reads (`READS`) from a read-only view
of the file (`storage.Snapshot`); for any other operation it hands the connection back to the primary with
the bytes of the request, and the primary serves that connection from then on (a client that writes stays
on the primary). A read must see every write acknowledged before it arrived, so the primary counts its
acknowledged and its committed writes in memory the readers map (`storage.Progress`): a read that arrives
while the counts differ asks the primary to commit (`PUBLISH`) and waits, in a task, until it has. The
primary also commits (`Engine.publish`) once its writes pause for `PUBLISH_SECONDS`, and at least every
`PUBLISH_MAX_SECONDS` under a steady stream of writes, so reads rarely wait. A write the primary
acknowledges after a read arrived is concurrent with it and may or may not be seen, as with DynamoDB.

Reader processes exist on POSIX systems only (they need descriptor passing) and only over a file (not
`--in-memory`). A reader that dies loses its connections (the SDKs retry); new ones go to the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from amplify_local.mock import http, jsonwire
from amplify_local.mock.dynamodb import storage
from amplify_local.mock.dynamodb.api import TARGET_PREFIX, responder
from amplify_local.mock.dynamodb.engine import Engine
from amplify_local.mock.dynamodb.shapes import request_checker
from amplify_local.mock.dynamodb.storage import Progress, Snapshot

log = logging.getLogger("amplify_local.dynamodb")

READS = frozenset((TARGET_PREFIX + name).encode() for name in ("GetItem", "Query", "Scan", "BatchGetItem"))
PUBLISH_SECONDS = 0.02
PUBLISH_MAX_SECONDS = 0.5
WAIT_SECONDS = 5.0  # how long a read waits for the primary to commit before it fails (a full disk, a hang)
_LENGTH = struct.Struct("<I")  # a handed-over connection's bytes follow their length and its descriptor
# sent in place of a length: a reader serves; a reader asks the primary to commit; the primary has committed
READY, PUBLISH, PUBLISHED = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def supported() -> bool:
    """Whether this system can pass a connection to another process (POSIX: Linux, macOS)."""
    return os.name == "posix" and hasattr(socket, "send_fds")


def default_count() -> int:
    """Readers beside the primary: one per further core, at most three; none without descriptor passing."""
    return max(0, min((os.cpu_count() or 1) - 1, 3)) if supported() else 0


def _signal(control: socket.socket, code: int) -> None:
    with contextlib.suppress(OSError):  # the other process is gone; its end is being closed
        control.sendall(_LENGTH.pack(code))


class Pool:
    """The primary's side: starts the readers, deals them their share of the connections `server` accepts,
    serves the connections they hand back, and publishes the engine's writes. `start()` runs on the serving
    loop; `stop()` ends the readers (each also ends when the primary's end of its control socket closes, a
    killed primary included)."""

    def __init__(self, engine: Engine, path: Path, server: http.Server, count: int,
                 on_ready: Callable[[], None] | None = None) -> None:
        progress = engine.progress
        if progress is None:
            raise ValueError("reader processes need an engine opened with shared=True")
        self._engine = engine
        self._progress = progress
        self._path = path
        self._server = server
        self._count = count
        self._on_ready = on_ready  # called once every reader serves
        self._processes: list[tuple[subprocess.Popen[bytes], socket.socket]] = []
        self._ready: list[socket.socket] = []  # the control sockets of the readers serving now
        self._turn = 0  # whose the next accepted connection is: 0 the primary, k the ready reader k
        self._timer: asyncio.TimerHandle | None = None
        self._asked = False  # a reader's PUBLISH is being answered
        self._seen = progress.written  # the acknowledged writes at the last tick
        self._published_at = time.monotonic()

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(self._count):
            primary_end, reader_end = socket.socketpair()
            process = subprocess.Popen(
                [sys.executable, "-m", "amplify_local.mock.dynamodb.readers", str(self._path),
                 str(reader_end.fileno()), str(self._progress.fd)],
                pass_fds=(reader_end.fileno(), self._progress.fd))
            reader_end.close()
            self._processes.append((process, primary_end))
            Inbox(primary_end, self._server,
                  {READY: lambda control=primary_end: self._serving(control), PUBLISH: self._ask},
                  on_close=lambda control=primary_end, process=process: self._lost(control, process)).start()
        self._server.accept = self._accept
        self._timer = loop.call_later(PUBLISH_SECONDS, self._tick)

    def _serving(self, control: socket.socket) -> None:
        self._ready.append(control)
        if len(self._ready) == self._count and self._on_ready is not None:
            self._on_ready()

    def _lost(self, control: socket.socket, process: subprocess.Popen[bytes]) -> None:
        """A reader ended (killed, or crashed): its connections are gone, new ones are dealt to the others."""
        if control in self._ready:
            self._ready.remove(control)
            log.warning("DynamoDB: reader process %d ended; %d left", process.pid, len(self._ready))
        if process.poll() is None:  # its socket closes as it exits: reap it once it has
            asyncio.get_running_loop().call_later(0.05, self._lost, control, process)

    def _accept(self) -> asyncio.BaseProtocol:
        """A new connection's protocol: served here, or handed to the ready reader whose turn it is."""
        self._turn = (self._turn + 1) % (len(self._ready) + 1)
        if self._turn == 0:
            return self._server.connection()
        return HandOver(self._ready[self._turn - 1], at_once=True)

    def _ask(self) -> None:
        """A reader waits for the writes acknowledged so far: publish them once this loop's turn is over
        (the asks of several readers, and the writes answered meanwhile, are served by one commit)."""
        if not self._asked:
            self._asked = True
            asyncio.get_running_loop().call_soon(self._publish)

    def _tick(self) -> None:
        """Publish when the writes have paused (none since the last tick) or waited too long."""
        written, now = self._progress.written, time.monotonic()
        if written != self._progress.committed and (written == self._seen
                                                   or now - self._published_at >= PUBLISH_MAX_SECONDS):
            self._publish()
        elif written == self._progress.committed:
            self._published_at = now
        self._seen = written
        self._timer = asyncio.get_running_loop().call_later(PUBLISH_SECONDS, self._tick)

    def _publish(self) -> None:
        self._asked = False
        self._published_at = time.monotonic()
        try:
            self._engine.publish()
        except Exception:  # a full disk: the writes stay acknowledged and logged; waiting reads time out
            log.exception("DynamoDB: committing for the reader processes failed")
            return
        for control in self._ready:
            _signal(control, PUBLISHED)

    def stop(self) -> None:
        """End the readers: each sees its control socket close and stops (killed if it has not in 5 s)."""
        if self._timer is not None:
            self._timer.cancel()
        self._ready.clear()
        for _, control in self._processes:
            control.close()
        for process, _ in self._processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
        self._processes.clear()


class Inbox:
    """The receiving end of a control socket: serves through `server` each connection handed over on it
    (a length, the descriptor, then that many bytes already read from the connection), calls `signals[code]`
    for a code sent in place of a length, and `on_close` when the other process closes its end."""

    def __init__(self, control: socket.socket, server: http.Server, signals: dict[int, Callable[[], None]],
                 on_close: Callable[[], None]) -> None:
        self._control = control
        self._server = server
        self._signals = signals
        self._on_close = on_close
        self._buffer = bytearray()
        self._descriptors: list[int] = []
        self._adopting: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        asyncio.get_running_loop().add_reader(self._control.fileno(), self._receive)

    def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        try:  # the socket stays blocking for `HandOver`'s sends: this read must not wait
            data, fds, _, _ = socket.recv_fds(self._control, 1 << 16, 64, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            data, fds = b"", []
        self._descriptors.extend(fds)
        if not data:
            loop.remove_reader(self._control.fileno())
            for fd in self._descriptors:
                os.close(fd)
            self._on_close()
            return
        buffer = self._buffer
        buffer += data
        while len(buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(buffer)
            if length in self._signals:
                del buffer[:_LENGTH.size]
                self._signals[length]()
                continue
            if not self._descriptors or len(buffer) < _LENGTH.size + length:
                break
            first = bytes(buffer[_LENGTH.size:_LENGTH.size + length])
            del buffer[:_LENGTH.size + length]
            connection = socket.socket(fileno=self._descriptors.pop(0))
            connection.setblocking(False)
            task = loop.create_task(self._server.adopt(connection, first))
            self._adopting.add(task)
            task.add_done_callback(self._adopting.discard)


class HandOver(asyncio.Protocol):
    """Gives a connection to the process at the other end of `control`: `at_once` (the primary dealing a
    reader a new connection), or with the bytes of the first request it receives (a reader's `fallback`,
    for a request it does not answer), once the answers already written have left."""

    def __init__(self, control: socket.socket, at_once: bool = False) -> None:
        self._control = control
        self._at_once = at_once
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        if self._at_once:
            transport.pause_reading()  # type: ignore[attr-defined]
            self._send(b"")

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._transport.pause_reading()
        self._send(data)

    def _send(self, data: bytes) -> None:
        transport = self._transport
        assert transport is not None
        if transport.get_write_buffer_size():  # a pipelining client: our answers go out first
            asyncio.get_running_loop().call_later(0.001, self._send, data)
            return
        fd = os.dup(transport.get_extra_info("socket").fileno())
        try:
            socket.send_fds(self._control, [_LENGTH.pack(len(data))], [fd])
            self._control.sendall(data)
        except OSError:  # the other process is gone: the client sees the connection close and retries
            pass
        finally:
            os.close(fd)
        transport.abort()  # our descriptor only: the connection lives on in the other process


class View:
    """A reader's view of the file: which requests it answers (`keeps`, the `http.Keeps` of its connections:
    the reads), and `respond`, which answers one once the view holds every write the primary had
    acknowledged when it arrived, asking the primary to commit and waiting when it does not (in a task: the
    reader's other connections go on). The view is one read transaction, renewed when the primary has
    committed since it began; tables are reloaded after a schema change. A view idle for `IDLE_SECONDS` is let
    go (`tick`), so that it does not keep the primary's checkpoints from emptying the WAL."""

    IDLE_SECONDS = 1.0

    def __init__(self, engine: Engine, snapshot: Snapshot, progress: Progress, control: socket.socket) -> None:
        self._engine = engine
        self._snapshot = snapshot
        self._progress = progress
        self._control = control
        self._answer = responder(engine)
        self._seen = -1  # the primary's commit count when the view began; -1: no view held
        self._schema = progress.read()[2]
        self._used = False
        self._published: asyncio.Future[None] | None = None

    @staticmethod
    def keeps(method: bytes, url: bytes, headers: http.Headers, upgrade: bool) -> bool:
        if method != b"POST":
            return not upgrade  # the health line and CORS preflights
        return headers.get(b"x-amz-target") in READS

    def respond(self, method: bytes, url: bytes, headers: http.Headers,
                body: bytes) -> http.Answer | Coroutine[Any, Any, http.Answer]:
        written, committed, schema = self._progress.read()
        if committed < written:
            return self._respond_later(written, method, url, headers, body)
        self._renew(committed, schema)
        return self._answer(method, url, headers, body)  # type: ignore[return-value]

    def _renew(self, committed: int, schema: int) -> None:
        if schema != self._schema:  # committed too (DDL is not counted as a write): a new view, then the tables
            self._seen = committed
            self._snapshot.renew()
            self._schema = schema
            self._engine.reload_tables()
        elif committed != self._seen:
            self._seen = committed
            self._snapshot.renew()
        self._used = True

    async def _respond_later(self, written: int, method: bytes, url: bytes, headers: http.Headers,
                             body: bytes) -> http.Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while True:
            _, committed, schema = self._progress.read()
            if committed >= written:
                break
            if loop.time() >= deadline:
                payload = jsonwire.dumps_ascii(
                    {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                     "message": "The mock's writer did not commit in time; try again"})
                return 500, b"content-type: application/x-amz-json-1.0\r\nx-amz-crc32: %d\r\n" % zlib.crc32(payload), payload
            if self._published is None:
                self._published = loop.create_future()
                _signal(self._control, PUBLISH)
            try:  # asked again after a while, should the answer have been lost with a failed commit
                await asyncio.wait_for(asyncio.shield(self._published), 0.1)
            except TimeoutError:
                self._published = None
        self._renew(committed, schema)
        answer = self._answer(method, url, headers, body)
        return answer  # type: ignore[return-value]

    def published(self) -> None:
        """The primary committed: the reads waiting for it go on."""
        if self._published is not None:
            self._published.set_result(None)
            self._published = None

    def tick(self) -> None:
        if not self._used:
            self._snapshot.release()
            self._seen = -1
        self._used = False
        asyncio.get_running_loop().call_later(self.IDLE_SECONDS, self.tick)


def main(argv: list[str]) -> int:
    """A reader process: `python -m amplify_local.mock.dynamodb.readers DB CONTROL PROGRESS` (the last two
    inherited descriptors), started by `Pool`; it serves the connections the primary hands it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the primary decides
    path, control_fd, progress_fd = Path(argv[0]), int(argv[1]), int(argv[2])
    try:
        snapshot = storage.snapshot(path)
    except storage.StorageError as error:  # the primary serves alone: say why there is no reader
        print(f"amplify mock dynamodb: a reader process cannot start: {error}", file=sys.stderr)
        return 1
    engine = Engine(snapshot)
    control = socket.socket(fileno=control_fd)
    view = View(engine, snapshot, Progress(progress_fd), control)
    server = http.Server(view.respond, keeps=view.keeps, fallback=lambda: HandOver(control))
    loop = http.new_event_loop()

    async def serve() -> None:
        Inbox(control, server, {PUBLISHED: view.published}, on_close=server.stop).start()
        view.tick()
        serving = asyncio.ensure_future(server.serve([]))
        await asyncio.sleep(0)
        request_checker("GetItem")  # botocore's model loads before the first request, not in its way
        _signal(control, READY)
        await serving

    try:
        loop.run_until_complete(serve())
    finally:
        loop.close()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
