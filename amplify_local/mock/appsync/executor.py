"""GraphQL execution with AppSync's rules on top of graphql-core.

Per API: the schema with a resolver function attached to every field that has an AppSync resolver or a
field-level auth rule narrower than the API's modes; every other field is a plain read of the parent.
Per query text: the parsed and validated document, cached (LRU). Per request: a `RequestState` (who,
headers, the errors collected beside field values). Errors come out in AppSync's shape: `message`,
`errorType`, `data`, `errorInfo`, `path`, `locations` at the root of each entry.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
    parse,
    print_ast,
    validate,
)

from amplify_local.mock.appsync.auth import check_field
from amplify_local.mock.appsync.errors import AppSyncError
from amplify_local.mock.appsync.plan import Plan, Planner, build_plan, read_field, run_plan
from amplify_local.mock.appsync.resolvers import CompiledResolver, FieldFailure, Run
from amplify_local.mock.appsync.schema import FieldAuth
from amplify_local.mock.appsync.types import Identity, Info, ResolverContext

DOCUMENT_CACHE_SIZE = 512


@dataclass
class Prepared:
    """A query text parsed and validated once; `errors` are its syntax or validation errors."""

    document: DocumentNode | None
    syntax_error: GraphQLError | None = None
    errors: list[GraphQLError] = field(default_factory=list)
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    plans: dict[str | None, Plan | None] = field(default_factory=dict)  # per operation name, built on first use

    def plan(self, planner: Planner, name: str | None) -> Plan | None:
        """The execution plan of the named operation (None: run it on graphql-core)."""
        if name not in self.plans:
            operation = self.operation(name)
            self.plans[name] = build_plan(planner, operation, self.fragments) if operation is not None else None
        return self.plans[name]

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation a request names, or its only one (None when ambiguous or unknown)."""
        if name is None and len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return self.operations.get(name)


class DocumentCache:
    """Query text -> `Prepared`, least recently used evicted first."""

    def __init__(self, schema: GraphQLSchema, size: int = DOCUMENT_CACHE_SIZE) -> None:
        self.schema = schema
        self.size = size
        self.entries: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, query: str) -> Prepared:
        prepared = self.entries.get(query)
        if prepared is not None:
            self.entries.move_to_end(query)
            return prepared
        try:
            document = parse(query)
        except GraphQLError as error:
            prepared = Prepared(None, error)
        else:
            prepared = Prepared(document, None, validate(self.schema, document))
            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    name = definition.name.value if definition.name else None
                    prepared.operations[name] = definition
                elif isinstance(definition, FragmentDefinitionNode):
                    prepared.fragments[definition.name.value] = definition
        self.entries[query] = prepared
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return prepared


@dataclass
class RequestState:
    """One request's caller and what its fields produced besides values (graphql-core's context value)."""

    identity: Identity
    headers: dict[str, str]
    variables: dict[str, Any]
    extra_errors: list[dict[str, Any]] = field(default_factory=list)
    event: bool = False  # rendering a subscription event: subscription fields read the payload


class LazyInfo(Info):
    """`$ctx.info`, computing the selection set lists only when a template reads them."""

    def __init__(self, info: GraphQLResolveInfo, variables: dict[str, Any]) -> None:
        self.field_name = info.field_name
        self.parent_type_name = info.parent_type.name
        self.variables = variables
        self._info = info

    @property  # type: ignore[override]
    def selection_set_list(self) -> list[str]:
        return _selection_list(self._info.field_nodes[0].selection_set, self._info.fragments, "")

    @property  # type: ignore[override]
    def selection_set_graphql(self) -> str:
        selection = self._info.field_nodes[0].selection_set
        return print_ast(selection) if selection else ""


def _selection_list(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode], prefix: str
) -> list[str]:
    names: list[str] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            name = (selection.alias or selection.name).value
            if name == "__typename":
                continue
            names.append(prefix + name)
            names.extend(_selection_list(selection.selection_set, fragments, f"{prefix}{name}/"))
        elif isinstance(selection, InlineFragmentNode):
            names.extend(_selection_list(selection.selection_set, fragments, prefix))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            names.extend(_selection_list(fragments[selection.name.value].selection_set, fragments, prefix))
    return names


def error_entry(error: GraphQLError) -> dict[str, Any]:
    """One `errors[]` entry in AppSync's shape."""
    locations = [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations or ()]
    original = error.original_error
    if isinstance(original, AppSyncError):
        return {"path": error.path, "locations": locations or None, **original.to_dict()}
    entry: dict[str, Any] = {"message": error.message, "locations": locations or None, "path": error.path}
    return entry


