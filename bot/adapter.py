"""Builds the botbuilder ``CloudAdapter`` with Switchover's authentication and fast outbound path."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

from bot.connector import ConnectorPool
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


class PooledAuthentication(BotFrameworkAuthentication):
    """botbuilder's authentication, unchanged, with pooled connector clients and a cached token client.

    Inbound JWT validation, credentials and OAuth scopes are all botbuilder's;
    only the objects it builds for every turn are reused (see bot/connector.py).
    """

    def __init__(self, inner: BotFrameworkAuthentication, pool: ConnectorPool) -> None:
        self._inner = inner
        self._pool = pool
        self._token_clients: dict[str, UserTokenClient] = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._pool.wrap(result.connector_factory)
        return result

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
    inner = ConfigurationBotFrameworkAuthentication(
        bot_configuration(settings), credentials_factory=credentials_factory
    )
    adapter = CloudAdapter(PooledAuthentication(inner, pool) if pooled else inner)

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        log.error(
            "turn failed (conversation=%s, activity=%s, type=%s)",
            activity.conversation.id if activity.conversation else None,
            activity.id,
            activity.type,
            exc_info=error,
        )
        if activity.type == "message":
            try:
                await context.send_activity(
                    "Sorry, something went wrong on my side while answering that. "
                    "Please try again in a moment; if it keeps happening, call the Service Desk."
                )
            except Exception:
                log.exception("could not tell the user about the failed turn")

    adapter.on_turn_error = on_turn_error
    return adapter
