"""Builds the botbuilder ``CloudAdapter`` with Switchover's authentication and fast outbound path."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import jwt
import orjson
import requests
from botbuilder.core import TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, DeliveryModes, ResourceResponse
from botframework.connector import Channels
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
    jwt_token_extractor,
)
from botframework.connector.skills import BotFrameworkClient
from jwt.algorithms import RSAAlgorithm

from bot.connector import ConnectorPool
from switchover import i18n
from switchover.i18n import N_
from switchover.i18n import gettext as _
from switchover.settings import Settings

log = logging.getLogger(__name__)


def bot_configuration(settings: Settings) -> SimpleNamespace:
    """The attribute bag botbuilder's ConfigurationBotFrameworkAuthentication reads."""
    config: dict[str, Any] = {
        "APP_ID": settings.app_id,
        "APP_PASSWORD": settings.app_password.get_secret_value(),
        "APP_TYPE": settings.app_type,
        "APP_TENANTID": settings.app_tenant_id,
    }
    # Sovereign clouds and the test suite's loopback identity provider.
    if settings.botframework_openid_metadata_url:
        config["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"] = settings.botframework_openid_metadata_url
    if settings.botframework_token_issuer:
        config["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"] = settings.botframework_token_issuer
    if settings.botframework_login_url:
        config["TO_CHANNEL_FROM_BOT_LOGIN_URL"] = settings.botframework_login_url
    if settings.botframework_oauth_scope:
        config["TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"] = settings.botframework_oauth_scope
    if settings.botframework_login_url or settings.botframework_openid_metadata_url:
        config["VALIDATE_AUTHORITY"] = False
    return SimpleNamespace(**config)


class SigningKeysUnavailable(Exception):
    """The Bot Connector's signing keys could not be fetched and none are known yet (-> 503)."""


METADATA_TIMEOUT_SECONDS = 10.0  # each of the two GETs (metadata, then keys)
METADATA_RETRY_AFTER = dt.timedelta(minutes=5)  # after a failed refresh, while old keys still serve


def _fetch_signing_keys(url: str) -> list[dict[str, Any]]:
    """The OpenID metadata at ``url``, then the keys it points to (blocking; run in a thread)."""
    response = requests.get(url, timeout=METADATA_TIMEOUT_SECONDS)
    response.raise_for_status()
    keys_response = requests.get(response.json()["jwks_uri"], timeout=METADATA_TIMEOUT_SECONDS)
    keys_response.raise_for_status()
    keys = keys_response.json()["keys"]
    if not isinstance(keys, list):
        raise TypeError(f"the signing keys at {url} are not a list")
    return keys


