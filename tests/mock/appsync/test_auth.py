"""Request classification per auth mode, and field-level `@aws_*` / `cognito_groups` checks."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from amplify_local.mock.appsync import loader
from amplify_local.mock.appsync.auth import Authorizer, IamCredentials, RequestParts
from amplify_local.mock.appsync.errors import RequestError
from amplify_local.mock.dynamodb import Engine
from amplify_local.transformer.types import (
    ApiDefinition,
    AuthProvider,
    DataSourceConfig,
    MappingTemplate,
    Resolver,
)


def _api(default: str, *extra: AuthProvider, schema: str = "type Query { a: Int }") -> ApiDefinition:
    return ApiDefinition(name="t", schema=schema, default_auth=AuthProvider(default), additional_auth=list(extra))


def _jwt(**claims) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    payload = {"sub": "sub-alice", "cognito:username": "alice", "exp": time.time() + 600, **claims}
    return f"{part({'alg': 'none'})}.{part(payload)}.sig"


COGNITO_ISS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"


def _refused(authorizer: Authorizer, headers: dict, reason: str, request: RequestParts | None = None) -> None:
    with pytest.raises(RequestError) as caught:
        authorizer.classify(headers, request)
    assert (caught.value.status, caught.value.error_type) == (401, "UnauthorizedException")
    assert reason in caught.value.message


def test_api_key() -> None:
    authorizer = Authorizer(_api("API_KEY"))
    identity = authorizer.classify({"x-api-key": "da2-fakeApiId123456"})
    assert (identity.mode, identity.resolver_fields) == ("API_KEY", None)
    _refused(authorizer, {"x-api-key": "da2-wrong"}, "Invalid API key")
    _refused(authorizer, {}, "Missing authorization")


def test_expired_api_key_is_refused() -> None:
    api = _api("API_KEY")
    api.api_key_expires = int(time.time()) - 1
    _refused(Authorizer(api), {"X-Api-Key": "da2-fakeApiId123456"}, "expired")


def test_cognito_identity_and_expiry() -> None:
    authorizer = Authorizer(_api("AMAZON_COGNITO_USER_POOLS", AuthProvider("API_KEY")))
    identity = authorizer.classify({"authorization": _jwt(iss=COGNITO_ISS, **{"cognito:groups": ["Admin"]})})
    assert identity.mode == "AMAZON_COGNITO_USER_POOLS"
    fields = identity.resolver_fields
    assert (fields["sub"], fields["username"], fields["issuer"], fields["groups"]) == (
        "sub-alice", "alice", COGNITO_ISS, ["Admin"])
    assert fields["defaultAuthStrategy"] == "ALLOW" and fields["sourceIp"] == ["127.0.0.1"]
    _refused(authorizer, {"authorization": _jwt(iss=COGNITO_ISS, exp=time.time() - 5)}, "expired")
    _refused(authorizer, {"authorization": _jwt(iss="https://elsewhere")}, "Invalid JWT token")
    _refused(authorizer, {"authorization": "not-a-jwt"}, "Invalid JWT token")


@pytest.fixture(scope="module")
def issuer():
    """A real OpenID issuer on a local socket: discovery document and JWKS, and its signing key."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    documents: dict[str, dict] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(documents[self.path]).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    documents["/.well-known/openid-configuration"] = {"issuer": url, "jwks_uri": f"{url}/jwks"}
    documents["/jwks"] = {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url, key
    server.shutdown()


def test_oidc_signature_issuer_and_client_id(issuer) -> None:
    import jwt

    url, key = issuer
    oidc = AuthProvider("OPENID_CONNECT", openid_issuer=url, openid_client_id="web")
    authorizer = Authorizer(_api("OPENID_CONNECT", oidc))
    authorizer.providers["OPENID_CONNECT"] = oidc

    def token(**claims) -> str:
        payload = {"sub": "sub-alice", "iss": url, "aud": "web", "exp": time.time() + 600, **claims}
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})

    identity = authorizer.classify({"Authorization": token()})
    assert identity.mode == "OPENID_CONNECT" and identity.resolver_fields["sub"] == "sub-alice"
    _refused(authorizer, {"Authorization": token(aud="other")}, "audience")
    _refused(authorizer, {"Authorization": _jwt(iss=url, aud="web")}, "Invalid JWT token")  # unsigned
    header, _payload, signature = token().split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"sub": "root", "iss": url, "aud": "web"}).encode())
    _refused(authorizer, {"Authorization": f"{header}.{forged.decode().rstrip('=')}.{signature}"},
             "Invalid JWT token")


def _signed(access_key: str, secret: str, body: bytes) -> tuple[dict, RequestParts]:
    request = AWSRequest("POST", "http://127.0.0.1:20002/graphql", data=body,
                         headers={"content-type": "application/json", "host": "127.0.0.1:20002"})
    SigV4Auth(Credentials(access_key, secret), "appsync", "us-east-1").add_auth(request)
    return dict(request.headers.items()), RequestParts("POST", "/graphql", "", body)


def test_iam_signature_verified_against_mock_credentials() -> None:
    iam = IamCredentials()
    authorizer = Authorizer(_api("AWS_IAM"))
    body = b'{"query":"{ a }"}'
    headers, request = _signed(iam.auth_access_key, iam.secret_key, body)
    identity = authorizer.classify(headers, request)
    assert identity.mode == "AWS_IAM"
    assert identity.resolver_fields["username"] == "auth-user"
    assert identity.resolver_fields["userArn"].endswith(iam.auth_role)
    headers, request = _signed(iam.unauth_access_key, iam.secret_key, body)
    assert authorizer.classify(headers, request).resolver_fields["cognitoIdentityAuthType"] == "unauthenticated"
    headers, request = _signed(iam.auth_access_key, "wrong-secret", body)
    _refused(authorizer, headers, "signature", request)
    headers, request = _signed(iam.auth_access_key, iam.secret_key, body)
    _refused(authorizer, headers, "signature", RequestParts("POST", "/graphql", "", b'{"query":"{ b }"}'))


