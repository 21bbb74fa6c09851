"""The contracts of the AppSync simulator: what a template sees, what it returns, what a data source takes.

Everything in `mock/appsync` is typed against these. Values inside contexts and results are plain
Python JSON values (dict, list, str, int, float/Decimal, bool, None); the VTL engine wraps them in its
Java value model on the way in and unwraps them on the way out.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from amplify_local.mock.appsync.errors import AppSyncError

if TYPE_CHECKING:
    from amplify_local.mock.appsync.auth import RequestParts

AuthMode = Literal["API_KEY", "AMAZON_COGNITO_USER_POOLS", "OPENID_CONNECT", "AWS_IAM", "AWS_LAMBDA"]


@dataclass
class Identity:
    """The caller, as classified by auth. `resolver_fields` is what `$ctx.identity` renders to:
    None for API_KEY, the Cognito/OIDC/IAM shapes AppSync documents otherwise, and for AWS_LAMBDA
    `{"resolverContext": ...}` from the authorizer."""

    mode: AuthMode
    resolver_fields: dict[str, Any] | None = None
    claims: dict[str, Any] = field(default_factory=dict)  # the verified JWT claims (Cognito/OIDC)
    denied_fields: frozenset[str] = frozenset()  # `Type.field` names a Lambda authorizer denied


@dataclass
class Info:
    """`$ctx.info`."""

    field_name: str
    parent_type_name: str
    variables: dict[str, Any]
    selection_set_list: list[str]
    selection_set_graphql: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "fieldName": self.field_name,
            "parentTypeName": self.parent_type_name,
            "variables": self.variables,
            "selectionSetList": self.selection_set_list,
            "selectionSetGraphQL": self.selection_set_graphql,
        }


@dataclass
class ResolverContext:
    """`$ctx` / `$context` for one template render.

    `stash` and `arguments` are shared (mutable) across the templates of one resolver invocation: a
    `$ctx.stash.put` in the before template is visible to every later function, as in AppSync.
    """

    arguments: dict[str, Any]
    identity: dict[str, Any] | None = None
    source: Any = None
    stash: dict[str, Any] = field(default_factory=dict)
    prev: dict[str, Any] | None = None  # {"result": ...} in pipeline templates
    result: Any = None
    error: dict[str, Any] | None = None  # {"message": ..., "type": ...} after a data source failure
    info: Info | None = None
    request: dict[str, Any] = field(default_factory=lambda: {"headers": {}})
    out_errors: list[dict[str, Any]] = field(default_factory=list)  # `$ctx.outErrors`
    auth_mode: AuthMode | None = None  # for `$util.authType()`


@dataclass
class RenderResult:
    """What one template render produced.

    `text` is the rendered output. `value` is `text` parsed as JSON when the caller asked for it (a
    request template, a response template); with `#return(x)` it is `x` and `returned` is True.
    `errors` are the ones the template appended (`$util.appendError`); an error that stops the template
    (`$util.error`, `$util.unauthorized`, a failing helper) is raised as an `AppSyncError` instead.
    """

    text: str
    value: Any = None
    returned: bool = False
    errors: list[AppSyncError] = field(default_factory=list)
    stash: dict[str, Any] = field(default_factory=dict)
    # `$extensions.*`, keyed by method: "setSubscriptionFilter" and "setSubscriptionInvalidationFilter" hold
    # the filter object given ({"filterGroup": [...]}); "invalidateSubscriptions" a list of
    # {"subscriptionField", "payload"}.
    extensions: dict[str, Any] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)
    response_headers: dict[str, str] = field(default_factory=dict)  # `$util.http.addResponseHeader`


@dataclass
class DataSourceCall:
    """What a data source needs beside the request document: who called, for which field."""

    type_name: str
    field_name: str
    context: ResolverContext


class DataSource(Protocol):
    """A data source: turns a rendered request document into a result, or raises `DataSourceError`."""

    name: str
    type: str

    async def invoke(self, request: Any, call: DataSourceCall) -> Any: ...


@dataclass
class Subscription:
    """A subscription the runtime accepted at `start`: what publishing needs to match and render events.

    `extensions` are the subscription resolver's `$extensions` (see `RenderResult`): its enhanced filter
    and invalidation filter. `plan` is the runtime's own handle (the parsed document, the operation) that
    `render_event` uses to run this subscriber's selection set; nothing else looks inside it.
    """

    field_name: str
    arguments: dict[str, Any]
    identity: Identity
    extensions: dict[str, Any] = field(default_factory=dict)
    plan: Any = None


class SubscriptionRuntime(Protocol):
    """What the realtime protocol (`realtime.py`) needs from the server: the seam between the two.

    `subscriptions` is the registry (`subscriptions.Subscriptions`) the executor publishes mutation
    results to; the protocol adds and removes subscribers there.
    """

    subscriptions: Any

    def authorize(
        self, headers: dict[str, str], request: RequestParts | None = None
    ) -> Identity | Awaitable[Identity]:
        """Classify a header carrier as HTTP requests are classified; raise `RequestError`. An awaitable
        when only the API's Lambda authorizer can tell (the caller awaits it). `request`: what a SigV4
        carrier signed (method, path, body), so its signature is verified as on HTTP."""
        ...

    async def subscribe(
        self,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
        identity: Identity,
        headers: dict[str, str],
    ) -> Subscription:
        """Parse, validate, authorise and run the subscription field's resolver; raise `AppSyncError`."""
        ...

    async def render_event(self, subscription: Subscription, payload: dict[str, Any]) -> dict[str, Any]:
        """This subscriber's selection set over a mutation payload: `{"data": ...}` (with `errors`)."""
        ...
