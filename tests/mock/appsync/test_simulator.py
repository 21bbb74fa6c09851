"""The subscription runtime the realtime protocol calls: subscribe (auth, resolver, filters), publish of
the mutation's response, and rendering an event with the subscriber's selection set."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path

import pytest
from kit import CORPUS

from amplify_local.mock.appsync import loader
from amplify_local.mock.appsync.errors import AppSyncError, RequestError
from amplify_local.mock.appsync.subscriptions import make_entry
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.build import read_build


def _jwt(user: str) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {"sub": f"sub-{user}", "cognito:username": user, "username": user, "exp": time.time() + 600,
              "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_fakePool"}
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


class Sink:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def deliver(self, entry, event) -> None:
        self.events.append(event.payload)

    def invalidated(self, entry) -> None:
        raise AssertionError("not expected")


@pytest.fixture(scope="module")
def simulator():
    return loader.load(read_build(CORPUS / "v2" / "02-auth-owner"), Engine.open(None))


def test_owner_rule_filters_on_the_mutations_response(simulator) -> None:
    async def scenario() -> tuple[list, dict]:
        alice = {"authorization": _jwt("alice")}
        subscription = await simulator.subscribe(
            "subscription { onCreatePost { id title owner } }", {}, None, simulator.authorize(alice), alice)
        sink = Sink()
        simulator.subscriptions.add(make_entry(subscription, sink, "1", "k"))
        for user in ("alice", "bob"):
            headers = {"authorization": _jwt(user)}
            await simulator.handle({"query": f'mutation {{ createPost(input: {{title: "{user}"}}) {{ id title owner }} }}'},
                                   headers)
        rendered = await simulator.render_event(subscription, sink.events[0])
        return sink.events, rendered

    events, rendered = asyncio.run(scenario())
    assert [(event["title"], event["owner"]) for event in events] == [("alice", "alice")]  # stored as sub::alice
    assert rendered["data"]["onCreatePost"]["owner"] == "alice"


def test_subscribe_refuses_invalid_documents_and_queries(simulator) -> None:
    key = {"x-api-key": "da2-fakeApiId123456"}
    identity = simulator.authorize(key)
    for query in ("subscription { onNothing { id } }", "query { listPosts { items { id } } }", "subscription {"):
        with pytest.raises(AppSyncError):
            asyncio.run(simulator.subscribe(query, {}, None, identity, key))


def test_websocket_authorization_falls_back_on_the_lambda_authorizer(tmp_path: Path) -> None:
    from amplify_local.mock.appsync.auth import Authorizer
    from amplify_local.mock.appsync.service import Functions, _lambda_authorizer
    from amplify_local.transformer.types import ApiDefinition, AuthProvider

    (tmp_path / "gate.js").write_text(
        "exports.handler = async (event) => ({ isAuthorized: event.authorizationToken === 'let-me-in',"
        " resolverContext: { team: 'blue' } });\n")
    runner = Functions(None, lambda_dir=tmp_path)
    api = ApiDefinition("lambda", "type Query { a: Int } type Subscription { s: Int }",
                        AuthProvider("AWS_LAMBDA", lambda_function="gate"))
    simulator = loader.load(api, Engine.open(None),
                            authorizer=Authorizer(api, lambda_authorizer=_lambda_authorizer(runner)))

    async def scenario() -> None:
        try:
            pending = simulator.authorize({"authorization": "let-me-in"})
            identity = await pending
            assert identity.mode == "AWS_LAMBDA"
            assert identity.resolver_fields == {"resolverContext": {"team": "blue"}}
            with pytest.raises(RequestError, match="denied"):
                await simulator.authorize({"authorization": "nope"})
        finally:
            await runner.close()

    asyncio.run(scenario())
