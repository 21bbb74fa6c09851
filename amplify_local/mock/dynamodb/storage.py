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
DynamoDB Local's default makes too (no fsync per write). Single-item rows outside a multi-statement
write are not even inserted one by one: they wait in the journal's overlay (a dict per SQL table, read
first by point lookups) and go to SQLite sorted, with one `executemany`, when the overlay is full or
before anything reads a range (the engine's read barrier, `Journal.flush`); this changes what is in
SQLite's uncommitted transaction at a given moment, never what is durable (the redo log is written
before the answer either way). The file is tagged with `PRAGMA application_id`, so a SQLite file
of another program (or DynamoDB Local's own `fake_us-fake-1.db`) is refused, never overwritten. An item
row holds the item's DynamoDB JSON and, beside it, the plain JSON AppSync hands to templates (numbers
as numbers, sets as lists), both as orjson bytes, so an AppSync read decodes one column and converts
nothing (`plain` is NULL when orjson cannot encode it, an integer beyond 64 bits: converted on read);
the file is only ever read by the engine that tagged it. A file of an earlier release (store version 2)
is upgraded in place when opened, after its redo log is replayed (`_migrate`); older development files are refused.

Shared mode (`connect(path, shared=True)`, the endpoint with reader processes, `readers.py`): the file is
not locked exclusively, so other processes can open `Snapshot`s of it (read-only connections that see what
the journal has committed); the one-writer rule is kept by an `flock` on the redo log instead. The journal
then counts its acknowledged and its committed writes in a `Progress` shared with the readers: a reader
answers only while both counts are equal (nothing acknowledged is missing from its view), and the writer
commits (`Journal.checkpoint`) soon after its writes stop.
"""

from __future__ import annotations

import base64
import json
import marshal
import mmap
import os
import sqlite3
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Any

import orjson

APPLICATION_ID = 0x414D4C44  # "AMLD"
SCHEMA_VERSION = 3  # 2: partition keys behind their hash (Scan in DynamoDB Local's order); 3: orjson + plain column
_HEADER = b"SQLite format 3\x00"


# sqlite3 binds int, float, str and bytearray directly but looks every bytes parameter up as a candidate for
# adaptation (~1 us each, four per item row); a registered identity adapter (b.__bytes__() is b) is a dict hit.
sqlite3.register_adapter(bytes, bytes.__bytes__)


def encode(item: dict[str, Any]) -> bytes:
    """An item's stored bytes (its DynamoDB JSON). A string with a lone surrogate, which DynamoDB Local
    stores and returns as sent and orjson refuses, is written with the stdlib's `\\u` escapes."""
    try:
        return orjson.dumps(item)
    except orjson.JSONEncodeError:
        return json.dumps(item, separators=(",", ":")).encode()


def decode(stored: bytes) -> Any:
    """A stored item; the stdlib reads the escaped lone surrogates orjson refuses."""
    try:
        return orjson.loads(stored)
    except orjson.JSONDecodeError:
        return json.loads(stored)


def encode_plain(plain: dict[str, Any]) -> bytes | None:
    """The stored bytes of an item's plain form; None for one orjson cannot hold (an integer beyond 64 bits)."""
    try:
        return orjson.dumps(plain)
    except orjson.JSONEncodeError:
        return None


class StorageError(Exception):
    """The database file cannot be used; the message names the file and what to do."""


def connect(path: Path | None, shared: bool = False) -> Journal:
    """Open (or create) the engine's database, replaying its redo log; None gives a private in-memory one.
    `shared`: other processes may read the file meanwhile (see the module docstring)."""
    if path is None:
        connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _initialise(connection)
        return Journal(connection, None)
    path = database_file(Path(path))
    log = path.with_name(path.name + "-redo")
    owner = _own(path, log) if shared else None
    try:
        connection = _open_file(path, shared)
    except StorageError:
        if owner is not None:
            os.close(owner)
        raise
    try:
        _replay(connection, log)  # a log is replayed in the store version that wrote it, then the file migrates
        _migrate(connection)
    except sqlite3.DatabaseError as error:
        connection.close()
        if owner is not None:
            os.close(owner)
        raise StorageError(f"{log} cannot be replayed into {path.name} ({error}); amplify-local will not "
                           "overwrite it. Move both files away or pass another --db-path.") from None
    journal = Journal(connection, log, owner)
    if shared:
        fd, name = tempfile.mkstemp(prefix="amplify-local-progress-")
        os.unlink(name)  # memory the readers map through the descriptor they inherit, never a file left behind
        journal.progress = Progress(fd)
    return journal


