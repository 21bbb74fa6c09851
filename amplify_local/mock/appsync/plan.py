"""A compiled execution plan per cached document: the per-document work of GraphQL execution done once.

graphql-core decides, for every field of every object of every response, how to resolve and complete
it. For a given validated operation those decisions never change, so we make them once: each selection
set becomes a list of `FieldPlan`s (response key, resolver or plain read, auth check, a completer built
from the field's type), and a request only walks the data. Subtrees without resolvers complete
synchronously; only fields with a resolver await.

Semantics are graphql-core's (null propagation to the nearest nullable parent, `Cannot return null for
non-nullable field`, leaf serialisation, errors with path and locations). Documents using what the plan
does not cover (introspection, `@skip`/`@include`, abstract types) return `None` from `build_plan` and
run on graphql-core's executor instead, with the same resolvers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values, get_variable_values

Completer = Callable[[Any, "Path", "Execution"], Any]
_UNDECIDED: Any = object()
# graphql-core's serialisers return these values unchanged: skip the call
_PASS_THROUGH = {
    "String": frozenset({str}), "ID": frozenset({str}), "Int": frozenset({int}), "Float": frozenset({float}),
    "Boolean": frozenset({bool}),
    **{name: frozenset({str}) for name in ("AWSDate", "AWSTime", "AWSDateTime", "AWSEmail", "AWSURL", "AWSPhone",
                                           "AWSIPAddress", "AWSJSON")},
    "AWSTimestamp": frozenset({int}),
}


class Unplannable(Exception):
    """The document uses something the plan does not cover; graphql-core executes it."""


class _Null(Exception):
    """A null reached a non-null position; the nearest nullable parent becomes null."""


class Path:
    """A response path, built as a linked list and turned into a list only for an error."""

    __slots__ = ("key", "prev")

    def __init__(self, prev: Path | None, key: str | int) -> None:
        self.prev = prev
        self.key = key

    def as_list(self) -> list[str | int]:
        keys: list[str | int] = []
        node: Path | None = self
        while node is not None:
            keys.append(node.key)
            node = node.prev
        keys.reverse()
        return keys


@dataclass
class FieldPlan:
    key: str
    name: str
    nodes: list[FieldNode]
    parent: GraphQLObjectType
    definition: Any  # GraphQLField
    resolve: Any  # the field's resolve function (graphql-core convention) or None for a plain read
    complete: Completer | None  # None for `__typename`
    non_null: bool
    is_async: bool
    static_arguments: dict[str, Any] | None  # arguments without variables, coerced once
    auth: Any = None  # FieldAuth of a plain field whose auth is narrower than the API's modes
    fast: frozenset[type] = frozenset()  # value types a leaf passes through unchanged (str for String, ...)
    typename: str | None = None  # `__typename`


@dataclass
class Plan:
    operation: OperationDefinitionNode
    root: GraphQLObjectType
    fields: list[FieldPlan]
    serial: bool  # mutations run their root fields one after another
    checker: Callable[..., None]  # auth.check_field


@dataclass
class Execution:
    """Per-request state of a planned execution."""

    plan: Plan
    context: Any  # the executor's RequestState (resolvers read identity, headers, errors there)
    variables: Any  # graphql-core's coerced VariableValues
    fragments: Mapping[str, FragmentDefinitionNode]
    checker: Callable[..., None]
    errors: list[GraphQLError] = field(default_factory=list)
    denied: dict[int, Exception | None] = field(default_factory=dict)  # auth outcome per plain field plan
    allowed_sets: dict[int, bool] = field(default_factory=dict)  # `allowed` per tuple of plans

    def allowed(self, plans: tuple[FieldPlan, ...]) -> bool:
        """Whether the caller may read every one of these plain fields (decided once per request)."""
        key = id(plans)
        outcome = self.allowed_sets.get(key)
        if outcome is None:
            outcome = True
            for plan in plans:
                try:
                    self.check(plan)
                except Exception:
                    outcome = False
                    break
            self.allowed_sets[key] = outcome
        return outcome

    def check(self, plan: FieldPlan) -> None:
        """Field auth of a plain field: decided once per request, raised at every occurrence."""
        key = id(plan)
        error = self.denied.get(key, _UNDECIDED)
        if error is None:
            return
        if error is _UNDECIDED:
            try:
                self.checker(plan.auth, self.context.identity, plan.parent.name, plan.name)
                error = None
            except Exception as denial:
                error = denial
            self.denied[key] = error
            if error is None:
                return
        raise error


class PlanInfo:
    """What our resolvers read from graphql-core's `GraphQLResolveInfo`, for planned execution."""

    __slots__ = ("context", "field_name", "field_nodes", "fragments", "parent_type", "path")

    def __init__(self, plan: FieldPlan, path: Path, execution: Execution) -> None:
        self.field_name = plan.name
        self.field_nodes = plan.nodes
        self.parent_type = plan.parent
        self.path = path
        self.fragments = execution.fragments
        self.context = execution.context


