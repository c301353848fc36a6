"""BotMessenger: the real :class:`switchover.messaging.Messenger`, over the Bot Connector API.

Proactive sends use the same pooled, authenticated connector clients as
replies (bot/connector.py), but make exactly one attempt: retries, backoff and
rate limits belong to the delivery engine, which sees every outcome.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from botbuilder.integration.aiohttp import CloudAdapter

from bot.connector import ConnectorError, PooledConnectorClient
from cards.render import card_attachment
from switchover.messaging import ConversationTarget, DeliveryError, FailureKind, OutgoingMessage, classify_failure

log = logging.getLogger(__name__)


def activity_body(message: OutgoingMessage) -> dict[str, Any]:
    """The Bot Framework activity JSON for a message (built directly: no msrest round trip)."""
    body: dict[str, Any] = {"type": "message"}
    if message.text:
        body["text"] = message.text
        body["textFormat"] = "markdown"
    attachments = list(message.attachments)
    if message.card is not None:
        attachments.insert(0, card_attachment(message.card))
    if attachments:
        body["attachments"] = attachments
    if message.summary:
        body["summary"] = message.summary
    return body


class BotMessenger:
    """Sends, updates and deletes messages and opens 1:1 chats as the bot."""

    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self._adapter = adapter
        self._app_id = app_id

    async def _client(self, service_url: str) -> PooledConnectorClient:
        auth = self._adapter.bot_framework_authentication
        factory = auth.create_connector_factory(self._adapter.create_claims_identity(self._app_id))
        client = await factory.create(service_url, None)
        if not isinstance(client, PooledConnectorClient):  # pragma: no cover - wiring error
            raise TypeError("BotMessenger needs the pooled connector factory (bot.adapter.build_adapter)")
        return client

    async def _call(self, service_url: str, method: str, path: str, body: Any) -> Any:
        client = await self._client(service_url)
        try:
            return await client.request(method, path, body, attempts=1)
        except ConnectorError as exc:
            kind = classify_failure(exc.status, exc.code, exc.sub_code)
            raise DeliveryError(
                kind, status=exc.status, code=exc.sub_code or exc.code, retry_after=exc.retry_after, detail=exc.message
            ) from exc

    async def send(self, target: ConversationTarget, message: OutgoingMessage) -> str:
        body = activity_body(message)
        data = await self._call(target.service_url, "POST", _activities(target.conversation_id), body)
        activity_id = (data or {}).get("id")
        if not activity_id:
            # Teams always returns the new activity's id; without it we could not update or recall.
            raise DeliveryError(FailureKind.TRANSIENT, status=200, detail="send returned no activity id")
        return str(activity_id)

    async def update(self, target: ConversationTarget, activity_id: str, message: OutgoingMessage) -> None:
        body = activity_body(message)
        body["id"] = activity_id
        path = f"{_activities(target.conversation_id)}/{quote(activity_id, safe='')}"
        await self._call(target.service_url, "PUT", path, body)

    async def delete(self, target: ConversationTarget, activity_id: str) -> None:
        path = f"{_activities(target.conversation_id)}/{quote(activity_id, safe='')}"
        await self._call(target.service_url, "DELETE", path, None)

    async def open_personal(
        self, *, tenant_id: str, service_url: str, user_id: str, bot_id: str | None = None
    ) -> ConversationTarget:
        body = {
            "isGroup": False,
            "bot": {"id": bot_id or self._app_id},
            "members": [{"id": user_id}],
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        data = await self._call(service_url, "POST", "v3/conversations", body)
        conversation_id = (data or {}).get("id")
        if not conversation_id:
            raise DeliveryError(FailureKind.TRANSIENT, status=200, detail="create conversation returned no id")
        return ConversationTarget(
            tenant_id=tenant_id,
            service_url=service_url,
            conversation_id=str(conversation_id),
            user_id=user_id,
            bot_id=bot_id,
        )


def _activities(conversation_id: str) -> str:
    return f"v3/conversations/{quote(conversation_id, safe='')}/activities"
