"""Table definitions: key schemas, secondary indexes, CreateTable validation and DescribeTable's shape.

A `TableSpec` is the engine's in-memory view of one table (persisted as the JSON of its CreateTable
request plus engine fields). `KeySpec.of` turns a key into its stored `(pk, sk)` byte pair and gives
DynamoDB's messages for a key that does not match the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from amplify_local.mock.dynamodb import values as v
from amplify_local.mock.dynamodb.errors import DynamoDBError, invalid_parameter, validation

REGION = "ddblocal"
ACCOUNT = "000000000000"
_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.\-]{3,255}\Z")
_EMPTY = b""


@dataclass(frozen=True)
class KeySpec:
    """A primary key (or an index key): hash attribute and optional range attribute, with their types."""

    hash_name: str
    hash_type: str
    range_name: str | None = None
    range_type: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_name, self.range_name) if self.range_name else (self.hash_name,)

    def schema(self) -> list[dict[str, str]]:
        schema = [{"AttributeName": self.hash_name, "KeyType": "HASH"}]
        if self.range_name:
            schema.append({"AttributeName": self.range_name, "KeyType": "RANGE"})
        return schema

    def of_key(self, key: Any) -> tuple[bytes, bytes]:
        """The stored bytes of a request's `Key`, which must name exactly the key attributes."""
        if not isinstance(key, dict) or len(key) != (1 if self.range_name is None else 2):
            raise validation("The number of conditions on the keys is invalid")
        return self.of_item(key, checked=False)

    def of_item(self, item: dict[str, Any], checked: bool = True) -> tuple[bytes, bytes]:
        """The stored bytes of an item's key (its values already `check_item`ed unless `checked` is False),
        with DynamoDB Local's messages for a missing or mistyped key."""
        if self.hash_type == "S":  # the keys of nearly every table (an id, maybe a string sort key) at once
            text = _text(item.get(self.hash_name))
            if text is not None:
                if self.range_name is None:
                    return v.string_partition_bytes(text), _EMPTY
                if self.range_type == "S" and (sort := _text(item.get(self.range_name))) is not None:
                    return v.string_partition_bytes(text), sort.encode("utf-8", "surrogatepass")
        hash_value = item.get(self.hash_name)
        range_value = item.get(self.range_name) if self.range_name else None
        if hash_value is None or (self.range_name and range_value is None):
            raise validation("One of the required keys was not given a value")
        if self.hash_type not in hash_value or (range_value is not None and self.range_type not in range_value):
            raise invalid_parameter("Type mismatch for key")
        pk = v.partition_bytes(self._checked(self.hash_name, hash_value, checked))
        if range_value is None:
            return pk, _EMPTY
        return pk, v.key_bytes(self._checked(self.range_name, range_value, checked))  # type: ignore[arg-type]

    @staticmethod
    def _checked(name: str, value: dict[str, Any], checked: bool) -> dict[str, Any]:
        if not checked:
            value = v.check_value(value)
        if value.get("S") == "" or value.get("B") == "":
            raise validation("One or more parameter values are not valid. The AttributeValue for a key attribute "
                             f"cannot contain an empty {'string' if 'S' in value else 'binary'} value. Key: {name}")
        return value

    def index_entry(self, item: dict[str, Any]) -> tuple[bytes, bytes] | None:
        """The index key of an item, or None when the item is not in this (sparse) index."""
        hash_value = item.get(self.hash_name)
        if hash_value is None or self.hash_type not in hash_value:
            return None
        pk = v.key_bytes(hash_value)  # index entries are not hashed: DynamoDB Local scans an index in key order
        if self.range_name is None:
            return pk, _EMPTY
        range_value = item.get(self.range_name)
        if range_value is None or self.range_type not in range_value:
            return None
        return pk, v.key_bytes(range_value)

    def key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self.names}


def _text(value: Any) -> str | None:
    """The text of a key value that needs no checking: `{"S": "<not empty>"}`, else None (the general path)."""
    if type(value) is dict and len(value) == 1:
        text = value.get("S")
        if type(text) is str and text:
            return text
    return None


@dataclass
class IndexSpec:
    name: str
    kind: str  # GSI | LSI
    key: KeySpec
    projection: dict[str, Any]
    sql: str  # the SQLite table holding its entries

    @property
    def projection_type(self) -> str:
        return self.projection.get("ProjectionType", "ALL")


