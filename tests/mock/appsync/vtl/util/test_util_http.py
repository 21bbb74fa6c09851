"""`$util.http`: request headers to forward, response headers to set."""

from __future__ import annotations

from typing import Any


def test_http_headers(vtl: Any) -> None:
    result = vtl('$util.toJson($util.http.copyHeaders($ctx.request.headers))$util.http.addResponseHeader("x-a", 1)'
                 '$util.http.addResponseHeaders({"x-b": "2"})',
                 request={"headers": {"authorization": "secret", "x-custom": "c", "Host": "h"}}, parse_json=False)
    assert result.text == '{"x-custom":"c"}' and result.response_headers == {"x-a": "1", "x-b": "2"}
