"""AppSync's DynamoDB data source: rendered resolver requests (2017-02-28 / 2018-05-29) -> engine operations.

The request is the JSON a DynamoDB request template renders (`{"operation": "PutItem", "key": ...,
"attributeValues": ..., "condition": {...}}`); the result is what AppSync hands the response template:
items as plain JSON (numbers int when integral), `{items, nextToken, scannedCount}` for Query/Scan, batch
`data`/`unprocessedKeys`, transact `keys`/`cancellationReasons`. Engine errors become
`DataSourceError(message, "DynamoDB:<Code>")`. The engine is called in-process and synchronously: its
operations take microseconds, less than handing them to a thread would cost.

Versioned data sources (DataStore conflict detection) keep `_version`, `_lastChangedAt` and `_deleted`
on every item, reject a write whose `_version` is not the stored one with `ConflictUnhandled` (AppSync's
optimistic concurrency), turn deletes into `_deleted` tombstones, and answer `Sync` with tombstones
included.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

from amplify_local.mock.appsync.errors import DataSourceError
from amplify_local.mock.appsync.types import DataSourceCall
from amplify_local.mock.dynamodb import expressions as ex
from amplify_local.mock.dynamodb import updates
from amplify_local.mock.dynamodb import values as v
from amplify_local.mock.dynamodb.engine import Engine
from amplify_local.mock.dynamodb.errors import DynamoDBError

_CONDITION_FAILED = "The conditional request failed"


def encode_token(key: dict[str, Any]) -> str:
    """The opaque nextToken of a LastEvaluatedKey (base64 of its JSON, as the reference mock makes it)."""
    return base64.b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_token(token: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError, TypeError):
        raise DataSourceError("Invalid pagination token given.", "DynamoDB:ValidationException") from None
    if not isinstance(key, dict):
        raise DataSourceError("Invalid pagination token given.", "DynamoDB:ValidationException")
    return key


def _expression(request: dict[str, Any], block: Any, parameter: str, names: dict[str, str],
                values: dict[str, Any]) -> None:
    """Copy one AppSync expression block (`{expression, expressionNames, expressionValues}`) into a request."""
    if not block:
        return
    if isinstance(block, str):
        block = {"expression": block}
    text = block.get("expression")
    if text is None:
        raise DataSourceError(f"The '{parameter}' block needs an 'expression'", "DynamoDB:ValidationException")
    request[parameter] = text
    names.update(block.get("expressionNames") or {})
    values.update(block.get("expressionValues") or {})


def _finish(request: dict[str, Any], names: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    return request


def _plain(item: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if item is None else v.item_to_plain(item)


class DynamoDBDataSource:
    """One AMAZON_DYNAMODB data source over one table of an engine (embedded or remote)."""

    type = "AMAZON_DYNAMODB"

    def __init__(self, name: str, table_name: str, engine: Any, *, versioned: bool = False,
                 deleted_ttl_seconds: int = 30 * 24 * 3600) -> None:
        self.name = name
        self.table_name = table_name
        self.engine = engine
        self.versioned = versioned
        self.deleted_ttl_seconds = deleted_ttl_seconds
        self._native = isinstance(engine, Engine)  # reads items in plain form (stored so), no conversion here

    async def invoke(self, request: Any, call: DataSourceCall) -> Any:
        return self.execute(request)

    def execute(self, request: Any) -> Any:
        """Run one rendered request document and return AppSync's result for it."""
        if not isinstance(request, dict):
            raise DataSourceError("The request mapping template must render a JSON object",
                                  "DynamoDB:ValidationException")
        operation = request.get("operation")
        handler = _HANDLERS.get(operation)  # type: ignore[arg-type]
        if handler is None:
            raise DataSourceError(f"Unsupported operation '{operation}' for the DynamoDB data source; use one of "
                                  f"{', '.join(_HANDLERS)}", "DynamoDB:ValidationException")
        try:
            return handler(self, request)
        except DynamoDBError as error:
            raise DataSourceError(error.message, f"DynamoDB:{error.code}") from None

    # -- single items

    def _get_item(self, request: dict[str, Any]) -> Any:
        call: dict[str, Any] = {"TableName": self.table_name, "Key": request.get("key"),
                                "ConsistentRead": bool(request.get("consistentRead", False))}
        names: dict[str, str] = {}
        _projection(call, request, names)
        if self._native:
            item = self.engine.get_item(_finish(call, names, {}), plain=True).get("Item")
        else:
            item = _plain(self.engine.get_item(_finish(call, names, {})).get("Item"))
        if item is not None and self.versioned and item.get("_deleted") is True:
            return None
        return item

    def _put_item(self, request: dict[str, Any]) -> Any:
        item = {**(request.get("attributeValues") or {}), **(request.get("key") or {})}
        call: dict[str, Any] = {"TableName": self.table_name, "Item": item, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        condition = request.get("condition")
        _expression(call, condition, "ConditionExpression", names, values)
        if self.versioned:
            expected = request.get("_version")
            self._version_condition(call, names, values, expected, creating=expected is None)
            item["_version"] = {"N": str(int(expected or 0) + 1)}
            item["_lastChangedAt"] = {"N": str(int(time.time() * 1000))}
        try:
            self.engine.put_item(_finish(call, names, values))
        except DynamoDBError as error:
            return self._condition_failed(error, request, lambda current: _same(current, item, condition))
        return v.item_to_plain(item)

    def _update_item(self, request: dict[str, Any]) -> Any:
        key = request.get("key")
        call: dict[str, Any] = {"TableName": self.table_name, "Key": key, "ReturnValues": "ALL_NEW",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        update = request.get("update")
        _expression(call, update, "UpdateExpression", names, values)
        condition = request.get("condition")
        _expression(call, condition, "ConditionExpression", names, values)
        if self.versioned:
            self._version_condition(call, names, values, request.get("_version"), creating=False)
            extra = "#_v = #_v + :_one, #_lca = :_now"
            call["UpdateExpression"] = _add_set(call.get("UpdateExpression", ""), extra)
            names.update({"#_v": "_version", "#_lca": "_lastChangedAt"})
            values.update({":_one": {"N": "1"}, ":_now": {"N": str(int(time.time() * 1000))}})
        finished = _finish(call, names, values)
        try:
            return _plain(self.engine.update_item(finished).get("Attributes"))
        except DynamoDBError as error:
            return self._condition_failed(error, request, lambda current: _updated_same(current, finished, condition))

    def _delete_item(self, request: dict[str, Any]) -> Any:
        if self.versioned:
            return self._tombstone(request)
        call: dict[str, Any] = {"TableName": self.table_name, "Key": request.get("key"), "ReturnValues": "ALL_OLD",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        _expression(call, request.get("condition"), "ConditionExpression", names, values)
        try:
            return _plain(self.engine.delete_item(_finish(call, names, values)).get("Attributes"))
        except DynamoDBError as error:
            return self._condition_failed(error, request, lambda current: current is None)

    def _tombstone(self, request: dict[str, Any]) -> Any:
        """A versioned delete: mark `_deleted` (kept for Sync until its `_ttl`), bump the version."""
        now = int(time.time() * 1000)
        update = {"expression": "SET #_d = :_true, #_ttl = :_ttl", "expressionNames": {"#_d": "_deleted", "#_ttl": "_ttl"},
                  "expressionValues": {":_true": {"BOOL": True},
                                       ":_ttl": {"N": str(now // 1000 + self.deleted_ttl_seconds)}}}
        return self._update_item({**request, "update": update})

    def _version_condition(self, call: dict[str, Any], names: dict[str, str], values: dict[str, Any],
                           expected: Any, *, creating: bool) -> None:
        names["#_v"] = "_version"
        if creating:
            own = "attribute_not_exists(#_v)"
        else:
            own = "#_v = :_expected"
            values[":_expected"] = {"N": str(int(expected or 0))}
        existing = call.get("ConditionExpression")
        call["ConditionExpression"] = f"({existing}) AND {own}" if existing else own

    def _condition_failed(self, error: DynamoDBError, request: dict[str, Any], already_done: Any) -> Any:
        """AppSync's handling of a failed condition: success when the item already is as asked (equalsIgnore
        aside), `ConflictUnhandled` for a version conflict, else the error with the current item as data."""
        if error.code != "ConditionalCheckFailedException":
            raise error
        current = error.extra.get("Item")
        if not self.versioned and already_done(current):
            return _plain(current)
        if self.versioned and current is not None and str(current.get("_version", {}).get("N")) != str(
                request.get("_version")):
            raise DataSourceError("Conflict resolver rejects mutation.", "ConflictUnhandled", data=_plain(current))
        raise DataSourceError(_CONDITION_FAILED, "DynamoDB:ConditionalCheckFailedException", data=_plain(current))

    # -- reads

    def _read_request(self, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
        call: dict[str, Any] = {"TableName": self.table_name}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        for source, target in (("index", "IndexName"), ("limit", "Limit"), ("select", "Select"),
                               ("scanIndexForward", "ScanIndexForward"), ("consistentRead", "ConsistentRead"),
                               ("segment", "Segment"), ("totalSegments", "TotalSegments")):
            if request.get(source) is not None:
                call[target] = request[source]
        if request.get("nextToken"):
            call["ExclusiveStartKey"] = decode_token(request["nextToken"])
        _expression(call, request.get("filter"), "FilterExpression", names, values)
        _projection(call, request, names)
        return call, names, values

    def _page(self, operation: str, call: dict[str, Any]) -> dict[str, Any]:
        """Run a Query or Scan and shape its page as AppSync does."""
        read = getattr(self.engine, operation)
        if self._native:
            response = read(call, plain=True)
            items = response.get("Items", [])
        else:
            response = read(call)
            items = [v.item_to_plain(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return {
            "items": items,
            "nextToken": encode_token(last) if last else None,
            "scannedCount": response.get("ScannedCount", 0),
        }

    def _query(self, request: dict[str, Any]) -> Any:
        call, names, values = self._read_request(request)
        _expression(call, request.get("query"), "KeyConditionExpression", names, values)
        if "KeyConditionExpression" not in call:
            raise DataSourceError("A Query needs a 'query' block with a key condition expression",
                                  "DynamoDB:ValidationException")
        return self._page("query", _finish(call, names, values))

    def _scan(self, request: dict[str, Any]) -> Any:
        call, names, values = self._read_request(request)
        return self._page("scan", _finish(call, names, values))

    def _sync(self, request: dict[str, Any]) -> Any:
        """DataStore's Sync: a page of the base table, or of a `query` (with `index`) when the request has one;
        tombstones included, only changes since `lastSync`."""
        started = int(time.time() * 1000)
        call, names, values = self._read_request(request)
        _expression(call, request.get("query"), "KeyConditionExpression", names, values)
        last_sync = request.get("lastSync")
        if last_sync is not None:
            own = "#_lca > :_lastSync"
            names["#_lca"] = "_lastChangedAt"
            values[":_lastSync"] = {"N": str(int(last_sync))}
            existing = call.get("FilterExpression")
            call["FilterExpression"] = f"({existing}) AND {own}" if existing else own
        page = self._page("query" if "KeyConditionExpression" in call else "scan", _finish(call, names, values))
        return {"items": page["items"], "nextToken": page["nextToken"], "startedAt": started}

    # -- batches and transactions

    def _tables(self, request: dict[str, Any]) -> dict[str, Any]:
        tables = request.get("tables")
        if not isinstance(tables, dict) or not tables:
            raise DataSourceError("A batch operation needs a non-empty 'tables' map", "DynamoDB:ValidationException")
        return tables

    def _batch_get_item(self, request: dict[str, Any]) -> Any:
        tables = self._tables(request)
        request_items = {name: {"Keys": entry.get("keys") or [], "ConsistentRead": bool(entry.get("consistentRead"))}
                         for name, entry in tables.items()}
        response = self.engine.batch_get_item({"RequestItems": request_items})["Responses"]
        data: dict[str, list[Any]] = {}
        for name, entry in tables.items():
            found = response.get(name, [])
            key_names = list((entry.get("keys") or [{}])[0])
            by_key = {_key_text(item, key_names): item for item in found}
            data[name] = [_plain(by_key.get(_key_text(key, key_names))) for key in entry.get("keys") or []]
        return {"data": data, "unprocessedKeys": {name: [] for name in tables}}

    def _batch_put_item(self, request: dict[str, Any]) -> Any:
        tables = self._tables(request)
        self.engine.batch_write_item({"RequestItems": {
            name: [{"PutRequest": {"Item": item}} for item in items] for name, items in tables.items()}})
        return {"data": {name: [v.item_to_plain(item) for item in items] for name, items in tables.items()},
                "unprocessedItems": {name: [] for name in tables}}

    def _batch_delete_item(self, request: dict[str, Any]) -> Any:
        tables = self._tables(request)
        self.engine.batch_write_item({"RequestItems": {
            name: [{"DeleteRequest": {"Key": key}} for key in keys] for name, keys in tables.items()}})
        return {"data": {name: [v.item_to_plain(key) for key in keys] for name, keys in tables.items()},
                "unprocessedKeys": {name: [] for name in tables}}

    def _transact_get_items(self, request: dict[str, Any]) -> Any:
        gets = []
        for entry in request.get("transactItems") or []:
            get: dict[str, Any] = {"TableName": entry.get("table"), "Key": entry.get("key")}
            names: dict[str, str] = {}
            _projection(get, entry, names)
            gets.append({"Get": _finish(get, names, {})})
        response = self.engine.transact_get_items({"TransactItems": gets})
        return {"items": [_plain(entry.get("Item")) for entry in response["Responses"]], "cancellationReasons": None}

    def _transact_write_items(self, request: dict[str, Any]) -> Any:
        actions = []
        keys = []
        for entry in request.get("transactItems") or []:
            operation = entry.get("operation")
            body: dict[str, Any] = {"TableName": entry.get("table"), "Key": entry.get("key")}
            names: dict[str, str] = {}
            values: dict[str, Any] = {}
            condition = entry.get("condition") or {}
            _expression(body, condition, "ConditionExpression", names, values)
            if condition.get("returnValuesOnConditionCheckFailure", True):
                body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            if operation == "PutItem":
                body["Item"] = {**(entry.get("attributeValues") or {}), **(entry.get("key") or {})}
                del body["Key"]
                action = "Put"
            elif operation == "UpdateItem":
                _expression(body, entry.get("update"), "UpdateExpression", names, values)
                action = "Update"
            elif operation == "DeleteItem":
                action = "Delete"
            elif operation == "ConditionCheck":
                action = "ConditionCheck"
            else:
                raise DataSourceError(f"Unsupported transaction operation '{operation}'; use PutItem, UpdateItem, "
                                      "DeleteItem or ConditionCheck", "DynamoDB:ValidationException")
            actions.append({action: _finish(body, names, values)})
            keys.append(v.item_to_plain(entry.get("key") or {}))
        try:
            self.engine.transact_write_items({"TransactItems": actions})
        except DynamoDBError as error:
            if error.code != "TransactionCanceledException":
                raise
            reasons = [{"type": reason["Code"], "message": reason.get("Message"),
                        **({"item": v.item_to_plain(reason["Item"])} if "Item" in reason else {})}
                       for reason in error.extra.get("CancellationReasons", [])]
            raise DataSourceError(error.message, "DynamoDB:TransactionCanceledException",
                                  data={"keys": None, "cancellationReasons": reasons}) from None
        return {"keys": keys, "cancellationReasons": None}


def _projection(call: dict[str, Any], request: dict[str, Any], names: dict[str, str]) -> None:
    projection = request.get("projection")
    if projection:
        call["ProjectionExpression"] = projection.get("expression")
        names.update(projection.get("expressionNames") or {})


def _add_set(expression: str, actions: str) -> str:
    """Add SET actions to an update expression (into its SET clause when it has one)."""
    parsed = ex.parse("UpdateExpression", expression) if expression.strip() else None
    if parsed is None:
        return f"SET {actions}"
    if parsed.tree[0]:
        upper = expression.upper()
        position = upper.index("SET") + 3
        return f"{expression[:position]} {actions},{expression[position:]}"
    return f"{expression} SET {actions}"


def _key_text(item: dict[str, Any], names: list[str]) -> str:
    return json.dumps([item.get(name) for name in names], sort_keys=True)


def _same(current: dict[str, Any] | None, expected: dict[str, Any], condition: Any) -> bool:
    """Whether the stored item already equals the one being written (AppSync's equalsIgnore comparison)."""
    if current is None:
        return False
    ignore = set((condition or {}).get("equalsIgnore") or [])
    wanted = {k: val for k, val in expected.items() if k not in ignore}
    return current.keys() == wanted.keys() and all(v.equal(val, wanted[k]) for k, val in current.items())


def _updated_same(current: dict[str, Any] | None, call: dict[str, Any], condition: Any) -> bool:
    """Whether applying the update to the stored item would leave it unchanged (an idempotent retry)."""
    if current is None or "UpdateExpression" not in call:
        return False
    parsed = ex.parse("UpdateExpression", call["UpdateExpression"])
    env = ex.Env(call.get("ExpressionAttributeNames"), call.get("ExpressionAttributeValues"))
    try:
        return _same(current, updates.apply(parsed, current, env), condition)
    except DynamoDBError:
        return False


_HANDLERS = {
    "GetItem": DynamoDBDataSource._get_item,
    "PutItem": DynamoDBDataSource._put_item,
    "UpdateItem": DynamoDBDataSource._update_item,
    "DeleteItem": DynamoDBDataSource._delete_item,
    "Query": DynamoDBDataSource._query,
    "Scan": DynamoDBDataSource._scan,
    "Sync": DynamoDBDataSource._sync,
    "BatchGetItem": DynamoDBDataSource._batch_get_item,
    "BatchPutItem": DynamoDBDataSource._batch_put_item,
    "BatchDeleteItem": DynamoDBDataSource._batch_delete_item,
    "TransactGetItems": DynamoDBDataSource._transact_get_items,
    "TransactWriteItems": DynamoDBDataSource._transact_write_items,
}
