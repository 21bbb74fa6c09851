"""`$util.http`: forwarding request headers and setting response headers."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.java.registry import VOID
from amplify_local.mock.appsync.vtl.runtime import Frame
from amplify_local.mock.appsync.vtl.values import to_string

# Headers AppSync never copies to an HTTP data source request.
_RESTRICTED = {"authorization", "host", "content-length", "connection", "x-forwarded-for", "x-amz-date",
               "x-amzn-requestid", "x-amzn-trace-id", "transfer-encoding", "expect", "upgrade", "via"}


def copy_headers(frame: Frame, headers: Any) -> dict[str, Any]:
    if not isinstance(headers, dict):
        raise TemplateError("$util.http.copyHeaders expects a Map")
    return {key: value for key, value in headers.items() if str(key).lower() not in _RESTRICTED}


def add_response_header(frame: Frame, name: Any, value: Any) -> str:
    frame.response_headers[to_string(name)] = to_string(value)
    return VOID


def add_response_headers(frame: Frame, headers: Any) -> str:
    if not isinstance(headers, dict):
        raise TemplateError("$util.http.addResponseHeaders expects a Map")
    for name, value in headers.items():
        add_response_header(frame, name, value)
    return VOID


FUNCTIONS: dict[str, Any] = {
    "copyHeaders": copy_headers,
    "addResponseHeader": add_response_header,
    "addResponseHeaders": add_response_headers,
}