@dataclass
class _KeyState:
    """What the patches keep beside one ``_OpenIdMetadata`` (one per metadata URL)."""

    # (the key list, kid -> key parsed from it): kept while botbuilder holds the same list.
    parsed: tuple[Any, dict[str | None, Any]] = field(default_factory=lambda: ((), {}))
    attempts: int = 0  # fetches finished, either way: a turn that waited compares it
    failure: Exception | None = None  # the last fetch's error, None once one succeeds
    retry_at: float = 0.0  # time.monotonic() before which a failed refresh is not tried again
    _lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def lock(self) -> asyncio.Lock:
        """One refresh at a time; a lock serves one event loop (the tests run several)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock[0] is not loop:
            self._lock = (loop, asyncio.Lock())
        return self._lock[1]

    @staticmethod
    def of(metadata: Any) -> _KeyState:
        state = metadata.__dict__.get("_switchover")
        if state is None:
            state = metadata.__dict__["_switchover"] = _KeyState()
        return state


def fix_openid_metadata() -> None:
    """Make botbuilder's signing-key cache safe on an event loop (botframework-connector 4.17.1).

    ``_OpenIdMetadata`` holds the Bot Connector's signing keys per metadata URL,
    fetched again daily, or at most hourly when a token names a key it does not
    have. Three faults, all fixed here:

    - ``_refresh`` fetches with synchronous ``requests`` and no timeout, *on the
      event loop*: every refresh stopped all turns for the length of two HTTPS
      round trips, and a hung endpoint would have stopped the bot for good. It
      now runs in a thread with a timeout, one refresh at a time per URL (turns
      that find the keys stale together wait for that one fetch and share its
      outcome). A failed refresh keeps the keys already held and fetches nothing
      for five minutes, whatever asks (the daily rule or an unknown key id); with
      no keys at all it raises :class:`SigningKeysUnavailable` (503), and the next
      turn after that tries again.
    - ``_find`` indexes an empty list for an unknown key instead of returning
      None, so after a signing-key rollover every activity failed with a 500
      until the daily refresh, and a made-up key got a 500 instead of a 401. It
      now returns None, so ``get`` fetches again as intended, and a key still
      unknown after that raises ``jwt.InvalidKeyError`` (401).
    - ``_find`` parsed the JWK into an RSA key on every activity; parsed keys
      are now kept with the key set they came from.

    Patched once, in place, because botbuilder builds these objects inside
    ``JwtTokenExtractor``; it raises if the class changes shape, and
    tests/test_app.py covers a rollover, an unknown key, a stalled and a failing
    metadata endpoint.
    """
    metadata = jwt_token_extractor._OpenIdMetadata
    if getattr(metadata, "_switchover_fixed", False):
        return
    for name in ("get", "_find", "_refresh"):
        if not hasattr(metadata, name):
            raise RuntimeError(f"botframework-connector changed: _OpenIdMetadata has no {name}; revisit bot/adapter.py")
    if not hasattr(jwt_token_extractor, "_OpenIdConfig"):
        raise RuntimeError("botframework-connector changed: no _OpenIdConfig; revisit bot/adapter.py")
    library_get = metadata.get

    def find(self: Any, key_id: str | None) -> Any:
        keys = self.keys or ()
        state = _KeyState.of(self)
        if state.parsed[0] is not keys:
            state.parsed = (keys, {})
        parsed = state.parsed
        config = parsed[1].get(key_id)
        if config is None:
            for key in keys:
                if key.get("kid") == key_id:
                    public_key = RSAAlgorithm.from_jwk(json.dumps(key))
                    config = jwt_token_extractor._OpenIdConfig(public_key, key.get("endorsements", []))
                    parsed[1][key_id] = config
                    break
        return config

    async def get(self: Any, key_id: str | None) -> Any:
        config = await library_get(self, key_id)
        if config is None:
            raise jwt.InvalidKeyError(f"signing key {key_id!r} is not in the OpenID metadata at {self.url}")
        return config

    async def refresh(self: Any) -> None:
        state = _KeyState.of(self)
        attempt = state.attempts
        async with state.lock():
            if state.attempts != attempt:
                # Another turn fetched while this one waited: share its outcome.
                if state.failure is not None and not self.keys:
                    raise SigningKeysUnavailable(f"could not fetch signing keys from {self.url}: {state.failure}")
                return
            if self.keys and time.monotonic() < state.retry_at:
                return  # the last refresh failed: keep using the keys held until the pause is over
            try:
                keys = await asyncio.to_thread(_fetch_signing_keys, self.url)
            except Exception as exc:
                state.attempts += 1
                state.failure = exc
                if not self.keys:
                    raise SigningKeysUnavailable(f"could not fetch signing keys from {self.url}: {exc}") from exc
                # Whichever rule asked (daily, or an unknown key id), no new fetch before the pause
                # is over: a token naming a made-up key must not set off a fetch per request.
                state.retry_at = time.monotonic() + METADATA_RETRY_AFTER.total_seconds()
                log.warning(
                    "could not refresh signing keys from %s (%s); keeping the %d held, retrying in %s",
                    self.url,
                    exc,
                    len(self.keys),
                    METADATA_RETRY_AFTER,
                )
                return
            state.attempts += 1
            state.failure = None
            state.retry_at = 0.0
            self.keys = keys
            # Naive local time: botbuilder compares it with its own datetime.now().
            self.last_updated = datetime.now()  # noqa: DTZ005

    metadata._find = find
    metadata.get = get
    metadata._refresh = refresh
    metadata._switchover_fixed = True


VALIDATED_TOKEN_SECONDS = 300.0  # how long a validated channel token is trusted again without re-checking
VALIDATED_TOKENS_KEPT = 10_000


# What botbuilder raises, as a bare Exception, for a token it rejects after looking its key up.
_TOKEN_REJECTIONS = frozenset({"Could not validate endorsement key", "Token signing algorithm not in allowed list"})


def fix_token_rejection_errors() -> None:
    """Make two token rejections PermissionErrors, like every other (botframework-connector 4.17.1).

    ``JwtTokenExtractor._validate_token`` raises a plain ``Exception`` when the
    signing key is not endorsed for the activity's channel or the token's ``alg``
    is not allowed, where every other rejection is a ``PermissionError``; the
    transport then answered a forged token with 500 instead of 401. Those two
    messages are turned into ``PermissionError`` here; tests/test_app.py sends
    both forgeries, so a change of wording underneath fails there.
    """
    extractor = jwt_token_extractor.JwtTokenExtractor
    if getattr(extractor, "_switchover_fixed", False):
        return
    if not hasattr(extractor, "_validate_token"):
        raise RuntimeError(
            "botframework-connector changed: no JwtTokenExtractor._validate_token; revisit bot/adapter.py"
        )
    library_validate = extractor._validate_token

    async def validate(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await library_validate(self, *args, **kwargs)
        except Exception as exc:
            if type(exc) is Exception and str(exc) in _TOKEN_REJECTIONS:
                raise PermissionError(str(exc)) from exc
            raise

    extractor._validate_token = validate
    extractor._switchover_fixed = True


class Unauthorized(PermissionError):
    """An Authorization header that cannot carry a Bot Connector token; the message says what is wrong (-> 401)."""


# What botbuilder's token checks accept (AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS).
_SIGNING_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})
# What botbuilder lets escape for a token of a shape it did not expect: no ``iss`` (a None
# identity's ``.claims``), a claim of the wrong type, an undecodable segment.
_MALFORMED_TOKEN_ERRORS = (AttributeError, KeyError, TypeError, ValueError, IndexError, UnicodeError)
# Three base64url segments: header, claims, signature (empty for alg=none, refused below).
_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def check_bearer_token(header: str) -> None:
    """Refuse an Authorization header that cannot hold a Bot Connector token, saying why.

    botbuilder (4.17.1) answers several such headers with an exception that is not a
    rejection, which became a 500: no header or an empty one (when the BOTFRAMEWORK_*
    settings are set), ``Bearer`` alone, a token without ``iss`` (``alg=none`` ones
    included). Everything else (signature, key, issuer, audience, expiry, service URL)
    is still botbuilder's to check.

    Raises:
        Unauthorized: the header is missing or malformed, or the token is unsigned.
    """
    if not header.strip():
        raise Unauthorized("no Authorization header: the Bot Connector sends 'Bearer <token>'")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    if _JWT_SHAPE.fullmatch(token) is None:
        raise Unauthorized("the bearer token is not a JWT")
    # Read, not verified (botbuilder verifies): base64url JSON objects, an order of magnitude
    # cheaper than PyJWT's unverified decode, which checks base64 character by character.
    try:
        jose, claims = (
            orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in token.split(".")[:2]
        )
    except (*_MALFORMED_TOKEN_ERRORS, binascii.Error, orjson.JSONDecodeError):
        raise Unauthorized("the bearer token is not a JWT") from None
    if not isinstance(jose, dict) or not isinstance(claims, dict):
        raise Unauthorized("the bearer token is not a JWT")
    algorithm = jose.get("alg")
    if algorithm not in _SIGNING_ALGORITHMS:
        raise Unauthorized(f"the bearer token is signed with {algorithm!r}; only RS256/RS384/RS512 are accepted")
    if not isinstance(claims.get("iss"), str) or not claims["iss"]:
        raise Unauthorized("the bearer token names no issuer")


class PooledAuthentication(BotFrameworkAuthentication):
    """botbuilder's authentication, with pooled connector clients and validated tokens remembered.

    Inbound JWT validation, credentials and OAuth scopes are all botbuilder's;
    only the objects it builds for every turn are reused (see bot/connector.py).

    The Bot Connector signs a token and sends it with many activities. botbuilder
    checks each one from scratch: it decodes the token four times (skill? emulator?
    issuer? then verified), and PyJWT checks base64 character by character in
    Python, about a third of a message's CPU with authentication on. A token that
    passed is therefore remembered, keyed by the exact Authorization header *and*
    the activity's service URL and channel (the two activity fields botbuilder's
    check compares with the token's ``serviceurl`` claim and the key's
    endorsements), for five minutes at most and never past the token's ``exp``
    (botbuilder itself allows five minutes of clock skew beyond it). A rejected
    token is never remembered, so a forged one is checked, and refused, every
    time. The only difference from checking every time: a signing key withdrawn
    from the OpenID metadata stops being accepted up to five minutes later,
    where botbuilder itself only re-reads the keys daily.
    """

    def __init__(
        self,
        inner: BotFrameworkAuthentication,
        pool: ConnectorPool,
        *,
        now: Callable[[], float] = time.time,
        required: bool = True,
    ) -> None:
        self._inner = inner
        self._required = required
        self._pool = pool
        self._now = now
        self._token_clients: dict[str, UserTokenClient] = {}
        self._validated: OrderedDict[tuple[str, str | None, str | None], tuple[AuthenticateRequestResult, float]] = (
            OrderedDict()
        )
        self.validations = 0  # tokens checked by botbuilder (tests and benchmarks read it)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        key = (auth_header, activity.service_url, activity.channel_id) if auth_header else None
        if key is not None:
            remembered = self._validated.get(key)
            if remembered is not None:
                result, until = remembered
                if self._now() < until:
                    self._validated.move_to_end(key)
                    return _copy_result(result)
                del self._validated[key]
        self.validations += 1
        if self._required or auth_header.strip():
            check_bearer_token(auth_header)
        try:
            result = await self._inner.authenticate_request(activity, auth_header)
        except _MALFORMED_TOKEN_ERRORS as exc:
            log.warning("token of an unexpected shape refused", exc_info=True)
            raise Unauthorized("the bearer token was not accepted") from exc
        result.connector_factory = self._pool.wrap(result.connector_factory)
        identity = result.claims_identity
        expires = identity.claims.get("exp") if identity is not None and identity.is_authenticated else None
        if key is not None and isinstance(expires, int | float):
            until = min(float(expires), self._now() + VALIDATED_TOKEN_SECONDS)
            self._validated[key] = (result, until)
            if len(self._validated) > VALIDATED_TOKENS_KEPT:
                self._validated.popitem(last=False)
        return _copy_result(result)

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        result.connector_factory = self._pool.wrap(result.connector_factory)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._pool.wrap(self._inner.create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # Only OAuth prompts use it; building one per turn costs an msrest client.
        key = str(
            claims_identity.claims.get("appid")
            or claims_identity.claims.get("azp")
            or claims_identity.claims.get("aud")
            or ""
        )
        client = self._token_clients.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[key] = client
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


def _copy_model(model: Any) -> Any:
    """``copy.copy`` of an msrest model (a plain ``__dict__`` object), without copy's generic machinery."""
    if model is None:
        return None
    twin = object.__new__(type(model))
    twin.__dict__.update(model.__dict__)
    return twin


