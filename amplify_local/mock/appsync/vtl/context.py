"""`$ctx` / `$context`, `$util` and `$extensions` for one render, built from a `ResolverContext`.

The maps inside are the caller's own objects (arguments, stash, source, prev, result), so a
template's mutation is visible to the next template of the same resolver invocation.
"""

from __future__ import annotations

from typing import Any

from amplify_local.mock.appsync.types import Info, ResolverContext
from amplify_local.mock.appsync.vtl.java.registry import MethodTable
from amplify_local.mock.appsync.vtl.util import EXTENSIONS, UTIL


class ContextInfo:
    """`$ctx.info`: its getters give every field, but `$util.toJson` shows only the three AppSync shows."""

    __slots__ = ("info",)

    def __init__(self, info: Info) -> None:
        self.info = info

    def to_json(self) -> dict[str, Any]:
        return {"fieldName": self.info.field_name, "parentTypeName": self.info.parent_type_name,
                "variables": self.info.variables}

    def __repr__(self) -> str:
        return repr(self.info.to_dict())

    vtl_methods = MethodTable({
        "getFieldName": lambda info: info.info.field_name,
        "getParentTypeName": lambda info: info.info.parent_type_name,
        "getVariables": lambda info: info.info.variables,
        "getSelectionSetList": lambda info: info.info.selection_set_list,
        "getSelectionSetGraphQL": lambda info: info.info.selection_set_graphql,
        "toString": repr,
    })


def context_variables(context: ResolverContext) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "arguments": context.arguments,
        "args": context.arguments,
        "identity": context.identity,
        "source": context.source,
        "stash": context.stash,
        "result": context.result,
        "prev": context.prev,
        "info": ContextInfo(context.info) if context.info is not None else None,
        "request": context.request,
        "error": context.error,
        "outErrors": context.out_errors,
    }
    return {"ctx": ctx, "context": ctx, "util": UTIL, "utils": UTIL, "extensions": EXTENSIONS}
