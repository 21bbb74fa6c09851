"""CloudFormation for a transform: the root template and one nested stack per model (plus
`ConnectionStack` and `FunctionDirectiveStack`), in the shape the real v1 CLI writes to `build/`.

Only what a reader of the build needs is faithful (tables, data sources, resolvers, pipeline
functions, template locations, auth modes); IAM roles carry no policy detail.
"""

from __future__ import annotations

import json
from typing import Any

from .context import ResolverSpec, TransformContext

_PARAMETERS: dict[str, dict[str, Any]] = {
    "DynamoDBModelTableReadIOPS": {"Type": "Number", "Description": "The number of read IOPS the table should support.", "Default": 5},
    "DynamoDBModelTableWriteIOPS": {"Type": "Number", "Description": "The number of write IOPS the table should support.", "Default": 5},
    "DynamoDBBillingMode": {"Type": "String", "Description": "Configure @model types to create DynamoDB tables with PAY_PER_REQUEST or PROVISIONED billing modes.", "Default": "PAY_PER_REQUEST", "AllowedValues": ["PAY_PER_REQUEST", "PROVISIONED"]},
    "DynamoDBEnablePointInTimeRecovery": {"Type": "String", "Description": "Whether to enable Point in Time Recovery on the table", "Default": "false", "AllowedValues": ["true", "false"]},
    "DynamoDBEnableServerSideEncryption": {"Type": "String", "Description": "Enable server side encryption powered by KMS.", "Default": "true", "AllowedValues": ["true", "false"]},
    "AppSyncApiName": {"Type": "String", "Description": "The name of the AppSync API", "Default": "AppSyncSimpleTransform"},
    "APIKeyExpirationEpoch": {"Type": "Number", "Description": "The epoch time in seconds when the API Key should expire. Setting this to 0 will default to 7 days from the deployment date. Setting this to -1 will not create an API Key.", "Default": 0, "MinValue": -1},
    "CreateAPIKey": {"Type": "Number", "Description": "The boolean value to control if an API Key will be created or not. The value of the property is automatically set by the CLI. If the value is set to 0 no API Key will be created.", "Default": 0, "MinValue": 0, "MaxValue": 1},
    "AuthCognitoUserPoolId": {"Type": "String", "Description": "The id of an existing User Pool to connect. If this is changed, a user pool will not be created for you.", "Default": "NONE"},
    "env": {"Type": "String", "Description": "The environment name. e.g. Dev, Test, or Production", "Default": "NONE"},
    "S3DeploymentBucket": {"Type": "String", "Description": "The S3 bucket containing all deployment assets for the project."},
    "S3DeploymentRootKey": {"Type": "String", "Description": "An S3 key relative to the S3DeploymentBucket that points to the root of the deployment directory."},
}
_NESTED_PARAMETERS = {
    **_PARAMETERS,
    "AppSyncApiId": {"Type": "String", "Description": "The id of the AppSync API associated with this project."},
    "GetAttGraphQLAPIApiId": {"Type": "String", "Description": "Auto-generated parameter that forwards Fn.GetAtt(GraphQLAPI, ApiId) through to nested stacks."},
}
_CONDITIONS = {
    "ShouldUsePayPerRequestBilling": {"Fn::Equals": [{"Ref": "DynamoDBBillingMode"}, "PAY_PER_REQUEST"]},
    "ShouldUsePointInTimeRecovery": {"Fn::Equals": [{"Ref": "DynamoDBEnablePointInTimeRecovery"}, "true"]},
    "ShouldUseServerSideEncryption": {"Fn::Equals": [{"Ref": "DynamoDBEnableServerSideEncryption"}, "true"]},
    "ShouldCreateAPIKey": {"Fn::Equals": [{"Ref": "CreateAPIKey"}, 1]},
    "APIKeyExpirationEpochIsPositive": {"Fn::And": [{"Fn::Not": [{"Fn::Equals": [{"Ref": "APIKeyExpirationEpoch"}, -1]}]}, {"Fn::Not": [{"Fn::Equals": [{"Ref": "APIKeyExpirationEpoch"}, 0]}]}]},
    "HasEnvironmentParameter": {"Fn::Not": [{"Fn::Equals": [{"Ref": "env"}, "NONE"]}]},
}
API_ID = {"Ref": "GetAttGraphQLAPIApiId"}


