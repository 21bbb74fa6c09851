"""The realtime protocol through a real WebSocket client (`websockets`) against the mock's own runtime.

The server is what `amplify mock api --build` builds (`MockService` over corpus builds: the real
schema, VTL templates, auth and tables), served by uvicorn through the sniffing listener on a free
port. Events come from real mutations over HTTP. A second endpoint, `/fast`, runs the same protocol on
the same runtime with short timers (keep-alive, init timeout) and a small frame limit.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import uvloop
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from kit import CORPUS
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, connect

from amplify_local.mock.appsync.auth import IamCredentials
from amplify_local.mock.appsync.realtime import RealtimeEndpoint, RealtimeSettings
from amplify_local.mock.appsync.service import MockService
from amplify_local.mock.appsync.tls import ensure_certificates, serve_uvicorn, server_context

API_KEY = "da2-fakeApiId123456"

FAST = RealtimeSettings(keepalive_interval=0.2, init_timeout=0.4, max_message_bytes=2048)


def jwt(user: str) -> str:
    """An unsigned Cognito user-pool access token, as corpus/peer fakejwt.js shapes them."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "sub": f"sub-{user}",
        "username": user,
        "cognito:username": user,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_fakePool",
        "token_use": "access",
        "client_id": "fakeClientId",
        "iat": now,
        "exp": now + 3600,
    }
    return f"{part({'alg': 'none'})}.{part(claims)}."


class Server:
    """One corpus API served in a thread on uvloop, as the mock serves it."""

    def __init__(self, build: Path, home: Path, lambda_dir: Path | None = None) -> None:
        self.service = MockService.create(project=None, build=build, lambda_dir=lambda_dir)
        fast = RealtimeEndpoint(lambda: self.service.state.simulator, FAST)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "websocket" and scope["path"] == "/fast":
                await fast(scope, receive, send)
            else:
                await self.service.app(scope, receive, send)

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        context = server_context(ensure_certificates(home))

        async def serve() -> None:
            try:
                await serve_uvicorn(self.server, self.sock, context)
            finally:  # on the loop that started them: the functions' worker processes end with the server
                await self.service.runner.close()

        self.thread = threading.Thread(target=lambda: uvloop.run(serve()), daemon=True)

    @property
    def subscriptions(self) -> Any:
        return self.service.state.simulator.subscriptions

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def url(self, path: str = "/graphql/realtime", query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}{path}{query}"

    async def mutate(self, query: str, variables: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{self.port}/graphql",
                json={"query": query, "variables": variables},
                headers=headers,
            )
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """v2/02-auth-owner: API key (public read) and Cognito user pools; Post (owner), Draft (author, reviewers)."""
    with Server(CORPUS / "v2/02-auth-owner", tmp_path_factory.mktemp("home")) as running:
        yield running


