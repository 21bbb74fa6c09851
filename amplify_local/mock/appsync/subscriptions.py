"""The subscription registry: who listens to what, and which mutation results reach whom.

The executor calls `Subscriptions.publish(mutation_field, payload)` after a mutation field resolved to a
non-null value. The registry finds the subscription fields whose `@aws_subscribe(mutations: [...])` lists
that mutation and, for each subscriber of those fields, decides as AppSync does whether the event
passes:

- an **enhanced filter** set by the subscription resolver (`$extensions.setSubscriptionFilter`, usually
  fed by `$util.transform.toSubscriptionFilter($ctx.args.filter)` of the VTL engine, which is also how
  the generated v2 @auth templates restrict owners and groups): OR across `filterGroup`, AND within a
  group's `filters`;
- otherwise **argument filtering**: every argument the subscriber gave (non-null) must equal the payload's
  field of the same name (the v1 @auth templates rely on it for `owner`).

Delivery is the connection's job (`realtime.py`): the registry hands each passing subscriber an `Event`
through its `Sink`; the event renders each distinct subscriber shape once, however many share it.
Invalidation (`$extensions.setSubscriptionInvalidationFilter` at subscribe time,
`$extensions.invalidateSubscriptions` in a mutation) ends the subscriptions whose invalidation filter
matches the mutation's invalidation payload.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    StringValueNode,
    parse,
)

from amplify_local.mock.appsync.errors import AppSyncError
from amplify_local.mock.appsync.types import Subscription

FILTER_KEY = "setSubscriptionFilter"
INVALIDATION_FILTER_KEY = "setSubscriptionInvalidationFilter"
INVALIDATE_KEY = "invalidateSubscriptions"

Predicate = Callable[[Mapping[str, Any]], bool]


class FilterError(AppSyncError):
    """A filter object that AppSync would refuse when the subscription starts."""

    default_type = "BadRequestException"


# --- @aws_subscribe ---------------------------------------------------------------------------------


def subscription_triggers(schema: str | DocumentNode) -> dict[str, tuple[str, ...]]:
    """Map each mutation field to the subscription fields whose `@aws_subscribe(mutations:)` lists it."""
    document = parse(schema) if isinstance(schema, str) else schema
    root = "Subscription"
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            for operation in definition.operation_types:
                if operation.operation.value == "subscription":
                    root = operation.type.name.value
    triggers: dict[str, list[str]] = {}
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        if definition.name.value != root:
            continue
        for field_node in definition.fields or ():
            for directive in field_node.directives or ():
                if directive.name.value != "aws_subscribe":
                    continue
                for argument in directive.arguments:
                    if argument.name.value == "mutations" and isinstance(argument.value, ListValueNode):
                        for value in argument.value.values:
                            if isinstance(value, StringValueNode):
                                triggers.setdefault(value.value, []).append(field_node.name.value)
    return {mutation: tuple(fields) for mutation, fields in triggers.items()}


# --- enhanced filters -------------------------------------------------------------------------------

_MISSING = object()


def _lookup(payload: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = payload
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(left: Any, right: Any) -> bool:
    """Equality as JSON sees it: 1 == 1.0, but true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


def _ordered(left: Any, right: Any) -> bool:
    return (_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str))


def _contains(field_value: Any, value: Any) -> bool:
    if isinstance(field_value, str):
        return isinstance(value, str) and value in field_value
    if isinstance(field_value, list):
        return any(_same(item, value) for item in field_value)
    return False


def _op_eq(v: Any, x: Any) -> bool:
    return _same(v, x)


def _op_ne(v: Any, x: Any) -> bool:
    return not _same(v, x)


def _op_lt(v: Any, x: Any) -> bool:
    return _ordered(v, x) and v < x


def _op_le(v: Any, x: Any) -> bool:
    return _ordered(v, x) and v <= x


def _op_gt(v: Any, x: Any) -> bool:
    return _ordered(v, x) and v > x


def _op_ge(v: Any, x: Any) -> bool:
    return _ordered(v, x) and v >= x


def _op_contains(v: Any, x: Any) -> bool:
    return _contains(v, x)


def _op_not_contains(v: Any, x: Any) -> bool:
    return not _contains(v, x)


def _op_begins_with(v: Any, x: Any) -> bool:
    return isinstance(v, str) and v.startswith(x)


def _op_in(v: Any, x: Any) -> bool:
    return any(_same(v, item) for item in x)


def _op_not_in(v: Any, x: Any) -> bool:
    return not _op_in(v, x)


def _op_between(v: Any, x: Any) -> bool:
    return _ordered(v, x[0]) and _ordered(v, x[1]) and x[0] <= v <= x[1]


def _op_contains_any(v: Any, x: Any) -> bool:
    return any(_contains(v, item) for item in x)


