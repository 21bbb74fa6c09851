"""One loaded API, ready to serve: schema, compiled resolvers, data sources, auth, and the subscription
runtime the realtime protocol calls (`types.SubscriptionRuntime`).

Loading compiles every template and builds the schema up front, so a broken API fails at load (and a
hot reload keeps the previous `Simulator`); serving does only per-request work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType
from graphql.execution.values import get_argument_values, get_variable_values

from amplify_local.mock.appsync.auth import Authorizer, RequestParts, check_field
from amplify_local.mock.appsync.errors import AppSyncError, RequestError
from amplify_local.mock.appsync.executor import (
    DocumentCache,
    RequestState,
    attach_resolvers,
    error_entry,
    run_operation,
)
from amplify_local.mock.appsync.resolvers import CompiledResolver, FieldFailure, Run, compile_resolver
from amplify_local.mock.appsync.schema import build_schema
from amplify_local.mock.appsync.subscriptions import Subscriptions
from amplify_local.mock.appsync.types import DataSource, Identity, Info, ResolverContext, Subscription
from amplify_local.transformer.types import ApiDefinition

log = logging.getLogger("amplify_local.appsync")

SUBSCRIPTION_OVER_HTTP = (
    "Subscription request is only supported in realtime url. Send requests to /graphql/realtime path instead"
)


class InvalidDocument(AppSyncError):
    """A subscription document that does not parse or validate: graphql's own error shape (message and
    locations, no errorType), as the HTTP endpoint answers it."""

    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.entry = error_entry(error)

    def to_dict(self) -> dict[str, Any]:
        locations = [{"line": loc["line"], "column": loc["column"]} for loc in self.entry.get("locations") or ()]
        return {"message": self.message, "locations": locations or None}


class Simulator:
    def __init__(
        self,
        api: ApiDefinition,
        data_sources: Mapping[str, DataSource],
        compile_template: Callable[..., Any],
        *,
        subscriptions: Subscriptions | None = None,
        authorizer: Authorizer | None = None,
    ) -> None:
        self.api = api
        self.data_sources = dict(data_sources)
        info = build_schema(api.schema, api.default_auth.type)
        self.schema = info.schema
        self.field_auth = info.auth
        self.resolvers: dict[tuple[str, str], CompiledResolver] = {}
        for key, resolver in api.resolvers.items():
            if key not in self.field_auth:
                log.warning("Resolver %s.%s has no field in the schema; skipped", *key)
                continue
            self.resolvers[key] = compile_resolver(resolver, api.functions, self.data_sources, compile_template)
        self.subscriptions = subscriptions if subscriptions is not None else Subscriptions()
        self.subscriptions.set_schema(info.document)  # the SDL parsed once
        self.authorizer = authorizer or Authorizer(api)
        self.planner = attach_resolvers(
            self.schema, self.resolvers, self.field_auth, frozenset(api.auth_modes), self._publish
        )
        self.documents = DocumentCache(self.schema)

    def _publish(self, mutation_field: str, payload: Any, extensions: dict[str, Any]) -> None:
        """Hand a mutation's result to the subscribers; a failure there never fails the mutation.

        As in AppSync, the payload is the mutation field's response (its selection set, after field
        resolvers ran), not the data source's raw item: subscribers and filters see what the mutation's
        caller saw, e.g. a v2 owner field as `alice`, not the stored `sub::alice`."""
        try:
            if extensions:
                self.subscriptions.apply_extensions(extensions)
            if isinstance(payload, Mapping):  # only object results can feed a subscription field
                self.subscriptions.publish(mutation_field, payload)
        except Exception:
            log.exception("Publishing the result of %s to subscribers failed", mutation_field)

    # --- HTTP ------------------------------------------------------------------------------------------

    async def handle(self, body: Any, headers: dict[str, str], request: RequestParts | None = None) -> tuple[int, dict]:
        """A parsed `POST /graphql` body -> (HTTP status, response body), as AppSync answers it."""
        try:
            identity = await self.authorizer.authorize(headers, request, body if isinstance(body, dict) else None)
        except RequestError as error:
            return error.status, error.to_body()
        if not isinstance(body, dict):
            return 400, RequestError(400, "BadRequestException", "The request body must be a JSON object").to_body()
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            return 400, RequestError(400, "BadRequestException", "Missing query in the request body").to_body()
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return 400, RequestError(400, "BadRequestException", "variables must be a JSON object").to_body()
        operation_name = body.get("operationName") or None
        prepared = self.documents.get(query)
        if prepared.syntax_error is not None:
            return 200, {"errorMessage": prepared.syntax_error.message}
        if prepared.errors:
            return 200, {"data": None, "errors": [error_entry(error) for error in prepared.errors]}
        operation = prepared.operation(operation_name)
        if operation is not None and operation.operation == OperationType.SUBSCRIPTION:
            return 200, self._subscription_over_http(operation, identity)
        state = RequestState(identity, headers, variables)
        body = await run_operation(self.planner, prepared, state, operation_name)
        if operation is not None and operation.operation == OperationType.MUTATION and body.get("data"):
            for selection in operation.selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    self._publish(selection.name.value, body["data"].get(key), {})
        return 200, body

    def _subscription_over_http(self, operation: OperationDefinitionNode, identity: Identity) -> dict[str, Any]:
        """Field auth is checked first (a denied field answers `Unauthorized`), then the operation is
        refused: subscriptions only start on the realtime endpoint."""
        type_name = self.schema.subscription_type.name if self.schema.subscription_type else "Subscription"
        data: dict[str, Any] = {}
        errors = []
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode) or (type_name, selection.name.value) not in self.field_auth:
                continue
            try:
                check_field(self.field_auth[(type_name, selection.name.value)], identity, type_name,
                            selection.name.value)
            except AppSyncError as error:
                key = (selection.alias or selection.name).value
                data[key] = None
                errors.append(error_entry(GraphQLError(error.message, selection, path=[key], original_error=error)))
        return {"data": data, "errors": errors} if errors else {"errorMessage": SUBSCRIPTION_OVER_HTTP}

    # --- SubscriptionRuntime ---------------------------------------------------------------------------

    def authorize(self, headers: dict[str, str], request: RequestParts | None = None) -> Any:
        """The caller of a WebSocket start: an `Identity`, or, when only the API's Lambda authorizer can
        tell, an awaitable of one (the realtime protocol awaits it); the authorizer's `requestContext` is the
        request body's GraphQL request (a start's `payload.data`), as on HTTP."""
        try:
            return self.authorizer.classify(headers, request)
        except RequestError:
            if "AWS_LAMBDA" in self.authorizer.modes and self.authorizer.lambda_authorizer is not None:
                body = json.loads(request.body) if request is not None and request.body else None
                return self.authorizer.authorize(headers, request, body if isinstance(body, dict) else None)
            raise

    async def subscribe(
        self,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
        identity: Identity,
        headers: dict[str, str],
    ) -> Subscription:
        prepared = self.documents.get(query)
        if prepared.syntax_error is not None:
            raise InvalidDocument(prepared.syntax_error)
        if prepared.errors:
            raise InvalidDocument(prepared.errors[0])
        operation = prepared.operation(operation_name)
        if operation is None:
            raise AppSyncError(f"Unknown operation named {operation_name!r}.", "ValidationError")
        if operation.operation != OperationType.SUBSCRIPTION or self.schema.subscription_type is None:
            raise AppSyncError("Only subscription operations can be started on the realtime endpoint",
                               "ValidationError")
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            raise InvalidDocument(coerced[0])
        field_node = operation.selection_set.selections[0]
        field_name = field_node.name.value  # type: ignore[attr-defined]
        type_name = self.schema.subscription_type.name
        definition = self.schema.subscription_type.fields[field_name]
        arguments = get_argument_values(definition, field_node, coerced)  # type: ignore[arg-type]
        check_field(self.field_auth[(type_name, field_name)], identity, type_name, field_name)
        extensions: dict[str, Any] = {}
        compiled = self.resolvers.get((type_name, field_name))
        if compiled is not None:
            ctx = ResolverContext(
                arguments=arguments, identity=identity.resolver_fields, request={"headers": headers},
                auth_mode=identity.mode,
            )
            ctx.info = Info(field_name, type_name, variables or {}, [], "")
            run = Run()
            try:
                await compiled.resolve(ctx, run)
            except FieldFailure as failure:
                raise failure.errors[-1] from None
            if run.errors:
                raise run.errors[0]
            extensions = run.extensions
        return Subscription(field_name, arguments, identity, extensions, (prepared, operation_name, variables or {}, headers))

    async def render_event(self, subscription: Subscription, payload: dict[str, Any]) -> dict[str, Any]:
        prepared, operation_name, variables, headers = subscription.plan
        state = RequestState(subscription.identity, headers, variables, event=True)
        return await run_operation(self.planner, prepared, state, operation_name, {subscription.field_name: payload})


__all__ = ["GraphQLError", "Simulator"]
