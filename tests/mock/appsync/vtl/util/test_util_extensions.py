"""`$extensions`: subscription filters, invalidations and cache evictions on the render result."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError


def test_extensions_are_recorded(vtl: Any) -> None:
    result = vtl('$extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter({"a": {"eq": 1}}))'
                 '$extensions.invalidateSubscriptions({"subscriptionField": "onX", "payload": {"id": 1}})'
                 '$extensions.evictFromApiCache("Query", "getX", {"context.arguments.id": 1})null', parse_json=True)
    assert result.value is None
    assert result.extensions == {
        "setSubscriptionFilter": {"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq", "value": 1}]}]},
        "invalidateSubscriptions": [{"subscriptionField": "onX", "payload": {"id": 1}}],
        "evictFromApiCache": [{"typeName": "Query", "fieldName": "getX", "keys": {"context.arguments.id": 1}}]}
    with pytest.raises(TemplateError, match="filterGroup"):
        vtl.text('$extensions.setSubscriptionFilter({"a": 1})')


def test_invalidation_filter_is_recorded(vtl: Any) -> None:
    result = vtl('$extensions.setSubscriptionInvalidationFilter($util.transform.toSubscriptionFilter('
                 '{"id": {"eq": "x1"}})){}', parse_json=True)
    assert result.extensions == {"setSubscriptionInvalidationFilter": {
        "filterGroup": [{"filters": [{"fieldName": "id", "operator": "eq", "value": "x1"}]}]}}
