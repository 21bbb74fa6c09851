"""The realtime protocol through a real WebSocket client (`websockets`) against uvicorn on a real socket.

The runtime behind the protocol is a small one built on graphql-core (parse, validate, execute the
subscriber's selection set over the payload) with the auth and subscribe-time rules of the generated
templates written out: it stands where the server's runtime plugs in (`SubscriptionRuntime`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from graphql import OperationType, build_schema, execute, get_operation_ast, parse, validate
from graphql.execution.values import get_argument_values, get_variable_values
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import ClientConnection, connect

from amplify_local.mock.appsync.errors import AppSyncError, RequestError, UnauthorizedError
from amplify_local.mock.appsync.realtime import RealtimeEndpoint, RealtimeSettings, realtime_routes
from amplify_local.mock.appsync.subscriptions import Subscriptions
from amplify_local.mock.appsync.types import Identity, ResolverContext, Subscription
from amplify_local.mock.appsync.vtl import compile_template

API_KEY = "da2-fakeApiId123456"
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
RESPONSE_PATH = CORPUS / "v2/01-todo/resolvers/Subscription.onCreateTodo.res.vtl"
RESPONSE_TEMPLATE = compile_template(RESPONSE_PATH.read_text(), path=RESPONSE_PATH.name)
SDL = """
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
type Todo { id: ID! name: String! owner: String priority: Int }
input StringFilter { eq: String ne: String beginsWith: String }
input IntFilter { eq: Int gt: Int lt: Int }
input TodoFilter { name: StringFilter priority: IntFilter and: [TodoFilter] or: [TodoFilter] }
type Query { todo: Todo }
type Mutation { createTodo(name: String!): Todo }
type Subscription {
  onCreateTodo(name: String, filter: TodoFilter): Todo @aws_subscribe(mutations: ["createTodo"])
  onOwnTodo(owner: String!): Todo @aws_subscribe(mutations: ["createTodo"])
}
"""


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned Cognito-shaped token, as the corpus' fakejwt.js makes them."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'iss': 'https://cognito-idp.us-east-1.amazonaws.com/pool', **claims})}."


class GraphQLRuntime:
    """A `SubscriptionRuntime` on graphql-core with the v1/v2 template rules for the two fields."""

    def __init__(self) -> None:
        self.schema = build_schema(SDL)
        self.subscriptions = Subscriptions(SDL)

    def authorize(self, headers: dict[str, str]) -> Identity:
        if "x-api-key" in headers:
            if headers["x-api-key"] != API_KEY:
                raise RequestError(401, "UnauthorizedException", "UnauthorizedException: Invalid API key")
            return Identity("API_KEY")
        token = headers.get("authorization")
        if token is None:
            raise RequestError(401, "UnauthorizedException", "UnauthorizedException: Missing authorization")
        try:
            claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        except (ValueError, IndexError):
            raise RequestError(
                401, "UnauthorizedException", "UnauthorizedException: Invalid JWT token"
            ) from None
        return Identity("AMAZON_COGNITO_USER_POOLS", {"username": claims.get("username")}, claims)

    async def subscribe(
        self,
        query: str,
        variables: dict[str, Any],
        operation_name: str | None,
        identity: Identity,
        headers: dict,
    ) -> Subscription:
        try:
            document = parse(query)
        except Exception as error:
            raise AppSyncError(str(error), "GraphQLError") from None
        errors = validate(self.schema, document)
        if errors:
            raise AppSyncError(errors[0].message, "ValidationError")
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
            raise AppSyncError("Operation not supported through the realtime channel", "UnsupportedOperation")
        node = operation.selection_set.selections[0]
        field_name = node.name.value  # type: ignore[attr-defined]
        definition = self.schema.subscription_type.fields[field_name]  # type: ignore[union-attr]
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            raise AppSyncError(coerced[0].message, "ValidationError")
        arguments = get_argument_values(definition, node, coerced)  # type: ignore[arg-type]
        caller = identity.claims.get("username") if identity.mode == "AMAZON_COGNITO_USER_POOLS" else None
        if (
            field_name == "onOwnTodo" and arguments["owner"] != caller
        ):  # v1 owner rule: owner must be the caller
            raise UnauthorizedError("Not Authorized to access onOwnTodo on type Subscription")
        # the generated v2 response template: setSubscriptionFilter(toSubscriptionFilter($ctx.args.filter))
        context = ResolverContext(arguments=arguments, auth_mode=identity.mode)
        extensions = RESPONSE_TEMPLATE.render(context).extensions
        return Subscription(
            field_name, arguments, identity, extensions, (document, variables, operation_name)
        )

    async def render_event(self, subscription: Subscription, payload: dict[str, Any]) -> dict[str, Any]:
        document, variables, operation_name = subscription.plan
        result = execute(
            self.schema, document, {subscription.field_name: payload}, None, variables, operation_name
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [
                {"message": error.message, "errorType": "GraphQLError"} for error in result.errors
            ]
        return body


FAST = RealtimeSettings(keepalive_interval=0.2, init_timeout=0.4, max_message_bytes=2048)


class Server:
    """uvicorn with the realtime routes on a free port, in a thread with its own loop."""

    def __init__(self) -> None:
        self.runtime = GraphQLRuntime()
        routes = [
            *realtime_routes(lambda: self.runtime),
            WebSocketRoute("/fast", RealtimeEndpoint(lambda: self.runtime, FAST)),
        ]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.sock = sock
        config = uvicorn.Config(Starlette(routes=routes), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.server.serve(sockets=[self.sock]))

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
        self.sock.close()

    def publish(self, mutation: str, payload: dict[str, Any]) -> None:
        """What the executor does after a mutation resolves, on the server's loop."""
        assert self.loop is not None
        self.loop.call_soon_threadsafe(self.runtime.subscriptions.publish, mutation, payload)

    def url(self, path: str = "/graphql/realtime", query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}{path}{query}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