def _own(path: Path, log: Path) -> int:
    """The redo log, opened and locked for this process: the one-writer rule of a shared file."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise _unusable(path, sqlite3.OperationalError("database is locked")) from None
    return fd


def snapshot(path: Path) -> Snapshot:
    """A read-only view of a shared store that another process writes (a reader process's)."""
    path = database_file(Path(path))
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0,
                                     check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA cache_size=-32768")
        connection.execute("SELECT count(*) FROM _tables").fetchone()
    except sqlite3.DatabaseError as error:
        raise _unusable(path, error) from None
    return Snapshot(connection)


def _open_file(path: Path, shared: bool = False) -> sqlite3.Connection:
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
        if not shared:
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("PRAGMA journal_mode=WAL")
        _initialise(connection)
        connection.execute("BEGIN IMMEDIATE")  # take the file's lock now, not at the first request
        connection.execute("COMMIT")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(f"{path} was written by a newer amplify-local (store version {version}); "
                               "upgrade amplify-local or pass another --db-path.")
        if version < _MIGRATABLE:
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


_MIGRATABLE = 2  # the oldest store version a file is upgraded from (version 2 shipped in a release)


def _migrate(connection: sqlite3.Connection) -> None:
    """Upgrade a store of an earlier release in one transaction, so a user's mock data survives the update.

    2 -> 3: item rows were `marshal` bytes (binary values as `bytes` when written in-process); now orjson
    bytes with binary values as base64 text, and a `plain` column, left NULL here (converted on read)."""
    if connection.execute("PRAGMA user_version").fetchone()[0] != 2:
        return
    connection.execute("BEGIN IMMEDIATE")
    for (spec,) in connection.execute("SELECT spec FROM _tables").fetchall():
        table = orjson.loads(spec)["sql"]
        connection.execute(f"ALTER TABLE {table} ADD COLUMN plain BLOB")
        rows = connection.execute(f"SELECT pk, sk, item FROM {table}").fetchall()
        connection.executemany(f"UPDATE {table} SET item = ? WHERE pk = ? AND sk = ?",
                               [(encode(_base64_binaries(marshal.loads(item))), pk, sk) for pk, sk, item in rows])
    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    connection.execute("COMMIT")


def _base64_binaries(value: Any) -> Any:
    """A version-2 value with every `bytes` (a B or BS member written in-process) as base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _base64_binaries(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_base64_binaries(member) for member in value]
    return value


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
                       "item BLOB NOT NULL, plain BLOB, PRIMARY KEY (pk, sk)) WITHOUT ROWID")


def create_index_table(connection: sqlite3.Connection, sql: str) -> None:
    connection.execute(f"CREATE TABLE {sql} (pk BLOB NOT NULL, sk BLOB NOT NULL, bpk BLOB NOT NULL, "
                       "bsk BLOB NOT NULL, PRIMARY KEY (pk, sk, bpk, bsk)) WITHOUT ROWID")


_FRAME = struct.Struct("<II")  # payload length, CRC-32 of the payload
Statement = tuple[str, Any, bool]  # SQL, parameters (a list of rows when many), whether executemany
Row = tuple[bytes, bytes, int, bytes, bytes | None]  # an item table's row: pk, sk, size, item, plain


class Progress:
    """Counts shared by a journal's process and its readers, in memory both map (a file's first 24 bytes):
    the writes acknowledged, the writes committed (visible to other connections), the schema changes."""

    _COUNTS = struct.Struct("<QQQ")

    def __init__(self, fd: int) -> None:
        if os.fstat(fd).st_size < self._COUNTS.size:
            os.ftruncate(fd, self._COUNTS.size)
        self.fd = fd
        self._memory = mmap.mmap(fd, self._COUNTS.size)
        self.written, self.committed, self.schema = self._COUNTS.unpack_from(self._memory)

    def read(self) -> tuple[int, int, int]:
        """The counts as another process last stored them: read until two reads agree, so that a read
        crossing the writer's store never mixes old and new bytes."""
        memory, counts = self._memory, self._COUNTS
        before = counts.unpack_from(memory)
        while (after := counts.unpack_from(memory)) != before:
            before = after
        return after  # type: ignore[return-value]

    def _store(self) -> None:
        self._COUNTS.pack_into(self._memory, 0, self.written, self.committed, self.schema)

    def wrote(self) -> None:
        self.written += 1
        self._store()

    def commit(self) -> None:
        self.committed = self.written
        self._store()

    def schema_changed(self) -> None:
        self.schema += 1
        self._store()


