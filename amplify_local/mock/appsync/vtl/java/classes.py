"""`$x.class` / `$x.getClass()`: the Java class a value has on the JVM (`$v.class.name == "java.lang.String"`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from amplify_local.mock.appsync.vtl.java.registry import MethodTable

_INT_MAX = 2**31 - 1


class JavaClass:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"class {self.name}"

    def to_json(self) -> str:
        return self.name

    vtl_methods = MethodTable({
        "getName": lambda cls: cls.name,
        "getSimpleName": lambda cls: cls.name.rsplit(".", 1)[-1],
        "toString": repr,
    })


def class_of(value: Any) -> JavaClass:
    """The class AppSync's JSON mapper gives a value: maps are LinkedHashMaps, lists ArrayLists."""
    if isinstance(value, bool):
        name = "java.lang.Boolean"
    elif isinstance(value, int):
        name = "java.lang.Integer" if -_INT_MAX - 1 <= value <= _INT_MAX else "java.lang.Long"
    elif isinstance(value, float):
        name = "java.lang.Double"
    elif isinstance(value, Decimal):
        name = "java.math.BigDecimal"
    elif isinstance(value, str):
        name = "java.lang.String"
    elif isinstance(value, dict):
        name = "java.util.LinkedHashMap"
    elif isinstance(value, list):
        name = "java.util.ArrayList"
    else:
        name = "java.lang.Object"
    return JavaClass(name)