def b64url(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


API_AUTH = {"host": "localhost:20002", "x-api-key": API_KEY}


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


ON_CREATE = "subscription S($name: String, $filter: TodoFilter) { onCreateTodo(name: $name, filter: $filter) { id name } }"


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
        await ws.send(start("s1", "subscription { onCreateTodo { id name } }"))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "s1"}
        server.publish("createTodo", {"id": "1", "name": "a", "priority": 1})
        assert await receive_except_ka(ws) == {
            "type": "data",
            "id": "s1",
            "payload": {"data": {"onCreateTodo": {"id": "1", "name": "a"}}},
        }
        server.publish("updateTodo", {"id": "1", "name": "b"})  # not a trigger of onCreateTodo
        await ws.send(json.dumps({"type": "stop", "id": "s1"}))
        assert await receive_except_ka(ws) == {"type": "complete", "id": "s1"}
        server.publish("createTodo", {"id": "2", "name": "c"})
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_argument_and_enhanced_filters_per_subscriber(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("by-name", ON_CREATE, {"name": "keep"}))
        await ws.send(
            start("by-filter", ON_CREATE, {"filter": {"priority": {"gt": 2}, "name": {"beginsWith": "k"}}})
        )
        assert {(await receive_except_ka(ws))["id"] for _ in range(2)} == {"by-name", "by-filter"}
        server.publish("createTodo", {"id": "1", "name": "drop", "priority": 5})
        server.publish("createTodo", {"id": "2", "name": "keep", "priority": 1})
        server.publish("createTodo", {"id": "3", "name": "keep", "priority": 3})
        received = [await receive_except_ka(ws) for _ in range(3)]
        assert [(m["id"], m["payload"]["data"]["onCreateTodo"]["id"]) for m in received] == [
            ("by-name", "2"),
            ("by-name", "3"),
            ("by-filter", "3"),
        ]
        assert await nothing_within(ws)
        await ws.close()

    run(main())


def test_each_subscription_has_its_own_auth_mode_and_owner_rule(server: Server) -> None:
    alice = {"host": "localhost:20002", "Authorization": jwt({"username": "alice"})}

    async def main() -> None:
        ws = await open_ready(server)  # the connection itself is API_KEY
        await ws.send(start("mine", 'subscription { onOwnTodo(owner: "alice") { id owner } }', auth=alice))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "mine"}
        await ws.send(start("theirs", 'subscription { onOwnTodo(owner: "bob") { id } }', auth=alice))
        refused = await receive_except_ka(ws)
        assert refused["type"] == "error" and refused["id"] == "theirs"
        assert refused["payload"]["errors"][0]["errorType"] == "Unauthorized"
        await ws.send(start("as-key", 'subscription { onOwnTodo(owner: "alice") { id } }'))
        assert (await receive_except_ka(ws))["payload"]["errors"][0]["errorType"] == "Unauthorized"
        server.publish("createTodo", {"id": "1", "name": "x", "owner": "bob"})
        server.publish("createTodo", {"id": "2", "name": "x", "owner": "alice"})
        assert await receive_except_ka(ws) == {
            "type": "data",
            "id": "mine",
            "payload": {"data": {"onOwnTodo": {"id": "2", "owner": "alice"}}},
        }
        await ws.close()

    run(main())


