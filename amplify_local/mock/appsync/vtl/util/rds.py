"""`$util.rds`: a Data API `ExecuteStatement` result as JSON rows."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.vtl.util.json import parse_json, to_json

_VALUE_KEYS = ("stringValue", "longValue", "doubleValue", "booleanValue", "blobValue", "arrayValue")


def _cell(cell: dict[str, Any]) -> Any:
    if cell.get("isNull"):
        return None
    for key in _VALUE_KEYS:
        if key in cell:
            return cell[key]
    return None


def to_json_object(frame: Any, result: Any) -> list[list[dict[str, Any]]]:
    """One list of row maps per SQL statement, keyed by column label (or name)."""
    document = parse_json(result) if isinstance(result, str) else result
    statements = document.get("sqlStatementResults", [document]) if isinstance(document, dict) else []
    tables = []
    for statement in statements:
        frame_ = statement.get("resultFrame", statement)
        metadata = frame_.get("columnMetadata") or frame_.get("resultSetMetadata", {}).get("columnMetadata", [])
        columns = [c.get("label") or c.get("name") for c in metadata]
        rows = frame_.get("records", [])
        if rows and isinstance(rows[0], dict):
            rows = [row.get("values", []) for row in rows]
        tables.append([{name: _cell(cell) for name, cell in zip(columns, row, strict=False)} for row in rows])
    return tables


FUNCTIONS: dict[str, Any] = {
    "toJsonObject": to_json_object,
    "toJsonString": lambda frame, result: to_json(to_json_object(frame, result)),
}
