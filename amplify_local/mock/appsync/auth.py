"""Who is calling: request-level classification (one of the API's modes, or HTTP 401) and field-level checks.

Classification follows AppSync's order: an `x-api-key` header is the API_KEY mode when the API has it;
an `Authorization` header starting `AWS4-HMAC-SHA256` is AWS_IAM (SigV4, verified against the mock's
credentials when the request body is at hand); any other `Authorization` is a JWT, a Cognito user-pool
token when its `iss` is a `cognito-idp` issuer, an OIDC token when `iss` is a configured issuer, else the
AWS_LAMBDA authorizer's token when the API has one. JWTs must not be expired; their signature is checked
when it can be: always for tokens the console minted (our RS256 key), for OIDC tokens against the
configured issuer's keys when the issuer can be reached, never for Cognito tokens of real user pools
(their JWKS is not reachable offline; the corpus' test tokens are unsigned).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from amplify_local.mock.appsync.errors import RequestError, UnauthorizedError
from amplify_local.mock.appsync.schema import FieldAuth
from amplify_local.mock.appsync.types import Identity
from amplify_local.transformer.types import ApiDefinition, AuthProvider

log = logging.getLogger("amplify_local.appsync")

ACCOUNT_ID = "12345678910"
CONSOLE_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_amplifylocal"


@dataclass(frozen=True)
class IamCredentials:
    """The mock's credentials: signing with the auth pair makes an authenticated caller, the unauth pair
    (or any other well-formed key) an unauthenticated one. Published in `/api-config` for clients."""

    auth_access_key: str = "ASIAVJKIAM-AuthRole"
    unauth_access_key: str = "ASIAVJKI-UnAuthRole"
    secret_key: str = "amplify-local-mock-secret"
    auth_role: str = "assumed-role/authRole/CognitoIdentityCredentials"
    unauth_role: str = "assumed-role/unAuthRole/CognitoIdentityCredentials"


@dataclass
class RequestParts:
    """What SigV4 signs; `body` None means the caller cannot give it (then the signature is not checked)."""

    method: str = "POST"
    path: str = "/graphql"
    query: str = ""
    body: bytes | None = None


# (function, token, headers, GraphQL request body) -> the caller, or RequestError 401
LambdaAuthorizer = Callable[[AuthProvider, str, dict[str, str], Mapping[str, Any]], Awaitable[Identity]]


def unauthorized(reason: str) -> RequestError:
    return RequestError(401, "UnauthorizedException", f"UnauthorizedException: {reason}")


@dataclass
class Authorizer:
    """Decides who calls (HTTP and realtime) from the request's credentials, per the API's auth modes."""

    api: ApiDefinition
    keys: Any = None  # console.ConsoleKeys: verifies the tokens the console mints
    iam: IamCredentials = field(default_factory=IamCredentials)
    lambda_authorizer: LambdaAuthorizer | None = None
    source_ip: str = "127.0.0.1"

    def __post_init__(self) -> None:
        self.modes = set(self.api.auth_modes)
        self.providers: dict[str, AuthProvider] = {
            provider.type: provider for provider in (self.api.default_auth, *self.api.additional_auth)
        }

    def classify(self, headers: Mapping[str, str], request: RequestParts | None = None) -> Identity:
        """Classify without the Lambda authorizer (raises `RequestError` 401 when it would be needed)."""
        identity = self._classify(headers, request)
        if identity is None:
            raise unauthorized("Invalid JWT token" if _header(headers, "authorization") else "Missing authorization")
        return identity

    async def authorize(
        self, headers: Mapping[str, str], request: RequestParts | None = None, body: Mapping[str, Any] | None = None
    ) -> Identity:
        """Classify, falling back on the AWS_LAMBDA authorizer for a token no other mode claims."""
        identity = self._classify(headers, request)
        if identity is not None:
            return identity
        token = _header(headers, "authorization")
        if token and "AWS_LAMBDA" in self.modes and self.lambda_authorizer is not None:
            return await self.lambda_authorizer(self.providers["AWS_LAMBDA"], token, dict(headers), body or {})
        raise unauthorized("Invalid JWT token" if token else "Missing authorization")

    def _classify(self, headers: Mapping[str, str], request: RequestParts | None) -> Identity | None:
        api_key = _header(headers, "x-api-key")
        if api_key is not None and "API_KEY" in self.modes:
            if api_key != self.api.api_key:
                raise unauthorized("Invalid API key")
            if self.api.api_key_expires is not None and self.api.api_key_expires < time.time():
                raise unauthorized("API key has expired")
            return Identity("API_KEY", None)
        token = _header(headers, "authorization")
        if not token:
            if api_key is not None:
                raise unauthorized("Invalid API key")
            return None
        if token.startswith("AWS4-HMAC-SHA256"):
            if "AWS_IAM" not in self.modes:
                raise unauthorized("IAM authorization is not enabled for this API")
            return self._iam(token, headers, request)
        claims = self._jwt_claims(token)
        if claims is None:
            return None
        issuer = str(claims.get("iss", ""))
        if "AMAZON_COGNITO_USER_POOLS" in self.modes and issuer.startswith("https://cognito-idp."):
            return self._cognito(claims)
        oidc = self.providers.get("OPENID_CONNECT")
        if oidc is not None and oidc.openid_issuer and issuer.rstrip("/") == oidc.openid_issuer.rstrip("/"):
            if not self._console_token(token, claims):
                OIDC_KEYS.verify(token, oidc.openid_issuer)
            self._check_oidc_ttl(oidc, claims)
            return Identity(
                "OPENID_CONNECT",
                {"sub": claims.get("sub"), "issuer": issuer, "claims": claims, "sourceIp": [self.source_ip]},
                claims,
            )
        return None

    def _jwt_claims(self, token: str) -> dict[str, Any] | None:
        token = token.removeprefix("Bearer ").strip()
        parts = token.split(".")
        if len(parts) != 3:
            return None
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
        except ValueError:
            return None
        if not isinstance(claims, dict):
            return None
        if self._console_token(token, claims, header):
            claims = self.keys.verify(token)  # raises RequestError 401 on a bad signature
        exp = claims.get("exp")
        if isinstance(exp, int | float) and exp < time.time():
            raise unauthorized("Token has expired.")
        return claims

    def _console_token(self, token: str, claims: dict[str, Any], header: dict[str, Any] | None = None) -> bool:
        """Whether a token claims to come from our console (its key id or its issuer)."""
        if self.keys is None:
            return False
        if header is None:
            header = json.loads(_b64decode(token.removeprefix("Bearer ").strip().split(".")[0]))
        return header.get("kid") == self.keys.kid or claims.get("iss") == CONSOLE_ISSUER

    def _cognito(self, claims: dict[str, Any]) -> Identity:
        fields: dict[str, Any] = {
            "sub": claims.get("sub"),
            "issuer": claims.get("iss"),
            "username": claims.get("cognito:username", claims.get("username")),
            "claims": claims,
            "sourceIp": [self.source_ip],
            "groups": claims.get("cognito:groups"),
        }
        if self.api.default_auth.type == "AMAZON_COGNITO_USER_POOLS":
            fields["defaultAuthStrategy"] = "ALLOW"
        return Identity("AMAZON_COGNITO_USER_POOLS", fields, claims)

    def _check_oidc_ttl(self, provider: AuthProvider, claims: dict[str, Any]) -> None:
        now = time.time()
        if provider.openid_iat_ttl and now - float(claims.get("iat", now)) > provider.openid_iat_ttl / 1000:
            raise unauthorized("Token has expired.")
        if provider.openid_auth_ttl and now - float(claims.get("auth_time", now)) > provider.openid_auth_ttl / 1000:
            raise unauthorized("Token has expired.")
        if provider.openid_client_id:
            audience = claims.get("aud", claims.get("client_id"))
            audiences = audience if isinstance(audience, list) else [audience]
            if not any(a and a in provider.openid_client_id.split(",") for a in audiences):
                raise unauthorized("Invalid JWT token: audience does not match the API's client id")

    def _iam(self, value: str, headers: Mapping[str, str], request: RequestParts | None) -> Identity:
        fields = dict(
            part.strip().split("=", 1) for part in value.removeprefix("AWS4-HMAC-SHA256").split(",") if "=" in part
        )
        credential = fields.get("Credential", "").split("/")
        if len(credential) != 5 or not fields.get("Signature") or not fields.get("SignedHeaders"):
            raise unauthorized("Invalid IAM signature: expected Credential=KEY/DATE/REGION/SERVICE/aws4_request, "
                               "SignedHeaders=..., Signature=...")
        access_key = credential[0]
        if request is not None and request.body is not None:
            expected = sigv4_signature(self.iam.secret_key, credential, fields["SignedHeaders"], headers, request)
            if not hmac.compare_digest(expected, fields["Signature"]):
                raise unauthorized("The request signature we calculated does not match the signature you provided.")
        authenticated = access_key == self.iam.auth_access_key
        role = self.iam.auth_role if authenticated else self.iam.unauth_role
        return Identity(
            "AWS_IAM",
            {
                "accountId": ACCOUNT_ID,
                "sourceIp": [self.source_ip],
                "username": "auth-user" if authenticated else "unauth-user",
                "userArn": f"arn:aws:sts::{ACCOUNT_ID}:{role}",
                "cognitoIdentityPoolId": None,
                "cognitoIdentityId": None,
                "cognitoIdentityAuthType": "authenticated" if authenticated else "unauthenticated",
                "cognitoIdentityAuthProvider": None,
            },
        )


class IssuerKeys:
    """Signature checks for OIDC tokens against the configured issuer's published keys (OpenID discovery,
    then its `jwks_uri`), fetched once per issuer. An issuer that cannot be reached (offline work) is
    reported once and its tokens are then only checked for issuer, expiry, TTLs and audience."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self.clients: dict[str, Any] = {}  # issuer -> PyJWKClient, or None when unreachable

    def _client(self, issuer: str) -> Any:
        if issuer not in self.clients:
            import httpx
            import jwt

            try:
                discovery = httpx.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=self.timeout)
                discovery.raise_for_status()
                self.clients[issuer] = jwt.PyJWKClient(discovery.json()["jwks_uri"], timeout=int(self.timeout) or 1)
            except (httpx.HTTPError, ValueError, KeyError) as error:
                log.warning("OIDC issuer %s is not reachable (%s): its tokens' signatures are not checked", issuer,
                            error)
                self.clients[issuer] = None
        return self.clients[issuer]

    def verify(self, token: str, issuer: str) -> None:
        import jwt

        client = self._client(issuer)
        if client is None:
            return
        try:
            key = client.get_signing_key_from_jwt(token)
            jwt.decode(token, key.key, algorithms=["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"],
                       options={"verify_aud": False, "verify_exp": False})
        except jwt.PyJWTError as error:
            raise unauthorized(f"Invalid JWT token: {error}") from None