def _appsync_entry(error: AppSyncError, info: GraphQLResolveInfo) -> dict[str, Any]:
    locations = [
        {"line": loc.line, "column": loc.column, "sourceName": None}
        for node in info.field_nodes
        if node.loc is not None
        for loc in [node.loc.source.get_location(node.loc.start)]
    ]
    return {"path": info.path.as_list(), "locations": locations, **error.to_dict()}


Publish = Callable[[str, Any, dict[str, Any]], None]


def attach_resolvers(
    schema: GraphQLSchema,
    resolvers: Mapping[tuple[str, str], CompiledResolver],
    auth: Mapping[tuple[str, str], FieldAuth],
    api_modes: frozenset[str],
    publish: Publish,
) -> Planner:
    """Give each field that needs one its resolve function (a template resolver, an auth check, or both);
    returns the planner, which knows the fields that only need the check."""
    checks: dict[tuple[str, str], FieldAuth] = {}
    mutation_type = schema.mutation_type.name if schema.mutation_type else None
    subscription_type = schema.subscription_type.name if schema.subscription_type else None
    for (type_name, field_name), field_auth in auth.items():
        compiled = resolvers.get((type_name, field_name))
        # a Lambda authorizer may deny any field it can reach by name (`deniedFields`), so those are checked too
        needs_check = (field_auth.groups is not None or not api_modes <= field_auth.modes
                       or "AWS_LAMBDA" in field_auth.modes)
        graphql_field = schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
        if compiled is None:
            graphql_field.resolve = _checked_read(field_auth, type_name, field_name) if needs_check else None
            if needs_check:
                checks[(type_name, field_name)] = field_auth
            continue
        graphql_field.resolve = _template_resolver(
            compiled,
            field_auth if needs_check else None,
            type_name == mutation_type,
            type_name == subscription_type,
            publish,
        )
    return Planner(schema, checks, check_field)


def _checked_read(auth: FieldAuth, type_name: str, field_name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: GraphQLResolveInfo, **_args: Any) -> Any:
        check_field(auth, info.context.identity, type_name, field_name)
        return read_field(source, info.field_name)

    return resolve


def _template_resolver(
    compiled: CompiledResolver, auth: FieldAuth | None, is_mutation: bool, is_subscription: bool, publish: Publish
) -> Callable[..., Any]:
    type_name, field_name = compiled.type_name, compiled.field_name

    async def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        state: RequestState = info.context
        if state.event and is_subscription:
            return read_field(source, info.field_name)
        identity = state.identity
        if auth is not None:
            check_field(auth, identity, type_name, field_name)
        ctx = ResolverContext(
            arguments=arguments,
            identity=identity.resolver_fields,
            source=source,
            info=LazyInfo(info, state.variables),
            request={"headers": state.headers},
            auth_mode=identity.mode,
        )
        run = Run()
        try:
            value = await compiled.resolve(ctx, run)
        except FieldFailure as failure:
            *earlier, last = failure.errors
            state.extra_errors.extend(_appsync_entry(error, info) for error in earlier)
            raise last from None
        if run.errors:
            state.extra_errors.extend(_appsync_entry(error, info) for error in run.errors)
        if is_mutation and run.extensions:
            publish(field_name, None, run.extensions)  # invalidations act now; results publish when complete
        return value

    return resolve


async def run_operation(
    planner: Planner, prepared: Prepared, state: RequestState, operation_name: str | None, root: Any = None
) -> dict[str, Any]:
    """Execute a prepared, valid document into the response body: on its plan when it has one, else on
    graphql-core's executor (introspection, `@skip`/`@include`, abstract types, subscription events)."""
    schema = planner.schema
    plan = prepared.plan(planner, operation_name) if root is None else None
    if plan is not None:
        data, errors = await run_plan(plan, state, state.variables, schema, prepared.fragments)
    else:
        assert prepared.document is not None
        result = execute(schema, prepared.document, root_value=root, context_value=state,
                         variable_values=state.variables, operation_name=operation_name)
        if not isinstance(result, ExecutionResult):
            result = await result
        data, errors = result.data, result.errors or []
    body: dict[str, Any] = {"data": data}
    if errors or state.extra_errors:
        body["errors"] = [*state.extra_errors, *(error_entry(error) for error in errors)]
    return body