def b64url(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


API_AUTH = {"host": "localhost:20002", "x-api-key": API_KEY}


def cognito(user: str) -> dict[str, str]:
    return {"host": "localhost:20002", "Authorization": jwt(user)}


async def receive(ws: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def receive_except_ka(ws: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    while True:
        message = await receive(ws, timeout)
        if message["type"] != "ka":
            return message


async def nothing_within(ws: ClientConnection, seconds: float = 0.3) -> bool:
    try:
        message = await receive_except_ka(ws, seconds)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected message {message}")


async def open_ready(
    server: Server, auth: dict[str, str] = API_AUTH, path: str = "/graphql/realtime"
) -> ClientConnection:
    ws = await connect(server.url(path), subprotocols=["graphql-ws", f"header-{b64url(auth)}"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    assert await receive(ws) == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}
    assert await receive(ws) == {"type": "ka"}
    return ws


def start(id: str, query: str, variables: dict | None = None, auth: dict[str, str] = API_AUTH) -> str:
    data = json.dumps({"query": query, "variables": variables or {}})
    return json.dumps(
        {"id": id, "type": "start", "payload": {"data": data, "extensions": {"authorization": auth}}}
    )


ON_POST = (
    "subscription S($filter: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $filter) { id title } }"
)
CREATE_POST = "mutation M($title: String!) { createPost(input: {title: $title}) { id title owner } }"
# filters see the mutation's response, as in AppSync: the mutation must select the fields they test
CREATE_DRAFT = (
    "mutation M($input: CreateDraftInput!) { createDraft(input: $input) { id body author reviewers } }"
)


async def post(server: Server, title: str, user: str = "alice") -> str:
    data = await server.mutate(CREATE_POST, {"title": title}, {"authorization": jwt(user)})
    return data["createPost"]["id"]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# --- handshake carriers -----------------------------------------------------------------------------


def test_carrier_header_subprotocol(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        assert ws.subprotocol == "graphql-ws"
        await ws.close()

    run(main())


def test_carrier_header_query_parameter_in_standard_base64(server: Server) -> None:
    auth = {"host": "localhost:20002", "x-api-key": API_KEY, "x-pad": "\u00fe\u00ff>"}  # base64 with + and /
    encoded = base64.b64encode(json.dumps(auth).encode()).decode()
    assert "+" in encoded or "/" in encoded

    async def main() -> None:
        ws = await connect(server.url(query=f"?header={encoded}&payload=e30="), subprotocols=["graphql-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive(ws))["type"] == "connection_ack"
        await ws.close()

    run(main())


def test_carrier_upgrade_headers_on_the_legacy_path(server: Server) -> None:
    async def main() -> None:
        ws = await connect(
            server.url("/graphql"), subprotocols=["graphql-ws"], additional_headers={"x-api-key": API_KEY}
        )  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive(ws))["payload"] == {"connectionTimeoutMs": 300000}
        await ws.close()

    run(main())


@pytest.mark.parametrize(
    ("protocols", "query", "error"),
    [
        ([], "", {"errorType": "NoProtocolError", "message": "NoProtocolError", "errorCode": 400}),
        (["graphql-ws", "header-abcde"], "", {"errorType": "BadRequestException", "errorCode": 400}),
        (
            ["graphql-ws", f"header-{base64.urlsafe_b64encode(b'not json').decode().rstrip('=')}"],
            "",
            {"errorType": "BadRequestException"},
        ),
        (
            ["graphql-ws"],
            f"?header={base64.b64encode(b'[1]').decode()}",
            {"errorType": "BadRequestException"},
        ),
        (
            ["graphql-ws", f"header-{b64url({'x-api-key': 'da2-wrong'})}"],
            "",
            {"errorType": "UnauthorizedException", "errorCode": 401},
        ),
        (
            ["graphql-ws", f"header-{b64url({'host': 'localhost'})}"],
            "",
            {"errorType": "UnauthorizedException", "errorCode": 401},
        ),
    ],
    ids=["no-graphql-ws", "bad-base64", "bad-json", "not-an-object", "wrong-key", "no-credentials"],
)
def test_refused_handshakes_get_connection_error(
    server: Server, protocols: list[str], query: str, error: dict
) -> None:
    async def main() -> None:
        ws = await connect(server.url(query=query), subprotocols=protocols or None)  # type: ignore[arg-type]
        message = await receive(ws)
        assert message["type"] == "connection_error"
        assert error.items() <= message["payload"]["errors"][0].items()
        await asyncio.wait_for(ws.wait_closed(), 3)

    run(main())


# --- messages ---------------------------------------------------------------------------------------


def test_start_data_stop_complete(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("s1", "subscription { onCreatePost { id title } }"))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "s1"}
        first = await post(server, "hello")
        assert await receive_except_ka(ws) == {
            "type": "data",
            "id": "s1",
            "payload": {"data": {"onCreatePost": {"id": first, "title": "hello"}}},
        }
        await ws.send(json.dumps({"type": "stop", "id": "s1"}))
        assert await receive_except_ka(ws) == {"type": "complete", "id": "s1"}
        await post(server, "after stop")
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_enhanced_filter_from_the_filter_argument(server: Server) -> None:
    """The generated response template sets `toSubscriptionFilter($ctx.args.filter)`; each subscriber has its own."""

    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("keep", ON_POST, {"filter": {"title": {"beginsWith": "keep"}}}))
        await ws.send(
            start(
                "k-or-x",
                ON_POST,
                {"filter": {"or": [{"title": {"eq": "x"}}, {"title": {"contains": "ep-2"}}]}},
            )
        )
        assert {(await receive_except_ka(ws))["id"] for _ in range(2)} == {"keep", "k-or-x"}
        for title in ("drop", "keep-1", "x", "keep-2"):
            await post(server, title)
        received = [await receive_except_ka(ws) for _ in range(4)]
        assert [(m["id"], m["payload"]["data"]["onCreatePost"]["title"]) for m in received] == [
            ("keep", "keep-1"),
            ("k-or-x", "x"),
            ("keep", "keep-2"),
            ("k-or-x", "keep-2"),
        ]
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_events_are_the_mutations_response(server: Server) -> None:
    """AppSync publishes the mutation's response: a filter sees only the fields the mutation selected, and
    the subscriber's other fields come back null."""
    subscription = "subscription S($filter: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $filter) { title content } }"
    create = "mutation M($input: CreatePostInput!) { createPost(input: $input) { %s } }"
    alice = {"authorization": jwt("alice")}

    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("sel", subscription, {"filter": {"title": {"beginsWith": "sel"}}}))
        assert (await receive_except_ka(ws))["type"] == "start_ack"
        await server.mutate(create % "id", {"input": {"title": "sel-1", "content": "c"}}, alice)
        await server.mutate(create % "id title", {"input": {"title": "sel-2", "content": "c"}}, alice)
        assert await receive_except_ka(ws) == {
            "type": "data",
            "id": "sel",
            "payload": {"data": {"onCreatePost": {"title": "sel-2", "content": None}}},
        }
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_each_subscription_has_its_own_auth_mode_and_owner_rules(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)  # the connection itself is API_KEY
        await ws.send(start("drafts", "subscription { onCreateDraft { id body } }", auth=cognito("alice")))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "drafts"}
        await ws.send(
            start("not-mine", 'subscription { onCreatePost(owner: "bob") { id } }', auth=cognito("alice"))
        )
        refused = await receive_except_ka(ws)
        assert refused == {
            "type": "error",
            "id": "not-mine",
            "payload": {
                "errors": [
                    {
                        "errorType": "Unauthorized",
                        "message": "Not Authorized to access onCreatePost on type Subscription",
                    }
                ]
            },
        }
        await ws.send(start("as-key", "subscription { onCreateDraft { id } }"))  # Draft has no API key rule
        assert (await receive_except_ka(ws))["payload"]["errors"][0]["errorType"] == "Unauthorized"
        bob = {"authorization": jwt("bob")}
        await server.mutate(CREATE_DRAFT, {"input": {"body": "for carol", "reviewers": ["carol"]}}, bob)
        created = await server.mutate(
            CREATE_DRAFT, {"input": {"body": "for alice", "reviewers": ["alice"]}}, bob
        )
        assert await receive_except_ka(ws) == {
            "type": "data",
            "id": "drafts",
            "payload": {"data": {"onCreateDraft": {"id": created["createDraft"]["id"], "body": "for alice"}}},
        }
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_argument_filtering(tmp_path: Path) -> None:
    """v1/09-subscriptions: `onCreateMessage(roomId:)` gets only its room; `onMessageChanged` every change."""
    create = "mutation M($roomId: ID!, $text: String!) { createMessage(input: {roomId: $roomId, text: $text}) { id roomId text } }"
    on_create = "subscription S($roomId: ID) { onCreateMessage(roomId: $roomId) { text } }"

    async def main(server: Server) -> None:
        ws = await open_ready(server)
        await ws.send(start("room-1", on_create, {"roomId": "room-1"}))
        await ws.send(start("any", on_create))
        await ws.send(start("changed", "subscription { onMessageChanged { text } }"))
        assert {(await receive_except_ka(ws))["id"] for _ in range(3)} == {"room-1", "any", "changed"}
        for room, text in (("room-2", "a"), ("room-1", "b")):
            await server.mutate(create, {"roomId": room, "text": text}, {"x-api-key": API_KEY})
        received = [await receive_except_ka(ws) for _ in range(5)]
        by_id: dict[str, list[str]] = {}
        for message in received:
            by_id.setdefault(message["id"], []).append(
                next(iter(message["payload"]["data"].values()))["text"]
            )
        assert by_id == {"any": ["a", "b"], "changed": ["a", "b"], "room-1": ["b"]}
        assert await nothing_within(ws)
        await ws.close()

    with Server(CORPUS / "v1/09-subscriptions", tmp_path) as server:
        run(main(server))


def test_v1_owner_rule_is_an_owner_argument_filter(tmp_path: Path) -> None:
    """v1/02-auth-owner: a user-pool subscriber must name itself as `owner` (the response template checks),
    and then gets only its own posts (argument filtering); the public API key sees every post."""
    on_create = "subscription S($owner: String) { onCreatePost(owner: $owner) { title owner } }"

    async def main(server: Server) -> None:
        ws = await open_ready(server)
        await ws.send(start("alice", on_create, {"owner": "alice"}, auth=cognito("alice")))
        await ws.send(start("public", on_create))
        assert {(await receive_except_ka(ws))["id"] for _ in range(2)} == {"alice", "public"}
        await ws.send(start("anyone", on_create, auth=cognito("alice")))
        refused = await receive_except_ka(ws)
        assert (refused["id"], refused["payload"]["errors"][0]["errorType"]) == ("anyone", "Unauthorized")
        for user in ("bob", "alice"):
            await post(server, f"by {user}", user)
        received = [await receive_except_ka(ws) for _ in range(3)]
        assert sorted((m["id"], m["payload"]["data"]["onCreatePost"]["owner"]) for m in received) == [
            ("alice", "alice"),
            ("public", "alice"),
            ("public", "bob"),
        ]
        assert await nothing_within(ws)
        await ws.close()

    with Server(CORPUS / "v1/02-auth-owner", tmp_path) as server:
        run(main(server))


SUBSCRIPTION_RESPONSE = """## enhanced filter instead of the argument's equality, and an invalidation filter
$extensions.setSubscriptionFilter({"filterGroup": [{"filters": [
  {"fieldName": "channel", "operator": "beginsWith", "value": $ctx.args.channel}]}]})
$extensions.setSubscriptionInvalidationFilter({"filterGroup": [{"filters": [
  {"fieldName": "channel", "operator": "eq", "value": $ctx.args.channel}]}]})
$util.toJson(null)
"""
PUBLISH_RESPONSE = """#if( $ctx.args.channel == "kick" )
$extensions.invalidateSubscriptions({"subscriptionField": "onPublish", "payload": {"channel": $ctx.args.data}})
#end
$util.toJson($ctx.result)
"""


def pubsub_build(directory: Path) -> Path:
    """corpus v1/08-custom-none (NONE data source, `publish` feeding `onPublish(channel:)`) with a resolver
    on the subscription field and an invalidating branch in `publish`, as a user would write them."""
    build = directory / "build"
    shutil.copytree(CORPUS / "v1/08-custom-none", build)
    stack_path = build / "stacks" / "CustomResources.json"
    stack = json.loads(stack_path.read_text())
    resolver = json.loads(
        json.dumps(stack["Resources"]["MutationPublishResolver"]).replace(
            "Mutation.publish", "Subscription.onPublish"
        )
    )
    resolver["Properties"] |= {"TypeName": "Subscription", "FieldName": "onPublish"}
    stack["Resources"]["SubscriptionOnPublishResolver"] = resolver
    stack_path.write_text(json.dumps(stack))
    (build / "resolvers" / "Subscription.onPublish.req.vtl").write_text(
        '{"version": "2018-05-29", "payload": {}}'
    )
    (build / "resolvers" / "Subscription.onPublish.res.vtl").write_text(SUBSCRIPTION_RESPONSE)
    (build / "resolvers" / "Mutation.publish.res.vtl").write_text(PUBLISH_RESPONSE)
    return build


def test_filters_and_invalidation_set_by_templates(tmp_path: Path) -> None:
    publish = "mutation P($channel: String!, $data: AWSJSON!) { publish(channel: $channel, data: $data) { channel } }"
    on_publish = "subscription S($channel: String!) { onPublish(channel: $channel) { channel } }"

    async def main(server: Server) -> None:
        ws = await open_ready(server)
        await ws.send(start("news", on_publish, {"channel": "news"}))
        await ws.send(start("sports", on_publish, {"channel": "sports"}))
        assert {(await receive_except_ka(ws))["id"] for _ in range(2)} == {"news", "sports"}

        async def send(channel: str, data: str = "") -> None:
            await server.mutate(
                publish, {"channel": channel, "data": json.dumps(data)}, {"x-api-key": API_KEY}
            )

        await send("news-eu")
        await send("sports")
        await send("kick", "news")  # ends the subscriptions whose invalidation filter matches channel "news"
        await send("news")
        await send("sports-2")
        received = [await receive_except_ka(ws) for _ in range(4)]
        assert [(m["type"], m["id"], (m.get("payload") or {}).get("data")) for m in received] == [
            ("data", "news", {"onPublish": {"channel": "news-eu"}}),
            ("data", "sports", {"onPublish": {"channel": "sports"}}),
            ("complete", "news", None),
            ("data", "sports", {"onPublish": {"channel": "sports-2"}}),
        ]
        assert await nothing_within(ws)
        await ws.close()

    with Server(pubsub_build(tmp_path), tmp_path) as server:
        run(main(server))


def test_start_before_connection_init_is_accepted(server: Server) -> None:
    async def main() -> None:
        ws = await connect(server.url(), subprotocols=["graphql-ws", f"header-{b64url(API_AUTH)}"])  # type: ignore[list-item]
        await ws.send(start("early", "subscription { onCreatePost { id } }"))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "early"}
        await ws.close()

    run(main())


TOO_MANY_GROUPS = {"filter": {"title": {"eq": "a"}, "or": [{"title": {"eq": str(n)}} for n in range(11)]}}
START_ERRORS = [
    (json.dumps({"id": "x", "type": "start", "payload": {"data": "{not json"}}), "BadRequestException", "x"),
    (json.dumps({"id": "x", "type": "start", "payload": {}}), "BadRequestException", "x"),
    (json.dumps({"type": "start", "payload": {"data": "{}"}}), "BadRequestException", None),
    (start("x", "subscription { onCreatePost { nope } }"), "Cannot query field 'nope' on type 'Post'.", "x"),
    (start("x", "subscription { onCreatePost { id }"), "Syntax Error: Expected Name, found <EOF>.", "x"),
    (start("x", "query { listPosts { items { id } } }"), "ValidationError", "x"),
    (start("x", ON_POST, {"filter": 5}), "Variable '$filter' got invalid value 5;", "x"),
    (start("x", ON_POST, auth={"x-api-key": "da2-wrong"}), "UnauthorizedException", "x"),
    (start("x", ON_POST, auth={"Authorization": "garbage"}), "UnauthorizedException", "x"),
    (start("x", ON_POST, TOO_MANY_GROUPS), "MappingTemplate", "x"),  # toSubscriptionFilter: <= 10 groups
    (
        json.dumps(
            {
                "id": "x",
                "type": "start",
                "payload": {
                    "data": json.dumps({"query": "subscription { onCreatePost { id } }"}),
                    "extensions": {"authorization": 1},
                },
            }
        ),
        "BadRequestException",
        "x",
    ),
]


@pytest.mark.parametrize(
    ("frame", "expected", "id"),
    START_ERRORS,
    ids=[
        "data-not-json",
        "no-data",
        "no-id",
        "invalid-document",
        "syntax-error",
        "not-a-subscription",
        "bad-variables",
        "wrong-key",
        "bad-token",
        "filter-too-large",
        "authorization-not-an-object",
    ],
)
def test_failed_starts_get_error_with_the_id(
    server: Server, frame: str, expected: str, id: str | None
) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(frame)
        message = await receive_except_ka(ws)
        assert message["type"] == "error" and message.get("id") == id
        error = message["payload"]["errors"][0]
        assert error.get("errorType") == expected or error["message"].startswith(expected), error
        await ws.send(start("after", "subscription { onCreatePost { id } }"))  # the connection goes on
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "after"}
        await ws.close()

    run(main())