class ReplyingTurnContext(TurnContext):
    """A TurnContext whose replies are addressed straight from the incoming activity (botbuilder 4.17.1).

    ``TurnContext.send_activities`` builds a ``ConversationReference`` for every
    send (an msrest model, with ``copy.copy`` of three accounts) only to copy its
    fields onto each outgoing activity again, and wraps the send in
    ``on_send_activities`` handler plumbing: together a few per cent of a
    message's CPU. This does the same addressing (channel, locale, service URL,
    conversation, from = the bot, recipient = the user, replyToId unless the
    incoming activity is a conversation update or from Direct Line / Web Chat),
    the same defaults (type message, inputHint acceptingInput, no id) and sets
    ``responded`` the same way. Whenever a handler is registered or the sender
    asked for expectReplies, the library's own path runs instead.
    ``tests/bot/test_adapter_context.py`` checks that both paths send the same
    activities, so a change in botbuilder's addressing is caught.
    """

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        incoming = self.activity
        if self._on_send_activities or incoming.delivery_mode == DeliveryModes.expect_replies:
            return await super().send_activities(activities)
        reply_to = (
            incoming.id
            if incoming.type != ActivityTypes.conversation_update
            and incoming.channel_id not in (Channels.direct_line, Channels.webchat)
            else None
        )
        bot, user = _copy_model(incoming.recipient), _copy_model(incoming.from_property)
        conversation = _copy_model(incoming.conversation)
        output = []
        sent_non_trace = False
        for activity in activities:
            out = deepcopy(activity)
            out.channel_id = incoming.channel_id
            out.locale = incoming.locale
            out.service_url = incoming.service_url
            out.conversation = conversation
            out.from_property = bot
            out.recipient = user
            if reply_to:
                out.reply_to_id = reply_to
            if not getattr(out, "type", None):
                out.type = ActivityTypes.message
            if out.type != ActivityTypes.trace:
                sent_non_trace = True
            if not out.input_hint:
                out.input_hint = "acceptingInput"
            out.id = None
            output.append(out)
        responses = await self.adapter.send_activities(self, output)
        if sent_non_trace:
            self.responded = True
        return responses