OIDC_KEYS = IssuerKeys()


def check_field(auth: FieldAuth, identity: Identity, type_name: str, field_name: str) -> None:
    """Raise `Unauthorized` unless the caller's mode (and Cognito groups) may read `type_name.field_name`."""
    allowed = identity.mode in auth.modes
    if allowed and auth.groups is not None and identity.mode == "AMAZON_COGNITO_USER_POOLS":
        groups = identity.claims.get("cognito:groups") or ()
        allowed = any(group in auth.groups for group in groups)
    if allowed and identity.denied_fields and (
        f"{type_name}.{field_name}" in identity.denied_fields or _arn_denied(identity, type_name, field_name)
    ):
        allowed = False
    if not allowed:
        raise UnauthorizedError(f"Not Authorized to access {field_name} on type {type_name}", data={}, error_info={})


def _arn_denied(identity: Identity, type_name: str, field_name: str) -> bool:
    suffix = f"/types/{type_name}/fields/{field_name}"
    return any(name.endswith(suffix) for name in identity.denied_fields)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        for key, candidate in headers.items():
            if key.lower() == name:
                return candidate
    return value


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sigv4_signature(
    secret: str, credential: list[str], signed_headers: str, headers: Mapping[str, str], request: RequestParts
) -> str:
    """AWS Signature Version 4 over the request as received (the same computation botocore signs with)."""
    _key, date, region, service, _terminal = credential
    names = signed_headers.split(";")
    canonical_headers = "".join(f"{name}:{' '.join((_header(headers, name) or '').split())}\n" for name in names)
    query = "&".join(
        sorted(
            "=".join(quote(part, safe="-_.~") for part in ([*pair.split("=", 1), ""])[:2])
            for pair in request.query.split("&") if pair
        )
    )
    canonical = "\n".join([
        request.method,
        quote(request.path, safe="/-_.~"),
        query,
        canonical_headers,
        signed_headers,
        hashlib.sha256(request.body or b"").hexdigest(),
    ])
    amz_date = _header(headers, "x-amz-date") or ""
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
