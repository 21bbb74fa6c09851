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

Variables are coerced the same way: the plan holds a coercer per variable definition built from its type,
which accepts values already in their coerced form (a `str` for a `String`, a dict of known fields for an
input object, ...) and gives up on anything else; then graphql-core coerces the request's variables, so
every error (and every unusual but valid input) is graphql-core's own. Field arguments that are bare
variables are read from the coerced values directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableDefinitionNode,
    VariableNode,
    is_input_type,
    type_from_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values

Completer = Callable[[Any, "Path", "Execution"], Any]
InputCoercer = Callable[[Any, int], Any]  # (value, depth) -> coerced value; raises _Slow
VariablesCoercer = Callable[[Mapping[str, Any]], dict[str, Any]]
_UNDECIDED: Any = object()
_MISSING: Any = object()
# input nesting the fast coercion follows; deeper values are graphql-core's to coerce (and to refuse)
MAX_FAST_DEPTH = 32
# graphql-core's input coercion returns values of these types unchanged (Int: within 32 bits)
_INPUT_PASS_THROUGH = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLInt: int}
# graphql-core's serialisers return values of this type unchanged: skip the call
_PASS_THROUGH = {
    "String": str, "ID": str, "Int": int, "Float": float, "Boolean": bool, "AWSTimestamp": int,
    **dict.fromkeys(("AWSDate", "AWSTime", "AWSDateTime", "AWSEmail", "AWSURL", "AWSPhone", "AWSIPAddress",
                     "AWSJSON"), str),
}


class Unplannable(Exception):
    """The document uses something the plan does not cover; graphql-core executes it."""


class _Null(Exception):
    """A null reached a non-null position; the nearest nullable parent becomes null."""


class _Slow(Exception):
    """A variable value outside the fast coercion's shapes: graphql-core coerces the request's variables."""


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
    """How one selected field is read, resolved, checked and completed: decided once per document."""

    key: str
    name: str
    nodes: list[FieldNode]
    parent: GraphQLObjectType
    definition: Any  # GraphQLField
    resolve: Any  # the field's resolve function (graphql-core convention) or None for a plain read
    complete: Completer | None  # None for `__typename`
    non_null: bool
    is_async: bool
    static_arguments: dict[str, Any] | None  # arguments without variables, coerced once (copied per use when nested)
    auth: Any = None  # FieldAuth of a plain field whose auth is narrower than the API's modes
    fast: type | None = None  # the value type a leaf passes through unchanged (str for String, ...)
    typename: str | None = None  # `__typename`
    # (argument out name, variable name) when every argument is a bare variable and no other has a default
    variable_arguments: tuple[tuple[str, str], ...] | None = None
    resolve_async: bool = False  # the resolve function is a coroutine function (a template resolver)
    complete_async: bool = False  # the completer is (a resolver below the field)
    static_nested: bool = False  # static arguments hold objects or lists, which templates may change in place


@dataclass
class Plan:
    """The compiled form of one cached operation: its root fields' plans and its variables' coercer."""

    operation: OperationDefinitionNode
    root: GraphQLObjectType
    fields: list[FieldPlan]
    serial: bool  # mutations run their root fields one after another
    checker: Callable[..., None]  # auth.check_field
    variables: VariablesCoercer | None  # None: graphql-core coerces every request's variables


@dataclass
class Execution:
    """Per-request state of a planned execution."""

    plan: Plan
    context: Any  # the executor's RequestState (resolvers read identity, headers, errors there)
    coerced: dict[str, Any]  # the coerced variable values
    fragments: Mapping[str, FragmentDefinitionNode]
    checker: Callable[..., None]
    schema: GraphQLSchema
    raw_variables: Mapping[str, Any]
    errors: list[GraphQLError] = field(default_factory=list)
    denied: dict[int, Exception | None] = field(default_factory=dict)  # auth outcome per plain field plan
    allowed_sets: dict[int, bool] = field(default_factory=dict)  # `allowed` per Guard
    graphql_variables: Any = None  # graphql-core's own coerced variables, made when an argument needs them

    def variable_values(self) -> Any:
        """The variables as graphql-core's `get_argument_values` takes them (a dict in 3.2, `VariableValues`
        in 3.3); they coerce without errors, since the same values already did."""
        if self.graphql_variables is None:
            self.graphql_variables = get_variable_values(
                self.schema, self.plan.operation.variable_definitions or (), dict(self.raw_variables))
        return self.graphql_variables

    def allowed(self, guard: Guard) -> bool:
        """Whether the caller may read every one of the guarded plain fields (decided once per request)."""
        key = id(guard)
        outcome = self.allowed_sets.get(key)
        if outcome is None:
            outcome = True
            # unless a Lambda authorizer denied fields by name, a field's outcome is its FieldAuth's
            for plan in guard.plans if self.context.identity.denied_fields else guard.by_rule:
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
    return Plan(operation, root, fields, operation.operation == OperationType.MUTATION, planner.checker,
                _variables_coercer(schema, operation.variable_definitions or ()))