class Rows:
    """What both sides of the store read: one item row by key (`row`), and `db` for range reads.

    Point reads keep the rows they read from SQLite (and the keys they did not find) in memory, a dict
    lookup against a SQLite statement through the sqlite3 module (~8 us) per GetItem: the journal drops a
    row from the cache when it writes it, a reader's snapshot drops the cache with its view. At most
    `CACHED` rows (then it restarts)."""

    CACHED = 20_000

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection
        self._sql: dict[str, tuple[str, str, str]] = {}  # SQL table -> its INSERT, DELETE and SELECT
        self._cache: dict[tuple[str, bytes, bytes], tuple[bytes, bytes | None] | None] = {}

    def _statements(self, table: str) -> tuple[str, str, str]:
        statements = self._sql.get(table)
        if statements is None:
            statements = self._sql[table] = (f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?, ?)",
                                             f"DELETE FROM {table} WHERE pk = ? AND sk = ?",
                                             f"SELECT item, plain FROM {table} WHERE pk = ? AND sk = ?")
        return statements

    def row(self, table: str, pk: bytes, sk: bytes) -> tuple[bytes, bytes | None] | None:
        """The item and plain bytes of one item row, or None."""
        key = (table, pk, sk)
        cache = self._cache
        try:
            return cache[key]
        except KeyError:
            pass
        row = self.db.execute(self._statements(table)[2], (pk, sk)).fetchone()
        if len(cache) >= self.CACHED:
            cache.clear()
        cache[key] = row
        return row  # type: ignore[no-any-return]

    def flush(self) -> None:
        """The read barrier before a range read: nothing is held back here."""

    def close(self) -> None:
        self.db.close()


class Snapshot(Rows):
    """A reader process's view of a shared file that another process's journal writes: one read transaction
    held open (`renew`), so that reads make no lock calls; the rows cached in a view end with it."""

    def renew(self) -> None:
        """Let the next read see the writer's last commit, and keep that view until the next `renew` or
        `release`."""
        self.release()
        self.db.execute("BEGIN")

    def release(self) -> None:
        """Stop holding a view (an old one keeps the writer's checkpoints from emptying the WAL)."""
        self._cache.clear()
        if self.db.in_transaction:
            self.db.execute("COMMIT")


