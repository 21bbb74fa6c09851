"""The `$util` library (one module per group) and `$extensions`, as trees of `UtilGroup`s.

Only `$util` itself is imported with the engine; each group's module is imported when a template first
names it (`UtilGroup` takes the module's name), so a server whose templates never use `$util.xml` or
`$util.rds` never imports them (nor ElementTree, random, unicodedata).
"""

from __future__ import annotations

from amplify_local.mock.appsync.vtl.runtime import UtilGroup
from amplify_local.mock.appsync.vtl.util import general

_PACKAGE = __name__
_GROUPS = ("time", "list", "map", "str", "math", "dynamodb", "transform", "rds", "http", "xml")

UTIL = UtilGroup("util", general.FUNCTIONS, {
    **{name: UtilGroup(f"util.{name}", f"{_PACKAGE}.{name}") for name in _GROUPS},
    "log": UtilGroup("util.log", general.LOG_FUNCTIONS),
})
EXTENSIONS = UtilGroup("extensions", f"{_PACKAGE}.extensions")

__all__ = ["EXTENSIONS", "UTIL"]