def _location(folder: str, stem: str, kind: str) -> dict[str, Any]:
    return {"Fn::Sub": [
        "s3://${S3DeploymentBucket}/${S3DeploymentRootKey}/" + folder + "/${ResolverFileName}",
        {"S3DeploymentBucket": {"Ref": "S3DeploymentBucket"}, "S3DeploymentRootKey": {"Ref": "S3DeploymentRootKey"},
         "ResolverFileName": {"Fn::Join": [".", [*stem.split("."), kind, "vtl"]]}},
    ]}


def _table_name(model: str) -> dict[str, Any]:
    return {"Fn::If": ["HasEnvironmentParameter",
                       {"Fn::Join": ["-", [model, API_ID, {"Ref": "env"}]]},
                       {"Fn::Join": ["-", [model, API_ID]]}]}


def _resolver(ctx: TransformContext, spec: ResolverSpec, api_id: dict[str, Any] = API_ID) -> dict[str, Any]:
    props: dict[str, Any] = {"ApiId": api_id, "TypeName": spec.type_name, "FieldName": spec.field_name}
    if spec.kind == "PIPELINE":
        props["Kind"] = "PIPELINE"
        props["PipelineConfig"] = {"Functions": [{"Fn::GetAtt": [f, "FunctionId"]} for f in spec.functions]}
    elif spec.data_source == "NONE":
        props["DataSourceName"] = "NONE"
    else:
        owner = ctx.data_sources[spec.data_source]
        if owner.stack == spec.stack:
            props["DataSourceName"] = {"Fn::GetAtt": [spec.data_source, "Name"]}
        else:
            props["DataSourceName"] = {"Fn::ImportValue": {"Fn::Join": [":", [
                {"Ref": "AppSyncApiId"}, "GetAtt", spec.data_source, "Name"]]}}
    props["RequestMappingTemplateS3Location"] = _location("resolvers", spec.file_stem, "req")
    props["ResponseMappingTemplateS3Location"] = _location("resolvers", spec.file_stem, "res")
    return {"Type": "AWS::AppSync::Resolver", "Properties": props}


def _table(ctx: TransformContext, model: str) -> dict[str, Any]:
    table = ctx.tables[model]
    props: dict[str, Any] = {
        "TableName": _table_name(model),
        "KeySchema": table.key_schema,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in table.attributes.items()],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "BillingMode": {"Fn::If": ["ShouldUsePayPerRequestBilling", "PAY_PER_REQUEST", {"Ref": "AWS::NoValue"}]},
    }
    if table.gsis:
        props["GlobalSecondaryIndexes"] = table.gsis
    if table.lsis:
        props["LocalSecondaryIndexes"] = table.lsis
    return {"Type": "AWS::DynamoDB::Table", "Properties": props, "DeletionPolicy": "Delete"}


def _role(name: str) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": {"Fn::Join": ["-", [name, "role", API_ID]]},
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "appsync.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    }}


