"""Discovery and environment resolution, checked inside real functions (what the code sees)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ports import free_port

from amplify_local.mock.lambda_runner import FunctionRunner, LambdaError
from amplify_local.mock.lambda_runner.discovery import (
    Project,
    Settings,
    discover,
    fingerprint,
    language_of,
    load_spec,
)

TEMPLATE_KEYS = ["ENV", "REGION", "API_MYAPI_GRAPHQLAPIIDOUTPUT", "API_MYAPI_GRAPHQLAPIENDPOINTOUTPUT",
                 "API_MYAPI_GRAPHQLAPIKEYOUTPUT", "API_MYAPI_TODOTABLE_NAME", "API_MYAPI_TODOTABLE_ARN", "FROM_FILE",
                 "FROM_TEAM", "SECOND_GREETING", "STAGE", "SUBBED", "OVERRIDDEN", "DOTENV_QUOTED", "UNRESOLVABLE"]
LAMBDA_KEYS = ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_EXECUTION_ENV", "_HANDLER",
               "LAMBDA_TASK_ROOT", "TZ", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID",
               "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "HOME", "MOCK_ONLY_SECRET", "INJECTED",
               "_X_AMZN_TRACE_ID"]


def env_of(project: Path, logs: Any, name: str, keys: list[str], **runner_options: Any) -> dict[str, Any]:
    async def main() -> Any:
        runner = FunctionRunner(project, log=logs, **runner_options)
        try:
            return await runner.invoke(name, {"action": "env", "keys": keys})
        finally:
            await runner.close()
    return asyncio.run(main())


def test_template_environment_with_intrinsics_parameters_and_dotenv(project: Path, logs: Any) -> None:
    env = env_of(project, logs, "nodeecho", TEMPLATE_KEYS, graphql_endpoint="http://127.0.0.1:20002/graphql")
    assert env == {
        "ENV": "dev",
        "REGION": "eu-west-1",  # amplify-meta's region
        "API_MYAPI_GRAPHQLAPIIDOUTPUT": "cloudapiid123",  # amplify-meta output of a dependsOn resource
        "API_MYAPI_GRAPHQLAPIENDPOINTOUTPUT": "http://127.0.0.1:20002/graphql",  # the local mock, not the cloud
        "API_MYAPI_GRAPHQLAPIKEYOUTPUT": "da2-fakeApiId123456",
        "API_MYAPI_TODOTABLE_NAME": "TodoTable",  # Fn::ImportValue of the API's table: the local table
        "API_MYAPI_TODOTABLE_ARN": "arn:aws:dynamodb:eu-west-1:12345678910:table/TodoTable",
        "FROM_FILE": "from-parameters-json",
        "FROM_TEAM": "from-team-provider",
        "SECOND_GREETING": "bonjour",  # Fn::Select + Fn::Split of a parameter default
        "STAGE": "development",  # Fn::If on a condition
        "SUBBED": "subbed-dev",  # Fn::Sub with a variable map
        "OVERRIDDEN": "from-dotenv",  # .env wins
        "DOTENV_QUOTED": "two words",
        "UNRESOLVABLE": None,  # left unset, with a warning
    }
    warnings = logs.of("nodeecho", "stderr")
    assert any("environment variable UNRESOLVABLE is left unset" in line and "notAParameter" in line
               and "nodeecho-cloudformation-template.json" in line for line in warnings)


def test_never_pushed_api_still_points_at_the_local_mock(project: Path, logs: Any) -> None:
    meta = project / "amplify/backend/amplify-meta.json"
    meta.write_text(json.dumps({"providers": {"awscloudformation": {"Region": "eu-west-1"}}}))
    env = env_of(project, logs, "nodeecho", ["API_MYAPI_GRAPHQLAPIIDOUTPUT", "API_MYAPI_GRAPHQLAPIENDPOINTOUTPUT",
                                             "API_MYAPI_GRAPHQLAPIKEYOUTPUT", "API_MYAPI_TODOTABLE_NAME"])
    assert env == {"API_MYAPI_GRAPHQLAPIIDOUTPUT": "amplifylocalapi",
                   "API_MYAPI_GRAPHQLAPIENDPOINTOUTPUT": "http://localhost:20002/graphql",
                   "API_MYAPI_GRAPHQLAPIKEYOUTPUT": "da2-fakeApiId123456", "API_MYAPI_TODOTABLE_NAME": "TodoTable"}


def test_lambda_variables_endpoints_and_no_real_credentials(project: Path, logs: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("MOCK_ONLY_SECRET", "must-not-leak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret-of-the-developer")
    env = env_of(project, logs, "nodeecho", LAMBDA_KEYS, env_overrides={"INJECTED": "by-the-api-mock",
                                                                       "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:9999"})
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"  # the template cannot override it
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "nodeecho-dev"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/nodeecho-dev"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs18.x"
    assert env["_HANDLER"] == "index.handler"
    assert env["LAMBDA_TASK_ROOT"] == str(project / "amplify/backend/function/nodeecho/src")
    assert env["TZ"] == "UTC"
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:9999"  # env_overrides win over the default
    assert env["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:20005"
    assert env["AWS_ACCESS_KEY_ID"] == "ASIAAMPLIFYLOCALMOCK"
    assert env["AWS_SECRET_ACCESS_KEY"] != "real-secret-of-the-developer"
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert env["HOME"] is None and env["MOCK_ONLY_SECRET"] is None  # nothing inherited but PATH
    assert env["INJECTED"] == "by-the-api-mock"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", env["_X_AMZN_TRACE_ID"])


def test_python_function_environment(project: Path, logs: Any) -> None:
    env = env_of(project, logs, "pyecho", ["ENV", "AWS_LAMBDA_FUNCTION_NAME", "PYTHONPATH", "AWS_EXECUTION_ENV",
                                           "_X_AMZN_TRACE_ID"])
    assert env.pop("_X_AMZN_TRACE_ID").startswith("Root=1-")
    assert env["ENV"] == "dev"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "pyecho-dev"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(project / "amplify/backend/function/pyecho/src")
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"


def test_layers_are_on_the_module_path(project: Path, logs: Any) -> None:
    async def main() -> list[Any]:
        runner = FunctionRunner(project, log=logs)
        try:
            return [await runner.invoke("nodelayered", {"name": "ada"}),
                    await runner.invoke("pylayered", {"name": "bob"})]
        finally:
            await runner.close()

    assert asyncio.run(main()) == ["hello ada, from the shared layer", "hello bob, from the python layer"]


def test_layer_named_in_the_template_only(project: Path, logs: Any) -> None:
    folder = project / "amplify/backend/function/nodelayered"
    (folder / "function-parameters.json").unlink()
    template_path = folder / "nodelayered-cloudformation-template.json"
    template = json.loads(template_path.read_text())
    template["Resources"]["LambdaFunction"]["Properties"]["Layers"] = [{"Ref": "functionsharedlayerArn"}]
    template_path.write_text(json.dumps(template))
    runner = FunctionRunner(project, log=logs)
    assert runner.invoke_once("nodelayered", {"name": "cy"}) == "hello cy, from the shared layer"
    loaded = Project.load(project)
    spec = load_spec(discover(loaded, None)["nodelayered"], loaded, Settings())
    assert spec.environment["NODE_PATH"] == str(project / "amplify/backend/function/sharedlayer/lib/nodejs/node_modules")
    assert project / "amplify/backend/function/sharedlayer" in spec.watch


def test_missing_layer_folder_is_a_clear_error(project: Path) -> None:
    folder = project / "amplify/backend/function/nodelayered"
    (folder / "function-parameters.json").write_text(json.dumps(
        {"lambdaLayers": [{"type": "ProjectLayer", "resourceName": "gonelayer"}]}))
    loaded = Project.load(project)
    with pytest.raises(LambdaError) as caught:
        load_spec(discover(loaded, None)["nodelayered"], loaded, Settings())
    assert caught.value.error_type == "ResourceNotFoundException"
    assert "nodelayered uses layer(s) gonelayer" in caught.value.error_message


def test_discovery_skips_layers_and_lists_lambda_dir(project: Path, tmp_path: Path) -> None:
    lambda_dir = tmp_path / "lambdas"
    lambda_dir.mkdir()
    (lambda_dir / "solo.js").write_text("exports.handler = async () => 1;\n")
    (lambda_dir / "nodeecho.js").write_text("exports.handler = async () => 'shadowed';\n")
    found = discover(Project.load(project), lambda_dir)
    assert sorted(found) == ["badruntime", "brokensyntax", "nodebuilt", "nodecallback", "nodeecho", "nodelayered",
                             "nohandler", "nomodule", "pybrokensyntax", "pyecho", "pylayered", "solo"]
    assert found["nodeecho"].kind == "project" and found["solo"].kind == "file"


def test_malformed_template_names_file_line_and_column(project: Path) -> None:
    template = project / "amplify/backend/function/pyecho/pyecho-cloudformation-template.json"
    template.write_text('{\n  "Resources": {,\n}\n')
    loaded = Project.load(project)
    with pytest.raises(LambdaError) as caught:
        load_spec(discover(loaded, None)["pyecho"], loaded, Settings())
    assert f"{template}:2:" in caught.value.error_message and "invalid JSON" in caught.value.error_message


@pytest.mark.parametrize(("key", "value", "message"), [
    ("Timeout", {"Ref": "NoSuchParameter"}, 'Timeout: Ref "NoSuchParameter" is neither a parameter nor a known resource'),
    ("MemorySize", "lots", "MemorySize: invalid literal for int() with base 10: 'lots'"),
    ("Handler", {"Fn::GetAtt": ["Nowhere", "Arn"]}, "Handler: "),
])
def test_unresolvable_function_property_names_template_and_property(project: Path, key: str, value: Any,
                                                                    message: str) -> None:
    template = project / "amplify/backend/function/pyecho/pyecho-cloudformation-template.json"
    document = json.loads(template.read_text())
    function = next(r for r in document["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    function["Properties"][key] = value
    template.write_text(json.dumps(document))
    loaded = Project.load(project)
    with pytest.raises(LambdaError) as caught:
        load_spec(discover(loaded, None)["pyecho"], loaded, Settings())
    assert caught.value.error_type == "InvalidParameterValueException"
    assert caught.value.error_message.startswith(f"{template}: {message}")


def test_a_project_file_that_is_not_an_object_names_the_file(project: Path) -> None:
    meta = project / "amplify/backend/amplify-meta.json"
    meta.write_text("[]")
    with pytest.raises(LambdaError) as caught:
        Project.load(project)
    assert caught.value.error_message == f"{meta}: expected a JSON object, found list"


def test_malformed_dotenv_names_file_and_line(project: Path) -> None:
    (project / "amplify/backend/function/pyecho/.env").write_text("GOOD=1\nthis is not an assignment\n")
    loaded = Project.load(project)
    with pytest.raises(LambdaError) as caught:
        load_spec(discover(loaded, None)["pyecho"], loaded, Settings())
    assert caught.value.error_message.endswith(".env:2: expected KEY=value, found 'this is not an assignment'")


def test_timeout_override_and_defaults(project: Path) -> None:
    loaded = Project.load(project)
    sources = discover(loaded, None)
    assert load_spec(sources["nodeecho"], loaded, Settings()).timeout == 25
    assert load_spec(sources["nodeecho"], loaded, Settings(timeout_override=2)).timeout == 2


def test_runtime_interpreters() -> None:
    current = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert language_of(current, "f") == ("python", sys.executable)
    assert language_of("nodejs20.x", "f")[0] == "nodejs"
    with pytest.raises(LambdaError) as caught:
        language_of("go1.x", "gofn")
    assert "Function gofn: runtime go1.x cannot run locally" in caught.value.error_message


def test_fingerprint_sees_edits_but_not_dependencies(project: Path) -> None:
    folder = project / "amplify/backend/function/nodeecho"
    before = fingerprint([folder])
    (folder / "src" / "node_modules").mkdir()
    (folder / "src" / "node_modules" / "dep.js").write_text("1")
    assert fingerprint([folder]) == before
    (folder / "src" / "extra.js").write_text("1")
    assert fingerprint([folder]) != before


SDK_FUNCTION = '''
import os

import boto3


def handler(event, context):
    client = boto3.client("dynamodb")  # no endpoint_url: AWS_ENDPOINT_URL_DYNAMODB decides
    table = os.environ["API_MYAPI_TODOTABLE_NAME"]
    client.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.put_item(TableName=table, Item={"id": {"S": "t1"}, "title": {"S": event["title"]}})
    item = client.get_item(TableName=table, Key={"id": {"S": "t1"}})["Item"]
    return {"table": table, "title": item["title"]["S"], "region": client.meta.region_name}
'''


def test_function_sdk_calls_reach_the_local_dynamodb(project: Path, logs: Any, tmp_path: Path) -> None:
    folder = project / "amplify/backend/function/pyecho"
    (folder / "src" / "index.py").write_text(SDK_FUNCTION)
    template_path = folder / "pyecho-cloudformation-template.json"
    template = json.loads(template_path.read_text())
    template["Resources"]["LambdaFunction"]["Properties"]["Timeout"] = 20
    template["Resources"]["LambdaFunction"]["Properties"]["Environment"]["Variables"]["API_MYAPI_TODOTABLE_NAME"] = {
        "Fn::ImportValue": {"Fn::Sub": "${apimyapiGraphQLAPIIdOutput}:GetAtt:TodoTable:Name"}}
    template["Parameters"]["apimyapiGraphQLAPIIdOutput"] = {"Type": "String", "Default": "x"}
    template_path.write_text(json.dumps(template))
    port = free_port()
    endpoint = subprocess.Popen(
        [sys.executable, "-m", "amplify_local", "mock", "dynamodb", "--in-memory", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert endpoint.stdout is not None and "running" in endpoint.stdout.readline()
        runner = FunctionRunner(project, log=logs, env_overrides={"AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}"})
        assert runner.invoke_once("pyecho", {"title": "local only"}) == {
            "table": "TodoTable", "title": "local only", "region": "eu-west-1"}
    finally:
        endpoint.terminate()
        endpoint.wait(timeout=10)
