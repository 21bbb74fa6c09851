"""Legacy conditional parameters become expressions with generated placeholders."""

from __future__ import annotations

import pytest

from amplify_local.mock.dynamodb.errors import DynamoDBError
from amplify_local.mock.dynamodb.legacy import translate, uses_legacy


def test_key_conditions_and_filter_with_or() -> None:
    request = translate({"TableName": "T", "ConditionalOperator": "OR",
                         "KeyConditions": {"p": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
                         "QueryFilter": {"a": {"ComparisonOperator": "NOT_NULL"},
                                         "b": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}}})
    assert request["KeyConditionExpression"] == "#l0 = :l0"
    assert request["FilterExpression"] == "attribute_exists(#l1) OR #l2 IN (:l1, :l2)"
    assert request["ExpressionAttributeNames"] == {"#l0": "p", "#l1": "a", "#l2": "b"}
    assert "ConditionalOperator" not in request and "QueryFilter" not in request


def test_expected_and_attribute_updates() -> None:
    request = translate({"Expected": {"v": {"Value": {"N": "1"}}, "gone": {"Exists": False}},
                         "AttributeUpdates": {"a": {"Action": "PUT", "Value": {"S": "x"}}, "b": {"Action": "DELETE"},
                                              "c": {"Action": "ADD", "Value": {"N": "1"}}},
                         "AttributesToGet": ["a"]})
    assert request["ConditionExpression"] == "#l0 = :l0 AND attribute_not_exists(#l1)"
    assert request["UpdateExpression"] == "SET #l2 = :l1 REMOVE #l3 ADD #l4 :l2"
    assert request["ProjectionExpression"] == "#l5"
    assert uses_legacy({"Expected": {}}) and not uses_legacy({"ConditionExpression": "a = :b"})


@pytest.mark.parametrize(("request_", "message"), [
    ({"ScanFilter": {}, "FilterExpression": "a = :b"}, "Can not use both expression and non-expression parameters"),
    ({"ScanFilter": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}},
     "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ({"ScanFilter": {"a": {"ComparisonOperator": "LIKE", "AttributeValueList": []}}}, "comparisonOperator"),
    ({"Expected": {"a": {"Exists": False, "Value": {"S": "x"}}}}, "Value cannot be used when Exists is false"),
])
def test_invalid_legacy_requests(request_: dict, message: str) -> None:
    with pytest.raises(DynamoDBError) as caught:
        translate(request_)
    assert message in caught.value.message
