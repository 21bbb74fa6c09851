"""`$ctx` / `$context` built from a `ResolverContext`."""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.types import Info


def test_context_fields(vtl: Any) -> None:
    text = ('$util.toJson([$ctx.args.id, $context.arguments.id, $ctx.source.n, $ctx.result.ok, $ctx.prev.result, '
            '$ctx.identity.sub, $ctx.error.type, $ctx.request.headers.get("x-api-key"), $ctx.outErrors])')
    assert vtl.json(text, arguments={"id": "a"}, source={"n": 1}, result={"ok": True}, prev={"result": 5},
                    identity={"sub": "s"}, error={"message": "m", "type": "T"},
                    request={"headers": {"x-api-key": "k"}}) == ["a", "a", 1, True, 5, "s", "T", "k", []]


def test_info_getters_and_json(vtl: Any) -> None:
    info = Info("getPost", "Query", {"id": "1"}, ["id", "author", "author/name"], "{ id author { name } }")
    text = ("$util.toJson([$ctx.info.fieldName, $ctx.info.parentTypeName, $ctx.info.variables, "
            "$ctx.info.selectionSetList, $ctx.info.selectionSetGraphQL, $ctx.info])")
    assert vtl.json(text, info=info) == ["getPost", "Query", {"id": "1"}, ["id", "author", "author/name"],
                                         "{ id author { name } }",
                                         {"fieldName": "getPost", "parentTypeName": "Query", "variables": {"id": "1"}}]


def test_missing_parts_are_null(vtl: Any) -> None:
    assert vtl.json("$util.toJson([$ctx.source, $ctx.identity, $ctx.prev, $ctx.request.domainName])") == [
        None, None, None, None]
