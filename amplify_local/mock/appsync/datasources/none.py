"""The NONE data source: the request document's `payload` comes back as the result (local resolvers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amplify_local.mock.appsync.types import DataSourceCall


class NoneDataSource:
    type = "NONE"

    def __init__(self, name: str) -> None:
        self.name = name

    async def invoke(self, request: Any, call: DataSourceCall) -> Any:
        return request.get("payload") if isinstance(request, Mapping) else None