_CARD_ACTION_FAILED_TEXT = N_("Something went wrong on my side; please try again shortly.")


def _card_action_failed() -> InvokeResponse:
    """The answer to a card action whose turn failed, in the language in force."""
    return InvokeResponse(
        status=200,
        body={
            "statusCode": 500,
            "type": "application/vnd.microsoft.error",
            "value": {"code": "InternalError", "message": _(_CARD_ACTION_FAILED_TEXT)},
        },
    )


def _copy_result(result: AuthenticateRequestResult) -> AuthenticateRequestResult:
    """A result of its own for each turn (botbuilder's is a plain attribute bag)."""
    copy = AuthenticateRequestResult()
    copy.audience = result.audience
    copy.claims_identity = result.claims_identity
    copy.caller_id = result.caller_id
    copy.connector_factory = result.connector_factory
    return copy


class SwitchoverAdapter(CloudAdapter):
    """botbuilder's CloudAdapter, handing features a :class:`ReplyingTurnContext`."""

    def _create_turn_context(self, activity: Activity, *args: Any, **kwargs: Any) -> TurnContext:
        library = super()._create_turn_context(activity, *args, **kwargs)
        context = ReplyingTurnContext(self, activity)
        context.turn_state.update(library.turn_state)  # identity, connector client, token client, scope ...
        return context


