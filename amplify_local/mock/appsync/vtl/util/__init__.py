"""The `$util` library (one module per group) and `$extensions`, as trees of `UtilGroup`s."""

from __future__ import annotations

from amplify_local.mock.appsync.vtl.runtime import UtilGroup
from amplify_local.mock.appsync.vtl.util import (
    dynamodb,
    extensions,
    general,
    http,
    list,
    map,
    math,
    rds,
    str,
    time,
    transform,
    xml,
)

UTIL = UtilGroup("util", general.FUNCTIONS, {
    "time": UtilGroup("util.time", time.FUNCTIONS),
    "list": UtilGroup("util.list", list.FUNCTIONS),
    "map": UtilGroup("util.map", map.FUNCTIONS),
    "str": UtilGroup("util.str", str.FUNCTIONS),
    "math": UtilGroup("util.math", math.FUNCTIONS),
    "dynamodb": UtilGroup("util.dynamodb", dynamodb.FUNCTIONS),
    "transform": UtilGroup("util.transform", transform.FUNCTIONS),
    "rds": UtilGroup("util.rds", rds.FUNCTIONS),
    "http": UtilGroup("util.http", http.FUNCTIONS),
    "xml": UtilGroup("util.xml", xml.FUNCTIONS),
    "log": UtilGroup("util.log", general.LOG_FUNCTIONS),
})
EXTENSIONS = UtilGroup("extensions", extensions.FUNCTIONS)

__all__ = ["EXTENSIONS", "UTIL"]