def _stack(ctx: TransformContext, name: str) -> dict[str, Any]:
    res: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    if name in ctx.tables:
        res[f"{name}Table"] = _table(ctx, name)
        res[f"{name}IAMRole"] = _role(name)
    for ds in ctx.data_sources.values():
        if ds.stack != name:
            continue
        props: dict[str, Any] = {"ApiId": API_ID, "Name": ds.name, "Type": ds.type}
        if ds.type == "AMAZON_DYNAMODB":
            props["ServiceRoleArn"] = {"Fn::GetAtt": [f"{name}IAMRole", "Arn"]}
            props["DynamoDBConfig"] = {"AwsRegion": {"Ref": "AWS::Region"}, "TableName": _table_name(name)}
            outputs[f"GetAtt{ds.resource_id}Name"] = {
                "Description": "Your model DataSource name.", "Value": {"Fn::GetAtt": [ds.resource_id, "Name"]},
                "Export": {"Name": {"Fn::Join": [":", [{"Ref": "AppSyncApiId"}, "GetAtt", ds.resource_id, "Name"]]}}}
        else:
            res[f"{ds.resource_id}Role"] = _role(ds.resource_id)
            props["ServiceRoleArn"] = {"Fn::GetAtt": [f"{ds.resource_id}Role", "Arn"]}
        props.update(ds.properties)
        res[ds.resource_id] = {"Type": "AWS::AppSync::DataSource", "Properties": props}
    for fn in ctx.functions.values():
        if fn.stack == name:
            res[fn.resource_id] = {"Type": "AWS::AppSync::FunctionConfiguration", "Properties": {
                "ApiId": API_ID, "Name": fn.name, "DataSourceName": fn.data_source, "FunctionVersion": "2018-05-29",
                "RequestMappingTemplateS3Location": _location("pipelineFunctions", fn.name, "req"),
                "ResponseMappingTemplateS3Location": _location("pipelineFunctions", fn.name, "res"),
            }}
    for spec in ctx.resolvers.values():
        if spec.stack == name:
            res[spec.resource_id] = _resolver(ctx, spec)
    if name in ctx.tables:
        outputs[f"GetAtt{name}TableName"] = {
            "Description": "Your DynamoDB table name.", "Value": {"Ref": f"{name}Table"},
            "Export": {"Name": {"Fn::Join": [":", [{"Ref": "AppSyncApiId"}, "GetAtt", f"{name}Table", "Name"]]}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Description": "An auto-generated nested stack.",
            "Metadata": {}, "Parameters": _NESTED_PARAMETERS, "Resources": res, "Outputs": outputs,
            "Conditions": _CONDITIONS}


def _provider(config: dict[str, Any]) -> dict[str, Any]:
    kind = config.get("authenticationType")
    out: dict[str, Any] = {"AuthenticationType": kind}
    if kind == "AMAZON_COGNITO_USER_POOLS":
        out["UserPoolConfig"] = {"UserPoolId": {"Ref": "AuthCognitoUserPoolId"}, "AwsRegion": {"Ref": "AWS::Region"}}
    elif kind == "OPENID_CONNECT":
        oidc = config.get("openIDConnectConfig") or {}
        out["OpenIDConnectConfig"] = {k: v for k, v in {
            "Issuer": oidc.get("issuerUrl"), "ClientId": oidc.get("clientId"),
            "IatTTL": oidc.get("iatTTL"), "AuthTTL": oidc.get("authTTL")}.items() if v is not None}
    elif kind == "AWS_LAMBDA":
        lam = config.get("lambdaAuthorizerConfig") or {}
        out["LambdaAuthorizerConfig"] = {"AuthorizerUri": lam.get("lambdaFunction"),
                                         "AuthorizerResultTtlInSeconds": lam.get("ttlSeconds")}
    return out


def _nested(name: str, depends: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {"AppSyncApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}}
    params.update({p: {"Ref": p} for p in _PARAMETERS})
    params["GetAttGraphQLAPIApiId"] = {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}
    return {"Type": "AWS::CloudFormation::Stack", "Properties": {
        "Parameters": params,
        "TemplateURL": {"Fn::Join": ["/", ["https://s3.amazonaws.com", {"Ref": "S3DeploymentBucket"},
                                           {"Ref": "S3DeploymentRootKey"}, "stacks", f"{name}.json"]]},
    }, "DependsOn": depends}


def root_template(ctx: TransformContext, custom_stacks: list[str]) -> dict[str, Any]:
    default = ctx.auth_config.get("defaultAuthentication") or {"authenticationType": "API_KEY"}
    additional = ctx.auth_config.get("additionalAuthenticationProviders") or []
    api: dict[str, Any] = {
        "Name": {"Fn::If": ["HasEnvironmentParameter", {"Fn::Join": ["-", [{"Ref": "AppSyncApiName"}, {"Ref": "env"}]]},
                            {"Ref": "AppSyncApiName"}]},
        **_provider(default),
    }
    if additional:
        api["AdditionalAuthenticationProviders"] = [_provider(p) for p in additional]
    res: dict[str, Any] = {
        "GraphQLAPI": {"Type": "AWS::AppSync::GraphQLApi", "Properties": api},
        "GraphQLSchema": {"Type": "AWS::AppSync::GraphQLSchema", "Properties": {
            "ApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]},
            "DefinitionS3Location": {"Fn::Sub": ["s3://${S3DeploymentBucket}/${S3DeploymentRootKey}/schema.graphql", {
                "S3DeploymentBucket": {"Ref": "S3DeploymentBucket"}, "S3DeploymentRootKey": {"Ref": "S3DeploymentRootKey"}}]},
        }},
    }
    if "API_KEY" in [p.get("authenticationType") for p in [default, *additional]]:
        key = next(p for p in [default, *additional] if p.get("authenticationType") == "API_KEY")
        res["GraphQLAPIKey"] = {"Type": "AWS::AppSync::ApiKey", "Properties": {
            "ApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]},
            "Description": (key.get("apiKeyConfig") or {}).get("description"),
            "Expires": {"Fn::If": ["APIKeyExpirationEpochIsPositive", {"Ref": "APIKeyExpirationEpoch"}, 0]},
        }, "Condition": "ShouldCreateAPIKey"}
    if ctx.none_data_source:
        res["NoneDataSource"] = {"Type": "AWS::AppSync::DataSource", "Properties": {
            "ApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}, "Name": "NONE", "Type": "NONE"}}
    for spec in ctx.resolvers.values():
        if not spec.stack:
            res[spec.resource_id] = _resolver(ctx, spec, {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]})
    models = [s for s in ctx.stacks if s in ctx.tables]
    for name in ctx.stacks:
        res[name] = _nested(name, ["GraphQLSchema", *([] if name in ctx.tables else models)])
    for name in custom_stacks:  # file stems under stacks/, e.g. CustomResources
        custom = _nested(name, ["GraphQLAPI", "GraphQLSchema", *ctx.stacks])
        custom["Properties"]["Parameters"] = {
            "AppSyncApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}, "AppSyncApiName": {"Ref": "AppSyncApiName"},
            "env": {"Ref": "env"}, "S3DeploymentBucket": {"Ref": "S3DeploymentBucket"},
            "S3DeploymentRootKey": {"Ref": "S3DeploymentRootKey"}}
        res[f"{name}json"] = custom
    return {"AWSTemplateFormatVersion": "2010-09-09", "Description": "AppSync GraphQL API (amplify-local transform)",
            "Metadata": {}, "Parameters": _PARAMETERS, "Resources": res, "Conditions": _CONDITIONS,
            "Outputs": {"GraphQLAPIIdOutput": {"Description": "Your GraphQL API ID.",
                                               "Value": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}},
                        "GraphQLAPIEndpointOutput": {"Description": "Your GraphQL API endpoint.",
                                                     "Value": {"Fn::GetAtt": ["GraphQLAPI", "GraphQLUrl"]}}}}


def render(ctx: TransformContext) -> dict[str, str]:
    """`stacks/<Name>.json` for every nested stack the transform made (compact: the mock reads them back
    at every reload; `amplify api gql-compile` indents them when it writes the build folder)."""
    return {f"stacks/{name}.json": json.dumps(_stack(ctx, name)) for name in ctx.stacks}
