"""`$util.rds`, `$util.http`, `$util.xml` and `$extensions`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from amplify_local.mock.appsync.errors import TemplateError

RDS = json.dumps({"sqlStatementResults": [{"records": [[{"longValue": 7}, {"isNull": True}, {"stringValue": "x"}]],
                                            "columnMetadata": [{"label": "id"}, {"name": "note"}, {"name": "s"}]}]})


def test_rds(vtl: Any) -> None:
    assert vtl.json("$util.rds.toJsonString($ctx.args.raw)", arguments={"raw": RDS}) == [[{"id": 7, "note": None, "s": "x"}]]
    assert vtl.text("#set($rows = $util.rds.toJsonObject($ctx.args.raw))$rows[0][0].s", arguments={"raw": RDS}) == "x"


def test_http_headers(vtl: Any) -> None:
    result = vtl('$util.toJson($util.http.copyHeaders($ctx.request.headers))$util.http.addResponseHeader("x-a", 1)'
                 '$util.http.addResponseHeaders({"x-b": "2"})',
                 request={"headers": {"authorization": "secret", "x-custom": "c", "Host": "h"}}, parse_json=False)
    assert result.text == '{"x-custom":"c"}' and result.response_headers == {"x-a": "1", "x-b": "2"}


def test_xml(vtl: Any) -> None:
    xml = "<posts><post><id>1</id><title>A</title></post><post><id>2</id><title>B</title></post></posts>"
    assert vtl.json("$util.xml.toJsonString($ctx.args.x)", arguments={"x": xml}) == {
        "posts": {"post": [{"id": 1, "title": "A"}, {"id": 2, "title": "B"}]}}
    with pytest.raises(TemplateError, match="Unable to parse XML"):
        vtl.text("$util.xml.toMap('<a>')")


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
