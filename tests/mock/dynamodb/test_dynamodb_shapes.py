"""The wire's request checkers: the acceptor in front of each checker never changes an answer.

A checker takes its fast path when the acceptor compiled beside it says a request is already in the form the
checker's walk would leave as it is. Proof that this changes nothing: over every request of the scenario
suite and every variant of each with one member replaced by a value of another JSON kind, the checker with
its acceptor answers exactly as the walk alone (the same request, or the same error and message).
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.dynamodb import shapes
from amplify_local.mock.dynamodb.errors import DynamoDBError

_spec = importlib.util.spec_from_file_location("dynamodb_record_reference", Path(__file__).with_name(
    "record_reference.py"))
assert _spec is not None and _spec.loader is not None
_scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_scenarios)

# a value of every JSON kind, the coercible ones included ("5" for an integer, 1 for a string)
WRONG: tuple[Any, ...] = (None, 1, -1, 1.5, "x", "5", "true", True, [], {}, [1], ["a"], {"S": 1}, {"S": None},
                          {"N": 5}, {"BOOL": "true"}, {"S": "a", "N": "1"}, {"a": 1})


@cache
def _shape(operation: str) -> Any:
    return shapes._service_model().operation_model(operation).input_shape


def _walk(operation: str) -> shapes.Checker:
    """The checker's walk alone, without the acceptor."""
    return shapes._compile(_shape(operation), {})


def _answer(checker: shapes.Checker, request: Any) -> Any:
    try:
        return ("checked", checker(copy.deepcopy(request), ""))
    except DynamoDBError as error:
        return ("error", error.code, error.message)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every member's path; of a list only the first two elements (the rest are of the same shape)."""
    items = value.items() if isinstance(value, dict) else enumerate(value[:2]) if isinstance(value, list) else ()
    for key, member in items:
        yield (*path, key)
        yield from _paths(member, (*path, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    changed = copy.deepcopy(value)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return changed


def _variants(request: dict[str, Any]) -> Iterator[Any]:
    yield request
    for path in _paths(request):
        for wrong in WRONG:
            yield _replaced(request, path, wrong)
    yield {**request, "Unknown": 1}
    yield [request]


REQUESTS = [(name, operation, request) for name, operation, request, _ in _scenarios.SCENARIOS]


@pytest.mark.parametrize(("operation", "request_"), [(op, r) for _, op, r in REQUESTS], ids=[n for n, _, _ in REQUESTS])
def test_the_acceptor_never_changes_an_answer(operation: str, request_: dict[str, Any]) -> None:
    fast, walk = shapes.request_checker(operation), _walk(operation)
    assert fast is not None
    for variant in _variants(request_):
        assert _answer(fast, variant) == _answer(walk, variant), variant


@pytest.mark.parametrize("operation", ["GetItem", "PutItem", "UpdateItem", "Query", "BatchWriteItem"])
def test_what_the_acceptor_accepts_the_walk_returns_unchanged(operation: str) -> None:
    accepts, walk = shapes._accept(_shape(operation), {}), _walk(operation)
    accepted = 0
    for _, op, request in REQUESTS:
        if op == operation:
            for variant in _variants(request):
                if accepts(variant):
                    accepted += 1
                    assert walk(copy.deepcopy(variant), "") == variant
    assert accepted


def test_well_formed_requests_take_the_fast_path() -> None:
    get = shapes._accept(_shape("GetItem"), {})
    put = shapes._accept(_shape("PutItem"), {})
    assert get({"TableName": "Todo", "Key": {"id": {"S": "a"}, "n": {"N": "1"}}, "ConsistentRead": True,
                "ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a"}})
    assert put({"TableName": "Todo", "Item": _scenarios.RICH, "ConditionExpression": "attribute_not_exists(id)",
                "ReturnValues": "NONE"})


@pytest.mark.parametrize("request_", [
    {"TableName": "Todo", "Key": {"id": {"S": 1}}},  # coerced to "1" by the walk
    {"TableName": "Todo", "Key": {"id": {"S": None}}},  # a null member the walk skips
    {"TableName": "Todo", "Key": {"id": {"N": 1.5}}},
    {"TableName": "Todo", "Key": {"id": {"BOOL": "true"}}},
    {"TableName": "Todo", "Key": {"id": {"SS": ["a", 1]}}},
    {"TableName": "Todo", "Key": {"id": {"L": [{"S": "a"}, {"N": 2}]}}},
    {"TableName": "Todo", "Key": {"id": {"M": {"a": []}}}},
    {"TableName": "Todo", "Key": {"id": {"X": "a"}}},  # an unknown member
    {"TableName": "Todo", "Key": [{"id": {"S": "a"}}]},
    {"TableName": 5, "Key": {"id": {"S": "a"}}},
    {"TableName": "Todo", "Key": {"id": {"S": "a"}}, "ConsistentRead": "true"},
    {"TableName": "Todo", "Key": {"id": {"S": "a"}}, "Extra": 1},
])
def test_anything_unusual_is_left_to_the_walk(request_: dict[str, Any]) -> None:
    assert not shapes._accept(_shape("GetItem"), {})(request_)
