"""The DynamoDB engine: DynamoDB's operations on the SQLite store, in DynamoDB's own request/response JSON.

Every public operation method takes the JSON request of the low-level API as a dict and returns the JSON
response as a dict, raising `DynamoDBError` with DynamoDB's code and message. One `threading.RLock`
serialises access to the one connection, so a single engine serves the AppSync data sources and the HTTP
endpoint from any thread. Item writes go through `storage.Journal` (durable in its redo log when the
operation answers, group-committed to SQLite); each is atomic (a TransactWriteItems or a BatchWriteItem
as a whole, under a savepoint); schema changes commit on their own. Listeners registered with `add_listener` see one stream record per
changed item after the commit, in commit order. Single-item writes to a table without indexes stay in the
journal's overlay until a range read (Query, Scan, DescribeTable's counts) flushes it; point reads look
there first.

Storage layout: a table's items live in a SQL table `t<n>` keyed by the order-preserving bytes of the
key (`values.partition_bytes`, `values.key_bytes`), the item itself as its DynamoDB JSON and beside it its
plain form (what AppSync templates see: `get_item`/`query`/`scan` with `plain=True` answer it without
converting); each secondary index is a SQL table `t<n>_<m>` of (index key, base key) rows joined back to
the items.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from amplify_local.mock.dynamodb import expressions as ex
from amplify_local.mock.dynamodb import legacy, storage, updates
from amplify_local.mock.dynamodb import values as v
from amplify_local.mock.dynamodb.errors import DynamoDBError, invalid_parameter, validation
from amplify_local.mock.dynamodb.tables import (
    IndexSpec,
    KeySpec,
    TableSpec,
    attribute_types,
    check_projection,
    check_table_name,
    ensure_table,
    key_spec,
    not_found,
    project_index_item,
)

PAGE_BYTES = 1024 * 1024
TTL_SWEEP_SECONDS = 60.0
TOKEN_TTL = 600.0
_dumps = storage.encode
_loads = storage.decode
Listener = Callable[[dict[str, Any]], None]
_READ_OPTIONS = frozenset({"ProjectionExpression", "AttributesToGet", "ExpressionAttributeNames",
                           "ExpressionAttributeValues"})
_PLAIN_PUT = frozenset({"TableName", "Item"})  # a PutItem with nothing but these needs no read
OPERATIONS: dict[str, str] = {
    name: "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    for name in (
        "CreateTable", "DeleteTable", "DescribeTable", "ListTables", "UpdateTable", "DescribeTimeToLive",
        "UpdateTimeToLive", "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
        "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
    )
}


@dataclass(slots=True)
class _Write:
    """One prepared single-item write (or a transaction's ConditionCheck), validated before any read."""

    spec: TableSpec
    pk: bytes
    sk: bytes
    key: dict[str, Any] | None
    action: str  # Put | Update | Delete | ConditionCheck
    item: dict[str, Any] | None = None
    update: ex.Parsed | None = None
    condition: ex.Parsed | None = None
    env: ex.Env | None = None
    on_failure: str = "NONE"  # ReturnValuesOnConditionCheckFailure
    size: int | None = None  # the new item's size, computed once (a Put's when prepared, an Update's by new_item)
    plain: dict[str, Any] | None = None  # a Put's plain form, computed with its size

    def passes(self, old: dict[str, Any] | None) -> bool:
        return self.condition is None or ex.matches(self.condition.tree, old or {}, self.env)  # type: ignore[arg-type]

    def new_item(self, old: dict[str, Any] | None) -> dict[str, Any] | None:
        if self.action == "Put":
            return self.item
        if self.action == "Delete":
            return None
        if self.action == "ConditionCheck":
            return old
        item = dict(old) if old else dict(self.key)  # type: ignore[arg-type]
        if self.update is not None:
            item = updates.apply(self.update, item, self.env)  # type: ignore[arg-type]
        self.size = v.item_size(item)
        if self.size > v.MAX_ITEM_SIZE:
            raise validation("Item size to update has exceeded the maximum allowed size")
        return item

    def failure(self, old: dict[str, Any] | None) -> DynamoDBError:
        extra = {"Item": old} if self.on_failure == "ALL_OLD" and old else {}
        return DynamoDBError("ConditionalCheckFailedException", "The conditional request failed", **extra)


class _Transaction:
    """`Engine._transaction`'s context manager: a class, not a generator, as every write but a plain PutItem
    enters one (the generator-based one cost about 5 us a write, the price of a SQLite point lookup)."""

    __slots__ = ("_atomic", "_engine", "_schema", "records")

    def __init__(self, engine: Engine, atomic: bool, schema: bool) -> None:
        self._engine = engine
        self._atomic = atomic
        self._schema = schema
        self.records: list[dict[str, Any]] = []

    def __enter__(self) -> list[dict[str, Any]]:
        engine = self._engine
        engine._lock.acquire()
        try:
            if self._schema:
                engine._journal.begin_schema()
            elif self._atomic:
                engine._journal.savepoint()
        except BaseException:
            engine._lock.release()
            raise
        return self.records

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: Any) -> None:
        engine = self._engine
        journal = engine._journal
        try:
            if error is not None:
                if self._schema:
                    journal.end_schema(done=False)
                else:
                    if self._atomic:
                        journal.rollback()
                    journal.discard()
                return
            if self._schema:
                journal.end_schema(done=True)
            else:
                if self._atomic:
                    journal.release()
                journal.commit()
            for record in self.records:
                for listener in engine._listeners:
                    listener(record)
        finally:
            engine._lock.release()


