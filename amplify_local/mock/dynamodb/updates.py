"""Applying a parsed UpdateExpression to an item, with DynamoDB's rules.

Every operand reads the item as it was before the update; SET/REMOVE/ADD/DELETE then apply in that
order to a copy. Paths may not overlap, key attributes may not change, and operand types must fit the
action (`+`/`-` on numbers, ADD on numbers or sets, DELETE on sets, list_append on lists).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from amplify_local.mock.dynamodb import values as v
from amplify_local.mock.dynamodb.errors import validation
from amplify_local.mock.dynamodb.expressions import Env, Node, Parsed, Path, get_path, operand_value

_SET_KINDS = ("SS", "NS", "BS")
_INVALID_PATH = "The document path provided in the update expression is invalid for update"


def check_paths(parsed: Parsed, env: Env, key_names: tuple[str, ...]) -> None:
    """Refuse key attributes, overlapping document paths and constant operands of the wrong type (before
    touching any item)."""
    set_actions, removes, adds, deletes = parsed.tree
    for _, value in set_actions:
        _check_constants(value, env)
    targets = [env.path(action[0]) for action in set_actions]
    targets += [env.path(path) for path in removes]
    targets += [env.path(action[0]) for action in (*adds, *deletes)]
    for path in targets:
        if path[0] in key_names:
            raise validation(f"One or more parameter values were invalid: Cannot update attribute {path[0]}. "
                             "This attribute is part of the key")
    for index, first in enumerate(targets):
        for second in targets[index + 1:]:
            shorter = min(len(first), len(second))
            if first[:shorter] == second[:shorter]:
                one, two = _render(first), _render(second)
                raise validation(f"Invalid UpdateExpression: Two document paths overlap with each other; must "
                                 f"remove or rewrite one of these paths; path one: {one}, path two: {two}")


def _check_constants(node: Node, env: Env) -> None:
    """`:v + 1` needs numbers and `list_append` lists; DynamoDB refuses other constants up front."""
    tag = node[0]
    if tag in ("+", "-") or (tag == "fn" and node[1] == "list_append"):
        operator, operands = (tag, node[1:]) if tag in ("+", "-") else ("list_append", node[2])
        wanted = "L" if operator == "list_append" else "N"
        for operand in operands:
            if operand[0] == "value":
                value = env.values[operand[1]]
                if wanted not in value:
                    raise validation("Invalid UpdateExpression: Incorrect operand type for operator or function; "
                                     f"operator or function: {operator}, operand type: {v.value_type(value)}")
            else:
                _check_constants(operand, env)
    elif tag == "fn":
        for operand in node[2]:
            _check_constants(operand, env)


def _render(path: Path) -> str:
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def apply(parsed: Parsed, item: dict[str, Any], env: Env) -> dict[str, Any]:
    """A new item: `item` (empty for a missing one) with the update applied."""
    set_actions, removes, adds, deletes = parsed.tree
    new_values = [(env.path(target), _set_value(value, item, env)) for target, value in set_actions]
    add_values = [(env.path(target), env.values[value[1]]) for target, value in adds]
    delete_values = [(env.path(target), env.values[value[1]]) for target, value in deletes]
    result = {name: _copy(value) for name, value in item.items()}
    for path, value in new_values:
        _assign(result, path, value)
    for path in sorted((env.path(p) for p in removes), key=_removal_order):
        _remove(result, path)
    for path, value in add_values:
        _add(result, path, value)
    for path, value in delete_values:
        _delete(result, path, value)
    return result


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    """A typed value that shares nothing mutable with `value` (the actions change maps, lists and sets in
    place); `copy.deepcopy` did the same ten times slower."""
    ((kind, raw),) = value.items()
    if kind == "M":
        return {"M": {name: _copy(member) for name, member in raw.items()}}
    if kind == "L":
        return {"L": [_copy(member) for member in raw]}
    if kind in _SET_KINDS:
        return {kind: list(raw)}
    return {kind: raw}


def _removal_order(path: Path) -> tuple[Any, ...]:
    """Remove higher list indexes first so that the indexes in one REMOVE refer to the original list."""
    return tuple(-e if isinstance(e, int) else 0 for e in path)


def _set_value(node: Node, item: dict[str, Any], env: Env) -> dict[str, Any]:
    tag = node[0]
    if tag in ("+", "-"):
        left = _set_value(node[1], item, env)
        right = _set_value(node[2], item, env)
        if "N" not in left or "N" not in right:
            raise validation("An operand in the update expression has an incorrect data type")
        a, b = Decimal(left["N"]), Decimal(right["N"])
        return {"N": v.format_number(a + b if tag == "+" else a - b)}
    if tag == "fn":
        name, args = node[1], node[2]
        if name == "if_not_exists":
            existing = get_path(item, env.path(args[0]))
            return existing if existing is not None else _set_value(args[1], item, env)
        left = _set_value(args[0], item, env)
        right = _set_value(args[1], item, env)
        if "L" not in left or "L" not in right:
            raise validation("An operand in the update expression has an incorrect data type")
        return {"L": left["L"] + right["L"]}
    value = operand_value(node, item, env)
    if value is None:
        raise validation("The provided expression refers to an attribute that does not exist in the item")
    return value


def _parent(item: dict[str, Any], path: Path) -> dict[str, Any]:
    """The typed M or L value that holds the last element of a nested `path`."""
    value = item.get(path[0])
    for element in path[1:-1]:
        if value is None:
            break
        if isinstance(element, int):
            members = value.get("L")
            value = members[element] if members is not None and element < len(members) else None
        else:
            value = value.get("M", {}).get(element)
    if value is None:
        raise validation(_INVALID_PATH)
    return value


def _assign(item: dict[str, Any], path: Path, value: dict[str, Any]) -> None:
    if len(path) == 1:
        item[path[0]] = value
        return
    container = _parent(item, path)
    last = path[-1]
    if isinstance(last, int):
        members = container.get("L")
        if members is None:
            raise validation(_INVALID_PATH)
        if last < len(members):
            members[last] = value
        else:
            members.append(value)
    else:
        members = container.get("M")
        if members is None:
            raise validation(_INVALID_PATH)
        members[last] = value


def _remove(item: dict[str, Any], path: Path) -> None:
    if len(path) == 1:
        item.pop(path[0], None)
        return
    if get_path(item, path[:-1]) is None:
        return  # removing below a missing parent is a no-op
    container = _parent(item, path)
    last = path[-1]
    if isinstance(last, int):
        members = container.get("L")
        if members is not None and last < len(members):
            del members[last]
    elif "M" in container:
        container["M"].pop(last, None)


def _add(item: dict[str, Any], path: Path, value: dict[str, Any]) -> None:
    kind = v.value_type(value)
    if kind not in ("N", *_SET_KINDS):
        raise validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
                         f"operand type: {_type_name(kind)}, typeSet: ALLOWED_FOR_ADD_OPERAND")
    current = get_path(item, path)
    if current is None:
        _assign(item, path, value)
        return
    if kind not in current:
        raise validation("An operand in the update expression has an incorrect data type")
    if kind == "N":
        _assign(item, path, {"N": v.format_number(Decimal(current["N"]) + Decimal(value["N"]))})
    else:
        members = list(current[kind])
        members += [member for member in value[kind] if member not in members]
        _assign(item, path, {kind: members})


def _delete(item: dict[str, Any], path: Path, value: dict[str, Any]) -> None:
    kind = v.value_type(value)
    if kind not in _SET_KINDS:
        raise validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
                         f"DELETE, operand type: {_type_name(kind)}, typeSet: ALLOWED_FOR_DELETE_OPERAND")
    current = get_path(item, path)
    if current is None:
        return
    if kind not in current:
        raise validation("An operand in the update expression has an incorrect data type")
    remaining = [member for member in current[kind] if member not in value[kind]]
    if remaining:
        _assign(item, path, {kind: remaining})
    else:
        _remove(item, path)


def _type_name(kind: str) -> str:
    return {"S": "STRING", "N": "NUMBER", "B": "BINARY", "BOOL": "BOOLEAN", "NULL": "NULL", "L": "LIST",
            "M": "MAP", "SS": "STRING_SET", "NS": "NUMBER_SET", "BS": "BINARY_SET"}[kind]
