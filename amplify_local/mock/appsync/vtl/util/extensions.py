"""`$extensions`: subscription filters, invalidations and cache evictions, recorded on the render result."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.errors import TemplateError
from amplify_local.mock.appsync.vtl.java.registry import VOID
from amplify_local.mock.appsync.vtl.runtime import Frame
from amplify_local.mock.appsync.vtl.util.json import parse_json


def _filter(value: Any) -> Any:
    filter_value = parse_json(value) if isinstance(value, str) else value
    if not isinstance(filter_value, dict) or "filterGroup" not in filter_value:
        raise TemplateError("A subscription filter must be a Map with a filterGroup, "
                            "e.g. from $util.transform.toSubscriptionFilter")
    return filter_value


def _recorder(key: str, convert: Any = None) -> Any:
    def record(frame: Frame, value: Any) -> str:
        frame.extensions[key] = convert(value) if convert else value
        return VOID
    return record


def _invalidate(frame: Frame, value: Any) -> str:
    frame.extensions.setdefault("invalidateSubscriptions", []).append(value)
    return VOID


def _evict(frame: Frame, type_name: Any, field_name: Any, keys: Any) -> str:
    frame.extensions.setdefault("evictFromApiCache", []).append(
        {"typeName": type_name, "fieldName": field_name, "keys": keys})
    return VOID


FUNCTIONS: dict[str, Any] = {
    "setSubscriptionFilter": _recorder("setSubscriptionFilter", _filter),
    "setSubscriptionInvalidationFilter": _recorder("setSubscriptionInvalidationFilter", _filter),
    "invalidateSubscriptions": _invalidate,
    "evictFromApiCache": _evict,
}