def test_start_before_connection_init_is_accepted(server: Server) -> None:
    async def main() -> None:
        ws = await connect(server.url(), subprotocols=["graphql-ws", f"header-{b64url(API_AUTH)}"])  # type: ignore[list-item]
        await ws.send(start("early", "subscription { onCreateTodo { id } }"))
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "early"}
        await ws.close()

    run(main())


START_ERRORS = [
    (json.dumps({"id": "x", "type": "start", "payload": {"data": "{not json"}}), "BadRequestException", "x"),
    (json.dumps({"id": "x", "type": "start", "payload": {}}), "BadRequestException", "x"),
    (json.dumps({"type": "start", "payload": {"data": "{}"}}), "BadRequestException", None),
    (start("x", "subscription { onCreateTodo { nope } }"), "ValidationError", "x"),
    (start("x", "subscription { onCreateTodo { id }"), "GraphQLError", "x"),
    (start("x", "query { todo { id } }"), "UnsupportedOperation", "x"),
    (
        start("x", "subscription { onCreateTodo { id } }", auth={"x-api-key": "da2-wrong"}),
        "UnauthorizedException",
        "x",
    ),
    (
        start("x", "subscription { onCreateTodo { id } }", auth={"Authorization": "garbage"}),
        "UnauthorizedException",
        "x",
    ),
    (
        start(
            "x",
            ON_CREATE,
            {"filter": {"name": {"eq": "a"}, "or": [{"priority": {"eq": n}} for n in range(11)]}},
        ),
        "MappingTemplate",  # $util.transform.toSubscriptionFilter refuses more than 10 groups
        "x",
    ),
]


@pytest.mark.parametrize(
    ("frame", "error_type", "id"),
    START_ERRORS,
    ids=[
        "data-not-json",
        "no-data",
        "no-id",
        "invalid-document",
        "syntax-error",
        "not-a-subscription",
        "wrong-key",
        "bad-token",
        "filter-too-large",
    ],
)
def test_failed_starts_get_error_with_the_id(
    server: Server, frame: str, error_type: str, id: str | None
) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(frame)
        message = await receive_except_ka(ws)
        assert message["type"] == "error" and message.get("id") == id
        assert message["payload"]["errors"][0]["errorType"] == error_type
        await ws.send(start("after", "subscription { onCreateTodo { id } }"))  # the connection goes on
        assert await receive_except_ka(ws) == {"type": "start_ack", "id": "after"}
        await ws.close()

    run(main())


def test_duplicate_id(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("same", "subscription { onCreateTodo { id } }"))
        assert (await receive_except_ka(ws))["type"] == "start_ack"
        await ws.send(start("same", "subscription { onCreateTodo { name } }"))
        assert await receive_except_ka(ws) == {
            "type": "error",
            "id": "same",
            "payload": {
                "errors": [
                    {"errorType": "DuplicatedOperationError", "message": "Duplicated operation with id same"}
                ]
            },
        }
        server.publish("createTodo", {"id": "1", "name": "n"})
        assert (await receive_except_ka(ws))["payload"] == {
            "data": {"onCreateTodo": {"id": "1"}}
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
        await bystander.send(start("b", "subscription { onCreateTodo { id } }"))
        assert (await receive_except_ka(bystander))["type"] == "start_ack"
        ws = await open_ready(server, path="/fast")
        await ws.send(frame)
        message = await receive_except_ka(ws)
        assert message["type"] == "error"
        assert message["payload"]["errors"][0]["errorType"] == error_type
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await receive_except_ka(ws))["type"] == "connection_ack"  # still served
        server.publish("createTodo", {"id": "9", "name": "n"})
        assert (await receive_except_ka(bystander))["payload"] == {"data": {"onCreateTodo": {"id": "9"}}}
        await ws.close()
        await bystander.close()

    run(main())


def test_binary_frames_are_read_as_text(server: Server) -> None:
    async def main() -> None:
        ws = await open_ready(server)
        await ws.send(start("bin", "subscription { onCreateTodo { id } }").encode())
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
        before = len(server.runtime.subscriptions)
        await ws.send(start("gone", "subscription { onCreateTodo { id } }"))
        assert (await receive_except_ka(ws))["type"] == "start_ack"
        assert len(server.runtime.subscriptions) == before + 1
        await ws.close()
        for _ in range(100):
            if len(server.runtime.subscriptions) == before:
                break
            await asyncio.sleep(0.01)
        assert len(server.runtime.subscriptions) == before

    run(main())