class Journal(Rows):
    """The write side of the store: group commit behind a redo log, single-item rows behind an overlay.

    `write`/`write_many` run a statement inside the open SQLite transaction (readers on the same connection
    see it at once) and remember it; `put`/`delete` set or remove one item row, remembered the same way but
    kept in the overlay (`row` reads it first; `flush`, the read barrier, applies it); `commit` appends the
    remembered statements of one engine write to the log as one CRC-checked frame, so they are durable
    against a killed process when it returns, and every `BATCH` frames commits SQLite and empties the log.
    `discard` forgets the statements of a write that failed before its end. Inside `savepoint` (a write of
    several statements that must be all-or-nothing, up to `release` or `rollback`) rows go to SQLite at
    once, so a rollback undoes them.
    Every logged statement sets or deletes rows to absolute values, so replaying a log whose writes SQLite
    already committed (a kill between COMMIT and the truncation) changes nothing. `checkpoint` commits and
    empties the log: before schema changes (which are not logged) and on close. A log write that fails (a
    full disk) is undone: the log is cut back to its last whole frame, the overlay dropped, and SQLite's
    open transaction rolled back and rebuilt from the log, so the failed write, which the caller sees fail,
    is nowhere. With no log (an in-memory database) the same batching applies."""

    BATCH = 10000  # a batch of random writes rewrites each touched page once: bigger batches, fewer pages
    OVERLAY = 1000  # rows kept before a flush: bounded memory, one sorted executemany per thousand writes

    def __init__(self, connection: sqlite3.Connection, log: Path | None, fd: int | None = None) -> None:
        super().__init__(connection)
        self._pending: list[Statement] = []
        self._frames = 0
        self._size = 0  # bytes of whole frames in the log
        self._log = log
        if fd is None and log is not None:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._fd = fd
        self._overlay: dict[str, dict[tuple[bytes, bytes], Row | None]] = {}  # SQL table -> key -> row (None: deleted)
        self._overlaid = 0
        self._direct = 0  # open savepoints
        self.progress: Progress | None = None  # set when reader processes share the file
        connection.execute("BEGIN IMMEDIATE")

    def write(self, sql: str, params: tuple[Any, ...], *, items: bool = True) -> None:
        """Run and remember one statement; `items=False` when it cannot change item rows (an index's), which
        spares the row cache (dropped otherwise)."""
        self.flush()
        if items:
            self._cache.clear()
        self.db.execute(sql, params)
        self._pending.append((sql, params, False))

    def write_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.flush()
        self._cache.clear()
        self.db.executemany(sql, rows)
        self._pending.append((sql, rows, True))

    def put(self, table: str, row: Row) -> None:
        """Set one item row of an item table."""
        self._set(table, 0, (row[0], row[1]), row)

    def delete(self, table: str, pk: bytes, sk: bytes) -> None:
        """Remove one item row of an item table."""
        self._set(table, 1, (pk, sk), None)

    def _set(self, table: str, statement: int, key: tuple[bytes, bytes], row: Row | None) -> None:
        sql = self._statements(table)[statement]
        params = key if row is None else row
        self._pending.append((sql, params, False))
        self._cache.pop((table, *key), None)  # not the new row: its orjson bytes keep a ~4 KB buffer each
        if self._direct:
            self.db.execute(sql, params)
            return
        rows = self._overlay.get(table)
        if rows is None:
            rows = self._overlay[table] = {}
        rows[key] = row
        self._overlaid += 1
        if self._overlaid >= self.OVERLAY:
            self.flush()

    def row(self, table: str, pk: bytes, sk: bytes) -> tuple[bytes, bytes | None] | None:
        """The item and plain bytes of one item row, or None: the overlay first, then SQLite."""
        rows = self._overlay.get(table)
        if rows is not None and (pk, sk) in rows:
            row = rows[pk, sk]
            return None if row is None else (row[3], row[4])
        return super().row(table, pk, sk)

    def flush(self) -> None:
        """Apply the overlay to SQLite (deletes, then the rows sorted by key): before any range read."""
        if not self._overlaid:
            return
        for table, rows in self._overlay.items():
            insert, delete, _ = self._statements(table)
            deleted = [key for key, row in rows.items() if row is None]
            if deleted:
                self.db.executemany(delete, deleted)
            self.db.executemany(insert, sorted(row for row in rows.values() if row is not None))
        self._overlay.clear()
        self._overlaid = 0

    def savepoint(self) -> None:
        """Start a block of writes that must be all-or-nothing: `release` keeps it, `rollback` undoes it."""
        self.flush()
        self.db.execute("SAVEPOINT write")
        self._direct += 1

    def release(self) -> None:
        self._direct -= 1
        self.db.execute("RELEASE write")

    def rollback(self) -> None:
        self._direct -= 1
        self._cache.clear()
        self.db.execute("ROLLBACK TO write")
        self.db.execute("RELEASE write")

    def begin_schema(self) -> None:
        """Commit, then open a transaction of its own for a schema change (DDL, not logged)."""
        self.checkpoint(reopen=False)
        self._cache.clear()
        self.db.execute("BEGIN IMMEDIATE")

    def end_schema(self, done: bool) -> None:
        """Commit the schema change (`done`) or roll it back, and go on with the journal's transaction."""
        self._cache.clear()
        if done:
            self.checkpoint()
            if self.progress is not None:
                self.progress.schema_changed()
        else:
            self.db.execute("ROLLBACK")
            self.db.execute("BEGIN IMMEDIATE")

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
        if self.progress is not None:
            self.progress.wrote()
        if self._frames >= self.BATCH:
            self.checkpoint()

    def discard(self) -> None:
        self._pending.clear()

    def _undo(self) -> None:
        self._pending.clear()
        self._overlay.clear()
        self._cache.clear()
        self._overlaid = 0
        os.ftruncate(self._fd, self._size)  # type: ignore[arg-type]
        self.db.execute("ROLLBACK")
        self.db.execute("BEGIN IMMEDIATE")
        _apply(self.db, self._log)  # type: ignore[arg-type]

    def checkpoint(self, reopen: bool = True) -> None:
        """Commit SQLite, then empty the log (its writes are now in the database file's WAL)."""
        self.flush()
        self.db.execute("COMMIT")
        if self.progress is not None:
            self.progress.commit()
        if self._fd is not None and self._frames:
            os.ftruncate(self._fd, 0)
        self._frames = self._size = 0
        if reopen:
            self.db.execute("BEGIN IMMEDIATE")

    def unpublished(self) -> bool:
        """Whether acknowledged writes wait for a commit before other processes can see them."""
        return self._frames > 0

    def close(self) -> None:
        self.checkpoint(reopen=False)
        if self._fd is not None:
            os.close(self._fd)
        if self.progress is not None:
            os.close(self.progress.fd)
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
