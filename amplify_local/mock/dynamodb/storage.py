"""The SQLite file behind the engine: opening, identifying, refusing foreign or corrupt files.

One file per project (`amplify/mock-data/dynamodb/local.sqlite` by default), in WAL mode with
`synchronous=NORMAL` and an exclusive lock (one engine per file, which also spares the per-transaction
lock and shared-memory calls). Item writes are group-committed (`Journal`): each acknowledged write is
first appended, as the SQL statements that redo it, to a redo log beside the file (`local.sqlite-redo`,
one `write()` call), and applied to SQLite inside a transaction that is committed every
`Journal.BATCH` writes (then the log is emptied). A write is therefore in the operating system's
file cache before the engine answers, so it survives the process being killed (kill -9): the next
open replays the log. A SQLite commit per write costs 45-65 us here (four `pwrite`s of WAL frames),
more than the whole PutItem budget. Only an OS crash or power loss can lose the last writes, the trade
DynamoDB Local's default makes too (no fsync per write). The file is tagged with `PRAGMA application_id`, so a SQLite file
of another program (or DynamoDB Local's own `fake_us-fake-1.db`) is refused, never overwritten. Items
are stored as `marshal` bytes of their DynamoDB JSON (several times faster than JSON text both ways); the
file is only ever read by the engine that tagged it.
"""

from __future__ import annotations

import marshal
import os
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

APPLICATION_ID = 0x414D4C44  # "AMLD"
SCHEMA_VERSION = 2  # 2: partition keys stored behind their hash (Scan in DynamoDB Local's order)
_HEADER = b"SQLite format 3\x00"


class StorageError(Exception):
    """The database file cannot be used; the message names the file and what to do."""


def connect(path: Path | None) -> Journal:
    """Open (or create) the engine's database, replaying its redo log; None gives a private in-memory one."""
    if path is None:
        connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _initialise(connection)
        return Journal(connection, None)
    path = database_file(Path(path))
    connection = _open_file(path)
    log = path.with_name(path.name + "-redo")
    try:
        _replay(connection, log)
    except sqlite3.DatabaseError as error:
        connection.close()
        raise StorageError(f"{log} cannot be replayed into {path.name} ({error}); amplify-local will not "
                           "overwrite it. Move both files away or pass another --db-path.") from None
    return Journal(connection, log)


