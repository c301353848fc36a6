"""The API's one bearer-token check, as an aiohttp middleware.

Every route under ``/api/`` needs ``Authorization: Bearer <SWITCHOVER_API_TOKEN>``
(compared in constant time), except ``/api/messages``, which Teams calls with
its own Bot Framework token, and ``/api/openapi.json``, which tools read to
discover the API. A request that matches no route is left to the router (404
or 405 as for any path). No token configured: no API routes, no middleware.
"""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

PREFIX = "/api/"
PUBLIC = frozenset({"/api/messages", "/api/openapi.json"})  # Bot Framework auth; API discovery
SECURITY_SCHEMES: dict[str, Any] = {"bearer": {"type": "http", "scheme": "bearer"}}
"""How the OpenAPI document describes this check (``components.securitySchemes``)."""


def bearer_token(token: str) -> Middleware:
    """The middleware refusing API requests without ``Bearer <token>`` (401, JSON ``{"error": ...}``)."""
    if not token:
        raise ValueError("the API's bearer token is empty")
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        path = resource.canonical if resource is not None else ""
        if path.startswith(PREFIX) and path not in PUBLIC:
            given = request.headers.get("Authorization", "").encode(errors="surrogateescape")
            if not hmac.compare_digest(given, expected):
                return web.json_response(
                    {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": 'Bearer realm="switchover"'}
                )
        return await handler(request)

    return require_token