@dataclass(frozen=True)
class Planner:
    """What plans are built from: the schema, the fields that only need an auth check (their resolve
    function is the fallback executor's), and the check itself."""

    schema: GraphQLSchema
    checks: Mapping[tuple[str, str], Any]
    checker: Callable[..., None]


def build_plan(
    planner: Planner, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Plan | None:
    """The plan of `operation`, or None when graphql-core must run it."""
    schema = planner.schema
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
    }.get(operation.operation)
    if root is None:
        return None
    try:
        fields = _plan_selection(planner, root, [operation.selection_set], fragments)
    except Unplannable:
        return None
    return Plan(operation, root, fields, operation.operation == OperationType.MUTATION, planner.checker)


def _collect(
    parent: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    into: dict[str, list[FieldNode]],
) -> None:
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unplannable("directives on selections")
            if isinstance(selection, FieldNode):
                into.setdefault((selection.alias or selection.name).value, []).append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None:
                    raise Unplannable("unknown fragment")
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                raise Unplannable("unknown selection")
            if condition is not None and condition.name.value != parent.name:
                raise Unplannable("fragment on another type")
            _collect(parent, [inner], fragments, into)


def _plan_selection(
    planner: Planner,
    parent: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> list[FieldPlan]:
    grouped: dict[str, list[FieldNode]] = {}
    _collect(parent, selection_sets, fragments, grouped)
    plans = []
    for key, nodes in grouped.items():
        name = nodes[0].name.value
        if name == "__typename":
            plans.append(FieldPlan(key, name, nodes, parent, None, None, None, True, False, {},
                                   typename=parent.name))
            continue
        if name.startswith("__"):
            raise Unplannable("introspection")
        definition = parent.fields[name]
        children = [node.selection_set for node in nodes if node.selection_set is not None]
        complete, complete_async = _completer(planner, definition.type, children, fragments)
        static = None
        if not any(_has_variables(argument.value) for argument in nodes[0].arguments or ()):
            static = get_argument_values(definition, nodes[0], None)
        auth = planner.checks.get((parent.name, name))
        resolve = None if auth is not None else definition.resolve
        named = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        fast = _PASS_THROUGH.get(named.name, frozenset()) if isinstance(named, GraphQLScalarType) else frozenset()
        plans.append(FieldPlan(
            key, name, nodes, parent, definition, resolve, complete, isinstance(definition.type, GraphQLNonNull),
            complete_async or (resolve is not None and asyncio.iscoroutinefunction(resolve)), static, auth, fast,
        ))
    return plans


def _has_variables(node: Any) -> bool:
    kind = node.kind
    if kind == "variable":
        return True
    if kind == "list_value":
        return any(_has_variables(value) for value in node.values)
    if kind == "object_value":
        return any(_has_variables(field.value) for field in node.fields)
    return False


def _completer(
    planner: Planner,
    graphql_type: Any,
    children: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[Completer, bool]:
    """A completer for values of `graphql_type`, and whether it may await (a resolver below it)."""
    if isinstance(graphql_type, GraphQLNonNull):
        inner, is_async = _completer(planner, graphql_type.of_type, children, fragments)
        return inner, is_async  # null checks happen where the value is placed (field or list item)
    if isinstance(graphql_type, GraphQLList):
        item_non_null = isinstance(graphql_type.of_type, GraphQLNonNull)
        item, is_async = _completer(planner, graphql_type.of_type, children, fragments)
        return (_async_list if is_async else _sync_list)(item, item_non_null), is_async
    if isinstance(graphql_type, GraphQLScalarType | GraphQLEnumType):
        return _leaf(graphql_type), False
    if isinstance(graphql_type, GraphQLObjectType):
        fields = _plan_selection(planner, graphql_type, children, fragments)
        is_async = any(plan.is_async for plan in fields)
        return (_async_object if is_async else _sync_object)(fields), is_async
    raise Unplannable("abstract type")


def _leaf(graphql_type: GraphQLScalarType | GraphQLEnumType) -> Completer:
    serialize = getattr(graphql_type, "coerce_output_value", None) or graphql_type.serialize

    def complete(value: Any, path: Path, execution: Execution) -> Any:
        try:
            return serialize(value)
        except Exception as error:
            raise GraphQLError(str(error), original_error=error) from None

    return complete


def _null_field(plan: FieldPlan, path: Path, execution: Execution) -> None:
    execution.errors.append(GraphQLError(
        f"Cannot return null for non-nullable field {plan.parent.name}.{plan.name}.", plan.nodes, path=path.as_list()
    ))
    raise _Null


def _field_error(plan: FieldPlan, path: Path, execution: Execution, error: Exception) -> None:
    if isinstance(error, GraphQLError) and error.path is not None:
        execution.errors.append(error)
    else:
        execution.errors.append(GraphQLError(
            getattr(error, "message", None) or str(error), plan.nodes, path=path.as_list(),
            original_error=getattr(error, "original_error", None) or error,
        ))
    if plan.non_null:
        raise _Null


def _arguments(plan: FieldPlan, execution: Execution) -> dict[str, Any]:
    if plan.static_arguments is not None:
        return plan.static_arguments
    return get_argument_values(plan.definition, plan.nodes[0], execution.variables)


def _sync_list(item: Completer, item_non_null: bool) -> Completer:
    def complete(value: Any, path: Path, execution: Execution) -> Any:
        if not isinstance(value, list | tuple):
            raise GraphQLError(f"Expected Iterable, but did not find one for field {path.key}.")
        out = []
        for index, element in enumerate(value):
            if element is None:
                if item_non_null:
                    raise _Null
                out.append(None)
                continue
            try:
                out.append(item(element, Path(path, index), execution))
            except _Null:
                if item_non_null:
                    raise
                out.append(None)
        return out

    return complete


def _async_list(item: Completer, item_non_null: bool) -> Completer:
    async def complete(value: Any, path: Path, execution: Execution) -> Any:
        if not isinstance(value, list | tuple):
            raise GraphQLError(f"Expected Iterable, but did not find one for field {path.key}.")

        async def one(index: int, element: Any) -> Any:
            if element is None:
                if item_non_null:
                    raise _Null
                return None
            try:
                return await item(element, Path(path, index), execution)
            except _Null:
                if item_non_null:
                    raise
                return None

        return list(await asyncio.gather(*(one(i, e) for i, e in enumerate(value))))

    return complete


def read_field(source: Any, name: str) -> Any:
    """A plain field: the parent's key (AppSync's default resolver), or its attribute."""
    return source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)


def _sync_object(fields: list[FieldPlan]) -> Completer:
    plans = tuple(fields)
    # The common case (a stored item under a type of plain fields, every value already of its output
    # type, the caller allowed): one dict read per field. Anything else takes the general path, from the
    # start, which is why the quick one has no side effects.
    quick = all(plan.resolve is None and plan.typename is None for plan in plans)
    guarded = tuple(plan for plan in plans if plan.auth is not None)
    reads = tuple((plan.key, plan.name, plan.fast, not plan.non_null) for plan in plans)

    def complete(source: Any, path: Path, execution: Execution) -> Any:
        if quick and type(source) is dict and (not guarded or execution.allowed(guarded)):
            out: dict[str, Any] = {}
            for key, name, fast, nullable in reads:
                value = source.get(name)
                if value is None:
                    if not nullable:
                        break
                    out[key] = None
                elif type(value) in fast:
                    out[key] = value
                else:
                    break
            else:
                return out
        return general(source, path, execution)

    def general(source: Any, path: Path, execution: Execution) -> Any:
        out: dict[str, Any] = {}
        is_dict = type(source) is dict
        for plan in plans:
            key = plan.key
            try:
                if plan.resolve is not None:
                    value = plan.resolve(source, PlanInfo(plan, Path(path, key), execution),
                                         **_arguments(plan, execution))
                elif plan.typename is not None:
                    out[key] = plan.typename
                    continue
                else:
                    if plan.auth is not None:
                        execution.check(plan)
                    value = source.get(plan.name) if is_dict else read_field(source, plan.name)
                if value is None:
                    if plan.non_null:
                        _null_field(plan, Path(path, key), execution)
                    out[key] = None
                elif type(value) in plan.fast:
                    out[key] = value
                else:
                    out[key] = plan.complete(value, Path(path, key), execution)
            except _Null:
                if plan.non_null:
                    raise
                out[key] = None
            except Exception as error:
                _field_error(plan, Path(path, key), execution, error)
                out[key] = None
        return out

    return complete


async def _resolve_field(plan: FieldPlan, source: Any, path: Path, execution: Execution) -> Any:
    try:
        if plan.resolve is not None:
            value = plan.resolve(source, PlanInfo(plan, path, execution), **_arguments(plan, execution))
            if asyncio.iscoroutine(value):
                value = await value
        elif plan.typename is not None:
            return plan.typename
        else:
            if plan.auth is not None:
                execution.check(plan)
            value = read_field(source, plan.name)
        if value is None:
            if plan.non_null:
                _null_field(plan, path, execution)
            return None
        completed = plan.complete(value, path, execution)
        if asyncio.iscoroutine(completed):
            completed = await completed
        return completed
    except _Null:
        if plan.non_null:
            raise
        return None
    except Exception as error:
        _field_error(plan, path, execution, error)
        return None


def _async_object(fields: list[FieldPlan]) -> Completer:
    async def complete(source: Any, path: Path, execution: Execution) -> Any:
        values = await asyncio.gather(*(_resolve_field(plan, source, Path(path, plan.key), execution)
                                        for plan in fields))
        return {plan.key: value for plan, value in zip(fields, values, strict=True)}

    return complete


async def run_plan(
    plan: Plan, context: Any, raw_variables: dict[str, Any], schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
    """Execute a planned operation: (data, errors) as graphql-core's `ExecutionResult` would hold them."""
    coerced = get_variable_values(schema, plan.operation.variable_definitions or (), raw_variables)
    if isinstance(coerced, list):
        return None, coerced
    execution = Execution(plan, context, coerced, fragments, plan.checker)
    data: dict[str, Any] | None = {}
    try:
        if plan.serial or len(plan.fields) == 1:
            for field_plan in plan.fields:
                data[field_plan.key] = await _resolve_field(field_plan, None, Path(None, field_plan.key), execution)
        else:
            values = await asyncio.gather(*(
                _resolve_field(field_plan, None, Path(None, field_plan.key), execution) for field_plan in plan.fields
            ))
            data = {field_plan.key: value for field_plan, value in zip(plan.fields, values, strict=True)}
    except _Null:
        data = None
    return data, execution.errors
