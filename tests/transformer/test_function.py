"""@function: Lambda data sources, pipelines, `${env}` names, and errors."""

from __future__ import annotations

import json
from collections.abc import Callable

from amplify_local.transformer.function import simplify


def test_pipeline_of_several_functions(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema('type Query {\n  calc(a: Int): Int @function(name: "auth") '
                           '@function(name: "calculator-${env}")\n}\n')
    stack = json.loads(files["stacks/FunctionDirectiveStack.json"])["Resources"]
    assert stack["QuerycalcResolver"]["Properties"]["PipelineConfig"]["Functions"] == [
        {"Fn::GetAtt": ["InvokeAuthLambdaDataSource", "FunctionId"]},
        {"Fn::GetAtt": ["InvokeCalculatorLambdaDataSource", "FunctionId"]}]
    arn = stack["CalculatorLambdaDataSource"]["Properties"]["LambdaConfig"]["LambdaFunctionArn"]["Fn::If"]
    assert arn[1]["Fn::Sub"][0].endswith(":function:calculator-${env}")
    assert arn[2]["Fn::Sub"][0].endswith(":function:calculator")
    assert "pipelineFunctions/InvokeAuthLambdaDataSource.req.vtl" in files


def test_region(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema('type Query {\n  x: Int @function(name: "fn", region: "eu-west-1")\n}\n')
    stack = json.loads(files["stacks/FunctionDirectiveStack.json"])["Resources"]
    arn = stack["FnEuWest1LambdaDataSource"]["Properties"]["LambdaConfig"]["LambdaFunctionArn"]
    assert arn["Fn::If"][1]["Fn::Sub"][0] == "arn:aws:lambda:eu-west-1:${AWS::AccountId}:function:fn"


def test_simplified_names() -> None:
    assert simplify("echofunction-${env}") == "Echofunction"
    assert simplify("my_func-v2") == "My_funcV2"


def test_empty_name(schema_error: Callable[..., str]) -> None:
    assert schema_error('type Query {\n  x: Int @function(name: "")\n}\n').startswith(
        "@function on Query.x needs a non-empty 'name' (the Lambda function, e.g. \"myfunction-${env}\").")



def test_on_an_interface_field(schema_error: Callable[..., str]) -> None:
    assert schema_error('interface Node {\n  x: Int @function(name: "f")\n}\n').startswith(
        "@function on Node.x: resolvers attach to object type fields; move @function to the field of the types that "
        "implement Node.")