def _variables_coercer(schema: GraphQLSchema, definitions: Sequence[VariableDefinitionNode]) -> VariablesCoercer | None:
    """The fast coercion of an operation's variables (None when a definition's type is not an input type:
    graphql-core reports that)."""
    memo: dict[str, InputCoercer] = {}
    entries = []
    for definition in definitions:
        graphql_type = type_from_ast(schema, definition.type)
        if graphql_type is None or not is_input_type(graphql_type):
            return None
        # absent: nullable without a default is omitted, anything else is graphql-core's to decide
        omit = not isinstance(graphql_type, GraphQLNonNull) and definition.default_value is None
        entries.append((definition.variable.name.value, _input_coercer(graphql_type, memo), omit))

    def coerce(raw: Mapping[str, Any]) -> dict[str, Any]:
        coerced: dict[str, Any] = {}
        for name, coercer, omit in entries:
            value = raw.get(name, _MISSING)
            if value is _MISSING:
                if not omit:
                    raise _Slow
            else:
                coerced[name] = coercer(value, 0)
        return coerced

    return coerce


def _input_coercer(graphql_type: Any, memo: dict[str, InputCoercer]) -> InputCoercer:
    """A coercer of values of `graphql_type` that returns what graphql-core's `coerce_input_value` would,
    for the shapes it accepts, and raises `_Slow` for any other."""
    if isinstance(graphql_type, GraphQLNonNull):
        inner = _input_coercer(graphql_type.of_type, memo)

        def non_null(value: Any, depth: int) -> Any:
            if value is None:
                raise _Slow
            return inner(value, depth)

        return non_null
    if isinstance(graphql_type, GraphQLList):
        item = _input_coercer(graphql_type.of_type, memo)

        def as_list(value: Any, depth: int) -> Any:
            if value is None:
                return None
            if type(value) is not list or depth > MAX_FAST_DEPTH:
                raise _Slow  # a single value standing for a list of one, a tuple, too deep
            depth += 1
            return [item(element, depth) for element in value]

        return as_list
    if isinstance(graphql_type, GraphQLInputObjectType):
        return _input_object_coercer(graphql_type, memo)
    return _leaf_coercer(graphql_type)


def _input_object_coercer(graphql_type: GraphQLInputObjectType, memo: dict[str, InputCoercer]) -> InputCoercer:
    name = graphql_type.name
    if name in memo:  # a recursive input type (`and: [ModelTodoFilterInput]`)
        return memo[name]
    fields: list[tuple[str, str, InputCoercer, bool]] = []  # (name, out name, coercer, may be absent)
    known = frozenset(graphql_type.fields)
    one_of = getattr(graphql_type, "is_one_of", False)

    def coerce(value: Any, depth: int) -> Any:
        if value is None:
            return None
        if type(value) is not dict or depth > MAX_FAST_DEPTH or one_of or not known.issuperset(value):
            raise _Slow
        depth += 1
        out: dict[str, Any] = {}
        for field_name, out_name, coercer, optional in fields:
            field_value = value.get(field_name, _MISSING)
            if field_value is _MISSING:
                if not optional:
                    raise _Slow  # required, or a default to apply
                continue
            out[out_name] = coercer(field_value, depth)
        return graphql_type.out_type(out)

    memo[name] = coerce
    for field_name, input_field in graphql_type.fields.items():
        optional = not isinstance(input_field.type, GraphQLNonNull) and not _has_default(input_field)
        fields.append((field_name, input_field.out_name or field_name, _input_coercer(input_field.type, memo),
                       optional))
    return coerce


