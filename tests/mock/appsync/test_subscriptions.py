"""The registry: @aws_subscribe triggers from corpus schemas, argument and enhanced filters, invalidation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from kit import CORPUS

from amplify_local.mock.appsync.subscriptions import (
    FILTER_KEY,
    INVALIDATE_KEY,
    INVALIDATION_FILTER_KEY,
    Entry,
    Event,
    FilterError,
    Subscriptions,
    compile_filter,
    make_entry,
    subscription_triggers,
)
from amplify_local.mock.appsync.types import Identity, ResolverContext, Subscription
from amplify_local.mock.appsync.vtl import compile_template


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.ended: list[str] = []

    def deliver(self, entry: Entry, event: Event) -> None:
        self.events.append((entry.id, event.payload))

    def invalidated(self, entry: Entry) -> None:
        self.ended.append(entry.id)


def subscribe(
    registry: Subscriptions,
    sink: RecordingSink,
    field: str,
    id: str,
    arguments: dict | None = None,
    **extensions: Any,
) -> Entry:
    subscription = Subscription(field, arguments or {}, Identity("API_KEY"), extensions)
    entry = make_entry(subscription, sink, id, render_key=id)
    registry.add(entry)
    return entry


def test_triggers_from_corpus_schemas() -> None:
    v1 = subscription_triggers((CORPUS / "v1/09-subscriptions/schema.graphql").read_text())
    assert v1["createMessage"] == ("onCreateMessage", "onMessageChanged")
    assert v1["updateMessage"] == ("onMessageChanged",)
    assert v1["deleteRoom"] == ("onDeleteRoom",)
    v2 = subscription_triggers((CORPUS / "v2/01-todo/schema.graphql").read_text())
    assert v2 == {
        "createTodo": ("onCreateTodo",),
        "updateTodo": ("onUpdateTodo",),
        "deleteTodo": ("onDeleteTodo",),
    }


def test_triggers_follow_a_renamed_subscription_root() -> None:
    sdl = """
    schema { query: Q subscription: Live }
    type Q { x: Int }
    type Live { changed: Int @aws_subscribe(mutations: ["bump", "reset"]) }
    """
    assert subscription_triggers(sdl) == {"bump": ("changed",), "reset": ("changed",)}


def test_argument_filtering_each_given_argument_must_equal_the_payload() -> None:
    registry = Subscriptions((CORPUS / "v1/09-subscriptions/schema.graphql").read_text())
    sink = RecordingSink()
    subscribe(registry, sink, "onCreateMessage", "room1", {"roomId": "room-1"})
    subscribe(registry, sink, "onCreateMessage", "any", {"roomId": None})
    subscribe(registry, sink, "onMessageChanged", "changed")
    assert registry.publish("createMessage", {"id": "m1", "roomId": "room-2"}) == 2
    assert registry.publish("createMessage", {"id": "m2", "roomId": "room-1"}) == 3
    assert registry.publish("updateMessage", {"id": "m2", "roomId": "room-1"}) == 1
    assert registry.publish("createRoom", {"id": "r"}) == 0
    assert registry.publish("createMessage", None) == 0
    assert sink.events == [
        ("any", {"id": "m1", "roomId": "room-2"}),
        ("changed", {"id": "m1", "roomId": "room-2"}),
        ("room1", {"id": "m2", "roomId": "room-1"}),
        ("any", {"id": "m2", "roomId": "room-1"}),
        ("changed", {"id": "m2", "roomId": "room-1"}),
        ("changed", {"id": "m2", "roomId": "room-1"}),
    ]


def test_argument_equality_is_typed() -> None:
    registry = Subscriptions(
        'type Subscription { s(n: Int, b: Boolean): T @aws_subscribe(mutations: ["m"]) }'
    )
    sink = RecordingSink()
    subscribe(registry, sink, "s", "n1", {"n": 1})
    subscribe(registry, sink, "s", "btrue", {"b": True})
    registry.publish("m", {"n": 1.0, "b": 1})
    registry.publish("m", {"n": True, "b": True})
    assert [id for id, _ in sink.events] == ["n1", "btrue"]


RULES = [
    ("eq", "priority", 3, {"priority": 3}, True),
    ("eq", "priority", 3, {"priority": 4}, False),
    ("ne", "priority", 3, {"priority": 4}, True),
    ("ne", "priority", 3, {}, True),
    ("lt", "priority", 3, {"priority": 2}, True),
    ("lt", "priority", 3, {"priority": 3}, False),
    ("le", "priority", 3, {"priority": 3}, True),
    ("gt", "name", "b", {"name": "c"}, True),
    ("gt", "name", "b", {"name": 5}, False),
    ("ge", "priority", 3, {"priority": 3.0}, True),
    ("contains", "name", "ell", {"name": "hello"}, True),
    ("contains", "tags", "x", {"tags": ["x", "y"]}, True),
    ("contains", "tags", "z", {"tags": ["x", "y"]}, False),
    ("notContains", "name", "ell", {"name": "hello"}, False),
    ("notContains", "name", "zz", {"name": "hello"}, True),
    ("beginsWith", "name", "he", {"name": "hello"}, True),
    ("beginsWith", "name", "lo", {"name": "hello"}, False),
    ("in", "status", ["A", "B"], {"status": "B"}, True),
    ("in", "status", ["A", "B"], {"status": "C"}, False),
    ("notIn", "status", ["A", "B"], {"status": "C"}, True),
    ("notIn", "status", ["A", "B"], {}, True),
    ("between", "priority", [2, 4], {"priority": 4}, True),
    ("between", "priority", [2, 4], {"priority": 5}, False),
    ("containsAny", "tags", ["q", "y"], {"tags": ["x", "y"]}, True),
    ("containsAny", "tags", ["q", "r"], {"tags": ["x", "y"]}, False),
    ("eq", "owner.name", "ann", {"owner": {"name": "ann"}}, True),
    ("eq", "owner.name", "ann", {"owner": None}, False),
    ("eq", "done", True, {"done": 1}, False),
]


@pytest.mark.parametrize(("operator", "field", "value", "payload", "expected"), RULES)
def test_every_operator(operator: str, field: str, value: Any, payload: dict, expected: bool) -> None:
    spec = {"filterGroup": [{"filters": [{"fieldName": field, "operator": operator, "value": value}]}]}
    assert compile_filter(spec)(payload) is expected


def test_and_within_a_group_or_across_groups() -> None:
    spec = {
        "filterGroup": [
            {
                "filters": [
                    {"fieldName": "a", "operator": "eq", "value": 1},
                    {"fieldName": "b", "operator": "eq", "value": 2},
                ]
            },
            {"filters": [{"fieldName": "c", "operator": "eq", "value": 3}]},
        ]
    }
    matches = compile_filter(spec)
    assert matches({"a": 1, "b": 2})
    assert not matches({"a": 1, "b": 3})
    assert matches({"a": 0, "c": 3})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"filter": []}, "filterGroup list"),
        ({"filterGroup": [{"filters": []}]}, "non-empty filters"),
        (
            {"filterGroup": [{"filters": [{"fieldName": "a", "operator": "like", "value": 1}]}]},
            "unknown operator",
        ),
        ({"filterGroup": [{"filters": [{"fieldName": "a", "operator": "in", "value": 1}]}]}, "needs a list"),
        (
            {
                "filterGroup": [
                    {"filters": [{"fieldName": "a", "operator": "in", "value": [1, 2, 3, 4, 5, 6]}]}
                ]
            },
            "maximum value limit",
        ),
        (
            {"filterGroup": [{"filters": [{"fieldName": "a", "operator": "between", "value": [1]}]}]},
            "two values",
        ),
        ({"filterGroup": [{"filters": [{"operator": "eq", "value": 1}]}]}, "fieldName"),
        (
            {"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq", "value": 1}]}] * 11},
            "maximum is 10",
        ),
    ],
)
def test_bad_filters_are_refused_with_the_reason(spec: dict, message: str) -> None:
    with pytest.raises(FilterError, match=message) as raised:
        compile_filter(spec)
    assert raised.value.error_type == "BadRequestException"


def resolver_extensions(api: str, field: str, arguments: dict[str, Any], user: str | None) -> dict[str, Any]:
    """Render the corpus subscription resolver's templates in pipeline order with the VTL engine, as the
    server does at `start`, and return the `$extensions` they set."""
    context = ResolverContext(arguments=arguments, auth_mode="API_KEY")
    if user is not None:
        claims = {"sub": f"sub-{user}", "username": user, "cognito:username": user}
        context.identity = {"sub": claims["sub"], "username": user, "claims": claims}
        context.auth_mode = "AMAZON_COGNITO_USER_POOLS"
    extensions: dict[str, Any] = {}
    for step in ("auth.1.req", "postAuth.1.req", "req", "res"):
        path = CORPUS / api / "resolvers" / f"Subscription.{field}.{step}.vtl"
        extensions |= compile_template(path.read_text(), path=path.name).render(context).extensions
    return extensions


def test_v2_owner_rule_from_the_generated_auth_templates() -> None:
    """corpus v2/02-auth-owner: the auth template turns the owner rule into `$ctx.args.filter`, the
    response template into `$extensions.setSubscriptionFilter`; argument `owner` alone stays an argument filter."""
    registry = Subscriptions((CORPUS / "v2/02-auth-owner/schema.graphql").read_text())
    sink = RecordingSink()
    cases = [
        ("alice", {}, "alice"),
        ("bob-x", {"filter": {"title": {"beginsWith": "x"}}}, "bob"),
        ("carol-arg", {"owner": "carol"}, "carol"),
        ("key", {}, None),
    ]
    for id, arguments, user in cases:
        subscription = Subscription(
            "onCreatePost",
            arguments,
            Identity("API_KEY"),
            resolver_extensions("v2/02-auth-owner", "onCreatePost", arguments, user),
        )
        registry.add(make_entry(subscription, sink, id, id))
    for n, (owner, title) in enumerate([("alice", "x1"), ("bob", "y"), ("bob", "x3"), ("carol", "c")]):
        registry.publish("createPost", {"id": str(n), "owner": owner, "title": title})
    assert sorted((id, payload["id"]) for id, payload in sink.events) == [
        ("alice", "0"),
        ("bob-x", "2"),
        ("carol-arg", "3"),
        *[("key", str(n)) for n in range(4)],
    ]


def test_a_bad_filter_fails_the_subscription_not_a_publish() -> None:
    subscription = Subscription("s", {}, Identity("API_KEY"), {FILTER_KEY: {"filterGroup": "no"}})
    with pytest.raises(FilterError):
        make_entry(subscription, RecordingSink(), "x", "x")


def test_invalidation_ends_matching_subscriptions_only() -> None:
    registry = Subscriptions(
        'type Subscription { onMsg(groupId: ID): M @aws_subscribe(mutations: ["send"]) }'
    )
    sink = RecordingSink()
    rule = {"filterGroup": [{"filters": [{"fieldName": "groupId", "operator": "eq", "value": "g1"}]}]}
    subscribe(registry, sink, "onMsg", "in-g1", {"groupId": "g1"}, **{INVALIDATION_FILTER_KEY: rule})
    subscribe(registry, sink, "onMsg", "plain", {"groupId": "g1"})
    assert (
        registry.apply_extensions(
            {INVALIDATE_KEY: [{"subscriptionField": "onMsg", "payload": {"groupId": "g2"}}]}
        )
        == 0
    )
    removal = {INVALIDATE_KEY: [{"subscriptionField": "onMsg", "payload": {"groupId": "g1"}}]}
    assert registry.publish("removeUser", {"userId": "u"}, removal) == 0  # a mutation's own extensions
    assert sink.ended == ["in-g1"]
    assert registry.publish("send", {"groupId": "g1"}) == 1
    assert sink.events == [("plain", {"groupId": "g1"})]


def test_an_event_renders_each_shape_once() -> None:
    calls: list[str] = []

    async def render(subscription: Subscription, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(subscription.field_name)
        await asyncio.sleep(0)
        return {"data": {subscription.field_name: payload}}

    async def main() -> list[str]:
        sink = RecordingSink()
        shared = [
            make_entry(Subscription("s", {}, Identity("API_KEY")), sink, str(i), "shape") for i in range(3)
        ]
        other = make_entry(Subscription("t", {}, Identity("API_KEY")), sink, "t", "other")
        event = Event({"id": 1})
        return await asyncio.gather(*(event.render(entry, render) for entry in [*shared, other]))

    texts = asyncio.run(main())
    assert texts == ['{"data":{"s":{"id":1}}}'] * 3 + ['{"data":{"t":{"id":1}}}']
    assert calls == ["s", "t"]
