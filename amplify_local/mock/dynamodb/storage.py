"""The SQLite file behind the engine: opening, identifying, refusing foreign or corrupt files.

One file per project (`amplify/mock-data/dynamodb/local.sqlite` by default), in WAL mode with
`synchronous=NORMAL` and an exclusive lock (one engine per file, which also spares the per-transaction
lock and shared-memory calls): every acknowledged write is committed to the WAL before the engine answers, so it
survives the process being killed (kill -9); only an OS crash or power loss can lose the last
transactions, which is the trade DynamoDB Local's default makes too and which keeps a write at tens of
microseconds instead of an fsync each. The file is tagged with `PRAGMA application_id`, so a SQLite file
of another program (or DynamoDB Local's own `fake_us-fake-1.db`) is refused, never overwritten. Items
are stored as `marshal` bytes of their DynamoDB JSON (several times faster than JSON text both ways); the
file is only ever read by the engine that tagged it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

APPLICATION_ID = 0x414D4C44  # "AMLD"
SCHEMA_VERSION = 2  # 2: partition keys stored behind their hash (Scan in DynamoDB Local's order)
_HEADER = b"SQLite format 3\x00"


class StorageError(Exception):
    """The database file cannot be used; the message names the file and what to do."""


def connect(path: Path | None) -> sqlite3.Connection:
    """Open (or create) the engine's database; None gives a private in-memory database."""
    if path is None:
        connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        _initialise(connection)
        return connection
    path = database_file(Path(path))
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