def _has_default(definition: Any) -> bool:
    """Whether an argument or input field has a default: `default_value` in graphql-core 3.2, `default`
    (the literal) in 3.3, where `default_value` is the deprecated programmatic form."""
    return definition.default_value is not Undefined or getattr(definition, "default", None) is not None


def _leaf_coercer(graphql_type: GraphQLScalarType | GraphQLEnumType) -> InputCoercer:
    parse = getattr(graphql_type, "coerce_input_value", None) or graphql_type.parse_value
    same = _INPUT_PASS_THROUGH.get(graphql_type)  # type: ignore[call-overload]
    is_int = graphql_type is GraphQLInt

    def coerce(value: Any, _depth: int) -> Any:
        if value is None:
            return None
        if type(value) is same and (not is_int or -2147483648 <= value <= 2147483647):
            return value
        try:
            result = parse(value)
        except Exception:
            raise _Slow from None
        if result is Undefined:
            raise _Slow
        return result

    return coerce


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
        arguments = nodes[0].arguments or ()
        if not any(_has_variables(argument.value) for argument in arguments):
            static = get_argument_values(definition, nodes[0], None)
        auth = planner.checks.get((parent.name, name))
        resolve = None if auth is not None else definition.resolve
        named = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        fast = _PASS_THROUGH.get(named.name) if isinstance(named, GraphQLScalarType) else None
        resolve_async = resolve is not None and asyncio.iscoroutinefunction(resolve)
        plans.append(FieldPlan(
            key, name, nodes, parent, definition, resolve, complete, isinstance(definition.type, GraphQLNonNull),
            complete_async or resolve_async, static, auth, fast,
            variable_arguments=None if static is not None else _variable_arguments(definition, arguments),
            resolve_async=resolve_async, complete_async=complete_async,
            static_nested=static is not None and any(isinstance(value, dict | list) for value in static.values()),
        ))
    return plans


def _variable_arguments(definition: Any, arguments: Sequence[Any]) -> tuple[tuple[str, str], ...] | None:
    """(out name, variable name) of each argument when all are bare variables and no argument left out has
    a default (what `get_argument_values` would fill in)."""
    given = {argument.name.value: argument.value for argument in arguments}
    pairs = []
    for name, argument in definition.args.items():
        node = given.get(name)
        if node is None:
            if _has_default(argument):
                return None
        elif isinstance(node, VariableNode):
            pairs.append((argument.out_name or name, node.name.value))
        else:
            return None
    return tuple(pairs)


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
        item_type = graphql_type.of_type
        item_non_null = isinstance(item_type, GraphQLNonNull)
        if item_non_null:
            item_type = item_type.of_type
        if isinstance(item_type, GraphQLObjectType):
            fields = _plan_selection(planner, item_type, children, fragments)
            if not any(plan.is_async for plan in fields):
                return _sync_list(_general_object(fields), item_non_null, _quick_read(fields), _guarded(fields)), False
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
        return _fresh(plan.static_arguments) if plan.static_nested else plan.static_arguments
    if plan.variable_arguments is not None:
        coerced = execution.coerced
        arguments = {}
        for out_name, variable in plan.variable_arguments:
            value = coerced.get(variable)
            if value is None:  # absent or null: defaults and non-null checks are graphql-core's
                break
            arguments[out_name] = value
        else:
            return arguments
    return get_argument_values(plan.definition, plan.nodes[0], execution.variable_values())


def _fresh(value: Any) -> Any:
    """A copy of a tree of dicts and lists (leaves shared): a template may change `$ctx.args` in place
    (`$ctx.args.input.put("id", ...)`), which must not reach the next request with the same document."""
    if type(value) is dict:
        return {key: _fresh(item) for key, item in value.items()}
    if type(value) is list:
        return [_fresh(item) for item in value]
    return value


