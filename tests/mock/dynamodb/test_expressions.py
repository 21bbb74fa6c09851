"""The expression language: one test per construct, one per error DynamoDB reports."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.expressions import Env, get_path, matches, parse, project, projection_tree

ITEM = {
    "id": {"S": "a1"}, "n": {"N": "5"}, "s": {"S": "hello"}, "b": {"B": "AQID"}, "flag": {"BOOL": True},
    "nothing": {"NULL": True}, "tags": {"SS": ["red", "blue"]}, "nums": {"NS": ["1", "2"]},
    "lst": {"L": [{"S": "x"}, {"M": {"deep": {"N": "1"}}}]},
    "mp": {"M": {"nest": {"M": {"v": {"S": "w"}}}, "k": {"S": "kv"}}},
}


def check(text: str, values: dict[str, Any] | None = None, names: dict[str, str] | None = None,
          item: dict[str, Any] | None = None) -> bool:
    parsed = parse("ConditionExpression", text)
    request = {"ExpressionAttributeValues": values, "ExpressionAttributeNames": names}
    env = Env.for_request({k: val for k, val in request.items() if val is not None}, [parsed])
    return matches(parsed.tree, ITEM if item is None else item, env)


def error_of(text: str, kind: str = "ConditionExpression", values: dict[str, Any] | None = None,
             names: dict[str, str] | None = None) -> str:
    with pytest.raises(DynamoDBError) as caught:
        parsed = parse(kind, text)
        request = {"ExpressionAttributeValues": values, "ExpressionAttributeNames": names}
        Env.for_request({k: val for k, val in request.items() if val is not None}, [parsed])
    assert caught.value.code == "ValidationException"
    return caught.value.message


N1, N5, N9 = {"N": "1"}, {"N": "5"}, {"N": "9"}


@pytest.mark.parametrize(("text", "expected"), [
    ("n = :five", True), ("n <> :five", False), ("n < :nine", True), ("n <= :five", True),
    ("n > :one", True), ("n >= :nine", False), ("n = :s", False), ("n <> :s", True), ("gone <> :five", True),
    ("gone = :five", False), ("n < :s", False),
])
def test_comparators(text: str, expected: bool) -> None:
    values = {":one": N1, ":five": N5, ":nine": N9, ":s": {"S": "5"}}
    assert check(text, {name: value for name, value in values.items() if name in text}) is expected


def test_comparison_orders_numbers_numerically_and_strings_by_bytes() -> None:
    assert check("n < :v", {":v": {"N": "10"}})
    assert check("s < :v", {":v": {"S": "hellp"}})
    assert not check("s < :v", {":v": {"S": "Hello"}})
    assert check("b < :v", {":v": {"B": "AQIE"}})


def test_between_and_in() -> None:
    assert check("n BETWEEN :one AND :nine", {":one": N1, ":nine": N9})
    assert not check("n BETWEEN :one AND :one", {":one": N1})
    assert check("n IN (:one, :five)", {":one": N1, ":five": N5})
    assert not check("n IN (:one)", {":one": N1})


def test_boolean_operators_and_precedence() -> None:
    values = {":one": N1, ":five": N5}
    assert check("n = :one OR n = :five AND s = s", values)
    values = {":five": N5}
    assert not check("(n = :one OR n = :five) AND NOT n = :five", {":one": N1, ":five": N5})
    assert check("NOT NOT n = :five", values)
    assert check("n = :five and not n = :one", {":one": N1, ":five": N5})  # keywords are case-insensitive


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("attribute_exists(mp.nest.v)", None, True),
    ("attribute_exists(lst[1].deep)", None, True),
    ("attribute_exists(lst[5])", None, False),
    ("attribute_not_exists(gone)", None, True),
    ("attribute_type(tags, :t)", {":t": {"S": "SS"}}, True),
    ("attribute_type(nothing, :t)", {":t": {"S": "NULL"}}, True),
    ("attribute_type(n, :t)", {":t": {"S": "S"}}, False),
    ("begins_with(s, :p)", {":p": {"S": "hel"}}, True),
    ("begins_with(b, :p)", {":p": {"B": "AQ=="}}, True),
    ("contains(s, :p)", {":p": {"S": "ell"}}, True),
    ("contains(tags, :p)", {":p": {"S": "red"}}, True),
    ("contains(nums, :p)", {":p": {"N": "2.0"}}, True),
    ("contains(lst, :p)", {":p": {"S": "x"}}, True),
    ("contains(tags, :p)", {":p": {"S": "green"}}, False),
    ("size(s) = :v", {":v": {"N": "5"}}, True),
    ("size(tags) = :v", {":v": {"N": "2"}}, True),
    ("size(mp) = :v", {":v": {"N": "2"}}, True),
    ("size(b) = :v", {":v": {"N": "3"}}, True),
    ("size(gone) = :v", {":v": {"N": "0"}}, False),
])
def test_functions(text: str, values: dict[str, Any] | None, expected: bool) -> None:
    assert check(text, values) is expected


def test_names_resolve_placeholders_and_nested_paths() -> None:
    assert check("#m.#i.v = :w", {":w": {"S": "w"}}, {"#m": "mp", "#i": "nest"})
    assert check("#odd = :v", {":v": {"S": "x"}}, {"#odd": "a.b"}, item={"a.b": {"S": "x"}})


def test_missing_item_is_an_empty_item() -> None:
    assert check("attribute_not_exists(id)", item={})


@pytest.mark.parametrize(("text", "message"), [
    ("n = = :v", 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"'),
    ("n =", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="'),
    ("(n = :v", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"'),
    ("n = :v extra", 'Invalid ConditionExpression: Syntax error; token: "extra", near: ":v extra"'),
    ("n ! :v", 'Invalid ConditionExpression: Syntax error; token: "!", near: "n ! :v"'),
    ("status = :v", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("exists(n)", "Invalid ConditionExpression: Invalid function name; function: exists"),
    ("size(n)", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \")\""),
    ("n = attribute_exists(n)", "Invalid ConditionExpression: The function is not allowed to be used this way in "
                                "an expression; function: attribute_exists"),
    ("attribute_exists(n, n)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
                               "operator or function: attribute_exists, number of operands: 2"),
    ("", "Invalid ConditionExpression: The expression can not be empty;"),
])
def test_syntax_errors_name_the_token(text: str, message: str) -> None:
    assert error_of(text, values={":v": N1}) == message


def test_placeholder_errors() -> None:
    assert error_of("n = :v") == ("Invalid ConditionExpression: An expression attribute value used in expression is "
                                  "not defined; attribute value: :v")
    assert error_of("#n = :v", values={":v": N1}) == (
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #n")
    assert error_of("n = :v", values={":v": N1, ":w": N1}) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}")
    assert error_of("n = :v", values={":v": N1}, names={"#x": "x"}) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")


def test_constant_operand_errors() -> None:
    assert error_of("begins_with(s, :v)", values={":v": N1}) == (
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: "
        "begins_with, operand type: N")
    assert error_of("attribute_type(s, :v)", values={":v": {"S": "STRING"}}).startswith(
        "Invalid ConditionExpression: Invalid attribute type name found; type: STRING")
    assert error_of("n BETWEEN :h AND :l", values={":h": N9, ":l": N1}) == (
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower "
        "bound; lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}")


def test_update_expression_grammar() -> None:
    parsed = parse("UpdateExpression", "SET a = :v, b = if_not_exists(b, :v) + :v, c = list_append(c, :l) "
                                       "REMOVE d[1], e.f ADD g :v DELETE h :s")
    set_actions, removes, adds, deletes = parsed.tree
    assert len(set_actions) == 3 and len(removes) == 2 and len(adds) == 1 and len(deletes) == 1
    assert parsed.values == {":v", ":l", ":s"}


@pytest.mark.parametrize(("text", "message"), [
    ("SET a = :v SET b = :v", 'Invalid UpdateExpression: The "SET" section can only be used once in an update '
                              "expression;"),
    ("SET a :v", 'Invalid UpdateExpression: Syntax error; token: ":v", near: "a :v"'),
    ("PUT a = :v", 'Invalid UpdateExpression: Syntax error; token: "PUT", near: "PUT a"'),
    ("", "Invalid UpdateExpression: The expression can not be empty;"),
    ("SET a = size(b)", "Invalid UpdateExpression: The function is not allowed in an update expression; "
                        "function: size"),
    ("ADD a b", 'Invalid UpdateExpression: Syntax error; token: "b", near: "a b"'),
])
def test_update_syntax_errors(text: str, message: str) -> None:
    assert error_of(text, "UpdateExpression", values={":v": N1}) == message


def test_projection_keeps_nested_shape() -> None:
    parsed = parse("ProjectionExpression", "id, mp.nest.v, lst[1].deep, gone")
    env = Env({}, {})
    tree = projection_tree("ProjectionExpression", [env.path(p) for p in parsed.tree])
    assert project(ITEM, tree) == {"id": {"S": "a1"}, "mp": {"M": {"nest": {"M": {"v": {"S": "w"}}}}},
                                   "lst": {"L": [{"M": {"deep": {"N": "1"}}}]}}


def test_projection_overlap_is_refused() -> None:
    with pytest.raises(DynamoDBError, match="Two document paths overlap"):
        projection_tree("ProjectionExpression", [("mp",), ("mp", "k")])


def test_get_path_stops_on_wrong_types() -> None:
    assert get_path(ITEM, ("s", "x")) is None
    assert get_path(ITEM, ("lst", 0)) == {"S": "x"}
    assert get_path(ITEM, ("mp", 0)) is None


def test_parse_is_cached() -> None:
    assert parse("FilterExpression", "a = :b") is parse("FilterExpression", "a = :b")
