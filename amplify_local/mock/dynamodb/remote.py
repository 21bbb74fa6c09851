"""The storage seam's second implementation: the engine's operations forwarded to a real DynamoDB endpoint.

`RemoteEngine` speaks the same JSON 1.0 protocol as the SDKs (requests signed with SigV4 by botocore), so
the AppSync data sources can run on DynamoDB Local, moto server, ScyllaDB Alternator or AWS itself, with
the same request/response dicts and `DynamoDBError`s as the embedded engine.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from amplify_local.mock.dynamodb.engine import OPERATIONS
from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.tables import ensure_table


class RemoteEngine:
    """DynamoDB operations against `endpoint_url`; credentials default to the mock's fake ones."""

    def __init__(self, endpoint_url: str, region: str = "us-fake-1", access_key: str = "fake",
                 secret_key: str = "fake", timeout: float = 30.0) -> None:
        self.endpoint_url = endpoint_url
        self._region = region
        self._credentials = Credentials(access_key, secret_key)
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Send one operation; DynamoDB's error body becomes a `DynamoDBError` with the same code and fields."""
        body = json.dumps(request).encode()
        signed = AWSRequest("POST", self.endpoint_url, data=body, headers={
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{operation}"})
        SigV4Auth(self._credentials, "dynamodb", self._region).add_auth(signed)
        response = self._http.post(self.endpoint_url, content=body, headers=dict(signed.headers.items()))
        data = response.json() if response.content else {}
        if response.status_code >= 400:
            code = str(data.get("__type", "InternalServerError")).rsplit("#", 1)[-1]
            message = data.get("message", data.get("Message"))
            if message is None:
                message = response.text
            extra = {k: val for k, val in data.items() if k not in ("__type", "message", "Message")}
            raise DynamoDBError(code, message, **extra)
        return data

    def ensure_table(self, table: Any) -> None:
        ensure_table(self, table)

    def clear(self) -> list[str]:
        """Delete every item of every table (a Scan of keys and batched deletes)."""
        names: list[str] = []
        request: dict[str, Any] = {}
        while True:
            page = self.call("ListTables", request)
            names += page["TableNames"]
            if "LastEvaluatedTableName" not in page:
                break
            request = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
        for name in names:
            key_names = [k["AttributeName"] for k in self.call("DescribeTable", {"TableName": name})["Table"]["KeySchema"]]
            scan: dict[str, Any] = {"TableName": name, "ProjectionExpression": ", ".join(f"#k{i}" for i in range(len(key_names))),
                                    "ExpressionAttributeNames": {f"#k{i}": n for i, n in enumerate(key_names)}}
            while True:
                page = self.call("Scan", scan)
                items = page.get("Items", [])
                for start in range(0, len(items), 25):
                    self.call("BatchWriteItem", {"RequestItems": {name: [
                        {"DeleteRequest": {"Key": item}} for item in items[start:start + 25]]}})
                if "LastEvaluatedKey" not in page:
                    break
                scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(names)


def _operation(wire_name: str) -> Any:
    def operation(self: RemoteEngine, request: dict[str, Any]) -> dict[str, Any]:
        return self.call(wire_name, request)

    operation.__name__ = OPERATIONS[wire_name]
    operation.__doc__ = f"DynamoDB {wire_name} on the remote endpoint."
    return operation


for _wire_name, _method_name in OPERATIONS.items():
    setattr(RemoteEngine, _method_name, _operation(_wire_name))
