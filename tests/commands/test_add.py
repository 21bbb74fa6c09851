"""`amplify add api --headless`: the AddApiRequest on stdin, the API's files, backend-config, amplify-meta, status."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from amplify_local.project.api_resource import CUSTOM_RESOURCES

SCHEMA = "type Todo @model {\n  id: ID!\n  name: String!\n}\n"
REQUEST = {
    "version": 1,
    "serviceConfiguration": {
        "serviceName": "AppSync",
        "apiName": "myapi",
        "transformSchema": SCHEMA,
        "defaultAuthType": {"mode": "API_KEY", "expirationTime": 30, "keyDescription": "ci key"},
        "additionalAuthTypes": [
            {"mode": "AWS_IAM"},
            {"mode": "AMAZON_COGNITO_USER_POOLS", "cognitoUserPoolId": "us-east-1_pool"},
            {"mode": "OPENID_CONNECT", "openIDProviderName": "idp", "openIDIssuerURL": "https://idp.example.com",
             "openIDClientID": "client", "openIDAuthTTL": "60"},
            {"mode": "AWS_LAMBDA", "lambdaFunction": "authorizer", "ttlSeconds": "300"},
        ],
        "conflictResolution": {
            "defaultResolutionStrategy": {"type": "AUTOMERGE"},
            "perModelResolutionStrategy": [
                {"entityName": "Todo", "resolutionStrategy": {"type": "OPTIMISTIC_CONCURRENCY"}},
                {"entityName": "Note", "resolutionStrategy": {"type": "LAMBDA",
                                                              "resolver": {"type": "EXISTING", "name": "resolver"}}},
                {"entityName": "Plain", "resolutionStrategy": {"type": "NONE"}},
            ],
        },
    },
}
AUTH_CONFIG = {
    "defaultAuthentication": {
        "authenticationType": "API_KEY", "apiKeyConfig": {"apiKeyExpirationDays": 30, "description": "ci key"},
    },
    "additionalAuthenticationProviders": [
        {"authenticationType": "AWS_IAM"},
        {"authenticationType": "AMAZON_COGNITO_USER_POOLS", "userPoolConfig": {"userPoolId": "us-east-1_pool"}},
        {"authenticationType": "OPENID_CONNECT", "openIDConnectConfig": {
            "name": "idp", "issuerUrl": "https://idp.example.com", "clientId": "client", "authTTL": "60"}},
        {"authenticationType": "AWS_LAMBDA", "lambdaAuthorizerConfig": {"lambdaFunction": "authorizer", "ttlSeconds": "300"}},
    ],
}


def test_add_api_headless_then_status(initialised) -> None:
    result = initialised.run("add", "api", "--headless", stdin=json.dumps(REQUEST))
    assert result.returncode == 0, result.stderr
    assert "Successfully added resource myapi locally." in result.stdout
    api = initialised.project / "amplify/backend/api/myapi"
    assert sorted(str(path.relative_to(api)) for path in api.rglob("*") if path.is_file()) == [
        "parameters.json", "resolvers/README.md", "schema.graphql", "stacks/CustomResources.json", "transform.conf.json",
    ]
    assert (api / "schema.graphql").read_text() == SCHEMA
    assert json.loads((api / "parameters.json").read_text()) == {
        "AppSyncApiName": "myapi",
        "DynamoDBBillingMode": "PAY_PER_REQUEST",
        "DynamoDBEnableServerSideEncryption": False,
        "AuthCognitoUserPoolId": {"Fn::GetAtt": ["us-east-1_pool", "Outputs.UserPoolId"]},
    }
    assert json.loads((api / "transform.conf.json").read_text()) == {
        "Version": 5,
        "ElasticsearchWarning": True,
        "ResolverConfig": {
            "project": {"ConflictHandler": "AUTOMERGE", "ConflictDetection": "VERSION"},
            "models": {
                "Todo": {"ConflictHandler": "OPTIMISTIC_CONCURRENCY", "ConflictDetection": "VERSION"},
                "Note": {"ConflictHandler": "LAMBDA", "ConflictDetection": "VERSION",
                         "LambdaConflictHandler": {"name": "resolver"}},
            },
        },
    }
    stack = json.loads((api / "stacks/CustomResources.json").read_text())
    assert stack == CUSTOM_RESOURCES
    assert stack["Resources"] == {"EmptyResource": {"Type": "Custom::EmptyResource", "Condition": "AlwaysFalse"}}
    entry = {"service": "AppSync", "providerPlugin": "awscloudformation", "dependsOn": [], "output": {"authConfig": AUTH_CONFIG}}
    assert initialised.json("amplify/backend/backend-config.json") == {"api": {"myapi": entry}}
    assert initialised.json("amplify/backend/amplify-meta.json") == {
        "providers": {"awscloudformation": {"Region": "us-east-1"}}, "api": {"myapi": entry},
    }
    status = initialised.run("status")
    assert status.returncode == 0
    assert status.stdout == """
    Current Environment: dev

