"""Everything on the API port besides `POST /graphql` and WebSockets: `/api-config`, `/clear-data`, the
control API (`/control/reset`, `/control/seed`), `GET /graphql` (refused) and the console's routes, on a
Starlette router that `server.AppSyncApp` builds on the first such request."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from amplify_local.mock.appsync.errors import RequestError
from amplify_local.mock.appsync.server import CORS_HEADERS, ServerState

log = logging.getLogger("amplify_local.appsync")


def router(state: ServerState, extra_routes: list[Route]) -> Starlette:
    """The router over `state` (its simulator is replaced on reload, so handlers read it per request)."""

    async def graphql_get(request: Request) -> Response:
        return JSONResponse(RequestError(405, "MethodNotAllowedException", "Send GraphQL requests with POST")
                            .to_body(), status_code=405, headers=dict((k.decode(), v.decode()) for k, v in CORS_HEADERS))

    async def api_config(request: Request) -> Response:
        api = state.simulator.api

        def provider(auth: Any) -> dict[str, Any]:
            entry: dict[str, Any] = {"authenticationType": auth.type}
            if auth.openid_issuer:
                entry["openIDConnectConfig"] = {"Issuer": auth.openid_issuer, "ClientId": auth.openid_client_id}
            if auth.user_pool_id:
                entry["cognitoUserPoolConfig"] = {"UserPoolId": auth.user_pool_id}
            return entry

        return JSONResponse({
            "name": api.name,
            "apiKey": api.api_key,
            "defaultAuthenticationType": provider(api.default_auth),
            "additionalAuthenticationProviders": [provider(extra) for extra in api.additional_auth],
        }, headers={"access-control-allow-origin": "*"})

    async def clear_data(request: Request) -> Response:
        if state.engine is None:
            return JSONResponse({"message": "This server has no tables to clear"}, status_code=500)
        try:
            tables = list(state.engine.clear())
        except Exception as error:
            log.exception("clear-data failed")
            return JSONResponse({"message": f"Failed to clear tables: {error}"}, status_code=500)
        return JSONResponse({"message": f"Successfully deleted {json.dumps(tables)} tables"},
                            headers={"access-control-allow-origin": "*"})

    async def reset(request: Request) -> Response:
        """Control API: empty every table (what `amplify mock api --reset` does at start)."""
        return await clear_data(request)

    async def seed(request: Request) -> Response:
        """Control API: `{"TableName": [item, ...]}` with items as plain JSON; answers the counts written.
        A bad body or an unknown table is a 400 before anything is written; an item the table refuses
        (a missing key) is a 400 saying what was written before it."""
        from amplify_local.mock.appsync.vtl.util.dynamodb import to_map_values

        try:
            body = await request.json()
        except ValueError as error:
            return JSONResponse({"message": f"The body is not JSON: {error}"}, status_code=400)
        tables = {table.name for table in state.simulator.api.tables}
        if not isinstance(body, dict) or not all(isinstance(v, list) for v in body.values()):
            return JSONResponse({"message": 'Expected {"TableName": [item, ...], ...}'}, status_code=400)
        unknown = sorted(set(body) - tables)
        if unknown or state.engine is None:
            return JSONResponse({"message": f"Unknown tables {unknown}; the API has {sorted(tables)}"},
                                status_code=400)
        written: dict[str, int] = {}
        try:
            for table, items in body.items():
                for item in items:
                    state.engine.put_item({"TableName": table, "Item": to_map_values(item)})
                written[table] = len(items)
        except Exception as error:
            return JSONResponse({"message": f"Seeding failed after {written}: {error}"}, status_code=400)
        return JSONResponse({"written": written}, headers={"access-control-allow-origin": "*"})

    return Starlette(routes=[
        Route("/api-config", api_config, methods=["GET"]),
        Route("/clear-data", clear_data, methods=["DELETE"]),
        Route("/control/reset", reset, methods=["POST"]),
        Route("/control/seed", seed, methods=["POST"]),
        Route("/graphql", graphql_get, methods=["GET"]),
        *extra_routes,
    ])