# operator -> (test, what the value must be); a missing field passes only the negative operators
_OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "eq": (_op_eq, "scalar"),
    "ne": (_op_ne, "scalar"),
    "lt": (_op_lt, "scalar"),
    "le": (_op_le, "scalar"),
    "gt": (_op_gt, "scalar"),
    "ge": (_op_ge, "scalar"),
    "contains": (_op_contains, "scalar"),
    "notContains": (_op_not_contains, "scalar"),
    "beginsWith": (_op_begins_with, "string"),
    "in": (_op_in, "list"),
    "notIn": (_op_not_in, "list"),
    "between": (_op_between, "pair"),
    "containsAny": (_op_contains_any, "list"),
}
_PASS_WHEN_MISSING = frozenset({"ne", "notContains", "notIn"})
MAX_FILTER_GROUPS = 10
MAX_FILTERS_PER_GROUP = 5
MAX_LIST_VALUES = 5


def _compile_rule(rule: Any, where: str) -> Predicate:
    if not isinstance(rule, Mapping):
        raise FilterError(f"{where} must be an object with fieldName, operator and value.")
    name, operator, value = rule.get("fieldName"), rule.get("operator"), rule.get("value")
    if not isinstance(name, str) or not name:
        raise FilterError(f"{where}: fieldName must be a non-empty string.")
    if operator not in _OPERATORS:
        raise FilterError(f"{where}: unknown operator {operator!r}; use one of {', '.join(_OPERATORS)}.")
    test, shape = _OPERATORS[operator]
    if shape == "string" and not isinstance(value, str):
        raise FilterError(f"{where}: operator `{operator}` needs a string value.")
    if shape == "list":
        if not isinstance(value, list):
            raise FilterError(f"{where}: operator `{operator}` needs a list value.")
        if len(value) > MAX_LIST_VALUES:
            raise FilterError(
                f"{where}: the value of operator `{operator}` exceeds maximum value limit {MAX_LIST_VALUES}."
            )
    if shape == "pair" and not (isinstance(value, list) and len(value) == 2):
        raise FilterError(f"{where}: operator `between` needs a list of two values.")
    if shape == "scalar" and isinstance(value, list | Mapping):
        raise FilterError(f"{where}: operator `{operator}` needs a single value.")
    path = tuple(name.split("."))
    missing_passes = operator in _PASS_WHEN_MISSING

    def rule_matches(payload: Mapping[str, Any]) -> bool:
        field_value = _lookup(payload, path)
        if field_value is _MISSING:
            return missing_passes
        return test(field_value, value)

    return rule_matches


def compile_filter(spec: Any, what: str = "subscription filter") -> Predicate:
    """Turn a `setSubscriptionFilter` object into a predicate over payloads; raise `FilterError` if bad.

    The object is `{"filterGroup": [{"filters": [rule, ...]}, ...]}`, a rule
    `{"fieldName": "a.b", "operator": "eq", "value": ...}`.
    """
    if not isinstance(spec, Mapping) or not isinstance(spec.get("filterGroup"), list):
        raise FilterError(f"The {what} must be an object with a filterGroup list.")
    groups = spec["filterGroup"]
    if len(groups) > MAX_FILTER_GROUPS:
        raise FilterError(f"The {what} has {len(groups)} filter groups; the maximum is {MAX_FILTER_GROUPS}.")
    compiled: list[tuple[Predicate, ...]] = []
    for g, group in enumerate(groups):
        rules = group.get("filters") if isinstance(group, Mapping) else None
        if not isinstance(rules, list) or not rules:
            raise FilterError(f"{what} filterGroup[{g}] must have a non-empty filters list.")
        if len(rules) > MAX_FILTERS_PER_GROUP:
            raise FilterError(
                f"{what} filterGroup[{g}] has {len(rules)} filters; the maximum is {MAX_FILTERS_PER_GROUP}."
            )
        compiled.append(
            tuple(
                _compile_rule(rule, f"{what} filterGroup[{g}].filters[{i}]") for i, rule in enumerate(rules)
            )
        )

    def matches(payload: Mapping[str, Any]) -> bool:
        return any(all(rule(payload) for rule in group) for group in compiled)

    return matches


def argument_filter(arguments: Mapping[str, Any]) -> Predicate | None:
    """AppSync's argument filtering: each non-null argument equals the payload's field of that name."""
    expected = [(name, value) for name, value in arguments.items() if value is not None]
    if not expected:
        return None

    def matches(payload: Mapping[str, Any]) -> bool:
        return all(_same(payload.get(name, _MISSING), value) for name, value in expected)

    return matches


# --- registry ---------------------------------------------------------------------------------------


