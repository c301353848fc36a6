"""The digest's chart image at ``/charts/<token>.png``, for Teams to load by URL.

Teams fetches a card's image without the bot's token, so the address itself is the key: a
token signed for the ``chart`` purpose (:mod:`switchover.links`) naming a stored digest, with its
expiry. A token that is not ours, was tampered with or names nothing is answered 404, an
expired one 410, each with no body that says more.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from switchover.links import LinkError

if TYPE_CHECKING:
    from switchover.services import Services

log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "private, max-age=3600",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Content-Disposition": "inline",
}


def setup(app: web.Application, services: Services) -> None:
    """Serve the digest's chart at ``/charts/<token>.png``."""

    async def chart(request: web.Request) -> web.StreamResponse:
        digest = services.digest
        if digest is None:
            raise web.HTTPNotFound
        try:
            png = await digest.chart(request.match_info["token"])
        except LinkError as exc:
            log.info("chart link refused", extra={"reason": exc.reason})
            if exc.reason == "expired":
                raise web.HTTPGone from None
            raise web.HTTPNotFound from None
        return web.Response(body=png, content_type="image/png", headers=HEADERS)

    app.router.add_get("/charts/{token}.png", chart)