class Engine:
    """DynamoDB's operations over one SQLite database (a file, or memory for tests)."""

    def __init__(self, journal: storage.Rows) -> None:
        # a reader process's engine has a `Snapshot`, and is only asked to read (`readers.py`)
        self._journal: storage.Journal = journal  # type: ignore[assignment]
        self._db = journal.db
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._tokens: dict[str, tuple[str, dict[str, Any], float]] = {}
        self._tables: dict[str, TableSpec] = {}
        self.reload_tables()
        self._closed = threading.Event()
        self._sweeper: threading.Thread | None = None
        if isinstance(journal, storage.Journal):
            self._start_sweeper()

    @classmethod
    def open(cls, path: Path | None, shared: bool = False) -> Engine:
        """The engine over the file at `path` (created when missing), or over memory when None; `shared`: reader
        processes may read the file meanwhile (`readers.py`)."""
        return cls(storage.connect(path, shared))

    @property
    def progress(self) -> storage.Progress | None:
        """The write counts reader processes watch (an engine opened with `shared=True`), else None."""
        return self._journal.progress

    def reload_tables(self) -> None:
        """Read the tables' definitions again (a reader's, after the writer changed them)."""
        with self._lock:
            self._tables = {name: TableSpec.from_json(json.loads(spec))
                            for name, spec in self._db.execute("SELECT name, spec FROM _tables")}

    def publish(self) -> None:
        """Commit the acknowledged writes that other processes cannot see yet."""
        with self._lock:
            if not self._closed.is_set() and self._journal.unpublished():
                self._journal.checkpoint()

    def close(self) -> None:
        """Commit what the journal holds and release the file (a second call does nothing)."""
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            self._journal.close()

    def _start_sweeper(self) -> None:
        """Run `expire_items` every minute in a daemon thread once any table has TTL enabled."""
        if self._sweeper is not None or not any(spec.ttl_attribute for spec in self._tables.values()):
            return

        def sweep() -> None:
            while not self._closed.wait(TTL_SWEEP_SECONDS):
                try:
                    self.expire_items()
                except Exception:  # a closed or busy database: try again next time
                    continue

        self._sweeper = threading.Thread(target=sweep, name="dynamodb-ttl", daemon=True)
        self._sweeper.start()

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(record)` with a DynamoDB Streams record after each committed item change."""
        self._listeners.append(listener)

    # ------------------------------------------------------------------ helpers

    def _transaction(self, atomic: bool = True, schema: bool = False) -> _Transaction:
        """One write, durable when the block ends; `with` gives the list that collects stream records for
        after it.

        Item writes (`_write`) are journaled; `atomic=False` is for work of at most one write statement,
        which needs no savepoint to be all-or-nothing. `schema=True` (DDL, not journaled) first commits
        the journal, then runs in a SQLite transaction of its own."""
        return _Transaction(self, atomic, schema)

    def _spec(self, name: Any) -> TableSpec:
        spec = self._tables.get(name) if isinstance(name, str) else None
        if spec is None:
            if name is None:
                raise validation("1 validation error detected: Value null at 'tableName' failed to satisfy "
                                 "constraint: Member must not be null")
            check_table_name(name)
            raise not_found()
        return spec

    def _load(self, spec: TableSpec, pk: bytes, sk: bytes) -> dict[str, Any] | None:
        row = self._journal.row(spec.sql, pk, sk)
        return _loads(row[0]) if row else None

    def _store(self, spec: TableSpec, pk: bytes, sk: bytes, old: dict[str, Any] | None,
               new: dict[str, Any] | None, records: list[dict[str, Any]], size: int | None = None,
               plain: dict[str, Any] | None = None) -> None:
        """Write (or delete) one item and its index entries, and queue its stream record."""
        if new is None:
            if old is None:
                return
            self._journal.delete(spec.sql, pk, sk)
        else:
            self._journal.put(spec.sql, _row(pk, sk, v.item_size(new) if size is None else size, new,
                                             v.item_to_plain(new) if plain is None else plain))
        for index in spec.indexes.values():
            before = index.key.index_entry(old) if old else None
            after = index.key.index_entry(new) if new else None
            if before != after:
                if before is not None:
                    self._journal.write(f"DELETE FROM {index.sql} WHERE pk = ? AND sk = ? AND bpk = ? AND bsk = ?",
                                        (*before, pk, sk), items=False)
                if after is not None:  # OR REPLACE: a replayed journal may find the row already there
                    self._journal.write(f"INSERT OR REPLACE INTO {index.sql} VALUES (?, ?, ?, ?)", (*after, pk, sk),
                                        items=False)
        if self._listeners:
            records.append(_stream_record(spec, old, new))

    @staticmethod
    def _check_index_types(spec: TableSpec, item: dict[str, Any]) -> None:
        for index in spec.indexes.values():
            for name, kind in ((index.key.hash_name, index.key.hash_type), (index.key.range_name, index.key.range_type)):
                value = item.get(name) if name else None
                if value is not None and kind not in value:
                    raise invalid_parameter("Type mismatch for Index Key")
                if value is not None and not v.key_bytes(value) and "N" not in value:
                    raise invalid_parameter(f"Index key {name} cannot be empty: IndexName: {index.name}")

    # ------------------------------------------------------------------ tables

    def create_table(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_table_name(request.get("TableName"))
        types = attribute_types(request.get("AttributeDefinitions"))
        key = key_spec(request.get("KeySchema"), types, "keySchema")
        billing = request.get("BillingMode", "PROVISIONED")
        throughput = request.get("ProvisionedThroughput")
        if billing == "PROVISIONED" and not throughput:
            raise validation("No provisioned throughput specified for the table")
        if billing == "PAY_PER_REQUEST" and throughput:
            raise invalid_parameter("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                    "BillingMode is PAY_PER_REQUEST")
        indexes: list[tuple[str, str, KeySpec, dict[str, Any]]] = []
        for kind, field_name in (("LSI", "LocalSecondaryIndexes"), ("GSI", "GlobalSecondaryIndexes")):
            for index in request.get(field_name) or []:
                index_key = key_spec(index.get("KeySchema"), types, "indexKeySchema")
                if kind == "LSI" and (index_key.hash_name != key.hash_name or key.range_name is None):
                    raise invalid_parameter("Table KeySchema does not have a range key, which is required when "
                                            "specifying a LocalSecondaryIndex" if key.range_name is None else
                                            "Index KeySchema does not have the same leading hash key as table "
                                            f"KeySchema for index: {index.get('IndexName')}. index hash key: "
                                            f"{index_key.hash_name}, table hash key: {key.hash_name}")
                if kind == "GSI" and billing == "PROVISIONED" and not index.get("ProvisionedThroughput"):
                    raise invalid_parameter("ProvisionedThroughput should not be null for index: "
                                            f"{index.get('IndexName')}")
                indexes.append((index.get("IndexName"), kind, index_key, check_projection(index.get("Projection"))))
        used = set(key.names) | {name for _, _, index_key, _ in indexes for name in index_key.names}
        if set(types) - used:
            raise validation("The number of attributes in key schema must match the number of attributes defined "
                             "in attribute definitions.")
        names = [index[0] for index in indexes]
        if len(set(names)) != len(names):
            raise invalid_parameter(f"Duplicate index name: {next(n for n in names if names.count(n) > 1)}")
        stream = request.get("StreamSpecification")
        with self._transaction(schema=True):
            if name in self._tables:
                raise DynamoDBError("ResourceInUseException", "Cannot create preexisting table")
            spec = TableSpec(name, f"t{storage.next_id(self._db, 'table')}", key,
                             request["AttributeDefinitions"], time.time(), billing_mode=billing,
                             throughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, **(throughput or {})})
            self._set_stream(spec, stream)
            storage.create_item_table(self._db, spec.sql)
            for index_name, kind, index_key, projection in indexes:
                self._add_index(spec, index_name, kind, index_key, projection)
            self._save(spec)
        return {"TableDescription": spec.describe(0, 0)}

    def _add_index(self, spec: TableSpec, name: str, kind: str, key: KeySpec, projection: dict[str, Any]) -> None:
        index = IndexSpec(name, kind, key, projection, f"{spec.sql}_{storage.next_id(self._db, spec.sql)}")
        storage.create_index_table(self._db, index.sql)
        spec.indexes[name] = index
        for pk, sk, item in self._db.execute(f"SELECT pk, sk, item FROM {spec.sql}").fetchall():
            entry = key.index_entry(_loads(item))
            if entry is not None:
                self._db.execute(f"INSERT INTO {index.sql} VALUES (?, ?, ?, ?)", (*entry, pk, sk))

    def _drop_index(self, spec: TableSpec, name: str) -> None:
        index = spec.indexes.pop(name)
        self._db.execute(f"DROP TABLE {index.sql}")

    @staticmethod
    def _set_stream(spec: TableSpec, stream: dict[str, Any] | None) -> None:
        if stream is None:
            return
        if stream.get("StreamEnabled"):
            if stream.get("StreamViewType") not in ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
                raise validation("1 validation error detected: Value null at 'streamSpecification.streamViewType' "
                                 "failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, "
                                 "OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]")
            spec.stream = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
            spec.stream_label = time.strftime("%Y-%m-%dT%H:%M:%S.000", time.gmtime())
        else:
            spec.stream = None

    def _save(self, spec: TableSpec) -> None:
        self._db.execute("INSERT OR REPLACE INTO _tables VALUES (?, ?)", (spec.name, json.dumps(spec.to_json())))
        self._tables[spec.name] = spec

    def _describe(self, spec: TableSpec) -> dict[str, Any]:
        self._journal.flush()
        count, size = self._db.execute(f"SELECT count(*), coalesce(sum(size), 0) FROM {spec.sql}").fetchone()
        return spec.describe(count, size)

    def describe_table(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return {"Table": self._describe(self._spec(request.get("TableName")))}

    def delete_table(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._transaction(schema=True):
            spec = self._spec(request.get("TableName"))
            description = self._describe(spec)
            for index in spec.indexes.values():
                self._db.execute(f"DROP TABLE {index.sql}")
            self._db.execute(f"DROP TABLE {spec.sql}")
            self._db.execute("DELETE FROM _tables WHERE name = ?", (spec.name,))
            del self._tables[spec.name]
        return {"TableDescription": description}

    def list_tables(self, request: dict[str, Any]) -> dict[str, Any]:
        limit = request.get("Limit", 100)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise validation(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                             "constraint: Member must have value less than or equal to 100")
        start = request.get("ExclusiveStartTableName")
        with self._lock:
            names = sorted(name for name in self._tables if start is None or name > start)
        response: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            response["LastEvaluatedTableName"] = names[limit - 1]
        return response

    def update_table(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._transaction(schema=True):
            spec = self._spec(request.get("TableName"))
            types = {d["AttributeName"]: d["AttributeType"] for d in spec.attribute_definitions}
            new_definitions = request.get("AttributeDefinitions") or []
            types.update(attribute_types(new_definitions) if new_definitions else {})
            updates_list = request.get("GlobalSecondaryIndexUpdates") or []
            if len(updates_list) > 1:
                raise validation("Subscriber limit exceeded: Only 1 online index can be created or deleted "
                                 "simultaneously per table")
            for change in updates_list:
                if "Create" in change:
                    create = change["Create"] or {}
                    name = create.get("IndexName")
                    if name in spec.indexes:
                        raise invalid_parameter(f"Attempting to create an index which already exists: {name}")
                    self._add_index(spec, name, "GSI", key_spec(create.get("KeySchema"), types, "indexKeySchema"),
                                    check_projection(create.get("Projection")))
                elif "Delete" in change:
                    name = (change["Delete"] or {}).get("IndexName")
                    if spec.indexes.get(name) is None or spec.indexes[name].kind != "GSI":
                        raise DynamoDBError("ResourceNotFoundException",
                                            f"Requested resource not found: Index: {name} not found")
                    self._drop_index(spec, name)
                elif "Update" in change:
                    name = (change["Update"] or {}).get("IndexName")
                    if name not in spec.indexes:
                        raise DynamoDBError("ResourceNotFoundException",
                                            f"Requested resource not found: Index: {name} not found")
            used = set(spec.key.names) | {n for index in spec.indexes.values() for n in index.key.names}
            spec.attribute_definitions = [{"AttributeName": n, "AttributeType": t} for n, t in types.items() if n in used]
            if "StreamSpecification" in request:
                self._set_stream(spec, request["StreamSpecification"])
            if "BillingMode" in request:
                spec.billing_mode = request["BillingMode"]
            if "ProvisionedThroughput" in request:
                spec.throughput = {**spec.throughput, **request["ProvisionedThroughput"]}
            self._save(spec)
            return {"TableDescription": self._describe(spec)}

    def describe_time_to_live(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            spec = self._spec(request.get("TableName"))
        if spec.ttl_attribute is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": spec.ttl_attribute}}

    def update_time_to_live(self, request: dict[str, Any]) -> dict[str, Any]:
        specification = request.get("TimeToLiveSpecification") or {}
        name, enabled = specification.get("AttributeName"), specification.get("Enabled")
        if not name or not isinstance(enabled, bool):
            raise validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to "
                             "satisfy constraint: Member must not be null")
        with self._transaction(schema=True):
            spec = self._spec(request.get("TableName"))
            if enabled and spec.ttl_attribute is not None:
                raise validation("TimeToLive is already enabled")
            if not enabled and spec.ttl_attribute is None:
                raise validation("TimeToLive is already disabled")
            spec.ttl_attribute = name if enabled else None
            self._save(spec)
        self._start_sweeper()
        return {"TimeToLiveSpecification": {"AttributeName": name, "Enabled": enabled}}

    def expire_items(self, now: float | None = None) -> int:
        """Delete items whose TTL attribute (epoch seconds) has passed, as DynamoDB's TTL sweeper does."""
        now = time.time() if now is None else now
        removed = 0
        with self._transaction() as records:
            for spec in self._tables.values():
                if spec.ttl_attribute is None:
                    continue
                for pk, sk, text in self._db.execute(f"SELECT pk, sk, item FROM {spec.sql}").fetchall():
                    item = _loads(text)
                    expiry = item.get(spec.ttl_attribute, {}).get("N")
                    if expiry is not None and float(expiry) < now:
                        self._store(spec, pk, sk, item, None, records)
                        removed += 1
        return removed

    # ------------------------------------------------------------------ the project's tables

    def ensure_table(self, table: Any) -> None:
        """Create a table of the API definition (`transformer.types.Table`), or migrate its GSIs keeping data."""
        with self._lock:
            ensure_table(self, table)

    def load_items(self, table_name: str, items: Any) -> int:
        """Seed a table with many items in one transaction (validated like PutItem, no conditions); returns how
        many were written. Without indexes or listeners the rows go in with one `executemany`."""
        spec = self._spec(table_name)
        rows = [self._checked_put(spec, raw) for raw in items]
        with self._transaction() as records:
            if spec.indexes or self._listeners:
                for pk, sk, size, item, plain in rows:
                    self._store(spec, pk, sk, self._load(spec, pk, sk), item, records, size, plain)
            else:
                self._journal.write_many(f"INSERT OR REPLACE INTO {spec.sql} VALUES (?, ?, ?, ?, ?)",
                                         [_compact(_row(*row)) for row in rows])
        return len(rows)

    def clear(self) -> list[str]:
        """Empty every table (keeping the tables); returns their names."""
        with self._transaction():
            for spec in self._tables.values():
                self._journal.write(f"DELETE FROM {spec.sql}", ())
                for index in spec.indexes.values():
                    self._journal.write(f"DELETE FROM {index.sql}", ())
            return sorted(self._tables)

    # ------------------------------------------------------------------ single items

    def _checked_put(self, spec: TableSpec, raw: Any) -> tuple[bytes, bytes, int, dict[str, Any], dict[str, Any]]:
        """A PutItem's item validated: its stored key bytes, size, stored form and plain form."""
        item, size, plain = v.check_item(raw)
        pk, sk = spec.key.of_item(item)
        if size > v.MAX_ITEM_SIZE:
            raise validation("Item size has exceeded the maximum allowed size")
        if spec.indexes:
            self._check_index_types(spec, item)
        return pk, sk, size, item, plain

    def _prepare(self, action: str, request: dict[str, Any]) -> _Write:
        """Validate one write request (PutItem/UpdateItem/DeleteItem or a transaction action) without reading."""
        if legacy.uses_legacy(request):
            request = legacy.translate(request)
        spec = self._spec(request.get("TableName"))
        if action == "Put":
            pk, sk, size, item, plain = self._checked_put(spec, request.get("Item"))
            key = None  # only an Update builds a new item from its key
        else:
            if request.get("Key") is None:
                raise validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: "
                                 "Member must not be null")
            pk, sk = spec.key.of_key(request["Key"])
            key, item, size, plain = request["Key"], None, None, None
        parsed: list[ex.Parsed] = []
        condition = update = None
        if request.get("ConditionExpression") is not None:
            condition = ex.parse("ConditionExpression", request["ConditionExpression"])
            parsed.append(condition)
        if action == "Update" and request.get("UpdateExpression") is not None:
            update = ex.parse("UpdateExpression", request["UpdateExpression"])
            parsed.append(update)
        env = _env(request, parsed)
        if update is not None:
            updates.check_paths(update, env, spec.key.names)
        on_failure = request.get("ReturnValuesOnConditionCheckFailure", "NONE")
        if on_failure not in ("NONE", "ALL_OLD"):
            raise validation(f"1 validation error detected: Value '{on_failure}' at "
                             "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must "
                             "satisfy enum value set: [ALL_OLD, NONE]")
        return _Write(spec, pk, sk, key, action, item, update, condition, env, on_failure, size, plain)

    def _write_one(self, write: _Write) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        spec = write.spec
        with self._transaction(atomic=bool(spec.indexes)) as records:
            old = self._load(spec, write.pk, write.sk)
            if not write.passes(old):
                raise write.failure(old)
            new = write.new_item(old)
            if new is not None and write.action == "Update":
                self._check_index_types(spec, new)
            self._store(spec, write.pk, write.sk, old, new, records, write.size, write.plain)
        return old, new

    def put_item(self, request: dict[str, Any]) -> dict[str, Any]:
        if _PLAIN_PUT.issuperset(request):
            spec = self._spec(request.get("TableName"))
            if not spec.indexes and not self._listeners:  # the hot path: one row, no read, no savepoint
                row = _row(*self._checked_put(spec, request.get("Item")))
                with self._lock:
                    self._journal.put(spec.sql, row)
                    self._journal.commit()
                return {}
        returns = _return_values(request, ("NONE", "ALL_OLD"))
        old, _ = self._write_one(self._prepare("Put", request))
        return {"Attributes": old} if returns == "ALL_OLD" and old else {}

    def delete_item(self, request: dict[str, Any]) -> dict[str, Any]:
        returns = _return_values(request, ("NONE", "ALL_OLD"))
        old, _ = self._write_one(self._prepare("Delete", request))
        return {"Attributes": old} if returns == "ALL_OLD" and old else {}

    def update_item(self, request: dict[str, Any]) -> dict[str, Any]:
        returns = _return_values(request, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
        write = self._prepare("Update", request)
        old, new = self._write_one(write)
        if returns == "NONE":
            return {}
        if returns == "ALL_OLD":
            return {"Attributes": old} if old else {}
        if returns == "ALL_NEW":
            return {"Attributes": new}
        if write.update is None:
            return {}
        set_actions, removes, adds, deletes = write.update.tree
        env = write.env
        # DynamoDB Local answers whole top-level attributes, also for a nested update
        names = {env.path(a[0])[0] for a in (*set_actions, *adds, *deletes)} | {env.path(p)[0] for p in removes}  # type: ignore[union-attr]
        tree = dict.fromkeys(names)
        attributes = ex.project((old or {}) if returns == "UPDATED_OLD" else new or {}, tree)
        return {"Attributes": attributes} if attributes else {}

    def get_item(self, request: dict[str, Any], *, plain: bool = False, wire: bool = False) -> dict[str, Any]:
        """GetItem; `plain=True` (for AppSync) answers the item in its plain form (`values.item_to_plain`).

        `wire=True` (for the endpoint, which writes answers with `jsonwire.dumps_ascii`) answers an item
        stored as ASCII as its stored bytes, an `orjson.Fragment`: that is what `dumps_ascii` would write of
        it decoded (orjson reads and writes DynamoDB JSON, strings and booleans only, back to the same
        bytes; an item with a lone surrogate is stored in the stdlib's ASCII escapes). Any other item is
        decoded, for `dumps_ascii` to escape."""
        spec = self._spec(request.get("TableName"))
        key = request.get("Key")
        if key is None:
            raise validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: "
                             "Member must not be null")
        pk, sk = spec.key.of_key(key)
        projection = None if _READ_OPTIONS.isdisjoint(request) else _projection(request)
        with self._lock:
            row = self._journal.row(spec.sql, pk, sk)
        if row is None:
            return {}
        if projection is None:
            if wire and row[0].isascii():
                return {"Item": orjson.Fragment(row[0])}
            return {"Item": _plain(*row) if plain else _loads(row[0])}
        item = ex.project(_loads(row[0]), projection)
        return {"Item": v.item_to_plain(item) if plain else item}

    # ------------------------------------------------------------------ reads

    def query(self, request: dict[str, Any], *, plain: bool = False) -> dict[str, Any]:
        """Query; `plain=True` (for AppSync) answers `Items` in their plain form, `LastEvaluatedKey` typed."""
        spec = self._spec(request.get("TableName"))
        index = _index(spec, request)
        key = index.key if index else spec.key
        if legacy.uses_legacy(request):
            request = legacy.translate(request)
        if request.get("KeyConditionExpression") is None:
            raise validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in "
                             "the request.")
        key_condition = ex.parse("KeyConditionExpression", request["KeyConditionExpression"])
        filter_, projection_parsed = _optional(request, "FilterExpression"), _optional(request, "ProjectionExpression")
        env = _env(request, [p for p in (key_condition, filter_, projection_parsed) if p is not None])
        hash_bytes, range_sql, range_params = _key_condition(key_condition, key, env, hashed=index is None)
        if filter_ is not None:
            for name in ex.attribute_names(filter_.tree, env):
                if name in key.names:
                    raise validation(f"Filter Expression can only contain non-primary key attributes: Primary key "
                                     f"attribute: {name}")
        forward = request.get("ScanIndexForward", True)
        order = "" if forward else " DESC"
        if index is None:
            sql = f"SELECT item, size, plain FROM {spec.sql} WHERE pk = ?{range_sql.replace('SK', 'sk')}"
            params: list[Any] = [hash_bytes, *range_params]
            start = request.get("ExclusiveStartKey")
            if start is not None:
                _, start_sk = _start_key(spec, None, start)
                sql += " AND sk > ?" if forward else " AND sk < ?"
                params.append(start_sk)
            sql += f" ORDER BY sk{order}"
        else:
            sql = (f"SELECT b.item, b.size, b.plain FROM {index.sql} i JOIN {spec.sql} b ON b.pk = i.bpk AND b.sk = i.bsk "
                   f"WHERE i.pk = ?{range_sql.replace('SK', 'i.sk')}")
            params = [hash_bytes, *range_params]
            start = request.get("ExclusiveStartKey")
            if start is not None:
                _, start_sk, start_bpk, start_bsk = _start_key(spec, index, start)
                sql += " AND (i.sk, i.bpk, i.bsk) > (?, ?, ?)" if forward else " AND (i.sk, i.bpk, i.bsk) < (?, ?, ?)"
                params += [start_sk, start_bpk, start_bsk]
            sql += f" ORDER BY i.sk{order}, i.bpk{order}, i.bsk{order}"
        return self._read(spec, index, sql, params, request, filter_, projection_parsed, env, None, plain)

    def scan(self, request: dict[str, Any], *, plain: bool = False) -> dict[str, Any]:
        """Scan; `plain=True` as for `query`."""
        if legacy.uses_legacy(request):
            request = legacy.translate(request)
        spec = self._spec(request.get("TableName"))
        index = _index(spec, request)
        filter_, projection_parsed = _optional(request, "FilterExpression"), _optional(request, "ProjectionExpression")
        env = _env(request, [p for p in (filter_, projection_parsed) if p is not None])
        segment, total = request.get("Segment"), request.get("TotalSegments")
        if segment is not None and total is None:
            raise validation("If segment is specified, total segment must also be specified")
        if total is not None and segment is None:
            raise validation("If total segments is specified, a particular segment must also be specified for this "
                             "request")
        if total is not None and not (isinstance(total, int) and 1 <= total <= 1000000):
            raise validation(f"1 validation error detected: Value '{total}' at 'totalSegments' failed to satisfy "
                             "constraint: Member must have value less than or equal to 1000000")
        if segment is not None and not (isinstance(segment, int) and 0 <= segment < total):
            raise validation(f"1 validation error detected: Value '{segment}' at 'segment' failed to satisfy "
                             f"constraint: Member must have value less than or equal to {total - 1}")
        start = request.get("ExclusiveStartKey")
        if index is None:
            conditions, params = [], []
            if start is not None:
                conditions.append("(pk, sk) > (?, ?)")
                params = list(_start_key(spec, None, start))
            if total:  # a segment is a contiguous range of partition hashes, hence of stored keys
                conditions.append("pk >= ?")
                params.append(_hash_bound(segment, total))
                if segment + 1 < total:
                    conditions.append("pk < ?")
                    params.append(_hash_bound(segment + 1, total))
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            sql = f"SELECT item, size, plain FROM {spec.sql}{where} ORDER BY pk, sk"
        else:
            sql = (f"SELECT b.item, b.size, b.plain{', b.pk' if total else ''} FROM {index.sql} i JOIN {spec.sql} b "
                   "ON b.pk = i.bpk AND b.sk = i.bsk")
            params = []
            if start is not None:
                sql += " WHERE (i.pk, i.sk, i.bpk, i.bsk) > (?, ?, ?, ?)"
                params = list(_start_key(spec, index, start))
            sql += " ORDER BY i.pk, i.sk, i.bpk, i.bsk"
        return self._read(spec, index, sql, params, request, filter_, projection_parsed, env,
                          (segment, total) if total and index is not None else None, plain)

    def _read(self, spec: TableSpec, index: IndexSpec | None, sql: str, params: list[Any], request: dict[str, Any],
              filter_: ex.Parsed | None, projection_parsed: ex.Parsed | None, env: ex.Env,
              segments: tuple[int, int] | None, plain: bool) -> dict[str, Any]:
        """Run a Query/Scan cursor: Limit counts evaluated items, 1 MB pages, filter after, projection last.
        A row's item is decoded only when something needs it (a filter, a projection, the last key); whole
        items in plain form come from the stored plain column."""
        limit = request.get("Limit")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise validation("Limit must be greater than or equal to 1")
        select = _select(request, index, projection_parsed)
        project: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        if projection_parsed is not None:
            project = partial(ex.project, tree=ex.projection_tree(
                "ProjectionExpression", [env.path(p) for p in projection_parsed.tree]))
        elif select == "ALL_PROJECTED_ATTRIBUTES" and index is not None and index.projection_type != "ALL":
            project = partial(project_index_item, spec, index)
        key_names = spec.key.names + (tuple(n for n in index.key.names if n not in spec.key.names) if index else ())
        items: list[dict[str, Any]] = []
        scanned = count = size = 0
        last: dict[str, Any] | None = None
        with self._lock:
            self._journal.flush()
            cursor = self._db.execute(sql, params)
            for row in cursor:
                if segments is not None and int.from_bytes(row[3][:20]) * segments[1] >> 160 != segments[0]:
                    continue
                scanned += 1
                size += row[1]
                item = _loads(row[0]) if filter_ is not None else None
                if filter_ is None or ex.matches(filter_.tree, item, env):  # type: ignore[arg-type]
                    count += 1
                    if select != "COUNT":
                        if project is not None:
                            projected = project(item if item is not None else _loads(row[0]))
                            items.append(v.item_to_plain(projected) if plain else projected)
                        elif plain:
                            items.append(_plain(row[0], row[2]))
                        else:
                            items.append(item if item is not None else _loads(row[0]))
                if scanned == limit or size >= PAGE_BYTES:
                    last = _key_of(item if item is not None else _loads(row[0]), key_names)
                    break
            cursor.close()
        response: dict[str, Any] = {"Count": count, "ScannedCount": scanned}
        if select != "COUNT":
            response["Items"] = items
        if last is not None:
            response["LastEvaluatedKey"] = last
        return response

    # ------------------------------------------------------------------ batches and transactions

    def batch_get_item(self, request: dict[str, Any]) -> dict[str, Any]:
        request_items = request.get("RequestItems")
        if not request_items:
            raise validation("1 validation error detected: Value null at 'requestItems' failed to satisfy "
                             "constraint: Member must have length greater than or equal to 1")
        total = sum(len(entry.get("Keys") or []) for entry in request_items.values())
        if total > 100:
            raise validation("Too many items requested for the BatchGetItem call")
        responses: dict[str, list[dict[str, Any]]] = {}
        plans = []
        for table_name, entry in request_items.items():
            spec = self._spec(table_name)
            keys = entry.get("Keys") or []
            if not keys:
                raise validation("1 validation error detected: Value '[]' at 'requestItems." + table_name +
                                 ".member.keys' failed to satisfy constraint: Member must have length greater "
                                 "than or equal to 1")
            encoded = [spec.key.of_key(key) for key in keys]
            if len(set(encoded)) != len(encoded):
                raise validation("Provided list of item keys contains duplicates")
            plans.append((spec, encoded, _projection(entry)))
        with self._lock:
            for spec, encoded, projection in plans:
                found = responses.setdefault(spec.name, [])
                for pk, sk in encoded:
                    item = self._load(spec, pk, sk)
                    if item is not None:
                        found.append(ex.project(item, projection) if projection is not None else item)
        return {"Responses": responses, "UnprocessedKeys": {}}

    def batch_write_item(self, request: dict[str, Any]) -> dict[str, Any]:
        request_items = request.get("RequestItems")
        if not request_items:
            raise validation("1 validation error detected: Value null at 'requestItems' failed to satisfy "
                             "constraint: Member must have length greater than or equal to 1")
        if sum(len(entries) for entries in request_items.values()) > 25:
            raise validation("Too many items requested for the BatchWriteItem call")
        writes: list[_Write] = []
        for table_name, entries in request_items.items():
            for entry in entries:
                if len(entry) != 1 or not ({"PutRequest", "DeleteRequest"} & set(entry)):
                    raise validation("Supplied AttributeValue has more than one datatypes set, must contain "
                                     "exactly one of the supported datatypes")
                if "PutRequest" in entry:
                    writes.append(self._prepare("Put", {"TableName": table_name, **(entry["PutRequest"] or {})}))
                else:
                    writes.append(self._prepare("Delete", {"TableName": table_name, **(entry["DeleteRequest"] or {})}))
        targets = [(w.spec.name, w.pk, w.sk) for w in writes]
        if len(set(targets)) != len(targets):
            raise validation("Provided list of item keys contains duplicates")
        with self._transaction() as records:
            for write in writes:
                old = self._load(write.spec, write.pk, write.sk)
                self._store(write.spec, write.pk, write.sk, old, write.new_item(old), records)
        return {"UnprocessedItems": {}}

    def transact_get_items(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = request.get("TransactItems") or []
        _check_transaction_size(entries)
        plans = []
        for entry in entries:
            get = entry.get("Get")
            if get is None:
                raise validation("1 validation error detected: Value null at 'transactItems.1.member.get' failed to "
                                 "satisfy constraint: Member must not be null")
            spec = self._spec(get.get("TableName"))
            plans.append((spec, spec.key.of_key(get.get("Key")), _projection(get)))
        responses = []
        with self._lock:
            for spec, (pk, sk), projection in plans:
                item = self._load(spec, pk, sk)
                if item is None:
                    responses.append({})
                else:
                    responses.append({"Item": ex.project(item, projection) if projection is not None else item})
        return {"Responses": responses}

    def transact_write_items(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = request.get("TransactItems") or []
        _check_transaction_size(entries)
        token = request.get("ClientRequestToken")
        fingerprint = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest() if token else ""
        writes = []
        for entry in entries:
            if len(entry) != 1 or next(iter(entry)) not in ("ConditionCheck", "Put", "Delete", "Update"):
                raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
            action, body = next(iter(entry.items()))
            body = body or {}
            if action == "ConditionCheck" and not body.get("ConditionExpression"):
                raise validation("The ConditionExpression parameter is required for ConditionCheck")
            if action == "Update" and not body.get("UpdateExpression"):
                raise validation("1 validation error detected: Value null at 'transactItems.1.member.update."
                                 "updateExpression' failed to satisfy constraint: Member must not be null")
            writes.append(self._prepare(action, body))
        targets = [(w.spec.name, w.pk, w.sk) for w in writes]
        if len(set(targets)) != len(targets):
            raise validation("Transaction request cannot include multiple operations on one item")
        with self._transaction() as records:
            if token:
                now = time.time()
                self._tokens = {t: entry for t, entry in self._tokens.items() if now - entry[2] < TOKEN_TTL}
                seen = self._tokens.get(token)
                if seen is not None:
                    if seen[0] != fingerprint:
                        raise DynamoDBError("IdempotentParameterMismatchException",
                                            "Specified idempotency token has been used with different parameters")
                    return seen[1]
            olds = [self._load(w.spec, w.pk, w.sk) for w in writes]
            reasons: list[dict[str, Any]] = []
            news: list[dict[str, Any] | None] = []
            for write, old in zip(writes, olds, strict=True):
                if not write.passes(old):
                    failure = write.failure(old)
                    reasons.append({"Code": "ConditionalCheckFailed", "Message": failure.message, **failure.extra})
                    news.append(None)
                    continue
                try:
                    new = write.new_item(old)
                    if new is not None and write.action == "Update":
                        self._check_index_types(write.spec, new)
                except DynamoDBError as error:
                    reasons.append({"Code": "ValidationError", "Message": error.message})
                    news.append(None)
                    continue
                reasons.append({"Code": "None"})
                news.append(new)
            if any(reason["Code"] != "None" for reason in reasons):
                codes = ", ".join(reason["Code"] for reason in reasons)
                raise DynamoDBError("TransactionCanceledException", "Transaction cancelled, please refer "
                                    f"cancellation reasons for specific reasons [{codes}]",
                                    CancellationReasons=reasons)
            for write, old, new in zip(writes, olds, news, strict=True):
                if write.action != "ConditionCheck":
                    self._store(write.spec, write.pk, write.sk, old, new, records)
            if token:
                self._tokens[token] = (fingerprint, {}, time.time())
        return {}


# ---------------------------------------------------------------------- request helpers

def _key_of(item: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: item[name] for name in names}


def _row(pk: bytes, sk: bytes, size: int, item: dict[str, Any], plain: dict[str, Any]) -> storage.Row:
    return pk, sk, size, _dumps(item), storage.encode_plain(plain)


def _compact(row: storage.Row) -> storage.Row:
    """A row whose bytes are copied to their exact size, for rows held by the thousand until a commit (a seed):
    each `orjson.dumps` result keeps a ~4 KB buffer, 430 MB for 50,000 rows; the copies take ~15 MB."""
    pk, sk, size, item, plain = row
    return pk, sk, size, memoryview(item).tobytes(), None if plain is None else memoryview(plain).tobytes()


def _plain(item: bytes, plain: bytes | None) -> dict[str, Any]:
    """The plain form of a stored row (decoded; converted only when it could not be stored)."""
    return _loads(plain) if plain is not None else v.item_to_plain(_loads(item))


def _env(request: dict[str, Any], parsed: list[ex.Parsed]) -> ex.Env:
    if not parsed:
        if request.get("ExpressionAttributeNames") is not None:
            raise validation("ExpressionAttributeNames can only be specified when using expressions")
        if request.get("ExpressionAttributeValues") is not None:
            raise validation("ExpressionAttributeValues can only be specified when using expressions: "
                             "ConditionExpression is null")
        return ex.Env(None, None)
    return ex.Env.for_request(request, parsed)


def _optional(request: dict[str, Any], name: str) -> ex.Parsed | None:
    text = request.get(name)
    return None if text is None else ex.parse(name, text)


def _projection(request: dict[str, Any]) -> dict[Any, Any] | None:
    """The projection tree of a read request, or None for the whole item."""
    if legacy.uses_legacy(request):
        request = legacy.translate(request)
    parsed = _optional(request, "ProjectionExpression")
    if parsed is None:
        _env(request, [])
        return None
    env = _env(request, [parsed])
    return ex.projection_tree("ProjectionExpression", [env.path(p) for p in parsed.tree])


def _return_values(request: dict[str, Any], allowed: tuple[str, ...]) -> str:
    value = request.get("ReturnValues", "NONE")
    if value not in allowed:
        raise validation("Return values set to invalid value")
    return value


def _index(spec: TableSpec, request: dict[str, Any]) -> IndexSpec | None:
    name = request.get("IndexName")
    if name is None:
        return None
    index = spec.indexes.get(name)
    if index is None:
        raise validation(f"The table does not have the specified index: {name}")
    if index.kind == "GSI" and request.get("ConsistentRead"):
        raise validation("Consistent read cannot be true when querying a GSI")
    return index


def _select(request: dict[str, Any], index: IndexSpec | None, projection: ex.Parsed | None) -> str:
    select = request.get("Select")
    if select is None:
        if projection is not None:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    if select not in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"):
        raise validation(f"1 validation error detected: Value '{select}' at 'select' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                         "ALL_PROJECTED_ATTRIBUTES]")
    if projection is not None and select != "SPECIFIC_ATTRIBUTES":
        raise validation(f"Cannot specify the ProjectionExpression when choosing to get {select}")
    if select == "SPECIFIC_ATTRIBUTES" and projection is None:
        raise validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                         "SPECIFIC_ATTRIBUTES")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    if (select == "ALL_ATTRIBUTES" and index is not None and index.kind == "GSI"
            and index.projection_type != "ALL"):
        raise validation(f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                         f"for global secondary index {index.name} because its projection type is not ALL")
    return select


def _start_key(spec: TableSpec, index: IndexSpec | None, start: Any) -> tuple[bytes, ...]:
    """The stored bytes of an ExclusiveStartKey: base key, plus the index key for an index."""
    names = set(spec.key.names) | (set(index.key.names) if index else set())
    if not isinstance(start, dict) or len(start) != len(names):
        raise validation("Exclusive Start Key must have same size as table's key schema")
    if set(start) != names:
        raise validation("The provided starting key is invalid: The provided key element does not match the schema")
    try:
        base = spec.key.of_key({name: start[name] for name in spec.key.names})
        if index is None:
            return base
        entry = index.key.index_entry(start)
    except DynamoDBError:
        raise validation("The provided starting key is invalid: The provided key element does not match the "
                         "schema") from None
    if entry is None:
        raise validation("The provided starting key is invalid: The provided key element does not match the schema")
    return (*entry, *base)


def _key_condition(parsed: ex.Parsed, key: KeySpec, env: ex.Env, hashed: bool) -> tuple[bytes, str, list[Any]]:
    """Split a KeyConditionExpression into the stored partition key (hashed for a table, plain for an
    index) and SQL on the sort key (`SK` placeholder)."""
    conditions: list[ex.Node] = []
    pending = [parsed.tree]
    while pending:
        node = pending.pop()
        if node[0] == "and":
            pending += [node[2], node[1]]
        elif node[0] in ("or", "not", "in"):
            raise validation(f"Invalid operator used in KeyConditionExpression: {node[0].upper()}")
        elif node[0] == "fn" and node[1] != "begins_with":
            raise validation(f"Invalid operator used in KeyConditionExpression: {node[1]}")
        else:
            conditions.append(node)
    if len(conditions) > 2:
        raise validation("KeyConditionExpressions must only contain one condition per key")
    hash_value: bytes | None = None
    range_sql, range_params = "", []
    for node in conditions:
        operands = node[1:4] if node[0] == "between" else node[2:4] if node[0] == "cmp" else node[2]
        if any(operand[0] == "size" for operand in operands):
            raise validation("KeyConditionExpressions cannot contain nested operations")
        target = node[1] if node[0] == "between" else node[2] if node[0] == "cmp" else node[2][0]
        if node[0] == "cmp" and target[0] != "path":
            target = node[3]
        if target[0] != "path":
            raise validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
                             "condition")
        path = env.path(target)
        if len(path) != 1:
            raise validation("KeyConditionExpressions cannot have conditions on nested attributes")
        name = path[0]
        if name == key.hash_name:
            if hash_value is not None:
                raise validation("KeyConditionExpressions must only contain one condition per key")
            if node[0] != "cmp" or node[1] != "=":
                raise validation("Query key condition not supported")
            value_node = node[3] if node[2] is target else node[2]
            operand = _key_operand(value_node, key.hash_type, env)
            hash_value = v.partition_bytes(operand) if hashed else v.key_bytes(operand)
        elif name == key.range_name:
            if range_sql:
                raise validation("KeyConditionExpressions must only contain one condition per key")
            range_sql, range_params = _range_condition(node, target, key.range_type or "S", env)
        else:
            raise validation("Query condition missed key schema element")
    if hash_value is None:
        raise validation("Query condition missed key schema element")
    return hash_value, range_sql, range_params


def _key_operand(node: ex.Node, kind: str, env: ex.Env) -> dict[str, Any]:
    """The constant a key condition compares with, checked against the key's type."""
    if node[0] != "value":
        raise validation("Query key condition not supported")
    value = env.values[node[1]]
    if kind not in value:
        raise invalid_parameter("Condition parameter type does not match schema type")
    return value


def _sort_operand(node: ex.Node, kind: str, env: ex.Env) -> bytes:
    return v.key_bytes(_key_operand(node, kind, env))


def _range_condition(node: ex.Node, target: ex.Node, kind: str, env: ex.Env) -> tuple[str, list[Any]]:
    if node[0] == "between":
        return " AND SK BETWEEN ? AND ?", [_sort_operand(node[2], kind, env), _sort_operand(node[3], kind, env)]
    if node[0] == "fn":
        if kind == "N":
            raise validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                             "operator or function: begins_with, operand type: N")
        prefix = _sort_operand(node[2][1], kind, env)
        upper = _successor(prefix)
        if upper is None:
            return " AND SK >= ?", [prefix]
        return " AND SK >= ? AND SK < ?", [prefix, upper]
    operator = node[1]
    if operator == "<>":
        raise validation("Unsupported operator on KeyConditionExpression: operator: <>")
    if node[2] is not target:  # `:v < sk` is `sk > :v`
        operator = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[operator]
        value_node = node[2]
    else:
        value_node = node[3]
    return f" AND SK {operator} ?", [_sort_operand(value_node, kind, env)]


def _hash_bound(segment: int, total: int) -> bytes:
    """The smallest 20-byte partition hash of a parallel-Scan segment (segments split the hash space evenly)."""
    return (-(-(segment << 160) // total)).to_bytes(20, "big")


def _successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with `prefix`."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes((stripped[-1] + 1,))


def _check_transaction_size(entries: Any) -> None:
    if not isinstance(entries, list) or not entries:
        raise validation(f"Value {'[]' if entries == [] else 'null'} at 'transactItems' failed to satisfy "
                         "constraint: Member must have length greater than or equal to 1")
    if len(entries) > 100:
        raise validation("Member must have length less than or equal to 100")


def _stream_record(spec: TableSpec, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """A DynamoDB Streams record for one change, with the images the table's stream view type carries."""
    view = (spec.stream or {}).get("StreamViewType", "NEW_AND_OLD_IMAGES")
    source = new if new is not None else old
    assert source is not None
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": int(time.time()),
        "Keys": spec.key.key_of(source),
        "SequenceNumber": str(time.time_ns()),
        "SizeBytes": v.item_size(source),
        "StreamViewType": view,
    }
    if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["NewImage"] = new
    if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        body["OldImage"] = old
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-fake-1",
        "dynamodb": body,
        "eventSourceARN": f"{spec.arn}/stream/{spec.stream_label}",
    }