def build_adapter(
    settings: Settings,
    pool: ConnectorPool,
    *,
    pooled: bool = True,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> CloudAdapter:
    """A CloudAdapter that authenticates as configured and sends through ``pool``.

    ``pooled=False`` gives botbuilder's stock outbound path (a new msrest client
    per turn); only the message benchmark uses it, to measure the difference.
    ``credentials_factory`` replaces the one built from the settings (the test
    suite's loopback identity provider uses it; Entra ID cannot run here).
    """
    fix_openid_metadata()
    fix_token_rejection_errors()
    inner = ConfigurationBotFrameworkAuthentication(
        bot_configuration(settings), credentials_factory=credentials_factory
    )
    adapter = (
        SwitchoverAdapter(PooledAuthentication(inner, pool, required=settings.auth_enabled))
        if pooled
        else CloudAdapter(inner)
    )

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        log.error(
            "turn failed (conversation=%s, activity=%s, type=%s)",
            activity.conversation.id if activity.conversation else None,
            activity.id,
            activity.type,
            exc_info=error,
        )
        # The turn's language ended with the failed turn: the asker's Teams language again.
        with i18n.use(activity.locale):
            if activity.type == "message":
                try:
                    await context.send_activity(
                        _(
                            "Sorry, something went wrong on my side while answering that. "
                            "Please try again in a moment; if it keeps happening, call the Service Desk."
                        )
                    )
                except Exception:
                    log.exception("could not tell the user about the failed turn")
            elif activity.type == "invoke" and activity.name == "adaptiveCard/action":
                # The Universal Action Model's answer to an unexpected error (HTTP 200, statusCode 500):
                # the card shows the message instead of a failed request.
                await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=_card_action_failed()))

    adapter.on_turn_error = on_turn_error
    return adapter
