"""Local Lambda: function discovery, environment, build step and warm Node/Python workers.

The public surface (other subsystems code against exactly this):

`FunctionRunner(project_root=None, *, lambda_dir=None, env_overrides=None, timeout_override=None,
graphql_endpoint="http://localhost:20002/graphql", api_key="da2-fakeApiId123456", max_workers=2,
build=True, log=print_log)`
    One per mock process. Finds the functions in `<project_root>/amplify/backend/function/*` and/or
    the single-file Node handlers `<lambda_dir>/<name>.js` (the reference kit's `serve.js
    --lambda-dir`). `env_overrides` are environment variables set in every function (after Lambda's
    own, before the function's `.env`), e.g. `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3` or
    table names; `graphql_endpoint` / `api_key` replace the API's `GraphQLAPIEndpointOutput` /
    `GraphQLAPIKeyOutput` parameters; `timeout_override` (seconds) replaces every template timeout.

    `await runner.invoke(function_name, event, *, client_context=None, identity=None) -> Any`
        The handler's result, or `LambdaError`. The name may be `name`, `name-${env}`, `name-<env>`
        or an ARN.
    `runner.names()`, `await runner.spec(name)`, `await runner.warm(name)`
    `await runner.close()` stops every worker.
    `runner.invoke_once(name, event)` is the synchronous entry (`amplify mock function`).

`LambdaError(error_type, error_message, trace, function_name)`
    Lambda's error shape (`to_payload()` gives `{errorType, errorMessage, trace}`); "Task timed out
    after N.00 seconds" (`Sandbox.Timedout`) on a timeout.

`authorize_request(runner, function_name, *, token, query_string, operation_name=None,
variables=None, headers=None, api_id=..., account_id=..., request_id=None,
identity_validation_expression=None, cache=None, results_ttl=300) -> AuthorizerResult`
    AppSync's AWS_LAMBDA authorizer. `AuthorizerResult(is_authorized, resolver_context,
    denied_fields, ttl_override)`, `.identity()` gives the `Identity` for the resolvers. A failing
    function or a malformed answer raises `AuthorizerError` (a 401 `RequestError`; `str()` says why).
    Pass one `AuthorizerCache()` per API (and its `authorizerResultTtlInSeconds` as `results_ttl`) to
    reuse answers per token as AppSync does.

The AppSync data source lives with the others: `amplify_local.mock.appsync.datasources.lambda_
.LambdaDataSource(name, function_name, runner, *, max_batch_size={"Type.field": n})`.
"""

from amplify_local.mock.lambda_runner.authorizer import (
    AuthorizerCache,
    AuthorizerError,
    AuthorizerResult,
    authorize_request,
)
from amplify_local.mock.lambda_runner.runner import FunctionRunner
from amplify_local.mock.lambda_runner.types import FunctionSpec, LambdaError
from amplify_local.mock.lambda_runner.worker import print_log

__all__ = [
    "AuthorizerCache",
    "AuthorizerError",
    "AuthorizerResult",
    "FunctionRunner",
    "FunctionSpec",
    "LambdaError",
    "authorize_request",
    "print_log",
]
