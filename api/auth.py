"""The API's token check, as an aiohttp middleware: who is calling, for which tenant, to read or to write.

Every route under ``/api/`` needs ``Authorization: Bearer <token>`` with a token of
:class:`~switchover.api_tokens.ApiTokens` (hashed and compared in constant time),
except ``/api/messages``, which Teams calls with its own Bot Framework token, and
``/api/openapi.json``, which tools read to discover the API. A request that matches
no route is left to the router (404 or 405 as for any path). No token configured:
no API routes, no middleware.

The tenant a request works on is settled here, once, by :func:`switchover.access.api_tenant`
(``?tenant=`` only for a tenant the token covers; GET, HEAD and OPTIONS read, anything else
writes) and handed to the handlers as ``request[TENANT]`` and ``request[GRANT]``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from switchover.access import ApiGrant, ApiRefused, api_tenant
from switchover.api_tokens import ApiTokens

log = logging.getLogger(__name__)

PREFIX = "/api/"
PUBLIC = frozenset({"/api/messages", "/api/openapi.json"})  # Bot Framework auth; API discovery
READING = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_SCHEMES: dict[str, Any] = {"bearer": {"type": "http", "scheme": "bearer"}}
"""How the OpenAPI document describes this check (``components.securitySchemes``)."""

GRANT = web.RequestKey("api_grant", ApiGrant)
TENANT = web.RequestKey("api_tenant", str)
REFRESH_SECONDS = 1.0  # how often the token file's stamp is looked at, at most


def _unauthorized() -> web.Response:
    return web.json_response(
        {"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": 'Bearer realm="switchover"'}
    )


def bearer_tokens(tokens: ApiTokens, served: Callable[[], Awaitable[str | None]]) -> Middleware:
    """The middleware refusing API requests without a valid token (401) or beyond its grant (403).

    Args:
        tokens: The valid tokens (the file is re-read when it changes).
        served: The tenant this instance serves, if known.
    """
    last_refresh = 0.0

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal last_refresh
        resource = request.match_info.route.resource
        path = resource.canonical if resource is not None else ""
        if not path.startswith(PREFIX) or path in PUBLIC:
            return await handler(request)
        if time.monotonic() - last_refresh >= REFRESH_SECONDS:
            last_refresh = time.monotonic()
            await asyncio.to_thread(tokens.refresh)
        given = request.headers.get("Authorization", "")
        grant = tokens.check(given[len("Bearer ") :]) if given.startswith("Bearer ") and _utf8(given) else None
        if grant is None:
            return _unauthorized()
        try:
            tenant = api_tenant(grant, request.query.get("tenant"), await served(), write=request.method not in READING)
        except ApiRefused as exc:
            log.info("API request refused", extra={"token_name": grant.name, "status": exc.status})
            return web.json_response({"error": exc.message}, status=exc.status)
        request[GRANT] = grant
        request[TENANT] = tenant
        return await handler(request)

    return require_token


def _utf8(text: str) -> bool:
    """Whether ``text`` can be hashed as UTF-8: a header of other bytes (surrogate escapes) is no token of ours."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
