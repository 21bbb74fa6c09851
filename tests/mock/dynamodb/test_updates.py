"""UpdateExpression semantics: operands read the old item, list indexes, sets, numbers, refused paths."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.expressions import Env, parse
from amplify_local.mock.dynamodb.updates import apply, check_paths


def run(expression: str, item: dict[str, Any], values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None) -> dict[str, Any]:
    parsed = parse("UpdateExpression", expression)
    request = {k: val for k, val in (("ExpressionAttributeValues", values), ("ExpressionAttributeNames", names)) if val}
    env = Env.for_request(request, [parsed])
    check_paths(parsed, env, ("id",))
    return apply(parsed, item, env)


LIST = {"id": {"S": "k"}, "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]}}


def test_operands_read_the_item_before_the_update() -> None:
    item = {"id": {"S": "k"}, "a": {"N": "1"}, "b": {"N": "10"}}
    assert run("SET a = b, b = a", item) == {"id": {"S": "k"}, "a": {"N": "10"}, "b": {"N": "1"}}
    assert item["a"] == {"N": "1"}  # the input is not modified


def test_remove_several_list_indexes_refers_to_the_original_list() -> None:
    assert run("REMOVE l[0], l[2]", LIST)["l"] == {"L": [{"S": "b"}, {"S": "d"}]}


def test_set_past_the_end_appends_and_list_append_concatenates() -> None:
    assert run("SET l[10] = :x", LIST, {":x": {"S": "z"}})["l"]["L"][-1] == {"S": "z"}
    assert run("SET l = list_append(:f, l)", LIST, {":f": {"L": [{"S": "0"}]}})["l"]["L"][0] == {"S": "0"}


def test_numbers_keep_38_digits() -> None:
    item = {"id": {"S": "k"}, "n": {"N": "9999999999999999999999999999999999999"}}
    assert run("SET n = n + :one", item, {":one": {"N": "1"}})["n"] == {"N": "10000000000000000000000000000000000000"}
    assert run("SET n = :a - :b", item, {":a": {"N": "0.1"}, ":b": {"N": "0.3"}})["n"] == {"N": "-0.2"}


def test_add_and_delete_on_sets_and_numbers() -> None:
    item = {"id": {"S": "k"}, "s": {"SS": ["a", "b"]}}
    after = run("ADD s :c, n :one, fresh :set", item, {":c": {"SS": ["c", "a"]}, ":one": {"N": "1"},
                                                      ":set": {"NS": ["5"]}})
    assert after["s"] == {"SS": ["a", "b", "c"]} and after["n"] == {"N": "1"} and after["fresh"] == {"NS": ["5"]}
    assert "s" not in run("DELETE s :all", item, {":all": {"SS": ["a", "b"]}})


def test_if_not_exists_and_nested_paths() -> None:
    item = {"id": {"S": "k"}, "m": {"M": {"nest": {"M": {}}}}}
    after = run("SET m.nest.v = if_not_exists(m.nest.v, :d), #c = if_not_exists(#c, :d)", item,
                {":d": {"N": "0"}}, {"#c": "count"})
    assert after["m"]["M"]["nest"]["M"]["v"] == {"N": "0"} and after["count"] == {"N": "0"}


@pytest.mark.parametrize(("expression", "values", "message"), [
    ("SET id = :x", {":x": {"S": "y"}}, "Cannot update attribute id. This attribute is part of the key"),
    ("SET a = :x REMOVE a.b", {":x": {"N": "1"}}, "Two document paths overlap"),
    ("SET a = :x + :y", {":x": {"N": "1"}, ":y": {"S": "s"}}, "operator or function: +, operand type: S"),
    ("SET gone.deep = :x", {":x": {"N": "1"}}, "The document path provided in the update expression is invalid"),
    ("SET a = nothing", None, "The provided expression refers to an attribute that does not exist in the item"),
    ("ADD s :x", {":x": {"L": []}}, "operator: ADD, operand type: LIST"),
    ("SET s = s + :one", {":one": {"N": "1"}}, "An operand in the update expression has an incorrect data type"),
])
def test_refused_updates(expression: str, values: dict[str, Any] | None, message: str) -> None:
    with pytest.raises(DynamoDBError) as caught:
        run(expression, {"id": {"S": "k"}, "s": {"SS": ["a"]}}, values)
    assert message in caught.value.message


def test_nested_actions_leave_the_old_item_untouched() -> None:
    item = {"id": {"S": "k"}, "m": {"M": {"s": {"SS": ["a"]}, "l": {"L": [{"N": "1"}]}}}}
    before = repr(item)
    new = run("SET m.l[1] = :v ADD m.s :s", item, {":v": {"N": "2"}, ":s": {"SS": ["b"]}})
    assert sorted(new["m"]["M"]["s"]["SS"]) == ["a", "b"] and new["m"]["M"]["l"]["L"] == [{"N": "1"}, {"N": "2"}]
    assert repr(item) == before
