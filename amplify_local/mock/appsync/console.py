"""The console's server side: its static files (shipped in the package, so it works offline), the RS256
key that signs the tokens it mints (public half at `/.well-known/jwks.json`), and IAM request signing
with the mock's credentials.

Tokens minted here are real JWTs: the authorizer verifies their signature (always: a token claiming our
key id or issuer with a bad signature is refused), their expiry and, for OIDC, the issuer and audience.
"""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amplify_local.mock.appsync.auth import (
    CONSOLE_ISSUER,
    IamCredentials,
    RequestParts,
    sigv4_signature,
    unauthorized,
)

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

ASSETS = Path(__file__).with_name("console_assets")
TOKEN_LIFETIME = 12 * 3600
CLIENT_ID = "amplifylocalconsole"


class ConsoleKeys:
    """One RSA key per mock process, generated on first use (it costs tens of milliseconds)."""

    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex
        self._private: Any = None

    def _key(self) -> Any:
        if self._private is None:
            from cryptography.hazmat.primitives.asymmetric import rsa

            self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._private

    def jwks(self) -> dict[str, Any]:
        numbers = self._key().public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")

        return {"keys": [{"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                          "n": b64(numbers.n), "e": b64(numbers.e)}]}

    def mint(self, claims: dict[str, Any]) -> str:
        import jwt

        return jwt.encode(claims, self._key(), algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this console minted; 401 for a bad signature or an unknown key."""
        import jwt

        if self._private is None:
            raise unauthorized("Invalid JWT token: not signed by this mock's console key")
        try:
            return jwt.decode(token.removeprefix("Bearer ").strip(), self._private.public_key(),
                              algorithms=["RS256"], options={"verify_aud": False, "verify_exp": False})
        except jwt.PyJWTError as error:
            raise unauthorized(f"Invalid JWT token: {error}") from None


KEYS = ConsoleKeys()


def _claims(body: dict[str, Any], oidc_issuer: str | None) -> dict[str, Any]:
    now = int(time.time())
    username = str(body.get("username") or "user1")
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"amplify-local/{username}")),
        "iss": oidc_issuer if body.get("mode") == "OPENID_CONNECT" and oidc_issuer else CONSOLE_ISSUER,
        "aud": CLIENT_ID,
        "token_use": "id",
        "auth_time": now,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "cognito:username": username,
        "email": body.get("email") or f"{username}@example.com",
    }
    groups = [str(group) for group in body.get("groups") or []]
    if groups:
        claims["cognito:groups"] = groups
    extra = body.get("claims") or {}
    if not isinstance(extra, dict):
        raise ValueError("claims must be a JSON object")
    claims.update(extra)
    return claims


def routes(state: Any) -> list[Route]:
    """The console's routes; `state` is the server's `ServerState` (the API can change on reload). Built on
    the first request outside `/graphql`, so Starlette's imports stay off the cold start."""
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Route

    async def index(request: Request) -> Response:
        return FileResponse(ASSETS / "index.html")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        path = ASSETS / name
        if "/" in name or not path.is_file():
            return JSONResponse({"message": f"No console file {name}"}, status_code=404)
        return FileResponse(path)

    async def jwks(request: Request) -> Response:
        return JSONResponse(KEYS.jwks())

    async def token(request: Request) -> Response:
        api = state.simulator.api
        oidc = next((p for p in (api.default_auth, *api.additional_auth) if p.type == "OPENID_CONNECT"), None)
        try:
            body = await request.json()
            claims = _claims(body if isinstance(body, dict) else {}, oidc.openid_issuer if oidc else None)
        except ValueError as error:
            return JSONResponse({"message": f"Cannot mint a token: {error}"}, status_code=400)
        if oidc is not None and oidc.openid_client_id and claims["iss"] == oidc.openid_issuer:
            claims["aud"] = oidc.openid_client_id.split(",")[0]
        return JSONResponse({"token": KEYS.mint(claims), "claims": claims})

    async def sign(request: Request) -> Response:
        body = await request.json()
        iam = IamCredentials()
        access_key = iam.auth_access_key if body.get("role") != "unauth" else iam.unauth_access_key
        now = datetime.now(UTC)
        date, amz_date = now.strftime("%Y%m%d"), now.strftime("%Y%m%dT%H%M%SZ")
        headers = {"host": request.headers.get("host", ""), "x-amz-date": amz_date}
        payload = str(body.get("body", "")).encode()
        credential = [access_key, date, "us-east-1", "appsync", "aws4_request"]
        signature = sigv4_signature(iam.secret_key, credential, "host;x-amz-date", headers,
                                    RequestParts("POST", "/graphql", "", payload))
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={'/'.join(credential)}, "
                                    f"SignedHeaders=host;x-amz-date, Signature={signature}")
        del headers["host"]  # the browser sends it itself
        return JSONResponse({"headers": headers})

    return [
        Route("/", index, methods=["GET"]),
        Route("/console/{name}", asset, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/console/token", token, methods=["POST"]),
        Route("/console/sign", sign, methods=["POST"]),
    ]
