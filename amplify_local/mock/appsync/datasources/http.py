"""The HTTP data source: real calls with httpx, in AppSync's HTTP resolver format.

Request document: `{"version", "method", "resourcePath", "params": {"query", "headers", "body"}}`; the
result is `{"statusCode", "headers", "body"}` with the body as text, as AppSync gives it to the response
template. A connection failure is an `HTTP:` data source error (`$ctx.error` in 2018-05-29 templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from amplify_local.mock.appsync.errors import DataSourceError
from amplify_local.mock.appsync.types import DataSourceCall

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class HttpDataSource:
    type = "HTTP"

    def __init__(self, name: str, endpoint: str, timeout: float = 10.0) -> None:
        self.name = name
        self.endpoint = endpoint.rstrip("/")
        self.client = httpx.AsyncClient(timeout=timeout)

    async def invoke(self, request: Any, call: DataSourceCall) -> Any:
        if not isinstance(request, Mapping):
            raise DataSourceError("The HTTP request mapping template must render an object", "HTTP:ValidationError")
        method = str(request.get("method", "")).upper()
        if method not in METHODS:
            raise DataSourceError(f"Unsupported HTTP method {method!r}; use one of {sorted(METHODS)}",
                                  "HTTP:ValidationError")
        path = str(request.get("resourcePath", ""))
        if not path.startswith("/"):
            raise DataSourceError("resourcePath must start with '/'", "HTTP:ValidationError")
        params = request.get("params") or {}
        body = params.get("body")
        try:
            response = await self.client.request(
                method,
                self.endpoint + path,
                params={k: str(v) for k, v in (params.get("query") or {}).items()},
                headers={k: str(v) for k, v in (params.get("headers") or {}).items()},
                content=body if isinstance(body, str | bytes) or body is None else str(body),
            )
        except httpx.HTTPError as error:
            raise DataSourceError(f"HTTP request to {self.endpoint}{path} failed: {error}", "HTTP:ConnectionError") from None
        return {"statusCode": response.status_code, "headers": dict(response.headers), "body": response.text}

    async def aclose(self) -> None:
        await self.client.aclose()
