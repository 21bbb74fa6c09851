"""CloudFormation output: auth providers of the API, nested stacks, cross-stack data sources."""

from __future__ import annotations

import json
from collections.abc import Callable

OIDC_AND_LAMBDA = {
    "defaultAuthentication": {"authenticationType": "OPENID_CONNECT",
                              "openIDConnectConfig": {"issuerUrl": "https://idp", "clientId": "c", "iatTTL": 10}},
    "additionalAuthenticationProviders": [{"authenticationType": "AWS_LAMBDA",
                                           "lambdaAuthorizerConfig": {"lambdaFunction": "authz", "ttlSeconds": 60}}],
}


def test_auth_providers_in_the_root_template(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type Todo @model {\n  id: ID!\n}\n", OIDC_AND_LAMBDA)
    api = json.loads(files["cloudformation-template.json"])["Resources"]["GraphQLAPI"]["Properties"]
    assert api["AuthenticationType"] == "OPENID_CONNECT"
    assert api["OpenIDConnectConfig"] == {"Issuer": "https://idp", "ClientId": "c", "IatTTL": 10}
    assert api["AdditionalAuthenticationProviders"] == [
        {"AuthenticationType": "AWS_LAMBDA",
         "LambdaAuthorizerConfig": {"AuthorizerUri": "authz", "AuthorizerResultTtlInSeconds": 60}}]
    assert "GraphQLAPIKey" not in json.loads(files["cloudformation-template.json"])["Resources"]


def test_nested_stacks_and_imported_data_sources(compile_schema: Callable[..., dict[str, str]]) -> None:
    files = compile_schema("type Post @model {\n  id: ID!\n  comments: [Comment] @connection\n}\n"
                           "type Comment @model {\n  id: ID!\n}\n")
    root = json.loads(files["cloudformation-template.json"])["Resources"]
    assert root["ConnectionStack"]["DependsOn"] == ["GraphQLSchema", "Post", "Comment"]
    resolver = json.loads(files["stacks/ConnectionStack.json"])["Resources"]["PostcommentsResolver"]["Properties"]
    assert resolver["DataSourceName"] == {"Fn::ImportValue": {"Fn::Join": [":", [
        {"Ref": "AppSyncApiId"}, "GetAtt", "CommentDataSource", "Name"]]}}
    outputs = json.loads(files["stacks/Comment.json"])["Outputs"]
    assert outputs["GetAttCommentDataSourceName"]["Export"]["Name"]["Fn::Join"][1][3] == "Name"