def test_duplicate_id(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("same", "subscription { onCreatePost { id } }"))
        assert (await receive_except_ka(ws))["type"] == "start_ack"
        await ws.send(start("same", "subscription { onCreatePost { title } }"))
        assert await receive_except_ka(ws) == {
            "type": "error",
            "id": "same",
            "payload": {
                "errors": [
                    {"errorType": "DuplicatedOperationError", "message": "Duplicated operation with id same"}
                ]
            },
        }
        created = await post(server, "dup")
        assert (await receive_except_ka(ws))["payload"] == {
            "data": {"onCreatePost": {"id": created}}
        }  # the first stays
        await ws.close()

    run(main())


@pytest.mark.parametrize(
    ("frame", "error_type"),
    [
        ("garbage", "UnsupportedOperation"),
        ("[1, 2]", "UnsupportedOperation"),
        (json.dumps({"type": "subscribe", "id": "1"}), "UnsupportedOperation"),
        (json.dumps({"id": "1"}), "UnsupportedOperation"),
        (json.dumps({"type": "connection_init", "pad": "x" * 3000}), "LimitExceededError"),
        (json.dumps({"type": "stop"}), "BadRequestException"),
    ],
    ids=["garbage", "not-an-object", "unknown-type", "no-type", "oversized", "stop-without-id"],
)
def test_bad_frames_get_error_and_do_not_disturb_others(server: Server, frame: str, error_type: str) -> None:
    async def main() -> None:
        bystander = await open_ready(server, path="/fast")
        await bystander.send(start("b", "subscription { onCreatePost { title } }"))
        assert (await receive_except_ka(bystander))["type"] == "start_ack"
        ws = await open_ready(server, path="/fast")
        await ws.send(frame)
        message = await receive_except_ka(ws)
        assert message["type"] == "error"
        assert message["payload"]["errors"][0]["errorType"] == error_type
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive_except_ka(ws))["type"] == "connection_ack"  # still served
        await post(server, f"after {error_type}")
        assert (await receive_except_ka(bystander))["payload"] == {
            "data": {"onCreatePost": {"title": f"after {error_type}"}}
        }
        await ws.close()
        await bystander.close()

    run(main())