class Sink(Protocol):
    """A subscriber's connection, as the registry sees it (implemented by `realtime.py`)."""

    def deliver(self, entry: Entry, event: Event) -> None:
        """Queue `event` for `entry`; must not block."""
        ...

    def invalidated(self, entry: Entry) -> None:
        """The subscription was invalidated: end it for the client."""
        ...


@dataclass(eq=False)
class Entry:
    """One started subscription: the runtime's `Subscription`, where to send, how to match."""

    subscription: Subscription
    sink: Sink
    id: str
    render_key: Hashable  # subscribers with equal keys get the same rendered event
    matches: Predicate | None = None
    invalidation: Predicate | None = None
    active: bool = True


def make_entry(subscription: Subscription, sink: Sink, id: str, render_key: Hashable) -> Entry:
    """Build an entry, compiling its filters now so a bad filter fails the `start`, not a publish."""
    extensions = subscription.extensions
    enhanced = extensions.get(FILTER_KEY)
    matches = compile_filter(enhanced) if enhanced else argument_filter(subscription.arguments)
    invalidation_spec = extensions.get(INVALIDATION_FILTER_KEY)
    invalidation = compile_filter(invalidation_spec, "invalidation filter") if invalidation_spec else None
    return Entry(subscription, sink, id, render_key, matches, invalidation)


@dataclass(eq=False)
class Event:
    """One published payload; renders each subscriber shape once and shares the JSON text."""

    payload: dict[str, Any]
    renders: dict[Hashable, asyncio.Future[str]] = field(default_factory=dict)

    def render(
        self, entry: Entry, render: Callable[[Subscription, dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> asyncio.Future[str]:
        """The shared render of `entry`'s shape; await it through `asyncio.shield` (others wait on it too)."""
        future = self.renders.get(entry.render_key)
        if future is None:
            future = asyncio.ensure_future(_render_json(render, entry.subscription, self.payload))
            self.renders[entry.render_key] = future
        return future


async def _render_json(
    render: Callable[[Subscription, dict[str, Any]], Awaitable[dict[str, Any]]],
    subscription: Subscription,
    payload: dict[str, Any],
) -> str:
    return json.dumps(await render(subscription, payload), separators=(",", ":"), default=str)


class Subscriptions:
    """The registry of started subscriptions, indexed by subscription field."""

    def __init__(self, schema: str | DocumentNode | None = None) -> None:
        self.triggers: dict[str, tuple[str, ...]] = {}
        self.by_field: dict[str, dict[int, Entry]] = {}
        if schema is not None:
            self.set_schema(schema)

    def set_schema(self, schema: str | DocumentNode) -> None:
        """Read the `@aws_subscribe` triggers (again, after a reload); started subscriptions stay."""
        self.triggers = subscription_triggers(schema)

    def add(self, entry: Entry) -> None:
        self.by_field.setdefault(entry.subscription.field_name, {})[id(entry)] = entry

    def remove(self, entry: Entry) -> None:
        entry.active = False
        entries = self.by_field.get(entry.subscription.field_name)
        if entries is not None:
            entries.pop(id(entry), None)

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.by_field.values())

    def publish(
        self,
        mutation_field: str,
        payload: Mapping[str, Any] | None,
        extensions: Mapping[str, Any] | None = None,
    ) -> int:
        """Hand `payload` to every subscriber it passes; return how many. A null payload is not published.

        `extensions` are the mutation resolver's `$extensions`: its `invalidateSubscriptions` requests end
        the matching subscriptions first.
        """
        if extensions:
            self.apply_extensions(extensions)
        if payload is None:
            return 0
        event = Event(dict(payload))
        delivered = 0
        for subscription_field in self.triggers.get(mutation_field, ()):
            for entry in list(self.by_field.get(subscription_field, {}).values()):
                if entry.matches is None or entry.matches(event.payload):
                    entry.sink.deliver(entry, event)
                    delivered += 1
        return delivered

    def invalidate(self, subscription_field: str, payload: Mapping[str, Any]) -> int:
        """End the subscriptions of `subscription_field` whose invalidation filter matches `payload`."""
        ended = 0
        for entry in list(self.by_field.get(subscription_field, {}).values()):
            if entry.invalidation is not None and entry.invalidation(payload):
                self.remove(entry)
                entry.sink.invalidated(entry)
                ended += 1
        return ended

    def apply_extensions(self, extensions: Mapping[str, Any]) -> int:
        """Act on a mutation resolver's `$extensions.invalidateSubscriptions(...)` calls."""
        requests: Iterable[Any] = extensions.get(INVALIDATE_KEY) or ()
        ended = 0
        for request in requests:
            if isinstance(request, Mapping) and isinstance(request.get("subscriptionField"), str):
                ended += self.invalidate(request["subscriptionField"], request.get("payload") or {})
        return ended
