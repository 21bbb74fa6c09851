"""Reader processes: the DynamoDB endpoint on more than one core.

One Python process answers about 10,000 GetItem requests a second on its core, and a client such as wrk
(or several Lambda functions) can ask for more. So `amplify mock dynamodb` starts reader processes beside
the engine's own process (the primary). The primary accepts every connection and deals them round-robin
between itself and the readers, handing a reader's over at once (its descriptor, over a Unix socket).

The primary owns the file and does every write. A reader answers the reads (`READS`) from a read-only view
of the file (`storage.Snapshot`), and only while that view holds every write the primary has acknowledged:
the primary counts its acknowledged and its committed writes in memory the readers map
(`storage.Progress`). For any other operation, and for a read that arrives while the counts differ, the
reader hands the connection back to the primary with the bytes of the request, and the primary serves that
connection from then on: a client that writes, or reads what is being written, stays with the writer, so
a load of writes and reads together runs as it would in one process. The primary commits (`Engine.publish`)
before it deals a reader a connection, within `SETTLE_SECONDS` of its writes pausing (it looks every
`SETTLE_SECONDS` while writes are uncommitted, every `WATCH_SECONDS` otherwise), and at least every
`PUBLISH_MAX_SECONDS` under a steady stream of writes, so that reads after a burst of writes go to the
readers again. A write the primary acknowledges after a read's head arrived is concurrent with that read,
which may or may not see it, as with DynamoDB.

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
from collections.abc import Callable
from pathlib import Path

from amplify_local.mock import http
from amplify_local.mock.dynamodb import storage
from amplify_local.mock.dynamodb.api import TARGET_PREFIX, responder
from amplify_local.mock.dynamodb.engine import Engine
from amplify_local.mock.dynamodb.shapes import request_checker
from amplify_local.mock.dynamodb.storage import Progress, Snapshot

log = logging.getLogger("amplify_local.dynamodb")

READS = frozenset((TARGET_PREFIX + name).encode() for name in ("GetItem", "Query", "Scan", "BatchGetItem"))
SETTLE_SECONDS = 0.001
WATCH_SECONDS = 0.05
PUBLISH_MAX_SECONDS = 0.5
_LENGTH = struct.Struct("<I")  # a handed-over connection's bytes follow their length and its descriptor
READY = 0xFFFFFFFF  # sent by a reader in place of a length: it serves


def supported() -> bool:
    """Whether this system can pass a connection to another process (POSIX: Linux, macOS)."""
    return os.name == "posix" and hasattr(socket, "send_fds")


def default_count() -> int:
    """Readers beside the primary: one per further core, at most three; none without descriptor passing."""
    return max(0, min((os.cpu_count() or 1) - 1, 3)) if supported() else 0


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
                  on_close=lambda control=primary_end, process=process: self._lost(control, process),
                  on_ready=lambda control=primary_end: self._serving(control)).start()
        self._server.accept = self._accept
        self._timer = loop.call_later(WATCH_SECONDS, self._tick)

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
        """A new connection's protocol: served here, or handed to the ready reader whose turn it is, after
        the writes acknowledged so far are committed (else its first read, arriving right after a burst of
        writes, would bring the connection back here for good)."""
        self._turn = (self._turn + 1) % (len(self._ready) + 1)
        if self._turn == 0:
            return self._server.connection()
        if self._progress.written != self._progress.committed:
            self._publish()
        return HandOver(self._ready[self._turn - 1], at_once=True)

    def _publish(self) -> None:
        self._published_at = time.monotonic()
        try:
            self._engine.publish()
        except Exception:  # a full disk: the writes stay acknowledged and logged; readers hand reads over
            log.exception("DynamoDB: committing for the reader processes failed")

    def _tick(self) -> None:
        """Publish when the writes have paused (none since the last tick) or waited too long."""
        progress = self._progress
        written, now = progress.written, time.monotonic()
        if written != progress.committed and (written == self._seen or now - self._published_at >= PUBLISH_MAX_SECONDS):
            self._publish()
        elif written == progress.committed:
            self._published_at = now
        self._seen = written
        delay = SETTLE_SECONDS if written != progress.committed else WATCH_SECONDS
        self._timer = asyncio.get_running_loop().call_later(delay, self._tick)

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
    (a length, the descriptor, then that many bytes already read from the connection), calls `on_ready` when
    the other process says it serves (`READY` in place of a length), `on_close` when it closes its end."""

    def __init__(self, control: socket.socket, server: http.Server, on_close: Callable[[], None],
                 on_ready: Callable[[], None] | None = None) -> None:
        self._control = control
        self._server = server
        self._on_close = on_close
        self._on_ready = on_ready
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
            if length == READY:
                del buffer[:_LENGTH.size]
                if self._on_ready is not None:
                    self._on_ready()
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
        if transport.is_closing():  # the client left meanwhile
            return
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
    """A reader's view of the file and the requests it answers from it (`keeps`, the `http.Keeps` of its
    connections; see the module docstring). The view is one read transaction, renewed when the primary has
    committed since it began; tables are reloaded after a schema change. A view idle for `IDLE_SECONDS` is
    let go (`tick`), so that it does not keep the primary's checkpoints from emptying the WAL."""

    IDLE_SECONDS = 1.0

    def __init__(self, engine: Engine, snapshot: Snapshot, progress: Progress) -> None:
        self._engine = engine
        self._snapshot = snapshot
        self._progress = progress
        self._answer = responder(engine)
        self._seen = -1  # the primary's commit count when the view began; -1: no view held
        self._schema = progress.read()[2]
        self._used = False

    def keeps(self, method: bytes, url: bytes, headers: http.Headers, upgrade: bool) -> bool:
        if method != b"POST":
            return not upgrade  # the health line and CORS preflights
        if headers.get(b"x-amz-target") not in READS:
            return False
        written, committed, _ = self._progress.read()
        return committed >= written

    def respond(self, method: bytes, url: bytes, headers: http.Headers, body: bytes) -> http.Answer:
        """A request `keeps` took: from a view renewed if the primary has committed since (which holds all it
        had acknowledged when `keeps` looked, and maybe more)."""
        _, committed, schema = self._progress.read()
        if schema != self._schema:  # committed too (DDL is not counted as a write): a new view, then the tables
            self._seen = committed
            self._snapshot.renew()
            self._schema = schema
            self._engine.reload_tables()
        elif committed != self._seen:
            self._seen = committed
            self._snapshot.renew()
        self._used = True
        return self._answer(method, url, headers, body)  # type: ignore[return-value]

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
    view = View(engine, snapshot, Progress(progress_fd))
    server = http.Server(view.respond, keeps=view.keeps, fallback=lambda: HandOver(control))
    loop = http.new_event_loop()

    async def serve() -> None:
        Inbox(control, server, on_close=server.stop).start()
        view.tick()
        serving = asyncio.ensure_future(server.serve([]))
        await asyncio.sleep(0)
        request_checker("GetItem")  # botocore's model loads before the first request, not in its way
        with contextlib.suppress(OSError):  # the primary is gone already
            control.sendall(_LENGTH.pack(READY))
        await serving

    try:
        loop.run_until_complete(serve())
    finally:
        loop.close()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
