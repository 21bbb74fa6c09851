"""Typed values: canonical numbers, key byte order, sizes, AppSync's plain JSON."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.values import (
    check_item,
    check_value,
    compare,
    equal,
    item_size,
    item_to_plain,
    key_bytes,
    normalize_number,
)


@pytest.mark.parametrize(("text", "canonical"), [
    ("1.50", "1.5"), ("0012", "12"), ("1e2", "100"), ("1E+3", "1000"), ("-0.000100", "-0.0001"), ("-0", "0"),
    ("+7", "7"), (".5", "0.5"), ("5.", "5"), ("1e-130", "0." + "0" * 129 + "1"),
])
def test_numbers_are_canonical(text: str, canonical: str) -> None:
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(("text", "message"), [
    ("12abc", "A value provided cannot be converted into a number"),
    ("NaN", "A value provided cannot be converted into a number"),
    (" 1", "A value provided cannot be converted into a number"),
    ("1_000", "A value provided cannot be converted into a number"),
    ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("1." + "1" * 38, "DynamoDB only supports precision up to 38 digits"),
])
def test_bad_numbers(text: str, message: str) -> None:
    with pytest.raises(DynamoDBError) as caught:
        normalize_number(text)
    assert caught.value.message == message


def test_number_key_bytes_sort_like_numbers() -> None:
    generator = random.Random(7)
    numbers = [Decimal(generator.randint(-10**6, 10**6)).scaleb(generator.randint(-40, 40)) for _ in range(2000)]
    numbers += [Decimal(0), Decimal("1e125"), Decimal("-1e125"), Decimal("1e-130"), Decimal("-1e-130")]
    encoded = sorted(numbers, key=lambda n: key_bytes({"N": normalize_number(str(n))}))
    assert encoded == sorted(numbers)


def test_string_and_binary_keys_sort_by_bytes() -> None:
    assert key_bytes({"S": "Z"}) < key_bytes({"S": "a"}) < key_bytes({"S": "é"})
    assert key_bytes({"B": "AA=="}) < key_bytes({"B": "/w=="})


def test_equal_and_compare_follow_dynamodb_types() -> None:
    assert equal({"N": "1.0"}, {"N": "1"})
    assert equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert not equal({"S": "1"}, {"N": "1"})
    assert equal({"M": {"a": {"L": [{"N": "1"}]}}}, {"M": {"a": {"L": [{"N": "1"}]}}})
    assert compare({"N": "10"}, {"N": "9"}) == 1
    assert compare({"S": "a"}, {"N": "1"}) is None
    assert compare({"BOOL": True}, {"BOOL": True}) is None


def test_check_item_keeps_the_same_dict_when_already_canonical() -> None:
    item = {"id": {"S": "a"}, "n": {"N": "12"}, "ok": {"BOOL": True}}
    assert check_item(item)[0] is item
    normalised = check_item({"id": {"S": "a"}, "n": {"N": "1.50"}})
    assert normalised == ({"id": {"S": "a"}, "n": {"N": "1.5"}}, 2 + 1 + 3, {"id": "a", "n": 1.5})
    assert check_value({"NS": ["1.0", "2"]}) == {"NS": ["1", "2"]}


def test_sizes_count_utf8_bytes() -> None:
    item = {"é": {"S": "é"}, "n": {"N": "12345"}, "b": {"BOOL": False}, "l": {"L": [{"S": "ab"}]}, "x": {"N": "0.5"}}
    assert check_item(item)[1] == item_size(item) == 4 + 5 + 2 + 1 + 3 + 1 + 2 + 1 + 2
    assert item_size({"id": {"S": "abc"}}) == 5
    assert item_size({"é": {"S": "é"}}) == 4
    assert item_size({"n": {"N": "12345"}}) == 1 + 4


def test_plain_json_for_appsync() -> None:
    item = {"s": {"S": "x"}, "i": {"N": "3"}, "f": {"N": "2.5"}, "nul": {"NULL": True}, "b": {"BOOL": False},
            "ss": {"SS": ["a"]}, "ns": {"NS": ["1", "1.5"]}, "l": {"L": [{"N": "1"}, {"M": {"k": {"S": "v"}}}]},
            "bin": {"B": "AQ=="}}
    expected = {"s": "x", "i": 3, "f": 2.5, "nul": None, "b": False, "ss": ["a"], "ns": [1, 1.5],
                "l": [1, {"k": "v"}], "bin": "AQ=="}
    assert item_to_plain(item) == expected
    assert check_item(item)[2] == expected  # the plain form PutItem stores beside the item
    big = {"n": {"N": "1" * 38}, "neg": {"N": "-7"}, "z": {"N": "0"}}
    assert check_item(big)[2] == item_to_plain(big) == {"n": int("1" * 38), "neg": -7, "z": 0}
