"""AppSync's AWS_LAMBDA authorization mode: build the authorizer event, call the function, validate its answer.

AppSync sends `{authorizationToken, requestContext{apiId, accountId, requestId, queryString,
operationName, variables}, requestHeaders}` and expects `{isAuthorized, resolverContext?,
deniedFields?, ttlOverride?}`. A token that fails the API's `identityValidationExpression` is refused
without calling the function. A function that fails, or answers something else, refuses the request:
`AuthorizerError` is the 401 `UnauthorizedException` AppSync answers, with a message that says what was
wrong (the function's error, or which field of the answer is malformed). `AuthorizerCache` keeps
answers per token for their TTL, as AppSync does.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from amplify_local import cfn
from amplify_local.mock.appsync.errors import RequestError
from amplify_local.mock.appsync.types import Identity
from amplify_local.mock.lambda_runner.types import LambdaError

if TYPE_CHECKING:
    from amplify_local.mock.lambda_runner.runner import FunctionRunner

MAX_TTL_SECONDS = 3600
DEFAULT_RESULTS_TTL = 300  # AppSync's authorizerResultTtlInSeconds when the API does not set it
_FIELD_ARN = re.compile(r"^arn:aws:appsync:[^:]*:[^:]*:apis/[^/]+/types/([^/]+)/fields/([^/]+)$")
_FIELD_NAME = re.compile(r"^([_A-Za-z][_0-9A-Za-z]*)\.([_A-Za-z][_0-9A-Za-z]*)$")


class AuthorizerCache:
    """Answers kept per (function, token) for their TTL, as AppSync caches authorizer results: the
    answer's `ttlOverride`, else the API's `authorizerResultTtlInSeconds` (0 = no caching)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str], tuple[float, AuthorizerResult]] = {}

    def get(self, function_name: str, token: str) -> AuthorizerResult | None:
        entry = self._entries.get((function_name, token))
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[(function_name, token)]
            return None
        return entry[1]

    def put(self, function_name: str, token: str, result: AuthorizerResult, default_ttl: int) -> None:
        ttl = result.ttl_override if result.ttl_override is not None else default_ttl
        if ttl > 0:
            self._entries[(function_name, token)] = (self._clock() + ttl, result)


class AuthorizerError(RequestError):
    """The request is refused (HTTP 401, UnauthorizedException); `reason` says why, for the mock's log."""

    def __init__(self, reason: str) -> None:
        super().__init__(401, "UnauthorizedException", "You are not authorized to make this call.")
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class AuthorizerResult:
    """A validated authorizer answer; `denied_fields` are `Type.field` names."""

    is_authorized: bool
    resolver_context: dict[str, Any]
    denied_fields: frozenset[str]
    ttl_override: int | None

    def identity(self) -> Identity:
        """The caller as the resolvers see it: `$ctx.identity.resolverContext`."""
        return Identity(mode="AWS_LAMBDA", resolver_fields={"resolverContext": self.resolver_context},
                        denied_fields=self.denied_fields)


def authorizer_event(token: str, *, api_id: str, account_id: str, request_id: str, query_string: str,
                     operation_name: str | None, variables: dict[str, Any] | None,
                     headers: dict[str, str]) -> dict[str, Any]:
    return {
        "authorizationToken": token,
        "requestContext": {
            "apiId": api_id,
            "accountId": account_id,
            "requestId": request_id,
            "queryString": query_string,
            "operationName": operation_name,
            "variables": variables or {},
        },
        "requestHeaders": headers,
    }


def parse_response(function_name: str, answer: Any) -> AuthorizerResult:
    """Validate an authorizer's answer; AuthorizerError names the function and the malformed field."""
    def bad(what: str) -> AuthorizerError:
        return AuthorizerError(f"Lambda authorizer {function_name} returned an invalid response: {what}")

    if not isinstance(answer, dict):
        raise bad(f"expected a JSON object with isAuthorized, got {type(answer).__name__} {answer!r:.200}")
    if not isinstance(answer.get("isAuthorized"), bool):
        raise bad(f"isAuthorized must be true or false, got {answer.get('isAuthorized')!r:.100}")
    context = answer.get("resolverContext")
    if context is None:
        context = {}
    if not isinstance(context, dict):
        raise bad(f"resolverContext must be a JSON object, got {type(context).__name__}")
    denied: set[str] = set()
    raw_denied = answer.get("deniedFields")
    if raw_denied is not None and not isinstance(raw_denied, list):
        raise bad("deniedFields must be a list of `Type.field` names or field ARNs")
    for entry in raw_denied or []:
        match = (_FIELD_ARN.match(entry) or _FIELD_NAME.match(entry)) if isinstance(entry, str) else None
        if match is None:
            raise bad(f"deniedFields entry {entry!r} is neither `Type.field` nor a field ARN")
        denied.add(f"{match.group(1)}.{match.group(2)}")
    ttl = answer.get("ttlOverride")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL_SECONDS):
        raise bad(f"ttlOverride must be an integer number of seconds from 0 to {MAX_TTL_SECONDS}, got {ttl!r}")
    return AuthorizerResult(answer["isAuthorized"], context, frozenset(denied), ttl)


async def authorize_request(
    runner: FunctionRunner,
    function_name: str,
    *,
    token: str,
    query_string: str,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    api_id: str = "amplifylocalapi",
    account_id: str = cfn.PSEUDO_PARAMETERS["AWS::AccountId"],
    request_id: str | None = None,
    identity_validation_expression: str | None = None,
    cache: AuthorizerCache | None = None,
    results_ttl: int = DEFAULT_RESULTS_TTL,
) -> AuthorizerResult:
    """Run the authorizer for one request. A refusal by the function is `is_authorized=False`; a failure
    of the function or a malformed answer raises AuthorizerError. With a `cache`, an answer is reused
    for the same token during its TTL (`results_ttl` unless the answer sets `ttlOverride`)."""
    if identity_validation_expression:
        try:
            valid = re.fullmatch(identity_validation_expression, token) is not None
        except re.error as error:  # the API's configuration is wrong: refuse, and say so in the log
            raise AuthorizerError(f"identityValidationExpression {identity_validation_expression!r} of authorizer "
                                  f"{function_name} is not a valid regular expression: {error}") from None
        if not valid:
            return AuthorizerResult(False, {}, frozenset(), None)
    if cache is not None and (cached := cache.get(function_name, token)) is not None:
        return cached
    event = authorizer_event(token, api_id=api_id, account_id=account_id, request_id=request_id or str(uuid.uuid4()),
                             query_string=query_string, operation_name=operation_name, variables=variables,
                             headers=dict(headers or {}))
    try:
        answer = await runner.invoke(function_name, event)
    except LambdaError as error:
        raise AuthorizerError(f"Lambda authorizer {function_name} failed: {error.error_type}: "
                              f"{error.error_message}") from error
    result = parse_response(function_name, answer)
    if cache is not None:
        cache.put(function_name, token, result, results_ttl)
    return result