def test_iam_header_refused_when_the_api_has_no_iam() -> None:
    _refused(Authorizer(_api("API_KEY")), {"authorization": "AWS4-HMAC-SHA256 Credential=x/1/2/3/aws4_request"},
             "IAM authorization is not enabled")


def test_lambda_authorizer_runs_the_function(tmp_path: Path) -> None:
    from amplify_local.mock.appsync.service import Functions, _lambda_authorizer

    (tmp_path / "gate.js").write_text(
        "exports.handler = async (event) => ({ isAuthorized: event.authorizationToken === 'open-sesame',"
        " resolverContext: { tenant: 't1' }, deniedFields: ['Query.secret'] });\n")
    runner = Functions(None, lambda_dir=tmp_path)
    api = _api("AWS_LAMBDA", schema="type Query { a: Int secret: Int }")
    api.default_auth = AuthProvider("AWS_LAMBDA", lambda_function="gate")
    authorizer = Authorizer(api, lambda_authorizer=_lambda_authorizer(runner))

    async def scenario() -> None:
        try:
            identity = await authorizer.authorize({"authorization": "open-sesame"}, None, {"query": "{ a }"})
            assert identity.mode == "AWS_LAMBDA"
            assert identity.resolver_fields == {"resolverContext": {"tenant": "t1"}}
            assert identity.denied_fields == frozenset({"Query.secret"})
            with pytest.raises(RequestError) as caught:
                await authorizer.authorize({"authorization": "wrong"}, None, {"query": "{ a }"})
            assert caught.value.status == 401
        finally:
            await runner.close()

    asyncio.run(scenario())


FIELD_SCHEMA = """
type Query {
  open: Int @aws_api_key @aws_cognito_user_pools
  admins: Int @aws_cognito_user_pools(cognito_groups: ["Admin"])
  keyOnly: Int @aws_api_key
  fallback: Int
  item: Item @aws_api_key @aws_cognito_user_pools
}
type Item @aws_api_key {
  id: ID
  private: Int @aws_cognito_user_pools
}
"""


@pytest.fixture(scope="module")
def multi():
    api = _api("AMAZON_COGNITO_USER_POOLS", AuthProvider("API_KEY"), schema=FIELD_SCHEMA)
    api.data_sources["NONE"] = DataSourceConfig("NONE", "NONE")
    api.resolvers[("Query", "item")] = Resolver(
        "Query", "item", data_source="NONE",
        request=MappingTemplate('{"version": "2018-05-29", "payload": {"id": "i1", "private": 7}}'),
        response=MappingTemplate("$util.toJson($ctx.result)"))
    return loader.load(api, Engine.open(None))


def _query(simulator, headers: dict, query: str) -> dict:
    return asyncio.run(simulator.handle({"query": query}, headers))[1]


def _denied(body: dict) -> list[list]:
    assert all(error["errorType"] == "Unauthorized" for error in body.get("errors", []))
    return sorted(error["path"] for error in body.get("errors", []))


def test_field_directives_decide_per_mode(multi) -> None:
    key = {"x-api-key": "da2-fakeApiId123456"}
    body = _query(multi, key, "{ open admins keyOnly fallback }")
    assert _denied(body) == [["admins"], ["fallback"]]
    assert body["errors"][0]["message"].startswith("Not Authorized to access")
    user = {"authorization": _jwt(iss=COGNITO_ISS)}
    assert _denied(_query(multi, user, "{ open admins keyOnly fallback }")) == [["admins"], ["keyOnly"]]
    admin = {"authorization": _jwt(iss=COGNITO_ISS, **{"cognito:groups": ["Admin"]})}
    assert _denied(_query(multi, admin, "{ open admins fallback }")) == []


def test_type_directives_apply_to_fields_without_their_own(multi) -> None:
    user = {"authorization": _jwt(iss=COGNITO_ISS)}
    body = _query(multi, user, "{ item { id private } }")
    assert body["data"] == {"item": {"id": None, "private": 7}}
    assert _denied(body) == [["item", "id"]]
    body = _query(multi, {"x-api-key": "da2-fakeApiId123456"}, "{ item { id private } }")
    assert body["data"] == {"item": {"id": "i1", "private": None}}
    assert _denied(body) == [["item", "private"]]


def test_lambda_authorizer_answers_are_cached_per_token(tmp_path: Path) -> None:
    from amplify_local.mock.appsync.service import Functions, _lambda_authorizer

    (tmp_path / "count.js").write_text(
        "let calls = 0;\nexports.handler = async (event) => { calls += 1;"
        " return { isAuthorized: true, resolverContext: { calls }, ttlOverride: event.authorizationToken === 'short'"
        " ? 0 : 60 }; };\n")
    runner = Functions(None, lambda_dir=tmp_path)
    api = _api("AWS_LAMBDA")
    api.default_auth = AuthProvider("AWS_LAMBDA", lambda_function="count")
    authorizer = Authorizer(api, lambda_authorizer=_lambda_authorizer(runner))

    async def calls(token: str) -> int:
        identity = await authorizer.authorize({"authorization": token}, None, {"query": "{ a }"})
        return identity.resolver_fields["resolverContext"]["calls"]

    async def scenario() -> list[int]:
        try:
            return [await calls("long"), await calls("long"), await calls("short"), await calls("short")]
        finally:
            await runner.close()

    assert asyncio.run(scenario()) == [1, 1, 2, 3]
