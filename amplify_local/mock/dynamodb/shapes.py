"""The JSON shapes of DynamoDB's requests, checked at the wire before the engine sees a request.

Built once per operation from botocore's DynamoDB service model (the SDKs' own description of the API)
into small checker functions. Like DynamoDB Local's JSON reader, scalars are coerced where the API
expects another scalar (`1` for a string becomes `"1"`, `"5"` for an integer becomes `5`); a value of
the wrong kind (a list for a map, text for a boolean, ...) is a `SerializationException` naming where
it was, instead of a Python error deep in the engine. Unknown members are ignored, as DynamoDB does.

Most requests need none of that: each checker first asks an acceptor compiled from the same model whether
the request is already in the form the checker would leave as it is (every member known and of its exact
JSON type); only a request it is not sure of takes the checker's walk, which builds the name of where
each member is as it goes. A well-formed PutItem of six attributes is accepted in half the walk's time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from amplify_local.mock.dynamodb.errors import DynamoDBError

Checker = Callable[[Any, str], Any]
Acceptor = Callable[[Any], bool]


_lock = threading.Lock()


@cache
def _service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("dynamodb")


@cache
def request_checker(operation: str) -> Checker | None:
    """The checker of one operation's input, or None for an operation the model does not know."""
    with _lock:  # the endpoint's warm-up thread and a first request may ask at once
        model = _service_model()
        if operation not in model.operation_names:
            return None
        shape = model.operation_model(operation).input_shape
        return _accepting(_accept(shape, {}), _compile(shape, {}))


def _accepting(accepts: Acceptor, checker: Checker) -> Checker:
    def check(value: Any, where: str) -> Any:
        return value if accepts(value) else checker(value, where)

    return check


def _wrong(where: str, expected: str) -> DynamoDBError:
    return DynamoDBError("SerializationException", f"Unexpected value at '{where or '$'}': expected {expected}")


def _compile(shape: Any, compiled: dict[str, Checker]) -> Checker:
    """A checker for `shape`; recursive shapes (AttributeValue's L and M) share one checker through `compiled`."""
    name = shape.name
    if name in compiled:
        return lambda value, where: compiled[name](value, where)
    kind = shape.type_name
    if kind == "structure":
        members: dict[str, Checker] = {}
        compiled[name] = _structure(members)
        for member_name, member_shape in shape.members.items():
            members[member_name] = _compile(member_shape, compiled)
        return compiled[name]
    if kind == "list":
        compiled[name] = _list(_compile(shape.member, compiled))
        return compiled[name]
    if kind == "map":
        compiled[name] = _map(_compile(shape.value, compiled))
        return compiled[name]
    return _SCALARS.get(kind, _any)


def _accept(shape: Any, compiled: dict[str, Acceptor]) -> Acceptor:
    """True for a value the checker of `shape` returns as it is without a word: one that could never need
    a coercion or raise. False is no verdict: the value goes to the checker. Unknown members, `null`s and
    the looser scalar kinds (double, timestamp) are left to it."""
    name = shape.name
    if name in compiled:
        return lambda value: compiled[name](value)
    kind = shape.type_name
    if kind == "structure":
        scalars: dict[str, type] = {}
        nested: dict[str, Acceptor] = {}
        compiled[name] = _accept_structure(scalars, nested)
        for member_name, member_shape in shape.members.items():
            exact = _EXACT.get(member_shape.type_name)
            if exact is not None:
                scalars[member_name] = exact
            else:
                nested[member_name] = _accept(member_shape, compiled)
        return compiled[name]
    if kind == "list":
        exact = _EXACT.get(shape.member.type_name)
        compiled[name] = _accept_list(exact) if exact is not None else _accept_items(_accept(shape.member, compiled))
        return compiled[name]
    if kind == "map":
        value_shape = shape.value
        member = _accept(value_shape, compiled)
        compiled[name] = _accept_map(member) if value_shape.type_name != "structure" else _accept_structures(
            {key: _EXACT[each.type_name] for key, each in value_shape.members.items() if each.type_name in _EXACT},
            member)
        return compiled[name]
    exact = _EXACT.get(kind)
    return (lambda value: type(value) is exact) if exact is not None else _undecided


def _accept_structure(scalars: dict[str, type], nested: dict[str, Acceptor]) -> Acceptor:
    def accepts(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for key, member in value.items():
            exact = scalars.get(key)
            if exact is not None:
                if type(member) is not exact:
                    return False
            else:
                member_accepts = nested.get(key)
                if member_accepts is None or not member_accepts(member):
                    return False
        return True

    return accepts


def _accept_list(exact: type) -> Acceptor:
    return lambda value: type(value) is list and all(type(item) is exact for item in value)


def _accept_items(member: Acceptor) -> Acceptor:
    return lambda value: type(value) is list and all(map(member, value))


def _accept_map(member: Acceptor) -> Acceptor:
    return lambda value: type(value) is dict and all(map(member, value.values()))


def _accept_structures(scalars: dict[str, type], member: Acceptor) -> Acceptor:
    """A map of structures (an Item, a Key: AttributeValues), with no call for a structure whose members are
    all scalars of their exact type (`{"S": "x"}`); any other is asked of the structure's acceptor."""

    def accepts(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for item in value.values():
            if type(item) is not dict:
                return False
            for key, raw in item.items():
                if scalars.get(key) is not type(raw):
                    if not member(item):
                        return False
                    break
        return True

    return accepts


def _undecided(value: Any) -> bool:
    return False


def _structure(members: dict[str, Checker]) -> Checker:
    def check(value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise _wrong(where, "an object")
        for key, member in value.items():
            checker = members.get(key)
            if checker is not None and member is not None:
                checked = checker(member, f"{where}.{key}" if where else key)
                if checked is not member:
                    value[key] = checked
        return value

    return check


def _list(member: Checker) -> Checker:
    def check(value: Any, where: str) -> Any:
        if not isinstance(value, list):
            raise _wrong(where, "a list")
        for index, item in enumerate(value):
            checked = member(item, f"{where}[{index}]")
            if checked is not item:
                value[index] = checked
        return value

    return check


def _map(member: Checker) -> Checker:
    def check(value: Any, where: str) -> Any:
        if not isinstance(value, dict):
            raise _wrong(where, "an object")
        for key, item in value.items():
            checked = member(item, f"{where}.{key}")
            if checked is not item:
                value[key] = checked
        return value

    return check


def _string(value: Any, where: str) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise _wrong(where, "a string")


def _integer(value: Any, where: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _wrong(where, "an integer")


def _boolean(value: Any, where: str) -> Any:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise _wrong(where, "a boolean")


def _number(value: Any, where: str) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise _wrong(where, "a number")


def _any(value: Any, where: str) -> Any:
    return value


# the scalar kinds whose checker returns a value of this exact type as it is, and coerces or refuses any other
_EXACT: dict[str, type] = {"string": str, "blob": str, "integer": int, "long": int, "boolean": bool}
_SCALARS: dict[str, Checker] = {"string": _string, "blob": _string, "integer": _integer, "long": _integer,
                                "boolean": _boolean, "double": _number, "float": _number, "timestamp": _any}
