"""Every request body read whole before a handler sees it: bounded in size and in time.

A body does not arrive in one piece over a real network: Teams' Bot Connector,
an Azure front end, a reverse proxy or TLS records split the headers from the
body, and the body into several reads. ``request.content.read(n)`` returns only
what has arrived so far, so a handler that calls it once sees cut JSON. This
middleware reads the whole body with aiohttp's own ``Request.read()`` (which
loops until the end of the body, Content-Length or chunked, and refuses more
than ``client_max_size``), under a deadline, before any handler runs. The body
is then cached on the request: ``request.read()``, ``.text()`` and ``.json()``
in handlers return it without touching the socket again.

Answers, as JSON ``{"error": ...}`` like every other refusal:
    413  the body (declared or as it arrives, chunked included) is over the limit;
    408  the whole body did not arrive within the deadline (a client that stopped
         sending mid-body); the connection is closed, not waited on;
    400  the client went away or sent a broken framing mid-body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _refusal(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _answer_and_close(request: web.Request, response: web.Response) -> web.Response:
    """Send ``response`` now and close the connection after it.

    aiohttp would otherwise linger after the answer, reading and discarding the
    rest of an unfinished body for up to 10 s: the stalled client this answers.
    """
    response.force_close()  # "Connection: close"
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()  # sends what is buffered first
    return response


def body_reader(
    *, max_body_bytes: int, timeout_seconds: float
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """An aiohttp middleware reading each request's body whole (see the module docstring).

    The application must be built with ``client_max_size=max_body_bytes`` so that
    aiohttp's own reader enforces the same limit as the declared-length check here.
    """

    @web.middleware
    async def read_whole_body(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            declared = request.content_length
            if declared is not None and declared > max_body_bytes:
                # aiohttp reads and discards the rest for a while (lingering close), so the
                # client sees this answer rather than a reset connection.
                return _refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {max_body_bytes} bytes")
            try:
                async with asyncio.timeout(timeout_seconds):
                    await request.read()
            except web.HTTPRequestEntityTooLarge:
                return _refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {max_body_bytes} bytes")
            except TimeoutError:
                log.warning("%s %s: body not received within %gs", request.method, request.path, timeout_seconds)
                return await _answer_and_close(
                    request, _refusal(HTTPStatus.REQUEST_TIMEOUT, f"body not received within {timeout_seconds:g} s")
                )
            except (ConnectionError, ValueError) as exc:  # aiohttp's payload errors are ValueErrors / ConnectionErrors
                return _refusal(HTTPStatus.BAD_REQUEST, f"could not read body: {exc}")
        return await handler(request)

    return read_whole_body