@dataclass
class TableSpec:
    name: str
    sql: str
    key: KeySpec
    attribute_definitions: list[dict[str, str]]
    created: float
    indexes: dict[str, IndexSpec] = field(default_factory=dict)
    billing_mode: str = "PAY_PER_REQUEST"
    throughput: dict[str, int] = field(default_factory=lambda: {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
    stream: dict[str, Any] | None = None  # StreamSpecification when enabled
    stream_label: str | None = None
    ttl_attribute: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "sql": self.sql, "key": self.key.__dict__, "attributes": self.attribute_definitions,
            "created": self.created, "billing": self.billing_mode, "throughput": self.throughput,
            "stream": self.stream, "label": self.stream_label, "ttl": self.ttl_attribute,
            "indexes": [{"name": i.name, "kind": i.kind, "key": i.key.__dict__, "projection": i.projection,
                         "sql": i.sql} for i in self.indexes.values()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TableSpec:
        spec = cls(data["name"], data["sql"], KeySpec(**data["key"]), data["attributes"], data["created"],
                   billing_mode=data["billing"], throughput=data["throughput"], stream=data["stream"],
                   stream_label=data["label"], ttl_attribute=data["ttl"])
        for index in data["indexes"]:
            spec.indexes[index["name"]] = IndexSpec(index["name"], index["kind"], KeySpec(**index["key"]),
                                                    index["projection"], index["sql"])
        return spec

    def describe(self, item_count: int, size: int) -> dict[str, Any]:
        """DescribeTable's `Table` (also CreateTable's and DeleteTable's `TableDescription`)."""
        description: dict[str, Any] = {
            "AttributeDefinitions": self.attribute_definitions,
            "TableName": self.name,
            "KeySchema": self.key.schema(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": self.created,
            "ProvisionedThroughput": {"LastIncreaseDateTime": 0.0, "LastDecreaseDateTime": 0.0,
                                      "NumberOfDecreasesToday": 0, **self.throughput},
            "TableSizeBytes": size,
            "ItemCount": item_count,
            "TableArn": self.arn,
        }
        if self.billing_mode == "PAY_PER_REQUEST":
            description["BillingModeSummary"] = {"BillingMode": "PAY_PER_REQUEST",
                                                 "LastUpdateToPayPerRequestDateTime": self.created}
        for kind, field_name in (("LSI", "LocalSecondaryIndexes"), ("GSI", "GlobalSecondaryIndexes")):
            indexes = [self._describe_index(index) for index in self.indexes.values() if index.kind == kind]
            if indexes:
                description[field_name] = indexes
        if self.stream:
            description["StreamSpecification"] = self.stream
            description["LatestStreamLabel"] = self.stream_label
            description["LatestStreamArn"] = f"{self.arn}/stream/{self.stream_label}"
        return description

    def _describe_index(self, index: IndexSpec) -> dict[str, Any]:
        described: dict[str, Any] = {
            "IndexName": index.name, "KeySchema": index.key.schema(), "Projection": index.projection,
            "IndexSizeBytes": 0, "ItemCount": 0, "IndexArn": f"{self.arn}/index/{index.name}",
        }
        if index.kind == "GSI":
            described["IndexStatus"] = "ACTIVE"
            described["ProvisionedThroughput"] = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        return described


def check_table_name(name: Any) -> str:
    if not isinstance(name, str) or not _TABLE_NAME.match(name):
        raise validation("Invalid table/index name.  Table/index names must be between 3 and 255 characters long, "
                         "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'")
    return name


def key_spec(schema: Any, types: dict[str, str], where: str) -> KeySpec:
    """A KeySchema list checked against the attribute definitions."""
    if not isinstance(schema, list) or not 1 <= len(schema) <= 2:
        raise validation(f"1 validation error detected: Value '{schema}' at '{where}' failed to satisfy constraint: "
                         "Member must have length less than or equal to 2")
    kinds = [element.get("KeyType") for element in schema]
    if kinds[0] != "HASH" or (len(kinds) == 2 and kinds[1] != "RANGE"):
        raise invalid_parameter("Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                                if kinds[0] != "HASH" else
                                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
    names = [element.get("AttributeName") for element in schema]
    if len(names) == 2 and names[0] == names[1]:
        raise invalid_parameter("Both the Hash Key and the Range Key element in the KeySchema have the same name")
    for name, role in zip(names, ("Hash", "Range"), strict=False):
        if name not in types:
            raise validation(f"{role} Key not specified in Attribute Definitions.  Type unknown.")
    return KeySpec(names[0], types[names[0]], names[1] if len(names) == 2 else None,
                   types[names[1]] if len(names) == 2 else None)


def attribute_types(definitions: Any) -> dict[str, str]:
    if not isinstance(definitions, list) or not definitions:
        raise validation("1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy "
                         "constraint: Member must not be null")
    types: dict[str, str] = {}
    for definition in definitions:
        kind = definition.get("AttributeType")
        if kind not in v.SCALAR_KEY_TYPES:
            raise validation(f"1 validation error detected: Value '{kind}' at 'attributeDefinitions.1.member."
                             "attributeType' failed to satisfy constraint: Member must satisfy enum value set: "
                             "[B, N, S]")
        name = definition.get("AttributeName")
        if name in types:
            raise invalid_parameter(f"Duplicate AttributeName found in AttributeDefinitions: {name}")
        types[name] = kind
    return types


def check_projection(projection: Any) -> dict[str, Any]:
    if not isinstance(projection, dict) or projection.get("ProjectionType") not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        raise invalid_parameter("Unknown ProjectionType: " + str((projection or {}).get("ProjectionType")))
    if projection["ProjectionType"] == "INCLUDE":
        if not projection.get("NonKeyAttributes"):
            raise invalid_parameter("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    elif projection.get("NonKeyAttributes"):
        raise invalid_parameter(f"ProjectionType is {projection['ProjectionType']}, but NonKeyAttributes is specified")
    return projection


def not_found() -> DynamoDBError:
    return DynamoDBError("ResourceNotFoundException", "Cannot do operations on a non-existent table")


def project_index_item(table: TableSpec, index: IndexSpec, item: dict[str, Any]) -> dict[str, Any]:
    """What an index holds of an item: all of it, or the keys plus the included attributes."""
    if index.projection_type == "ALL":
        return item
    names = set(table.key.names) | set(index.key.names)
    if index.projection_type == "INCLUDE":
        names |= set(index.projection.get("NonKeyAttributes", ()))
    return {name: value for name, value in item.items() if name in names}


def ensure_table(operations: Any, table: Any) -> None:
    """Create `table` (a `transformer.types.Table`) through the operation methods of an engine, or bring an
    existing one's GSIs and TTL in line with it (one index change per UpdateTable, as DynamoDB requires)."""
    try:
        current = operations.describe_table({"TableName": table.name})["Table"]
    except DynamoDBError as error:
        if error.code != "ResourceNotFoundException":
            raise
        request: dict[str, Any] = {
            "TableName": table.name, "KeySchema": table.key_schema,
            "AttributeDefinitions": table.attribute_definitions, "BillingMode": "PAY_PER_REQUEST",
        }
        if table.global_secondary_indexes:
            request["GlobalSecondaryIndexes"] = [_index_request(i) for i in table.global_secondary_indexes]
        if table.local_secondary_indexes:
            request["LocalSecondaryIndexes"] = [_index_request(i) for i in table.local_secondary_indexes]
        if table.stream_view_type:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream_view_type}
        operations.create_table(request)
        current = None
    if current is not None:
        wanted = {index.name: _index_request(index) for index in table.global_secondary_indexes}
        for index in current.get("GlobalSecondaryIndexes", []):
            existing = {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
            if wanted.get(index["IndexName"]) != existing:
                operations.update_table({"TableName": table.name, "GlobalSecondaryIndexUpdates": [
                    {"Delete": {"IndexName": index["IndexName"]}}]})
            else:
                del wanted[index["IndexName"]]
        for index_request in wanted.values():
            operations.update_table({"TableName": table.name, "AttributeDefinitions": table.attribute_definitions,
                                     "GlobalSecondaryIndexUpdates": [{"Create": index_request}]})
    if table.ttl_attribute:
        ttl = operations.describe_time_to_live({"TableName": table.name})["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") != "ENABLED":
            operations.update_time_to_live({"TableName": table.name, "TimeToLiveSpecification": {
                "AttributeName": table.ttl_attribute, "Enabled": True}})


def _index_request(index: Any) -> dict[str, Any]:
    return {"IndexName": index.name, "KeySchema": index.key_schema, "Projection": index.projection}
