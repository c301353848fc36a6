"""The one module that turns an aiohttp request into an adapter call (and nothing else touches HTTP for the bot)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

import jwt
import orjson
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.serialization import DeserializationError

from bot import tenants
from bot.adapter import SigningKeysUnavailable, Unauthorized
from bot.inbound import check_shape
from bot.wire import from_wire

log = logging.getLogger(__name__)

Logic = Callable[[TurnContext], Awaitable[None]]


class ActivityRejected(Exception):
    """A request that is not a usable Bot Framework activity (-> 4xx)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_activity(body: bytes) -> Activity:
    """Validate the minimum the bot relies on and build the Activity."""
    if body.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark, which RFC 8259 lets a parser ignore
        body = body[3:]
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:  # a ValueError; also invalid UTF-8
        raise ActivityRejected(HTTPStatus.BAD_REQUEST, f"body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ActivityRejected(HTTPStatus.BAD_REQUEST, "body must be a JSON object (a Bot Framework activity)")
    missing = [k for k in ("type", "serviceUrl", "conversation", "from") if not payload.get(k)]
    if missing:
        raise ActivityRejected(HTTPStatus.BAD_REQUEST, f"activity is missing {', '.join(missing)}")
    for key in ("conversation", "from"):
        if not isinstance(payload[key], dict) or not isinstance(payload[key].get("id"), str):
            raise ActivityRejected(HTTPStatus.BAD_REQUEST, f"activity.{key}.id must be a string")
    if not isinstance(payload["serviceUrl"], str) or not payload["serviceUrl"].startswith(("http://", "https://")):
        raise ActivityRejected(HTTPStatus.BAD_REQUEST, "activity.serviceUrl must be an http(s) URL")
    if (wrong := check_shape(payload)) is not None:
        raise ActivityRejected(HTTPStatus.BAD_REQUEST, wrong)
    try:
        return from_wire(Activity, payload)
    except (DeserializationError, TypeError, ValueError, AttributeError) as exc:
        raise ActivityRejected(
            HTTPStatus.BAD_REQUEST, f"activity does not follow the Bot Framework schema: {exc}"
        ) from exc


def messages_handler(
    adapter: CloudAdapter, logic: Logic, *, served_tenants: frozenset[str], max_body_bytes: int
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for ``POST /api/messages``.

    ``served_tenants`` (empty: any) is checked after the token: an activity from another
    tenant runs :func:`bot.tenants.refuse` instead of ``logic`` and is answered 403.
    """

    async def handle(request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response(
                {"error": "Content-Type must be application/json"}, status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE
            )
        # bot.body's middleware has already read the whole body (however it arrived)
        # and refused one over the limit; this returns the cached bytes.
        body = await request.read()
        if len(body) > max_body_bytes:  # only when the middleware is not installed (a bare handler)
            return web.json_response(
                {"error": f"body over {max_body_bytes} bytes"}, status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            )
        try:
            activity = parse_activity(body)
        except ActivityRejected as rejected:
            log.warning("rejected activity: %s", rejected.reason)
            return web.json_response({"error": rejected.reason}, status=rejected.status)

        auth_header = request.headers.get("Authorization", "")
        refused = tenants.refusal(activity, served_tenants)
        try:
            response: InvokeResponse | None = await adapter.process_activity(
                auth_header, activity, tenants.refuse if refused else logic
            )
        except SigningKeysUnavailable as exc:
            # Teams tries an activity again after a 5xx; say when, rather than fail it as a crash.
            log.error("cannot check the token of activity %s: %s", activity.id, exc)
            return web.json_response(
                {"error": "the Bot Connector's signing keys are unavailable; try again shortly"},
                status=HTTPStatus.SERVICE_UNAVAILABLE,
                headers={"Retry-After": "30"},
            )
        except (PermissionError, jwt.PyJWTError) as exc:
            # botbuilder raises PermissionError for a missing or rejected token, and
            # lets PyJWT's errors through for one that is not a JWT at all.
            log.warning("unauthorised activity from %s: %s", activity.service_url, exc)
            reason = str(exc) if isinstance(exc, Unauthorized) else "the bearer token was not accepted"
            return web.json_response(
                {"error": f"unauthorized: {reason}"},
                status=HTTPStatus.UNAUTHORIZED,
                headers={"WWW-Authenticate": "Bearer"},
            )
        except Exception:
            # The adapter's on_turn_error handles failures inside the bot; this is
            # what escapes it (authentication library errors and the like).
            log.exception("activity %s from %s could not be processed", activity.id, activity.service_url)
            return web.json_response({"error": "internal error"}, status=HTTPStatus.INTERNAL_SERVER_ERROR)
        if refused:
            log.warning("refused activity %s: %s", activity.id, refused)
            if response is None:
                return web.json_response({"error": refused}, status=HTTPStatus.FORBIDDEN)
        if response is not None:
            if response.body is None:  # an invoke answered with no body (one this bot does not use)
                return web.Response(status=response.status)
            return web.json_response(response.body, status=response.status)
        return web.Response(status=HTTPStatus.OK if activity.type == "invoke" else HTTPStatus.ACCEPTED)

    return handle