def test_binary_frames_are_read_as_text(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("bin", "subscription { onCreatePost { id } }").encode())
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "bin"}
        await ws.close()

    run(main())


def test_keepalive_repeats(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server, path="/fast")
        began = time.monotonic()
        assert await receive(ws, 1) == {"type": "ka"}
        assert await receive(ws, 1) == {"type": "ka"}
        assert 0.3 <= time.monotonic() - began < 1.5
        await ws.close()

    run(main())


def test_default_keepalive_is_under_amplify_v6_alert() -> None:
    assert RealtimeSettings().keepalive_interval <= 60 < 65


def test_a_connection_that_never_initialises_is_closed(server: Server) -> None:
    async def main() -> None:
        ws = await connect(server.url("/fast"), subprotocols=["graphql-ws", f"header-{b64url(API_AUTH)}"])  # type: ignore[list-item]
        message = await receive(ws, 2)
        assert message["type"] == "connection_error"
        assert message["payload"]["errors"][0]["errorType"] == "ConnectionTimeoutError"
        await asyncio.wait_for(ws.wait_closed(), 3)

    run(main())


def test_closing_the_socket_drops_its_subscriptions(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        before = len(server.subscriptions)
        await ws.send(start("gone", "subscription { onCreatePost { id } }"))
        assert (await receive_except_ka(ws))["type"] == "start_ack"
        assert len(server.subscriptions) == before + 1
        await ws.close()
        for _ in range(100):
            if len(server.subscriptions) == before:
                break
            await asyncio.sleep(0.01)
        assert len(server.subscriptions) == before

    run(main())


# --- AWS_IAM (SigV4) and AWS_LAMBDA carriers --------------------------------------------------------

IAM = IamCredentials()
HOST = "localhost:20002"
ON_PUBLISH = "subscription S($channel: String!) { onPublish(channel: $channel) { channel } }"
PUBLISH = "mutation P($channel: String!, $data: AWSJSON!) { publish(channel: $channel, data: $data) { channel data } }"
GATE = """exports.handler = async (event) => ({
  isAuthorized: event.authorizationToken === 'let-me-in' || (event.authorizationToken === 'subscriptions-only'
    && event.requestContext.queryString.startsWith('subscription ')),
  resolverContext: { team: 'blue' } });
"""


def multi_auth_build(directory: Path) -> Path:
    """corpus v1/08-custom-none (API key default, `publish` feeding `onPublish(channel:)`) with AWS_IAM and
    an AWS_LAMBDA authorizer (function `gate`) added, and `onPublish`/`Event` open to both, as a user adds them."""
    build = directory / "build"
    shutil.copytree(CORPUS / "v1/08-custom-none", build)
    template_path = build / "cloudformation-template.json"
    template = json.loads(template_path.read_text())
    template["Resources"]["GraphQLAPI"]["Properties"]["AdditionalAuthenticationProviders"] += [
        {"AuthenticationType": "AWS_IAM"},
        {
            "AuthenticationType": "AWS_LAMBDA",
            "LambdaAuthorizerConfig": {  # TTL 0: no cached answers, `gate` decides every time
                "AuthorizerUri": "arn:aws:lambda:us-east-1:123456789012:function:gate",
                "AuthorizerResultTtlInSeconds": 0,
            },
        },
    ]
    template_path.write_text(json.dumps(template))
    schema = (build / "schema.graphql").read_text()
    directives = "@aws_api_key @aws_iam @aws_lambda"
    schema = schema.replace("type Event {", f"type Event {directives} {{").replace(
        '@aws_subscribe(mutations: ["publish"])', f'@aws_subscribe(mutations: ["publish"]) {directives}'
    )
    (build / "schema.graphql").write_text(schema)
    (directory / "functions").mkdir()
    (directory / "functions" / "gate.js").write_text(GATE)
    return build


@pytest.fixture(scope="module")
def multi_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("multi-auth")
    with Server(multi_auth_build(directory), directory, lambda_dir=directory / "functions") as running:
        yield running


def sigv4(path: str, body: str, access_key: str = IAM.auth_access_key, secret: str = IAM.secret_key) -> dict[str, str]:
    """The header object an AppSync client sends for IAM: the realtime headers, signed by botocore."""
    request = AWSRequest(
        "POST",
        f"https://{HOST}{path}",
        data=body.encode(),
        headers={
            "accept": "application/json, text/javascript",
            "content-encoding": "amz-1.0",
            "content-type": "application/json; charset=UTF-8",
            "host": HOST,
        },
    )
    SigV4Auth(Credentials(access_key, secret, "session-token"), "appsync", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def signed_start(id: str, channel: str, **signing: str) -> str:
    """A `start` for `onPublish(channel:)` signed over `POST /graphql` with its own `payload.data`."""
    data = json.dumps({"query": ON_PUBLISH, "variables": {"channel": channel}})
    auth = sigv4("/graphql", data, **signing)
    return json.dumps({"id": id, "type": "start", "payload": {"data": data, "extensions": {"authorization": auth}}})


def tampered(headers: dict[str, str]) -> dict[str, str]:
    signature = headers["Authorization"][-64:]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    return headers | {"Authorization": headers["Authorization"][:-64] + flipped}


MISMATCH = "UnauthorizedException: The request signature we calculated does not match the signature you provided."


async def publish(server: Server, channel: str, data: Any) -> None:
    await server.mutate(PUBLISH, {"channel": channel, "data": json.dumps(data)}, {"x-api-key": API_KEY})


def test_iam_signed_handshake_and_starts_receive_events(multi_auth: Server) -> None:
    """Handshake signed over `POST /graphql/connect` `{}` with the auth role; starts signed over `POST
    /graphql` with their data, one per role; both get the event; the unsigned-for-start fallback (no
    `extensions.authorization`) reuses the handshake's carrier."""

    async def main() -> None:
        ws = await open_ready(multi_auth, sigv4("/graphql/connect", "{}"))
        await ws.send(signed_start("auth", "news"))
        await ws.send(signed_start("unauth", "news", access_key=IAM.unauth_access_key))
        data = json.dumps({"query": ON_PUBLISH, "variables": {"channel": "news"}})
        await ws.send(json.dumps({"id": "carrier", "type": "start", "payload": {"data": data}}))
        acks = [await receive_except_ka(ws) for _ in range(3)]
        assert sorted((m["type"], m["id"]) for m in acks) == [
            ("start_ack", "auth"), ("start_ack", "carrier"), ("start_ack", "unauth")
        ]
        await publish(multi_auth, "news", "hello")
        events = [await receive_except_ka(ws) for _ in range(3)]
        assert sorted(m["id"] for m in events) == ["auth", "carrier", "unauth"]
        for event in events:
            assert event["payload"] == {"data": {"onPublish": {"channel": "news"}}}
        assert await nothing_within(ws)
        await ws.close()

    run(main())


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(tampered(sigv4("/graphql/connect", "{}")), id="tampered-signature"),
        pytest.param(sigv4("/graphql/connect", '{"x":1}'), id="wrong-body"),
        pytest.param(sigv4("/graphql", "{}"), id="wrong-path"),
        pytest.param(sigv4("/graphql/connect", "{}", secret="not-the-mock-secret"), id="wrong-key"),
    ],
)
def test_iam_handshake_with_a_bad_signature_gets_connection_error(
    multi_auth: Server, headers: dict[str, str]
) -> None:
    async def main() -> None:
        ws = await connect(multi_auth.url(), subprotocols=["graphql-ws", f"header-{b64url(headers)}"])  # type: ignore[list-item]
        assert await receive(ws) == {
            "type": "connection_error",
            "payload": {"errors": [{"errorType": "UnauthorizedException", "message": MISMATCH, "errorCode": 401}]},
        }
        await ws.wait_closed()

    run(main())


