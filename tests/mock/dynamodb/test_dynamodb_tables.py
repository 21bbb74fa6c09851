"""Key schemas: the stored bytes of a key, and DynamoDB Local's messages for a key that does not fit."""

from __future__ import annotations

from typing import Any

import pytest

from amplify_local.mock.dynamodb import values as v
from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.tables import KeySpec

HASH = KeySpec("id", "S")
STRINGS = KeySpec("id", "S", "at", "S")
NUMBERED = KeySpec("id", "S", "n", "N")
BY_NUMBER = KeySpec("n", "N")


def _general(spec: KeySpec, key: dict[str, Any]) -> tuple[bytes, bytes]:
    """What the key's bytes are by definition: `values.partition_bytes` and `values.key_bytes` of the values."""
    pk = v.partition_bytes(key[spec.hash_name])
    return pk, v.key_bytes(key[spec.range_name]) if spec.range_name else b""


@pytest.mark.parametrize(("spec", "key"), [
    (HASH, {"id": {"S": "a"}}),
    (HASH, {"id": {"S": "héllo ☃ 𝄞"}}),
    (HASH, {"id": {"S": "\ud800"}}),  # a lone surrogate, kept as sent
    (STRINGS, {"id": {"S": "a"}, "at": {"S": "2024-01-01"}}),
    (STRINGS, {"at": {"S": "\udfff"}, "id": {"S": "a"}}),
    (NUMBERED, {"id": {"S": "a"}, "n": {"N": "-1.50"}}),
    (BY_NUMBER, {"n": {"N": "12"}}),
])
def test_a_key_is_stored_as_its_partition_and_sort_bytes(spec: KeySpec, key: dict[str, Any]) -> None:
    checked = {name: v.check_value(value) for name, value in key.items()}
    assert spec.of_key(key) == spec.of_item(checked) == _general(spec, checked)


@pytest.mark.parametrize(("spec", "key", "message"), [
    (HASH, {"id": {"S": ""}}, "The AttributeValue for a key attribute cannot contain an empty string value. Key: id"),
    (STRINGS, {"id": {"S": "a"}, "at": {"S": ""}}, "cannot contain an empty string value. Key: at"),
    (HASH, {"id": {"N": "1"}}, "One or more parameter values were invalid: Type mismatch for key"),
    (STRINGS, {"id": {"S": "a"}, "at": {"N": "1"}}, "One or more parameter values were invalid: Type mismatch for key"),
    (HASH, {"ident": {"S": "a"}}, "One of the required keys was not given a value"),
    (HASH, {"id": {"S": "a"}, "x": {"S": "b"}}, "The number of conditions on the keys is invalid"),
    (HASH, {"id": {"S": "a", "N": "1"}}, "Supplied AttributeValue has more than one datatypes set"),
    (HASH, {"id": {"S": 1}}, "Start of structure or map found where not expected"),
    (HASH, [{"id": {"S": "a"}}], "The number of conditions on the keys is invalid"),
])
def test_a_key_that_does_not_fit_gets_dynamodb_locals_message(spec: KeySpec, key: Any, message: str) -> None:
    with pytest.raises(DynamoDBError) as raised:
        spec.of_key(key)
    assert message in raised.value.message
