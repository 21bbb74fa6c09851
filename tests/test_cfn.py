"""CloudFormation intrinsics evaluated locally."""

from __future__ import annotations

import pytest

from amplify_local.cfn import Scope, UnresolvableError, resolve


@pytest.fixture
def scope() -> Scope:
    return Scope(
        parameters={"env": "dev", "ApiId": "abc123"},
        conditions={
            "HasEnvironmentParameter": {"Fn::Not": [{"Fn::Equals": [{"Ref": "env"}, "NONE"]}]},
            "IsProd": {"Fn::Equals": [{"Ref": "env"}, "prod"]},
        },
        resources={"TodoTable": {"Ref": "Todo-abc123-dev", "StreamArn": "arn:stream"}},
    )


def test_join_if_and_ref(scope: Scope) -> None:
    node = {"Fn::If": ["HasEnvironmentParameter",
                       {"Fn::Join": ["-", ["Todo", {"Ref": "ApiId"}, {"Ref": "env"}]]},
                       {"Fn::Join": ["-", ["Todo", {"Ref": "ApiId"}]]}]}
    assert resolve(node, scope) == "Todo-abc123-dev"


def test_sub_with_pseudo_parameters_variables_and_literals(scope: Scope) -> None:
    node = {"Fn::Sub": ["arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${name}-${env} ${!Keep}",
                        {"name": "echo"}]}
    assert resolve(node, scope) == "arn:aws:lambda:us-east-1-fake:12345678910:function:echo-dev ${Keep}"


def test_getatt_select_split_and_conditions(scope: Scope) -> None:
    assert resolve({"Fn::GetAtt": ["TodoTable", "StreamArn"]}, scope) == "arn:stream"
    assert resolve({"Fn::GetAtt": "TodoTable.StreamArn"}, scope) == "arn:stream"
    assert resolve({"Fn::Select": [1, {"Fn::Split": [":", "a:b:c"]}]}, scope) == "b"
    assert resolve({"Fn::And": [{"Condition": "HasEnvironmentParameter"}, {"Condition": "IsProd"}]}, scope) is False
    assert resolve({"Fn::Or": [{"Condition": "HasEnvironmentParameter"}, {"Condition": "IsProd"}]}, scope) is True
    assert resolve({"Ref": "TodoTable"}, scope) == "Todo-abc123-dev"


def test_no_value_removes_keys_and_list_items(scope: Scope) -> None:
    node = {"Keep": 1, "Drop": {"Ref": "AWS::NoValue"}, "List": [1, {"Ref": "AWS::NoValue"}, 2]}
    assert resolve(node, scope) == {"Keep": 1, "List": [1, 2]}


def test_unknown_references_name_what_is_missing(scope: Scope) -> None:
    with pytest.raises(UnresolvableError, match='Ref "Nope"'):
        resolve({"Ref": "Nope"}, scope)
    with pytest.raises(UnresolvableError, match='Condition "Missing"'):
        resolve({"Fn::If": ["Missing", 1, 2]}, scope)
    with pytest.raises(UnresolvableError, match="Fn::ImportValue"):
        resolve({"Fn::ImportValue": "x"}, scope)