def test_iam_starts_with_a_bad_signature_get_error(multi_auth: Server) -> None:
    """Each refused start gets `error` with its id; the connection and its good subscription go on."""
    data = json.dumps({"query": ON_PUBLISH, "variables": {"channel": "sports"}})
    other = json.dumps({"query": ON_PUBLISH, "variables": {"channel": "news"}})
    bad = {
        "tampered": tampered(sigv4("/graphql", data)),
        "wrong-body": sigv4("/graphql", other),  # signed for another subscription than the one it starts
        "connect-signature": sigv4("/graphql/connect", "{}"),
        "wrong-key": sigv4("/graphql", data, secret="not-the-mock-secret"),
    }

    async def main() -> None:
        ws = await open_ready(multi_auth, sigv4("/graphql/connect", "{}"))
        for id, auth in bad.items():
            await ws.send(
                json.dumps({"id": id, "type": "start", "payload": {"data": data, "extensions": {"authorization": auth}}})
            )
            assert await receive_except_ka(ws) == {
                "type": "error",
                "id": id,
                "payload": {"errors": [{"errorType": "UnauthorizedException", "message": MISMATCH, "errorCode": 401}]},
            }
        await ws.send(signed_start("good", "sports"))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "good"}
        await publish(multi_auth, "sports", 1)
        event = await receive_except_ka(ws)
        assert (event["id"], event["payload"]["data"]["onPublish"]["channel"]) == ("good", "sports")
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_lambda_authorised_subscription(multi_auth: Server) -> None:
    """The AWS_LAMBDA authorizer (`gate`, run by the function runner) admits the handshake and the starts
    whose token it accepts (seeing a start's subscription as `requestContext.queryString`), and refuses
    the others with AppSync's UnauthorizedException."""
    denied = {"errorType": "UnauthorizedException", "message": "UnauthorizedException: Lambda authorizer denied "
              "the request", "errorCode": 401}

    async def main() -> None:
        ws = await open_ready(multi_auth, {"host": HOST, "Authorization": "let-me-in"})
        await ws.send(start("in", ON_PUBLISH, {"channel": "lambda"}, auth={"host": HOST, "Authorization": "let-me-in"}))
        await ws.send(start("out", ON_PUBLISH, {"channel": "lambda"}, auth={"host": HOST, "Authorization": "nope"}))
        query = {"host": HOST, "Authorization": "subscriptions-only"}
        await ws.send(start("query", ON_PUBLISH, {"channel": "lambda"}, auth=query))
        replies = sorted([await receive_except_ka(ws) for _ in range(3)], key=lambda m: m["id"])
        assert replies == [
            {"type": "start_ack", "id": "in"},
            {"type": "error", "id": "out", "payload": {"errors": [denied]}},
            {"type": "start_ack", "id": "query"},
        ]
        await publish(multi_auth, "lambda", "hi")
        events = [await receive_except_ka(ws) for _ in range(2)]
        assert sorted((m["id"], m["payload"]["data"]["onPublish"]["channel"]) for m in events) == [
            ("in", "lambda"), ("query", "lambda")
        ]
        assert await nothing_within(ws)
        await ws.close()

        for token in ("nope", "subscriptions-only"):  # the handshake carries no subscription
            carrier = b64url({"host": HOST, "Authorization": token})
            refused = await connect(multi_auth.url(), subprotocols=["graphql-ws", f"header-{carrier}"])  # type: ignore[list-item]
            assert await receive(refused) == {"type": "connection_error", "payload": {"errors": [denied]}}
            await refused.wait_closed()

    run(main())
