"""The AWS_LAMBDA authorizer: AppSync's event reaches a real function; its answer is validated."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from amplify_local.mock.lambda_runner import AuthorizerError, FunctionRunner, authorize_request
from amplify_local.mock.lambda_runner.authorizer import AuthorizerCache, parse_response

AUTHORIZER = """
exports.handler = async (event) => {
  const token = event.authorizationToken;
  if (token === 'throw') throw new Error('token service down');
  if (token === 'malformed') return { isAuthorized: 'yes' };
  return {
    isAuthorized: token.startsWith('allow'),
    resolverContext: { user: token, apiId: event.requestContext.apiId,
                       operation: event.requestContext.operationName,
                       query: event.requestContext.queryString,
                       variables: JSON.stringify(event.requestContext.variables),
                       header: event.requestHeaders['x-trace'] },
    deniedFields: ['Query.secret', 'arn:aws:appsync:us-east-1:123:apis/abc/types/Mutation/fields/drop'],
    ttlOverride: 10,
  };
};
"""


@pytest.fixture
def runner_dir(tmp_path: Path) -> Path:
    (tmp_path / "authorizer.js").write_text(AUTHORIZER)
    return tmp_path


def authorize(runner_dir: Path, logs: Any, token: str, **options: Any) -> Any:
    async def main() -> Any:
        runner = FunctionRunner(lambda_dir=runner_dir, log=logs)
        try:
            return await authorize_request(runner, "authorizer", token=token, query_string="query Q { me }",
                                           operation_name="Q", variables={"a": 1},
                                           headers={"x-trace": "t-1"}, api_id="api123", **options)
        finally:
            await runner.close()
    return asyncio.run(main())


def test_authorized_request_carries_context_and_denied_fields(runner_dir: Path, logs: Any) -> None:
    result = authorize(runner_dir, logs, "allow-alice")
    assert result.is_authorized is True
    assert result.resolver_context == {"user": "allow-alice", "apiId": "api123", "operation": "Q",
                                       "query": "query Q { me }", "variables": '{"a":1}', "header": "t-1"}
    assert result.denied_fields == frozenset({"Query.secret", "Mutation.drop"})
    assert result.ttl_override == 10
    identity = result.identity()
    assert identity.mode == "AWS_LAMBDA"
    assert identity.resolver_fields == {"resolverContext": result.resolver_context}
    assert identity.denied_fields == result.denied_fields


def test_refusal_is_not_an_error(runner_dir: Path, logs: Any) -> None:
    assert authorize(runner_dir, logs, "deny-bob").is_authorized is False


def test_identity_validation_expression_refuses_without_calling(runner_dir: Path, logs: Any) -> None:
    (runner_dir / "authorizer.js").write_text("exports.handler = async () => { throw new Error('called'); };")
    result = authorize(runner_dir, logs, "bad token", identity_validation_expression=r"allow-[a-z]+")
    assert result.is_authorized is False


def test_invalid_identity_validation_expression_is_a_401_that_says_why(runner_dir: Path, logs: Any) -> None:
    (runner_dir / "authorizer.js").write_text("exports.handler = async () => { throw new Error('called'); };")
    with pytest.raises(AuthorizerError) as caught:
        authorize(runner_dir, logs, "token", identity_validation_expression="allow-[a-z")
    assert caught.value.status == 401
    assert str(caught.value) == ("identityValidationExpression 'allow-[a-z' of authorizer authorizer is not a valid "
                                 "regular expression: unterminated character set at position 6")


@pytest.mark.parametrize(("token", "reason"), [
    ("throw", "Lambda authorizer authorizer failed: Error: token service down"),
    ("malformed", "isAuthorized must be true or false, got 'yes'"),
])
def test_failures_are_401_with_a_reason(runner_dir: Path, logs: Any, token: str, reason: str) -> None:
    with pytest.raises(AuthorizerError) as caught:
        authorize(runner_dir, logs, token)
    assert caught.value.status == 401
    assert caught.value.to_body() == {"errors": [{"errorType": "UnauthorizedException",
                                                  "message": "You are not authorized to make this call."}]}
    assert reason in str(caught.value)


@pytest.mark.parametrize(("answer", "reason"), [
    ([], "expected a JSON object"),
    ({"isAuthorized": True, "resolverContext": "x"}, "resolverContext must be a JSON object"),
    ({"isAuthorized": True, "deniedFields": "Query.a"}, "deniedFields must be a list"),
    ({"isAuthorized": True, "deniedFields": ["not a field"]}, "neither `Type.field` nor a field ARN"),
    ({"isAuthorized": True, "ttlOverride": 4000}, "ttlOverride must be an integer"),
    ({"isAuthorized": True, "ttlOverride": True}, "ttlOverride must be an integer"),
])
def test_malformed_answers(answer: Any, reason: str) -> None:
    with pytest.raises(AuthorizerError, match=reason):
        parse_response("auth", answer)


COUNTER = """
let calls = 0;
exports.handler = async (event) => {
  calls += 1;
  const ttl = event.authorizationToken === 'no-cache' ? { ttlOverride: 0 } : {};
  return { isAuthorized: true, resolverContext: { calls: String(calls) }, ...ttl };
};
"""


def test_cache_reuses_answers_per_token_for_their_ttl(tmp_path: Path, logs: Any) -> None:
    (tmp_path / "counter.js").write_text(COUNTER)
    now = [1000.0]
    cache = AuthorizerCache(clock=lambda: now[0])

    async def main() -> list[str]:
        runner = FunctionRunner(lambda_dir=tmp_path, log=logs)
        calls = []
        try:
            for token, advance in (("t1", 0), ("t1", 299), ("t2", 0), ("t1", 2), ("no-cache", 0), ("no-cache", 0)):
                now[0] += advance
                result = await authorize_request(runner, "counter", token=token, query_string="{ a }", cache=cache)
                calls.append(result.resolver_context["calls"])
        finally:
            await runner.close()
        return calls

    # t1 cached for 300 s (AppSync's default), t2 has its own entry, t1 expires after 301 s, ttlOverride 0 never caches
    assert asyncio.run(main()) == ["1", "1", "2", "3", "4", "5"]