def _sync_list(
    item: Completer, item_non_null: bool, quick: QuickRead | None = None, guarded: Guard | None = None
) -> Completer:
    """A list; for a list of objects, `quick` (with the auth of the `guarded` fields decided once for the
    whole list) completes the stored items whose values need no completion, `item` the others."""

    def complete(value: Any, path: Path, execution: Execution) -> Any:
        if not isinstance(value, list | tuple):
            raise GraphQLError(f"Expected Iterable, but did not find one for field {path.key}.")
        read = quick if quick is not None and (guarded is None or execution.allowed(guarded)) else None
        out = []
        for index, element in enumerate(value):
            if element is None:
                if item_non_null:
                    raise _Null
                out.append(None)
                continue
            if read is not None and type(element) is dict:
                completed = read(element)
                if completed is not None:
                    out.append(completed)
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


QuickRead = Callable[[dict[str, Any]], "dict[str, Any] | None"]


class Guard:
    """The plain fields of a selection whose auth is narrower than the API's modes (`Execution.allowed`),
    and one of them per auth rule (FieldAuth)."""

    __slots__ = ("by_rule", "plans")

    def __init__(self, plans: tuple[FieldPlan, ...]) -> None:
        self.plans = plans
        self.by_rule = tuple({plan.auth: plan for plan in plans}.values())


def _guarded(fields: list[FieldPlan]) -> Guard | None:
    plans = tuple(plan for plan in fields if plan.auth is not None)
    return Guard(plans) if plans else None


def _quick_read(fields: list[FieldPlan]) -> QuickRead | None:
    """For a selection of plain fields of types that pass values through (String, Int, AWSDateTime, ...):
    a function that completes a stored item in one pass of dict reads, or returns None when a value needs
    more (null in a non-null field, a value to serialise): then the general path completes the item from
    the start, which is why this one has no side effects. Generated source, one statement per field: a
    Todo item completes in about half the time of a loop over the fields."""
    if not fields or not all(plan.resolve is None and plan.typename is None and plan.fast for plan in fields):
        return None
    namespace: dict[str, Any] = {}
    lines = ["def read(source):", "    get = source.get"]
    for index, plan in enumerate(fields):
        namespace[f"T{index}"] = plan.fast
        accept_null = "" if plan.non_null else f" and v{index} is not None"
        lines += [f"    v{index} = get({plan.name!r})",
                  f"    if v{index}.__class__ is not T{index}{accept_null}:", "        return None"]
    lines.append("    return {" + ", ".join(f"{plan.key!r}: v{index}" for index, plan in enumerate(fields)) + "}")
    exec(compile("\n".join(lines), "<plan>", "exec"), namespace)  # names are GraphQL names: [_A-Za-z0-9]
    return namespace["read"]


def _sync_object(fields: list[FieldPlan]) -> Completer:
    quick = _quick_read(fields)
    guarded = _guarded(fields)
    general = _general_object(fields)

    def complete(source: Any, path: Path, execution: Execution) -> Any:
        if quick is not None and type(source) is dict and (guarded is None or execution.allowed(guarded)):
            out = quick(source)
            if out is not None:
                return out
        return general(source, path, execution)

    return complete


def _general_object(fields: list[FieldPlan]) -> Completer:
    """An object of any fields, one at a time, with graphql-core's semantics."""
    plans = tuple(fields)

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
                elif type(value) is plan.fast:
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

    return general


async def _resolve_field(plan: FieldPlan, source: Any, path: Path, execution: Execution) -> Any:
    try:
        if plan.resolve is not None:
            value = plan.resolve(source, PlanInfo(plan, path, execution), **_arguments(plan, execution))
            if plan.resolve_async:
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
        if plan.complete_async:
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
    graphql_variables = None
    try:
        if plan.variables is None:
            raise _Slow
        coerced = plan.variables(raw_variables)
    except _Slow:
        graphql_variables = get_variable_values(schema, plan.operation.variable_definitions or (), raw_variables)
        if isinstance(graphql_variables, list):
            return None, graphql_variables
        coerced = getattr(graphql_variables, "coerced", graphql_variables)  # 3.3: VariableValues; 3.2: a dict
    execution = Execution(plan, context, coerced, fragments, plan.checker, schema, raw_variables,
                          graphql_variables=graphql_variables)
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