def _open_file(path: Path) -> sqlite3.Connection:
    if path.exists() and path.stat().st_size:
        with path.open("rb") as handle:
            if handle.read(16) != _HEADER:
                raise StorageError(f"{path} is not a SQLite database (corrupt or another program's file); "
                                   "amplify-local will not overwrite it. Move it away or pass another --db-path.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(str(path), timeout=1.0, check_same_thread=False, isolation_level=None)
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        has_tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise _unusable(path, error) from None
    if application_id != APPLICATION_ID and (application_id or has_tables):
        connection.close()
        raise StorageError(f"{path} is a SQLite database of another program, not an amplify-local DynamoDB store; "
                           "amplify-local will not overwrite it. Move it away or pass another --db-path.")
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("PRAGMA journal_mode=WAL")
        _initialise(connection)
        connection.execute("BEGIN IMMEDIATE")  # take the file's lock now, not at the first request
        connection.execute("COMMIT")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(f"{path} was written by a newer amplify-local (store version {version}); "
                               "upgrade amplify-local or pass another --db-path.")
        if version < SCHEMA_VERSION:
            raise StorageError(f"{path} was written by a development version of amplify-local (store version "
                               f"{version}); delete it (it only holds mock data) or pass another --db-path.")
        connection.execute("SELECT count(*) FROM _tables").fetchone()
    except sqlite3.DatabaseError as error:
        connection.close()
        if "locked" in str(error):
            raise _unusable(path, error) from None
        raise StorageError(f"{path} is damaged ({error}); amplify-local will not overwrite it. Move it away "
                           "or pass another --db-path.") from None
    return connection


def _unusable(path: Path, error: sqlite3.DatabaseError) -> StorageError:
    if "locked" in str(error):
        return StorageError(f"{path} is in use by another amplify-local process (one mock serves a project's "
                            "tables at a time); stop it, or pass another --db-path.")
    return StorageError(f"{path} cannot be read as a SQLite database ({error}); amplify-local will not overwrite "
                        "it. Move it away or pass another --db-path.")


def database_file(path: Path) -> Path:
    """The file for a `--db-path`: the path itself when it names a file, else `local.sqlite` inside it."""
    if path.is_file() or path.suffix in (".sqlite", ".sqlite3", ".db"):
        return path
    return path / "local.sqlite"


def _initialise(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA cache_size=-32768")  # 32 MB: a group commit's random leaf pages stay cached
    connection.execute("PRAGMA wal_autocheckpoint=10000")  # checkpoint (and sync) every ~40 MB of WAL
    connection.execute("PRAGMA foreign_keys=OFF")
    if connection.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    connection.execute("CREATE TABLE IF NOT EXISTS _tables (name TEXT PRIMARY KEY, spec TEXT NOT NULL)")
    connection.execute("CREATE TABLE IF NOT EXISTS _counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")


def next_id(connection: sqlite3.Connection, name: str) -> int:
    """A new number for naming SQL tables (never reused, so a dropped table's name stays free)."""
    connection.execute("INSERT INTO _counter VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
    return connection.execute("SELECT value FROM _counter WHERE name = ?", (name,)).fetchone()[0]


def create_item_table(connection: sqlite3.Connection, sql: str) -> None:
    connection.execute(f"CREATE TABLE {sql} (pk BLOB NOT NULL, sk BLOB NOT NULL, size INTEGER NOT NULL, "
                       "item BLOB NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID")


def create_index_table(connection: sqlite3.Connection, sql: str) -> None:
    connection.execute(f"CREATE TABLE {sql} (pk BLOB NOT NULL, sk BLOB NOT NULL, bpk BLOB NOT NULL, "
                       "bsk BLOB NOT NULL, PRIMARY KEY (pk, sk, bpk, bsk)) WITHOUT ROWID")


_FRAME = struct.Struct("<II")  # payload length, CRC-32 of the payload
Statement = tuple[str, Any, bool]  # SQL, parameters (a list of rows when many), whether executemany


class Journal:
    """The write side of the store: group commit behind a redo log.

    `write`/`write_many` run a statement inside the open SQLite transaction (readers on the same connection
    see it at once) and remember it; `commit` appends the remembered statements of one engine write to the
    log as one CRC-checked frame, so they are durable against a killed process when it returns, and every
    `BATCH` frames commits SQLite and empties the log. `discard` forgets the statements of a write that was
    rolled back. Every logged statement sets or deletes rows to absolute values, so replaying a log whose
    writes SQLite already committed (a kill between COMMIT and the truncation) changes nothing.
    `checkpoint` commits and empties the log: before schema changes (which are not logged) and on close.
    A log write that fails (a full disk) is undone: the log is cut back to its last whole frame, and
    SQLite's open transaction is rolled back and rebuilt from the log, so the failed write, which the
    caller sees fail, is nowhere. With no log (an in-memory database) the same batching applies."""

    BATCH = 10000  # a batch of random writes rewrites each touched page once: bigger batches, fewer pages

    def __init__(self, connection: sqlite3.Connection, log: Path | None) -> None:
        self.db = connection
        self._pending: list[Statement] = []
        self._frames = 0
        self._size = 0  # bytes of whole frames in the log
        self._log = log
        self._fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if log is not None else None
        connection.execute("BEGIN IMMEDIATE")

    def write(self, sql: str, params: tuple[Any, ...]) -> None:
        self.db.execute(sql, params)
        self._pending.append((sql, params, False))

    def write_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.db.executemany(sql, rows)
        self._pending.append((sql, rows, True))

    def commit(self) -> None:
        """Make the current write durable (one `write()` of its statements) and group-commit SQLite."""
        if not self._pending:
            return
        if self._fd is not None:
            payload = marshal.dumps(self._pending)
            frame = _FRAME.pack(len(payload), zlib.crc32(payload)) + payload
            try:
                if os.write(self._fd, frame) != len(frame):
                    raise OSError(f"short write to {self._log}")
            except OSError:
                self._undo()
                raise
            self._size += len(frame)
        self._pending.clear()
        self._frames += 1
        if self._frames >= self.BATCH:
            self.checkpoint()

    def discard(self) -> None:
        self._pending.clear()

    def _undo(self) -> None:
        self._pending.clear()
        os.ftruncate(self._fd, self._size)  # type: ignore[arg-type]
        self.db.execute("ROLLBACK")
        self.db.execute("BEGIN IMMEDIATE")
        _apply(self.db, self._log)  # type: ignore[arg-type]

    def checkpoint(self, reopen: bool = True) -> None:
        """Commit SQLite, then empty the log (its writes are now in the database file's WAL)."""
        self.db.execute("COMMIT")
        if self._fd is not None and self._frames:
            os.ftruncate(self._fd, 0)
        self._frames = self._size = 0
        if reopen:
            self.db.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        self.checkpoint(reopen=False)
        if self._fd is not None:
            os.close(self._fd)
        self.db.close()


def _replay(connection: sqlite3.Connection, log: Path) -> None:
    """Apply the frames of a redo log left by a killed process, up to the first torn or damaged frame
    (a write cut short by an OS crash, never acknowledged), then empty the log."""
    if not log.exists() or not log.stat().st_size:
        return
    connection.execute("BEGIN IMMEDIATE")
    _apply(connection, log)
    connection.execute("COMMIT")
    os.truncate(log, 0)


def _apply(connection: sqlite3.Connection, log: Path) -> None:
    """Run the statements of the log's whole, intact frames in the open transaction."""
    data = log.read_bytes()
    offset = 0
    while offset + _FRAME.size <= len(data):
        length, checksum = _FRAME.unpack_from(data, offset)
        payload = data[offset + _FRAME.size:offset + _FRAME.size + length]
        if len(payload) != length or zlib.crc32(payload) != checksum:
            break
        for sql, params, many in marshal.loads(payload):
            (connection.executemany if many else connection.execute)(sql, params)
        offset += _FRAME.size + length