┌──────────┬───────────────┬───────────┬───────────────────┐
│ Category │ Resource name │ Operation │ Provider plugin   │
├──────────┼───────────────┼───────────┼───────────────────┤
│ Api      │ myapi         │ Create    │ awscloudformation │
└──────────┴───────────────┴───────────┴───────────────────┘

GraphQL transformer version: 2

The environment is local: nothing has been pushed (amplify-local has no push yet).
"""


def test_minimal_request_gets_api_key_defaults(initialised) -> None:
    request = {"version": 1, "serviceConfiguration": {
        "serviceName": "AppSync", "apiName": "mini", "transformSchema": SCHEMA, "defaultAuthType": {"mode": "API_KEY"}}}
    assert initialised.run("add", "api", "--headless", stdin=json.dumps(request)).returncode == 0
    auth = initialised.json("amplify/backend/backend-config.json")["api"]["mini"]["output"]["authConfig"]
    assert auth == {
        "defaultAuthentication": {"authenticationType": "API_KEY", "apiKeyConfig": {"apiKeyExpirationDays": 7, "description": ""}},
        "additionalAuthenticationProviders": [],
    }
    api = initialised.project / "amplify/backend/api/mini"
    assert json.loads((api / "transform.conf.json").read_text()) == {"Version": 5, "ElasticsearchWarning": True}
    assert "AuthCognitoUserPoolId" not in json.loads((api / "parameters.json").read_text())


def test_user_pools_use_the_project_auth_resource(initialised) -> None:
    config = {"auth": {"userpool1": {"service": "Cognito", "providerPlugin": "awscloudformation"}}}
    (initialised.project / "amplify/backend/backend-config.json").write_text(json.dumps(config))
    request = {"version": 1, "serviceConfiguration": {
        "serviceName": "AppSync", "apiName": "pools", "transformSchema": SCHEMA,
        "defaultAuthType": {"mode": "AMAZON_COGNITO_USER_POOLS"}}}
    result = initialised.run("add", "api", "--headless", stdin=json.dumps(request))
    assert result.returncode == 0, result.stderr
    parameters = json.loads((initialised.project / "amplify/backend/api/pools/parameters.json").read_text())
    assert parameters["AuthCognitoUserPoolId"] == {"Fn::GetAtt": ["authuserpool1", "Outputs.UserPoolId"]}


def changed(path: str, value: object) -> str:
    request = copy.deepcopy(REQUEST)
    target = request
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return json.dumps(request)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"version": 1,', "amplify add api: request on stdin: invalid JSON at line 1 column 15 (character 14): "
                           "Expecting property name enclosed in double quotes"),
        ("[]", "amplify add api: request on stdin: request: expected a JSON object, given []"),
        (changed("version", 2), "request on stdin: version: 2 is invalid: the only version is 1"),
        (changed("serviceConfiguration.serviceName", "AppSyncV2"),
         'serviceConfiguration.serviceName: "AppSyncV2" is invalid: use "AppSync"'),
        (changed("serviceConfiguration.apiName", "my-api"),
         'serviceConfiguration.apiName: "my-api" is invalid: use 1 to 80 letters and digits (a-z, A-Z, 0-9)'),
        (changed("serviceConfiguration.transformSchema", "type Todo {"),
         "serviceConfiguration.transformSchema: GraphQL syntax error at line 1 column 12: Syntax Error: Expected Name, found <EOF>."),
        (changed("serviceConfiguration.transformSchema", ""),
         'serviceConfiguration.transformSchema: expected a non-empty string, given ""'),
        (changed("serviceConfiguration.defaultAuthType", KeyError),
         "serviceConfiguration.defaultAuthType: is missing"),
        (changed("serviceConfiguration.defaultAuthType", {"mode": "PASSWORD"}),
         'serviceConfiguration.defaultAuthType.mode: "PASSWORD" is invalid: use one of API_KEY, AWS_IAM, '
         "AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA"),
        (changed("serviceConfiguration.defaultAuthType", {"mode": "API_KEY", "expirationTime": 400}),
         "serviceConfiguration.defaultAuthType.expirationTime: 400 is invalid: use a whole number of days from 1 to 365"),
        (changed("serviceConfiguration.defaultAuthType", {"mode": "API_KEY", "expires": 4}),
         'serviceConfiguration.defaultAuthType: unknown key "expires". Allowed keys: mode, expirationTime'),
        (changed("serviceConfiguration.additionalAuthTypes", [{"mode": "API_KEY"}]),
         "serviceConfiguration.additionalAuthTypes[0].mode: API_KEY is already configured; give each mode once"),
        (changed("serviceConfiguration.additionalAuthTypes", {"mode": "AWS_IAM"}),
         "serviceConfiguration.additionalAuthTypes: expected a list of auth types"),
        (changed("serviceConfiguration.additionalAuthTypes", [{"mode": "OPENID_CONNECT", "openIDProviderName": "p",
                                                                "openIDIssuerURL": "idp", "openIDClientID": "c"}]),
         'serviceConfiguration.additionalAuthTypes[0].openIDIssuerURL: "idp" is invalid: use the issuer URL'),
        (changed("serviceConfiguration.additionalAuthTypes", [{"mode": "AWS_LAMBDA"}]),
         "serviceConfiguration.additionalAuthTypes[0].lambdaFunction: expected a non-empty string, given null"),
        (changed("serviceConfiguration.conflictResolution", {"defaultResolutionStrategy": {"type": "LAST_WRITER"}}),
         'serviceConfiguration.conflictResolution.defaultResolutionStrategy.type: "LAST_WRITER" is invalid'),
        (changed("serviceConfiguration.conflictResolution", {"perModelResolutionStrategy": [{"entityName": "T"}]}),
         "serviceConfiguration.conflictResolution.perModelResolutionStrategy[0].resolutionStrategy: expected a JSON object"),
        (changed("serviceConfiguration.apiKeyExpiration", {"days": 0}),
         "serviceConfiguration.apiKeyExpiration.days: 0 is invalid: use 1 to 365"),
        (changed("serviceConfiguration.extra", 1), 'serviceConfiguration: unknown key "extra"'),
    ],
)
def test_invalid_requests_write_nothing(initialised, stdin, message) -> None:
    before = {path: path.read_bytes() for path in initialised.project.rglob("*") if path.is_file()}
    result = initialised.run("add", "api", "--headless", stdin=stdin)
    assert result.returncode == 1
    assert message in result.stderr
    assert {path: path.read_bytes() for path in initialised.project.rglob("*") if path.is_file()} == before


def test_user_pools_without_a_pool_are_refused(initialised) -> None:
    request = {"version": 1, "serviceConfiguration": {
        "serviceName": "AppSync", "apiName": "pools", "transformSchema": SCHEMA,
        "defaultAuthType": {"mode": "AMAZON_COGNITO_USER_POOLS"}}}
    result = initialised.run("add", "api", "--headless", stdin=json.dumps(request))
    assert result.returncode == 1
    assert "AMAZON_COGNITO_USER_POOLS needs a user pool: give cognitoUserPoolId" in result.stderr
    assert not (initialised.project / "amplify/backend/api").exists()


def test_a_second_graphql_api_is_refused(initialised) -> None:
    assert initialised.run("add", "api", "--headless", stdin=json.dumps(REQUEST)).returncode == 0
    second = changed("serviceConfiguration.apiName", "other")
    result = initialised.run("add", "api", "--headless", stdin=second)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "amplify add api: GraphQL API myapi already exists in the project. Use 'amplify update api' to make modifications."
    )


def test_a_new_conflict_handler_is_refused(initialised) -> None:
    """The real CLI would create a conflict handler function ("NEW"); amplify-local asks for an existing one."""
    new = {"defaultResolutionStrategy": {"type": "LAMBDA", "resolver": {"type": "NEW"}}}
    result = initialised.run("add", "api", "--headless", stdin=changed("serviceConfiguration.conflictResolution", new))
    assert result.returncode == 1
    assert result.stderr == (
        "amplify add api: request on stdin: serviceConfiguration.conflictResolution.defaultResolutionStrategy.resolver.type: "
        '"NEW" is not available: amplify-local cannot generate a conflict handler ("NEW"); add the function and use '
        '{"type": "EXISTING", "name": "<function>"}\n'
    )
    assert not (initialised.project / "amplify/backend/api").exists()


def test_an_existing_api_folder_is_refused(initialised) -> None:
    """A folder left behind (not in amplify-meta.json) is never overwritten."""
    folder = initialised.project / "amplify/backend/api/myapi"
    folder.mkdir(parents=True)
    (folder / "schema.graphql").write_text("type Mine @model { id: ID! }")
    result = initialised.run("add", "api", "--headless", stdin=json.dumps(REQUEST))
    assert result.returncode == 1
    assert result.stderr == f"amplify add api: {folder} already exists; remove it or choose another apiName\n"
    assert [path.name for path in folder.iterdir()] == ["schema.graphql"]
    assert "api" not in initialised.json("amplify/backend/backend-config.json")


def test_other_categories_and_no_terminal_without_headless(initialised) -> None:
    assert initialised.run("add", "storage").returncode == 2
    result = initialised.run("add", "api")
    assert result.returncode == 1
    assert "no terminal to ask on: pass --headless with the AddApiRequest JSON on stdin" in result.stderr
    assert initialised.run("add", "--help").returncode == 0


def test_outside_a_project(sandbox) -> None:
    result = sandbox.run("add", "api", "--headless", stdin=json.dumps(REQUEST))
    assert result.returncode == 1
    assert "No Amplify project found" in result.stderr


def test_headless_on_a_terminal_without_a_request(initialised) -> None:
    """--headless with stdin a terminal: no JSON was piped in, so say how to give it instead of waiting."""
    result = initialised.on_a_terminal(b"", "add", "api", "--headless")
    assert result.returncode == 1
    assert result.stderr == (
        "amplify add api: --headless reads the AddApiRequest JSON from stdin: amplify add api --headless < request.json\n"
    )
    assert not (initialised.project / "amplify/backend/api").exists()


def test_walkthrough_on_a_terminal_builds_the_same_request(initialised) -> None:
    result = initialised.on_a_terminal(b"\npassword\napi_key\n30\n\n", "add", "api")
    assert result.returncode == 0, result.stderr
    assert "? Provide API name: (demoproj) " in result.stdout
    assert '"password" is not one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS' in result.stderr
    api = initialised.project / "amplify/backend/api/demoproj"
    assert "type Todo @model @auth(rules: [{ allow: public }])" in (api / "schema.graphql").read_text()
    auth = initialised.json("amplify/backend/backend-config.json")["api"]["demoproj"]["output"]["authConfig"]
    assert auth["defaultAuthentication"] == {
        "authenticationType": "API_KEY", "apiKeyConfig": {"apiKeyExpirationDays": 30, "description": ""},
    }


def test_walkthrough_with_a_user_pool_and_a_schema_file(initialised, tmp_path: Path) -> None:
    schema = tmp_path / "shop.graphql"
    schema.write_text("type Order @model @auth(rules: [{ allow: owner }]) { id: ID! total: Float }\n")
    answers = f"shop\nAMAZON_COGNITO_USER_POOLS\nus-west-2_pool\n{schema}\n".encode()
    result = initialised.on_a_terminal(answers, "add", "api")
    assert result.returncode == 0, result.stderr
    assert (initialised.project / "amplify/backend/api/shop/schema.graphql").read_text() == schema.read_text()
    parameters = json.loads((initialised.project / "amplify/backend/api/shop/parameters.json").read_text())
    assert parameters["AuthCognitoUserPoolId"] == {"Fn::GetAtt": ["us-west-2_pool", "Outputs.UserPoolId"]}
